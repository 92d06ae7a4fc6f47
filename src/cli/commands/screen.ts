/**
 * `embargo screen <file|->`: screens declarations (CSV, JSON or JSON lines) against the regime as
 * of each declaration's date (or `--as-of`), streaming: rows are read, screened and written chunk
 * by chunk, so memory stays flat on inputs of any size. Rejected rows go to `--rejects` (or are
 * summarised on stderr); the summary and the progress bar go to stderr. Exit codes
 * (docs/formats.md): 0 all rows screened, 2 bad usage, 3 some rows rejected, 1 failure.
 *
 * Cap ledgers are consumed in input order: screen inputs sorted by date. A declaration dated before
 * one already counted against the same cap is held (`cap-out-of-order`), never miscounted.
 */
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  type WriteStream,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { EmbargoError } from '../../core/errors.js';
import { compileRegime } from '../../core/regime/compile.js';
import { JURISDICTIONS, type Jurisdiction } from '../../core/regime/jurisdictions.js';
import { deepFreeze, type Regime } from '../../core/regime/regime.js';
import { CapLedger } from '../../core/screening/cap-ledger.js';
import type { Decision, Outcome } from '../../core/screening/decision.js';
import type { PartyCheck } from '../../core/screening/party-check.js';
import { decisionToJsonLine, screenDeclaration } from '../../core/screening/screen.js';
import {
  INPUT_FORMATS,
  type InputFormat,
  readDeclarations,
} from '../../ingest/declarations/declaration-reader.js';
import { isIsoDate, type RowError } from '../../ingest/declarations/declaration-row.js';
import { DEFAULT_REGIME_DIR, UNITS_FILE } from '../../ingest/regime-files.js';
import { resolveDataDir } from '../config.js';
import { DecisionEncoder } from '../decision-encoder.js';
import { CSV_HEAD, decisionCsvLine, decisionTableLines, TABLE_HEAD } from '../decision-lines.js';
import { csvEscape, type OutputFormat, parseFormat } from '../output.js';
import type { EarlyWorkers, ParallelTuning } from '../screen-workers/parallel-screen.js';
import type { ParallelFormat } from '../screen-workers/worker-protocol.js';

/** The screening worker's URL in the CLI bundle (bin/cli-bundle.js): its directory holds this build's caches. */
declare const __EMBARGO_SCREEN_WORKER__: string | undefined;

/**
 * The regime of `dir`, loaded and validated, or read from `cacheDir` where an earlier run of the
 * same code stored the validated regime of byte-identical files (docs/decisions.md S13): loading
 * and validating the YAML costs ~0.2 s of a run's start-up, parsing the cached JSON ~1 ms. The key
 * is a SHA-256 of the files the loader reads (names and contents); the cache lives in the CLI
 * bundle's own directory, so a change of code starts afresh. Without `cacheDir` (the sources run
 * through tsx), the regime is always loaded from the YAML. The loader (YAML and zod: ~20 MB and
 * ~0.1 s of start-up) is imported only when the cache cannot serve (S19).
 */
export async function loadRegimeCached(dir: string, cacheDir: string | undefined): Promise<Regime> {
  const loadRegime = async (from: string) => (await import('../../ingest/regime-loader.js')).loadRegime(from);
  if (cacheDir === undefined || !existsSync(dir) || !statSync(dir).isDirectory()) return loadRegime(dir);
  const hash = createHash('sha256');
  const names = readdirSync(dir)
    .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
    .sort();
  for (const name of [...names, UNITS_FILE]) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    const bytes = readFileSync(path);
    hash.update(`${name}\n${bytes.length}\n`);
    hash.update(bytes);
  }
  const file = join(cacheDir, `regime-${hash.digest('hex').slice(0, 32)}.json`);
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as Omit<Regime, 'measures'> & {
      measures: (Omit<Regime['measures'][number], 'instrument'> & { instrument: number })[];
    };
    // measures share their instrument objects with `instruments`, as the loader builds them
    return deepFreeze({
      ...cached,
      measures: cached.measures.map((m) => ({ ...m, instrument: cached.instruments[m.instrument]! })),
    });
  } catch {
    // not cached yet (or unreadable): load, validate, and store for the next run
  }
  const regime = await loadRegime(dir);
  try {
    const plain = {
      ...regime,
      measures: regime.measures.map((m) => ({ ...m, instrument: regime.instruments.indexOf(m.instrument) })),
    };
    if (plain.measures.every((m) => m.instrument >= 0)) {
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(plain));
      renameSync(temp, file);
    }
  } catch {
    // a read-only install: no cache
  }
  return regime;
}

/** Where this build caches validated regimes: the CLI bundle's directory (undefined under tsx). */
function regimeCacheDir(): string | undefined {
  return typeof __EMBARGO_SCREEN_WORKER__ === 'string'
    ? dirname(fileURLToPath(__EMBARGO_SCREEN_WORKER__))
    : undefined;
}

export interface ScreenRun {
  input: string;
  jurisdiction: Jurisdiction;
  asOf?: string;
  format: OutputFormat;
  out?: string;
  rejects?: string;
  regimes: string;
  inputFormat?: InputFormat;
  encoding?: string;
  /** screen parties against the lists (default list + imported ones) */
  parties: boolean;
  dataDir?: string;
  /** record declarations and decisions in the store (`--store`, `--db`, `--as`) */
  store?: { db?: string; actor?: string };
  /** false: load the regime from its YAML even when a validated copy is cached (S13) */
  regimeCache?: false;
  /** worker threads for large CSV files (default: `screenWorkers`, i.e. EMBARGO_SCREEN_WORKERS or the machine's gate, S15) */
  parallel?: ParallelTuning;
  /** stdout unless `out` is set */
  stdout?: Writable;
  stderr?: NodeJS.WriteStream | Writable;
}

export interface ScreenSummary {
  counts: Record<Outcome, number>;
  rejected: number;
  regimeVersion: string;
}

export function parseJurisdictionFlag(value: string | undefined): Jurisdiction {
  const v = (value ?? 'CN').toUpperCase();
  if (!(JURISDICTIONS as readonly string[]).includes(v))
    throw new EmbargoError(
      'EMB_USAGE',
      `unknown --jurisdiction '${value}'; expected ${JURISDICTIONS.join(' or ')}`,
    );
  return v as Jurisdiction;
}

export function parseAsOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!isIsoDate(value))
    throw new EmbargoError('EMB_USAGE', `--as-of '${value}' is not a calendar date YYYY-MM-DD`);
  return value;
}

/**
 * Output bytes, encoded line by line into large buffers: cheaper than concatenating a batch into
 * one string and encoding it at write time, and it leaves far less garbage behind.
 */
/** Buffer's own encoder (untyped in @types/node): `write(s, offset, 'utf8')` without argument parsing. */
interface RawUtf8Write {
  utf8Write(text: string, offset: number): number;
}

export class OutputBuffer {
  #buffer = Buffer.allocUnsafeSlow(1 << 18);
  #offset = 0;
  #full: Buffer[] = [];

  readonly #encoder = new DecisionEncoder();

  /** One decision as a JSON line (src/cli/decision-encoder.ts); without its line feed for a JSON array. */
  decision(d: Decision, newline: boolean): void {
    let end = this.#encoder.encode(d, this.#buffer, this.#offset);
    if (end === -1) {
      this.#rotate(1 << 16);
      end = this.#encoder.encode(d, this.#buffer, this.#offset);
    }
    if (end === -1) {
      // a decision larger than a whole buffer
      this.add(decisionToJsonLine(d), newline ? '\n' : '');
      return;
    }
    this.#offset = newline ? end : end - 1;
  }

  add(a: string, b: string): void {
    // a UTF-16 code unit never takes more than 3 UTF-8 bytes
    if (this.#offset + (a.length + b.length) * 3 > this.#buffer.length)
      this.#rotate((a.length + b.length) * 3);
    const buffer = this.#buffer as unknown as RawUtf8Write;
    this.#offset += buffer.utf8Write(a, this.#offset);
    if (b.length > 0) this.#offset += buffer.utf8Write(b, this.#offset);
  }

  /** The bytes added since the last call; the caller hands them to the stream. */
  take(): Buffer[] {
    if (this.#offset > 0) this.#rotate(0);
    const full = this.#full;
    this.#full = [];
    return full;
  }

  #rotate(need: number) {
    if (this.#offset > 0) this.#full.push(this.#buffer.subarray(0, this.#offset));
    this.#buffer = Buffer.allocUnsafeSlow(Math.max(1 << 18, need));
    this.#offset = 0;
  }
}

function write(stream: Writable, text: string | Buffer, written?: () => void): Promise<void> | undefined {
  if (text.length === 0) {
    written?.();
    return undefined;
  }
  if (written ? stream.write(text, () => written()) : stream.write(text)) return undefined;
  return new Promise((resolve) => stream.once('drain', resolve));
}

function closeStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

function progressBar(stderr: NodeJS.WriteStream, total: number) {
  let last = 0;
  return {
    update(bytes: number, rows: number) {
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      const fraction = total > 0 ? Math.min(1, bytes / total) : 0;
      const width = 30;
      const filled = Math.round(fraction * width);
      stderr.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${rows.toLocaleString('en-US')} rows`,
      );
    },
    done() {
      stderr.write('\r\x1b[K');
    },
  };
}

/** `embargo screen … | head`: a reader that stops early ends the command quietly, as Unix tools do. */
let pipeGuarded = false;
export function stopQuietlyOnClosedPipe(): void {
  if (pipeGuarded) return;
  pipeGuarded = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

/** True for a path that is a regular file or does not exist yet: writing it again from the start truncates it. */
function rewritable(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return true;
  }
}

/** Screens one input end to end; returns the summary (the caller sets the exit code). */
export async function runScreen(run: ScreenRun): Promise<ScreenSummary> {
  const stderr = run.stderr ?? process.stderr;
  const isStdin = run.input === '-';
  if (!isStdin && (!existsSync(run.input) || !statSync(run.input).isFile())) {
    throw new EmbargoError('EMB_FILE_NOT_FOUND', `input file not found: ${run.input}`, { file: run.input });
  }
  // large CSV files: worker threads (src/cli/screen-workers/, docs/decisions.md S9, S15), started
  // first so that their start-up overlaps loading the regime and checking the file
  const total = isStdin ? 0 : statSync(run.input).size;
  const eligibility = {
    input: run.input,
    size: total,
    format: run.format,
    inputFormat: run.inputFormat,
    encoding: run.encoding,
    store: false,
  };
  let parallel: typeof import('../screen-workers/parallel-screen.js') | undefined;
  let tuning: ParallelTuning = {};
  let early: EarlyWorkers | undefined;
  if (!isStdin && !run.store && run.format !== 'json') {
    parallel = await import('../screen-workers/parallel-screen.js');
    tuning = run.parallel ?? parallel.tuningFromEnv();
    early = await parallel.startEarly(eligibility, tuning, run.parties);
  }
  try {
    return await screenWithRegime();
  } catch (error) {
    // workers started early but never given their setup (a regime or store that fails to open)
    await early?.stop();
    throw error;
  }

  async function screenWithRegime(): Promise<ScreenSummary> {
    const regime = await loadRegimeCached(
      run.regimes,
      run.regimeCache === false ? undefined : regimeCacheDir(),
    );
    // the early workers compile the regime while this thread does, and checks the file
    early?.configure({
      regime,
      jurisdiction: run.jurisdiction,
      asOf: run.asOf,
      partiesDataDir: run.parties ? resolveDataDir(run.dataDir) : undefined,
      format: run.format as ParallelFormat,
      file: run.input,
    });
    const compiled = compileRegime(regime);
    const ledger = new CapLedger(regime.units);
    let parties: PartyCheck | undefined;
    if (run.parties) {
      const { loadPartyCheck } = await import('../../ingest/lists/party-check-loader.js');
      parties = loadPartyCheck(resolveDataDir(run.dataDir));
    }
    const options = { jurisdiction: run.jurisdiction, asOf: run.asOf, ledger, parties };
    /** what a restart on one thread needs fresh (S22): the cap ledger the parallel run drew on */
    const freshOptions = () => ({ ...options, ledger: new CapLedger(regime.units) });
    const recorder = run.store
      ? await (await import('../../services/screen-file-service.js')).openScreeningRecorder({
          ...run.store,
          dataDir: () => resolveDataDir(run.dataDir),
          file: run.input,
          context: {
            regime: regime.version,
            jurisdiction: run.jurisdiction,
            asOf: run.asOf ?? null,
            lists: parties?.lists ?? [],
          },
        })
      : undefined;

    // up to 1 MiB of output in flight: with the default 16 KiB every 256 KiB buffer waited for its
    // write to finish before the next row was read
    let out: Writable = run.out
      ? createWriteStream(run.out, { highWaterMark: 1 << 20 })
      : (run.stdout ?? process.stdout);
    if (out === process.stdout) stopQuietlyOnClosedPipe();
    let rejectsOut = run.rejects ? createWriteStream(run.rejects) : undefined;
    const rejectsCsv = run.rejects?.toLowerCase().endsWith('.csv') ?? false;
    if (rejectsOut && rejectsCsv) rejectsOut.write('line,field,reason,code,raw\n');

    const output = new OutputBuffer();
    const counts: Record<Outcome, number> = { CLEAR: 0, HOLD: 0, REFUSE: 0 };
    let rejected = 0;
    const shownRejects: RowError[] = [];
    let first = true;
    const head = async () => {
      if (run.format === 'json') await write(out, '[');
      if (run.format === 'csv') await write(out, CSV_HEAD);
      if (run.format === 'table') await write(out, TABLE_HEAD);
    };
    await head();

    let bytes = 0;
    const tty = (stderr as NodeJS.WriteStream).isTTY === true;
    const bar = tty ? progressBar(stderr as NodeJS.WriteStream, total) : undefined;
    async function reject(errors: RowError[]): Promise<void> {
      rejected += errors.length;
      if (rejectsOut) {
        let r = '';
        for (const e of errors) {
          r += rejectsCsv
            ? `${[String(e.line), e.field ?? '', e.reason, e.code, e.raw].map(csvEscape).join(',')}\n`
            : `${JSON.stringify({ line: e.line, field: e.field, reason: e.reason, code: e.code, raw: e.raw })}\n`;
        }
        await write(rejectsOut, r);
      } else {
        for (const e of errors) if (shownRejects.length < 10) shownRejects.push(e);
      }
    }

    // writing to files that can be truncated and written again, the parallel path checks UTF-8 a
    // chunk at a time instead of reading the whole file once more first, and a file that turns out
    // not to be UTF-8 is screened again from the start on one thread (S22)
    const restartable =
      run.out !== undefined && rewritable(run.out) && (run.rejects === undefined || rewritable(run.rejects));
    let workers = 0;
    if (parallel) workers = await parallel.parallelWorkers(eligibility, tuning, restartable);
    if (workers === 0) await early?.stop();
    if (parallel && workers > 0) {
      const completed = await parallel.screenInParallel(
        {
          checkUtf8: restartable,
          file: run.input,
          workers,
          tuning,
          early,
          format: run.format as Exclude<OutputFormat, 'json'>,
          regime,
          compiled,
          options,
          partiesDataDir: run.parties ? resolveDataDir(run.dataDir) : undefined,
        },
        {
          output: (bytes, written) => write(out, bytes as Buffer, written),
          count: (outcome, n) => {
            counts[outcome] += n;
          },
          rejects: reject,
          progress: (read, rows) => bar?.update(read, rows),
        },
      );
      if (!completed) {
        // not UTF-8 throughout: what was written is discarded, and one thread screens the file
        // from the start as if the parallel path had never been tried
        await closeStream(out as WriteStream);
        if (rejectsOut) await closeStream(rejectsOut);
        out = createWriteStream(run.out!, { highWaterMark: 1 << 20 });
        rejectsOut = run.rejects ? createWriteStream(run.rejects) : undefined;
        if (rejectsOut && rejectsCsv) rejectsOut.write('line,field,reason,code,raw\n');
        counts.CLEAR = counts.HOLD = counts.REFUSE = 0;
        rejected = 0;
        shownRejects.length = 0;
        Object.assign(options, freshOptions());
        await head();
        await screenOnThisThread();
      }
    } else await screenOnThisThread();

    async function screenOnThisThread() {
      const raw = isStdin ? process.stdin : createReadStream(run.input, { highWaterMark: 1 << 16 });
      async function* counted() {
        for await (const chunk of raw as AsyncIterable<Buffer>) {
          bytes += chunk.length;
          yield chunk;
        }
      }
      const source = counted();
      let rows = 0;
      for await (const batch of readDeclarations(source, {
        file: isStdin ? '<stdin>' : run.input,
        format: run.inputFormat,
        encoding: run.encoding,
        onNotice: (m) => stderr.write(`note: ${m}\n`),
      })) {
        const decided = recorder
          ? await recorder.record(batch, (declaration) => screenDeclaration(compiled, declaration, options))
          : batch.items.map(({ declaration }) => screenDeclaration(compiled, declaration, options));
        for (const d of decided) {
          counts[d.decision]++;
          switch (run.format) {
            case 'jsonl':
              output.decision(d, true);
              break;
            case 'json':
              output.add(first ? '\n' : ',\n', '');
              output.decision(d, false);
              break;
            case 'csv':
              output.add(decisionCsvLine(d), '');
              break;
            case 'table':
              output.add(decisionTableLines(d), '');
              break;
          }
          first = false;
        }
        rows += batch.items.length;
        for (const chunk of output.take()) {
          const pending = write(out, chunk);
          if (pending) await pending;
        }
        if (batch.errors.length > 0) await reject(batch.errors);
        bar?.update(bytes, rows);
      }
    }
    bar?.done();
    if (recorder) {
      const stored = await recorder.finish();
      await recorder.close();
      stderr.write(
        `stored in ${stored.location}: ${stored.stored} new decision(s)` +
          `${stored.resumedFrom ? `, resumed after ${stored.resumedFrom} row(s) already recorded` : ''}\n`,
      );
    }
    if (run.format === 'json') await write(out, first ? ']\n' : '\n]\n');
    if (run.out) await closeStream(out as WriteStream);
    if (rejectsOut) await closeStream(rejectsOut);

    const total_ = counts.CLEAR + counts.HOLD + counts.REFUSE;
    stderr.write(
      `screened ${total_} declaration(s) as of ${run.asOf ?? 'their own dates'} (${run.jurisdiction}, regime ${regime.version}): ` +
        `${counts.CLEAR} CLEAR, ${counts.HOLD} HOLD, ${counts.REFUSE} REFUSE; ${rejected} row(s) rejected` +
        `${rejected && run.rejects ? ` (see ${run.rejects})` : ''}\n`,
    );
    for (const e of shownRejects) {
      stderr.write(
        `  rejected line ${e.line}${e.field ? ` field '${e.field}'` : ''}: ${e.reason} [${e.code}]\n`,
      );
    }
    if (rejected > shownRejects.length && !run.rejects)
      stderr.write(`  … pass --rejects <file> to keep every rejected row\n`);
    return { counts, rejected, regimeVersion: regime.version };
  }
}

export function register(program: Command): void {
  program
    .command('screen')
    .description(
      'Screen declarations (CSV, JSON or JSON lines; - for stdin) and print a decision with reasons for each',
    )
    .argument('<file>', 'declarations file, or - for standard input')
    .option('--as-of <date>', 'screen against the law of this date instead of each declaration date')
    .option('--jurisdiction <j>', 'UN (the resolutions) or CN (China’s announcements)', 'CN')
    .option('--format <format>', 'table, json, jsonl or csv', 'table')
    .option('--out <file>', 'write decisions to this file instead of stdout')
    .option('--rejects <file>', 'write rejected rows here (JSON lines; CSV when the name ends in .csv)')
    .option('--regimes <dir>', 'regime directory', DEFAULT_REGIME_DIR)
    .option('--input-format <format>', 'csv, json or jsonl (default: from the extension, else sniffed)')
    .option('--encoding <label>', 'input encoding, e.g. windows-1252 (default: detected)')
    .option('--no-parties', 'do not screen consignor, consignee and vessel against the party lists')
    .option('--data-dir <dir>', 'where imported party lists live (default: EMBARGO_HOME or the XDG data dir)')
    .option('--store', 'record every declaration and decision in the store (resumable after a kill)')
    .option(
      '--db <path|url>',
      'with --store: SQLite file or postgres:// URL (default: EMBARGO_DB, then the data dir)',
    )
    .option('--as <user>', 'with --store: the user recorded as screening (default: EMBARGO_USER)')
    .action(async (input: string, flags: Record<string, string | boolean | undefined>) => {
      const inputFormat = flags.inputFormat as string | undefined;
      if (inputFormat !== undefined && !(INPUT_FORMATS as readonly string[]).includes(inputFormat))
        throw new EmbargoError(
          'EMB_USAGE',
          `unknown --input-format '${inputFormat}'; expected ${INPUT_FORMATS.join(', ')}`,
        );
      const summary = await runScreen({
        input,
        jurisdiction: parseJurisdictionFlag(flags.jurisdiction as string | undefined),
        asOf: parseAsOf(flags.asOf as string | undefined),
        format: parseFormat(flags.format as string | undefined),
        out: flags.out as string | undefined,
        rejects: flags.rejects as string | undefined,
        regimes: flags.regimes as string,
        inputFormat: inputFormat as InputFormat | undefined,
        encoding: flags.encoding as string | undefined,
        parties: flags.parties !== false,
        dataDir: flags.dataDir as string | undefined,
        store: flags.store
          ? {
              db: flags.db as string | undefined,
              actor: ((flags.as as string | undefined) ?? process.env.EMBARGO_USER) || undefined,
            }
          : undefined,
      });
      if (summary.rejected > 0) process.exitCode = 3;
    });
}
