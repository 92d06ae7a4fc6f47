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

/**
 * Texts that repeat from row to row (most decisions share their reasons, regime version, as-of
 * date, context hash): the main thread sends each one once and then its number in a table both
 * threads build in the same order, so a chunk copies each such text once instead of once per row.
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
] as const;
const WIDTH = SHARED_TEXTS.length;

const OUTCOMES = ['CLEAR', 'HOLD', 'REFUSE'] as const;

/**
 * A chunk as it crosses the threads: one array per column instead of an object per row (the
 * structured clone of a row object writes every key name and rebuilds the object key by key on the
 * other side; arrays of strings and typed arrays copy as they are). Rows with party hits, approval
 * verdicts or a declaration kept for the approval re-check travel as `extras`.
 */
export interface WireChunk {
  ids: string[];
  bodies: string[];
  hashes: string[];
  /** per row, WIDTH numbers: each shared text's number in the table (row-major) */
  codes: Int32Array;
  /** the texts new to the table, in the order the codes first name them */
  fresh: string[];
  /** index into OUTCOMES */
  decisions: Uint8Array;
  /** null when no row has an exception */
  exceptions: (string | null)[] | null;
  partyMatch: Uint8Array;
  extras: {
    row: number;
    partyHits: DecisionRecord['partyHits'];
    verdicts: ApprovalVerdict[];
    declaration?: Declaration;
  }[];
  context: RecordContext;
  batch: BatchRecord | null;
  /** both threads start their table of shared texts afresh before this chunk */
  resetTexts: boolean;
}

/** The main thread's side: a chunk in columns; past `limit` distinct texts both tables start afresh. */
export function encodeChunk(payload: ChunkPayload, table: Map<string, number>, limit: number): WireChunk {
  const rows = payload.screened;
  const n = rows.length;
  const resetTexts = table.size > limit;
  if (resetTexts) table.clear();
  const ids: string[] = new Array(n);
  const bodies: string[] = new Array(n);
  const hashes: string[] = new Array(n);
  const codes = new Int32Array(n * WIDTH);
  const fresh: string[] = [];
  const decisions = new Uint8Array(n);
  const partyMatch = new Uint8Array(n);
  let exceptions: (string | null)[] | null = null;
  const extras: WireChunk['extras'] = [];
  const share = (text: string, at: number) => {
    let known = table.get(text);
    if (known === undefined) {
      known = table.size;
      table.set(text, known);
      fresh.push(text);
    }
    codes[at] = known;
  };
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    const r = row.record;
    ids[i] = row.id;
    bodies[i] = row.body;
    hashes[i] = row.hash;
    const at = i * WIDTH;
    share(r.reasons, at);
    share(r.missingDocuments, at + 1);
    share(r.missingApprovals, at + 2);
    share(r.conditions, at + 3);
    share(r.lists, at + 4);
    share(r.regimeVersion, at + 5);
    share(r.jurisdiction, at + 6);
    share(r.asOf, at + 7);
    share(row.contextHash, at + 8);
    decisions[i] = OUTCOMES.indexOf(r.decision);
    if (r.exception !== null) {
      exceptions ??= new Array(n).fill(null);
      exceptions[i] = r.exception;
    }
    partyMatch[i] = row.partyMatch ? 1 : 0;
    if (r.partyHits.length || row.verdicts.length || row.declaration)
      extras.push({ row: i, partyHits: r.partyHits, verdicts: row.verdicts, declaration: row.declaration });
  }
  if (exceptions) for (let i = 0; i < n; i++) exceptions[i] ??= null;
  return {
    ids,
    bodies,
    hashes,
    codes,
    fresh,
    decisions,
    exceptions,
    partyMatch,
    extras,
    context: payload.context,
    batch: payload.batch,
    resetTexts,
  };
}

const NO_HITS: DecisionRecord['partyHits'] = [];
const NO_VERDICTS: ApprovalVerdict[] = [];

/** The writer's side: the rows back, their shared texts taken from (and added to) `table`. */
export function decodeChunk(wire: WireChunk, table: string[]): ChunkPayload {
  if (wire.resetTexts) table.length = 0;
  const { ids, bodies, hashes, codes, fresh, decisions, exceptions, partyMatch } = wire;
  let next = 0;
  const text = (code: number) => {
    if (code >= table.length) table.push(fresh[next++]!);
    return table[code]!;
  };
  const screened: PreparedScreening[] = new Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const at = i * WIDTH;
    const reasons = text(codes[at]!);
    const missingDocuments = text(codes[at + 1]!);
    const missingApprovals = text(codes[at + 2]!);
    const conditions = text(codes[at + 3]!);
    const lists = text(codes[at + 4]!);
    const regimeVersion = text(codes[at + 5]!);
    const jurisdiction = text(codes[at + 6]!);
    const asOf = text(codes[at + 7]!);
    const contextHash = text(codes[at + 8]!);
    screened[i] = {
      id: ids[i]!,
      body: bodies[i]!,
      hash: hashes[i]!,
      contextHash,
      record: {
        decision: OUTCOMES[decisions[i]!]!,
        reasons,
        missingDocuments,
        missingApprovals,
        exception: exceptions ? exceptions[i]! : null,
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
  }
  for (const extra of wire.extras) {
    const row = screened[extra.row]!;
    row.record.partyHits = extra.partyHits;
    row.verdicts = extra.verdicts;
    row.declaration = extra.declaration;
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
