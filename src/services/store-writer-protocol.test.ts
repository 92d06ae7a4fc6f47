import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../core/audit/audit-chain.js';
import type { PreparedScreening } from './screening-service.js';
import { type ChunkPayload, decodeChunk, encodeChunk } from './store-writer-protocol.js';

const text = fc.constantFrom(
  '[]',
  '["a"]',
  'CN',
  'UN',
  '2016-06-01',
  '2016-06-02',
  'sha256:1',
  'x',
  'y',
  'z',
);
const row = fc
  .record({
    reasons: fc.oneof(text, fc.string()),
    missingDocuments: text,
    missingApprovals: text,
    conditions: text,
    lists: text,
    regimeVersion: text,
    jurisdiction: text,
    asOf: text,
    contextHash: fc.oneof(text, fc.string()),
    // the rows' own texts travel in one string and are cut apart again: any UTF-16 text, empty too
    id: fc.string({ unit: 'binary' }),
    body: fc.string({ unit: 'binary' }),
    hash: fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-f]{64}$/)),
    decision: fc.constantFrom('CLEAR', 'HOLD', 'REFUSE'),
    exception: fc.option(fc.oneof(text, fc.string()), { nil: null }),
    partyMatch: fc.boolean(),
    partyHits: fc.array(
      fc.record({ kind: fc.string(), outcome: fc.string(), text: fc.string(), details: fc.string() }),
      { maxLength: 2 },
    ),
    verdicts: fc.array(
      fc.record(
        {
          reference: fc.record({
            type: fc.oneof(fc.constant('un-record-filing'), fc.string({ unit: 'binary' })),
            reference: fc.string({ unit: 'binary' }),
          }),
          accepted: fc.boolean(),
          reason: fc.string({ unit: 'binary' }),
          quantity: fc.oneof(fc.double(), fc.constantFrom(-0, 0, Number.NaN, Number.POSITIVE_INFINITY)),
          unit: fc.string(),
        },
        { requiredKeys: ['reference', 'accepted'] },
      ),
      { maxLength: 3 },
    ),
    withDeclaration: fc.boolean(),
  })
  .map(({ id, body, hash, contextHash, partyMatch, verdicts, withDeclaration, partyHits, ...r }) => {
    // a row that keeps its declaration has it as its body (prepareScreening's canonical JSON):
    // the writer reads it back from there
    const declaration = withDeclaration
      ? {
          id,
          date: body,
          approvals: verdicts.map((v) => ({ reference: v.reference.reference, type: v.reference.type })),
        }
      : undefined;
    return {
      id,
      body: declaration ? canonicalJson(declaration) : body,
      hash,
      contextHash,
      record: { ...r, partyHits },
      partyMatch,
      verdicts,
      declaration,
    } as unknown as PreparedScreening;
  });
const context = { actor: 'a', source: null, batchId: null };

describe('the columns and shared-text table between the screening and the writer thread', () => {
  it('gives the writer back exactly the rows that were sent, whatever the texts and the table limit (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(row, { maxLength: 12 }), { maxLength: 12 }),
        fc.integer({ min: 0, max: 20 }),
        (messages, limit) => {
          const sent = new Map<string, number>();
          const received: string[] = [];
          for (const rows of messages) {
            const original = structuredClone(rows);
            const payload: ChunkPayload = { screened: rows, context, batch: null };
            // what crosses the thread boundary is a structured clone of the encoded payload
            const wire = structuredClone(encodeChunk(payload, sent, limit));
            const decoded = decodeChunk(wire, received);
            expect(decoded.screened).toEqual(original);
            expect(decoded.context).toEqual(context);
            expect(rows).toEqual(original); // the main thread's rows are left as they were
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
