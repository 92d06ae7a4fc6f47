import { describe, expect, it } from 'vitest';
import { loadRegime } from '../../ingest/regime-loader.js';
import { loadSeedObservations } from '../../ingest/trade/seed-dataset.js';
import type { RegimeMeasure } from '../regime/regime.js';
import type { Observation } from './observation.js';
import { parsePeriod } from './observation-schema.js';
import { coverageOf, sanctionedShare, sanctionsView } from './sanctions-view.js';

const regime = loadRegime();
const seed = loadSeedObservations();

describe('sanctions-aware views over the shipped data and regime', () => {
  const views = sanctionsView(seed, regime.measures);
  const mofcom = views.find((v) => v.measureId === 'CN-MOFCOM-11-2016-1');

  it("shows MOFCOM No. 11's coal and iron-ore ban from its effective date, with the reported falls", () => {
    expect(mofcom?.effectiveFrom).toBe('2016-04-05');
    expect(mofcom?.commodities.map((c) => c.commodity)).toEqual(
      expect.arrayContaining(['2601', '2701', '270111']),
    );
    const coal = mofcom?.commodities.find((c) => c.commodity === '2701');
    expect(coal?.reportedChanges.filter((r) => r.period === '2016-04').map((r) => r.value)).toEqual(
      expect.arrayContaining([-38.2, -38.34]),
    );
    // the erroneous US$7.21 m never counts as trade after the ban; the corrected US$72.2 m does
    const april = mofcom?.afterBan.find((t) => t.commodity === '2701' && t.period === '2016-04');
    expect(april?.value).toBe(72.2e6);
    expect(april?.shouldBeZero).toBe(false); // the livelihood exception allows some
  });

  it('shows unsanctioned zinc rising 685% beside banned coal, and lead as a neighbour too', () => {
    const zinc = mofcom?.neighbours.find((n) => n.commodity === '2608');
    expect(zinc?.reportedChanges.map((r) => r.value)).toEqual([685, 685]);
    expect(mofcom?.neighbours.map((n) => n.commodity)).toContain('2607');
    expect(mofcom?.neighbours.map((n) => n.commodity)).not.toContain('2701');
  });

  it('splits the coal value change around the ban into price and volume where tonnage is known', () => {
    const withSplit = views.flatMap((v) => v.commodities).filter((c) => c.priceVolume);
    expect(withSplit.length).toBeGreaterThan(0);
    for (const c of withSplit) {
      const s = c.priceVolume;
      expect(Math.abs((s?.priceEffect ?? 0) + (s?.volumeEffect ?? 0) - (s?.valueChange ?? 0))).toBeLessThan(
        1,
      );
    }
  });

  it('computes the share of imports in goods under a measure in force', () => {
    const share = sanctionedShare(seed, regime.measures, ['2016-04', '2016-05']);
    const may = share.find((s) => s.month === '2016-05');
    expect(may?.sanctioned).toBe(74.7e6);
    // Yonhap/KOTRA print US$175.6 m, UPI/KITA US$176 m: the later publication is preferred
    expect(may?.total).toBe(176e6);
    expect(may?.sharePct).toBeCloseTo(42.44, 2);
  });
});

describe('coverage and trade after a ban with no exception', () => {
  it('tells covered, partly covered and uncovered codes apart', () => {
    expect(coverageOf('270111', ['2701'], [])).toBe('covered');
    expect(coverageOf('27', ['2701'], [])).toBe('partly');
    expect(coverageOf('2608', ['2701'], [])).toBeUndefined();
    expect(coverageOf('270112', ['2701'], ['270112'])).toBeUndefined();
    expect(coverageOf('MIN5', ['2701'], [])).toBeUndefined();
  });

  it('flags any trade after a ban that has no exception as should-be-zero', () => {
    const ban = regime.measures.find((m) => m.measure.exceptions.length === 0 && m.measure.caps.length === 0);
    expect(ban).toBeDefined();
    const m = ban as RegimeMeasure;
    const code = m.measure.goods[0]?.include[0]?.code ?? '';
    const month = m.measure.effective_from.slice(0, 7);
    const after = { ...(parsePeriod(month) ?? { kind: 'month', start: month, end: month }) };
    const o: Observation = {
      id: 'x',
      reporter: 'CN',
      partner: 'KP',
      flow: m.measure.direction,
      period: { ...after, start: month.replace(/-\d\d$/, '-12'), end: month.replace(/-\d\d$/, '-12') },
      commodity: code,
      measure: 'value',
      value: 1000,
      unit: 'USD',
      qualifier: 'exact',
      status: 'reported',
      source: { kind: 'dataset', dataset: 'test' },
      supersedes: [],
    };
    const view = sanctionsView([o], [m]);
    expect(view[0]?.afterBan).toEqual([
      expect.objectContaining({ commodity: code, value: 1000, shouldBeZero: true }),
    ]);
  });
});
