/**
 * `embargo cap consume|status|set-total|report`: caps as ledgers. The ledger is a journal under the
 * data directory (src/ingest/cap-ledger-file.ts); every command replays it, so concurrent `consume`
 * runs end in the state one sequential, date-sorted run would reach.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EmbargoError } from '../../core/errors.js';
import { type CompiledRegime, compileRegime } from '../../core/regime/compile.js';
import { decisionToJson } from '../../core/screening/screen.js';
import {
  appendLedger,
  type CapPeriodStatus,
  capReport,
  capStatus,
  ledgerPath,
  parsePeriod,
  readLedger,
  replayLedger,
} from '../../ingest/cap-ledger-file.js';
import { DEFAULT_REGIME_DIR, loadRegime } from '../../ingest/regime-loader.js';
import { resolveDataDir } from '../config.js';
import { EXIT } from '../main.js';
import { formatRows, parseFormat, type Row } from '../output.js';
import { parseDateFlag, parseJurisdiction } from './regime-history.js';
import { readDeclarationFile, reportRejects } from './rescreen.js';

interface Common {
  jurisdiction?: string;
  format?: string;
  out?: string;
  regimeDir?: string;
  dataDir?: string;
}

const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const fmt = (n: number) => NUMBER.format(n);

function write(text: string, out: string | undefined): void {
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}

function compiledOf(opts: Common): CompiledRegime {
  return compileRegime(loadRegime(opts.regimeDir ?? DEFAULT_REGIME_DIR));
}

export function statusRows(rows: readonly CapPeriodStatus[]): Row[] {
  return rows.map((s) => ({
    measure: s.measure,
    cap: s.cap,
    from: s.from,
    to: s.to,
    used: s.limits.map((l) => `${fmt(l.used)} / ${fmt(l.amount)} ${l.unit}`).join('; '),
    percent: `${(s.fraction * 100).toFixed(1)}%`,
    state: s.state,
    warnings: s.warningLevelsReached.map((w) => `${Math.round(w * 100)}%`).join(' '),
    headroom: s.limits.map((l) => `${fmt(l.headroom)} ${l.unit}`).join('; '),
  }));
}

function measureOf(compiled: CompiledRegime, id: string) {
  const m = compiled.measures.find((x) => x.id === id);
  if (!m) throw new EmbargoError('EMB_REGIME_UNKNOWN_MEASURE', `no measure '${id}'`, { field: 'measure' });
  if (m.measure.caps.length === 0)
    throw new EmbargoError('EMB_CAP_UNKNOWN', `measure ${id} has no cap`, { field: 'measure' });
  return m;
}

export function register(program: Command): void {
  const cap = program
    .command('cap')
    .description(
      'Caps as ledgers: consume a screened batch, status, external running totals, notification reports',
    );
  const common = (c: Command) =>
    c
      .option('--format <f>', 'table, json, jsonl or csv', 'table')
      .option('--out <file>', 'write to a file instead of stdout')
      .option('--regime-dir <dir>', 'regime directory (default: the shipped regimes/)')
      .option(
        '--data-dir <dir>',
        'data directory holding cap-ledger.json (default: EMBARGO_HOME or the XDG data dir)',
      );

  common(
    cap
      .command('consume')
      .description(
        'Screen a batch against the persistent cap ledger (in declaration-date order) and record it',
      )
      .argument('<file>', 'declarations (CSV, JSON or JSON lines)')
      .option('--jurisdiction <j>', 'UN or CN', 'CN'),
  ).action(async (file: string, opts: Common) => {
    const format = parseFormat(opts.format);
    const jurisdiction = parseJurisdiction(opts.jurisdiction);
    if (!jurisdiction) throw new EmbargoError('EMB_USAGE', '--jurisdiction must be UN or CN');
    const compiled = compiledOf(opts);
    const { items, errors } = await readDeclarationFile(file);
    reportRejects(file, errors);
    const path = ledgerPath(resolveDataDir(opts.dataDir));
    const journal = await appendLedger(
      path,
      items.map((declaration) => ({ kind: 'declaration' as const, jurisdiction, declaration })),
    );
    const replay = replayLedger(compiled, journal.entries);
    const mine = new Set(items.map((d) => d.id));
    const decisions = journal.entries
      .filter(
        (e) => e.kind === 'declaration' && e.jurisdiction === jurisdiction && mine.has(e.declaration.id),
      )
      .map((e) => replay.decisions.get(e.seq))
      .filter((d) => d !== undefined);
    if (format === 'json') write(`${JSON.stringify(decisions.map(decisionToJson), null, 2)}\n`, opts.out);
    else if (format === 'jsonl')
      write(decisions.map((d) => `${JSON.stringify(decisionToJson(d))}\n`).join(''), opts.out);
    else
      write(
        formatRows(
          decisions.map((d) => ({
            id: d.id,
            as_of: d.asOf,
            decision: d.decision,
            exception: d.exception ?? '',
            reasons: d.reasons.map((r) => `${r.kind}${r.measure ? ` ${r.measure}` : ''}`).join('; '),
          })),
          format,
        ),
        opts.out,
      );
    const counts = decisions.reduce<Record<string, number>>((acc, d) => {
      acc[d.decision] = (acc[d.decision] ?? 0) + 1;
      return acc;
    }, {});
    process.stderr.write(
      `${decisions.length} declaration(s) recorded in ${path}: ${Object.entries(counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}${errors.length ? `; ${errors.length} row(s) rejected` : ''}\n`,
    );
    if (errors.length > 0) process.exitCode = EXIT.rejects;
  });

  common(
    cap
      .command('status')
      .description('Every period of every cap: used, headroom, warning levels reached, stopped or exhausted')
      .option('--jurisdiction <j>', 'UN or CN', 'CN')
      .option('--measure <id>', 'only this measure')
      .option('--used', 'only periods something was counted in'),
  ).action((opts: Common & { measure?: string; used?: boolean }) => {
    const format = parseFormat(opts.format);
    const jurisdiction = parseJurisdiction(opts.jurisdiction);
    if (!jurisdiction) throw new EmbargoError('EMB_USAGE', '--jurisdiction must be UN or CN');
    const compiled = compiledOf(opts);
    if (opts.measure) measureOf(compiled, opts.measure);
    const replay = replayLedger(compiled, readLedger(ledgerPath(resolveDataDir(opts.dataDir))).entries);
    const rows = capStatus(compiled, replay, jurisdiction, opts.measure).filter(
      (s) => !opts.used || s.limits.some((l) => l.used > 0),
    );
    if (format === 'json') write(`${JSON.stringify(rows, null, 2)}\n`, opts.out);
    else write(formatRows(statusRows(rows), format), opts.out);
  });

  common(
    cap
      .command('set-total')
      .description(
        "Set a cap's running total from an external figure (the 1718 Committee's), as of the end of a day",
      )
      .requiredOption('--measure <id>', 'measure with the cap, e.g. UN-2397-OP5')
      .option('--cap <id>', 'cap id (needed when the measure has several)')
      .requiredOption('--date <date>', 'the day the figure stands at (end of day)')
      .requiredOption(
        '--total <amount:unit...>',
        'running total per unit, e.g. 490000:bbl (repeat for each unit)',
      )
      .option('--source <text>', 'where the figure comes from'),
  ).action(
    async (
      opts: Common & { measure: string; cap?: string; date: string; total: string[]; source?: string },
    ) => {
      const compiled = compiledOf(opts);
      const m = measureOf(compiled, opts.measure);
      const date = parseDateFlag(opts.date, '--date');
      const caps = m.measure.caps;
      const c = opts.cap ? caps.find((x) => x.id === opts.cap) : caps.length === 1 ? caps[0] : undefined;
      if (!c)
        throw new EmbargoError(
          'EMB_CAP_UNKNOWN',
          opts.cap
            ? `measure ${m.id} has no cap '${opts.cap}' (it has ${caps.map((x) => x.id).join(', ')})`
            : `measure ${m.id} has several caps: pass --cap (${caps.map((x) => x.id).join(', ')})`,
          { field: 'cap' },
        );
      const period = c.periods.find((p) => date >= p.from && date < p.to);
      if (!period)
        throw new EmbargoError('EMB_CAP_UNKNOWN', `no period of cap ${c.id} of ${m.id} contains ${date}`, {
          field: 'date',
        });
      const totals: Record<string, number> = {};
      for (const t of opts.total) {
        const match = /^([0-9][0-9_,.]*):(\S+)$/.exec(t);
        const amount = match ? Number(match[1]!.replaceAll(/[_,]/g, '')) : Number.NaN;
        if (!match || !Number.isFinite(amount))
          throw new EmbargoError('EMB_USAGE', `--total '${t}' is not <amount>:<unit>, e.g. 490000:bbl`);
        const unit = match[2]!;
        if (!period.limits.some((l) => l.unit === unit))
          throw new EmbargoError(
            'EMB_CAP_UNKNOWN',
            `cap ${c.id} counts in ${period.limits.map((l) => l.unit).join(' and ')}, not '${unit}'`,
            { field: 'total' },
          );
        totals[unit] = amount;
      }
      const path = ledgerPath(resolveDataDir(opts.dataDir));
      const journal = await appendLedger(path, [
        {
          kind: 'set-total',
          jurisdiction: m.jurisdiction,
          measure: m.id,
          cap: c.id,
          date,
          totals,
          ...(opts.source ? { source: opts.source } : {}),
        },
      ]);
      const replay = replayLedger(compiled, journal.entries);
      const rows = capStatus(compiled, replay, m.jurisdiction, m.id).filter(
        (s) => s.cap === c.id && s.from === period.from,
      );
      write(formatRows(statusRows(rows), parseFormat(opts.format)), opts.out);
    },
  );

  common(
    cap
      .command('report')
      .description(
        'Notification figures for a measure and period: quantities, values, parties, from the ledger',
      )
      .requiredOption('--measure <id>', 'measure whose duty is reported, e.g. UN-2397-OP5')
      .requiredOption('--period <p>', 'YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD (inclusive)'),
  ).action((opts: Common & { measure: string; period: string }) => {
    const format = parseFormat(opts.format);
    const compiled = compiledOf(opts);
    measureOf(compiled, opts.measure);
    const period = parsePeriod(opts.period);
    if (!period)
      throw new EmbargoError('EMB_USAGE', `--period '${opts.period}' is not YYYY, YYYY-MM or a date range`);
    const replay = replayLedger(compiled, readLedger(ledgerPath(resolveDataDir(opts.dataDir))).entries);
    const report = capReport(compiled, replay, opts.measure, period);
    if (!report) throw new EmbargoError('EMB_REGIME_UNKNOWN_MEASURE', `no measure '${opts.measure}'`);
    if (format === 'json') {
      write(`${JSON.stringify(report, null, 2)}\n`, opts.out);
      return;
    }
    const lines: Row[] = report.lines.map((l) => ({
      id: l.id,
      date: l.date,
      quantity: l.quantity === null ? '' : `${fmt(l.quantity)} ${l.unit ?? ''}`,
      value: l.value === null ? '' : `${fmt(l.value)} ${l.currency ?? ''}`,
      counted: Object.entries(l.amounts)
        .map(([u, n]) => `${fmt(n)} ${u}`)
        .join('; '),
      consignor: l.consignor ?? '',
      consignee: l.consignee ?? '',
      vessel: l.vessel ?? '',
    }));
    if (format !== 'table') {
      write(formatRows(lines, format), opts.out);
      return;
    }
    const head = [
      `Notification figures: ${report.measure} (${report.citation})`,
      `Period ${report.period.from} to ${report.period.to} (exclusive), jurisdiction ${report.jurisdiction}`,
      ...report.duties.map((d) => `Duty (${d.cadence}): ${d.who} to ${d.to}: ${d.what}`),
      `Declarations counted: ${report.declarations}`,
      `Counted against the cap: ${
        Object.entries(report.totals)
          .map(([u, n]) => `${fmt(n)} ${u}`)
          .join('; ') || 'nothing'
      }`,
      `Quantities as declared: ${
        Object.entries(report.quantities)
          .map(([u, n]) => `${fmt(n)} ${u}`)
          .join('; ') || '-'
      }`,
      `Values as declared: ${
        Object.entries(report.values)
          .map(([u, n]) => `${fmt(n)} ${u}`)
          .join('; ') || '-'
      }`,
      '',
    ].join('\n');
    const parties = formatRows(
      report.parties.map((p) => ({
        role: p.role,
        party: p.name,
        declarations: p.declarations,
        counted: Object.entries(p.amounts)
          .map(([u, n]) => `${fmt(n)} ${u}`)
          .join('; '),
      })),
      'table',
    );
    write(
      `${head}\nParties\n${parties}\nDeclarations\n${formatRows(lines, 'table')}\nCap standing\n${formatRows(statusRows(report.caps), 'table')}`,
      opts.out,
    );
  });
}
