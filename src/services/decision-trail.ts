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

/** The decisions one entry lists, with their comparable texts (nothing for other actions). */
function listedBy(entry: AuditEntry): { seq: number; key: string; v1: boolean }[] {
  if (entry.action === DECISIONS_RECORDED) {
    const payload = recordedDecisions(entry.payload);
    return payload.decisions.map((d) => ({
      seq: d[2],
      key: JSON.stringify([...d, payload.batch]),
      v1: false,
    }));
  }
  if (entry.action === DECISION_RECORDED_V1) {
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
    return [{ seq: Number(p.decision_seq), key, v1: true }];
  }
  return [];
}

/** Only the seqs an entry lists (the chain walk needs no more). */
function seqsListedBy(entry: AuditEntry): number[] {
  if (entry.action === DECISIONS_RECORDED) {
    const p = JSON.parse(entry.payload) as { decisions: [string, number, number][] };
    return p.decisions.map((d) => d[2]);
  }
  if (entry.action === DECISION_RECORDED_V1) {
    return [Number((JSON.parse(entry.payload) as Record<string, unknown>).decision_seq)];
  }
  return [];
}

export interface DecisionFinding {
  kind: 'edited' | 'removed' | 'inserted';
  /** the decision's seq */
  decisionSeq: number;
  /** the audit entry that lists it, when one does */
  entrySeq?: number;
  message: string;
}

/** A run of consecutive audit entries, after `afterSeq` up to `lastSeq`, listing decisions `min`–`max`. */
interface Segment {
  afterSeq: number;
  lastSeq: number;
  min: number;
  max: number;
  count: number;
}

/** listed decisions per window of the check (and per segment of the trail noted during the walk) */
export const DECISION_WINDOW = 25_000;
/** audit entries fetched at a time while re-reading a segment */
const ENTRY_PAGE = 64;

/**
 * Collects, entry by entry during the chain walk, which decision seqs the trail lists (one bit per
 * seq) and where (segments of consecutive entries with the range of seqs they list); `check` then
 * walks the decisions table in seq order, window by window of at most `window` listed decisions:
 * it re-reads the entries of the segments whose range meets the window, keeps the window's listed
 * decisions, and names the first decision row that is missing (listed but gone), edited (listed
 * with other fields) or extra (in the table, listed by no entry), and a decision listed twice
 * (docs/decisions.md ST15). Entries may list seqs in any order (concurrent writers interleave).
 * Memory: one bit per seq up to the highest listed, one segment per `window` listed decisions, and
 * one short string per decision of the current window.
 */
export class DecisionTrail {
  private bits = new Uint8Array(1024);
  /** listed seqs the bitmap cannot hold (not a small non-negative integer): old or odd payloads */
  private readonly odd = new Set<number>();
  private count = 0;
  private maxListed = -1;
  private readonly segments: Segment[] = [];
  private open: Segment | undefined;
  private lastEntrySeq = 0;
  private duplicate: { seq: number; entry: number } | undefined;

  private readonly window: number;

  constructor(window = DECISION_WINDOW) {
    this.window = Math.max(1, Math.floor(window) || 1);
  }

  add(entry: AuditEntry): void {
    const listed = seqsListedBy(entry);
    if (listed.length > 0) {
      const segment = this.open ?? {
        afterSeq: this.lastEntrySeq,
        lastSeq: entry.seq,
        min: Infinity,
        max: -Infinity,
        count: 0,
      };
      this.open = segment;
      for (const seq of listed) {
        if (this.mark(seq) && !this.duplicate) this.duplicate = { seq, entry: entry.seq };
        if (seq < segment.min) segment.min = seq;
        if (seq > segment.max) segment.max = seq;
      }
      segment.lastSeq = entry.seq;
      segment.count += listed.length;
      if (segment.count >= this.window) this.closeSegment();
    }
    this.lastEntrySeq = entry.seq;
  }

  private closeSegment() {
    if (this.open) this.segments.push(this.open);
    this.open = undefined;
  }

  /** notes `seq` as listed; true if it already was */
  private mark(seq: number): boolean {
    if (!Number.isSafeInteger(seq) || seq < 0 || seq >= 2 ** 31) {
      if (this.odd.has(seq)) return true;
      this.odd.add(seq);
      this.count++;
      return false;
    }
    const byte = Math.floor(seq / 8);
    if (byte >= this.bits.length) {
      let size = this.bits.length * 2;
      while (size <= byte) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.bits);
      this.bits = grown;
    }
    const bit = 1 << (seq % 8);
    if (this.bits[byte]! & bit) return true;
    this.bits[byte]! |= bit;
    this.count++;
    if (seq > this.maxListed) this.maxListed = seq;
    return false;
  }

  private isMarked(seq: number): boolean {
    const byte = Math.floor(seq / 8);
    return byte < this.bits.length && (this.bits[byte]! & (1 << (seq % 8))) !== 0;
  }

  /** decisions listed (distinct seqs) */
  get size(): number {
    return this.count;
  }

  /** the first seq after the window of `window` listed seqs starting at `lo` */
  private windowEnd(lo: number): number {
    let seen = 0;
    let seq = Math.max(0, Math.ceil(lo));
    for (; seq <= this.maxListed; seq++) {
      if (this.isMarked(seq) && ++seen > this.window) return seq;
    }
    return Infinity;
  }

  /** re-reads the entries of every segment whose range meets [lo, hi) and calls `fn` per entry */
  private async *entriesMeeting(store: StoreReader, lo: number, hi: number): AsyncGenerator<AuditEntry> {
    const segments = this.open ? [...this.segments, this.open] : this.segments;
    for (const s of segments) {
      if (s.max < lo || s.min >= hi) continue;
      let after = s.afterSeq;
      for (;;) {
        const page = await store.auditPage(after, ENTRY_PAGE);
        for (const entry of page) {
          if (entry.seq > s.lastSeq) break;
          yield entry;
        }
        const last = page[page.length - 1];
        if (!last || last.seq >= s.lastSeq || page.length < ENTRY_PAGE) break;
        after = last.seq;
      }
    }
  }

  /** the listed decisions with seq in [lo, hi), or those the bitmap does not hold when `odd` */
  private async listedIn(
    store: StoreReader,
    lo: number,
    hi: number,
    odd = false,
  ): Promise<Map<number, Listed>> {
    const listed = new Map<number, Listed>();
    for await (const entry of this.entriesMeeting(store, lo, hi)) {
      for (const d of listedBy(entry)) {
        const inWindow = odd ? this.odd.has(d.seq) : d.seq >= lo && d.seq < hi;
        if (inWindow) listed.set(d.seq, { entry: entry.seq, key: d.key, v1: d.v1 });
      }
    }
    return listed;
  }

  async check(store: StoreReader, page = 5000): Promise<DecisionFinding | null> {
    this.closeSegment();
    if (this.duplicate) {
      const { seq, entry } = this.duplicate;
      // the first entry listing it (the bitmap only says that one did)
      let before = entry;
      for await (const e of this.entriesMeeting(store, seq, seq + 1)) {
        if (listedBy(e).some((d) => d.seq === seq)) {
          before = e.seq;
          break;
        }
      }
      return {
        kind: 'inserted',
        decisionSeq: seq,
        entrySeq: entry,
        message: `decision ${seq} is recorded twice in the trail (entries ${before} and ${entry})`,
      };
    }
    // Rows come in seq order, window by window of listed seqs: a listed seq passed over without its
    // row is gone; a row whose seq is not listed is extra. Seqs the bitmap cannot hold (none in a
    // store this code wrote) form one window of their own, first, as they would sort before the
    // others only if negative; they are compared in the same single ordered merge below.
    const rows = new RowCursor(store, page);
    let lo = -Infinity;
    let listed =
      this.odd.size > 0 ? await this.listedIn(store, -Infinity, Infinity, true) : new Map<number, Listed>();
    let hi = this.odd.size > 0 ? 0 : -Infinity;
    for (;;) {
      const seqs = [...listed.keys()].sort((a, b) => a - b);
      let next = 0;
      for (;;) {
        const row = await rows.peek();
        if (!row || !(row.seq < hi)) break;
        rows.take();
        if (next < seqs.length && seqs[next]! < row.seq) return this.removed(seqs[next]!, listed);
        const l = seqs[next] === row.seq ? listed.get(row.seq) : undefined;
        if (!l) {
          return {
            kind: 'inserted',
            decisionSeq: row.seq,
            message: `decision ${row.seq} (declaration ${row.declarationId} v${row.version}) is in the decisions table but in no audit entry: it was inserted`,
          };
        }
        if ((l.v1 ? v1Key(row) : rowKey(row)) !== l.key) {
          return {
            kind: 'edited',
            decisionSeq: row.seq,
            entrySeq: l.entry,
            message: `decision ${row.seq} (declaration ${row.declarationId} v${row.version}) was edited: its row no longer matches audit entry ${l.entry}`,
          };
        }
        next++;
      }
      if (next < seqs.length) return this.removed(seqs[next]!, listed);
      if (hi === Infinity) return null;
      lo = hi === -Infinity ? 0 : hi;
      hi = this.windowEnd(lo);
      listed = await this.listedIn(store, lo, hi);
    }
  }

  private removed(seq: number, listed: Map<number, Listed>): DecisionFinding {
    const entry = listed.get(seq)!.entry;
    return {
      kind: 'removed',
      decisionSeq: seq,
      entrySeq: entry,
      message: `decision ${seq}, recorded by audit entry ${entry}, is no longer in the decisions table: it was removed`,
    };
  }
}

/** The decision rows in seq order, a page at a time. */
class RowCursor {
  private rows: DecisionTrailRow[] = [];
  private at = 0;
  private afterSeq = 0;
  private done = false;

  constructor(
    private readonly store: StoreReader,
    private readonly page: number,
  ) {}

  async peek(): Promise<DecisionTrailRow | undefined> {
    while (this.at >= this.rows.length && !this.done) {
      this.rows = await this.store.decisionTrailPage(this.afterSeq, this.page);
      this.at = 0;
      if (this.rows.length < this.page) this.done = true;
      const last = this.rows[this.rows.length - 1];
      if (last) this.afterSeq = last.seq;
    }
    return this.rows[this.at];
  }

  take(): void {
    this.at++;
  }
}
