import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadRegime } from '../../ingest/regime-loader.js';
import { type Instrument, InstrumentSchema, MeasureSchema } from './measure-schema.js';
import type { Regime } from './regime.js';
import { addDays, buildTimeline, exceptionAvailable, inForceOn, measureSpans } from './timeline.js';

const regime = loadRegime();
const ids = (spans: { measure: string }[]) => spans.map((s) => s.measure).sort();

describe('the shipped regime through time', () => {
  it('chains China’s coal measures: No. 11 until No. 40 ends it, the two suspensions as windows', () => {
    const spans = measureSpans(regime, { jurisdiction: 'CN', hs: '2701' });
    const byId = new Map(spans.map((s) => [s.measure, s]));
    expect(byId.get('CN-MOFCOM-11-2016-1')).toMatchObject({
      from: '2016-04-05',
      to: '2017-08-15',
      endedBy: 'CN-MOFCOM-40-2017-1',
    });
    expect(byId.get('CN-MOFCOM-75-2016')).toMatchObject({
      from: '2016-12-11',
      to: '2017-01-01',
      kind: 'suspension',
    });
    expect(byId.get('CN-MOFCOM-12-2017')).toMatchObject({
      from: '2017-02-19',
      to: '2018-01-01',
      kind: 'suspension',
    });
    expect(byId.get('CN-MOFCOM-81-2016-1')).toMatchObject({ from: '2016-12-24', to: '2017-08-15' });
    expect(byId.get('CN-MOFCOM-40-2017-1')).toMatchObject({ from: '2017-08-15', to: null });
    // aviation fuel, textiles and petroleum do not touch coal
    expect(spans.every((s) => s.hs.every((c) => c.startsWith('27') || c.length === 2))).toBe(true);
  });

  it('chains the UN coal measures: 2270 OP29 → 2321 OP26 → 2371 OP8, each ended by the next', () => {
    const spans = measureSpans(regime, { jurisdiction: 'UN', hs: '270112' });
    expect(spans.map((s) => [s.measure, s.from, s.to, s.endedBy])).toEqual([
      ['UN-2270-OP29', '2016-03-02', '2016-11-30', 'UN-2321-OP26'],
      ['UN-2321-OP26', '2016-11-30', '2017-08-05', 'UN-2371-OP8'],
      ['UN-2371-OP8', '2017-08-05', null, null],
    ]);
  });

  it('answers which measures were in force on a day, per jurisdiction', () => {
    expect(ids(inForceOn(regime, '2016-12-05', { jurisdiction: 'CN', hs: '2701' }))).toEqual([
      'CN-MOFCOM-11-2016-1',
    ]);
    expect(ids(inForceOn(regime, '2016-12-05', { jurisdiction: 'UN', hs: '2701' }))).toEqual([
      'UN-2321-OP26',
    ]);
    expect(ids(inForceOn(regime, '2016-12-11', { jurisdiction: 'CN', hs: '2701' }))).toEqual([
      'CN-MOFCOM-11-2016-1',
      'CN-MOFCOM-75-2016',
    ]);
    expect(ids(inForceOn(regime, '2017-09-03', { jurisdiction: 'CN', hs: '2701' }))).toEqual([
      'CN-MOFCOM-12-2017',
      'CN-MOFCOM-40-2017-1',
    ]);
    expect(inForceOn(regime, '2016-03-01', { jurisdiction: 'UN' })).toEqual([]);
  });

  it('closes the 2371 grace on 2017-09-05 and China’s textile grace on 2017-12-11', () => {
    const op8 = measureSpans(regime, { jurisdiction: 'UN', hs: '2701' }).find(
      (s) => s.measure === 'UN-2371-OP8',
    );
    const grace = op8?.exceptions.find((x) => x.kind === 'grace');
    expect(grace?.window).toEqual({ from: '2017-08-05', to: '2017-09-05' });
    expect(grace && exceptionAvailable(grace, '2017-09-04')).toBe(true);
    expect(grace && exceptionAvailable(grace, '2017-09-05')).toBe(false);
    const tex = measureSpans(regime, { jurisdiction: 'CN', hs: '6109' })[0];
    expect(tex?.measure).toBe('CN-MOFCOM-52-2017-1');
    expect(tex?.exceptions[0]?.window).toEqual({ from: '2017-09-22', to: '2017-12-11' });
  });

  it('lists events in date order, with the amending measure named', () => {
    const t = buildTimeline(regime, { jurisdiction: 'UN', hs: '2710' });
    const dates = t.events.map((e) => e.date);
    expect([...dates].sort()).toEqual(dates);
    expect(t.events).toContainEqual(
      expect.objectContaining({
        date: '2018-01-01',
        kind: 'measure-ends',
        measure: 'UN-2375-OP14',
        by: 'UN-2397-OP5',
      }),
    );
    expect(t.events).toContainEqual(
      expect.objectContaining({
        date: '2017-10-01',
        kind: 'exception-opens',
        measure: 'UN-2375-OP14',
        item: 'within-cap',
      }),
    );
    expect(t.firstDate).toBe('2016-03-02');
  });

  it('filters an HS code by shared prefix: a chapter finds its headings, a tariff line its heading', () => {
    expect(ids(measureSpans(regime, { jurisdiction: 'CN', hs: '27' }))).toContain('CN-MOFCOM-52-2017-2');
    expect(ids(measureSpans(regime, { jurisdiction: 'CN', hs: '2711110000' }))).toEqual([
      'CN-MOFCOM-52-2017-2',
    ]);
    expect(ids(measureSpans(regime, { jurisdiction: 'CN', hs: '2711.11' }))).toEqual(['CN-MOFCOM-52-2017-2']);
    expect(measureSpans(regime, { jurisdiction: 'CN', hs: '0101' })).toEqual([]);
  });
});

const instrument: Instrument = InstrumentSchema.parse({
  id: 'T-1',
  title: 'Test instrument',
  issuer: 'test',
  number: '1',
  adopted: '2020-01-01',
  url: 'https://example.org/t-1',
  jurisdiction: 'UN',
});

function measure(id: string, extra: Record<string, unknown>) {
  return MeasureSchema.parse({
    id,
    title: id,
    paragraph: '1',
    paragraph_confirmed: true,
    direction: 'import',
    target: 'KP',
    summary: id,
    goods: [{ label: 'coal', include: [{ code: '2701', source: 'analyst', confirmed: true }] }],
    effective_from: '2020-01-01',
    citations: [{ source: 'TEST' }],
    ...extra,
  });
}

function regimeOf(...measures: ReturnType<typeof measure>[]): Regime {
  return {
    version: 'sha256:test',
    files: ['t.yaml'],
    instruments: [instrument],
    measures: measures.map((m) => ({ measure: m, instrument, file: 't.yaml' })),
    units: null,
  };
}

describe('amendments on synthetic measures', () => {
  const livelihood = {
    id: 'livelihood',
    title: 'livelihood',
    conditions: [{ fact: 'purpose', in: ['livelihood'] }],
  };
  const base = measure('A', { exceptions: [livelihood] });

  it('suspends an exception for a window and resumes it after', () => {
    const r = regimeOf(
      base,
      measure('B', {
        effective_from: '2020-03-01',
        amends: [
          {
            measure: 'A',
            action: 'suspend-exceptions',
            exceptions: ['livelihood'],
            from: '2020-03-01',
            to: '2020-04-01',
          },
        ],
      }),
    );
    const a = measureSpans(r).find((s) => s.measure === 'A');
    const x = a?.exceptions[0];
    expect(x?.suspensions).toEqual([{ from: '2020-03-01', to: '2020-04-01', by: 'B' }]);
    expect(x && exceptionAvailable(x, '2020-02-29')).toBe(true);
    expect(x && exceptionAvailable(x, '2020-03-01')).toBe(false);
    expect(x && exceptionAvailable(x, '2020-04-01')).toBe(true);
    const kinds = buildTimeline(r).events.map((e) => `${e.date} ${e.kind}`);
    expect(kinds).toContain('2020-03-01 exception-suspended');
    expect(kinds).toContain('2020-04-01 exception-resumed');
  });

  it('ends an exception from a date while its measure stays in force', () => {
    const r = regimeOf(
      base,
      measure('B', {
        amends: [{ measure: 'A', action: 'end-exceptions', exceptions: ['livelihood'], from: '2020-06-01' }],
      }),
    );
    const a = measureSpans(r).find((s) => s.measure === 'A');
    expect(a?.to).toBeNull();
    expect(a?.exceptions[0]).toMatchObject({
      window: { from: '2020-01-01', to: '2020-06-01' },
      endedBy: 'B',
    });
  });

  it('takes the earliest of several end amendments and of the measure’s own end date', () => {
    const r = regimeOf(
      measure('A', { effective_to: '2020-09-01' }),
      measure('B', { amends: [{ measure: 'A', action: 'end', from: '2020-07-01' }] }),
      measure('C', { amends: [{ measure: 'A', action: 'end', from: '2020-05-01' }] }),
    );
    expect(measureSpans(r).find((s) => s.measure === 'A')).toMatchObject({ to: '2020-05-01', endedBy: 'C' });
  });

  it('property: a measure is in force exactly on the days of its amended window', () => {
    const day = fc.integer({ min: 0, max: 800 }).map((n) => addDays('2019-06-01', n));
    fc.assert(
      fc.property(day, day, day, (own, cut, probe) => {
        const r = regimeOf(
          measure('A', { effective_to: own > '2020-01-01' ? own : undefined }),
          measure('B', { amends: [{ measure: 'A', action: 'end', from: cut }] }),
        );
        const span = measureSpans(r).find((s) => s.measure === 'A');
        const ends = [own > '2020-01-01' ? own : null, cut].filter((d): d is string => d !== null);
        const end = ends.sort()[0] ?? null;
        const expected = probe >= '2020-01-01' && (end === null || probe < end);
        expect(inForceOn(r, probe).some((s) => s.measure === 'A')).toBe(expected);
        expect(span?.to === null || (span?.to ?? '') >= (span?.from ?? '')).toBe(true);
      }),
    );
  });

  it('adds days across month and leap-year ends', () => {
    expect(addDays('2017-08-05', 30)).toBe('2017-09-04');
    expect(addDays('2016-02-28', 1)).toBe('2016-02-29');
    expect(addDays('2017-12-31', 1)).toBe('2018-01-01');
  });
});
