/**
 * The main thread's side of the pipelined store writer (docs/decisions.md ST8): a worker thread
 * that owns its own connection to the store and commits screened chunks in order while this thread
 * screens the next one, so screening and writing run on two cores (for PostgreSQL, the writer's
 * client work moves off the screening thread too).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EmbargoError, ERROR_CODES, type ErrorCode } from '../core/errors.js';
import {
  type ChunkPayload,
  encodeShared,
  type WriterReply,
  type WriterRequest,
  type WriterSetup,
} from './store-writer-protocol.js';

/** Distinct shared texts both threads keep at most (then both start afresh). */
const SHARED_TEXT_LIMIT = 4_096;

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * From the TypeScript sources the worker is bundled into one ES module (esbuild, cached by content
 * under node_modules/.cache/embargo), as the parallel screening workers are: a worker does not
 * inherit the main thread's tsx hooks. A built copy starts its .js directly.
 */
async function workerModule(): Promise<URL> {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new URL('./store-writer-worker.js', self);
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: [fileURLToPath(new URL('./store-writer-worker.ts', self))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.contents;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const dir = join(PROJECT_ROOT, 'node_modules', '.cache', 'embargo');
  const file = join(dir, `store-writer-${hash}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, code);
    renameSync(temp, file);
  }
  return pathToFileURL(file);
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

  private encode(payload: ChunkPayload): ChunkPayload {
    return encodeShared(payload, this.texts, SHARED_TEXT_LIMIT);
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
    const worker = new Worker(await workerModule(), {
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
  part(rows: ChunkPayload): void {
    if (!this.failed)
      this.worker.postMessage({ type: 'part', payload: this.encode(rows) } satisfies WriterRequest);
  }

  /**
   * Queues one transaction: the rows sent by `part` since the last chunk, then these. Resolves with
   * the number of decisions it created once it is committed.
   */
  submit(chunk: ChunkPayload): Promise<number> {
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
