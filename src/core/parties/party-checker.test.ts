import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Declaration } from '../screening/declaration.js';
import { createPartyCheck } from './party-checker.js';
import { buildPartyIndex } from './party-index.js';

const version = {
  id: 'un-consolidated',
  source: 'UN Security Council Consolidated List',
  published: '2026-05-08',
  hash: 'f'.repeat(64),
};
const index = buildPartyIndex([
  {
    version,
    entities: [
      {
        id: 'KPe.002',
        reference: 'KPe.002',
        type: 'entity',
        names: [
          { name: 'KOREA RYONBONG GENERAL CORPORATION', kind: 'primary' },
          { name: 'LYONGAKSAN GENERAL TRADING CORPORATION', kind: 'former' },
        ],
        programs: ['UN-1718'],
        listedOn: '2009-04-24',
      },
      {
        id: 'OFAC-23744',
        reference: '23744',
        type: 'vessel',
        names: [{ name: 'YU SON', kind: 'primary' }],
        imo: '8691702',
        programs: ['DPRK4'],
      },
      {
        id: 'EMB-W-0001',
        reference: 'EMB-W-0001',
        type: 'entity',
        action: 'watch',
        names: [
          { name: 'Patriotic Complex Microbial Center', kind: 'former', from: '1997-06', to: '2010-12' },
        ],
        programs: [],
      },
    ],
  },
]);
const check = createPartyCheck(index);

function declaration(fields: Partial<Declaration>): Declaration {
  return {
    id: 'D1',
    date: '2017-01-10',
    direction: 'export',
    hsCode: '8703',
    documents: [],
    approvals: [],
    flags: [],
    ...fields,
  };
}

describe('party check', () => {
  it('refuses a declaration whose consignee is a designated entity, citing the list entry', () => {
    const reasons = check.check(declaration({ consignee: 'Korea Ryonbong General Corp.' }));
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatchObject({ kind: 'party-designated', outcome: 'REFUSE', measure: '' });
    expect(reasons[0]?.citation).toContain('KPe.002');
    expect(reasons[0]?.citation).toContain('2026-05-08');
    expect(reasons[0]?.citation).toContain('ffffffffffff');
    expect(reasons[0]?.text).toContain('consignee');
  });

  it('holds a near miss for review', () => {
    const reasons = check.check(declaration({ consignor: 'Ryonbong General' }));
    expect(reasons.map((r) => [r.kind, r.outcome])).toEqual([['party-possible-match', 'HOLD']]);
  });

  it('refuses on a vessel IMO number even when the name is different', () => {
    const reasons = check.check(declaration({ vesselImo: 'IMO 8691702', vesselName: 'NEW NAME' }));
    expect(reasons.map((r) => r.kind)).toEqual(['party-designated']);
    expect(reasons[0]?.text).toContain('vessel_imo');
  });

  it('matches a former name and says when it was used', () => {
    const reasons = check.check(declaration({ consignee: 'Lyongaksan General Trading Corporation' }));
    expect(reasons[0]?.kind).toBe('party-designated');
    expect(reasons[0]?.text).toContain('former');
  });

  it('only holds a hit on a watch entry, never refuses', () => {
    const reasons = check.check(declaration({ consignee: 'Patriotic Complex Microbial Center' }));
    expect(reasons.map((r) => r.outcome)).toEqual(['HOLD']);
    expect(reasons[0]?.text).toContain('1997-06 – 2010-12');
  });

  it('gives no reasons for unlisted parties and reports the lists it used', () => {
    expect(
      check.check(declaration({ consignor: 'Dandong Hongxiang Fruit Company', consignee: 'Acme GmbH' })),
    ).toEqual([]);
    expect(check.lists).toEqual([version]);
  });

  it('refuses every listed name as consignee and never refuses a name sharing no word with the list (property)', () => {
    const syllable = fc.constantFrom(
      'KIM',
      'RI',
      'PAK',
      'JONG',
      'UN',
      'CHOL',
      'SONG',
      'HYOK',
      'MYONG',
      'IL',
      'YONG',
      'SU',
      'NAM',
    );
    const listedName = fc.array(syllable, { minLength: 2, maxLength: 4 }).map((t) => t.join(' '));
    const other = fc
      .array(fc.constantFrom('ACME', 'GLOBEX', 'INITECH', 'UMBRELLA', 'HOOLI', 'VANDELAY'), {
        minLength: 1,
        maxLength: 3,
      })
      .map((t) => t.join(' '));
    fc.assert(
      fc.property(
        fc.uniqueArray(listedName, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        other,
        (names, pick, unrelated) => {
          const generated = buildPartyIndex([
            {
              version,
              entities: names.map((name, i) => ({
                id: `G-${i}`,
                reference: `G-${i}`,
                type: 'person' as const,
                names: [{ name, kind: 'primary' as const }],
                programs: [],
              })),
            },
          ]);
          const partyCheck = createPartyCheck(generated);
          const name = names[pick % names.length] as string;
          const reasons = partyCheck.check(declaration({ consignee: name, consignor: unrelated }));
          expect(reasons.some((r) => r.kind === 'party-designated' && r.outcome === 'REFUSE')).toBe(true);
          expect(reasons.every((r) => (r.details as { field: string }).field === 'consignee')).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
