import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadRegime } from '../../ingest/regime-loader.js';
import { CapLedger } from '../screening/cap-ledger.js';
import type { Declaration } from '../screening/declaration.js';
import { screenDeclaration } from '../screening/screen.js';
import { compileRegime } from './compile.js';
import { compareDecisions } from './diff-decisions.js';
import { addDays, measureSpans } from './timeline.js';

const regime = loadRegime();
const compiled = compileRegime(regime);

const coal = (extra: Partial<Declaration> = {}): Declaration => ({
  id: 'c1',
  date: '2017-08-01',
  direction: 'import',
  hsCode: '2701120000',
  origin: 'KP',
  from: 'KP',
  documents: [],
  approvals: [],
  flags: [],
  ...extra,
});

const on = (d: Declaration, asOf: string, jurisdiction: 'UN' | 'CN' = 'UN') =>
  screenDeclaration(compiled, d, { jurisdiction, asOf, ledger: new CapLedger(compiled.units) });

describe('comparing two decisions on one declaration', () => {
  it('explains a livelihood clearance turning into a refusal when 2371 ends the cap', () => {
    const d = coal({ purpose: 'livelihood', quantity: 100, unit: 't', value: 5_000, currency: 'USD' });
    const change = compareDecisions(on(d, '2017-08-04'), on(d, '2017-08-05'));
    expect(change?.before).toEqual({
      decision: 'CLEAR',
      asOf: '2017-08-04',
      exception: 'UN-2321-OP26/coal-within-cap',
    });
    expect(change?.after.decision).toBe('REFUSE');
    expect(change?.gained.map((r) => `${r.kind} ${r.measure}`)).toEqual(['banned UN-2371-OP8']);
    expect(change?.lost.map((r) => r.kind)).toEqual(
      expect.arrayContaining(['exception-applied', 'notification-duty']),
    );
    // ledger bookkeeping is not a reason the law changed
    expect(change?.lost.some((r) => r.kind === 'cap-consumed')).toBe(false);
  });

  it('sees no change when a clearance only moves to the successor measure’s same exception', () => {
    const rajin = coal({
      origin: 'RU',
      portOfLoading: 'Rajin',
      approvals: [{ type: 'un-record-filing', reference: 'RF-1' }],
    });
    expect(compareDecisions(on(rajin, '2017-08-04'), on(rajin, '2017-08-05'))).toBeNull();
  });

  it('sees a change in what is missing even when the outcome stays HOLD', () => {
    const base = on(coal({ purpose: 'livelihood' }), '2016-06-01', 'CN');
    const other = { ...base, missingDocuments: ['certificate-of-origin'] };
    expect(base.decision).toBe('HOLD');
    expect(compareDecisions(base, other)?.why).toEqual([]);
    expect(compareDecisions(base, base)).toBeNull();
  });

  it('property: a decision compared with itself never changes; swapping sides swaps gained and lost', () => {
    const day = fc.integer({ min: 0, max: 1000 }).map((n) => addDays('2016-01-01', n));
    const hs = fc.constantFrom('2701120000', '2601111000', '0307', '6109100000', '8429', '2710192300');
    fc.assert(
      fc.property(day, day, hs, fc.constantFrom('UN' as const, 'CN' as const), (a, b, code, j) => {
        const d = coal({
          hsCode: code,
          purpose: 'livelihood',
          quantity: 10,
          unit: 't',
          value: 100,
          currency: 'USD',
        });
        const x = on(d, a, j);
        const y = on(d, b, j);
        expect(compareDecisions(x, x)).toBeNull();
        const ab = compareDecisions(x, y);
        const ba = compareDecisions(y, x);
        expect(ab === null).toBe(ba === null);
        if (ab && ba) {
          expect(ab.gained).toEqual(ba.lost);
          expect(ab.lost).toEqual(ba.gained);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('the timeline agrees with the engine', () => {
  it('gives every measure and exception the window the compiled regime applies', () => {
    const spans = new Map(measureSpans(regime).map((s) => [s.measure, s]));
    for (const m of compiled.measures) {
      const s = spans.get(m.id);
      expect({ id: m.id, from: s?.from, to: s?.to ?? undefined }).toEqual({
        id: m.id,
        from: m.window.from,
        to: m.window.to,
      });
      for (const x of m.exceptions) {
        const w = s?.exceptions.find((e) => e.id === x.id)?.window;
        // the engine keeps an empty window for a never-open exception; the timeline says null
        if (w)
          expect({ key: x.key, from: w.from, to: w.to ?? undefined }).toEqual({
            key: x.key,
            from: x.window.from,
            to: x.window.to,
          });
      }
    }
  });
});
