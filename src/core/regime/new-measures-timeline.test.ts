/**
 * The measures added after the reference audit (R16–R20) as `regime timeline` and `regime diff`
 * show them: each appears on its effective date, in the jurisdiction that has it.
 */
import { describe, expect, it } from 'vitest';
import { loadRegime } from '../../ingest/regime-loader.js';
import { diffRegime } from './diff.js';
import { buildTimeline, measureSpans } from './timeline.js';
import { renderTimelineHtml } from './timeline-html.js';

const regime = loadRegime();
const ids = (list: { measure: string }[]) => list.map((m) => m.measure).sort();

describe('the luxury goods of 2270 and 2321 through time (UN)', () => {
  it('adds 2270’s Annex V on 2 March 2016 and 2321’s additions on 30 November 2016', () => {
    const d2270 = diffRegime(regime, '2016-03-01', '2016-03-02', { jurisdiction: 'UN' });
    expect(ids(d2270.added)).toContain('UN-2270-LUX');
    expect(d2270.hsGained.map((c) => `${c.direction}:${c.code}`)).toEqual(
      expect.arrayContaining(['export:9101', 'export:870310', 'export:9506']),
    );
    const d2321 = diffRegime(regime, '2016-11-29', '2016-11-30', { jurisdiction: 'UN' });
    expect(ids(d2321.added)).toContain('UN-2321-LUX');
    expect(d2321.hsGained.map((c) => `${c.direction}:${c.code}`)).toEqual(
      expect.arrayContaining(['export:5701', 'export:6911']),
    );
  });

  it('shows no Chinese luxury measure for a rug exported to the DPRK', () => {
    // (China's No. 52 bans textile imports from the DPRK, chapter 57 included: the other direction)
    expect(measureSpans(regime, { jurisdiction: 'CN', hs: '570110', direction: 'export' })).toEqual([]);
    expect(
      measureSpans(regime, { jurisdiction: 'UN', hs: '570110', direction: 'export' }).map((s) => [
        s.measure,
        s.from,
        s.to,
      ]),
    ).toEqual([['UN-2321-LUX', '2016-11-30', null]]);
  });
});

describe('No. 4 of 2018 (CN)', () => {
  it('adds its UNCONFIRMED import section beside the export items on 6 January 2018', () => {
    const d = diffRegime(regime, '2018-01-05', '2018-01-06', { jurisdiction: 'CN' });
    expect(ids(d.added)).toEqual([
      'CN-MOFCOM-4-2018-1',
      'CN-MOFCOM-4-2018-2',
      'CN-MOFCOM-4-2018-3',
      'CN-MOFCOM-4-2018-II',
    ]);
    expect(d.hsGained.filter((c) => c.direction === 'import').map((c) => c.code)).toEqual(
      expect.arrayContaining(['07', '08', '12', '25', '44', '84', '85', '89']),
    );
  });

  it('marks the import section as of kind unconfirmed-ban in the timeline, table and HTML', () => {
    const t = buildTimeline(regime, { jurisdiction: 'CN', hs: '8429' });
    const span = t.spans.find((s) => s.measure === 'CN-MOFCOM-4-2018-II');
    expect(span).toMatchObject({
      kind: 'unconfirmed-ban',
      from: '2018-01-06',
      direction: 'import',
      unconfirmed: true,
    });
    const html = renderTimelineHtml(t);
    expect(html).toMatch(/class="cn unc"/);
    expect(html).toContain('existence UNCONFIRMED (held)');
  });
});

describe('2397 OP7 in the timeline (UN)', () => {
  it('shows the aircraft spare-parts exception opening with the measure on 22 December 2017', () => {
    const span = measureSpans(regime, { jurisdiction: 'UN', hs: '880330' }).find(
      (s) => s.measure === 'UN-2397-OP7',
    );
    expect(span?.exceptions.map((x) => [x.id, x.window?.from, x.window?.to])).toEqual([
      ['civil-aircraft-spare-parts', '2017-12-22', null],
    ]);
  });
});
