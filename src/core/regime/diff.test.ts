import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadRegime } from '../../ingest/regime-loader.js';
import { diffRegime, isEmptyDiff } from './diff.js';
import { addDays } from './timeline.js';

const regime = loadRegime();
const ids = (list: { measure: string }[]) => list.map((m) => m.measure).sort();

describe('diff between two dates', () => {
  it('shows 2371 replacing 2321 for coal and adding seafood and lead (UN, 4 → 6 August 2017)', () => {
    const d = diffRegime(regime, '2017-08-04', '2017-08-06', { jurisdiction: 'UN' });
    expect(ids(d.added)).toEqual(['UN-2371-OP10', 'UN-2371-OP8', 'UN-2371-OP9']);
    expect(d.ended).toEqual([expect.objectContaining({ measure: 'UN-2321-OP26', endedBy: 'UN-2371-OP8' })]);
    const gained = d.hsGained.map((c) => `${c.direction}:${c.code}`);
    expect(gained).toEqual(
      expect.arrayContaining(['import:03', 'import:1604', 'import:2607', 'import:7801']),
    );
    // coal stays covered: ended by one measure, covered by the next
    expect(d.hsLost).toEqual([]);
    expect(gained).not.toContain('import:2701');
  });

  it('shows the grace window closing as a change of the same measure (UN, 4 → 5 September 2017)', () => {
    const d = diffRegime(regime, '2017-09-04', '2017-09-05', { jurisdiction: 'UN' });
    expect(d.added).toEqual([]);
    const op8 = d.changed.find((c) => c.measure === 'UN-2371-OP8');
    expect(op8?.changes).toEqual([
      expect.objectContaining({
        kind: 'exception-closed',
        item: 'prior-contract-30-days',
        before: 'available',
        after: 'closed',
      }),
    ]);
  });

  it('reports a suspension that began and ended between the two dates as transient (CN, Dec 2016 → Jan 2017)', () => {
    const d = diffRegime(regime, '2016-12-01', '2017-01-15', { jurisdiction: 'CN' });
    expect(ids(d.transient)).toEqual(['CN-MOFCOM-75-2016']);
    expect(ids(d.added)).toEqual([
      'CN-MOFCOM-81-2016-1',
      'CN-MOFCOM-81-2016-2',
      'CN-MOFCOM-81-2016-3',
      'CN-MOFCOM-81-2016-4',
    ]);
    expect(d.events.map((e) => e.date)).toContain('2016-12-11');
    expect(d.events.every((e) => e.date > '2016-12-01' && e.date <= '2017-01-15')).toBe(true);
  });

  it('shows China’s refined-petroleum cap changing at the new year and No. 4 replacing No. 52 on 6 January', () => {
    const newYear = diffRegime(regime, '2017-12-31', '2018-01-01', { jurisdiction: 'CN', hs: '2710' });
    expect(newYear.changed).toEqual([
      {
        measure: 'CN-MOFCOM-52-2017-3',
        title: expect.any(String),
        changes: [
          expect.objectContaining({
            kind: 'cap-changed',
            item: 'refined-aggregate',
            before: '500000 bbl or 60000 t (2017-10-01..2018-01-01)',
            after: '2000000 bbl or 240000 t (2018-01-01..2019-01-01)',
          }),
        ],
      },
    ]);
    const no4 = diffRegime(regime, '2018-01-05', '2018-01-06', { jurisdiction: 'CN', hs: '2710' });
    expect(ids(no4.added)).toEqual(['CN-MOFCOM-4-2018-3']);
    expect(no4.ended).toEqual([
      expect.objectContaining({ measure: 'CN-MOFCOM-52-2017-3', endedBy: 'CN-MOFCOM-4-2018-3' }),
    ]);
  });

  it('shows HS coverage gained by chapter when 2397 bans supply of machinery, vehicles and metals', () => {
    const d = diffRegime(regime, '2017-12-21', '2017-12-22', { jurisdiction: 'UN', direction: 'export' });
    const gained = d.hsGained.map((c) => c.code);
    expect(gained).toEqual(expect.arrayContaining(['72', '83', '84', '85', '86', '87', '88']));
    expect(gained).not.toContain('77');
    // vessels were already covered by 2321 OP30 (new vessels), so 89 is not new coverage
    expect(gained).not.toContain('89');
    expect(d.ended.map((m) => m.measure)).toEqual(['UN-2375-OP15']);
  });

  it('reads backwards in time: swapping the dates swaps added and ended, gained and lost', () => {
    const day = fc.integer({ min: 0, max: 1100 }).map((n) => addDays('2016-01-01', n));
    fc.assert(
      fc.property(day, day, fc.constantFrom('UN' as const, 'CN' as const), (a, b, jurisdiction) => {
        const ab = diffRegime(regime, a, b, { jurisdiction });
        const ba = diffRegime(regime, b, a, { jurisdiction });
        expect(ids(ab.added)).toEqual(ids(ba.ended));
        expect(ids(ab.ended)).toEqual(ids(ba.added));
        expect(ab.hsGained).toEqual(ba.hsLost);
        expect(ab.events).toEqual(ba.events);
        expect(isEmptyDiff(diffRegime(regime, a, a, { jurisdiction }))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
