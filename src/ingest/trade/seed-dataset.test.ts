import { describe, expect, it } from 'vitest';
import { checkConsistency } from '../../core/trade/consistency-checks.js';
import type { Observation } from '../../core/trade/observation.js';
import { buildSeries, ObservationIndex } from '../../core/trade/series.js';
import { annualise, changePct, tradeBalance } from '../../core/trade/trade-calculations.js';
import { loadSeedObservations } from './seed-dataset.js';

const observations = loadSeedObservations();
const byId = new Map(observations.map((o) => [o.id, o]));
const value = (id: string) => {
  const o = byId.get(id);
  if (!o) throw new Error(`no observation ${id}`);
  return o.value;
};

describe('the shipped trade dataset', () => {
  it('validates, with an outlet, title and citation for every figure', () => {
    expect(observations.length).toBeGreaterThan(300);
    expect(new Set(observations.map((o) => o.id)).size).toBe(observations.length);
    for (const o of observations) {
      expect(o.source.kind).toBe('report');
      if (o.source.kind === 'report') {
        expect(o.source.outlet.length).toBeGreaterThan(0);
        expect(o.source.title.length).toBeGreaterThan(0);
      }
    }
  });

  it('holds every kind of figure the founding document reports', () => {
    const seed = observations.filter((o) => o.id.startsWith('seed-'));
    expect(seed).toHaveLength(118);
    const has = (pred: (o: Observation) => boolean) => seed.some(pred);
    expect(has((o) => o.commodity === '2701' && o.measure === 'value')).toBe(true); // coal value
    expect(has((o) => o.commodity === '270111' && o.measure === 'quantity')).toBe(true); // tonnage
    expect(has((o) => o.commodity === '2601')).toBe(true); // iron ore
    expect(has((o) => o.commodity === '7108')).toBe(true); // gold
    expect(has((o) => o.commodity === '2608' && o.value === 685)).toBe(true); // zinc +685%
    expect(has((o) => o.commodity === '2614')).toBe(true); // titanium
    expect(has((o) => o.commodity === '2710')).toBe(true); // jet fuel / refined oil
    expect(has((o) => o.commodity === '87')).toBe(true); // cars
    expect(has((o) => o.commodity === '85')).toBe(true); // electronics
    expect(has((o) => o.commodity === 'BORDER' && o.measure === 'count')).toBe(true); // trucks a day
  });

  it("reproduces the founding document's arithmetic from its own figures", () => {
    // Jan–Apr 2016: $1.597 bn, "$4.791 annualized"
    expect(annualise(value('seed-0066'), 4)).toBeCloseTo(value('seed-0113'), -6);
    // exports $862 m − imports $735 m = $127 m deficit for the DPRK, "$381 million at annualized rate"
    const balance = tradeBalance(value('seed-0067'), value('seed-0068'));
    expect(balance).toBe(value('seed-0069'));
    expect(annualise(balance, 4)).toBeCloseTo(value('seed-0115'), -6);
    // coal $116.6 m (April 2015) → $72.2 m (April 2016): about −38%, printed as −38.2%
    const coal = changePct(value('seed-0071'), value('seed-0072'));
    expect(Math.round(coal ?? 0)).toBe(-38);
    expect(Math.abs((coal ?? 0) - value('seed-0077'))).toBeLessThan(0.5);
  });

  it('detects the April 2016 coal conflict: US$7.21 m (Choson Ilbo) corrected to US$72.2 m', () => {
    const findings = checkConsistency(observations);
    const correction = findings.find((f) => f.kind === 'correction' && f.commodity === '2701');
    expect(correction).toMatchObject({ period: '2016-04', observationIds: ['seed-0078', 'seed-0071'] });
    expect(correction?.values).toEqual([7.21e6, 72.2e6]);
    expect(correction?.detail).toContain('Choson Ilbo');
    // the corrected figure is the one series use
    const series = buildSeries(new ObservationIndex(observations), {
      partner: 'KP',
      flow: 'import',
      commodity: '2701',
      measure: 'value',
      granularity: 'month',
      from: '2016-04',
      to: '2016-04',
    });
    expect(series.points[0]?.value).toBe(72.2e6);
  });

  it('finds the two April 2016 iron-ore changes that cannot both be true (+1.7% and +19.38%)', () => {
    const f = checkConsistency(observations).find(
      (x) => x.kind === 'disagreement' && x.commodity === '2601' && x.period === '2016-04',
    );
    expect(f?.values).toEqual([1.7, 19.38]);
  });

  it('shows crude-oil exports after 2013 as unreported, not zero', () => {
    const s = buildSeries(new ObservationIndex(observations), {
      partner: 'KP',
      flow: 'export',
      commodity: '2709',
      measure: 'quantity',
      granularity: 'year',
      from: '2013-01',
      to: '2016-12',
    });
    expect(s.points.map((p) => p.status)).toEqual(['reported', 'unreported', 'unreported', 'unreported']);
    expect(s.points[0]?.value).toBe(578000);
  });
});
