/**
 * The trade report: everything `embargo trade report` shows for a period, as plain data that the
 * table, JSON, CSV and HTML renderers all draw from. Totals and changes by month, the reported
 * aggregates with annual rates, the biggest reported movers, key goods by value, volume and unit
 * value, each measure around its effective date, the share of trade in sanctioned goods, gaps and
 * conflicts.
 */
import type { RegimeMeasure } from '../regime/regime.js';
import { checkConsistency, type Finding } from './consistency-checks.js';
import {
  addMonths,
  describeSource,
  type Flow,
  monthIndex,
  monthsBetween,
  type Observation,
  periodLabel,
  periodMonths,
} from './observation.js';
import { type MeasureImpact, sanctionedShare, sanctionsView } from './sanctions-view.js';
import { buildSeries, gapRuns, ObservationIndex, preferredObservation, type Series } from './series.js';
import { annualise, changePct, impliedBase, tradeBalance } from './trade-calculations.js';

export interface FlowCell {
  value: number | undefined;
  /** change on the same month a year earlier, from the two levels or, failing that, as reported */
  yoy: number | undefined;
  yoyFrom: 'levels' | 'reported' | undefined;
  observationIds: string[];
}

export interface MonthRow {
  month: string;
  import: FlowCell;
  export: FlowCell;
  total: FlowCell;
  /** exports − imports when both are reported (reporter's surplus) */
  balance: number | undefined;
}

export interface FlowSummary {
  flow: Flow;
  monthsReported: number;
  months: number;
  /** the sum when every month of the period is reported; otherwise undefined, never a partial sum */
  sum: number | undefined;
  missing: string[];
}

export interface AggregateRow {
  period: string;
  kind: Observation['period']['kind'];
  flow: Flow;
  value: number;
  unit: string;
  /** annual rate for spans shorter than a year */
  annualised: number | undefined;
  status: Observation['status'];
  observationId: string;
  source: string;
}

export interface MoverRow {
  commodity: string;
  label: string | undefined;
  flow: Flow;
  period: string;
  measure: Observation['measure'];
  change: number;
  basis: 'value' | 'quantity';
  observationId: string;
  source: string;
}

/** A reported change with the level printed beside it, and the prior figure they imply. */
export interface ImpliedBaseRow {
  period: string;
  flow: Flow;
  commodity: string;
  level: number;
  unit: string;
  pct: number;
  impliedBase: number;
  /** the prior-period figure as some source reported it, if any */
  reportedBase: number | undefined;
  observationIds: string[];
  source: string;
}

/** A series that was reported before the period and not during it: a gap, not a zero. */
export interface StoppedSeries {
  flow: Flow;
  commodity: string;
  label: string | undefined;
  measure: 'value' | 'quantity';
  /** the end of the last reported period, `YYYY-MM` */
  lastReported: string;
  lastValue: number;
  unit: string;
  observationId: string;
}

export interface CommodityPanel {
  commodity: string;
  label: string | undefined;
  flow: Flow;
  value: Series;
  quantity: Series;
  unitValue: Series;
}

export interface TradeReport {
  reporter: string;
  partner: string;
  from: string;
  to: string;
  months: string[];
  observationCount: number;
  regimeVersion: string | undefined;
  monthly: MonthRow[];
  summary: FlowSummary[];
  aggregates: AggregateRow[];
  movers: MoverRow[];
  impliedBases: ImpliedBaseRow[];
  stopped: StoppedSeries[];
  commodities: CommodityPanel[];
  sanctions: MeasureImpact[];
  share: ReturnType<typeof sanctionedShare>;
  conflicts: Finding[];
}

export interface TradeReportInput {
  observations: readonly Observation[];
  measures: readonly RegimeMeasure[];
  regimeVersion?: string;
  from?: string;
  to?: string;
  reporter?: string;
  partner?: string;
}

const sourceName = (o: Observation) => (o.source.kind === 'report' ? o.source.outlet : o.source.dataset);

/** First and last month with a monthly all-goods value for the partner: the default period. */
export function reportedSpan(
  observations: readonly Observation[],
  partner = 'KP',
  reporter = 'CN',
): { from: string; to: string } | undefined {
  const months = observations
    .filter(
      (o) =>
        o.partner === partner &&
        o.reporter === reporter &&
        o.commodity === 'TOTAL' &&
        o.measure === 'value' &&
        o.period.kind === 'month',
    )
    .map((o) => o.period.start)
    .sort();
  const from = months[0];
  const to = months.at(-1);
  return from && to ? { from, to } : undefined;
}

/**
 * The report model for a period (default: every month with a reported all-goods value).
 * @example buildTradeReport({ observations, measures: regime.measures, from: '2016-01', to: '2016-12' }).aggregates
 */
export function buildTradeReport(input: TradeReportInput): TradeReport {
  const reporter = input.reporter ?? 'CN';
  const partner = input.partner ?? 'KP';
  const span = reportedSpan(input.observations, partner, reporter);
  const from = input.from ?? span?.from ?? '2016-01';
  const to = input.to ?? span?.to ?? from;
  const months = monthsBetween(from, to);
  const mine = input.observations.filter((o) => o.reporter === reporter && o.partner === partner);
  const index = new ObservationIndex(mine);
  const inPeriod = (o: Observation) =>
    monthIndex(o.period.start) >= monthIndex(from) && monthIndex(o.period.end) <= monthIndex(to);

  const cell = (flow: Flow, month: string): FlowCell => {
    const q = { reporter, partner, flow, commodity: 'TOTAL' };
    const here = index.level(q, 'value', 'month', month, month);
    const [y, m] = [Number(month.slice(0, 4)) - 1, month.slice(5, 7)];
    const before = index.level(q, 'value', 'month', `${y}-${m}`, `${y}-${m}`);
    let yoy: number | undefined;
    let yoyFrom: FlowCell['yoyFrom'];
    const ids = here ? [...here.ids] : [];
    if (here && before && here.unit === before.unit) {
      yoy = changePct(here.value, before.value);
      yoyFrom = 'levels';
      ids.push(...before.ids);
    }
    if (yoy === undefined) {
      const reported = preferredObservation(
        index.figure(reporter, partner, flow, 'TOTAL', 'yoy_pct', 'month', month, month),
      );
      if (reported) {
        yoy = reported.value;
        yoyFrom = 'reported';
        ids.push(reported.id);
      }
    }
    return { value: here?.unit === 'USD' ? here.value : undefined, yoy, yoyFrom, observationIds: ids };
  };

  const monthly: MonthRow[] = months.map((month) => {
    const imp = cell('import', month);
    const exp = cell('export', month);
    return {
      month,
      import: imp,
      export: exp,
      total: cell('total', month),
      balance:
        imp.value !== undefined && exp.value !== undefined ? tradeBalance(exp.value, imp.value) : undefined,
    };
  });

  const summary: FlowSummary[] = (['import', 'export', 'total'] as const).map((flow) => {
    const values = monthly.map((r) => r[flow].value);
    const missing = months.filter((_, i) => values[i] === undefined);
    return {
      flow,
      monthsReported: months.length - missing.length,
      months: months.length,
      sum: missing.length ? undefined : values.reduce<number>((s, v) => s + (v ?? 0), 0),
      missing,
    };
  });

  const aggregates: AggregateRow[] = mine
    .filter(
      (o) =>
        inPeriod(o) &&
        o.commodity === 'TOTAL' &&
        o.measure === 'value' &&
        o.period.kind !== 'month' &&
        o.status !== 'erroneous',
    )
    .sort(
      (a, b) =>
        a.period.start.localeCompare(b.period.start) ||
        a.period.end.localeCompare(b.period.end) ||
        a.id.localeCompare(b.id),
    )
    .map((o) => ({
      period: periodLabel(o.period),
      kind: o.period.kind,
      flow: o.flow,
      value: o.value,
      unit: o.unit,
      annualised: periodMonths(o.period) < 12 ? annualise(o.value, periodMonths(o.period)) : undefined,
      status: o.status,
      observationId: o.id,
      source: describeSource(o.source),
    }));

  const movers: MoverRow[] = mine
    .filter(
      (o) =>
        inPeriod(o) &&
        o.commodity !== 'TOTAL' &&
        /^\d/.test(o.commodity) &&
        o.measure === 'yoy_pct' &&
        o.status !== 'erroneous',
    )
    .map((o) => ({
      commodity: o.commodity,
      label: o.commodityLabel,
      flow: o.flow,
      period: periodLabel(o.period),
      measure: o.measure,
      change: o.value,
      basis: o.basis ?? 'value',
      observationId: o.id,
      source: sourceName(o),
    }))
    .sort((a, b) => Math.abs(b.change) - Math.abs(a.change) || a.observationId.localeCompare(b.observationId))
    .slice(0, 15);

  // "−22.35% to US$161.38 million": a change printed with its level implies the prior figure
  const impliedBases: ImpliedBaseRow[] = [];
  for (const pct of mine) {
    if (!inPeriod(pct) || pct.measure !== 'yoy_pct' || pct.status === 'erroneous') continue;
    const basis = pct.basis ?? 'value';
    const level = mine.find(
      (o) =>
        o.measure === basis &&
        o.status !== 'erroneous' &&
        o.flow === pct.flow &&
        o.commodity === pct.commodity &&
        o.period.kind === pct.period.kind &&
        o.period.start === pct.period.start &&
        o.period.end === pct.period.end &&
        sourceName(o) === sourceName(pct) &&
        (o.source.kind !== 'report' || pct.source.kind !== 'report' || o.source.title === pct.source.title),
    );
    if (!level) continue;
    const base = impliedBase(level.value, pct.value);
    if (base === undefined) continue;
    const prior = preferredObservation(
      index
        .figure(
          reporter,
          partner,
          pct.flow,
          pct.commodity,
          basis,
          pct.period.kind,
          addMonths(pct.period.start, -12),
          addMonths(pct.period.end, -12),
        )
        .filter((o) => o.unit === level.unit),
    );
    impliedBases.push({
      period: periodLabel(pct.period),
      flow: pct.flow,
      commodity: pct.commodity,
      level: level.value,
      unit: level.unit,
      pct: pct.value,
      impliedBase: base,
      reportedBase: prior?.value,
      observationIds: [level.id, pct.id, ...(prior ? [prior.id] : [])],
      source: sourceName(pct),
    });
  }

  // series reported before the period and never in it (China's crude-oil exports after 2013)
  const lastByKey = new Map<string, Observation>();
  const seenInPeriod = new Set<string>();
  for (const o of mine) {
    if (
      (o.measure !== 'value' && o.measure !== 'quantity') ||
      o.status === 'erroneous' ||
      o.commodity === 'TOTAL'
    ) {
      continue;
    }
    if (o.period.kind === 'multi_month') continue;
    const k = `${o.flow}|${o.commodity}|${o.measure}`;
    if (monthIndex(o.period.end) >= monthIndex(from)) {
      if (monthIndex(o.period.start) <= monthIndex(to)) seenInPeriod.add(k);
      continue;
    }
    const prev = lastByKey.get(k);
    if (!prev || o.period.end > prev.period.end) lastByKey.set(k, o);
  }
  const stopped: StoppedSeries[] = [...lastByKey.entries()]
    .filter(([k]) => !seenInPeriod.has(k))
    .map(([, o]) => ({
      flow: o.flow,
      commodity: o.commodity,
      label: o.commodityLabel,
      measure: o.measure as 'value' | 'quantity',
      lastReported: o.period.end,
      lastValue: o.value,
      unit: o.unit,
      observationId: o.id,
    }))
    .sort(
      (a, b) =>
        a.commodity.localeCompare(b.commodity) ||
        a.flow.localeCompare(b.flow) ||
        a.measure.localeCompare(b.measure),
    );

  // key goods: the HS codes with the most monthly levels in the period
  const counts = new Map<string, { flow: Flow; label: string | undefined; n: number }>();
  for (const o of mine) {
    if (!/^\d{4,}$/.test(o.commodity) || o.period.kind !== 'month' || !inPeriod(o)) continue;
    if (o.measure !== 'value' && o.measure !== 'quantity') continue;
    const k = `${o.flow}|${o.commodity}`;
    const c = counts.get(k) ?? { flow: o.flow, label: o.commodityLabel, n: 0 };
    c.n++;
    counts.set(k, c);
  }
  const commodities: CommodityPanel[] = [...counts.entries()]
    .filter(([, c]) => c.n >= 4)
    .sort(([ka, a], [kb, b]) => b.n - a.n || ka.localeCompare(kb))
    .slice(0, 3)
    .map(([k, c]) => {
      const commodity = k.split('|')[1] ?? '';
      const base = { partner, reporter, flow: c.flow, commodity, granularity: 'month' as const, from, to };
      return {
        commodity,
        label: c.label,
        flow: c.flow,
        value: buildSeries(index, { ...base, measure: 'value' }),
        quantity: buildSeries(index, { ...base, measure: 'quantity' }),
        unitValue: buildSeries(index, { ...base, measure: 'unit-value' }),
      };
    });

  const sanctions = sanctionsView(mine, input.measures, { reporter, partner }).filter(
    (v) =>
      monthIndex(v.effectiveFrom.slice(0, 7)) >= monthIndex(from) - 6 &&
      monthIndex(v.effectiveFrom.slice(0, 7)) <= monthIndex(to),
  );

  return {
    reporter,
    partner,
    from,
    to,
    months,
    observationCount: input.observations.length,
    regimeVersion: input.regimeVersion,
    monthly,
    summary,
    aggregates,
    movers,
    impliedBases,
    stopped,
    commodities,
    sanctions,
    share: sanctionedShare(mine, input.measures, months, 'import', reporter, partner),
    conflicts: checkConsistency(mine.filter(inPeriod)),
  };
}

/** Gap runs of the monthly totals, for a reader: "imports unreported 2015-02–2015-04". */
export function monthlyGaps(report: TradeReport): { flow: Flow; from: string; to: string }[] {
  return (['import', 'export', 'total'] as const).flatMap((flow) =>
    gapRuns(
      report.monthly.map((r) => ({
        period: r.month,
        status: r[flow].value === undefined ? 'unreported' : 'reported',
      })),
    ).map((g) => ({ flow, ...g })),
  );
}
