import { Worker } from 'node:worker_threads';
import { EmbargoError, ERROR_CODES, type ErrorCode } from '../core/errors.js';
import { workerModule } from '../worker-module.js';
import {
  type ChunkInput,
  encodeChunk,
  type WireChunk,
  type WriterReply,
  type WriterRequest,
  type WriterSetup,
} from './store-writer-protocol.js';

/** Distinct shared texts both threads keep at most (then both start afresh). */
const SHARED_TEXT_LIMIT = 4_096;

/** The writer's module, bundled from the sources like every worker's (src/worker-module.ts). */
function storeWriterModule(): Promise<URL> {
  return workerModule(import.meta.url, './store-writer-worker', 'store-writer');
}

function toError(reply: { message: string; code?: string; stale?: string }): Error {
  if (reply.stale !== undefined) {
    return new EmbargoError(
      'EMB_STORE_CONFLICT',
      `another writer changed the approvals declaration ${reply.stale} cites while this batch screened it; ` +
        'nothing from that chunk on was stored: run the same command again to finish the batch',
      { declaration: reply.stale },
    );
  }
  if (reply.code && reply.code in ERROR_CODES)
    return new EmbargoError(reply.code as ErrorCode, reply.message);
  return new Error(`store writer: ${reply.message}`);
}

export class StoreWriterThread {
  private readonly pending = new Map<
    number,
    { resolve(created: number): void; reject(error: Error): void }
  >();
  private nextSeq = 0;
  private failed: Error | undefined;
  private closed: Promise<void> | undefined;

  private exited = false;
  /** the main thread's side of the shared-text table (see SHARED_TEXTS): text → number */
  private readonly texts = new Map<string, number>();

  private encode(payload: ChunkInput): WireChunk {
    return encodeChunk(payload, this.texts, SHARED_TEXT_LIMIT);
  }

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: WriterReply) => {
      if (reply.type === 'done') {
        this.pending.get(reply.seq)?.resolve(reply.created);
        this.pending.delete(reply.seq);
      } else if (reply.type === 'failed') {
        const error = toError(reply);
        this.failed ??= error;
        this.pending.get(reply.seq)?.reject(error);
        this.pending.delete(reply.seq);
      }
      this.idle();
    });
    const stop = (error: Error) => {
      this.failed ??= error;
      for (const p of this.pending.values()) p.reject(this.failed);
      this.pending.clear();
    };
    worker.on('error', stop);
    worker.on('exit', () => {
      this.exited = true;
      stop(new Error('the store writer thread stopped'));
    });
    // The thread keeps the process alive only while a chunk awaits its commit: a command that fails
    // part-way (and never calls close) still exits; rows it sent ahead are rolled back with it.
    worker.unref();
  }

  private idle(): void {
    if (this.pending.size === 0 && !this.closed) this.worker.unref();
  }

  /** Starts the thread and waits until it has opened the store. */
  static async start(target: string): Promise<StoreWriterThread> {
    const worker = new Worker(await storeWriterModule(), {
      workerData: { target } satisfies WriterSetup,
      // a larger young generation than V8's default: the rows of a chunk mostly die young, and
      // fewer scavenges cut the writer's GC time (~5 % of CPU per row measured; +≤ 48 MB)
      resourceLimits: { maxYoungGenerationSizeMb: 48 },
    });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (reply: WriterReply) => {
        worker.off('message', onMessage);
        worker.off('error', reject);
        if (reply.type === 'ready') resolve();
        else if (reply.type === 'failed') reject(toError(reply));
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    }).catch(async (error) => {
      await worker.terminate();
      throw error;
    });
    return new StoreWriterThread(worker);
  }

  /** Sends rows ahead of the chunk that will write them (see WriterRequest). */
  part(rows: ChunkInput): void {
    if (!this.failed)
      this.worker.postMessage({ type: 'part', payload: this.encode(rows) } satisfies WriterRequest);
  }

  /**
   * Queues one transaction: the rows sent by `part` since the last chunk, then these. Resolves with
   * the number of decisions it created once it is committed.
   */
  submit(chunk: ChunkInput): Promise<number> {
    if (this.failed) return Promise.reject(this.failed);
    const seq = this.nextSeq++;
    const done = new Promise<number>((resolve, reject) => this.pending.set(seq, { resolve, reject }));
    this.worker.ref();
    this.worker.postMessage({ type: 'chunk', seq, payload: this.encode(chunk) } satisfies WriterRequest);
    return done;
  }

  /** Lets the thread finish what it was given, close its connection and exit. */
  close(): Promise<void> {
    if (this.exited) return Promise.resolve();
    this.worker.ref();
    this.closed ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => void this.worker.terminate().then(() => resolve()), 30_000);
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.worker.postMessage({ type: 'close' } satisfies WriterRequest);
    });
    return this.closed;
  }
}
