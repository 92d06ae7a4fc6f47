import { beforeAll, describe, expect, it } from 'vitest';
import { declaration } from '../../ingest/regime-loader.fixtures.js';
import { DEFAULT_REGIME_DIR, loadRegime } from '../../ingest/regime-loader.js';
import { type CompiledRegime, compileRegime } from '../regime/compile.js';
import type { Regime } from '../regime/regime.js';
import { CapLedger } from './cap-ledger.js';
import type { Declaration } from './declaration.js';
import { screenDeclaration } from './screen.js';

let regime: Regime;
let compiled: CompiledRegime;
beforeAll(() => {
  regime = loadRegime(DEFAULT_REGIME_DIR);
  compiled = compileRegime(regime);
});

const crudeLine = (over: Partial<Declaration>) =>
  declaration({
    date: '2018-02-01',
    direction: 'export',
    hsCode: '2709000000',
    origin: 'CN',
    to: 'KP',
    quantity: 10_000,
    unit: 't',
    ...over,
  });

describe.each(['CN', 'UN'] as const)('one tariff line for crude oil and condensate (%s)', (jurisdiction) => {
  const screen = (d: Declaration, ledger = new CapLedger(regime.units)) =>
    screenDeclaration(compiled, d, { jurisdiction, ledger });

  it('holds the line when the declaration does not say which product it is', () => {
    const decision = screen(crudeLine({}));
    expect(decision.decision).toBe('HOLD');
    const ambiguous = decision.reasons.find((r) => r.kind === 'classification-ambiguous');
    expect(ambiguous?.text).toContain('declare product as condensate or crude-oil');
  });

  it('clears declared crude oil within the cap and draws on the crude-oil ledger', () => {
    const ledger = new CapLedger(regime.units);
    const decision = screen(crudeLine({ product: 'crude-oil' }), ledger);
    expect(decision.decision).toBe('CLEAR');
    expect(decision.reasons.some((r) => r.kind === 'classification-ambiguous')).toBe(false);
    expect(decision.reasons.some((r) => r.kind === 'cap-consumed')).toBe(true);
  });

  it('refuses declared condensate under the condensate ban', () => {
    const decision = screen(crudeLine({ product: 'condensate' }));
    expect(decision.decision).toBe('REFUSE');
    expect(decision.reasons.some((r) => r.kind === 'banned')).toBe(true);
  });

  it('refuses declared crude oil beyond what is left of the cap', () => {
    const decision = screen(crudeLine({ product: 'crude-oil', quantity: 600_000 }));
    expect(decision.decision).toBe('REFUSE');
    expect(decision.reasons.some((r) => r.kind === 'cap-exceeded')).toBe(true);
  });
});
