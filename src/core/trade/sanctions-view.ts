/**
 * Trade seen through the sanctions regime: for each measure, the goods it covers before and after
 * its effective date (value, volume, unit value), trade in banned goods after the ban, and what
 * happened to neighbouring goods that were not banned (the founding document's zinc, +685% while
 * coal fell). Pure: observations and measures in, a view out.
 */
import type { RegimeMeasure } from '../regime/regime.js';
import {
  addMonths,
  type Flow,
  monthIndex,
  monthsBetween,
  type Observation,
  periodLabel,
} from './observation.js';
import { ObservationIndex } from './series.js';
import { changePct, type PriceVolumeSplit, priceVolume, unitValue } from './trade-calculations.js';

export const COVERAGE = ['covered', 'partly'] as const;
export type Coverage = (typeof COVERAGE)[number];

export interface WindowStats {
  from: string;
  to: string;
  months: number;
  monthsWithValue: number;
  /** mean monthly value over the months reported (undefined when none) */
  avgValue: number | undefined;
  monthsWithQuantity: number;
  /** mean monthly quantity in tonnes over the months reported */
  avgTonnes: number | undefined;
  /** value per tonne over the months that report both */
  unitValue: number | undefined;
}

export interface ReportedChange {
  period: string;
  measure: Observation['measure'];
  value: number;
  basis: 'value' | 'quantity';
  observationId: string;
  source: string;
}

export interface CommodityImpact {
  commodity: string;
  label: string | undefined;
  coverage: Coverage;
  before: WindowStats;
  after: WindowStats;
  valueChangePct: number | undefined;
  priceVolume: PriceVolumeSplit | undefined;
  /** year-on-year and month-on-month changes sources printed for the months after the date */
  reportedChanges: ReportedChange[];
}

export interface TradeAfterBan {
  commodity: string;
  period: string;
  value: number;
  unit: string;
  observationIds: string[];
  /** true when the measure has no exception and no cap: any trade contradicts it */
  shouldBeZero: boolean;
}

export interface NeighbourMovement {
  commodity: string;
  label: string | undefined;
  before: WindowStats;
  after: WindowStats;
  valueChangePct: number | undefined;
  reportedChanges: ReportedChange[];
}

export interface MeasureImpact {
  measureId: string;
  title: string;
  instrument: string;
  jurisdiction: string;
  flow: Flow;
  effectiveFrom: string;
  effectiveTo: string | undefined;
  codes: string[];
  exceptions: string[];
  hasCaps: boolean;
  commodities: CommodityImpact[];
  afterBan: TradeAfterBan[];
  neighbours: NeighbourMovement[];
}

export interface SanctionsViewOptions {
  reporter?: string;
  partner?: string;
  /** months on each side of the effective date */
  windowMonths?: number;
}

const isHs = (code: string) => /^\d{2,10}$/.test(code);

/**
 * Whether `commodity` falls under a measure's goods: `covered`, `partly` (a broader code) or not.
 * @example coverageOf('270111', ['2701'], []) // 'covered'; coverageOf('27', ['2701'], []) // 'partly'
 */
export function coverageOf(
  commodity: string,
  include: readonly string[],
  exclude: readonly string[],
): Coverage | undefined {
  if (!isHs(commodity)) return undefined;
  if (exclude.some((e) => commodity.startsWith(e))) return undefined;
  if (include.some((i) => commodity.startsWith(i))) return 'covered';
  if (include.some((i) => i.startsWith(commodity))) return 'partly';
  return undefined;
}

function codesOf(m: RegimeMeasure): { include: string[]; exclude: string[] } {
  return {
    include: m.measure.goods.flatMap((g) => g.include.map((c) => c.code)),
    exclude: m.measure.goods.flatMap((g) => g.exclude.map((c) => c.code)),
  };
}

function inForce(m: RegimeMeasure, date: string): boolean {
  return m.measure.effective_from <= date && (!m.measure.effective_to || date < m.measure.effective_to);
}

/**
 * One view per measure, in order of effective date.
 * @example sanctionsView(observations, loadRegime().measures).find((v) => v.measureId === 'CN-MOFCOM-11-2016-1')
 *   ?.neighbours.find((n) => n.commodity === '2608') // zinc, +685% in April 2016
 */
export function sanctionsView(
  observations: readonly Observation[],
  measures: readonly RegimeMeasure[],
  options: SanctionsViewOptions = {},
): MeasureImpact[] {
  const reporter = options.reporter ?? 'CN';
  const partner = options.partner ?? 'KP';
  const n = options.windowMonths ?? 6;
  const index = new ObservationIndex(observations);
  const relevant = observations.filter((o) => o.reporter === reporter && o.partner === partner);
  const commoditiesByFlow = new Map<Flow, Map<string, string | undefined>>();
  for (const o of relevant) {
    if (!isHs(o.commodity)) continue;
    const m = commoditiesByFlow.get(o.flow) ?? new Map<string, string | undefined>();
    if (!m.has(o.commodity) || (!m.get(o.commodity) && o.commodityLabel))
      m.set(o.commodity, o.commodityLabel);
    commoditiesByFlow.set(o.flow, m);
  }

  const windowStats = (commodity: string, flow: Flow, from: string, to: string): WindowStats => {
    const months = monthsBetween(from, to);
    let vSum = 0;
    let vCount = 0;
    let qSum = 0;
    let qCount = 0;
    let pairV = 0;
    let pairQ = 0;
    for (const m of months) {
      const v = index.level({ reporter, partner, flow, commodity }, 'value', 'month', m, m);
      const q = index.level({ reporter, partner, flow, commodity }, 'quantity', 'month', m, m);
      const usd = v && v.unit === 'USD' ? v.value : undefined;
      const t = q && q.unit === 't' ? q.value : undefined;
      if (usd !== undefined) {
        vSum += usd;
        vCount++;
      }
      if (t !== undefined) {
        qSum += t;
        qCount++;
      }
      if (usd !== undefined && t !== undefined) {
        pairV += usd;
        pairQ += t;
      }
    }
    return {
      from,
      to,
      months: months.length,
      monthsWithValue: vCount,
      avgValue: vCount ? vSum / vCount : undefined,
      monthsWithQuantity: qCount,
      avgTonnes: qCount ? qSum / qCount : undefined,
      unitValue: unitValue(pairV, pairQ),
    };
  };

  const reportedChanges = (commodity: string, flow: Flow, from: string, to: string): ReportedChange[] =>
    relevant
      .filter(
        (o) =>
          o.commodity === commodity &&
          o.flow === flow &&
          (o.measure === 'yoy_pct' || o.measure === 'mom_pct') &&
          o.status !== 'erroneous' &&
          monthIndex(o.period.end) >= monthIndex(from) &&
          monthIndex(o.period.end) <= monthIndex(to),
      )
      .sort((a, b) => a.period.end.localeCompare(b.period.end) || a.id.localeCompare(b.id))
      .map((o) => ({
        period: periodLabel(o.period),
        measure: o.measure,
        value: o.value,
        basis: o.basis ?? 'value',
        observationId: o.id,
        source: o.source.kind === 'report' ? o.source.outlet : o.source.dataset,
      }));

  const impacts: MeasureImpact[] = [];
  for (const rm of [...measures].sort(
    (a, b) =>
      a.measure.effective_from.localeCompare(b.measure.effective_from) ||
      a.measure.id.localeCompare(b.measure.id),
  )) {
    const flow: Flow = rm.measure.direction;
    const { include, exclude } = codesOf(rm);
    const effMonth = rm.measure.effective_from.slice(0, 7);
    const before = { from: addMonths(effMonth, -n), to: addMonths(effMonth, -1) };
    const after = { from: effMonth, to: addMonths(effMonth, n - 1) };
    const observed = commoditiesByFlow.get(flow) ?? new Map<string, string | undefined>();
    const commodities: CommodityImpact[] = [];
    const afterBan: TradeAfterBan[] = [];
    for (const [commodity, label] of [...observed].sort(([a], [b]) => a.localeCompare(b))) {
      const coverage = coverageOf(commodity, include, exclude);
      if (!coverage) continue;
      const b = windowStats(commodity, flow, before.from, before.to);
      const a = windowStats(commodity, flow, after.from, after.to);
      const split =
        b.avgValue !== undefined && b.avgTonnes && a.avgValue !== undefined && a.avgTonnes
          ? priceVolume(
              { value: b.avgValue, quantity: b.avgTonnes },
              { value: a.avgValue, quantity: a.avgTonnes },
            )
          : undefined;
      commodities.push({
        commodity,
        label,
        coverage,
        before: b,
        after: a,
        valueChangePct:
          a.avgValue !== undefined && b.avgValue !== undefined
            ? changePct(a.avgValue, b.avgValue)
            : undefined,
        priceVolume: split,
        reportedChanges: reportedChanges(commodity, flow, after.from, after.to),
      });
      if (coverage !== 'covered') continue;
      // monthly levels from the effective month on, while the measure is in force
      for (const o of relevant) {
        if (
          o.commodity !== commodity ||
          o.flow !== flow ||
          o.measure !== 'value' ||
          o.period.kind !== 'month'
        ) {
          continue;
        }
        if (o.status === 'erroneous' || o.value <= 0) continue;
        if (!inForce(rm, `${o.period.start}-28`) || o.period.start < effMonth) continue;
        if (afterBan.some((x) => x.commodity === commodity && x.period === o.period.start)) continue;
        const best = index.level(
          { reporter, partner, flow, commodity },
          'value',
          'month',
          o.period.start,
          o.period.end,
        );
        if (!best || best.value <= 0) continue;
        afterBan.push({
          commodity,
          period: o.period.start,
          value: best.value,
          unit: best.unit,
          observationIds: best.ids,
          shouldBeZero: rm.measure.exceptions.length === 0 && rm.measure.caps.length === 0,
        });
      }
    }
    afterBan.sort((x, y) => x.period.localeCompare(y.period) || x.commodity.localeCompare(y.commodity));

    const chapters = new Set(include.map((c) => c.slice(0, 2)));
    const bannedThen = measures
      .filter((m) => m.measure.direction === flow && inForce(m, rm.measure.effective_from))
      .map(codesOf);
    const neighbours: NeighbourMovement[] = [];
    for (const [commodity, label] of [...observed].sort(([a], [b]) => a.localeCompare(b))) {
      if (!chapters.has(commodity.slice(0, 2)) || commodity.length < 4) continue;
      if (bannedThen.some((c) => coverageOf(commodity, c.include, c.exclude))) continue;
      const b = windowStats(commodity, flow, before.from, before.to);
      const a = windowStats(commodity, flow, after.from, after.to);
      const changes = reportedChanges(commodity, flow, after.from, after.to);
      if (a.monthsWithValue === 0 && b.monthsWithValue === 0 && changes.length === 0) continue;
      neighbours.push({
        commodity,
        label,
        before: b,
        after: a,
        valueChangePct:
          a.avgValue !== undefined && b.avgValue !== undefined
            ? changePct(a.avgValue, b.avgValue)
            : undefined,
        reportedChanges: changes,
      });
    }

    impacts.push({
      measureId: rm.measure.id,
      title: rm.measure.title,
      instrument: rm.instrument.title,
      jurisdiction: rm.instrument.jurisdiction,
      flow,
      effectiveFrom: rm.measure.effective_from,
      effectiveTo: rm.measure.effective_to,
      codes: include,
      exceptions: rm.measure.exceptions.map((e) => e.id),
      hasCaps: rm.measure.caps.length > 0,
      commodities,
      afterBan,
      neighbours,
    });
  }
  return impacts;
}

/**
 * Per month, the value of imports in goods a measure in force covered, against all imports:
 * how much of the trade the sanctions were aimed at. Months without a total are left out.
 * @example sanctionedShare(obs, measures, ['2016-05'])[0]?.sharePct // ≈ 42 (coal US$74.7 m of US$176 m)
 */
export function sanctionedShare(
  observations: readonly Observation[],
  measures: readonly RegimeMeasure[],
  months: readonly string[],
  flow: Flow = 'import',
  reporter = 'CN',
  partner = 'KP',
): { month: string; total: number; sanctioned: number; sharePct: number; commodities: string[] }[] {
  const index = new ObservationIndex(observations);
  const codes = [
    ...new Set(observations.filter((o) => o.flow === flow && isHs(o.commodity)).map((o) => o.commodity)),
  ];
  const out: { month: string; total: number; sanctioned: number; sharePct: number; commodities: string[] }[] =
    [];
  for (const month of months) {
    const total = index.level(
      { reporter, partner, flow, commodity: 'TOTAL' },
      'value',
      'month',
      month,
      month,
    );
    if (total?.unit !== 'USD' || total.value <= 0) continue;
    const inForceNow = measures
      .filter((m) => m.measure.direction === flow && inForce(m, `${month}-15`))
      .map(codesOf);
    // count each covered good once, at its most aggregate reported code, so coal is not added twice
    const covered = codes
      .filter((c) => inForceNow.some((m) => coverageOf(c, m.include, m.exclude) === 'covered'))
      .sort((a, b) => a.length - b.length || a.localeCompare(b));
    let sanctioned = 0;
    const used: string[] = [];
    for (const c of covered) {
      if (used.some((u) => c.startsWith(u))) continue;
      const v = index.level({ reporter, partner, flow, commodity: c }, 'value', 'month', month, month);
      if (v?.unit !== 'USD') continue;
      sanctioned += v.value;
      used.push(c);
    }
    if (!used.length) continue;
    out.push({
      month,
      total: total.value,
      sanctioned,
      sharePct: (sanctioned / total.value) * 100,
      commodities: used,
    });
  }
  return out;
}
