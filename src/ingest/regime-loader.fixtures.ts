/**
 * Test and benchmark support: the 2016 regime on its own (other instruments are added to regimes/
 * over time, and the 2016 golden tests must not depend on them), a declaration builder, and a small
 * regime with caps, amendments, a suspension and a grace rule that exercises the engine's other
 * rule kinds.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Regime } from '../core/regime/regime.js';
import type { Declaration } from '../core/screening/declaration.js';
import { DEFAULT_REGIME_DIR, loadRegime, UNITS_FILE } from './regime-loader.js';

export const REGIME_2016_FILES = ['cn-mofcom-11-2016.yaml', 'un-2270-2016.yaml'] as const;

/** A temp regime directory with the given shipped files, extra files, and the unit table. */
export function regimeDirWith(shipped: readonly string[], extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'embargo-regime-'));
  for (const name of shipped) copyFileSync(join(DEFAULT_REGIME_DIR, name), join(dir, name));
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  mkdirSync(join(dir, 'conversions'));
  copyFileSync(join(DEFAULT_REGIME_DIR, UNITS_FILE), join(dir, UNITS_FILE));
  return dir;
}

/** UNSCR 2270 and MOFCOM No. 11 of 2016 only. */
export function load2016Regime(): Regime {
  return loadRegime(regimeDirWith(REGIME_2016_FILES));
}

/** A declaration with sensible defaults (a DPRK-origin import into China in June 2016). */
export function declaration(fields: Partial<Declaration> & { id?: string }): Declaration {
  return {
    id: 'D1',
    date: '2016-06-01',
    direction: 'import',
    hsCode: '2701120000',
    documents: [],
    approvals: [],
    flags: [],
    ...fields,
  };
}

export const refs = (...types: string[]) =>
  types.map((t) => ({ type: t, reference: `${t.toUpperCase()}-1` }));

/**
 * A test instrument shaped like the later measures issue 4 encodes: a coal cap with warning levels
 * (lower of USD and tonnes), a refined-petroleum export cap in barrels with China's stop at 95 %,
 * a suspension window, a grace rule for prior contracts, and amendments of the 2016 measures.
 */
export const TEST_CAPS_YAML = `instrument:
  id: TEST-CAPS
  title: Test instrument with caps
  issuer: Test
  number: "1"
  adopted: "2016-11-30"
  url: https://example.org/test
  jurisdiction: UN
measures:
  - id: TEST-COAL-CAP
    title: Coal within an aggregate cap
    paragraph: "26"
    paragraph_confirmed: true
    direction: import
    target: KP
    summary: Coal only within the cap.
    goods: [{ label: Coal, include: [{ code: "2701", source: instrument, confirmed: true }] }]
    effective_from: "2016-11-30"
    exceptions:
      - id: within-cap
        title: Within the coal cap
        conditions: [{ fact: purpose, in: [livelihood] }]
        consumes_cap: coal
    caps:
      - id: coal
        title: Coal cap
        periods:
          - from: "2016-11-30"
            to: "2017-01-01"
            limits: [{ amount: 1000, unit: USD }, { amount: 100, unit: t }]
        warning_levels: [0.75, 0.9, 0.95]
    notifications:
      - { who: procuring State, to: 1718 Committee, cadence: monthly, what: Coal procured. }
    amends:
      - { measure: UN-2270-OP29, action: end, from: "2016-11-30" }
    citations: [{ source: TEST }]
  - id: TEST-FUEL-CAP
    title: Refined petroleum within a cap
    paragraph: "14"
    paragraph_confirmed: false
    direction: export
    target: KP
    summary: Refined petroleum only within the cap.
    goods: [{ label: Refined petroleum, include: [{ code: "2710", source: cn-text, confirmed: true }], exclude: [{ code: "27101911", source: analyst, confirmed: false }] }]
    effective_from: "2016-11-30"
    exceptions:
      - id: within-cap
        title: Within the refined-petroleum cap
        conditions: [{ fact: purpose, in: [livelihood] }]
        consumes_cap: refined
    caps:
      - id: refined
        title: Refined petroleum cap
        periods:
          - from: "2016-12-01"
            to: "2017-01-01"
            limits: [{ amount: 1000, unit: bbl }]
        stop_at: 0.95
        product: refined-petroleum
    citations: [{ source: TEST }]
  - id: TEST-SUSPENSION
    title: Coal suspended
    paragraph: "1"
    paragraph_confirmed: true
    direction: import
    target: KP
    kind: suspension
    summary: Coal imports suspended for a window.
    goods: [{ label: Coal, include: [{ code: "2701", source: instrument, confirmed: true }] }]
    effective_from: "2016-12-11"
    effective_to: "2017-01-01"
    citations: [{ source: TEST }]
  - id: TEST-GRACE
    title: Lead ore banned with a grace rule
    paragraph: "10"
    paragraph_confirmed: true
    direction: import
    target: KP
    summary: Lead ore banned; prior contracts may be imported for 30 days.
    goods: [{ label: Lead ore, include: [{ code: "2607", source: analyst, confirmed: false }] }]
    effective_from: "2016-12-01"
    exceptions:
      - id: prior-contract
        title: Written contract finalised before adoption
        kind: grace
        conditions: [{ fact: contract_date, before: "2016-12-01" }]
        documents: [contract]
        effective_to: "2016-12-31"
    citations: [{ source: TEST }]
  - id: TEST-AMEND-CN
    title: Suspends and ends the 2016 exceptions
    paragraph: "1"
    paragraph_confirmed: true
    direction: export
    target: KP
    summary: Amends other measures only.
    goods: [{ label: Helicopters, include: [{ code: "880211", source: analyst, confirmed: false }] }]
    effective_from: "2016-11-30"
    amends:
      - { measure: UN-2270-OP31, action: suspend-exceptions, exceptions: [civil-aircraft-refuelling], from: "2016-12-01", to: "2016-12-10" }
      - { measure: UN-2270-OP31, action: end-exceptions, exceptions: [humanitarian], from: "2016-12-20" }
    citations: [{ source: TEST }]
`;
