/**
 * The cap ledger on disk, until the store holds it: one journal under the data directory
 * (`<data dir>/cap-ledger.json`) of what was submitted against the caps — screened declarations and
 * external running totals (the 1718 Committee's published figure) — never of derived totals.
 *
 * Totals and decisions are derived by replaying the journal in declaration-date order (ties by id,
 * then submission), so batches screened concurrently by several processes end in exactly the state
 * one sequential, date-sorted run would reach: the journal is a set, and its replay order does not
 * depend on who wrote first. Writers take an exclusive lock file.
 *
 * Format 2 (docs/decisions.md R22) is append-only JSON lines: a header line, one line per entry (its
 * sequence number is its position among the committed entry lines), and a commit line after each
 * batch. An append writes only its own batch; a batch a crash left without its commit line is
 * ignored by readers and closed by the next writer with an abort line, so a crash never leaves half
 * a batch in the ledger, and nothing is ever rewritten: readers need no lock.
 * Format 1 (one JSON document, rewritten whole on every append) is still read, and converted by the
 * first append.
 *
 * @example
 *   await appendLedger(path, [{ kind: 'declaration', jurisdiction: 'CN', declaration }]);
 *   const replay = replayLedger(compiled, readLedger(path).entries);
 *   capStatus(compiled, replay, 'CN');
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { EmbargoError } from '../core/errors.js';
import type { CompiledRegime } from '../core/regime/compile.js';
import { type Cap, JURISDICTIONS, type Jurisdiction } from '../core/regime/measure-schema.js';
import { addDays, isCalendarDate } from '../core/regime/timeline.js';
import { CapLedger } from '../core/screening/cap-ledger.js';
import type { Decision } from '../core/screening/decision.js';
import type { Declaration } from '../core/screening/declaration.js';
import { screenDeclaration } from '../core/screening/screen.js';

export const LEDGER_FILE = 'cap-ledger.json';
/** the whole-document format of R12, still read */
export const LEDGER_FORMAT_V1 = 'embargo-cap-ledger/1';
/** the append-only JSON-lines format of R22, written */
export const LEDGER_FORMAT = 'embargo-cap-ledger/2';
const HEADER_LINE = `{"format":"${LEDGER_FORMAT}"}`;
const COMMIT_PREFIX = '{"commit":';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const reference = z.object({ type: z.string(), reference: z.string() });

// the declaration is stored as the core shape; the envelope is strict, the declaration keeps what
// the reader produced (extra columns included)
const DeclarationEntrySchema = z.strictObject({
  seq: z.number().int().positive(),
  kind: z.literal('declaration'),
  jurisdiction: z.enum(JURISDICTIONS),
  declaration: z.looseObject({
    id: z.string().min(1),
    date: isoDate,
    direction: z.enum(['import', 'export']),
    hsCode: z.string().regex(/^\d{2,10}$/),
    documents: z.array(reference),
    approvals: z.array(reference),
    flags: z.array(z.string()),
  }),
});

const SetTotalEntrySchema = z.strictObject({
  seq: z.number().int().positive(),
  kind: z.literal('set-total'),
  jurisdiction: z.enum(JURISDICTIONS),
  measure: z.string(),
  cap: z.string(),
  /** the total is the running total at the end of this day */
  date: isoDate,
  totals: z.record(z.string(), z.number().nonnegative()),
  source: z.string().optional(),
});

const LedgerFileSchema = z.strictObject({
  format: z.literal(LEDGER_FORMAT_V1),
  entries: z.array(z.discriminatedUnion('kind', [DeclarationEntrySchema, SetTotalEntrySchema])),
});

// a format-2 line carries an entry without its sequence number (the line's position gives it)
const LineEntrySchema = z.discriminatedUnion('kind', [
  DeclarationEntrySchema.omit({ seq: true }),
  SetTotalEntrySchema.omit({ seq: true }),
]);
const CommitLineSchema = z.strictObject({ commit: z.number().int().nonnegative() });
const AbortLineSchema = z.strictObject({ abort: z.literal(true) });
const ABORT_LINE = '{"abort":true}';

export type DeclarationEntry = Omit<z.infer<typeof DeclarationEntrySchema>, 'declaration'> & {
  declaration: Declaration;
};
export type SetTotalEntry = z.infer<typeof SetTotalEntrySchema>;
export type LedgerEntry = DeclarationEntry | SetTotalEntry;
/** An entry before the journal numbers it. */
export type NewLedgerEntry = Omit<DeclarationEntry, 'seq'> | Omit<SetTotalEntry, 'seq'>;

export interface LedgerJournal {
  entries: LedgerEntry[];
}

export function ledgerPath(dataDir: string): string {
  return join(dataDir, LEDGER_FILE);
}

/** Reads the journal (format 2, or format 1 of older ledgers); a missing file is an empty journal. */
export function readLedger(path: string): LedgerJournal {
  if (!existsSync(path)) return { entries: [] };
  const fd = openSync(path, 'r');
  try {
    const first = readHead(fd);
    if (first.replace(/^\uFEFF/, '').startsWith(HEADER_LINE)) return readLines(fd, path);
  } finally {
    closeSync(fd);
  }
  return readV1(path);
}

/** The first bytes of the file, enough to recognise the format-2 header line. */
function readHead(fd: number): string {
  const buf = Buffer.alloc(64);
  const n = readSync(fd, buf, 0, buf.length, 0);
  return buf.subarray(0, n).toString('utf8');
}

function readV1(path: string): LedgerJournal {
  let raw: unknown;
  try {
    // a ledger saved by a Windows editor may start with a byte-order mark
    raw = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (cause) {
    throw new EmbargoError(
      'EMB_LEDGER_INVALID',
      `the cap ledger is not valid JSON`,
      { file: path },
      { cause },
    );
  }
  const parsed = LedgerFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EmbargoError(
      'EMB_LEDGER_INVALID',
      `the cap ledger does not match ${LEDGER_FORMAT_V1} or ${LEDGER_FORMAT}: ${issue?.message}`,
      {
        file: path,
        path: issue?.path.join('.'),
      },
    );
  }
  return { entries: parsed.data.entries as LedgerEntry[] };
}

/**
 * Reads a format-2 journal line by line (1 MiB at a time, never the whole text at once) and returns
 * the committed entries: the last submission per key, in sequence order, an entry's `seq` being its
 * position among the committed entry lines. A batch counts only once its commit line is read; an
 * abort line (written by the next writer after a crash) or the end of the file drops the batch before
 * it, whatever its lines hold. A damaged line inside a committed batch is an error.
 */
function readLines(fd: number, path: string): LedgerJournal {
  const byKey = new Map<string, LedgerEntry>();
  let pending: { line: number; entry?: Omit<LedgerEntry, 'seq'>; error?: string }[] = [];
  let seq = 0;
  let lineNo = 0;
  const fail = (line: number, reason: string): never => {
    throw new EmbargoError('EMB_LEDGER_INVALID', `the cap ledger, line ${line}: ${reason}`, {
      file: path,
      line,
    });
  };
  const onLine = (text: string) => {
    lineNo += 1;
    if (lineNo === 1) return; // the header, recognised before
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      pending.push({ line: lineNo, error: 'not valid JSON' });
      return;
    }
    if (value !== null && typeof value === 'object' && 'commit' in value) {
      const commit = CommitLineSchema.safeParse(value);
      if (!commit.success) fail(lineNo, 'a commit line must be {"commit":<count>}');
      if (commit.data!.commit !== pending.length)
        fail(
          lineNo,
          `the commit line counts ${commit.data!.commit} entries, the batch before it has ${pending.length}`,
        );
      for (const p of pending) {
        if (!p.entry) fail(p.line, p.error ?? 'not an entry');
        seq += 1;
        // Object.assign, not a spread followed by a new key: ~1 µs and a map of its own per entry
        // on Node 20 (docs/decisions.md ST22)
        const e = Object.assign({}, p.entry!, { seq }) as LedgerEntry;
        byKey.set(entryKey(e), e);
      }
      pending = [];
    } else if (value !== null && typeof value === 'object' && 'abort' in value) {
      if (!AbortLineSchema.safeParse(value).success) fail(lineNo, 'an abort line must be {"abort":true}');
      pending = [];
    } else {
      const parsed = LineEntrySchema.safeParse(value);
      if (parsed.success) pending.push({ line: lineNo, entry: parsed.data as Omit<LedgerEntry, 'seq'> });
      else {
        const issue = parsed.error.issues[0];
        pending.push({ line: lineNo, error: `${issue?.path.join('.') || 'entry'}: ${issue?.message}` });
      }
    }
  };
  const buf = Buffer.alloc(1 << 20);
  let carry = Buffer.alloc(0);
  let position = 0;
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, position);
    if (n === 0) break;
    position += n;
    const chunk = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      onLine(chunk.toString('utf8', start, nl));
      start = nl + 1;
    }
    carry = Buffer.from(chunk.subarray(start));
  }
  // a last line without its newline, and a batch without its commit line, are what a crash
  // mid-append leaves: never committed, so not part of the ledger
  return { entries: [...byKey.values()].sort((a, b) => a.seq - b.seq) };
}

/**
 * Whether the journal ends in a committed state (after its header, a commit line or an abort line);
 * reads only its last bytes.
 */
function endsCommitted(fd: number): { committed: boolean; newline: boolean } {
  const size = fstatSync(fd).size;
  const len = Math.min(size, 256);
  const tail = Buffer.alloc(len);
  readSync(fd, tail, 0, len, size - len);
  if (len === 0) return { committed: false, newline: true };
  if (tail[len - 1] !== 10) return { committed: false, newline: false };
  const prev = tail.lastIndexOf(10, len - 2);
  if (prev === -1 && size > len) return { committed: false, newline: true }; // a long (entry) line
  const last = tail.toString('utf8', prev + 1, len - 1).replace(/^\uFEFF/, '');
  if (last === HEADER_LINE) return { committed: true, newline: true };
  try {
    const value: unknown = JSON.parse(last);
    const closed = CommitLineSchema.safeParse(value).success || AbortLineSchema.safeParse(value).success;
    return { committed: closed, newline: true };
  } catch {
    return { committed: false, newline: true };
  }
}

const entryKey = (e: LedgerEntry | NewLedgerEntry) =>
  e.kind === 'declaration'
    ? `d|${e.jurisdiction}|${e.declaration.id}`
    : `t|${e.jurisdiction}|${e.measure}|${e.cap}|${e.date}`;

/**
 * Merges new entries into a journal: a declaration id (per jurisdiction) or a running total (per
 * measure, cap and day) submitted again replaces the earlier submission. Pure.
 */
export function mergeEntries(journal: LedgerJournal, added: readonly NewLedgerEntry[]): LedgerJournal {
  let seq = journal.entries.reduce((m, e) => Math.max(m, e.seq), 0);
  const byKey = new Map<string, LedgerEntry>();
  for (const e of journal.entries) byKey.set(entryKey(e), e);
  for (const e of added) {
    seq += 1;
    byKey.set(entryKey(e), Object.assign({}, e, { seq }) as LedgerEntry);
  }
  return { entries: [...byKey.values()].sort((a, b) => a.seq - b.seq) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` holding the journal's lock file; stale locks (older than `staleMs`) are broken. */
export async function withLedgerLock<T>(
  path: string,
  fn: () => T | Promise<T>,
  { timeoutMs = 30_000, staleMs = 60_000 } = {},
): Promise<T> {
  const lock = `${path}.lock`;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(lock).mtimeMs > staleMs) unlinkSync(lock);
        else breakIfHolderDied(lock);
      } catch {
        // the holder released it between our two calls: just retry
      }
      if (Date.now() - started > timeoutMs)
        throw new EmbargoError(
          'EMB_LEDGER_LOCKED',
          `the cap ledger stayed locked for ${timeoutMs / 1000} s`,
          {
            file: lock,
          },
        );
      await sleep(10 + Math.floor(Math.random() * 20) + Math.min(attempt, 20) * 5);
    }
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      // already gone (broken as stale by another process after a very long hold)
    }
  }
}

/**
 * Breaks a lock whose holder (a process on this machine, named by the pid the lock holds) has died,
 * e.g. a `cap consume` killed mid-append, so the next writer need not wait for the lock to go stale.
 * The lock is first moved aside (atomic, so only one waiter breaks it) and deleted only if it is
 * still the dead holder's; a live lock moved by mistake in that instant is put back.
 */
function breakIfHolderDied(lock: string): void {
  const text = readFileSync(lock, 'utf8');
  const pid = Number(text);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return;
  try {
    process.kill(pid, 0);
    return; // alive (or not ours to signal): wait for it
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') return;
  }
  const aside = `${lock}.${process.pid}.${Date.now()}.dead`;
  renameSync(lock, aside);
  try {
    if (readFileSync(aside, 'utf8') !== text) linkSync(aside, lock);
  } catch {
    // a new holder's lock is in place already: leave it
  } finally {
    unlinkSync(aside);
  }
}

const lineOf = (e: NewLedgerEntry | LedgerEntry): string => {
  const { seq: _seq, ...rest } = e as LedgerEntry;
  return JSON.stringify(rest);
};

/** One batch as format-2 lines: its entries, then its commit line. */
function batchText(entries: readonly (NewLedgerEntry | LedgerEntry)[]): string {
  let text = '';
  for (const e of entries) text += `${lineOf(e)}\n`;
  return `${text}${COMMIT_PREFIX}${entries.length}}\n`;
}

/**
 * Appends a batch under the lock: only the batch and its commit line are written, after an abort
 * line when a crash left the journal uncommitted, then fsynced; nothing in the file is ever
 * rewritten, so readers (who take no lock) always see a prefix of it. A format-1 ledger is first
 * converted to format 2 (written beside it, then renamed over it). Returns the journal as it
 * stands after the append (read once the lock is released: it may hold later writers' batches).
 */
export async function appendLedger(path: string, added: readonly NewLedgerEntry[]): Promise<LedgerJournal> {
  await appendBatch(path, added);
  return readLedger(path);
}

/** The write half of `appendLedger`: what happens under the lock (converting, sealing, appending). */
export async function appendBatch(path: string, added: readonly NewLedgerEntry[]): Promise<void> {
  await withLedgerLock(path, () => {
    if (existsSync(path)) {
      const fd = openSync(path, 'r');
      let v2: boolean;
      try {
        v2 = readHead(fd)
          .replace(/^\uFEFF/, '')
          .startsWith(HEADER_LINE);
      } finally {
        closeSync(fd);
      }
      if (!v2) {
        // format 1: rewrite once as format 2 (its entries as one committed batch), atomically
        const old = readV1(path);
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(tmp, `${HEADER_LINE}\n${old.entries.length ? batchText(old.entries) : ''}`);
        renameSync(tmp, path);
      }
    } else {
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${HEADER_LINE}\n`);
      renameSync(tmp, path);
    }
    if (added.length === 0) return;
    const fd = openSync(path, 'a+');
    try {
      const end = endsCommitted(fd);
      // the batch goes out in pieces of about 1 MiB (no string the size of the batch); it counts
      // only once its commit line, written last, is there
      let text = end.committed ? '' : `${end.newline ? '' : '\n'}${ABORT_LINE}\n`;
      const flush = () => {
        const bytes = Buffer.from(text, 'utf8');
        let written = 0;
        while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
        text = '';
      };
      for (const e of added) {
        text += `${lineOf(e)}\n`;
        if (text.length >= 1 << 20) flush();
      }
      text += `${COMMIT_PREFIX}${added.length}}\n`;
      flush();
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  });
}

/** One declaration's draw on one cap, as the notification figures need it. */
export interface Consumption {
  seq: number;
  id: string;
  date: string;
  jurisdiction: Jurisdiction;
  measure: string;
  cap: string;
  /** first day of the cap period drawn on */
  period: string;
  /** the declaration measured in each limit unit of the period (USD, t, bbl) */
  amounts: Record<string, number>;
  quantity: number | null;
  unit: string | null;
  value: number | null;
  currency: string | null;
  consignor: string | null;
  consignee: string | null;
  to: string | null;
  origin: string | null;
  vessel: string | null;
}

export interface LedgerReplay {
  ledgers: Record<Jurisdiction, CapLedger>;
  /** decision per declaration entry (by seq) as of the whole journal */
  decisions: Map<number, Decision>;
  consumption: Consumption[];
}

function capOf(compiled: CompiledRegime, measure: string, cap: string): Cap | undefined {
  return compiled.measures.find((m) => m.id === measure)?.measure.caps.find((c) => c.id === cap);
}

/**
 * Replays a journal: declarations in date order (ties by id, then submission), a running total
 * after every declaration of its day. Pure and deterministic whatever the order of `entries`.
 */
export function replayLedger(compiled: CompiledRegime, entries: readonly LedgerEntry[]): LedgerReplay {
  const ledgers = Object.fromEntries(JURISDICTIONS.map((j) => [j, new CapLedger(compiled.units)])) as Record<
    Jurisdiction,
    CapLedger
  >;
  const sortKey = (e: LedgerEntry): [string, number, string, number] =>
    e.kind === 'declaration'
      ? [e.declaration.date, 0, e.declaration.id, e.seq]
      : [e.date, 1, `${e.measure}/${e.cap}`, e.seq];
  // keys computed once per entry, not once per comparison
  const keyed = entries.map((e) => ({ e, k: sortKey(e) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < a.k.length; i++) {
      const x = a.k[i]!;
      const y = b.k[i]!;
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  });
  const ordered = keyed.map((x) => x.e);
  const decisions = new Map<number, Decision>();
  const consumption: Consumption[] = [];
  const caps = new Map<string, Cap | undefined>();
  const capFor = (measure: string, cap: string) => {
    const key = `${measure}/${cap}`;
    if (!caps.has(key)) caps.set(key, capOf(compiled, measure, cap));
    return caps.get(key);
  };
  for (const e of ordered) {
    const ledger = ledgers[e.jurisdiction];
    if (e.kind === 'set-total') {
      const cap = capOf(compiled, e.measure, e.cap);
      if (cap?.periods.some((p) => e.date >= p.from && e.date < p.to))
        ledger.setRunningTotal(e.measure, cap, e.date, e.totals);
      continue;
    }
    const d = e.declaration;
    const decision = screenDeclaration(compiled, d, { jurisdiction: e.jurisdiction, ledger });
    decisions.set(e.seq, decision);
    if (decision.decision !== 'CLEAR') continue;
    for (const r of decision.reasons) {
      if (r.kind !== 'cap-consumed') continue;
      const capId = String(r.details?.cap ?? '');
      const cap = capFor(r.measure, capId);
      const period = cap?.periods.find((p) => p.from === r.details?.period);
      if (!cap || !period) continue;
      const amounts: Record<string, number> = {};
      for (const l of period.limits) {
        const a = ledger.amountIn(d, l.unit, cap.product);
        if (a !== undefined) amounts[l.unit] = a;
      }
      consumption.push({
        seq: e.seq,
        id: d.id,
        date: d.date,
        jurisdiction: e.jurisdiction,
        measure: r.measure,
        cap: capId,
        period: period.from,
        amounts,
        quantity: d.quantity ?? null,
        unit: d.unit ?? null,
        value: d.value ?? null,
        currency: d.currency ?? null,
        consignor: d.consignor ?? null,
        consignee: d.consignee ?? null,
        to: d.to ?? null,
        origin: d.origin ?? null,
        vessel: d.vesselName ?? d.vesselImo ?? null,
      });
    }
  }
  return { ledgers, decisions, consumption };
}

export interface CapPeriodStatus {
  jurisdiction: Jurisdiction;
  measure: string;
  cap: string;
  title: string;
  from: string;
  /** exclusive */
  to: string;
  limits: { amount: number; unit: string; used: number; headroom: number; fraction: number }[];
  /** the cap stands at its fullest limit (lower-of rule) */
  fraction: number;
  warningLevelsReached: number[];
  stopAt: number | null;
  state: 'open' | 'warning' | 'stopped' | 'exhausted';
  scope: 'global' | 'national';
}

/** Every period of every cap of the jurisdiction's measures, with what the replay used of it. */
export function capStatus(
  compiled: CompiledRegime,
  replay: LedgerReplay,
  jurisdiction: Jurisdiction,
  measure?: string,
): CapPeriodStatus[] {
  const used = new Map(replay.ledgers[jurisdiction].snapshot().map((s) => [s.key, s.used]));
  const out: CapPeriodStatus[] = [];
  for (const m of compiled.measures) {
    if (m.jurisdiction !== jurisdiction || (measure !== undefined && m.id !== measure)) continue;
    for (const cap of m.measure.caps)
      for (const p of cap.periods) {
        const u = used.get(`${m.id}/${cap.id}@${p.from}`) ?? {};
        const stop = cap.stop_at ?? 1;
        const limits = p.limits.map((l) => {
          const usedAmount = u[l.unit] ?? 0;
          return {
            amount: l.amount,
            unit: l.unit,
            used: usedAmount,
            headroom: Math.max(0, l.amount * stop - usedAmount),
            fraction: usedAmount / l.amount,
          };
        });
        const fraction = Math.max(0, ...limits.map((l) => l.fraction));
        const reached = cap.warning_levels.filter((w) => fraction >= w);
        out.push({
          jurisdiction,
          measure: m.id,
          cap: cap.id,
          title: cap.title,
          from: p.from,
          to: p.to,
          limits,
          fraction,
          warningLevelsReached: reached,
          stopAt: cap.stop_at ?? null,
          state:
            fraction >= 1
              ? 'exhausted'
              : fraction >= stop
                ? 'stopped'
                : reached.length > 0
                  ? 'warning'
                  : 'open',
          scope: cap.scope,
        });
      }
  }
  return out;
}

/** A reporting period from the CLI: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or `YYYY-MM-DD..YYYY-MM-DD` (inclusive). */
export function parsePeriod(text: string): { from: string; to: string } | undefined {
  const valid = isCalendarDate;
  let m = /^(\d{4})$/.exec(text);
  if (m) return { from: `${m[1]}-01-01`, to: `${Number(m[1]) + 1}-01-01` };
  m = /^(\d{4})-(\d{2})$/.exec(text);
  if (m) {
    const from = `${m[1]}-${m[2]}-01`;
    if (!valid(from)) return undefined;
    const month = Number(m[2]);
    const to =
      month === 12 ? `${Number(m[1]) + 1}-01-01` : `${m[1]}-${String(month + 1).padStart(2, '0')}-01`;
    return { from, to };
  }
  if (valid(text)) return { from: text, to: addDays(text, 1) };
  const range = /^(\S+)\.\.(\S+)$/.exec(text);
  if (range && valid(range[1]!) && valid(range[2]!) && range[1]! <= range[2]!)
    return { from: range[1]!, to: addDays(range[2]!, 1) };
  return undefined;
}

export interface PartyFigure {
  role: 'consignee' | 'consignor';
  name: string;
  declarations: number;
  amounts: Record<string, number>;
}

export interface CapReport {
  measure: string;
  citation: string;
  jurisdiction: Jurisdiction;
  period: { from: string; to: string };
  /** the notification duties the measure states */
  duties: { who: string; to: string; cadence: string; what: string }[];
  declarations: number;
  /** the cleared declarations measured in the caps' units */
  totals: Record<string, number>;
  /** as declared: quantity per declared unit, value per currency */
  quantities: Record<string, number>;
  values: Record<string, number>;
  parties: PartyFigure[];
  lines: Consumption[];
  /** the cap periods overlapping the reporting period, as the whole ledger stands now */
  caps: CapPeriodStatus[];
}

const add = (rec: Record<string, number>, key: string, n: number) => {
  rec[key] = (rec[key] ?? 0) + n;
};

/** The notification figures for one measure and reporting period, from a replayed ledger. */
export function capReport(
  compiled: CompiledRegime,
  replay: LedgerReplay,
  measure: string,
  period: { from: string; to: string },
): CapReport | undefined {
  const m = compiled.measures.find((x) => x.id === measure);
  if (!m) return undefined;
  const lines = replay.consumption
    .filter((c) => c.measure === measure && c.date >= period.from && c.date < period.to)
    .sort((a, b) => (a.date === b.date ? (a.id < b.id ? -1 : 1) : a.date < b.date ? -1 : 1));
  const totals: Record<string, number> = {};
  const quantities: Record<string, number> = {};
  const values: Record<string, number> = {};
  const parties = new Map<string, PartyFigure>();
  for (const c of lines) {
    for (const [u, n] of Object.entries(c.amounts)) add(totals, u, n);
    if (c.quantity !== null && c.unit) add(quantities, c.unit, c.quantity);
    if (c.value !== null && c.currency) add(values, c.currency.toUpperCase(), c.value);
    for (const role of ['consignee', 'consignor'] as const) {
      const name = c[role];
      if (!name) continue;
      const key = `${role}|${name}`;
      const p = parties.get(key) ?? { role, name, declarations: 0, amounts: {} };
      p.declarations += 1;
      for (const [u, n] of Object.entries(c.amounts)) add(p.amounts, u, n);
      parties.set(key, p);
    }
  }
  return {
    measure,
    citation: m.citation,
    jurisdiction: m.jurisdiction,
    period,
    duties: m.measure.notifications.map((n) => ({ who: n.who, to: n.to, cadence: n.cadence, what: n.what })),
    declarations: lines.length,
    totals,
    quantities,
    values,
    parties: [...parties.values()].sort((a, b) =>
      a.role === b.role ? (a.name < b.name ? -1 : 1) : a.role < b.role ? -1 : 1,
    ),
    lines,
    caps: capStatus(compiled, replay, m.jurisdiction, measure).filter(
      (s) => s.from < period.to && s.to > period.from,
    ),
  };
}
