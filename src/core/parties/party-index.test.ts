import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ListVersion } from '../screening/party-check.js';
import { buildPartyIndex, normalizeImo, PartyIndex } from './party-index.js';
import type { PartyEntity, PartyList } from './party-model.js';

const version: ListVersion = {
  id: 'test-list',
  source: 'test source',
  published: '2024-05-03',
  hash: 'ab'.repeat(32),
};

const entities: PartyEntity[] = [
  {
    id: 'OFAC-20157',
    reference: '20157',
    type: 'person',
    names: [{ name: 'KIM, Jong Un', kind: 'primary' }],
    programs: ['DPRK3'],
  },
  {
    id: 'OFAC-21444',
    reference: '21444',
    type: 'person',
    names: [{ name: 'KIM, Yo Jong', kind: 'primary' }],
    programs: ['DPRK2'],
  },
  {
    id: 'X-1',
    reference: 'X-1',
    type: 'person',
    names: [{ name: 'KIM JONG MAN', kind: 'primary' }],
    programs: [],
  },
  {
    id: 'KPi.076',
    reference: 'KPi.076',
    type: 'person',
    names: [
      { name: 'RI PYONG CHUL', kind: 'primary' },
      { name: 'Ri Pyong Chol', kind: 'strong-alias' },
    ],
    programs: ['UN-1718'],
  },
  {
    id: 'KPe.001',
    reference: 'KPe.001',
    type: 'entity',
    names: [
      { name: 'KOREA MINING DEVELOPMENT TRADING CORPORATION', kind: 'primary' },
      { name: 'KOMID', kind: 'weak-alias' },
    ],
    programs: ['UN-1718'],
  },
  {
    id: 'OFAC-23733',
    reference: '23733',
    type: 'vessel',
    names: [{ name: 'SAM JONG 1', kind: 'primary' }],
    imo: '8405311',
    programs: ['DPRK4'],
  },
  {
    id: 'OFAC-23734',
    reference: '23734',
    type: 'vessel',
    names: [{ name: 'SAM JONG 2', kind: 'primary' }],
    imo: '7408873',
    programs: ['DPRK4'],
  },
  {
    id: 'EMB-W-0001',
    reference: 'EMB-W-0001',
    type: 'entity',
    action: 'watch',
    names: [
      { name: 'Bio-Technical Institute under KPA Unit 810', kind: 'primary', from: '2015-07' },
      { name: '조선인민군 제810군부대산하 평양생물기술연구원', kind: 'original-script', from: '2015-07' },
      {
        name: 'Vitamin C Factory at the Pyongyang Biotechnology Center',
        kind: 'former',
        from: '2013-08',
        to: '2015-07',
      },
      { name: 'Patriotic Complex Microbial Center', kind: 'former', from: '1997-06', to: '2010-12' },
      { name: '애국복합미생물센터', kind: 'original-script', from: '1997-06', to: '2010-12' },
    ],
    programs: ['EMBARGO-WATCH'],
  },
];
const list: PartyList = { version, entities };
const index = buildPartyIndex([list]);

describe('party index', () => {
  it('finds Kim Jong Un from every spelling, and not Kim Yo Jong or Kim Jong Man', () => {
    for (const query of ['Kim Jong Un', 'Kim Jong-un', 'Kim Jongun', 'KIM, Jong Un', '김정은']) {
      const hits = index.search(query);
      expect(hits[0]?.entityId, query).toBe('OFAC-20157');
      expect(hits[0]?.status).toBe('match');
      expect(hits.map((h) => h.entityId)).not.toContain('OFAC-21444');
      expect(hits.map((h) => h.entityId)).not.toContain('X-1');
    }
  });

  it('romanises 리병철 and finds RI PYONG CHOL', () => {
    const [hit] = index.search('리병철');
    expect(hit?.entityId).toBe('KPi.076');
    expect(hit?.query.normalized).toBe('RI PYONG CHOL');
    expect(hit?.matched.name).toBe('Ri Pyong Chol');
  });

  it('finds the one entity from each of its historical names and says when the name was used', () => {
    const cases = [
      ['Patriotic Complex Microbial Center', 'former', '1997-06', '2010-12'],
      ['애국복합미생물센터', 'original-script', '1997-06', '2010-12'],
      ['Vitamin C Factory, Pyongyang Biotechnology Centre', 'former', '2013-08', '2015-07'],
      ['Bio-Technical Institute under KPA Unit 810', 'primary', '2015-07', undefined],
      ['조선인민군 제810군부대산하 평양생물기술연구원', 'original-script', '2015-07', undefined],
    ] as const;
    for (const [query, kind, from, to] of cases) {
      const hits = index.search(query);
      expect(hits, query).toHaveLength(1);
      expect(hits[0]?.entityId).toBe('EMB-W-0001');
      expect(hits[0]?.matched.kind).toBe(kind);
      expect(hits[0]?.matched.from).toBe(from);
      expect(hits[0]?.matched.to).toBe(to);
      expect(hits[0]?.action).toBe('watch');
    }
  });

  it('decides vessels by IMO number and keeps Vessel 1 apart from Vessel 2', () => {
    expect(index.searchImo('IMO 7408873').map((h) => h.entityId)).toEqual(['OFAC-23734']);
    expect(index.searchImo('8405311')[0]?.components.rule).toBe('imo');
    expect(index.searchImo('not an imo')).toEqual([]);
    const hits = index.search('SAM JONG 2', { type: 'vessel' });
    expect(hits.map((h) => h.entityId)).toEqual(['OFAC-23734']);
    expect(index.search('SAM JONG 3', { type: 'vessel' })).toEqual([]);
  });

  it('matches a weak alias only exactly', () => {
    expect(index.search('KOMID')[0]?.matched.kind).toBe('weak-alias');
    expect(index.search('KOMIDD')).toEqual([]);
  });

  it('filters by party type', () => {
    expect(index.search('Kim Jong Un', { type: 'entity' })).toEqual([]);
  });

  it('explains every hit: list version, entry, matched name and both normalised forms', () => {
    const [hit] = index.search('kim jong-un');
    expect(hit).toMatchObject({
      list: version,
      reference: '20157',
      primaryName: 'KIM, Jong Un',
      matched: { name: 'KIM, Jong Un', kind: 'primary', normalized: 'KIM JONG UN' },
      query: { text: 'kim jong-un', normalized: 'KIM JONG UN' },
      score: 1,
      status: 'match',
    });
  });

  it('returns review hits between the thresholds and honours a custom threshold', () => {
    const hits = index.search('Kim Jong');
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.status === 'review')).toBe(true);
    expect(index.search('Kim Jong', { threshold: 0.9 })).toEqual([]);
  });

  it('rejects thresholds out of order', () => {
    expect(() => new PartyIndex([list], { match: 0.7, review: 0.8 })).toThrow(RangeError);
  });

  it('normalises IMO numbers', () => {
    expect(normalizeImo('IMO 1234567')).toBe('1234567');
    expect(normalizeImo('IMO:123-4567')).toBe('1234567');
    expect(normalizeImo('123456')).toBeUndefined();
  });

  it('always finds a listed name from itself (property)', () => {
    const syllables = [
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
      'O',
      'YONG',
      'SU',
    ];
    const words = ['KOREA', 'TRADING', 'RYONBONG', 'TAESONG', 'CORPORATION', 'BANK', 'SHIPPING', '7', '12'];
    const nameArb = fc.oneof(
      fc.array(fc.constantFrom(...syllables), { minLength: 2, maxLength: 4 }).map((t) => t.join(' ')),
      fc
        .array(fc.constantFrom(...words, ...syllables), { minLength: 1, maxLength: 5 })
        .map((t) => t.join(' ')),
    );
    fc.assert(
      fc.property(fc.uniqueArray(nameArb, { minLength: 1, maxLength: 12 }), fc.nat(), (names, pick) => {
        const generated: PartyEntity[] = names.map((name, i) => ({
          id: `G-${i}`,
          reference: `G-${i}`,
          type: 'entity',
          names: [{ name, kind: 'primary' }],
          programs: [],
        }));
        const idx = buildPartyIndex([{ version, entities: generated }]);
        const target = generated[pick % generated.length] as PartyEntity;
        const hits = idx.search(target.names[0]?.name ?? '', { limit: 50 });
        const own = hits.find((h) => h.entityId === target.id);
        expect(own?.score).toBe(1);
        expect(hits[0]?.score).toBe(1);
      }),
      { numRuns: 300 },
    );
  });
});
