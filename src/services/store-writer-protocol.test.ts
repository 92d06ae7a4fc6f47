import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PreparedScreening } from './screening-service.js';
import { type ChunkPayload, decodeShared, encodeShared } from './store-writer-protocol.js';

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
  })
  .map(
    (r) =>
      ({
        id: 'D',
        body: '{}',
        hash: 'h',
        contextHash: r.contextHash,
        record: { ...r, decision: 'CLEAR', exception: null, partyHits: [] },
        partyMatch: false,
        verdicts: [],
      }) as unknown as PreparedScreening,
  );
const context = { actor: 'a', source: null, batchId: null };

describe('the shared-text table between the screening and the writer thread', () => {
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
            const wire = structuredClone(encodeShared(payload, sent, limit));
            decodeShared(wire, received);
            expect(wire.screened).toEqual(original);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
