/**
 * Decisions in the audit trail (docs/decisions.md ST11). A written chunk of screening appends ONE
 * `decisions.recorded` entry listing every decision it stored, instead of one `decision.recorded`
 * entry per decision; `audit verify` then cross-checks the decisions table against the trail, so a
 * decision row edited, deleted or slipped in after the fact is found (it was not before: the old
 * per-decision payload named the decision's outcome but not its reasons or lists).
 *
 * Each listed decision is `[declaration_id, version, decision_seq, decision, as_of, content_hash,
 * context_hash, outcome_hash]` (the two hashes written as indexes into the entry's lists of distinct
 * ones), where `outcome_hash` is the sha256 of the decision's outcome (`outcomeText` in
 * src/store/decision-outcome.ts): what it said, why, and under which regime and lists; it is also
 * the key of the decision's row in `decision_outcomes` (ST12).
 */
import type { AuditEntry } from '../core/audit/audit-chain.js';
import { outcomeHash, outcomeText } from '../store/decision-outcome.js';
import type { DecisionTrailRow, StoreReader } from '../store/port.js';

export const DECISIONS_RECORDED = 'decisions.recorded';
/** the entry per decision written by stores before ST11; still read and verified */
export const DECISION_RECORDED_V1 = 'decision.recorded';

export { outcomeHash, outcomeText };

/** One decision as a `decisions.recorded` entry lists it. */
export type RecordedDecision = [
  declarationId: string,
  version: number,
  decisionSeq: number,
  decision: string,
  asOf: string,
  contentHash: string,
  contextHash: string,
  outcomeHash: string,
];

/**
 * The payload of one `decisions.recorded` entry, as canonical JSON: keys in sorted order, no
 * whitespace, so it is stored and hashed as written (`appendAuditMany`'s `payloadJson`). Context and
 * outcome hashes, which most decisions of a chunk share, are listed once (`contexts`, `outcomes`) and
 * each decision names them by index: `[declaration_id, version, decision_seq, decision,
 * content_hash, context_index, outcome_index]`. The decisions share their as-of date, jurisdiction
 * and regime version (the caller starts a new entry when one changes). Written by hand rather than
 * by JSON.stringify of nested arrays (~2 µs per decision): only the ids need escaping.
 */
/** an id JSON.stringify would write as is between quotes */
const PLAIN_ID = /^[\w .:/-]*$/;

export function decisionsRecordedJson(
  batch: string | null,
  shared: { jurisdiction: string; regimeVersion: string },
  decisions: readonly RecordedDecision[],
): string {
  const contexts = new Map<string, number>();
  const outcomes = new Map<string, number>();
  const list: string[] = new Array(decisions.length);
  for (let i = 0; i < decisions.length; i++) {
    const [id, version, seq, decision, asOf, contentHash, context, outcome] = decisions[i]!;
    let c = contexts.get(context);
    if (c === undefined) {
      c = contexts.size;
      contexts.set(context, c);
    }
    let o = outcomes.get(outcome);
    if (o === undefined) {
      o = outcomes.size;
      outcomes.set(outcome, o);
    }
    // the outcome is one of three words and the content hash hex: only an id may need escaping
    const idJson = PLAIN_ID.test(id) ? `"${id}"` : JSON.stringify(id);
    list[i] =
      `[${idJson},${version},${seq},"${decision}",${JSON.stringify(asOf)},"${contentHash}",${c},${o}]`;
  }
  return (
    `{"batch":${JSON.stringify(batch)},` +
    `"contexts":${JSON.stringify([...contexts.keys()])},"decisions":[${list.join(',')}],` +
    `"jurisdiction":${JSON.stringify(shared.jurisdiction)},"outcomes":${JSON.stringify([...outcomes.keys()])},` +
    `"regime_version":${JSON.stringify(shared.regimeVersion)}}`
  );
}

/** The decisions a `decisions.recorded` payload lists, hashes resolved (the inverse of the above). */
export function recordedDecisions(payload: string): { batch: string | null; decisions: RecordedDecision[] } {
  const p = JSON.parse(payload) as {
    batch: string | null;
    contexts: string[];
    outcomes: string[];
    decisions: [string, number, number, string, string, string, number, number][];
  };
  return {
    batch: p.batch,
    decisions: p.decisions.map(([id, version, seq, decision, asOf, content, c, o]) => [
      id,
      version,
      seq,
      decision,
      asOf,
      content,
      p.contexts[c] ?? '',
      p.outcomes[o] ?? '',
    ]),
  };
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
    r.asOf,
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
      const payload = recordedDecisions(entry.payload);
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
