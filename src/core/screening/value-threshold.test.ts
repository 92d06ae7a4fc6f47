/**
 * The per-item value thresholds of the luxury-goods measures (docs/decisions.md R17), as a property
 * of the decision function over the shipped regime: porcelain tableware to the DPRK after 2321 is
 * refused exactly when its unit value in USD is greater than USD 100, cleared at or below it, and
 * held whenever the unit value cannot be computed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadRegime } from '../../ingest/regime-loader.js';
import { compileRegime } from '../regime/compile.js';
import type { Declaration } from './declaration.js';
import { ITEM_UNITS } from './declaration.js';
import { screenDeclaration } from './screen.js';

const compiled = compileRegime(loadRegime());

const tableware = (quantity: number, value: number, unit: string, currency = 'USD'): Declaration => ({
  id: 'T',
  date: '2017-03-01',
  direction: 'export',
  hsCode: '6911100000',
  to: 'KP',
  quantity,
  unit,
  value,
  currency,
  documents: [],
  approvals: [],
  flags: [],
});

describe('per-item value thresholds (UN 2321 luxury tableware, USD 100)', () => {
  it('refuses above, clears at or below, whatever the count unit (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom(...ITEM_UNITS),
        (quantity, value, unit) => {
          const d = screenDeclaration(compiled, tableware(quantity, value, unit), { jurisdiction: 'UN' });
          expect(d.decision).toBe(value / quantity > 100 ? 'REFUSE' : 'CLEAR');
          if (d.decision === 'REFUSE')
            expect(d.reasons.find((r) => r.measure === 'UN-2321-LUX')?.text).toMatch(
              /valued above USD 100 per item; HS mapping UNCONFIRMED/,
            );
        },
      ),
    );
  });

  it('holds when the unit value cannot be computed: a mass unit or another currency (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.oneof(
          fc.record({ unit: fc.constantFrom('kg', 't', 'l'), currency: fc.constant('USD') }),
          fc.record({ unit: fc.constantFrom(...ITEM_UNITS), currency: fc.constantFrom('CNY', 'EUR', 'KPW') }),
        ),
        (quantity, value, { unit, currency }) => {
          const d = screenDeclaration(compiled, tableware(quantity, value, unit, currency), {
            jurisdiction: 'UN',
          });
          expect(d.decision).toBe('HOLD');
          expect(d.reasons.map((r) => r.kind)).toEqual(['value-undetermined']);
        },
      ),
    );
  });

  it('does not apply before 2321 or to China, and not to imports', () => {
    const d = tableware(1, 500, 'pcs');
    expect(screenDeclaration(compiled, { ...d, date: '2016-11-29' }, { jurisdiction: 'UN' }).decision).toBe(
      'CLEAR',
    );
    expect(screenDeclaration(compiled, d, { jurisdiction: 'CN' }).decision).toBe('CLEAR');
    const imported: Declaration = { ...d, direction: 'import', to: undefined, origin: 'KP' };
    expect(screenDeclaration(compiled, imported, { jurisdiction: 'UN' }).reasons.map((r) => r.kind)).toEqual([
      'not-covered',
    ]);
  });
});
