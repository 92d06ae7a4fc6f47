/**
 * `embargo trade …`: the trade monitor. `import` reads Comtrade, generic CSV and observations
 * files into the store; `series` prints one series with gaps as gaps; `report` summarises a
 * period (table, JSON, CSV or a self-contained HTML page); `conflicts` lists the figures that
 * cannot all be true; `sources` lists who reported what. The shipped dataset is loaded on first use.
 * Observations live in the main store (`--db <path|postgres://…>`, then EMBARGO_DB, then
 * `embargo.db` in the data directory), beside decisions, cases and the audit trail.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describeLocation, EmbargoError } from '../../core/errors.js';
import { checkConsistency, FINDING_KINDS } from '../../core/trade/consistency-checks.js';
import { yearOnYear } from '../../core/trade/monthly-totals.js';
import { FLOWS, type Flow, isMonth, type Observation } from '../../core/trade/observation.js';
import { parsePeriod } from '../../core/trade/observation-schema.js';
import {
  buildSeries,
  ObservationIndex,
  SERIES_GRANULARITIES,
  SERIES_MEASURES,
  type SeriesGranularity,
  type SeriesMeasure,
} from '../../core/trade/series.js';
import { buildTradeReport, monthlyGaps, type TradeReport } from '../../core/trade/trade-report.js';
import { renderTradeReportHtml } from '../../core/trade/trade-report-html.js';
import { DEFAULT_REGIME_DIR, loadRegime } from '../../ingest/regime-loader.js';
import {
  readTradeFileTotals,
  tradeWorkers,
  tradeWorkersWait,
} from '../../ingest/trade/parallel-trade-reader.js';
import { TRADE_FORMATS, type TradeFormat } from '../../ingest/trade/trade-file-reader.js';
import { DEFAULT_ACTOR, importTradeFile, openTradeStore } from '../../ingest/trade/trade-importer.js';
import { actingUser } from '../../services/store-session.js';
import { resolveDbTarget } from '../../store/open-store.js';
import { resolveDataDir } from '../config.js';
import { EXIT } from '../main.js';
import { formatRows, parseFormat, type Row } from '../output.js';

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new EmbargoError('EMB_USAGE', `unknown ${flag} '${value}'; expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function monthFlag(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (!isMonth(value)) throw new EmbargoError('EMB_USAGE', `${flag} '${value}' is not a month YYYY-MM`);
  return value;
}

interface StoreFlags {
  dataDir?: string;
  db?: string;
}

/** `--db`, then EMBARGO_DB, then `embargo.db` in the data directory (`--data-dir`, EMBARGO_HOME, XDG). */
const dbTarget = (flags: StoreFlags) => resolveDbTarget(flags.db, () => resolveDataDir(flags.dataDir));

async function openWithSeed(flags: StoreFlags, actor: string) {
  const opened = await openTradeStore(dbTarget(flags), { actor });
  for (const c of opened.seedConflicts) process.stderr.write(`warning: shipped dataset: ${c.message}\n`);
  return opened.store;
}

async function withStore<T>(flags: StoreFlags, run: (observations: Observation[]) => T): Promise<T> {
  const store = await openWithSeed(flags, DEFAULT_ACTOR);
  try {
    return run(await store.list());
  } finally {
    await store.close();
  }
}

const DB_OPTION = [
  '--db <path|url>',
  'SQLite file or postgres:// URL (default: EMBARGO_DB, then embargo.db in the data dir)',
] as const;

const fmt = (v: number | undefined, digits = 1) =>
  v === undefined || !Number.isFinite(v) ? '' : Number(v.toFixed(digits)).toLocaleString('en-US');
const money = (v: number | undefined) => (v === undefined ? 'unreported' : `${fmt(v / 1e6, 2)}m`);

export function register(program: Command): void {
  const trade = program
    .command('trade')
    .description(
      'Trade monitor: reported China–DPRK trade figures with provenance, checks and sanctions views',
    )
    .option('--data-dir <dir>', 'where the store lives (default: EMBARGO_HOME or the XDG data dir)');
  const flags = (opts: { db?: string }): StoreFlags => ({
    dataDir: trade.opts<{ dataDir?: string }>().dataDir,
    db: opts.db,
  });

  trade
    .command('import <file>')
    .description('import a Comtrade CSV, a generic CSV, or an observations file (CSV or YAML)')
    .option('--format <format>', `one of ${TRADE_FORMATS.join(', ')} (default: detected from the header)`)
    .option('--reporter <code>', 'reporter for a generic CSV without a reporter column, e.g. CN')
    .option('--partner <code>', 'partner for a generic CSV without a partner column, e.g. KP')
    .option('--flow <flow>', `flow for a generic CSV without a flow column: ${FLOWS.join(', ')}`)
    .option('--dataset <name>', 'name of the source of a generic CSV, e.g. "UN Comtrade (reduced extract)"')
    .option('--output <format>', 'summary format: table, json, jsonl, csv', 'table')
    .option(
      '--as <user>',
      `who imports, for the audit trail (default: EMBARGO_USER, else '${DEFAULT_ACTOR}')`,
    )
    .option(...DB_OPTION)
    .action(async (file: string, opts: Record<string, string | undefined>) => {
      const format = oneOf<TradeFormat>(opts.format, TRADE_FORMATS, '--format');
      const flow = oneOf<Flow>(opts.flow, FLOWS, '--flow');
      const output = parseFormat(opts.output);
      const actor = actingUser(opts.as) ?? DEFAULT_ACTOR;
      const store = await openWithSeed(flags(opts), actor);
      try {
        const summary = await importTradeFile(
          store,
          file,
          {
            format,
            defaults: { reporter: opts.reporter, partner: opts.partner, flow, dataset: opts.dataset },
          },
          { actor },
        );
        for (const p of summary.problems) {
          const where = describeLocation(p.details);
          process.stderr.write(`error: ${where ? `${where}: ` : ''}${p.message} [${p.code}]\n`);
        }
        const { problems, ...row } = summary;
        process.stdout.write(formatRows([row], output));
        if (summary.rejected > 0 || problems.length > 0) process.exitCode = EXIT.rejects;
      } finally {
        await store.close();
      }
    });

  trade
    .command('yoy <file>')
    .description(
      "year-on-year change of every commodity's monthly (or annual) US$ value in a trade file, read without storing it (worker threads for large Comtrade files)",
    )
    .option('--format <format>', `one of ${TRADE_FORMATS.join(', ')} (default: detected from the header)`)
    .option(
      '--partner <code>',
      'only figures with this partner, e.g. KP (default: every partner in the file, summed)',
    )
    .option('--commodity <code>', 'only this commodity (TOTAL or an HS code)')
    .option('--flow <flow>', `only this flow: ${FLOWS.join(', ')}`)
    .option('--output <format>', 'table, json, jsonl, csv', 'table')
    .action(async (file: string, opts: Record<string, string | undefined>) => {
      const format = oneOf<TradeFormat>(opts.format, TRADE_FORMATS, '--format');
      const flow = oneOf<Flow>(opts.flow, FLOWS, '--flow');
      const output = parseFormat(opts.output);
      const commodity = opts.commodity?.toUpperCase();
      const read = await readTradeFileTotals(file, {
        format,
        workers: tradeWorkers(),
        waitForWorkers: tradeWorkersWait(),
        partner: opts.partner?.toUpperCase(),
      });
      if (read.workerFailure)
        process.stderr.write(
          `warning: worker threads failed, read on the main thread: ${read.workerFailure}\n`,
        );
      for (const p of read.errors) {
        const where = describeLocation(p.details);
        process.stderr.write(`error: ${where ? `${where}: ` : ''}${p.message} [${p.code}]\n`);
      }
      const points = yearOnYear(read.totals).filter(
        (p) => (!commodity || p.commodity === commodity) && (!flow || p.flow === flow),
      );
      const rows: Row[] = points.map((p) => ({
        commodity: p.commodity,
        flow: p.flow,
        period: p.period,
        value_usd: p.value,
        year_before_usd: p.base,
        change_yoy_pct: p.changePct === undefined ? undefined : Number(p.changePct.toFixed(2)),
      }));
      process.stdout.write(
        formatRows(rows, output, [
          'commodity',
          'flow',
          'period',
          'value_usd',
          'year_before_usd',
          'change_yoy_pct',
        ]),
      );
      const { chunks } = read;
      const threads =
        chunks.workers > 0
          ? `; ${read.workers} worker thread${read.workers === 1 ? '' : 's'} read ${chunks.workers} of ${chunks.workers + chunks.main + chunks.again} chunks`
          : '';
      process.stderr.write(
        `${read.observations} observations (${read.format}, ${read.encoding}), ${read.errors.length} rejected, ${read.skipped} skipped; ${rows.length} periods, ${rows.filter((r) => r.change_yoy_pct !== undefined).length} with a year-on-year change${threads}\n`,
      );
      if (read.errors.length > 0) process.exitCode = EXIT.rejects;
    });

  trade
    .command('series')
    .description('one series by month (or year): reported figures, gaps shown as unreported, changes')
    .option('--partner <code>', 'partner ISO code', 'KP')
    .option('--reporter <code>', 'reporter code', 'CN')
    .option('--flow <flow>', `${FLOWS.join(', ')}`, 'import')
    .option('--commodity <code>', 'TOTAL or an HS code', 'TOTAL')
    .option('--measure <measure>', SERIES_MEASURES.join(', '), 'value')
    .option('--granularity <g>', SERIES_GRANULARITIES.join(', '), 'month')
    .option('--from <month>', 'first month YYYY-MM (default: first reported)')
    .option('--to <month>', 'last month YYYY-MM (default: last reported)')
    .option('--format <format>', 'table, json, jsonl, csv', 'table')
    .option(...DB_OPTION)
    .action(async (opts: Record<string, string>) => {
      const measure = oneOf<SeriesMeasure>(opts.measure, SERIES_MEASURES, '--measure') ?? 'value';
      const granularity =
        oneOf<SeriesGranularity>(opts.granularity, SERIES_GRANULARITIES, '--granularity') ?? 'month';
      const flow = oneOf<Flow>(opts.flow, FLOWS, '--flow') ?? 'import';
      const format = parseFormat(opts.format);
      const commodity = (opts.commodity ?? 'TOTAL').toUpperCase();
      const partner = (opts.partner ?? 'KP').toUpperCase();
      const reporter = (opts.reporter ?? 'CN').toUpperCase();
      await withStore(flags(opts), (observations) => {
        const relevant = observations.filter(
          (o) =>
            o.partner === partner &&
            o.reporter === reporter &&
            o.flow === flow &&
            o.commodity === commodity &&
            o.period.kind === granularity &&
            (o.measure === 'value' || o.measure === 'quantity'),
        );
        const starts = relevant.map((o) => o.period.start).sort();
        const from = monthFlag(opts.from, '--from') ?? starts[0];
        const to =
          monthFlag(opts.to, '--to') ??
          relevant
            .map((o) => o.period.end)
            .sort()
            .at(-1);
        if (!from || !to) {
          process.stderr.write(`no ${granularity}ly ${flow} figures for ${commodity} with ${partner}\n`);
          process.stdout.write(formatRows([], format));
          return;
        }
        const series = buildSeries(new ObservationIndex(observations), {
          partner,
          reporter,
          flow,
          commodity,
          measure,
          granularity,
          from,
          to,
        });
        const rows: Row[] = series.points.map((p) => ({
          period: p.period,
          status: p.status,
          value: p.value,
          unit: p.unit,
          change_prev_pct: p.changePrev === undefined ? undefined : Number(p.changePrev.toFixed(2)),
          change_yoy_pct: p.changeYoY === undefined ? undefined : Number(p.changeYoY.toFixed(2)),
          year_to_date: p.yearToDate,
          other_sources: p.alternatives,
          observations: p.observationIds,
        }));
        process.stdout.write(formatRows(rows, format));
        if (series.gaps.length && format === 'table') {
          process.stderr.write(
            `unreported (not zero): ${series.gaps.map((g) => (g.from === g.to ? g.from : `${g.from}–${g.to}`)).join(', ')}\n`,
          );
        }
      });
    });

  trade
    .command('report')
    .description(
      'a summary of a period: totals, changes, movers, sanctioned goods around effective dates, conflicts',
    )
    .option('--period <period>', 'e.g. 2016, 2016-H1, 2016-01..2017-12 (default: all reported months)')
    .option('--partner <code>', 'partner ISO code', 'KP')
    .option('--reporter <code>', 'reporter code', 'CN')
    .option('--regimes <dir>', 'regime directory', DEFAULT_REGIME_DIR)
    .option('--format <format>', 'table, json, csv, html', 'table')
    .option('--out <file>', 'write to a file instead of stdout')
    .option(...DB_OPTION)
    .action(async (opts: Record<string, string | undefined>) => {
      const format =
        oneOf(opts.format ?? 'table', ['table', 'json', 'csv', 'html'] as const, '--format') ?? 'table';
      let from: string | undefined;
      let to: string | undefined;
      if (opts.period) {
        const p = parsePeriod(opts.period);
        if (!p)
          throw new EmbargoError(
            'EMB_USAGE',
            `--period '${opts.period}' is not a period (2016, 2016-H1, 2016-01..2017-12)`,
          );
        from = p.start;
        to = p.end;
      }
      const regime = loadRegime(opts.regimes);
      const report = await withStore(flags(opts), (observations) =>
        buildTradeReport({
          observations,
          measures: regime.measures,
          regimeVersion: regime.version,
          from,
          to,
          partner: (opts.partner ?? 'KP').toUpperCase(),
          reporter: (opts.reporter ?? 'CN').toUpperCase(),
        }),
      );
      const text =
        format === 'html'
          ? renderTradeReportHtml(report)
          : format === 'json'
            ? `${JSON.stringify(report, null, 2)}\n`
            : format === 'csv'
              ? formatRows(reportCsvRows(report), 'csv')
              : reportTable(report);
      if (opts.out) {
        writeFileSync(opts.out, text);
        process.stderr.write(`wrote ${opts.out}\n`);
      } else process.stdout.write(text);
    });

  trade
    .command('conflicts')
    .description(
      'figures that cannot all be true: disagreements, corrections, parts over totals, sums, percentages',
    )
    .option('--kind <kind>', FINDING_KINDS.join(', '))
    .option('--partner <code>', 'partner ISO code', 'KP')
    .option('--format <format>', 'table, json, jsonl, csv', 'table')
    .option(...DB_OPTION)
    .action(async (opts: Record<string, string | undefined>) => {
      const kind = oneOf(opts.kind, FINDING_KINDS, '--kind');
      const format = parseFormat(opts.format);
      const partner = (opts.partner ?? 'KP').toUpperCase();
      await withStore(flags(opts), (observations) => {
        const findings = checkConsistency(observations.filter((o) => o.partner === partner)).filter(
          (f) => !kind || f.kind === kind,
        );
        const rows: Row[] = findings.map((f) => ({
          kind: f.kind,
          period: f.period,
          figure: f.figure,
          values: f.values,
          observations: f.observationIds,
          detail: f.detail,
        }));
        process.stdout.write(
          formatRows(rows, format, ['kind', 'period', 'figure', 'values', 'observations', 'detail']),
        );
      });
    });

  trade
    .command('sources')
    .description('who reported the figures: outlets and datasets, with counts and dates')
    .option('--format <format>', 'table, json, jsonl, csv', 'table')
    .option(...DB_OPTION)
    .action(async (opts: Record<string, string | undefined>) => {
      const format = parseFormat(opts.format);
      await withStore(flags(opts), (observations) => {
        const bySource = new Map<
          string,
          {
            kind: string;
            count: number;
            first?: string;
            last?: string;
            primary: Set<string>;
            periods: Set<string>;
          }
        >();
        for (const o of observations) {
          const name =
            o.source.kind === 'report'
              ? o.source.outlet
              : `${o.source.dataset}${o.source.release ? ` (${o.source.release})` : ''}`;
          const entry = bySource.get(name) ?? {
            kind: o.source.kind,
            count: 0,
            primary: new Set(),
            periods: new Set(),
          };
          entry.count++;
          const published = o.source.kind === 'report' ? o.source.published : undefined;
          if (published) {
            if (!entry.first || published < entry.first) entry.first = published;
            if (!entry.last || published > entry.last) entry.last = published;
          }
          if (o.source.kind === 'report' && o.source.primarySource) entry.primary.add(o.source.primarySource);
          entry.periods.add(o.period.start.slice(0, 4));
          bySource.set(name, entry);
        }
        const rows: Row[] = [...bySource.entries()]
          .sort(([a, x], [b, y]) => y.count - x.count || a.localeCompare(b))
          .map(([source, e]) => ({
            source,
            kind: e.kind,
            figures: e.count,
            published: e.first ? (e.first === e.last ? e.first : `${e.first}–${e.last}`) : '',
            years: [...e.periods].sort().join(' '),
            attributed_to: [...e.primary].sort().slice(0, 4),
          }));
        process.stdout.write(formatRows(rows, format));
      });
    });
}

function reportTable(r: TradeReport): string {
  const out: string[] = [];
  out.push(`China–${r.partner} trade as reported (${r.reporter}'s view), ${r.from} to ${r.to}`);
  out.push(`${r.observationCount} observations; regime ${r.regimeVersion ?? '(none)'}\n`);
  out.push('Monthly totals (US$ million; yoy %; "unreported" is not zero)');
  out.push(
    formatRows(
      r.monthly.map((m) => ({
        month: m.month,
        imports: money(m.import.value),
        imp_yoy: fmt(m.import.yoy),
        exports: money(m.export.value),
        exp_yoy: fmt(m.export.yoy),
        total: money(m.total.value),
        tot_yoy: fmt(m.total.yoy),
        balance: m.balance === undefined ? '' : money(m.balance),
      })),
      'table',
    ),
  );
  out.push('Period sums (only when every month is reported)');
  out.push(
    formatRows(
      r.summary.map((s) => ({
        flow: s.flow,
        months_reported: `${s.monthsReported}/${s.months}`,
        sum: s.sum === undefined ? 'incomplete' : money(s.sum),
      })),
      'table',
    ),
  );
  if (r.aggregates.length) {
    out.push('Reported aggregates, with annual rates');
    out.push(
      formatRows(
        r.aggregates.map((a) => ({
          period: a.period,
          flow: a.flow,
          value: a.unit === 'USD' ? money(a.value) : `${fmt(a.value / 1e6, 2)}m ${a.unit}`,
          annual_rate:
            a.annualised === undefined
              ? ''
              : a.unit === 'USD'
                ? money(a.annualised)
                : `${fmt(a.annualised / 1e6, 2)}m ${a.unit}`,
          status: a.status,
          source: a.source,
        })),
        'table',
      ),
    );
  }
  out.push('Biggest reported year-on-year movers');
  out.push(
    formatRows(
      r.movers.map((m) => ({
        period: m.period,
        flow: m.flow,
        commodity: m.commodity,
        label: m.label,
        yoy_pct: m.change,
        of: m.basis,
        source: m.source,
      })),
      'table',
    ),
  );
  if (r.impliedBases.length) {
    out.push('Implied prior-year figures ("-22.35% to US$161.38 million" implies the year before)');
    out.push(
      formatRows(
        r.impliedBases.map((b) => ({
          period: b.period,
          flow: b.flow,
          commodity: b.commodity,
          reported: b.unit === 'USD' ? money(b.level) : `${fmt(b.level, 0)} ${b.unit}`,
          yoy_pct: b.pct,
          implied_year_before: b.unit === 'USD' ? money(b.impliedBase) : `${fmt(b.impliedBase, 0)} ${b.unit}`,
          reported_year_before:
            b.reportedBase === undefined
              ? ''
              : b.unit === 'USD'
                ? money(b.reportedBase)
                : fmt(b.reportedBase, 0),
          source: b.source,
        })),
        'table',
      ),
    );
  }
  out.push('Measures around their effective dates (covered goods, 6 months before vs after)');
  const rows: Row[] = [];
  for (const s of r.sanctions) {
    for (const c of s.commodities) {
      rows.push({
        measure: s.measureId,
        from: s.effectiveFrom,
        commodity: c.commodity,
        avg_value_before: money(c.before.avgValue),
        avg_value_after: money(c.after.avgValue),
        avg_t_before: fmt(c.before.avgTonnes, 0),
        avg_t_after: fmt(c.after.avgTonnes, 0),
        reported: c.reportedChanges.map((x) => `${x.period} ${x.value}%`).slice(0, 3),
      });
    }
    for (const n of s.neighbours) {
      rows.push({
        measure: s.measureId,
        from: s.effectiveFrom,
        commodity: `${n.commodity} (not banned)`,
        avg_value_before: money(n.before.avgValue),
        avg_value_after: money(n.after.avgValue),
        reported: n.reportedChanges.map((x) => `${x.period} ${x.value}%`).slice(0, 3),
      });
    }
  }
  out.push(formatRows(rows, 'table'));
  if (r.stopped.length) {
    out.push('Series no longer reported (a gap, not zero)');
    out.push(
      formatRows(
        r.stopped.map((x) => ({
          commodity: x.commodity,
          label: x.label,
          flow: x.flow,
          measure: x.measure,
          last_reported: x.lastReported,
          last_figure: `${fmt(x.lastValue, 0)} ${x.unit}`,
        })),
        'table',
      ),
    );
  }
  const gaps = monthlyGaps(r);
  if (gaps.length) {
    out.push('Unreported months');
    out.push(
      formatRows(
        gaps.map((g) => ({ flow: g.flow, from: g.from, to: g.to })),
        'table',
      ),
    );
  }
  out.push(`Conflicts (${r.conflicts.length}; see 'embargo trade conflicts')`);
  out.push(
    formatRows(
      r.conflicts
        .slice(0, 20)
        .map((f) => ({ kind: f.kind, period: f.period, figure: f.figure, detail: f.detail })),
      'table',
    ),
  );
  return out.join('\n');
}

/** One CSV of the report: a `section` column tells monthly rows, aggregates, movers and conflicts apart. */
function reportCsvRows(r: TradeReport): Row[] {
  return [
    ...r.monthly.map((m) => ({
      section: 'monthly',
      period: m.month,
      imports: m.import.value,
      imports_yoy_pct: m.import.yoy,
      exports: m.export.value,
      exports_yoy_pct: m.export.yoy,
      total: m.total.value,
      total_yoy_pct: m.total.yoy,
      balance: m.balance,
    })),
    ...r.aggregates.map((a) => ({
      section: 'aggregate',
      period: a.period,
      flow: a.flow,
      value: a.value,
      unit: a.unit,
      annualised: a.annualised,
      source: a.source,
    })),
    ...r.movers.map((m) => ({
      section: 'mover',
      period: m.period,
      flow: m.flow,
      commodity: m.commodity,
      change_pct: m.change,
      source: m.source,
    })),
    ...r.sanctions.flatMap((s) =>
      s.commodities.map((c) => ({
        section: 'measure',
        period: s.effectiveFrom,
        measure: s.measureId,
        commodity: c.commodity,
        value_before: c.before.avgValue,
        value_after: c.after.avgValue,
        change_pct: c.valueChangePct,
      })),
    ),
    ...r.conflicts.map((f) => ({ section: 'conflict', period: f.period, kind: f.kind, detail: f.detail })),
  ];
}
