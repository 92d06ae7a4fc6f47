/**
 * The cap ledger on disk, until the store holds it: one JSON journal under the data directory
 * (`<data dir>/cap-ledger.json`) of what was submitted against the caps — screened declarations and
 * external running totals (the 1718 Committee's published figure) — never of derived totals.
 *
 * Totals and decisions are derived by replaying the journal in declaration-date order (ties by id,
 * then submission), so batches screened concurrently by several processes end in exactly the state
 * one sequential, date-sorted run would reach: the journal is a set, and its replay order does not
 * depend on who wrote first. Writers take an exclusive lock file; the journal is replaced atomically
 * (write to a temporary file, then rename), so a crash never leaves half a ledger.
 *
 * @example
 *   await appendLedger(path, [{ kind: 'declaration', jurisdiction: 'CN', declaration }]);
 *   const replay = replayLedger(compiled, readLedger(path).entries);
 *   capStatus(compiled, replay, 'CN');
 */
import { existsSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
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
export const LEDGER_FORMAT = 'embargo-cap-ledger/1';

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
  format: z.literal(LEDGER_FORMAT),
  entries: z.array(z.discriminatedUnion('kind', [DeclarationEntrySchema, SetTotalEntrySchema])),
});

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

/** Reads the journal; a missing file is an empty journal. */
export function readLedger(path: string): LedgerJournal {
  if (!existsSync(path)) return { entries: [] };
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
      `the cap ledger does not match ${LEDGER_FORMAT}: ${issue?.message}`,
      {
        file: path,
        path: issue?.path.join('.'),
      },
    );
  }
  return { entries: parsed.data.entries as LedgerEntry[] };
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
    byKey.set(entryKey(e), { ...e, seq } as LedgerEntry);
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

/** Appends entries under the lock and replaces the journal atomically; returns the new journal. */
export async function appendLedger(path: string, added: readonly NewLedgerEntry[]): Promise<LedgerJournal> {
  return withLedgerLock(path, () => {
    const journal = mergeEntries(readLedger(path), added);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ format: LEDGER_FORMAT, entries: journal.entries }, null, 1)}\n`);
    renameSync(tmp, path);
    return journal;
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
