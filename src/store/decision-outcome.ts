/**
 * A decision's outcome: what it said and why, under which regime and lists (docs/decisions.md
 * ST12). Many decisions share one, so the store keeps each distinct outcome once, addressed by the
 * sha256 of `outcomeText`, and a decision row refers to it; the audit trail lists the same hash
 * (ST11), so `audit verify` checks a decision's reasons through it.
 */
import { sha256 } from './kysely-store.js';
import type { DecisionRecord } from './port.js';

/** The columns an outcome holds (a decision's as-of date stays on the decision row). */
export type OutcomeColumns = Omit<DecisionRecord, 'partyHits' | 'asOf'>;

/**
 * The text the outcome hash covers: the scalar columns as a JSON array, then each JSON column's
 * stored text on its own line (a JSON text holds no raw line break, so the split is unambiguous);
 * not one JSON array of all of them, which would escape every quote of the JSON columns again.
 */
export function outcomeText(d: OutcomeColumns): string {
  return (
    `${JSON.stringify([d.decision, d.exception, d.jurisdiction, d.regimeVersion])}\n` +
    `${d.reasons}\n${d.missingDocuments}\n${d.missingApprovals}\n${d.conditions}\n${d.lists}`
  );
}

/**
 * Most decisions share their outcome: each distinct one is hashed once (per thread). The cache is
 * a tree of Maps keyed by the column texts themselves, not by `outcomeText` (which would copy and
 * hash ~1 KB per row): a string keeps its hash once computed, and the texts that repeat are mostly
 * the same string objects row after row (on the writer thread, from its shared-text table).
 */
type OutcomeNode = Map<string, OutcomeNode | string>;
let outcomeCache: OutcomeNode = new Map();
let outcomeCount = 0;

export function outcomeHash(d: OutcomeColumns): string {
  let node = outcomeCache;
  // the reasons last: a reason text seen once (it names the row's own filing, say) adds one entry
  // to one Map, not a Map per level
  const keys = [
    d.decision,
    d.missingDocuments,
    d.missingApprovals,
    d.exception ?? '\u0000',
    d.conditions,
    d.jurisdiction,
    d.regimeVersion,
    d.lists,
  ];
  for (const key of keys) {
    let child = node.get(key) as OutcomeNode | undefined;
    if (child === undefined) {
      child = new Map();
      node.set(key, child);
    }
    node = child;
  }
  let hash = node.get(d.reasons) as string | undefined;
  if (hash === undefined) {
    if (++outcomeCount > 10_000) {
      outcomeCache = new Map();
      outcomeCount = 0;
    }
    hash = sha256(outcomeText(d));
    node.set(d.reasons, hash);
  }
  return hash;
}
