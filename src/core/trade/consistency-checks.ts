/**
 * Conflicts and consistency checks over a set of observations. Each finding names the
 * observations involved, so a reader can go back to every source. The checks never decide which
 * source is right; they say which figures cannot all be true.
 */
import {
  addMonths,
  describeSource,
  type Observation,
  periodKey,
  periodLabel,
  periodMonths,
} from './observation.js';
import { figureKey, ObservationIndex, preferredObservation } from './series.js';
import { changePct, relativeDifference } from './trade-calculations.js';

export const FINDING_KINDS = [
  'correction',
  'disagreement',
  'part-exceeds-total',
  'flows-inconsistent',
  'sum-mismatch',
  'pct-inconsistent',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  kind: FindingKind;
  /** e.g. `CN import 2701 2016-04 value USD` */
  figure: string;
  period: string;
  commodity: string;
  observationIds: string[];
  values: number[];
  /** one sentence for a person */
  detail: string;
}

export interface Tolerances {
  /** relative difference below which two levels count as the same figure (rounding in print) */
  level: number;
  /** percentage points below which two percentages count as the same */
  pctPoints: number;
}

/** 1 % covers "US$161 million" against "US$161.38 million"; 1 pp covers "−21%" against "−20.5%". */
export const DEFAULT_TOLERANCES: Tolerances = { level: 0.01, pctPoints: 1 };

const isPct = (o: Observation) => o.unit === 'pct';

function describeFigure(o: Observation): string {
  return `${o.reporter} ${o.flow} ${o.commodity} ${periodLabel(o.period)} ${o.measure} ${o.unit}`;
}

function fmt(o: Observation): string {
  return `${o.value.toLocaleString('en-US')} ${o.unit} (${o.id}: ${describeSource(o.source)})`;
}

function differs(a: Observation, b: Observation, tol: Tolerances): boolean {
  if (isPct(a) || isPct(b)) return Math.abs(a.value - b.value) > tol.pctPoints;
  return relativeDifference(a.value, b.value) > tol.level;
}

/** Observations that can stand for a figure: not erroneous and not superseded by another given. */
function usable(candidates: readonly Observation[]): Observation[] {
  const superseded = new Set(candidates.flatMap((o) => o.supersedes));
  return candidates.filter((o) => o.status !== 'erroneous' && !superseded.has(o.id));
}

/**
 * Every finding over a set of observations, ordered by kind, period and figure.
 * @example checkConsistency([choson721, nkew722]) // [{ kind: 'correction', values: [7.21e6, 72.2e6], … }]
 */
export function checkConsistency(
  observations: readonly Observation[],
  tolerances: Tolerances = DEFAULT_TOLERANCES,
): Finding[] {
  const findings: Finding[] = [];
  const byId = new Map(observations.map((o) => [o.id, o]));
  const groups = new Map<string, Observation[]>();
  for (const o of observations) {
    const k = figureKey(o);
    const g = groups.get(k);
    if (g) g.push(o);
    else groups.set(k, [o]);
  }

  // Corrections: a later observation says it replaces an earlier one.
  for (const o of observations) {
    for (const oldId of o.supersedes) {
      const old = byId.get(oldId);
      if (!old) continue;
      findings.push({
        kind: 'correction',
        figure: describeFigure(o),
        period: periodLabel(o.period),
        commodity: o.commodity,
        observationIds: [old.id, o.id],
        values: [old.value, o.value],
        detail: `${fmt(old)} was corrected to ${fmt(o)}`,
      });
    }
  }

  // Disagreements: one figure, several sources, numbers apart by more than rounding. A figure
  // already corrected is reported as a correction, not again as a disagreement.
  const superseded = new Set(observations.flatMap((o) => o.supersedes));
  for (const group of groups.values()) {
    const sorted = group.filter((o) => !superseded.has(o.id)).sort((a, b) => a.value - b.value);
    const lo = sorted[0];
    const hi = sorted.at(-1);
    if (sorted.length < 2 || !lo || !hi || !differs(lo, hi, tolerances)) continue;
    findings.push({
      kind: 'disagreement',
      figure: describeFigure(lo),
      period: periodLabel(lo.period),
      commodity: lo.commodity,
      observationIds: sorted.map((o) => o.id),
      values: sorted.map((o) => o.value),
      detail: `reported as ${sorted.map(fmt).join(' vs ')}`,
    });
  }

  const index = new ObservationIndex(observations);
  const preferred = [...groups.values()]
    .map((g) => preferredObservation(g))
    .filter((o): o is Observation => o !== undefined);

  // Parts larger than their total: a commodity larger than a broader code or than TOTAL.
  const levels = preferred.filter((o) => (o.measure === 'value' || o.measure === 'quantity') && o.value > 0);
  const bySlice = new Map<string, Observation[]>();
  for (const o of levels) {
    const k = `${o.reporter}|${o.partner}|${o.flow}|${o.period.kind}|${periodKey(o.period)}|${o.measure}|${o.unit}`;
    const g = bySlice.get(k);
    if (g) g.push(o);
    else bySlice.set(k, [o]);
  }
  for (const slice of bySlice.values()) {
    for (const part of slice) {
      for (const whole of slice) {
        if (part === whole || !isPartOf(part.commodity, whole.commodity)) continue;
        if (part.value > whole.value * (1 + tolerances.level)) {
          findings.push({
            kind: 'part-exceeds-total',
            figure: describeFigure(part),
            period: periodLabel(part.period),
            commodity: part.commodity,
            observationIds: [part.id, whole.id],
            values: [part.value, whole.value],
            detail: `${part.commodity} ${fmt(part)} is larger than ${whole.commodity} ${fmt(whole)}`,
          });
        }
      }
    }
  }

  // Flows: imports or exports larger than two-way trade; imports + exports far from the total.
  for (const total of preferred.filter((o) => o.flow === 'total' && o.measure === 'value')) {
    const find = (flow: 'import' | 'export') =>
      preferredObservation(
        index
          .figure(
            total.reporter,
            total.partner,
            flow,
            total.commodity,
            'value',
            total.period.kind,
            total.period.start,
            total.period.end,
          )
          .filter((o) => o.unit === total.unit),
      );
    const imp = find('import');
    const exp = find('export');
    const ids = [total.id, imp?.id, exp?.id].filter((x): x is string => !!x);
    for (const flow of [imp, exp]) {
      if (flow && flow.value > total.value * (1 + tolerances.level)) {
        findings.push({
          kind: 'flows-inconsistent',
          figure: describeFigure(total),
          period: periodLabel(total.period),
          commodity: total.commodity,
          observationIds: ids,
          values: [total.value, flow.value],
          detail: `${flow.flow} ${fmt(flow)} is larger than two-way trade ${fmt(total)}`,
        });
      }
    }
    if (imp && exp && relativeDifference(imp.value + exp.value, total.value) > tolerances.level) {
      findings.push({
        kind: 'flows-inconsistent',
        figure: describeFigure(total),
        period: periodLabel(total.period),
        commodity: total.commodity,
        observationIds: ids,
        values: [total.value, imp.value + exp.value],
        detail: `imports ${fmt(imp)} + exports ${fmt(exp)} = ${(imp.value + exp.value).toLocaleString('en-US')}, not two-way trade ${fmt(total)}`,
      });
    }
  }

  // Sums: a quarter, half, year-to-date or year against the months it covers, when all are known.
  for (const agg of preferred.filter(
    (o) => o.period.kind !== 'month' && o.period.kind !== 'multi_month' && o.measure === 'value',
  )) {
    const months: Observation[] = [];
    for (let i = 0; i < periodMonths(agg.period); i++) {
      const m = addMonths(agg.period.start, i);
      const best = preferredObservation(
        index
          .figure(agg.reporter, agg.partner, agg.flow, agg.commodity, 'value', 'month', m, m)
          .filter((o) => o.unit === agg.unit),
      );
      if (!best) break;
      months.push(best);
    }
    if (months.length !== periodMonths(agg.period)) continue;
    const sum = months.reduce((s, o) => s + o.value, 0);
    if (relativeDifference(sum, agg.value) > tolerances.level) {
      findings.push({
        kind: 'sum-mismatch',
        figure: describeFigure(agg),
        period: periodLabel(agg.period),
        commodity: agg.commodity,
        observationIds: [agg.id, ...months.map((o) => o.id)],
        values: [agg.value, sum],
        detail: `${fmt(agg)} but its ${months.length} months add up to ${sum.toLocaleString('en-US')}`,
      });
    }
  }

  // A reported percentage change against the two levels it compares.
  for (const pct of observations.filter((o) => o.measure === 'yoy_pct' || o.measure === 'mom_pct')) {
    if (pct.status === 'erroneous') continue;
    const basis = pct.basis ?? 'value';
    const step = pct.measure === 'yoy_pct' ? 12 : periodMonths(pct.period);
    const levelsAt = (start: string, end: string) =>
      usable(
        index.figure(pct.reporter, pct.partner, pct.flow, pct.commodity, basis, pct.period.kind, start, end),
      );
    const heres = levelsAt(pct.period.start, pct.period.end);
    const bases = levelsAt(addMonths(pct.period.start, -step), addMonths(pct.period.end, -step));
    const here = preferredObservation(heres);
    const base = preferredObservation(bases);
    if (!here || !base || here.unit !== base.unit) continue;
    const implied = changePct(here.value, base.value);
    if (implied === undefined) continue;
    // levels printed as "2.3 million" may be anything from 2.25 to 2.35 million, and sources differ:
    // a percentage is inconsistent only if no pair of reported levels, within their printed
    // precision, gives it
    const slack = tolerances.pctPoints / 2;
    const explained = heres.some((h) =>
      bases.some((b) => {
        if (h.unit !== b.unit) return false;
        const r = impliedPctRange(h.value, b.value);
        return pct.value >= r.min - slack && pct.value <= r.max + slack;
      }),
    );
    if (!explained) {
      findings.push({
        kind: 'pct-inconsistent',
        figure: describeFigure(pct),
        period: periodLabel(pct.period),
        commodity: pct.commodity,
        observationIds: [pct.id, here.id, base.id],
        values: [pct.value, implied],
        detail: `reported ${pct.value}% but ${fmt(here)} against ${fmt(base)} is ${implied.toFixed(2)}%`,
      });
    }
  }

  const order = new Map(FINDING_KINDS.map((k, i) => [k, i]));
  return findings.sort(
    (a, b) =>
      (order.get(a.kind) ?? 0) - (order.get(b.kind) ?? 0) ||
      a.period.localeCompare(b.period) ||
      a.figure.localeCompare(b.figure),
  );
}

/**
 * `270111` is part of `2701`, `2701` of `27`, every HS code of `TOTAL`; group codes of nothing.
 * @example isPartOf('270111', '2701') // true
 */
export function isPartOf(part: string, whole: string): boolean {
  if (!/^\d+$/.test(part)) return false;
  if (whole === 'TOTAL') return true;
  return /^\d+$/.test(whole) && part.length > whole.length && part.startsWith(whole);
}

/**
 * Half the last printed unit of a figure: 2,300,000 was printed as "2.3 million" (±50,000),
 * 161,380,000 as "161.38 million" (±5,000). Figures with no trailing zeros count as exact.
 * @example printedHalfUnit(2_300_000) // 50_000
 */
export function printedHalfUnit(value: number): number {
  if (!Number.isInteger(value) || value === 0) return 0;
  let unit = 1;
  let v = Math.abs(value);
  while (v % 10 === 0) {
    v /= 10;
    unit *= 10;
  }
  return unit === 1 ? 0 : unit / 2;
}

/**
 * The smallest and largest percentage change two printed levels can stand for.
 * @example impliedPctRange(1_525_000, 2_300_000) // { min: ≈ -35.1, max: ≈ -32.2 }
 */
export function impliedPctRange(current: number, base: number): { min: number; max: number } {
  const hc = printedHalfUnit(current);
  const hb = printedHalfUnit(base);
  const values = [
    changePct(current - hc, base + hb),
    changePct(current + hc, base - hb),
    changePct(current, base),
  ].filter((v): v is number => v !== undefined);
  return { min: Math.min(...values), max: Math.max(...values) };
}
