/**
 * PartyCheck over a PartyIndex: the seam declaration screening calls (src/core/screening/party-check.ts).
 * Checks `consignor`, `consignee` (any party type), `vessel_name` (vessels only, strict) and
 * `vessel_imo` (decisive). A designated entry at or above the match threshold → `party-designated`
 * (REFUSE); anything between review and match, or any hit on a `watch` entry → `party-possible-match`
 * (HOLD). Every reason cites the list entry, its list's source, publication date and hash.
 */
import type { Reason } from '../screening/decision.js';
import type { Declaration } from '../screening/declaration.js';
import type { PartyCheck } from '../screening/party-check.js';
import type { PartyHit, PartyIndex } from './party-index.js';

export const SCREENED_FIELDS = ['consignor', 'consignee', 'vessel_name', 'vessel_imo'] as const;
export type ScreenedField = (typeof SCREENED_FIELDS)[number];

/** Hits reported per field at most (the best ones); more would bury the decision in noise. */
const HITS_PER_FIELD = 3;

function fieldValue(declaration: Declaration, field: ScreenedField): string | undefined {
  switch (field) {
    case 'consignor':
      return declaration.consignor;
    case 'consignee':
      return declaration.consignee;
    case 'vessel_name':
      return declaration.vesselName;
    case 'vessel_imo':
      return declaration.vesselImo;
  }
}

/** One line naming the entry and the list edition it comes from. */
export function citeHit(hit: PartyHit): string {
  const entry = hit.entityId === hit.reference ? hit.reference : `${hit.reference} [${hit.entityId}]`;
  return `${hit.list.source}, entry ${entry} (list ${hit.list.id}, published ${hit.list.published}, sha256 ${hit.list.hash.slice(0, 12)})`;
}

function describeName(hit: PartyHit): string {
  if (hit.components.rule === 'imo') return `IMO number ${hit.matched.normalized} (decisive)`;
  const kind = hit.matched.kind.replace('-', ' ');
  const dates =
    hit.matched.from || hit.matched.to
      ? `, in use ${hit.matched.from ?? '?'} – ${hit.matched.to ?? 'now'}`
      : '';
  return `"${hit.matched.name}" (${kind}${dates})`;
}

export function reasonOf(field: ScreenedField, hit: PartyHit): Reason {
  const designated = hit.status === 'match' && hit.action === 'designated';
  const what = designated ? 'is designated' : 'may be';
  return {
    kind: designated ? 'party-designated' : 'party-possible-match',
    outcome: designated ? 'REFUSE' : 'HOLD',
    measure: '',
    citation: citeHit(hit),
    text: `${field} "${hit.query.text}" ${what} ${hit.reference} ${hit.primaryName}: matched ${describeName(hit)}, score ${hit.score.toFixed(2)}${hit.action === 'watch' ? ' (watch entry, not a designation)' : ''}`,
    details: { field, hit },
  };
}

/**
 * Screens one declaration's parties against the index.
 * @example createPartyCheck(index).check(declaration) // [{ kind: 'party-designated', … }]
 */
export function createPartyCheck(index: PartyIndex): PartyCheck {
  return {
    lists: index.lists,
    check(declaration: Declaration): Reason[] {
      const reasons: Reason[] = [];
      for (const field of SCREENED_FIELDS) {
        const value = fieldValue(declaration, field)?.trim();
        if (!value) continue;
        const hits =
          field === 'vessel_imo'
            ? index.searchImo(value)
            : index.search(value, {
                limit: HITS_PER_FIELD,
                ...(field === 'vessel_name' ? { type: 'vessel' as const } : {}),
              });
        for (const hit of hits.slice(0, HITS_PER_FIELD)) reasons.push(reasonOf(field, hit));
      }
      return reasons;
    },
  };
}
