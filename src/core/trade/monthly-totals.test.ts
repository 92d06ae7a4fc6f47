import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addToPartials,
  addToTotals,
  exactSum,
  type MonthlyTotals,
  mergeTotals,
  yearOnYear,
} from './monthly-totals.js';
import type { Observation } from './observation.js';

const obs = (commodity: string, month: string, flow: Observation['flow'], value: number): Observation => ({
  id: `${commodity}:${month}:${flow}`,
  reporter: 'CN',
  partner: 'KP',
  flow,
  period: { kind: 'month', start: month, end: month },
  commodity,
  measure: 'value',
  value,
  unit: 'USD',
  qualifier: 'exact',
  status: 'reported',
  source: { kind: 'dataset', dataset: 'UN Comtrade' },
  supersedes: [],
});

describe('monthly totals', () => {
  it('sums exactly: 0.1 + 0.2 + 0.3 is 0.6, not 0.6000000000000001', () => {
    const p: number[] = [];
    for (const x of [0.1, 0.2, 0.3]) addToPartials(p, x);
    expect(exactSum(p)).toBe(0.6);
    expect(0.1 + 0.2 + 0.3).not.toBe(0.6);
  });

  it('gives the same totals however the figures are split into parts and merged (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e12, max: 1e12, noNaN: true }), { minLength: 1, maxLength: 60 }),
        fc.nat(60),
        (values, cut) => {
          const whole: MonthlyTotals = new Map();
          const a: MonthlyTotals = new Map();
          const b: MonthlyTotals = new Map();
          values.forEach((v, i) => {
            addToTotals(whole, obs('2701', '2016-04', 'import', v));
            addToTotals(i < cut ? a : b, obs('2701', '2016-04', 'import', v));
          });
          mergeTotals(a, b);
          const sum = (t: MonthlyTotals) => exactSum(t.get('2701')?.get('2016-04')?.[0] ?? []);
          expect(sum(a)).toBe(sum(whole));
          const reversed: number[] = [];
          for (const v of [...values].reverse()) addToPartials(reversed, v);
          expect(exactSum(reversed)).toBe(sum(whole));
        },
      ),
    );
  });

  it('counts monthly and annual US$ values only, and computes each against the same period a year before', () => {
    const t: MonthlyTotals = new Map();
    addToTotals(t, obs('2701', '2015-04', 'import', 116.6e6));
    addToTotals(t, obs('2701', '2016-04', 'import', 50e6));
    addToTotals(t, obs('2701', '2016-04', 'import', 22.2e6));
    addToTotals(t, obs('2701', '2016-05', 'import', 10e6));
    expect(addToTotals(t, { ...obs('2701', '2016-04', 'import', 5), measure: 'quantity', unit: 't' })).toBe(
      false,
    );
    expect(addToTotals(t, { ...obs('2701', '2016-04', 'import', 5), unit: 'CNY' })).toBe(false);
    const quarter = { kind: 'quarter' as const, start: '2016-04', end: '2016-06' };
    expect(addToTotals(t, { ...obs('2701', '2016-04', 'import', 5), period: quarter })).toBe(false);
    const points = yearOnYear(t);
    expect(points).toHaveLength(3);
    const april = points.find((p) => p.period === '2016-04');
    expect(april?.value).toBe(72.2e6);
    expect(april?.changePct).toBeCloseTo(-38.08, 2);
    // May 2015 was not reported: no change, not a change from zero
    expect(points.find((p) => p.period === '2016-05')).toEqual({
      commodity: '2701',
      flow: 'import',
      period: '2016-05',
      value: 10e6,
    });
  });

  it('keeps annual figures apart from months, by year', () => {
    const t: MonthlyTotals = new Map();
    const year = (y: string, value: number): Observation => ({
      ...obs('252310', `${y}-01`, 'export', value),
      period: { kind: 'year', start: `${y}-01`, end: `${y}-12` },
    });
    addToTotals(t, year('2015', 2469997));
    addToTotals(t, year('2016', 2023026));
    addToTotals(t, obs('252310', '2016-01', 'export', 1));
    const points = yearOnYear(t);
    expect(points.map((p) => [p.period, p.value, p.base])).toEqual([
      ['2015', 2469997, undefined],
      ['2016', 2023026, 2469997],
      ['2016-01', 1, undefined],
    ]);
    expect(points[1]?.changePct).toBeCloseTo(-18.1, 1);
  });
});
