import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../core/audit/audit-chain.js';
import type { Observation } from '../core/trade/observation.js';
import { generateComtradeFile } from '../ingest/trade/comtrade-bench-file.js';
import { loadSeedObservations } from '../ingest/trade/seed-dataset.js';
import { streamTradeFileAsync } from '../ingest/trade/trade-file-reader.js';
import { observationJson } from './trade-observation-json.js';

const seed = loadSeedObservations();

async function comtradeObservations(rows: number): Promise<Observation[]> {
  const dir = mkdtempSync(join(tmpdir(), 'embargo-observation-json-'));
  try {
    const file = join(dir, 'comtrade.csv');
    generateComtradeFile(file, rows);
    const out: Observation[] = [];
    await streamTradeFileAsync(
      file,
      { item: (o) => out.push(o), error() {}, skip() {}, fatal() {} },
      {},
      async () => {},
    );
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('observationJson', () => {
  it('is canonicalJson for every shipped and every imported Comtrade observation', async () => {
    const imported = await comtradeObservations(300);
    expect(imported.length).toBeGreaterThan(500);
    for (const o of [...seed, ...imported]) expect(observationJson(o)).toBe(canonicalJson(o));
  });

  it('is canonicalJson for observations with odd keys, values and objects (then the generic path)', () => {
    const base = seed.find((o) => o.id === 'seed-0071')!;
    const hidden = { ...base };
    Object.defineProperty(hidden, 'notes', { value: 'not enumerable', enumerable: false });
    class Period {
      constructor(
        readonly start: string,
        readonly end: string,
        readonly kind = 'month',
      ) {}
    }
    const odd: unknown[] = [
      { ...base, extra: 1 },
      { ...base, notes: { b: 1, a: 2 } },
      { ...base, notes: undefined, basis: undefined },
      { ...base, commodityLabel: () => 'x' },
      { ...base, value: Number.NaN },
      { ...base, value: -0 },
      { ...base, source: { url: 'u', kind: 'dataset', dataset: 'D', zeta: { y: 1, x: 2 } } },
      { ...base, source: { url: 'u', kind: 'dataset', dataset: { b: 1, a: 2 } } },
      { ...base, period: new Period('2020-01', '2020-02') },
      { ...base, period: { start: '2020-01', kind: 'month', end: '2020-01', extra: [2, 1] } },
      { ...base, supersedes: ['b', { y: 1, x: 2 }] },
      { ...base, supersedes: 'seed-0001' },
      hidden,
      Object.assign(Object.create({ inherited: 1 }), base),
    ];
    for (const o of odd) expect(observationJson(o as Observation)).toBe(canonicalJson(o));
  });

  it('is canonicalJson for generated observation-like records, keys in any order', () => {
    const scalar = fc.oneof(
      fc.string(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
    );
    const record = (keys: string[], value: fc.Arbitrary<unknown>) =>
      fc.dictionary(fc.constantFrom(...keys), value).map((r) => {
        const shuffled = Object.entries(r).reverse();
        return Object.fromEntries(shuffled);
      });
    const keys = [
      'id',
      'reporter',
      'partner',
      'flow',
      'commodity',
      'commodityLabel',
      'measure',
      'value',
      'basis',
    ];
    const arbitrary = fc
      .tuple(
        record([...keys, 'unit', 'qualifier', 'status', 'notes', 'odd'], fc.oneof(scalar, fc.object())),
        record(['kind', 'start', 'end', 'x'], scalar),
        record(
          [
            'kind',
            'dataset',
            'release',
            'url',
            'file',
            'outlet',
            'title',
            'author',
            'published',
            'primarySource',
          ],
          scalar,
        ),
        fc.array(fc.oneof(fc.string(), fc.integer())),
      )
      .map(([o, period, source, supersedes]) => ({ ...o, source, supersedes, period }));
    fc.assert(
      fc.property(arbitrary, (o) => {
        expect(observationJson(o as unknown as Observation)).toBe(canonicalJson(o));
      }),
      { numRuns: 500 },
    );
  });
});
