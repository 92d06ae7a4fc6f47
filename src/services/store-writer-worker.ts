/**
 * The writer thread of a pipelined screening batch (src/services/store-writer.ts): owns its
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
import { recheckApprovals, StaleApprovalsError, storeScreened } from './screening-service.js';
import {
  decodeChunk,
  type WriterReply,
  type WriterRequest,
  type WriterSetup,
} from './store-writer-protocol.js';

const port = parentPort!;
const setup = workerData as WriterSetup;

/** messages in arrival order, taken one at a time by the loop below */
const inbox: WriterRequest[] = [];
let wake: (() => void) | undefined;
port.on('message', (request: WriterRequest) => {
  inbox.push(request);
  wake?.();
});
async function next(): Promise<WriterRequest> {
  while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
  wake = undefined;
  return inbox.shift()!;
}

const describe = (error: unknown) => ({
  message: (error as Error).message,
  code: (error as { code?: unknown }).code as string | undefined,
  stale: error instanceof StaleApprovalsError ? error.declarationId : undefined,
});

let store: Awaited<ReturnType<typeof openStore>>;
try {
  store = await openStore(setup.target);
  port.postMessage({ type: 'ready' } satisfies WriterReply);
} catch (error) {
  port.postMessage({ type: 'failed', seq: -1, ...describe(error) } satisfies WriterReply);
  process.exit(1);
}

let failure: { message: string; code?: string; stale?: string } | undefined;
let closing = false;
const texts: string[] = [];
for (;;) {
  const first = await next();
  if (first.type === 'close') break;
  if (failure) {
    // nothing after a failed chunk is written; each chunk still gets its answer
    if (first.type === 'chunk')
      port.postMessage({ type: 'failed', seq: first.seq, ...failure } satisfies WriterReply);
    continue;
  }
  // One transaction per chunk: its parts are written as they arrive (their objects die young),
  // and the chunk's own message, which carries the batch's progress, commits it.
  let seq: number | undefined;
  try {
    const created = await store.write(async (tx) => {
      // a chunk lost to a server crash is written again by the re-run (ST9)
      await tx.deferFlush();
      let n = 0;
      for (let request: WriterRequest = first; ; request = await next()) {
        if (request.type === 'close') {
          closing = true; // the main thread gave up on this chunk: roll it back and stop
          throw new Error('the writer was closed in the middle of a chunk');
        }
        if (request.type === 'chunk') seq = request.seq;
        const { screened, context, batch } = decodeChunk(request.payload, texts);
        await recheckApprovals(tx, screened);
        for (const r of await storeScreened(tx, screened, context)) if (r.created) n++;
        if (request.type === 'chunk') {
          if (batch) await tx.putBatch({ ...batch, updatedAt: tx.now() });
          return n;
        }
      }
    });
    port.postMessage({ type: 'done', seq: seq!, created } satisfies WriterReply);
  } catch (error) {
    failure = describe(error);
    if (seq !== undefined) port.postMessage({ type: 'failed', seq, ...failure } satisfies WriterReply);
    // else the chunk's message is still to come: the loop above answers it
    if (closing) break;
  }
}
await store.close();
port.postMessage({ type: 'closed' } satisfies WriterReply);
port.close();
