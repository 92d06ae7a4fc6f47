/**
 * Decisions in the audit trail (docs/decisions.md ST11). A written chunk of screening appends ONE
 * `decisions.recorded` entry listing every decision it stored, instead of one `decision.recorded`
 * entry per decision; `audit verify` then cross-checks the decisions table against the trail, so a
 * decision row edited, deleted or slipped in after the fact is found (it was not before: the old
 * per-decision payload named the decision's outcome but not its reasons or lists).
 *
 * Each listed decision is `[declaration_id, version, decision_seq, decision, content_hash,
 * context_hash, outcome_hash]`, where `outcome_hash` is the sha256 of the decision's stored outcome
 * columns (`outcomeText`): what it said, why, and under which regime, lists and date.
 */
import type { AuditEntry } from '../core/audit/audit-chain.js';
import { sha256 } from '../store/kysely-store.js';
import type { DecisionRecord, DecisionTrailRow, StoreReader } from '../store/port.js';

export const DECISIONS_RECORDED = 'decisions.recorded';
/** the entry per decision written by stores before ST11; still read and verified */
export const DECISION_RECORDED_V1 = 'decision.recorded';

type OutcomeColumns = Omit<DecisionRecord, 'partyHits'>;

/** The text the outcome hash covers: the outcome columns as stored, in a fixed order. */
export function outcomeText(d: OutcomeColumns): string {
  return JSON.stringify([
    d.decision,
    d.reasons,
    d.missingDocuments,
    d.missingApprovals,
    d.exception,
    d.conditions,
    d.asOf,
    d.jurisdiction,
    d.regimeVersion,
    d.lists,
  ]);
}

/** Most decisions share their outcome: each distinct one is hashed once (per thread). */
const outcomeHashes = new Map<string, string>();

export function outcomeHash(d: OutcomeColumns): string {
  const text = outcomeText(d);
  let hash = outcomeHashes.get(text);
  if (hash === undefined) {
    if (outcomeHashes.size > 10_000) outcomeHashes.clear();
    hash = sha256(text);
    outcomeHashes.set(text, hash);
  }
  return hash;
}

/** One decision as a `decisions.recorded` entry lists it. */
export type RecordedDecision = [
  declarationId: string,
  version: number,
  decisionSeq: number,
  decision: string,
  contentHash: string,
  contextHash: string,
  outcomeHash: string,
];

/**
 * The payload of one `decisions.recorded` entry, as canonical JSON (keys in sorted order, arrays of
 * strings and numbers: JSON.stringify writes exactly canonicalJson). The decisions share their
 * as-of date, jurisdiction and regime version (the caller starts a new entry when one changes).
 */
export function decisionsRecordedJson(
  batch: string | null,
  shared: { asOf: string; jurisdiction: string; regimeVersion: string },
  decisions: readonly RecordedDecision[],
): string {
  return JSON.stringify({
    as_of: shared.asOf,
    batch,
    decisions,
    jurisdiction: shared.jurisdiction,
    regime_version: shared.regimeVersion,
  });
}

/** What the trail says about one decision, to compare with its row. */
interface Listed {
  entry: number;
  /** the comparable text (see `rowKey` / `v1Key`) */
  key: string;
  v1: boolean;
}

const rowKey = (r: DecisionTrailRow) =>
  JSON.stringify([
    r.declarationId,
    r.version,
    r.seq,
    r.decision,
    r.contentHash,
    r.contextHash,
    outcomeHash(r),
    r.batchId,
  ]);

/** the fields a pre-ST11 `decision.recorded` entry covers */
const v1Key = (r: DecisionTrailRow) =>
  JSON.stringify([
    r.declarationId,
    r.version,
    r.seq,
    r.decision,
    r.contentHash,
    r.asOf,
    r.jurisdiction,
    r.regimeVersion,
    r.batchId,
  ]);

export interface DecisionFinding {
  kind: 'edited' | 'removed' | 'inserted';
  /** the decision's seq */
  decisionSeq: number;
  /** the audit entry that lists it, when one does */
  entrySeq?: number;
  message: string;
}

/**
 * Collects, entry by entry during the chain walk, the decisions the trail records; `check` then
 * walks the decisions table in seq order and names the first decision row that is missing (listed
 * but gone), edited (listed with other fields) or extra (in the table, listed by no entry), and a
 * decision listed twice. Memory: one short string per decision.
 */
export class DecisionTrail {
  private readonly listed = new Map<number, Listed>();
  private duplicate: DecisionFinding | undefined;

  add(entry: AuditEntry): void {
    if (entry.action === DECISIONS_RECORDED) {
      const payload = JSON.parse(entry.payload) as { batch: string | null; decisions: RecordedDecision[] };
      for (const d of payload.decisions)
        this.put(d[2], entry.seq, JSON.stringify([...d, payload.batch]), false);
    } else if (entry.action === DECISION_RECORDED_V1) {
      const p = JSON.parse(entry.payload) as Record<string, unknown>;
      const key = JSON.stringify([
        entry.subject.slice('declaration:'.length),
        p.version,
        p.decision_seq,
        p.decision,
        p.content_hash,
        p.as_of,
        p.jurisdiction,
        p.regime_version,
        p.batch,
      ]);
      this.put(Number(p.decision_seq), entry.seq, key, true);
    }
  }

  private put(seq: number, entry: number, key: string, v1: boolean) {
    const before = this.listed.get(seq);
    if (before && !this.duplicate) {
      this.duplicate = {
        kind: 'inserted',
        decisionSeq: seq,
        entrySeq: entry,
        message: `decision ${seq} is recorded twice in the trail (entries ${before.entry} and ${entry})`,
      };
    }
    this.listed.set(seq, { entry, key, v1 });
  }

  get size(): number {
    return this.listed.size;
  }

  async check(store: StoreReader, page = 5000): Promise<DecisionFinding | null> {
    if (this.duplicate) return this.duplicate;
    // Rows come in seq order: a listed seq passed over without its row is gone; a row whose seq is
    // not listed is extra.
    const seqs = [...this.listed.keys()].sort((a, b) => a - b);
    let next = 0;
    let afterSeq = 0;
    for (;;) {
      const rows = await store.decisionTrailPage(afterSeq, page);
      for (const row of rows) {
        if (next < seqs.length && seqs[next]! < row.seq) return this.removed(seqs[next]!);
        const listed = seqs[next] === row.seq ? this.listed.get(row.seq) : undefined;
        if (!listed) {
          return {
            kind: 'inserted',
            decisionSeq: row.seq,
            message: `decision ${row.seq} (declaration ${row.declarationId} v${row.version}) is in the decisions table but in no audit entry: it was inserted`,
          };
        }
        if ((listed.v1 ? v1Key(row) : rowKey(row)) !== listed.key) {
          return {
            kind: 'edited',
            decisionSeq: row.seq,
            entrySeq: listed.entry,
            message: `decision ${row.seq} (declaration ${row.declarationId} v${row.version}) was edited: its row no longer matches audit entry ${listed.entry}`,
          };
        }
        next++;
      }
      if (rows.length < page) break;
      afterSeq = rows[rows.length - 1]!.seq;
    }
    return next < seqs.length ? this.removed(seqs[next]!) : null;
  }

  private removed(seq: number): DecisionFinding {
    const entry = this.listed.get(seq)!.entry;
    return {
      kind: 'removed',
      decisionSeq: seq,
      entrySeq: entry,
      message: `decision ${seq}, recorded by audit entry ${entry}, is no longer in the decisions table: it was removed`,
    };
  }
}
