/**
 * US$ trade values summed by commodity, flow and period (month, or year for annual figures) over a
 * whole file (every reporter and partner in it), and the year-on-year change of every period of
 * every commodity: what an analyst wants from a large Comtrade extract before looking at single
 * series.
 *
 * The sums are exact (Shewchuk's partials, as Python's `math.fsum`): the total of a commodity's
 * month does not depend on the order the figures are added in, so a file read in parts (by several
 * worker threads) gives bit for bit the totals of the file read in one pass.
 */
import { FLOWS, type Flow, type Observation } from './observation.js';
import { changePct } from './trade-calculations.js';

/**
 * commodity → period (`YYYY-MM` for a month, `YYYY` for a year) → partial sums by flow (index in
 * FLOWS). Plain data, so it can cross a thread boundary (structured clone) unchanged.
 */
export type MonthlyTotals = Map<string, Map<string, (number[] | undefined)[]>>;

/** What enters the totals: monthly and annual value figures in US dollars. */
export function countsTowardsTotals(o: Observation): boolean {
  return o.measure === 'value' && o.unit === 'USD' && (o.period.kind === 'month' || o.period.kind === 'year');
}

/** Adds `value` to the partial sums `partials` exactly: nothing is rounded away. */
export function addToPartials(partials: number[], value: number): void {
  if (partials.length === 1) {
    // the usual case (whole dollars): one partial, and the sum is exact
    const y = partials[0]!;
    const hi = value + y;
    const lo = Math.abs(value) < Math.abs(y) ? value - (hi - y) : y - (hi - value);
    if (lo === 0) {
      partials[0] = hi;
      return;
    }
  }
  let x = value;
  let i = 0;
  for (let j = 0; j < partials.length; j++) {
    let y = partials[j]!;
    if (Math.abs(x) < Math.abs(y)) {
      const t = x;
      x = y;
      y = t;
    }
    const hi = x + y;
    const lo = y - (hi - x);
    if (lo !== 0) partials[i++] = lo;
    x = hi;
  }
  partials.length = i;
  partials.push(x);
}

/**
 * The correctly rounded sum of exact partial sums.
 * @example exactSum([0.1, 0.2, 0.3].reduce((p, x) => (addToPartials(p, x), p), [] as number[])) // 0.6
 */
export function exactSum(partials: readonly number[]): number {
  let n = partials.length;
  if (n === 0) return 0;
  let hi = partials[--n]!;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n]!;
    hi = x + y;
    const yr = hi - x;
    lo = y - yr;
    if (lo !== 0) break;
  }
  // round half to even where the rest of the partials tip the balance (as math.fsum)
  if (n > 0 && ((lo < 0 && partials[n - 1]! < 0) || (lo > 0 && partials[n - 1]! > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}

/** Adds one observation to the totals if it counts (countsTowardsTotals); says whether it did. */
export function addToTotals(totals: MonthlyTotals, o: Observation): boolean {
  if (!countsTowardsTotals(o)) return false;
  let months = totals.get(o.commodity);
  if (!months) {
    months = new Map();
    totals.set(o.commodity, months);
  }
  const key = o.period.kind === 'month' ? o.period.start : o.period.start.slice(0, 4);
  addFigure(months, key, o.flow, o.value);
  return true;
}

/**
 * Adds one US$ value figure to the totals as addToTotals adds an observation that counts, from its
 * parts: commodity, period key (`YYYY-MM` for a month, `YYYY` for a year), flow and value. For a
 * reader that adds up a file without building the observations (T13).
 */
export function addValueToTotals(
  totals: MonthlyTotals,
  commodity: string,
  periodKey: string,
  flow: Flow,
  value: number,
): void {
  let months = totals.get(commodity);
  if (!months) {
    months = new Map();
    totals.set(commodity, months);
  }
  addFigure(months, periodKey, flow, value);
}

function addFigure(
  months: Map<string, (number[] | undefined)[]>,
  key: string,
  flow: Flow,
  value: number,
): void {
  let flows = months.get(key);
  if (!flows) {
    flows = [undefined, undefined, undefined, undefined];
    months.set(key, flows);
  }
  const f = FLOWS.indexOf(flow);
  const partials = flows[f];
  if (partials) addToPartials(partials, value);
  else flows[f] = [value];
}

/**
 * Adds the totals `from` into `into`. Merging the totals of a file's parts in their order gives
 * the totals of the whole file, keys in the same (first-seen) order.
 */
export function mergeTotals(into: MonthlyTotals, from: MonthlyTotals): void {
  for (const [commodity, fromMonths] of from) {
    let months = into.get(commodity);
    if (!months) {
      months = new Map();
      into.set(commodity, months);
    }
    for (const [month, fromFlows] of fromMonths) {
      let flows = months.get(month);
      if (!flows) {
        flows = [undefined, undefined, undefined, undefined];
        months.set(month, flows);
      }
      for (let f = 0; f < fromFlows.length; f++) {
        const add = fromFlows[f];
        if (!add) continue;
        const partials = flows[f];
        if (!partials) flows[f] = add.slice();
        else for (const x of add) addToPartials(partials, x);
      }
    }
  }
}

export interface YearOnYearPoint {
  commodity: string;
  flow: Flow;
  /** `YYYY-MM`, or `YYYY` for annual figures */
  period: string;
  value: number;
  /** the same period a year earlier, when reported */
  base?: number;
  /** percentage change from `base`; undefined when there is no base or it is zero */
  changePct?: number;
}

/** `YYYY-MM` or `YYYY` a year earlier, without parsing twice (periods here are always well formed). */
function yearEarlier(period: string): string {
  return `${String(Number(period.slice(0, 4)) - 1).padStart(4, '0')}${period.slice(4)}`;
}

/**
 * Every period of every commodity and flow in the totals, with its change on the same period a year
 * earlier (via `changePct`). A period without a figure a year before has no change: a gap is not zero.
 * @example yearOnYear(totals).filter((p) => p.commodity === '2701' && p.flow === 'import')
 */
export function yearOnYear(totals: MonthlyTotals): YearOnYearPoint[] {
  const out: YearOnYearPoint[] = [];
  for (const [commodity, months] of totals) {
    for (const [period, flows] of months) {
      const before = months.get(yearEarlier(period));
      for (let f = 0; f < flows.length; f++) {
        const partials = flows[f];
        if (!partials) continue;
        const value = exactSum(partials);
        const point: YearOnYearPoint = { commodity, flow: FLOWS[f]!, period, value };
        const basePartials = before?.[f];
        if (basePartials) {
          point.base = exactSum(basePartials);
          point.changePct = changePct(value, point.base);
        }
        out.push(point);
      }
    }
  }
  return out;
}
