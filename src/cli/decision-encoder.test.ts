import { createReadStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileRegime } from '../core/regime/compile.js';
import { CapLedger } from '../core/screening/cap-ledger.js';
import type { Decision, Reason } from '../core/screening/decision.js';
import { decisionToJsonLine, screenDeclaration } from '../core/screening/screen.js';
import { readDeclarations } from '../ingest/declarations/declaration-reader.js';
import { loadPartyCheck } from '../ingest/lists/party-check-loader.js';
import { DEFAULT_REGIME_DIR, loadRegime } from '../ingest/regime-loader.js';
import { PROJECT_ROOT } from './config.js';
import { DecisionEncoder } from './decision-encoder.js';

const reference = (d: Decision) => `${decisionToJsonLine(d)}\n`;

function encoded(encoder: DecisionEncoder, d: Decision, size = 1 << 16): string | null {
  const out = Buffer.alloc(size);
  const end = encoder.encode(d, out, 3);
  return end === -1 ? null : out.subarray(3, end).toString('utf8');
}

const decisions: Decision[] = [];

beforeAll(async () => {
  // every decision of the example file, screened with parties (lists, party reasons) and without,
  // under both jurisdictions and at fixed as-of dates: shared frozen reasons and per-row ones
  const regime = loadRegime(DEFAULT_REGIME_DIR);
  const compiled = compileRegime(regime);
  const parties = loadPartyCheck(mkdtempSync(join(tmpdir(), 'embargo-encoder-')));
  const file = join(PROJECT_ROOT, 'examples', 'declarations.csv');
  for (const jurisdiction of ['CN', 'UN'] as const)
    for (const asOf of [undefined, '2016-04-05', '2017-12-31'])
      for (const withParties of [false, true]) {
        const options = {
          jurisdiction,
          asOf,
          ledger: new CapLedger(regime.units),
          parties: withParties ? parties : undefined,
        };
        for await (const batch of readDeclarations(createReadStream(file), { file }))
          for (const { declaration } of batch.items)
            decisions.push(screenDeclaration(compiled, declaration, options));
      }
});

describe('DecisionEncoder', () => {
  it('writes exactly the reference JSON line of every example decision, twice (cold and cached)', () => {
    expect(decisions.length).toBeGreaterThan(100);
    const encoder = new DecisionEncoder();
    for (let pass = 0; pass < 2; pass++)
      for (const d of decisions) expect(encoded(encoder, d)).toBe(reference(d));
  });

  it('keeps ids byte-exact whatever they hold (quotes, backslashes, controls, non-ASCII, lone surrogates)', () => {
    const encoder = new DecisionEncoder();
    fc.assert(
      fc.property(
        fc.constantFrom(...decisions),
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.constantFrom('D1', 'a"b', 'a\\b', 'tab\there', '김정은', 'x\ud800y', '\u007f', ''),
        ),
        (d, id) => {
          const renamed = { ...d, id };
          expect(encoded(encoder, renamed)).toBe(reference(renamed));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('does not reuse cached bytes across decisions that share reasons but differ elsewhere', () => {
    const encoder = new DecisionEncoder();
    const frozen = decisions.find((d) => d.reasons.length === 1 && Object.isFrozen(d.reasons[0]))!;
    const variants: Decision[] = [
      frozen,
      { ...frozen, decision: frozen.decision === 'CLEAR' ? 'HOLD' : 'CLEAR' },
      { ...frozen, missingDocuments: ['commitment-letter-livelihood'] },
      { ...frozen, missingDocuments: ['certificate-of-origin'] },
      { ...frozen, missingApprovals: ['un-record-filing'] },
      { ...frozen, exception: 'M/E' },
      { ...frozen, conditions: ['monitoring of "delivery" and use'] },
      { ...frozen, asOf: '2016-01-01' },
      { ...frozen, asOf: frozen.asOf },
      { ...frozen, jurisdiction: 'UN' },
      { ...frozen, regimeVersion: 'sha256:other' },
      { ...frozen, lists: [{ id: 'un', hash: 'h1', published: '2026-01-01' }] },
      { ...frozen, lists: [{ id: 'un', hash: 'h2', published: '2026-01-01' }] },
      { ...frozen, reasons: [...frozen.reasons, ...frozen.reasons] },
      { ...frozen, reasons: [{ ...frozen.reasons[0]!, text: 'changed' } as Reason] },
    ];
    for (let pass = 0; pass < 2; pass++)
      for (const d of variants) expect(encoded(encoder, d)).toBe(reference(d));
  });

  it('shares cached bytes between per-row reasons only when their JSON is the same', () => {
    const encoder = new DecisionEncoder();
    const base = decisions.find((d) => d.reasons.some((r) => !Object.isFrozen(r)))!;
    expect(base).toBeDefined();
    const r = base.reasons.find((x) => !Object.isFrozen(x))!;
    const withDetails = (details: Record<string, unknown> | undefined, extra: Partial<Reason> = {}) => ({
      ...base,
      reasons: base.reasons.map((x) => (x === r ? ({ ...r, ...extra, details } as Reason) : x)),
    });
    const variants: Decision[] = [
      withDetails({ exception: 'E', documents: ['a'] }),
      withDetails({ exception: 'E', documents: ['a'] }),
      withDetails({ exception: 'E', documents: ['b'] }),
      withDetails({ documents: ['a'], exception: 'E' }), // same content, other key order: other JSON
      withDetails({ exception: 'E', documents: ['a'], at: new Date(0) }),
      withDetails({ exception: 'E', documents: ['a'], at: new Date(1) }),
      withDetails({ n: Number.NaN }),
      withDetails({ n: null }),
      withDetails({ n: 1 }),
      withDetails({ n: 1 }, { unconfirmed: true }),
      withDetails({ nested: { list: [1, 'x', null, { y: true }] } }),
      withDetails({ nested: { list: [1, 'x', null, { y: false }] } }),
      withDetails(undefined),
      withDetails(undefined, { outcome: 'CLEAR' }),
    ];
    for (let pass = 0; pass < 2; pass++)
      for (const d of variants) expect(encoded(encoder, d)).toBe(reference(d));
  });

  it('returns -1 and writes nothing when the buffer lacks room', () => {
    const encoder = new DecisionEncoder();
    for (const d of decisions.slice(0, 40)) {
      const line = Buffer.from(reference(d));
      const out = Buffer.alloc(3 + line.length - 1, 0xee);
      expect(encoder.encode(d, out, 3)).toBe(-1);
      expect(out.every((b) => b === 0xee)).toBe(true);
      const fits = Buffer.alloc(3 + line.length * 3, 0xee);
      expect(encoder.encode(d, fits, 3)).toBe(3 + line.length);
    }
  });
});
