import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../core/audit/audit-chain.js';
import type { Declaration } from '../core/screening/declaration.js';
import { readDeclarations } from '../ingest/declarations/declaration-reader.js';
import { declarationJson } from './declaration-json.js';
import { declarationsCsv, livelihoodCoal, plainImport, rasonCoal } from './services.fixtures.js';

const reference = fc.oneof(
  fc.record({ type: fc.string(), reference: fc.string() }),
  fc.record({ reference: fc.string(), type: fc.string() }),
  fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
);
const text = fc.option(fc.string({ unit: 'binary' }), { nil: undefined });
const anything = fc.option(
  fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue()),
  {
    nil: undefined,
  },
);
const declaration = fc.record(
  {
    id: fc.string({ unit: 'binary' }),
    date: fc.string(),
    direction: fc.constantFrom('import', 'export'),
    hsCode: fc.stringMatching(/^\d{2,10}$/),
    description: text,
    origin: text,
    to: text,
    portOfLoading: text,
    consignee: fc.string({ unit: 'grapheme' }),
    quantity: fc.option(fc.double(), { nil: undefined }),
    value: anything,
    purpose: text,
    documents: fc.array(reference, { maxLength: 3 }),
    approvals: fc.array(reference, { maxLength: 2 }),
    flags: fc.array(fc.oneof(fc.string(), fc.jsonValue()), { maxLength: 2 }),
    product: text,
    extra: fc.option(fc.dictionary(fc.string(), fc.string()), { nil: undefined }),
    zzUnknown: anything,
  },
  { requiredKeys: ['id', 'date', 'direction', 'hsCode', 'documents', 'approvals', 'flags'] },
) as unknown as fc.Arbitrary<Declaration>;

describe('declarationJson (the canonical JSON of a declaration, fast)', () => {
  it('is canonicalJson of the fixtures and of every declaration the reader makes of the bench file', async () => {
    for (const d of [plainImport('X'), livelihoodCoal(), rasonCoal()])
      expect(declarationJson(d)).toBe(canonicalJson(d));
    for await (const batch of readDeclarations(
      (async function* () {
        yield declarationsCsv(60);
      })(),
      { file: 'g.csv' },
    )) {
      for (const { declaration } of batch.items)
        expect(declarationJson(declaration)).toBe(canonicalJson(declaration));
    }
  });

  it('equals canonicalJson for any declaration: unknown keys, extra columns, odd references and values (property)', () => {
    fc.assert(
      fc.property(declaration, (d) => {
        expect(declarationJson(d)).toBe(canonicalJson(d));
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves out members that are undefined, as canonicalJson does', () => {
    const d = { ...plainImport('U'), description: undefined, origin: 'BR' } as Declaration;
    expect(declarationJson(d)).toBe(canonicalJson(d));
    expect(declarationJson(d)).not.toContain('description');
  });
});
