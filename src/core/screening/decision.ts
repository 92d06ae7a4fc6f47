/**
 * What screening answers for one declaration. JSON output uses the snake_case names documented
 * in docs/formats.md; this is the in-memory shape.
 */
export const OUTCOMES = ['CLEAR', 'HOLD', 'REFUSE'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Severity order used to combine per-measure outcomes: the most severe wins. */
export const OUTCOME_SEVERITY: Readonly<Record<Outcome, number>> = { CLEAR: 0, HOLD: 1, REFUSE: 2 };

export const REASON_KINDS = [
  'not-covered',
  'banned',
  'exception-applied',
  'approval-missing',
  'document-missing',
  'solid-information',
  'classification-too-coarse',
  'classification-ambiguous',
  'value-undetermined',
  'measure-unconfirmed',
  'cap-consumed',
  'cap-exceeded',
  'cap-warning',
  'cap-unmeasured',
  'cap-out-of-order',
  'notification-duty',
  'grace-period',
  'suspended',
  'party-designated',
  'party-possible-match',
] as const;
export type ReasonKind = (typeof REASON_KINDS)[number];

export interface Reason {
  kind: ReasonKind;
  outcome: Outcome;
  /** measure id, e.g. `CN-MOFCOM-11-2016-1`; empty for party reasons */
  measure: string;
  /** human citation, e.g. `MOFCOM/GAC Announcement No. 11 of 2016, item 1(1)` */
  citation: string;
  /** one line for people */
  text: string;
  /** true when the paragraph, HS mapping or fact this reason rests on is UNCONFIRMED in the reference */
  unconfirmed?: boolean;
  /** structured extras (subheadings at stake, cap headroom, party hit, …) */
  details?: Record<string, unknown>;
}

export interface Decision {
  id: string;
  decision: Outcome;
  reasons: Reason[];
  missingDocuments: string[];
  missingApprovals: string[];
  /** `<measure id>/<exception id>` of the exception the declaration cleared under, if any */
  exception: string | null;
  /** standing conditions of the exception applied (e.g. monitoring of delivery and use) */
  conditions: string[];
  asOf: string;
  jurisdiction: string;
  regimeVersion: string;
  /** party lists the declaration's parties were screened against (empty when none were) */
  lists: { id: string; hash: string; published: string }[];
}
