import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkConsistency, isPartOf } from './consistency-checks.js';
import type { Observation } from './observation.js';
import { parsePeriod } from './observation-schema.js';
import { buildSeries, ObservationIndex, preferredObservation } from './series.js';

function obs(id: string, fields: Partial<Observation> & { p: string }): Observation {
  const { p, ...rest } = fields;
  const period = parsePeriod(p);
  if (!period) throw new Error(p);
  return {
    id,
    reporter: 'CN',
    partner: 'KP',
    flow: 'import',
    period,
    commodity: 'TOTAL',
    measure: 'value',
    value: 0,
    unit: 'USD',
    qualifier: 'exact',
    status: 'reported',
    source: { kind: 'report', outlet: 'Test Outlet', title: 'A report', published: '2016-05-25' },
    supersedes: [],
    ...rest,
  };
}

const chosun = {
  kind: 'report',
  outlet: 'Choson Ilbo',
  title: 'Sanctions Slash',
  published: '2016-05-25',
} as const;

describe('consistency checks', () => {
  it('finds the April 2016 coal correction: US$7.21 m as printed, US$72.2 m corrected', () => {
    const findings = checkConsistency([
      obs('c-721', { p: '2016-04', commodity: '2701', value: 7.21e6, status: 'erroneous', source: chosun }),
      obs('c-722', { p: '2016-04', commodity: '2701', value: 72.2e6, supersedes: ['c-721'] }),
    ]);
    expect(findings.map((f) => f.kind)).toEqual(['correction']);
    expect(findings[0]?.values).toEqual([7.21e6, 72.2e6]);
    expect(findings[0]?.detail).toContain('Choson Ilbo');
  });

  it('reports two sources disagreeing beyond rounding, and not those within it', () => {
    const findings = checkConsistency([
      obs('kotra', { p: '2016-04', commodity: '2601', measure: 'yoy_pct', value: 19.38, unit: 'pct' }),
      obs('kita', { p: '2016-04', commodity: '2601', measure: 'yoy_pct', value: 1.7, unit: 'pct' }),
      obs('a', { p: '2016-04', value: 161.38e6 }),
      obs('b', { p: '2016-04', value: 161e6 }),
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'disagreement', observationIds: ['kita', 'kotra'] });
  });

  it('flags a commodity larger than the total it is part of', () => {
    const findings = checkConsistency([
      obs('t', { p: '2016-04', value: 100e6 }),
      obs('coal', { p: '2016-04', commodity: '2701', value: 120e6 }),
      obs('anthracite', { p: '2016-04', commodity: '270111', value: 130e6 }),
    ]);
    expect(findings.filter((f) => f.kind === 'part-exceeds-total').map((f) => f.observationIds)).toEqual([
      ['coal', 't'],
      ['anthracite', 't'],
      ['anthracite', 'coal'],
    ]);
  });

  it('flags imports plus exports that do not make the two-way total', () => {
    const findings = checkConsistency([
      obs('t', { p: '2016-04', flow: 'total', value: 429.41e6 }),
      obs('m', { p: '2016-04', flow: 'import', value: 161.38e6 }),
      obs('x', { p: '2016-04', flow: 'export', value: 168e6 }),
    ]);
    expect(findings.map((f) => f.kind)).toEqual(['flows-inconsistent']);
  });

  it('flags a year-to-date figure the months do not add up to, only when every month is known', () => {
    const months = ['2016-01', '2016-02', '2016-03', '2016-04'].map((p, i) =>
      obs(`m${i}`, { p, value: 100 }),
    );
    expect(checkConsistency([...months, obs('ytd', { p: '2016-01..2016-04', value: 400 })])).toEqual([]);
    const bad = checkConsistency([...months, obs('ytd', { p: '2016-01..2016-04', value: 500 })]);
    expect(bad.map((f) => f.kind)).toEqual(['sum-mismatch']);
    expect(checkConsistency([...months.slice(1), obs('ytd', { p: '2016-01..2016-04', value: 500 })])).toEqual(
      [],
    );
  });

  it('flags a reported percentage that the two levels do not give', () => {
    const base = obs('apr15', { p: '2015-04', commodity: '2701', value: 116.6e6 });
    const now = obs('apr16', { p: '2016-04', commodity: '2701', value: 72.2e6 });
    const ok = obs('pct', { p: '2016-04', commodity: '2701', measure: 'yoy_pct', value: -38.2, unit: 'pct' });
    const wrong = obs('pct2', {
      p: '2016-04',
      commodity: '2701',
      measure: 'yoy_pct',
      value: -20,
      unit: 'pct',
    });
    const findings = checkConsistency([base, now, ok, wrong]);
    expect(findings.filter((f) => f.kind === 'pct-inconsistent').map((f) => f.observationIds[0])).toEqual([
      'pct2',
    ]);
  });

  it('treats HS codes as parts of shorter codes and of TOTAL, group codes as parts of nothing', () => {
    expect(isPartOf('270111', '2701')).toBe(true);
    expect(isPartOf('2701', 'TOTAL')).toBe(true);
    expect(isPartOf('2701', '2701')).toBe(false);
    expect(isPartOf('2601', '27')).toBe(false);
    expect(isPartOf('MIN5', 'TOTAL')).toBe(false);
  });
});

describe('series', () => {
  it('never picks an erroneous or superseded figure, and prefers a dataset to a report', () => {
    const wrong = obs('w', { p: '2016-04', value: 7.21e6, status: 'erroneous' });
    const fixed = obs('f', { p: '2016-04', value: 72.2e6, supersedes: ['w'] });
    const official = obs('d', {
      p: '2016-04',
      value: 72.3e6,
      source: { kind: 'dataset', dataset: 'UN Comtrade' },
    });
    expect(preferredObservation([wrong, fixed])?.id).toBe('f');
    expect(preferredObservation([wrong, fixed, official])?.id).toBe('d');
    expect(preferredObservation([wrong])).toBeUndefined();
  });

  it('shows crude oil after 2013 as unreported, not as zero', () => {
    const index = new ObservationIndex([
      obs('crude13', {
        p: '2013',
        flow: 'export',
        commodity: '2709',
        measure: 'quantity',
        value: 578000,
        unit: 't',
      }),
    ]);
    const s = buildSeries(index, {
      partner: 'KP',
      flow: 'export',
      commodity: '2709',
      measure: 'quantity',
      granularity: 'year',
      from: '2013-01',
      to: '2016-12',
    });
    expect(s.points.map((p) => [p.period, p.status, p.value])).toEqual([
      ['2013', 'reported', 578000],
      ['2014', 'unreported', undefined],
      ['2015', 'unreported', undefined],
      ['2016', 'unreported', undefined],
    ]);
    expect(s.lastReported).toBe('2013');
    expect(s.gaps).toEqual([{ from: '2014', to: '2016' }]);
  });

  it('computes unit values in US$ per tonne, with month-on-month and year-on-year change', () => {
    const index = new ObservationIndex([
      obs('v5', { p: '2016-05', commodity: '270111', value: 74e6 }),
      obs('q5', { p: '2016-05', commodity: '270111', measure: 'quantity', value: 1.5e6, unit: 't' }),
      obs('v6', { p: '2016-06', commodity: '270111', value: 88e6 }),
      obs('q6', { p: '2016-06', commodity: '270111', measure: 'quantity', value: 1.8e9, unit: 'kg' }),
    ]);
    const s = buildSeries(index, {
      partner: 'KP',
      flow: 'import',
      commodity: '270111',
      measure: 'unit-value',
      granularity: 'month',
      from: '2016-05',
      to: '2016-06',
    });
    expect(s.unit).toBe('USD/t');
    expect(s.points[0]?.value).toBeCloseTo(49.33, 2);
    expect(s.points[1]?.value).toBeCloseTo(48.89, 2);
    expect(s.points[1]?.changePrev).toBeCloseTo(-0.9, 1);
    expect(s.points[1]?.observationIds).toEqual(['v6', 'q6']);
  });
});

describe('consistency checks (properties)', () => {
  const level = fc.integer({ min: 1_000_000, max: 900_000_000 });

  it('finds nothing in figures that are consistent by construction', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(level, level), { minLength: 12, maxLength: 12 }),
        fc.array(level, { minLength: 12, maxLength: 12 }),
        (thisYear, lastYear) => {
          const all: Observation[] = [];
          thisYear.forEach(([m, x], i) => {
            const p = `2016-${String(i + 1).padStart(2, '0')}`;
            all.push(obs(`m${i}`, { p, flow: 'import', value: m }));
            all.push(obs(`x${i}`, { p, flow: 'export', value: x }));
            all.push(obs(`t${i}`, { p, flow: 'total', value: m + x }));
            const base = lastYear[i] ?? 1;
            all.push(
              obs(`b${i}`, { p: `2015-${String(i + 1).padStart(2, '0')}`, flow: 'import', value: base }),
            );
            all.push(
              obs(`y${i}`, {
                p,
                flow: 'import',
                measure: 'yoy_pct',
                unit: 'pct',
                value: Number((((m - base) / base) * 100).toFixed(2)),
              }),
            );
          });
          const ytd = thisYear.slice(0, 4).reduce((s, [m]) => s + m, 0);
          all.push(obs('ytd', { p: '2016-01..2016-04', flow: 'import', value: ytd }));
          expect(checkConsistency(all)).toEqual([]);
        },
      ),
    );
  });

  it('always reports a year-to-date figure that differs from its months by more than the tolerance', () => {
    fc.assert(
      fc.property(
        fc.array(level, { minLength: 3, maxLength: 3 }),
        fc.double({ min: 0.02, max: 0.5, noNaN: true }),
        (months, off) => {
          const all = months.map((v, i) => obs(`m${i}`, { p: `2016-0${i + 1}`, value: v }));
          const sum = months.reduce((s, v) => s + v, 0);
          all.push(obs('ytd', { p: '2016-01..2016-03', value: Math.round(sum * (1 + off)) }));
          expect(checkConsistency(all).map((f) => f.kind)).toEqual(['sum-mismatch']);
        },
      ),
    );
  });

  it('never reports a disagreement between a figure and the correction that supersedes it', () => {
    fc.assert(
      fc.property(level, level, (a, b) => {
        const findings = checkConsistency([
          obs('old', { p: '2016-04', commodity: '2701', value: a }),
          obs('new', { p: '2016-04', commodity: '2701', value: b, supersedes: ['old'] }),
        ]);
        expect(findings.map((f) => f.kind)).toEqual(['correction']);
      }),
    );
  });
});
