import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuditEntry,
  canonicalJson,
  chainEntry,
  checkStep,
  classifyStep,
  GENESIS_HASH,
} from './audit-chain.js';

// A pure, deterministic stand-in hash is enough to test the chain logic itself; the store tests
// use real sha256 against both databases.
const hasher = (text: string) => {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    h1 = Math.imul(h1 ^ text.charCodeAt(i), 16777619) >>> 0;
    h2 = Math.imul(h2 + text.charCodeAt(i), 2246822519) >>> 0;
  }
  return (h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).repeat(4);
};

function build(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      chainEntry(
        { actor: `u${i % 3}`, action: 'case.noted', subject: `case:C-${i}`, payload: { i } },
        out[i - 1],
        `2026-01-01T00:00:0${i % 10}Z`,
        hasher,
      ),
    );
  }
  return out;
}

function firstFinding(entries: AuditEntry[]) {
  let previous: AuditEntry | undefined;
  for (const [index, entry] of entries.entries()) {
    const step = checkStep(previous, entry, hasher);
    if (step) {
      const predecessor =
        step.problem === 'link' ? entries.find((e) => e.hash === entry.prevHash)?.seq : undefined;
      const next = entries[index + 1];
      return classifyStep(
        step,
        predecessor,
        step.problem === 'edited' &&
          next !== undefined &&
          previous !== undefined &&
          next.prevHash === previous.hash,
      );
    }
    previous = entry;
  }
  return null;
}

describe('canonical JSON', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }], u: undefined })).toBe(
      '{"a":[2,{"c":4,"d":3}],"b":1}',
    );
  });

  it('gives one text per value whatever the key order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(value));
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe('the audit hash chain', () => {
  it('links the first entry to the genesis hash and each next one to the one before', () => {
    const chain = build(3);
    expect(chain[0]!.prevHash).toBe(GENESIS_HASH);
    expect(chain[1]!.prevHash).toBe(chain[0]!.hash);
    expect(chain.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(firstFinding(chain)).toBeNull();
  });

  it('names any single edit, removal, insertion or swap (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 12 }),
        fc.nat(),
        fc.constantFrom('edit', 'remove', 'insert', 'swap'),
        (n, at, kind) => {
          const chain = build(n);
          const k = 1 + (at % (n - 2)); // an interior position, so every kind is visible
          let tampered: AuditEntry[];
          switch (kind) {
            case 'edit':
              tampered = chain.map((e, i) => (i === k ? { ...e, payload: '{"i":-1}' } : e));
              break;
            case 'remove':
              tampered = chain.filter((_, i) => i !== k);
              break;
            case 'insert': {
              const forged = chainEntry(
                { actor: 'x', action: 'y', subject: 'z', payload: {} },
                chain[k - 1],
                't',
                hasher,
              );
              tampered = [
                ...chain.slice(0, k),
                forged,
                ...chain.slice(k).map((e) => ({ ...e, seq: e.seq + 1 })),
              ];
              break;
            }
            default:
              tampered = chain.map((e, i) =>
                i === k ? { ...chain[k + 1]!, seq: e.seq } : i === k + 1 ? { ...chain[k]!, seq: e.seq } : e,
              );
          }
          const expected = { edit: 'edited', remove: 'removed', insert: 'inserted', swap: 'reordered' }[kind];
          const finding = firstFinding(tampered);
          expect(finding?.kind).toBe(expected);
          expect(finding?.seq).toBe(kind === 'remove' ? k + 2 : k + 1);
        },
      ),
    );
  });
});
