/**
 * The parallel path of trade file reading (docs/decisions.md T9): a large CSV file is read by the
 * main thread in chunks cut after a line feed (fileChunks, the same chunks and the same encoding
 * decisions as the single-thread reader), worker threads decode and read the chunks, and the main
 * thread puts what they yield together in file order. The result is that of the single-thread
 * reader: the same observations in the same order, the same row errors with the same line numbers,
 * the same totals.
 * - Header: the main thread reads the first chunk itself; workers get the header it found.
 * - Record boundaries: a chunk cut after a line feed starts on a record unless a quoted field
 *   spans the cut. A worker's chunk is used only when everything before it ended exactly on a
 *   record boundary (the chunk before left no unfinished record); otherwise the main thread reads
 *   the chunk again after the unfinished record, as the single-thread reader would.
 * - Line numbers: a worker counts from line 1; the main thread shifts each row error by the lines
 *   of the chunks before.
 * - Small files (under 16 MiB), YAML and UTF-16 files take the single-thread path.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EmbargoError } from '../../core/errors.js';
import {
  addToTotals,
  addValueToTotals,
  type MonthlyTotals,
  mergeTotals,
} from '../../core/trade/monthly-totals.js';
import { workerModule } from '../../worker-module.js';
import { type ByteEncoding, decodeChunk } from './chunk-decoder.js';
import type { TallySink } from './comtrade-parser.js';
import type { Encoding } from './csv-reader.js';
import {
  type ChunkEvent,
  type ChunkJob,
  type ChunkMode,
  type ChunkResult,
  readChunk,
} from './trade-chunk.js';
import { TradeCsvParser } from './trade-csv-parser.js';
import {
  CHUNK,
  fileChunks,
  isYaml,
  mixedEncodingError,
  streamTradeFile,
  type TradeFormat,
  type TradeReadOptions,
} from './trade-file-reader.js';
import { collectingSink, type RowSink, type TradeParseResult } from './trade-parse-result.js';
import { anyFormatRowReader } from './trade-row-readers.js';

/** Files smaller than this are read on the main thread: starting workers costs more than it saves. */
export const PARALLEL_MIN_BYTES = 16 << 20;

export interface ParallelReadOptions extends TradeReadOptions {
  /** worker threads; 0 = the single-thread path (default: EMBARGO_TRADE_WORKERS, else one per core) */
  workers?: number;
  /** smallest file read in parallel (tests lower it) */
  minBytes?: number;
  /**
   * Wait for the workers to start instead of reading chunks on the main thread meanwhile (tests
   * use it so that the workers read even a small file).
   */
  waitForWorkers?: boolean;
  /** in `totals` mode, add up only observations with this partner (ISO alpha-2) */
  partner?: string;
  /** the module the workers run (tests give one that fails; default: the trade worker's bundle) */
  workerModule?: URL;
}

/**
 * Worker threads from EMBARGO_TRADE_WORKERS (0 turns the parallel path off). By default one per
 * core but one, since the main thread reads chunks too whenever the workers have enough queued (a
 * third isolate on two cores would only add its start-up and JIT warm-up); and none when the
 * machine is already busy (1-minute load average at or above the number of cores): measured on
 * the 2-core reference machine, the parallel path is faster only with a core to spare, and slower
 * than the single thread on a loaded machine (docs/decisions.md T9).
 */
export function tradeWorkers(
  env: NodeJS.ProcessEnv = process.env,
  machine: { cores: number; load: number } = { cores: availableParallelism(), load: loadavg()[0] ?? 0 },
): number {
  const w = env.EMBARGO_TRADE_WORKERS;
  if (w === undefined || w === '') return machine.load >= machine.cores ? 0 : Math.max(0, machine.cores - 1);
  const n = Number(w);
  if (!Number.isInteger(n) || n < 0 || n > 16)
    throw new EmbargoError('EMB_USAGE', `EMBARGO_TRADE_WORKERS must be an integer 0–16, not '${w}'`);
  return n;
}

/**
 * EMBARGO_TRADE_WORKERS_WAIT=1: the main thread waits for the workers to start instead of reading
 * chunks itself meanwhile, so even a file of a few chunks is read by the workers (a diagnostic; the
 * CLI test uses it to check the workers run from the CLI's own bundle).
 */
export function tradeWorkersWait(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.EMBARGO_TRADE_WORKERS_WAIT === '1';
}

export interface ParallelReadResult {
  format: string;
  encoding: Encoding;
  /** observations read (in `totals` mode they are added up, not kept) */
  observations: number;
  /** worker threads used (0: read on the main thread) */
  workers: number;
  /** chunks read by workers, on the main thread, and read again after a cut inside a record */
  chunks: { workers: number; main: number; again: number };
  /** why the workers could not read (the main thread then read every chunk): for a warning */
  workerFailure?: string;
}

interface Pending {
  seq: number;
  offset: number;
  length: number;
  encoding: ByteEncoding;
  final: boolean;
  mixedAt: number | undefined;
  /** read by a worker (else by the main thread alongside them) */
  byWorker: boolean;
  done: boolean;
  result: Promise<ChunkResult | undefined>;
}

/**
 * Reads a trade file like streamTradeFile, with worker threads for large CSV files. In `items`
 * mode every observation goes to `sink.item`; in `totals` mode observations are added into
 * `totals` instead (monthly US$ values by commodity, flow and month) and only counted. Row errors,
 * skips and fatal problems go to `sink` in file order either way.
 */
export async function streamTradeFileParallel(
  path: string,
  sink: RowSink,
  options: ParallelReadOptions = {},
  mode: ChunkMode = 'items',
  totals: MonthlyTotals = new Map(),
): Promise<ParallelReadResult> {
  const file = basename(path);
  let observations = 0;
  const local: TallySink = {
    // totals mode: the Comtrade reader reports the parts the totals need, not observations (T13)
    tally:
      mode === 'totals'
        ? (partner, flow, commodity, periodKey, value, n) => {
            observations += n;
            if (options.partner === undefined || partner === options.partner) {
              addValueToTotals(totals, commodity, periodKey, flow, value);
            }
          }
        : undefined,
    item:
      mode === 'totals'
        ? (o) => {
            observations++;
            if (options.partner === undefined || o.partner === options.partner) addToTotals(totals, o);
          }
        : (o) => {
            observations++;
            sink.item(o);
          },
    error: (e) => sink.error(e),
    skip: () => sink.skip(),
    fatal: (reason) => sink.fatal(reason),
  };
  const workers = Math.min(options.workers ?? tradeWorkers(), 16);
  if (workers < 1 || isYaml(path) || fileSize(path) < (options.minBytes ?? PARALLEL_MIN_BYTES)) {
    const r = streamTradeFile(path, local, options);
    return { ...r, observations, workers: 0, chunks: { workers: 0, main: 0, again: 0 } };
  }
  const parser = new TradeCsvParser(file, options, local, anyFormatRowReader);
  // EMBARGO_TRADE_TRACE=1: when the workers started, when the file was read and the last chunk
  // merged, and how long the main thread waited for the workers' chunks in all (a diagnostic, on
  // stderr)
  const t0 = performance.now();
  let waited = 0;
  const trace: string[] = [];
  const mark =
    process.env.EMBARGO_TRADE_TRACE === '1'
      ? (what: string) => trace.push(`${what} ${(performance.now() - t0).toFixed(0)} ms`)
      : () => {};
  // bundling the worker's module (from the TypeScript sources, or the cached bundle) starts now
  const module = options.workerModule
    ? Promise.resolve(options.workerModule)
    : workerModule(import.meta.url, './trade-worker', 'trade-worker');
  module.catch(() => {});
  // the workers start now, while the main thread reads the header (they need only their module);
  // if the file turns out not to be Comtrade, they are closed unused
  let pool: ChunkPool | undefined = new ChunkPool(workers, module);
  pool.started.then(() => mark('workers started (seen by the main thread)'));
  const chunkCounts = { workers: 0, main: 0, again: 0 };
  const pending: Pending[] = [];
  /** buffers the workers sent back, for the next chunks' copies */
  const spare: ArrayBuffer[] = [];
  let rereadFd: number | undefined;
  const emit = (event: ChunkEvent, lineShift: number) => {
    if (event.kind === 'skip') sink.skip();
    else if (event.kind === 'fatal') sink.fatal(event.message ?? '');
    else {
      const details =
        event.details?.line === undefined
          ? event.details
          : { ...event.details, line: event.details.line + lineShift };
      sink.error(new EmbargoError(event.code ?? 'EMB_CSV_MALFORMED', event.message ?? '', details));
    }
  };
  const applyFirst = async () => {
    const p = pending.shift()!;
    if (p.mixedAt !== undefined) sink.error(mixedEncodingError(file, p.mixedAt));
    const w0 = p.done ? 0 : performance.now();
    const r = await p.result;
    if (w0) waited += performance.now() - w0;
    if (r && parser.carry === '') {
      const shift = parser.line - 1;
      const events = r.events;
      if (r.items) {
        let k = 0;
        for (let i = 0; i < r.items.length; i++) {
          while (k < events.length && events[k]!.at === i) emit(events[k++]!, shift);
          local.item(r.items[i]!);
        }
        while (k < events.length) emit(events[k++]!, shift);
      } else {
        for (const e of events) emit(e, shift);
        if (r.totals) mergeTotals(totals, r.totals);
        observations += r.observations;
      }
      parser.line += r.lines;
      parser.carry = r.leftover;
      if (p.byWorker) chunkCounts.workers++;
      else chunkCounts.main++;
      return;
    }
    chunkCounts.again++;
    // the chunk before ended inside a record (or the worker failed): read this one here, after it
    rereadFd ??= openSync(path, 'r');
    const bytes = Buffer.alloc(p.length);
    readSync(rereadFd, bytes, 0, p.length, p.offset);
    parser.feed(decodeChunk(bytes, p.encoding), p.final);
  };
  try {
    // (the last chunks are smaller, so that no thread waits long for another's last chunk)
    const chunks = fileChunks(path, options.chunkSize ?? CHUNK);
    let seq = 0;
    for (;;) {
      const next = chunks.next();
      if (next.done) {
        mark('file read');
        while (pending.length) await applyFirst();
        mark('last chunk merged');
        mark(`waited for workers ${waited.toFixed(0)} ms in all`);
        if (trace.length)
          console.error(`trade reader: ${trace.join(', ')}; chunks ${JSON.stringify(chunkCounts)}`);
        parser.end();
        const failure = pool?.failure;
        return {
          format: parser.format,
          encoding: next.value,
          observations,
          workers,
          chunks: chunkCounts,
          ...(failure ? { workerFailure: failure.message } : {}),
        };
      }
      const c = next.value;
      const comtrade = parser.format === 'comtrade' || parser.format === 'comtrade-legacy';
      if (
        pool &&
        parser.header !== undefined &&
        (!comtrade || !parser.readingRows || c.bytes === undefined)
      ) {
        // not Comtrade (the workers read only Comtrade) or UTF-16: no use for the workers
        await pool.close();
        pool = undefined;
      }
      if (pool && parser.readingRows && options.waitForWorkers) await pool.started;
      // a worker still starting gets its chunks all the same: they wait in its queue, so it has
      // work the moment it is up (were they read here meanwhile, the worker would idle until this
      // thread finished a chunk and saw it ready)
      if (c.bytes === undefined || c.encoding === undefined || !parser.readingRows || !pool || pool.failed) {
        // the header is not read yet, the workers failed, the file is not Comtrade (the workers
        // read only Comtrade) or UTF-16: this chunk is read here, in order
        while (pending.length) await applyFirst();
        if (c.mixedAt !== undefined) sink.error(mixedEncodingError(file, c.mixedAt));
        parser.feed(c.text ?? decodeChunk(c.bytes!, c.encoding!), c.final);
        chunkCounts.main++;
        // let the workers' "ready" messages in
        if (pool && !pool.failed) await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      const job: ChunkJob = {
        seq: seq++,
        bytes: c.bytes,
        encoding: c.encoding,
        final: c.final,
        header: parser.header!,
        file,
        options: { format: parser.format as TradeFormat },
        mode,
        partner: options.partner,
      };
      const entry: Pending = {
        seq: job.seq,
        offset: c.offset,
        length: c.bytes.length,
        encoding: c.encoding,
        final: c.final,
        mixedAt: c.mixedAt,
        byWorker: pool.inFlight < 2 * workers,
        done: false,
        result: Promise.resolve(undefined),
      };
      if (entry.byWorker) {
        // a copy the worker owns (the chunk's bytes are a view the next chunk overwrites), in a
        // buffer a worker sent back with an earlier chunk's result when one is free (a fresh 4 MiB
        // allocation per chunk costs the main thread more than the copy: page faults, zeroing)
        const length = c.bytes.length;
        const k = spare.findIndex((b) => b.byteLength >= length);
        const buffer = k === -1 ? new ArrayBuffer(length + (length >> 2)) : spare.splice(k, 1)[0]!;
        job.bytes = new Uint8Array(buffer, 0, length);
        job.bytes.set(c.bytes);
        entry.result = pool.run(job).then(
          (r) => {
            entry.done = true;
            if (r.buffer && spare.length < 4) spare.push(r.buffer);
            return r;
          },
          () => {
            entry.done = true;
            return undefined;
          },
        );
      } else {
        // every worker has two chunks queued: the main thread reads this one meanwhile, as a
        // worker would (from line 1, after the header), and it is put in its place like theirs
        entry.result = Promise.resolve(readChunk(job));
        entry.done = true;
      }
      pending.push(entry);
      // let the workers' answers in (reading and parsing here is synchronous), then put every
      // chunk that is ready in its place
      await new Promise((resolve) => setImmediate(resolve));
      while (pending.length > 0 && pending[0]!.done) await applyFirst();
      while (pending.length >= 4 * workers + 2) await applyFirst();
    }
  } finally {
    if (rereadFd !== undefined) closeSync(rereadFd);
    await pool?.close();
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // a missing file: the single-thread path reports it
  }
}

/** readTradeFile with worker threads for large files: every observation, collected. */
export async function readTradeFileParallel(
  path: string,
  options: ParallelReadOptions = {},
): Promise<TradeParseResult & Pick<ParallelReadResult, 'workers' | 'chunks' | 'workerFailure'>> {
  const sink = collectingSink(basename(path));
  const r = await streamTradeFileParallel(path, sink, options, 'items');
  return {
    ...sink.result,
    format: r.format,
    encoding: r.encoding,
    workers: r.workers,
    chunks: r.chunks,
    workerFailure: r.workerFailure,
  };
}

export interface TradeFileTotals {
  totals: MonthlyTotals;
  observations: number;
  errors: EmbargoError[];
  skipped: number;
  format: string;
  encoding: string;
  workers: number;
  chunks: ParallelReadResult['chunks'];
  workerFailure?: string;
}

/**
 * Reads a trade file into monthly US$ totals by commodity, flow and month (every observation read
 * and validated, none kept), with worker threads for large files.
 */
export async function readTradeFileTotals(
  path: string,
  options: ParallelReadOptions = {},
): Promise<TradeFileTotals> {
  const sink = collectingSink(basename(path));
  const totals: MonthlyTotals = new Map();
  const r = await streamTradeFileParallel(path, sink, options, 'totals', totals);
  return {
    totals,
    observations: r.observations,
    errors: sink.result.errors,
    skipped: sink.result.skipped,
    format: r.format,
    encoding: r.encoding,
    workers: r.workers,
    chunks: r.chunks,
    workerFailure: r.workerFailure,
  };
}

/** Worker threads taking chunk jobs in turn; a failed worker fails its jobs, which are then read here. */
class ChunkPool {
  private readonly workers: Promise<Worker[]>;
  private readonly waiting = new Map<number, { resolve(r: ChunkResult): void; reject(e: Error): void }>();
  private broken: Error | undefined;
  private turn = 0;
  private startedCount = 0;
  private sent = 0;
  private closed = false;
  private onStarted: (() => void) | undefined;
  /** resolves when every worker has started or the pool failed */
  readonly started = new Promise<void>((resolve) => {
    this.onStarted = resolve;
  });

  constructor(
    private readonly count: number,
    module: Promise<URL>,
  ) {
    this.workers = module.then((url) =>
      Array.from({ length: count }, () => {
        const worker = new Worker(url);
        worker.on('message', (m: ChunkResult | { seq: number; failed: string } | { ready: true }) => {
          if ('ready' in m) {
            if (++this.startedCount === this.count) this.onStarted?.();
            return;
          }
          const w = this.waiting.get(m.seq);
          this.waiting.delete(m.seq);
          if ('failed' in m) w?.reject(new Error(m.failed));
          else w?.resolve(m);
        });
        worker.on('error', (error) => this.fail(error));
        worker.on('exit', () => this.fail(new Error('a trade reader worker exited')));
        return worker;
      }),
    );
    this.workers.catch((error) => this.fail(error));
  }

  /** jobs sent and not yet answered */
  get inFlight(): number {
    return this.sent;
  }

  /** every worker has loaded its module and takes jobs */
  get ready(): boolean {
    return this.startedCount === this.count && !this.broken;
  }

  get failed(): boolean {
    return this.broken !== undefined;
  }

  /** the error that stopped the workers, unless they were closed normally */
  get failure(): Error | undefined {
    return this.closed ? undefined : this.broken;
  }

  private fail(error: Error): void {
    this.broken ??= error;
    this.onStarted?.();
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
  }

  async run(job: ChunkJob): Promise<ChunkResult> {
    this.sent++;
    try {
      const workers = await this.workers;
      if (this.broken) throw this.broken;
      const worker = workers[this.turn++ % workers.length]!;
      return await new Promise<ChunkResult>((resolve, reject) => {
        this.waiting.set(job.seq, { resolve, reject });
        worker.postMessage(job, [job.bytes.buffer as ArrayBuffer]);
      });
    } finally {
      this.sent--;
    }
  }

  async close(): Promise<void> {
    this.closed = this.broken === undefined;
    this.broken ??= new Error('closed');
    const workers = await this.workers.catch(() => [] as Worker[]);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
