import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadRegime } from '../../ingest/regime-loader.js';
import { loadSeedObservations } from '../../ingest/trade/seed-dataset.js';
import type { Period } from './observation.js';
import { formatPeriod, parsePeriod } from './observation-schema.js';
import { buildSeries, ObservationIndex } from './series.js';
import { buildTradeReport } from './trade-report.js';

const seed = loadSeedObservations();
const regime = loadRegime();

describe('trade report over the shipped data', () => {
  const report = buildTradeReport({
    observations: seed,
    measures: regime.measures,
    from: '2016-01',
    to: '2016-12',
  });

  it('implies the April 2015 imports from "−22.35% to US$161.38 million"', () => {
    const april = report.impliedBases.find(
      (b) => b.period === '2016-04' && b.flow === 'import' && b.commodity === 'TOTAL',
    );
    expect(april?.level).toBe(161.38e6);
    expect(april?.impliedBase).toBeCloseTo(207.83e6, -4);
  });

  it('puts the implied May 2015 figure beside the one Yonhap printed (US$200.9 m)', () => {
    const may = report.impliedBases.find(
      (b) => b.period === '2016-05' && b.flow === 'import' && b.commodity === 'TOTAL',
    );
    expect(may?.impliedBase).toBeCloseTo(200.9e6, -5);
    expect(may?.reportedBase).toBe(200.9e6);
  });

  it('annualises the reported Jan–Apr figures and never sums an incomplete period', () => {
    const total = report.aggregates.find((a) => a.period === '2016 Jan–Apr' && a.flow === 'total');
    expect(total?.annualised).toBeCloseTo(4.791e9, -6);
    expect(report.summary.find((s) => s.flow === 'import')).toMatchObject({ sum: undefined });
    expect(report.summary.find((s) => s.flow === 'import')?.missing).toContain('2016-09');
  });

  it('marks the 2016 measures and the coal correction', () => {
    expect(report.sanctions.map((s) => s.effectiveFrom)).toEqual(
      expect.arrayContaining(['2016-03-02', '2016-04-05']),
    );
    expect(
      report.conflicts.some((f) => f.kind === 'correction' && f.observationIds.includes('seed-0078')),
    ).toBe(true);
  });

  it('lists crude-oil exports as no longer reported, with the last figure (2013)', () => {
    const later = buildTradeReport({
      observations: seed,
      measures: regime.measures,
      from: '2015-01',
      to: '2016-12',
    });
    const crude = later.stopped.find(
      (x) => x.commodity === '2709' && x.flow === 'export' && x.measure === 'quantity',
    );
    expect(crude).toMatchObject({ lastReported: '2013-12', lastValue: 578000, unit: 't' });
  });

  it('gives a year-to-date only when every month since January is reported', () => {
    const s = buildSeries(new ObservationIndex(seed), {
      partner: 'KP',
      flow: 'import',
      commodity: 'TOTAL',
      measure: 'value',
      granularity: 'month',
      from: '2016-01',
      to: '2016-04',
    });
    expect(s.points.map((p) => p.yearToDate === undefined)).toEqual([false, false, true, true]);
    expect(s.points[1]?.yearToDate).toBe((s.points[0]?.value ?? 0) + (s.points[1]?.value ?? 0));
  });
});

describe('period grammar (property)', () => {
  const month = fc.tuple(fc.integer({ min: 1990, max: 2030 }), fc.integer({ min: 1, max: 12 }));
  const mm = ([y, m]: [number, number]) => `${y}-${String(m).padStart(2, '0')}`;
  it('formats and parses back every period it produces', () => {
    fc.assert(
      fc.property(
        month,
        fc.integer({ min: 0, max: 30 }),
        fc.constantFrom('month', 'quarter', 'half', 'year', 'span'),
        (start, len, kind) => {
          const text =
            kind === 'month'
              ? mm(start)
              : kind === 'quarter'
                ? `${start[0]}-Q${Math.ceil(start[1] / 3)}`
                : kind === 'half'
                  ? `${start[0]}-H${start[1] <= 6 ? 1 : 2}`
                  : kind === 'year'
                    ? String(start[0])
                    : `${mm(start)}..${mm([start[0] + Math.floor((start[1] - 1 + len) / 12), ((start[1] - 1 + len) % 12) + 1])}`;
          const p = parsePeriod(text) as Period;
          expect(p).toBeDefined();
          expect(parsePeriod(formatPeriod(p))).toEqual(p);
          expect(p.start <= p.end).toBe(true);
        },
      ),
    );
  });

  it('rejects what is not a period', () => {
    for (const bad of ['2016-13', '2016-Q5', '2016-H3', '16', '2016-04..2016-01', '2016/04', '']) {
      expect(parsePeriod(bad)).toBeUndefined();
    }
  });
});
