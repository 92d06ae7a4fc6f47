/**
 * The parallel path of `embargo screen` (docs/decisions.md S9, S12): the main thread reads the file
 * in 64 KiB chunks cut after a line feed; worker threads, and the main thread itself for every
 * (workers + 1)-th chunk, parse, validate, screen and encode each chunk; the main thread writes the
 * results back in input order. What must stay global stays on the
 * main thread, in input order, so the output, the rejects and the summary are byte for byte those
 * of the single-thread path:
 * - duplicate ids: workers send each row's id hash; the main thread keeps the file's one IdSet;
 * - cap ledgers: a row that would draw on a cap comes back unscreened and is screened here, with
 *   the file's one ledger, in its place in the input order;
 * - record boundaries: a chunk is cut after a line feed, which is a record boundary unless a quoted
 *   field spans it. A worker's chunk is used only when the chunk before it ended exactly on a record
 *   boundary at the line the worker started from; otherwise the main thread screens that chunk
 *   again, continuing from the previous chunk's unfinished record (so a file full of multi-line
 *   quoted fields is still right, only slower).
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { EmbargoError } from '../../core/errors.js';
import type { CompiledRegime } from '../../core/regime/compile.js';
import type { Regime } from '../../core/regime/regime.js';
import type { Outcome } from '../../core/screening/decision.js';
import { type ScreenOptions, screenDeclaration } from '../../core/screening/screen.js';
import { CsvReader } from '../../ingest/declarations/csv-reader.js';
import { formatFromName } from '../../ingest/declarations/declaration-reader.js';
import {
  cellText,
  duplicateIdError,
  IdSet,
  normaliseHeader,
  type RowError,
} from '../../ingest/declarations/declaration-row.js';
import { workerModule } from '../../worker-module.js';
import { type ChunkResult, ChunkScreener, DEFERRED, fromPool, OUTCOME_CODES, POOL } from './screen-chunk.js';
import { type ChunkJob, formatterFor, type ParallelFormat, type WorkerSetup } from './worker-protocol.js';

/** The bundled worker's URL, defined when the CLI runs from its bundle (bin/cli-bundle.js). */
declare const __EMBARGO_SCREEN_WORKER__: string | undefined;

/** Inputs smaller than this take the single-thread path: starting workers costs more than it saves. */
export const PARALLEL_MIN_BYTES = 8 << 20;
export const CHUNK_BYTES = 1 << 16;
/** Chunks queued to each worker: enough to keep it busy while the main thread screens one itself. */
const WORKER_AHEAD = 3;
/** Old-generation cap of a worker without party lists: its live data (compiled regime, encoder cache ≤ 8 MB) is ~15–25 MB. */
const WORKER_OLD_MB = 48;
/** Young-generation size of a worker's heap (V8's default would let each grow to ~50 MB). */
const WORKER_YOUNG_MB = 8;

export interface ParallelTuning {
  /** worker threads; 0 or absent = the single-thread path (the CLI's default: `screenWorkers`) */
  workers?: number;
  /** bytes read per chunk (tests use small chunks to cut inside quoted fields) */
  chunkBytes?: number;
  /** smallest input for the parallel path */
  minBytes?: number;
  /** chunks queued to each worker ahead of the one being written */
  ahead?: number;
  /**
   * give workers chunks before they report ready (tests: a small file is otherwise screened on the
   * main thread alone before a worker has started); by default a worker's first chunk waits for
   * its ready message (S18)
   */
  feedEarly?: boolean;
}

/** The default's cap: one worker (two screening threads) keeps the peak RSS under 200 MB (S15). */
export const DEFAULT_MAX_WORKERS = 1;

/**
 * Worker threads for `embargo screen` (docs/decisions.md S15), gated like the trade reader's
 * (T9): EMBARGO_SCREEN_WORKERS=0 forces the single-thread path and N forces N workers; unset, one
 * worker (the main thread screens too: two threads) when the machine has at least two cores and a
 * 1-minute load average below its core count, else none. More than one by default would add an
 * isolate's ~40 MB each to a peak RSS already at ~190 MB of the 200 MB budget. The input's own
 * conditions (a UTF-8 CSV file of ≥ 8 MiB, not stdin, not --store) are `parallelWorkers`'.
 */
export function screenWorkers(
  env: NodeJS.ProcessEnv = process.env,
  machine: { cores: number; load: number } = { cores: availableParallelism(), load: loadavg()[0] ?? 0 },
): number {
  const w = env.EMBARGO_SCREEN_WORKERS;
  if (w === undefined || w === '')
    return machine.cores < 2 || machine.load >= machine.cores
      ? 0
      : Math.min(DEFAULT_MAX_WORKERS, machine.cores - 1);
  const n = Number(w);
  if (!Number.isInteger(n) || n < 0 || n > 16)
    throw new EmbargoError('EMB_USAGE', `EMBARGO_SCREEN_WORKERS must be an integer 0–16, not '${w}'`);
  return n;
}

/** The tuning of the CLI: `screenWorkers` (the default gate, or EMBARGO_SCREEN_WORKERS). */
export function tuningFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  machine?: { cores: number; load: number },
): ParallelTuning {
  return { workers: screenWorkers(env, machine) };
}

export interface ParallelEligibility {
  input: string;
  size: number;
  format: string;
  inputFormat: string | undefined;
  encoding: string | undefined;
  store: boolean;
}

/**
 * How many workers screen this input (0: the single-thread path). The parallel path takes CSV
 * files (not stdin) of at least `minBytes` that are valid UTF-8 throughout (the single-thread
 * decoder's Windows-1252 fallback depends on where its own chunks fall), written as jsonl, csv or
 * table (json's separators depend on the row before), without --store (the recorder keeps its own
 * order) and without --encoding.
 */
export async function parallelWorkers(
  e: ParallelEligibility,
  tuning: ParallelTuning,
  /**
   * check only the file's head here (byte order mark, JSON): the caller has `screenInParallel` check
   * each chunk as it reads it, and restarts on one thread when one is not UTF-8 (S22)
   */
  chunkwiseUtf8 = false,
): Promise<number> {
  // tuning.workers: from screenWorkers in the CLI (the default gate, S15); absent here, none
  const workers = Math.min(tuning.workers ?? 0, Math.max(1, availableParallelism()) * 2);
  if (workers < 1) return 0;
  if (e.input === '-' || e.store || e.encoding !== undefined || e.format === 'json') return 0;
  if (e.size < (tuning.minBytes ?? PARALLEL_MIN_BYTES)) return 0;
  const format = e.inputFormat ?? formatFromName(e.input);
  if (format !== undefined && format !== 'csv') return 0;
  if (chunkwiseUtf8) return (await headLooksUtf8Csv(e.input, format === undefined)) ? workers : 0;
  return (await isUtf8Csv(e.input, format === undefined)) ? workers : 0;
}

/** False for a file that starts with a UTF-16 byte order mark or (when sniffing) looks like JSON. */
async function headLooksUtf8Csv(file: string, sniff: boolean): Promise<boolean> {
  const handle = await open(file);
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return !rejectedHead(head.subarray(0, bytesRead), sniff);
  } finally {
    await handle.close();
  }
}

/** A head that is UTF-16 (byte order mark) or, when sniffing the format, JSON: not for this path. */
function rejectedHead(buffer: Buffer, sniff: boolean): boolean {
  if ((buffer[0] === 0xff && buffer[1] === 0xfe) || (buffer[0] === 0xfe && buffer[1] === 0xff)) return true;
  if (!sniff) return false;
  const head = buffer
    .subarray(0, Math.min(buffer.length, 64))
    .toString('latin1')
    .replace(/^[\s\ufeff\u00ef\u00bb\u00bf]+/, '');
  return head.startsWith('[') || head.startsWith('{');
}

/** True when the whole file is valid UTF-8 without a UTF-16 byte order mark (and, when sniffing, looks like CSV). */
async function isUtf8Csv(file: string, sniff: boolean): Promise<boolean> {
  const handle = await open(file);
  try {
    const buffer = Buffer.allocUnsafe(4 << 20);
    let carry = 0;
    let first = true;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, carry, buffer.length - carry);
      const total = carry + bytesRead;
      if (first && total > 0) {
        first = false;
        if (rejectedHead(buffer.subarray(0, total), sniff)) return false;
      }
      if (bytesRead === 0) return total === 0 || isUtf8(buffer.subarray(0, total));
      // validate up to the last line feed: never inside a character
      const cut = buffer.lastIndexOf(10, total - 1);
      if (cut === -1) {
        if (total === buffer.length) return false; // a 4 MiB line: leave it to the single-thread path
        carry = total;
        continue;
      }
      if (!isUtf8(buffer.subarray(0, cut + 1))) return false;
      buffer.copy(buffer, 0, cut + 1, total);
      carry = total - cut - 1;
    }
  } finally {
    await handle.close();
  }
}

export interface ParallelSink {
  /** encoded decisions, in input order */
  output(bytes: Uint8Array, written?: () => void): Promise<void> | undefined;
  /** `n` more decisions with this outcome (added up per chunk) */
  count(outcome: Outcome, n: number): void;
  rejects(errors: RowError[]): Promise<void> | undefined;
  progress(bytes: number, rows: number): void;
}

export interface ParallelRun {
  file: string;
  workers: number;
  tuning: ParallelTuning;
  format: ParallelFormat;
  regime: Regime;
  compiled: CompiledRegime;
  /** the file's one set of options: its ledger and party check serve the deferred rows */
  options: ScreenOptions & { jurisdiction: WorkerSetup['jurisdiction'] };
  partiesDataDir: string | undefined;
  /** workers started before the regime was loaded (`startEarly`): used if they match, else stopped */
  early?: EarlyWorkers;
  /**
   * check each chunk for UTF-8 as it is read (the file was not checked whole beforehand, S22):
   * at the first that is not, `screenInParallel` stops and returns false
   */
  checkUtf8?: boolean;
}

interface Pending {
  resolve(result: ChunkResult, input: Uint8Array): void;
  reject(error: Error): void;
}

/** The worker's module: from the CLI's bundle when it runs from one, else bundled from the sources (src/worker-module.ts). */
async function screenWorkerModule(): Promise<URL> {
  // the CLI's own bundle carries the worker (bin/cli-bundle.js)
  if (typeof __EMBARGO_SCREEN_WORKER__ === 'string') return new URL(__EMBARGO_SCREEN_WORKER__);
  return workerModule(import.meta.url, './screen-worker', 'screen-worker');
}

/**
 * Worker threads started before the regime is loaded and the file checked (S15): a worker's
 * start-up (~150 ms: its isolate, the bundle, the regime copied and compiled) then overlaps the
 * main thread's. They wait for their setup (`screenInParallel` posts it) and are unref'd until
 * then, so a run that fails before screening still exits; unused, they are stopped with `stop`.
 */
export interface EarlyWorkers {
  workers: Worker[];
  /** sends the setup as soon as the regime is loaded (the workers compile it meanwhile); once */
  configure(setup: WorkerSetup): void;
  configured: boolean;
  stop(): Promise<void>;
}

/**
 * Starts the workers a run will most likely use: those of `tuning` when the input passes every
 * check of `parallelWorkers` but the full UTF-8 scan (which runs meanwhile); undefined otherwise.
 */
export async function startEarly(
  e: ParallelEligibility,
  tuning: ParallelTuning,
  withParties: boolean,
): Promise<EarlyWorkers | undefined> {
  const count = Math.min(tuning.workers ?? 0, Math.max(1, availableParallelism()) * 2);
  if (count < 1 || e.input === '-' || e.store || e.encoding !== undefined || e.format === 'json')
    return undefined;
  if (e.size < (tuning.minBytes ?? PARALLEL_MIN_BYTES)) return undefined;
  const format = e.inputFormat ?? formatFromName(e.input);
  if (format !== undefined && format !== 'csv') return undefined;
  const workers = spawnWorkers(count, await screenWorkerModule(), withParties);
  for (const w of workers) w.unref();
  const early: EarlyWorkers = {
    workers,
    configured: false,
    configure(setup) {
      if (early.configured) return;
      early.configured = true;
      for (const w of workers) w.postMessage({ setup });
    },
    stop: async () => void (await Promise.all(workers.map((w) => w.terminate()))),
  };
  return early;
}

/** Workers that have posted their ready message (setup done, regime compiled), with their OS thread id. */
const readyWorkers = new WeakMap<Worker, number | undefined>();

function spawnWorkers(count: number, module: URL, withParties: boolean): Worker[] {
  const workers: Worker[] = [];
  for (let w = 0; w < count; w++) {
    const worker = new Worker(module, {
      // a chunk's rows die young: a small young generation keeps each isolate's memory down
      // and, without party lists (whose index may be large), a capped old generation: uncapped, a
      // worker's old generation filled with promoted garbage up to ~40 MB before its first full GC
      resourceLimits: {
        maxYoungGenerationSizeMb: WORKER_YOUNG_MB,
        ...(withParties ? {} : { maxOldGenerationSizeMb: WORKER_OLD_MB }),
      },
    });
    // listening from the start: an early worker (S16) may be ready before `screenInParallel` runs
    worker.on('message', (m: { ready?: boolean; tid?: number }) => {
      if (m.ready === true) readyWorkers.set(worker, m.tid);
    });
    workers.push(worker);
  }
  return workers;
}

async function startWorkers(
  run: ParallelRun,
  pending: Map<number, Pending>,
  state: { failed?: Error },
): Promise<Worker[]> {
  const setup: WorkerSetup = {
    regime: run.regime,
    jurisdiction: run.options.jurisdiction,
    asOf: run.options.asOf,
    partiesDataDir: run.partiesDataDir,
    format: run.format,
    file: run.file,
  };
  const early = run.early?.workers;
  const workers =
    early && early.length === run.workers
      ? early
      : spawnWorkers(run.workers, await screenWorkerModule(), run.partiesDataDir !== undefined);
  if (workers !== early) await run.early?.stop();
  const configured = workers === early && run.early?.configured === true;
  for (const worker of workers) {
    worker.ref();
    if (!configured) worker.postMessage({ setup });
    worker.on('message', (m: { seq?: number; result?: ChunkResult; input?: Uint8Array }) => {
      if (m.seq === undefined || !m.result) return;
      const p = pending.get(m.seq);
      pending.delete(m.seq);
      // the chunk's buffer must come back (S20): its bytes are read again for duplicates' raw text
      if (m.input) p?.resolve(m.result, m.input);
      else p?.reject(new Error('a screening worker returned a result without its chunk'));
    });
    worker.on('error', (error) => {
      state.failed ??= error;
      for (const p of pending.values()) p.reject(error);
      pending.clear();
    });
    worker.on('exit', () => {
      state.failed ??= new Error('a screening worker stopped');
      for (const p of pending.values()) p.reject(state.failed);
      pending.clear();
    });
  }
  return workers;
}

/**
 * The line a chunk screened ahead of its turn is numbered from (S23): its true first line is known
 * only once the chunk before it has been screened, so its lines are numbered from here and shifted
 * when it is written. Above 1, so that the reader does not look for a byte order mark.
 */
const RELATIVE_LINE = 2;

/** Renumbers a result screened from RELATIVE_LINE as if it had been screened from `line`. */
function shiftLines(r: ChunkResult, line: number): void {
  const shift = line - RELATIVE_LINE;
  if (shift === 0) return;
  const lines = r.lines;
  for (let k = 0; k < lines.length; k++) lines[k]! += shift;
  for (const e of r.errors) e.line += shift;
  r.endLine += shift;
}

export interface Chunk {
  bytes: Buffer;
  final: boolean;
}

/** A Buffer view of `bytes` (no copy). */
const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Input buffers kept for reuse once their chunk is written (S20). */
const INPUT_POOL = 16;

/**
 * The file in chunks of about `chunkBytes` cut after a line feed, read synchronously: the main
 * thread has nothing else to do meanwhile, and an asynchronous read of 64 KiB from the page cache
 * cost ~170 µs of waiting per chunk (0.4 s per million rows). Each chunk has a buffer of its own
 * from `take` (at least the size asked for), which the consumer may transfer to a worker: what
 * follows the chunk's last line feed is copied into the next buffer before the chunk is yielded.
 */
export function* readChunks(
  file: string,
  chunkBytes: number,
  take: (size: number) => Buffer,
): Generator<Chunk> {
  const fd = openSync(file, 'r');
  try {
    let buffer = take(chunkBytes);
    /** bytes at the start of `buffer` carried over from the previous read (a line not yet ended) */
    let carry = 0;
    for (;;) {
      if (buffer.length < carry + chunkBytes) {
        const bigger = take(carry + chunkBytes);
        buffer.copy(bigger, 0, 0, carry);
        buffer = bigger;
      }
      const bytesRead = readSync(fd, buffer, carry, chunkBytes, null);
      const total = carry + bytesRead;
      if (bytesRead === 0) {
        yield { bytes: buffer.subarray(0, total), final: true };
        return;
      }
      const cut = buffer.lastIndexOf(10, total - 1);
      if (cut === -1) {
        carry = total;
        continue;
      }
      const next = take(total - cut - 1 + chunkBytes);
      buffer.copy(next, 0, cut + 1, total);
      yield { bytes: buffer.subarray(0, cut + 1), final: false };
      buffer = next;
      carry = total - cut - 1;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * CPU seconds so far of the main thread, the workers and all other threads of the process (V8's
 * garbage-collector and compiler helpers, libuv's file-system pool), from /proc (Linux); '' elsewhere.
 */
function threadCpu(workerTids: readonly (number | undefined)[]): string {
  try {
    const ticks = (tid: string) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[11]) + Number(fields[12]); // utime + stime
    };
    let main = 0;
    let others = 0;
    const mine = workerTids.map(() => 0);
    for (const tid of readdirSync('/proc/self/task')) {
      const t = ticks(tid);
      const w = workerTids.indexOf(Number(tid));
      if (Number(tid) === process.pid) main = t;
      else if (w !== -1) mine[w] = t;
      else others += t;
    }
    const s = (t: number) => `${(t / 100).toFixed(2)} s`;
    return `; CPU: main thread ${s(main)}, worker ${mine.map(s).join(', ')}, other threads ${s(others)}`;
  } catch {
    return '';
  }
}

/** Lets the event loop deliver the workers' messages (they arrive as macrotasks). */
const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Thrown inside `screenInParallel` at a chunk that is not UTF-8 (with `checkUtf8`), caught there. */
const NOT_UTF8 = new Error('a chunk is not valid UTF-8');

/**
 * Screens `run.file` with worker threads; reports through `sink` exactly as the single-thread path
 * would. Returns false (having stopped part way, its output to be discarded) when `run.checkUtf8`
 * is set and a chunk is not valid UTF-8; true otherwise.
 */
export async function screenInParallel(run: ParallelRun, sink: ParallelSink): Promise<boolean> {
  const pending = new Map<number, Pending>();
  const state: { failed?: Error } = {};
  const workers = await startWorkers(run, pending, state);
  const formatter = formatterFor(run.format);
  const main = new ChunkScreener({
    compiled: run.compiled,
    jurisdiction: run.options.jurisdiction,
    asOf: run.options.asOf,
    parties: run.options.parties,
    format: run.format,
    formatter,
    file: run.file,
    allocate: (size) => fromPool(pool, size),
  });
  const ids = new IdSet();
  /** output buffers written out, for this thread's next chunks */
  const pool: ArrayBuffer[] = [];
  const toMain = (buffer: ArrayBuffer) => {
    if (pool.length < POOL && buffer.byteLength > 0) pool.push(buffer);
  };
  const toWorker = (w: number, buffer: ArrayBuffer) => {
    if (buffer.byteLength > 0 && !state.failed) workers[w]!.postMessage({ give: buffer }, [buffer]);
  };
  /** input buffers whose chunk is written (a worker's come back with its result), for the next reads */
  const inputs: ArrayBuffer[] = [];
  const chunkBytes = run.tuning.chunkBytes ?? CHUNK_BYTES;
  const takeInput = (size: number): Buffer => {
    const buffer = inputs.pop();
    if (buffer !== undefined && buffer.byteLength >= size) return Buffer.from(buffer);
    return Buffer.allocUnsafeSlow(Math.max(size, 2 * chunkBytes));
  };
  const releaseInput = (bytes: Uint8Array) => {
    if (inputs.length < INPUT_POOL && bytes.buffer.byteLength > 0) inputs.push(bytes.buffer as ArrayBuffer);
  };
  let header: string[] | undefined;
  let idColumn = -1;
  let bytesRead = 0;
  let rows = 0;

  /** The reject of row `k` of `r`, a duplicate: its id and raw text are read again from the chunk. */
  function duplicate(text: string, line: number, skipping: boolean, target: number): RowError {
    const csv = new CsvReader(undefined, line, skipping);
    csv.expected = header!.length;
    let found: string[] | undefined;
    const take = (fields: string[], at: number) => {
      if (at === target) found = fields;
    };
    csv.feed(text, take, () => {});
    csv.end(take, () => {});
    const fields = found ?? [];
    return duplicateIdError(cellText(fields[idColumn]) ?? '', target, fields);
  }

  /** `text`, `line`, `skipping`: where the reader that produced `r` started (for duplicates' raw text) */
  async function emit(
    r: ChunkResult,
    text: () => string,
    line: number,
    skipping: boolean,
    release: (output: ArrayBuffer) => void,
  ): Promise<void> {
    const { ends, lines, hashes, outcomes, errors, output } = r;
    const rejects: RowError[] = [];
    const pieces: Uint8Array[] = [];
    let e = 0;
    let deferred = 0;
    let run_ = 0;
    // outcomes of the chunk's rows added up here and handed to the sink once per chunk
    let clear = 0;
    let hold = 0;
    let refuse = 0;
    for (let k = 0; k < outcomes.length; k++) {
      const at = lines[k]!;
      while (e < errors.length && errors[e]!.line < at) rejects.push(errors[e++]!);
      const start = k === 0 ? 0 : ends[k - 1]!;
      const fresh = ids.addHash(hashes[2 * k]!, hashes[2 * k + 1]!);
      const code = outcomes[k]!;
      if (code === DEFERRED) {
        const declaration = r.deferred[deferred++]!;
        if (start > run_) pieces.push(output.subarray(run_, start));
        run_ = ends[k]!;
        if (!fresh) {
          rejects.push(duplicate(text(), line, skipping, at));
          continue;
        }
        const decision = screenDeclaration(run.compiled, declaration, run.options);
        sink.count(decision.decision, 1);
        pieces.push(Buffer.from(formatter(decision)));
        continue;
      }
      if (!fresh) {
        if (start > run_) pieces.push(output.subarray(run_, start));
        run_ = ends[k]!;
        rejects.push(duplicate(text(), line, skipping, at));
        continue;
      }
      if (code === 0) clear++;
      else if (code === 1) hold++;
      else refuse++;
    }
    if (clear > 0) sink.count(OUTCOME_CODES[0], clear);
    if (hold > 0) sink.count(OUTCOME_CODES[1], hold);
    if (refuse > 0) sink.count(OUTCOME_CODES[2], refuse);
    if (output.length > run_) pieces.push(output.subarray(run_));
    while (e < errors.length) rejects.push(errors[e++]!);
    rows += outcomes.length;
    // once the last piece is written (writes finish in order), the output buffer goes back to the
    // thread that filled it, to be filled again: fewer dead 256 KiB buffers awaiting a GC
    const buffer = output.buffer as ArrayBuffer;
    if (pieces.length === 0) release(buffer);
    for (let p = 0; p < pieces.length; p++) {
      const wait = sink.output(pieces[p]!, p === pieces.length - 1 ? () => release(buffer) : undefined);
      if (wait) await wait;
    }
    if (rejects.length > 0) {
      const wait = sink.rejects(rejects);
      if (wait) await wait;
    }
  }

  const read = readChunks(run.file, chunkBytes, takeInput);
  // a chunk is cut after a line feed, which no multi-byte UTF-8 sequence contains: the file is valid
  // UTF-8 exactly when each of its chunks is
  const chunks: Generator<Chunk> = run.checkUtf8
    ? (function* () {
        for (const chunk of read) {
          if (!isUtf8(chunk.bytes)) throw NOT_UTF8;
          yield chunk;
        }
      })()
    : read;
  try {
    const first = chunks.next();
    if (first.done) return true;
    bytesRead += first.value.bytes.length;
    const firstText = first.value.bytes.toString('utf8');
    let prev = main.screen(firstText, 1, undefined, first.value.final);
    // the id table sized from the first chunk's rows per byte, never beyond the estimate (a
    // million ids: the smaller tables are not built and rehashed one after another on this
    // thread; the last doubling, to 16 MB, still happens unless the estimate reaches a power of two)
    if (!first.value.final && prev.outcomes.length > 0)
      ids.reserve(Math.floor((statSync(run.file).size * prev.outcomes.length) / first.value.bytes.length));
    header = prev.header;
    if (!header) throw new Error('parallel screening: the first chunk holds no header');
    idColumn = header.map(normaliseHeader).indexOf('id');
    await emit(prev, () => firstText, 1, false, toMain);
    releaseInput(first.value.bytes);
    sink.progress(bytesRead, rows);
    if (first.value.final) return true;

    let seq = 0;
    let done = false;
    // Chunks are screened in input order of reading, by whichever thread is free, and written in
    // input order. The main thread keeps every worker fed first (up to `ahead` chunks each), then
    // writes the results at the head of the queue, and screens a chunk itself only when there is
    // nothing else to do: it also carries the file's global work (reading, duplicate ids, deferred
    // rows, writing), so a fixed share (every other chunk, S12) left it the slower of two threads.
    // A chunk screened ahead of its turn (by a worker or by this thread) assumes it starts on a
    // record boundary; when it turns out not to, it is screened again below, in its place.
    const ahead = run.tuning.ahead ?? WORKER_AHEAD;
    const limit = workers.length * ahead + 6;
    // until a worker has reported ready it gets no chunk: the main thread screens and writes alone
    // meanwhile instead of filling its share of the queue and waiting (~100 ms) for the worker's
    // start-up to finish (S18)
    const feedable = (k: number) => run.tuning.feedEarly === true || readyWorkers.has(workers[k]!);
    const inFlight = new Array<number>(workers.length).fill(0);
    interface Entry {
      job: ChunkJob;
      /** who screens it: a worker's index, or -1 for this thread */
      worker: number;
      result: ChunkResult | undefined;
      promise: Promise<ChunkResult> | undefined;
    }
    const queue: Entry[] = [];
    const trace = { wait: 0, waits: 0, mine: 0 };
    const read = (): Chunk | undefined => {
      const next = chunks.next();
      if (next.done) {
        done = true;
        return undefined;
      }
      if (next.value.final) done = true;
      return next.value;
    };
    // a chunk's lines are numbered from RELATIVE_LINE and shifted when it is written: counting the
    // line feeds of every chunk on this thread to number it from its true line cost 30-70 ms per
    // million rows of the busier thread
    const jobOf = (chunk: Chunk): ChunkJob => ({
      seq: seq++,
      bytes: chunk.bytes,
      line: RELATIVE_LINE,
      final: chunk.final,
    });
    for (;;) {
      // a worker that failed before it was given a chunk still fails the run, as one given chunks does
      if (state.failed) throw state.failed;
      // 1. feed the workers
      while (!done && queue.length < limit) {
        let w = -1;
        for (let k = 0; k < workers.length; k++)
          if (inFlight[k]! < ahead && feedable(k) && (w === -1 || inFlight[k]! < inFlight[w]!)) w = k;
        if (w === -1) break;
        const chunk = read();
        if (!chunk) break;
        const job = jobOf(chunk);
        const entry: Entry = { job, worker: w, result: undefined, promise: undefined };
        if (state.failed) entry.promise = Promise.reject(state.failed);
        else {
          const worker = w;
          inFlight[worker]!++;
          entry.promise = new Promise<ChunkResult>((resolve, reject) =>
            pending.set(job.seq, {
              resolve: (result, input) => {
                inFlight[worker]!--;
                job.bytes = input; // the chunk's bytes come back with its result
                entry.result = result;
                resolve(result);
              },
              reject,
            }),
          );
          // the chunk's own buffer is transferred, and transferred back with the result
          workers[worker]!.postMessage({ ...job, header }, [job.bytes.buffer as ArrayBuffer]);
        }
        entry.promise.catch(() => {}); // observed below; a worker error must not surface as unhandled first
        queue.push(entry);
      }
      const head = queue[0];
      // 2. write the result at the head of the queue, if it is there
      if (head?.result !== undefined) {
        queue.shift();
        const { job } = head;
        let result = head.result;
        bytesRead += job.bytes.length;
        if (prev.atBoundary) {
          // the chunk starts on a record boundary, at the line the previous one ends on: the same
          // lines as a reader of the whole file counts (line feeds, CRLF and lone CRs alike, since
          // a chunk never ends inside a CRLF), shifted
          shiftLines(result, prev.endLine);
          job.line = prev.endLine;
          let decoded: string | undefined;
          // a worker's chunk comes back as a plain Uint8Array: a Buffer view of it decodes
          const bytes = asBuffer(job.bytes);
          await emit(
            result,
            () => (decoded ??= bytes.toString('utf8')),
            job.line,
            false,
            head.worker === -1 ? toMain : (b) => toWorker(head.worker, b),
          );
        } else {
          // the previous chunk ended inside a record: continue it here, as one reader would
          const text = prev.pending + asBuffer(job.bytes).toString('utf8');
          const from = prev;
          result = main.screen(text, from.endLine, header, job.final, from.skipping);
          await emit(result, () => text, from.endLine, from.skipping, toMain);
        }
        releaseInput(job.bytes);
        prev = result;
        sink.progress(bytesRead, rows);
        continue;
      }
      // 3. nothing to write: screen the next chunk here, then let the workers' messages in
      if (!done && queue.length < limit) {
        const chunk = read();
        if (chunk) {
          const job = jobOf(chunk);
          const result = main.screen(chunk.bytes, job.line, header, job.final);
          trace.mine++;
          queue.push({ job, worker: -1, result, promise: undefined });
          await yieldToEvents();
          continue;
        }
      }
      // 4. wait for the head
      if (!head) break;
      const tw = performance.now();
      await head.promise;
      trace.wait += performance.now() - tw;
      trace.waits++;
    }
    // EMBARGO_SCREEN_TRACE=1: how the chunks were shared and how long this thread waited (a diagnostic)
    if (process.env.EMBARGO_SCREEN_TRACE === '1')
      process.stderr.write(
        `parallel screening: ${seq + 1} chunks, ${trace.mine + 1} screened on the main thread; ` +
          `main thread waited ${trace.wait.toFixed(0)} ms in ${trace.waits} waits; ` +
          `worker busy ${workers.map((w) => `${(w.performance.eventLoopUtilization().utilization * 100).toFixed(0)} %`).join(', ')} of its life` +
          `${threadCpu(workers.map((w) => readyWorkers.get(w)))}\n`,
      );
  } catch (error) {
    if (error === NOT_UTF8) return false;
    throw error;
  } finally {
    for (const p of pending.values()) p.reject(new Error('parallel screening stopped'));
    read.return(undefined);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return true;
}
