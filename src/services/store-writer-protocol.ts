/**
 * What the screening thread and the store writer thread (store-writer.ts, store-writer-worker.ts)
 * send each other. Kept apart from the worker module, whose top level runs only in the worker.
 */
import type { BatchRecord } from '../store/port.js';
import type { PreparedScreening, RecordContext } from './screening-service.js';

export interface WriterSetup {
  /** SQLite path or PostgreSQL URL, as resolved by the main thread */
  target: string;
}

/** One chunk, prepared on the screening thread (mostly strings, cheap to copy across). */
export interface ChunkPayload {
  screened: PreparedScreening[];
  context: RecordContext;
  /** the batch's progress as of the end of this chunk (written in the same transaction) */
  batch: BatchRecord | null;
  /** set by the transport when both threads start their table of shared texts afresh */
  resetTexts?: boolean;
}

/**
 * Texts that repeat from row to row (most decisions share their reasons, regime version, as-of
 * date, context hash): the main thread sends each one once and then its number in a table both
 * threads build in the same order (a string is a new entry, a number refers to one), so a chunk
 * copies each such text once instead of once per row.
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
] as const;

/**
 * The main thread's side: replaces each shared text already sent by its number, in place, in the
 * order `decodeShared` reads them back; past `limit` distinct texts both tables start afresh.
 */
export function encodeShared(payload: ChunkPayload, table: Map<string, number>, limit: number): ChunkPayload {
  if (table.size > limit) {
    table.clear();
    payload.resetTexts = true;
  }
  const share = (text: string): string | number => {
    const known = table.get(text);
    if (known !== undefined) return known;
    table.set(text, table.size);
    return text;
  };
  for (const row of payload.screened) {
    const record = row.record as unknown as Record<string, string | number>;
    for (const field of SHARED_TEXTS) record[field] = share(record[field] as string);
    (row as { contextHash: string | number }).contextHash = share(row.contextHash);
  }
  return payload;
}

/** The worker's side of the shared-text table: puts the texts back in place, in arrival order. */
export function decodeShared(payload: ChunkPayload, table: string[]): void {
  if (payload.resetTexts) table.length = 0;
  for (const row of payload.screened) {
    const record = row.record as unknown as Record<string, string | number>;
    for (const field of SHARED_TEXTS) {
      const value = record[field]!;
      if (typeof value === 'number') record[field] = table[value]!;
      else table.push(value);
    }
    const context = row.contextHash as string | number;
    if (typeof context === 'number') row.contextHash = table[context]!;
    else table.push(context);
  }
}

/**
 * The main thread posts each reader batch as soon as it is screened: `part`s open (or continue) a
 * transaction and are written as they arrive, and the `chunk` that follows them is written too
 * and commits it, with the batch's progress. So objects die young on both threads, and writing
 * starts with the first part.
 */
export type WriterRequest =
  | { type: 'part'; payload: ChunkPayload }
  | { type: 'chunk'; seq: number; payload: ChunkPayload }
  | { type: 'close' };

export type WriterReply =
  | { type: 'ready' }
  | { type: 'done'; seq: number; created: number }
  | { type: 'failed'; seq: number; message: string; code?: string; stale?: string }
  | { type: 'closed' };
