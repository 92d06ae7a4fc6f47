/**
 * What-if view for supervisors: the same declaration decided under two dates (or two regimes), and
 * why the answer changed — which reasons appeared and which went away. Pure.
 *
 * @example
 *   const change = compareDecisions(decisionOn('2017-08-04'), decisionOn('2017-08-05'));
 *   change?.why; // ["now: banned by UN-2371-OP8 …", "no longer: exception applied under UN-2321-OP26 …"]
 */
import type { Decision, Reason } from '../screening/decision.js';

export interface DecisionChange {
  id: string;
  before: { decision: Decision['decision']; asOf: string; exception: string | null };
  after: { decision: Decision['decision']; asOf: string; exception: string | null };
  /** reasons the second decision has and the first has not */
  gained: Reason[];
  /** reasons the first decision had and the second has not */
  lost: Reason[];
  /** one line per gained / lost reason, for people */
  why: string[];
}

// cap bookkeeping varies with the ledger, not with the law: it never explains a change by itself
const LEDGER_KINDS = new Set<string>(['cap-consumed', 'cap-warning']);

const keyOf = (r: Reason) => `${r.kind}|${r.measure}|${r.outcome}|${(r.details?.exception as string) ?? ''}`;

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Compares two decisions on the same declaration. Returns null when what the officer must do is the
 * same: same outcome, same missing documents and approvals. A clearance that merely moves to a
 * successor measure's identical exception (Rajin coal under 2321, then under 2371) is no change.
 */
export function compareDecisions(before: Decision, after: Decision): DecisionChange | null {
  if (
    before.decision === after.decision &&
    same(before.missingDocuments, after.missingDocuments) &&
    same(before.missingApprovals, after.missingApprovals)
  )
    return null;
  const beforeKeys = new Set(before.reasons.map(keyOf));
  const afterKeys = new Set(after.reasons.map(keyOf));
  const gained = after.reasons.filter((r) => !beforeKeys.has(keyOf(r)) && !LEDGER_KINDS.has(r.kind));
  const lost = before.reasons.filter((r) => !afterKeys.has(keyOf(r)) && !LEDGER_KINDS.has(r.kind));
  const line = (prefix: string, r: Reason) =>
    `${prefix}: ${r.kind}${r.measure ? ` ${r.measure}` : ''} — ${r.text}${r.unconfirmed ? ' (UNCONFIRMED)' : ''}`;
  return {
    id: after.id,
    before: { decision: before.decision, asOf: before.asOf, exception: before.exception },
    after: { decision: after.decision, asOf: after.asOf, exception: after.exception },
    gained,
    lost,
    why: [...gained.map((r) => line('now', r)), ...lost.map((r) => line('no longer', r))],
  };
}
