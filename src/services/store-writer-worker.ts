/**
 * The writer thread of a pipelined screening batch (src/services/pipelined-recorder.ts): owns its
 * own connection to the store and writes the chunks the main thread has screened, one transaction
 * per chunk and strictly in the order they arrive, while the main thread screens the next chunk.
 *
 * Inside each transaction it first re-checks every approval verdict the chunk was screened under
 * (another writer may have changed a chain or drawn on it since); a difference rolls the chunk
 * back and stops the writer, as does any error: nothing after a failed chunk is ever written, so
 * the batch's progress record never skips a chunk and a re-run resumes exactly where it stopped.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/open-store.js';
import type { BatchRecord } from '../store/port.js';
import {
  type PreparedScreening,
  type RecordContext,
  recheckApprovals,
  StaleApprovalsError,
  storeScreened,
} from './screening-service.js';

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
}

/**
 * `part` rows are kept until a `chunk` arrives; the chunk's transaction writes them all, in order,
 * with its own rows (the main thread posts each reader batch as soon as it is screened, so its
 * objects die young there, and marks the one that closes a transaction).
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

const port = parentPort!;
const setup = workerData as WriterSetup;

let failure: { message: string; code?: string; stale?: string } | undefined;
let queue: Promise<void> = Promise.resolve();
let parts: PreparedScreening[] = [];

try {
  const store = await openStore(setup.target);
  port.on('message', (request: WriterRequest) => {
    if (request.type === 'part') {
      if (!failure) for (const s of request.payload.screened) parts.push(s);
      return;
    }
    const gathered = parts;
    parts = [];
    queue = queue.then(async () => {
      if (request.type === 'close') {
        await store.close();
        port.postMessage({ type: 'closed' } satisfies WriterReply);
        port.close();
        return;
      }
      if (failure) {
        port.postMessage({ type: 'failed', seq: request.seq, ...failure } satisfies WriterReply);
        return;
      }
      try {
        const chunk = request.payload;
        const screened = gathered.length ? [...gathered, ...chunk.screened] : chunk.screened;
        const created = await store.write(async (tx) => {
          // a chunk lost to a server crash is written again by the re-run (ST9)
          await tx.deferFlush();
          await recheckApprovals(tx, screened);
          const out = await storeScreened(tx, screened, chunk.context);
          if (chunk.batch) await tx.putBatch({ ...chunk.batch, updatedAt: tx.now() });
          let n = 0;
          for (const r of out) if (r.created) n++;
          return n;
        });
        port.postMessage({ type: 'done', seq: request.seq, created } satisfies WriterReply);
      } catch (error) {
        failure = {
          message: (error as Error).message,
          code: (error as { code?: unknown }).code as string | undefined,
          stale: error instanceof StaleApprovalsError ? error.declarationId : undefined,
        };
        port.postMessage({ type: 'failed', seq: request.seq, ...failure } satisfies WriterReply);
      }
    });
  });
  port.postMessage({ type: 'ready' } satisfies WriterReply);
} catch (error) {
  port.postMessage({
    type: 'failed',
    seq: -1,
    message: (error as Error).message,
    code: (error as { code?: unknown }).code as string | undefined,
  } satisfies WriterReply);
}
