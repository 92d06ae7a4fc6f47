/**
 * Series built from observations: one point per period, with the figure embargo prefers when
 * several sources report it, and with gaps kept as gaps. A period nobody reported is
 * `unreported`, never zero: China stopped reporting crude-oil exports to the DPRK in 2014, and a
 * chart that drew that as a fall to zero would tell a lie.
 */
import {
  addMonths,
  type Flow,
  monthsBetween,
  type Observation,
  periodKey,
  tonnesPerUnit,
} from './observation.js';
import { changePct, unitValue, yearToDate } from './trade-calculations.js';

export const SERIES_MEASURES = ['value', 'quantity', 'unit-value'] as const;
export type SeriesMeasure = (typeof SERIES_MEASURES)[number];

export const SERIES_GRANULARITIES = ['month', 'year'] as const;
export type SeriesGranularity = (typeof SERIES_GRANULARITIES)[number];

/**
 * Ranking when several observations report one figure: a correction beats what it supersedes,
 * an erroneous figure is never chosen, an official dataset beats a news report, a later
 * publication beats an earlier one, and the id breaks ties so the choice is deterministic.
 * @example preferredObservation([choson721Erroneous, nkew722Correction])?.id // the correction
 */
export function preferredObservation(candidates: readonly Observation[]): Observation | undefined {
  const superseded = new Set(candidates.flatMap((o) => o.supersedes));
  const usable = candidates.filter((o) => !superseded.has(o.id) && o.status !== 'erroneous');
  return [...usable].sort(compareObservations)[0];
}

function compareObservations(a: Observation, b: Observation): number {
  const rank = (o: Observation) => (o.source.kind === 'dataset' ? 0 : 1) + (o.status === 'estimate' ? 2 : 0);
  const byRank = rank(a) - rank(b);
  if (byRank) return byRank;
  const pa = a.source.kind === 'report' ? (a.source.published ?? '') : '';
  const pb = b.source.kind === 'report' ? (b.source.published ?? '') : '';
  if (pa !== pb) return pa < pb ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Key of "the same figure": who, with whom, which flow, period, goods, measure and unit. */
export function figureKey(o: Observation): string {
  return [
    o.reporter,
    o.partner,
    o.flow,
    o.period.kind,
    periodKey(o.period),
    o.commodity,
    o.measure,
    o.unit,
  ].join('|');
}

export interface SeriesQuery {
  reporter?: string;
  partner: string;
  flow: Flow;
  commodity: string;
  measure: SeriesMeasure;
  granularity: SeriesGranularity;
  /** `YYYY-MM` inclusive (for years, the month's year counts) */
  from: string;
  to: string;
}

export interface SeriesPoint {
  period: string;
  status: 'reported' | 'unreported';
  value: number | undefined;
  unit: string | undefined;
  /** change on the previous period of the series (previous month, or previous year) */
  changePrev: number | undefined;
  /** change on the same period a year earlier (for monthly series) */
  changeYoY: number | undefined;
  /** January to this month, only when every one of those months is reported (monthly value/quantity) */
  yearToDate: number | undefined;
  /** the observations the value comes from (value and quantity for a unit value) */
  observationIds: string[];
  /** how many other sources report this figure (with the same or another number) */
  alternatives: number;
}

export interface Series {
  query: SeriesQuery;
  unit: string | undefined;
  points: SeriesPoint[];
  /** first and last reported period, and the runs of unreported periods in between or after */
  firstReported: string | undefined;
  lastReported: string | undefined;
  gaps: { from: string; to: string }[];
}

interface Level {
  value: number;
  unit: string;
  ids: string[];
  alternatives: number;
}

/**
 * Indexes observations once so many series can be cut from them.
 * @example new ObservationIndex(observations).level({ partner: 'KP', flow: 'import', commodity: '2701' }, 'value', 'month', '2016-04', '2016-04')
 */
export class ObservationIndex {
  private readonly byKey = new Map<string, Observation[]>();

  constructor(readonly observations: readonly Observation[]) {
    for (const o of observations) {
      const k = `${o.reporter}|${o.partner}|${o.flow}|${o.commodity}|${o.measure}|${o.period.kind}|${periodKey(o.period)}`;
      const list = this.byKey.get(k);
      if (list) list.push(o);
      else this.byKey.set(k, [o]);
    }
  }

  /** All observations of one figure, whatever their unit. */
  figure(
    reporter: string,
    partner: string,
    flow: Flow,
    commodity: string,
    measure: Observation['measure'],
    kind: Observation['period']['kind'],
    start: string,
    end: string,
  ): Observation[] {
    return (
      this.byKey.get(
        `${reporter}|${partner}|${flow}|${commodity}|${measure}|${kind}|${periodKey({ start, end })}`,
      ) ?? []
    );
  }

  /** The preferred level for one period; quantities are returned in tonnes when they are masses. */
  level(
    q: Pick<SeriesQuery, 'reporter' | 'partner' | 'flow' | 'commodity'>,
    measure: 'value' | 'quantity',
    kind: 'month' | 'year',
    start: string,
    end: string,
  ): Level | undefined {
    const candidates = this.figure(
      q.reporter ?? 'CN',
      q.partner,
      q.flow,
      q.commodity,
      measure,
      kind,
      start,
      end,
    );
    const best = preferredObservation(candidates);
    if (!best) return undefined;
    let value = best.value;
    let unit = best.unit;
    const scale = measure === 'quantity' ? tonnesPerUnit(unit) : undefined;
    if (scale !== undefined) {
      value *= scale;
      unit = 't';
    }
    return { value, unit, ids: [best.id], alternatives: candidates.length - 1 };
  }
}

function pointLevel(index: ObservationIndex, q: SeriesQuery, start: string, end: string): Level | undefined {
  const kind = q.granularity;
  if (q.measure === 'value') return index.level(q, 'value', kind, start, end);
  if (q.measure === 'quantity') return index.level(q, 'quantity', kind, start, end);
  const v = index.level(q, 'value', kind, start, end);
  const qty = index.level(q, 'quantity', kind, start, end);
  if (!v || !qty || qty.unit !== 't') return undefined;
  const uv = unitValue(v.value, qty.value);
  if (uv === undefined) return undefined;
  return { value: uv, unit: `${v.unit}/t`, ids: [...v.ids, ...qty.ids], alternatives: v.alternatives };
}

/**
 * One series: a point per month (or year) from `from` to `to`, each reported or unreported.
 * @example buildSeries(index, { partner: 'KP', flow: 'import', commodity: '2701', measure: 'value',
 *   granularity: 'month', from: '2016-01', to: '2016-06' })
 */
export function buildSeries(index: ObservationIndex, query: SeriesQuery): Series {
  const periods =
    query.granularity === 'month'
      ? monthsBetween(query.from, query.to).map((m) => ({ label: m, start: m, end: m }))
      : yearsBetween(query.from, query.to).map((y) => ({ label: y, start: `${y}-01`, end: `${y}-12` }));
  const levels = new Map<string, Level | undefined>();
  const levelAt = (start: string, end: string) => {
    const k = `${start}..${end}`;
    if (!levels.has(k)) levels.set(k, pointLevel(index, query, start, end));
    return levels.get(k);
  };
  const points: SeriesPoint[] = periods.map(({ label, start, end }) => {
    const here = levelAt(start, end);
    const step = query.granularity === 'month' ? 1 : 12;
    const prev = levelAt(addMonths(start, -step), addMonths(end, -step));
    const lastYear =
      query.granularity === 'month' ? levelAt(addMonths(start, -12), addMonths(end, -12)) : prev;
    return {
      period: label,
      status: here ? 'reported' : 'unreported',
      value: here?.value,
      unit: here?.unit,
      changePrev: here && prev && prev.unit === here.unit ? changePct(here.value, prev.value) : undefined,
      changeYoY:
        here && lastYear && lastYear.unit === here.unit ? changePct(here.value, lastYear.value) : undefined,
      observationIds: here?.ids ?? [],
      alternatives: here?.alternatives ?? 0,
      yearToDate:
        here && query.granularity === 'month' && query.measure !== 'unit-value'
          ? yearToDate(ytdMonths(start).map((m) => levelAt(m, m)?.value)).total
          : undefined,
    };
  });
  const reported = points.filter((p) => p.status === 'reported');
  return {
    query,
    unit: reported[0]?.unit,
    points,
    firstReported: reported[0]?.period,
    lastReported: reported.at(-1)?.period,
    gaps: gapRuns(points),
  };
}

function yearsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let y = Number(from.slice(0, 4)); y <= Number(to.slice(0, 4)); y++) out.push(String(y));
  return out;
}

/**
 * Runs of unreported periods, so a reader sees "unreported 2014–2016" rather than three blanks.
 * @example gapRuns([{ period: '2014', status: 'unreported' }, { period: '2015', status: 'unreported' }]) // [{ from: '2014', to: '2015' }]
 */
export function gapRuns(
  points: readonly Pick<SeriesPoint, 'period' | 'status'>[],
): { from: string; to: string }[] {
  const runs: { from: string; to: string }[] = [];
  let open: { from: string; to: string } | undefined;
  for (const p of points) {
    if (p.status === 'unreported') {
      if (open) open.to = p.period;
      else open = { from: p.period, to: p.period };
    } else if (open) {
      runs.push(open);
      open = undefined;
    }
  }
  if (open) runs.push(open);
  return runs;
}

/** Months from January to `month` of its year: the months a year-to-date figure covers. */
export function ytdMonths(month: string): string[] {
  return monthsBetween(`${month.slice(0, 4)}-01`, month);
}
