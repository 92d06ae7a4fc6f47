/**
 * What the screening thread and the store writer thread (store-writer.ts, store-writer-worker.ts)
 * send each other. Kept apart from the worker module, whose top level runs only in the worker.
 */
import type { ApprovalVerdict } from '../core/approvals/approval-verifier.js';
import type { Declaration } from '../core/screening/declaration.js';
import type { BatchRecord, DecisionRecord } from '../store/port.js';
import type { PreparedScreening, RecordContext } from './screening-service.js';

export interface WriterSetup {
  /** SQLite path or PostgreSQL URL, as resolved by the main thread */
  target: string;
}

/** One chunk, prepared on the screening thread; it crosses to the writer as a WireChunk. */
export interface ChunkPayload {
  screened: PreparedScreening[];
  context: RecordContext;
  /** the batch's progress as of the end of this chunk (written in the same transaction) */
  batch: BatchRecord | null;
}

/** Rows given to the encoder one at a time: `row(i)` may fill and return the same object each time. */
export interface PreparedRows {
  readonly length: number;
  row(i: number): PreparedScreening;
}

/** What the main thread encodes: a chunk, its rows in an array or given one at a time. */
export type ChunkInput = Omit<ChunkPayload, 'screened'> & {
  screened: readonly PreparedScreening[] | PreparedRows;
};

/**
 * Texts that repeat from row to row (most decisions share their reasons, regime version, as-of
 * date, context hash, exception): the main thread sends each one once and then its number in a
 * table both threads build in the same order, so a chunk copies each such text once instead of once
 * per row. An exception that is null travels as -1.
 */
export const SHARED_TEXTS = [
  'reasons',
  'missingDocuments',
  'missingApprovals',
  'conditions',
  'lists',
  'regimeVersion',
  'jurisdiction',
  'asOf',
  'contextHash',
  'exception',
] as const;
const WIDTH = SHARED_TEXTS.length;

const OUTCOMES = ['CLEAR', 'HOLD', 'REFUSE'] as const;

/**
 * A chunk as it crosses the threads: columns instead of an object per row (the structured clone of
 * a row object writes every key name and rebuilds the object key by key on the other side), and
 * the rows' own texts (id, body, content hash) in one string instead of three per row, which the
 * writer cuts into slices (docs/decisions.md ST16). Rows with party hits or approval verdicts travel
 * as `extras`; the declaration of a row that cites approvals (for the writer's re-check) is read
 * back from its body, which is its canonical JSON, instead of being cloned.
 */
export interface WireChunk {
  /** per row, its id, body and content hash, one after the other */
  texts: string;
  /** per row, where its id, its body and its hash end in `texts` */
  ends: Int32Array;
  /** per row, WIDTH numbers: each shared text's number in the table (row-major) */
  codes: Int32Array;
  /** the texts new to the table, in the order the codes first name them */
  fresh: string[];
  /** index into OUTCOMES */
  decisions: Uint8Array;
  partyMatch: Uint8Array;
  extras: {
    row: number;
    partyHits: DecisionRecord['partyHits'];
    verdicts: readonly ApprovalVerdict[];
    /** the writer re-checks this row's approvals: it needs its declaration (JSON.parse of the body) */
    declared: boolean;
  }[];
  context: RecordContext;
  batch: BatchRecord | null;
  /** both threads start their table of shared texts afresh before this chunk */
  resetTexts: boolean;
}

/** The main thread's side: a chunk in columns; past `limit` distinct texts both tables start afresh. */
export function encodeChunk(payload: ChunkInput, table: Map<string, number>, limit: number): WireChunk {
  const rows = payload.screened;
  const given = isRows(rows) ? rows : undefined;
  const n = rows.length;
  const resetTexts = table.size > limit;
  if (resetTexts) table.clear();
  let texts = '';
  const ends = new Int32Array(n * 3);
  const codes = new Int32Array(n * WIDTH);
  const fresh: string[] = [];
  const decisions = new Uint8Array(n);
  const partyMatch = new Uint8Array(n);
  const extras: WireChunk['extras'] = [];
  // the text each column had in the row before, and its number: most rows repeat it (the same
  // string, compared by reference), so most codes are found without a look-up in the table
  const last: (string | null)[] = new Array(WIDTH).fill(null);
  const lastCode = new Int32Array(WIDTH);
  const share = (text: string | null, column: number, at: number) => {
    let code: number;
    if (text === null) code = -1;
    else if (text === last[column]) code = lastCode[column]!;
    else {
      let known = table.get(text);
      if (known === undefined) {
        known = table.size;
        table.set(text, known);
        fresh.push(text);
      }
      code = known;
    }
    last[column] = text;
    lastCode[column] = code;
    codes[at + column] = code;
  };
  for (let i = 0; i < n; i++) {
    // read before the next row is asked for (which may refill the same object)
    const row = given ? given.row(i) : (rows as readonly PreparedScreening[])[i]!;
    const r = row.record;
    texts += row.id;
    ends[i * 3] = texts.length;
    texts += row.body;
    ends[i * 3 + 1] = texts.length;
    texts += row.hash;
    ends[i * 3 + 2] = texts.length;
    const at = i * WIDTH;
    share(r.reasons, 0, at);
    share(r.missingDocuments, 1, at);
    share(r.missingApprovals, 2, at);
    share(r.conditions, 3, at);
    share(r.lists, 4, at);
    share(r.regimeVersion, 5, at);
    share(r.jurisdiction, 6, at);
    share(r.asOf, 7, at);
    share(row.contextHash, 8, at);
    share(r.exception, 9, at);
    decisions[i] = OUTCOMES.indexOf(r.decision);
    partyMatch[i] = row.partyMatch ? 1 : 0;
    if (r.partyHits.length || row.verdicts.length || row.declaration)
      extras.push({
        row: i,
        partyHits: r.partyHits,
        verdicts: row.verdicts,
        declared: row.declaration !== undefined,
      });
  }
  return {
    texts,
    ends,
    codes,
    fresh,
    decisions,
    partyMatch,
    extras,
    context: payload.context,
    batch: payload.batch,
    resetTexts,
  };
}

const isRows = (rows: ChunkInput['screened']): rows is PreparedRows => !Array.isArray(rows);

const NO_HITS: DecisionRecord['partyHits'] = [];
const NO_VERDICTS: readonly ApprovalVerdict[] = Object.freeze([]);

/** The writer's side: the rows back, their shared texts taken from (and added to) `table`. */
export function decodeChunk(wire: WireChunk, table: string[]): ChunkPayload {
  if (wire.resetTexts) table.length = 0;
  const { texts, ends, codes, fresh, decisions, partyMatch } = wire;
  let next = 0;
  const text = (code: number) => {
    if (code >= table.length) table.push(fresh[next++]!);
    return table[code]!;
  };
  const n = decisions.length;
  const screened: PreparedScreening[] = new Array(n);
  let start = 0;
  for (let i = 0; i < n; i++) {
    const at = i * WIDTH;
    const idEnd = ends[i * 3]!;
    const bodyEnd = ends[i * 3 + 1]!;
    const hashEnd = ends[i * 3 + 2]!;
    const reasons = text(codes[at]!);
    const missingDocuments = text(codes[at + 1]!);
    const missingApprovals = text(codes[at + 2]!);
    const conditions = text(codes[at + 3]!);
    const lists = text(codes[at + 4]!);
    const regimeVersion = text(codes[at + 5]!);
    const jurisdiction = text(codes[at + 6]!);
    const asOf = text(codes[at + 7]!);
    const contextHash = text(codes[at + 8]!);
    const exception = codes[at + 9] === -1 ? null : text(codes[at + 9]!);
    screened[i] = {
      id: texts.slice(start, idEnd),
      body: texts.slice(idEnd, bodyEnd),
      hash: texts.slice(bodyEnd, hashEnd),
      contextHash,
      record: {
        decision: OUTCOMES[decisions[i]!]!,
        reasons,
        missingDocuments,
        missingApprovals,
        exception,
        conditions,
        asOf,
        jurisdiction,
        regimeVersion,
        lists,
        partyHits: NO_HITS,
      },
      partyMatch: partyMatch[i] === 1,
      verdicts: NO_VERDICTS,
      declaration: undefined,
    };
    start = hashEnd;
  }
  for (const extra of wire.extras) {
    const row = screened[extra.row]!;
    row.record.partyHits = extra.partyHits;
    row.verdicts = extra.verdicts;
    if (extra.declared) row.declaration = JSON.parse(row.body) as Declaration;
  }
  return { screened, context: wire.context, batch: wire.batch };
}

/**
 * The main thread posts each reader batch as soon as it is screened: `part`s open (or continue) a
 * transaction and are written as they arrive, and the `chunk` that follows them is written too
 * and commits it, with the batch's progress. So objects die young on both threads, and writing
 * starts with the first part.
 */
export type WriterRequest =
  | { type: 'part'; payload: WireChunk }
  | { type: 'chunk'; seq: number; payload: WireChunk }
  | { type: 'close' };

export type WriterReply =
  | { type: 'ready' }
  | { type: 'done'; seq: number; created: number }
  | { type: 'failed'; seq: number; message: string; code?: string; stale?: string }
  | { type: 'closed' };
