import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  declaration,
  load2016Regime,
  REGIME_2016_FILES,
  refs,
  regimeDirWith,
  TEST_CAPS_YAML,
} from '../../ingest/regime-loader.fixtures.js';
import { loadRegime } from '../../ingest/regime-loader.js';
import { type CompiledRegime, compileRegime } from '../regime/compile.js';
import type { Regime } from '../regime/regime.js';
import { CapLedger } from './cap-ledger.js';
import type { Decision, Reason } from './decision.js';
import type { Declaration } from './declaration.js';
import type { PartyCheck } from './party-check.js';
import { decisionToJson, decisionToJsonLine, screenBatch, screenDeclaration } from './screen.js';

let regime: Regime;
let compiled: CompiledRegime;
beforeAll(() => {
  regime = load2016Regime();
  compiled = compileRegime(regime);
});

const screen = (d: Declaration, jurisdiction: 'CN' | 'UN' = 'CN', asOf?: string) =>
  screenDeclaration(compiled, d, { jurisdiction, asOf, ledger: new CapLedger(regime.units) });

const coal = { hsCode: '2701110010', origin: 'KP', from: 'KP' };
const rason = { hsCode: '2701120000', origin: 'RU', from: 'KP', portOfLoading: 'Rajin' };
const jet = { direction: 'export' as const, hsCode: '27101911', origin: 'CN', to: 'KP' };

interface Golden {
  name: string;
  d: Partial<Declaration>;
  jurisdiction?: 'CN' | 'UN';
  decision: Decision['decision'];
  kinds: string[];
  measures?: string[];
  missingDocuments?: string[];
  missingApprovals?: string[];
  exception?: string | null;
}

// The golden table: declarations dated between 2016-04-05 and 2016-11-29 → expected decisions.
const GOLDEN: Golden[] = [
  {
    name: 'refuses DPRK anthracite with no exception claimed',
    d: coal,
    decision: 'REFUSE',
    kinds: ['banned'],
    measures: ['CN-MOFCOM-11-2016-1'],
  },
  {
    name: 'clears livelihood coal with the Annex 2 letter',
    d: { ...coal, purpose: 'livelihood', documents: refs('commitment-letter-livelihood') },
    decision: 'CLEAR',
    kinds: ['exception-applied'],
    exception: 'CN-MOFCOM-11-2016-1/livelihood',
  },
  {
    name: 'holds livelihood coal without the letter, naming it',
    d: { ...coal, purpose: 'livelihood' },
    decision: 'HOLD',
    kinds: ['document-missing'],
    missingDocuments: ['commitment-letter-livelihood'],
    exception: null,
  },
  {
    name: 'clears Rason transit coal with record-filing, Annex 3 letter and certificate of origin',
    d: {
      ...rason,
      approvals: refs('un-record-filing'),
      documents: refs('commitment-letter-transit', 'certificate-of-origin'),
    },
    decision: 'CLEAR',
    kinds: ['exception-applied', 'notification-duty'],
    exception: 'CN-MOFCOM-11-2016-1/rason-transit-coal',
  },
  {
    name: 'refuses Rason transit coal without the prior record-filing',
    d: { ...rason, documents: refs('commitment-letter-transit', 'certificate-of-origin') },
    decision: 'REFUSE',
    kinds: ['approval-missing'],
    missingApprovals: ['un-record-filing'],
  },
  {
    name: 'holds Rason transit coal missing the certificate of origin',
    d: {
      ...rason,
      portOfLoading: ' RASON ',
      approvals: refs('un-record-filing'),
      documents: refs('commitment-letter-transit'),
    },
    decision: 'HOLD',
    kinds: ['document-missing'],
    missingDocuments: ['certificate-of-origin'],
  },
  {
    name: 'refuses iron ore through Rajin: the transit exception is for coal only',
    d: {
      ...rason,
      hsCode: '2601111000',
      approvals: refs('un-record-filing'),
      documents: refs('commitment-letter-transit', 'certificate-of-origin'),
    },
    decision: 'REFUSE',
    kinds: ['banned'],
  },
  {
    name: 'refuses Rason transit coal of DPRK origin',
    d: {
      ...rason,
      origin: 'KP',
      approvals: refs('un-record-filing'),
      documents: refs('commitment-letter-transit', 'certificate-of-origin'),
    },
    decision: 'REFUSE',
    kinds: ['banned'],
  },
  {
    name: 'refuses livelihood coal under solid information (revocation clause of item 1(1))',
    d: {
      ...coal,
      purpose: 'livelihood',
      documents: refs('commitment-letter-livelihood'),
      flags: ['solid-information'],
    },
    decision: 'REFUSE',
    kinds: ['solid-information'],
  },
  {
    name: 'refuses DPRK gold ore',
    d: { hsCode: '261690', origin: 'KP' },
    decision: 'REFUSE',
    kinds: ['banned'],
    measures: ['CN-MOFCOM-11-2016-2'],
  },
  {
    name: "clears unwrought gold under China's text (gold ore only)",
    d: { hsCode: '710812', origin: 'KP' },
    decision: 'CLEAR',
    kinds: ['not-covered'],
  },
  {
    name: 'refuses unwrought gold under the UN text (gold)',
    d: { hsCode: '710812', origin: 'KP' },
    jurisdiction: 'UN',
    decision: 'REFUSE',
    kinds: ['banned'],
    measures: ['UN-2270-OP30'],
  },
  {
    name: 'refuses DPRK titanium ore',
    d: { hsCode: '26140000', origin: 'KP' },
    decision: 'REFUSE',
    kinds: ['banned'],
  },
  {
    name: 'holds rare earths under the broad 2530.90 line',
    d: { hsCode: '253090', origin: 'KP' },
    decision: 'HOLD',
    kinds: ['classification-ambiguous'],
  },
  {
    name: 'holds vanadium ore under the shared 2615.90 line',
    d: { hsCode: '2615900000', from: 'KP', origin: 'KP' },
    decision: 'HOLD',
    kinds: ['classification-ambiguous'],
  },
  {
    name: 'clears jet fuel with the Committee approval for humanitarian needs, with monitoring as a standing condition',
    d: { ...jet, purpose: 'humanitarian', approvals: refs('un-committee-approval') },
    decision: 'CLEAR',
    kinds: ['exception-applied'],
    exception: 'CN-MOFCOM-11-2016-3/humanitarian',
  },
  {
    name: 'refuses humanitarian jet fuel without the Committee approval',
    d: { ...jet, purpose: 'humanitarian' },
    decision: 'REFUSE',
    kinds: ['approval-missing'],
    missingApprovals: ['un-committee-approval'],
  },
  {
    name: 'refuses jet fuel with no exception',
    d: jet,
    decision: 'REFUSE',
    kinds: ['banned'],
    measures: ['CN-MOFCOM-11-2016-3'],
  },
  {
    name: 'clears civil-aircraft refuelling',
    d: { ...jet, purpose: 'civil-aircraft-refuelling' },
    decision: 'CLEAR',
    kinds: ['exception-applied'],
    exception: 'CN-MOFCOM-11-2016-3/civil-aircraft-refuelling',
  },
  {
    name: 'refuses civil-aircraft refuelling under solid information',
    d: { ...jet, purpose: 'civil-aircraft-refuelling', flags: ['solid-information'] },
    decision: 'REFUSE',
    kinds: ['solid-information'],
  },
  {
    name: 'holds the coarse 6-digit 271019 (spans aviation kerosene)',
    d: { ...jet, hsCode: '2710.19' },
    decision: 'HOLD',
    kinds: ['classification-too-coarse'],
  },
  {
    name: 'holds the coarse 6-digit code in the UN jurisdiction too',
    d: { ...jet, hsCode: '271019' },
    jurisdiction: 'UN',
    decision: 'HOLD',
    kinds: ['classification-too-coarse'],
  },
  {
    name: 'holds 27101210 (motor and aviation gasoline share the line)',
    d: { ...jet, hsCode: '27101210' },
    decision: 'HOLD',
    kinds: ['classification-ambiguous'],
  },
  {
    name: 'clears diesel to the DPRK (not aviation fuel)',
    d: { ...jet, hsCode: '27101922' },
    decision: 'CLEAR',
    kinds: ['not-covered'],
  },
  {
    name: 'clears the ambiguous line when an exception applies anyway',
    d: { ...jet, hsCode: '27101210', purpose: 'civil-aircraft-refuelling' },
    decision: 'CLEAR',
    kinds: ['exception-applied'],
  },
  {
    name: 'clears Russian coal shipped from Russia',
    d: { ...coal, origin: 'RU', from: 'RU' },
    decision: 'CLEAR',
    kinds: ['not-covered'],
  },
  {
    name: 'refuses coal consigned from the DPRK whatever its origin',
    d: { ...coal, origin: 'CN', from: 'KP' },
    decision: 'REFUSE',
    kinds: ['banned'],
  },
  {
    name: 'clears coal exported to the DPRK (import measure only)',
    d: { ...coal, direction: 'export', to: 'KP' },
    decision: 'CLEAR',
    kinds: ['not-covered'],
  },
  {
    name: 'clears DPRK apparel in 2016',
    d: { hsCode: '610910', origin: 'KP' },
    decision: 'CLEAR',
    kinds: ['not-covered'],
  },
  {
    name: 'holds a chapter-level code spanning coal',
    d: { hsCode: '27', origin: 'KP' },
    decision: 'HOLD',
    kinds: ['classification-too-coarse'],
  },
  {
    name: 'clears DPRK coal on 2016-04-04, before No. 11 took effect',
    d: { ...coal, date: '2016-04-04' },
    decision: 'CLEAR',
    kinds: ['not-covered'],
  },
  {
    name: 'refuses DPRK coal on 2016-04-04 under the UN text, in force since 2 March',
    d: { ...coal, date: '2016-04-04' },
    jurisdiction: 'UN',
    decision: 'REFUSE',
    kinds: ['banned'],
  },
  {
    name: 'clears Rajin transit coal under the UN text with the advance notification alone',
    d: { ...rason, approvals: refs('un-record-filing') },
    jurisdiction: 'UN',
    decision: 'CLEAR',
    kinds: ['exception-applied', 'notification-duty'],
    exception: 'UN-2270-OP29/rajin-transit-coal',
  },
  {
    name: 'refuses Rajin transit coal under the UN text without the advance notification',
    d: rason,
    jurisdiction: 'UN',
    decision: 'REFUSE',
    kinds: ['approval-missing'],
    missingApprovals: ['un-record-filing'],
  },
  {
    name: 'refuses DPRK iron (pig iron) under the UN text',
    d: { hsCode: '720110', origin: 'KP' },
    jurisdiction: 'UN',
    decision: 'REFUSE',
    kinds: ['banned'],
    measures: ['UN-2270-OP29'],
  },
  {
    name: 'refuses DPRK titanium ore under the UN text',
    d: { hsCode: '261400', origin: 'KP' },
    jurisdiction: 'UN',
    decision: 'REFUSE',
    kinds: ['banned'],
    measures: ['UN-2270-OP30'],
  },
  {
    name: 'holds vanadium ore under the UN text too',
    d: { hsCode: '261590', origin: 'KP' },
    jurisdiction: 'UN',
    decision: 'HOLD',
    kinds: ['classification-ambiguous'],
  },
  {
    name: 'clears humanitarian jet fuel under the UN text with the Committee approval',
    d: { ...jet, purpose: 'humanitarian', approvals: refs('un-committee-approval') },
    jurisdiction: 'UN',
    decision: 'CLEAR',
    kinds: ['exception-applied'],
    exception: 'UN-2270-OP31/humanitarian',
  },
  {
    name: 'refuses jet fuel to the DPRK under the UN text',
    d: jet,
    jurisdiction: 'UN',
    decision: 'REFUSE',
    kinds: ['banned'],
    measures: ['UN-2270-OP31'],
  },
  {
    name: "refuses DPRK iron ore with no exception under China's text",
    d: { hsCode: '2601120000', origin: 'KP' },
    decision: 'REFUSE',
    kinds: ['banned'],
  },
  {
    name: 'clears livelihood iron ore with the Annex 2 letter',
    d: {
      hsCode: '2601120000',
      origin: 'KP',
      purpose: 'livelihood',
      documents: refs('commitment-letter-livelihood'),
    },
    decision: 'CLEAR',
    kinds: ['exception-applied'],
    exception: 'CN-MOFCOM-11-2016-1/livelihood',
  },
  {
    name: 'clears livelihood coal under the UN text without a letter (the resolution requires none)',
    d: { ...coal, purpose: 'livelihood' },
    jurisdiction: 'UN',
    decision: 'CLEAR',
    kinds: ['exception-applied'],
    exception: 'UN-2270-OP29/livelihood',
  },
];

describe('golden declarations (2016 regime)', () => {
  for (const g of GOLDEN) {
    it(`${g.name} → ${g.decision}`, () => {
      const d = screen(
        declaration({ ...g.d, hsCode: (g.d.hsCode ?? '2701120000').replaceAll('.', '') }),
        g.jurisdiction,
      );
      expect(d.decision).toBe(g.decision);
      expect(d.reasons.map((r) => r.kind)).toEqual(g.kinds);
      if (g.measures) expect(d.reasons.map((r) => r.measure)).toEqual(g.measures);
      if (g.missingDocuments) expect(d.missingDocuments).toEqual(g.missingDocuments);
      if (g.missingApprovals) expect(d.missingApprovals).toEqual(g.missingApprovals);
      if (g.exception !== undefined) expect(d.exception).toBe(g.exception);
      expect(d.regimeVersion).toBe(regime.version);
      expect(d.jurisdiction).toBe(g.jurisdiction ?? 'CN');
      for (const r of d.reasons) {
        if (r.kind === 'not-covered') continue;
        expect(r.citation).toMatch(
          g.jurisdiction === 'UN'
            ? /^UNSCR 2270 \(2016\), para /
            : /^MOFCOM\/GAC Announcement No\. 11 of 2016, item /,
        );
        expect(r.text.length).toBeGreaterThan(10);
      }
    });
  }

  it('cites "para UNCONFIRMED" where the paragraph number is not confirmed, and flags the reason', () => {
    const d = screen(declaration(coal), 'UN');
    expect(d.reasons[0]?.citation).toBe('UNSCR 2270 (2016), para 29 (para UNCONFIRMED)');
    expect(d.reasons[0]?.unconfirmed).toBe(true);
    const jetFuel = screen(declaration({ ...jet, purpose: 'civil-aircraft-refuelling' }), 'UN');
    expect(jetFuel.reasons[0]?.citation).toBe('UNSCR 2270 (2016), para 31(b)');
  });

  it('shares one frozen reason between rows missing the same documents or approvals, keyed as built per row', () => {
    const holds = [0, 1].map((k) => screen(declaration({ ...coal, id: `H${k}`, purpose: 'livelihood' })));
    const [a, b] = holds.map((d) => d.reasons[0]!);
    expect(a).toBe(b);
    expect(Object.isFrozen(a) && Object.isFrozen(a!.details) && Object.isFrozen(a!.details!.documents)).toBe(
      true,
    );
    // the keys in the order the per-row object had them (JSON.stringify of a stored decision keeps it)
    expect(Object.keys(a!)).toEqual([
      'measure',
      'citation',
      'unconfirmed',
      'kind',
      'outcome',
      'text',
      'details',
    ]);
    expect(Object.keys(a!.details!)).toEqual(['exception', 'documents']);
    expect(a!.text).toMatch(/^Exception '.+' claimed; missing at declaration: commitment-letter-livelihood$/);
    expect(a!.details!.documents).toEqual(['commitment-letter-livelihood']);
    const refused = (documents: Declaration['documents']) =>
      screen(declaration({ ...rason, documents })).reasons[0]!;
    const one = refused(refs('commitment-letter-transit', 'certificate-of-origin'));
    expect(one.kind).toBe('approval-missing');
    expect(refused(refs('certificate-of-origin', 'commitment-letter-transit'))).toBe(one);
    // another set of missing types is another reason
    const docs = screen(declaration({ ...rason, approvals: refs('un-record-filing') })).reasons[0]!;
    expect(docs.details).toEqual({
      exception: expect.any(String),
      documents: ['commitment-letter-transit', 'certificate-of-origin'],
    });
    expect(docs).not.toBe(
      screen(
        declaration({
          ...rason,
          approvals: refs('un-record-filing'),
          documents: refs('certificate-of-origin'),
        }),
      ).reasons[0],
    );
  });

  it('marks a reason resting on an unconfirmed HS mapping as unconfirmed', () => {
    expect(screen(declaration({ hsCode: '26140000', origin: 'KP' })).reasons[0]?.unconfirmed).toBe(true);
  });

  it('names the subheadings at stake for a coarse code', () => {
    const d = screen(declaration({ ...jet, hsCode: '271019' }));
    expect(d.reasons[0]?.details?.subheadings).toEqual(['27101911']);
    expect(d.reasons[0]?.text).toContain('27101911');
    const chapter = screen(declaration({ hsCode: '27', origin: 'KP' }));
    expect(chapter.reasons[0]?.details?.subheadings).toEqual(['2701', '2702']);
  });

  it('lists the standing conditions of the exception applied', () => {
    const d = screen(
      declaration({ ...jet, purpose: 'humanitarian', approvals: refs('un-committee-approval') }),
    );
    expect(d.conditions.join(' ')).toMatch(/monitor the delivery and use/);
  });

  it('screens as of another date when asked', () => {
    const d = screen(declaration({ ...coal, date: '2016-04-04' }), 'CN', '2016-04-05');
    expect(d.decision).toBe('REFUSE');
    expect(d.asOf).toBe('2016-04-05');
  });
});

describe('party reasons', () => {
  // A minimal PartyCheck over an exact-name list: the seam contract, not the party engine.
  const designated = new Set(['KOREA MINING DEVELOPMENT TRADING CORPORATION']);
  const review = new Set(['KOREA MINING DEV TRADING']);
  const parties: PartyCheck = {
    lists: [{ id: 'test-list', source: 'test', published: '2016-03-02', hash: 'sha256:abc' }],
    check(d) {
      const out: Reason[] = [];
      for (const name of [d.consignor, d.consignee]) {
        const key = name?.toUpperCase() ?? '';
        if (designated.has(key))
          out.push({
            kind: 'party-designated',
            outcome: 'REFUSE',
            measure: '',
            citation: 'KPe.001',
            text: `${name} is designated`,
          });
        else if (review.has(key))
          out.push({
            kind: 'party-possible-match',
            outcome: 'HOLD',
            measure: '',
            citation: 'KPe.001',
            text: `${name} may be designated`,
          });
      }
      return out;
    },
  };

  it('refuses unrelated goods when a party is designated, and records the lists', () => {
    const d = screenDeclaration(
      compiled,
      declaration({
        hsCode: '610910',
        origin: 'KP',
        consignor: 'Korea Mining Development Trading Corporation',
      }),
      {
        jurisdiction: 'CN',
        parties,
      },
    );
    expect(d.decision).toBe('REFUSE');
    expect(d.reasons.map((r) => r.kind)).toEqual(['not-covered', 'party-designated']);
    expect(d.lists).toEqual([{ id: 'test-list', hash: 'sha256:abc', published: '2016-03-02' }]);
  });

  it('holds an otherwise cleared declaration on a possible match', () => {
    const d = screenDeclaration(
      compiled,
      declaration({
        ...coal,
        purpose: 'livelihood',
        documents: refs('commitment-letter-livelihood'),
        consignee: 'Korea Mining Dev Trading',
      }),
      { jurisdiction: 'CN', parties },
    );
    expect(d.decision).toBe('HOLD');
    expect(d.exception).toBeNull();
    expect(d.reasons.map((r) => r.kind)).toEqual(['exception-applied', 'party-possible-match']);
  });
});

describe('caps, amendments, suspensions and grace rules', () => {
  let capsRegime: Regime;
  let caps: CompiledRegime;
  beforeAll(() => {
    capsRegime = loadRegime(regimeDirWith(REGIME_2016_FILES, { 'test-caps.yaml': TEST_CAPS_YAML }));
    caps = compileRegime(capsRegime);
  });
  const coalCap = (id: string, date: string, tonnes: number, usd: number) =>
    declaration({
      id,
      date,
      ...coal,
      purpose: 'livelihood',
      quantity: tonnes,
      unit: 't',
      value: usd,
      currency: 'USD',
    });

  it('ends the 2270 coal measure from the day the amending measure says', () => {
    const ledger = new CapLedger(capsRegime.units);
    const before = screenDeclaration(caps, coalCap('a', '2016-11-29', 1, 1), { jurisdiction: 'UN', ledger });
    expect(before.reasons[0]?.measure).toBe('UN-2270-OP29');
    const after = screenDeclaration(caps, coalCap('b', '2016-11-30', 1, 1), { jurisdiction: 'UN', ledger });
    expect(after.reasons.map((r) => r.measure)).not.toContain('UN-2270-OP29');
    expect(after.decision).toBe('CLEAR');
  });

  it('consumes the cap, warns at 75/90/95 % and refuses beyond the headroom, lower-of USD and tonnes', () => {
    const ledger = new CapLedger(capsRegime.units);
    const run = (id: string, t: number, usd: number) =>
      screenDeclaration(caps, coalCap(id, '2016-12-01', t, usd), { jurisdiction: 'UN', ledger });
    const a = run('a', 50, 100);
    expect(a.decision).toBe('CLEAR');
    expect(a.reasons.map((r) => r.kind)).toEqual(['exception-applied', 'notification-duty', 'cap-consumed']);
    const b = run('b', 30, 100); // 80 t: crosses 75 % of tonnes
    expect(b.reasons.filter((r) => r.kind === 'cap-warning').map((r) => r.details?.level)).toEqual([0.75]);
    const c = run('c', 16, 100); // 96 t: crosses 90 % and 95 %
    expect(c.reasons.filter((r) => r.kind === 'cap-warning').map((r) => r.details?.level)).toEqual([
      0.9, 0.95,
    ]);
    const d = run('d', 5, 100); // 101 t > 100 t
    expect(d.decision).toBe('REFUSE');
    expect(d.reasons[0]?.kind).toBe('cap-exceeded');
    expect(d.reasons[0]?.details?.headroom).toEqual({ USD: 700, t: 4 });
    expect(d.reasons[0]?.text).toMatch(/5 t requested, 4 t left/);
    const e = run('e', 1, 800); // fits tonnes, not USD
    expect(e.decision).toBe('REFUSE');
    expect(ledger.snapshot()[0]?.used).toEqual({ USD: 300, t: 96 });
  });

  it('does not consume the cap when another measure refuses the declaration', () => {
    const ledger = new CapLedger(capsRegime.units);
    const d = screenDeclaration(caps, coalCap('s', '2016-12-12', 10, 10), { jurisdiction: 'UN', ledger });
    expect(d.decision).toBe('REFUSE');
    expect(d.reasons.map((r) => r.kind)).toContain('suspended');
    expect(ledger.snapshot()[0]?.used ?? {}).toEqual({});
  });

  it('sets the running total from the Committee figure', () => {
    const ledger = new CapLedger(capsRegime.units);
    const cap = capsRegime.measures.find((m) => m.measure.id === 'TEST-COAL-CAP')!.measure.caps[0]!;
    ledger.setRunningTotal('TEST-COAL-CAP', cap, '2016-12-01', { t: 99, USD: 10 });
    const d = screenDeclaration(caps, coalCap('x', '2016-12-02', 2, 1), { jurisdiction: 'UN', ledger });
    expect(d.decision).toBe('REFUSE');
    expect(d.reasons[0]?.details?.headroom).toEqual({ USD: 990, t: 1 });
  });

  it('converts barrels, tonnes and litres for the petroleum cap and stops at 95 %', () => {
    const ledger = new CapLedger(capsRegime.units);
    const fuel = (id: string, quantity: number, unit: string) =>
      screenDeclaration(
        caps,
        declaration({
          id,
          date: '2016-12-05',
          direction: 'export',
          hsCode: '27101922',
          to: 'KP',
          purpose: 'livelihood',
          quantity,
          unit,
        }),
        { jurisdiction: 'UN', ledger },
      );
    expect(fuel('t', 60, 't').decision).toBe('CLEAR'); // 60 t × 8.3333 = 500 bbl
    expect(fuel('l', (158987.294928 / 1000) * 400, 'l').decision).toBe('CLEAR'); // 400 bbl
    const over = fuel('bbl', 60, 'bbl'); // 960 > 950 (stop at 95 %)
    expect(over.decision).toBe('REFUSE');
    expect(over.reasons[0]?.text).toMatch(/stop at 95%/);
    expect(fuel('kg', 1000, 'kg').decision).toBe('CLEAR'); // 1 t = 8.3 bbl
    expect(fuel('none', 5, 'boxes').decision).toBe('HOLD');
  });

  it('refuses supplies on days no cap period covers', () => {
    const d = screenDeclaration(
      caps,
      declaration({
        date: '2016-11-30',
        direction: 'export',
        hsCode: '27101922',
        to: 'KP',
        purpose: 'livelihood',
        quantity: 1,
        unit: 'bbl',
      }),
      { jurisdiction: 'UN', ledger: new CapLedger(capsRegime.units) },
    );
    expect(d.decision).toBe('REFUSE');
    expect(d.reasons[0]?.text).toMatch(/No period/);
  });

  it('holds a cap-drawing declaration when no ledger is supplied', () => {
    const d = screenDeclaration(caps, coalCap('x', '2016-12-01', 1, 1), { jurisdiction: 'UN' });
    expect(d.decision).toBe('HOLD');
    expect(d.reasons[0]?.kind).toBe('cap-unmeasured');
  });

  it('holds a declaration dated before one already consumed (streams must be in date order)', () => {
    const ledger = new CapLedger(capsRegime.units);
    screenDeclaration(caps, coalCap('late', '2016-12-05', 1, 1), { jurisdiction: 'UN', ledger });
    const early = screenDeclaration(caps, coalCap('early', '2016-12-02', 1, 1), {
      jurisdiction: 'UN',
      ledger,
    });
    expect(early.decision).toBe('HOLD');
    expect(early.reasons[0]?.kind).toBe('cap-out-of-order');
  });

  it('screens a batch in date order, returning decisions in input order', () => {
    const batch = [coalCap('late', '2016-12-05', 60, 1), coalCap('early', '2016-12-02', 60, 1)];
    const decisions = screenBatch(caps, batch, {
      jurisdiction: 'UN',
      ledger: new CapLedger(capsRegime.units),
    });
    expect(decisions.map((d) => [d.id, d.decision])).toEqual([
      ['late', 'REFUSE'],
      ['early', 'CLEAR'],
    ]);
  });

  it('applies the grace rule only with a prior contract date and the contract itself', () => {
    const lead = (f: Partial<Declaration>) =>
      screenDeclaration(caps, declaration({ date: '2016-12-15', hsCode: '260700', origin: 'KP', ...f }), {
        jurisdiction: 'UN',
      });
    expect(lead({}).decision).toBe('REFUSE');
    const graced = lead({ contractDate: '2016-11-20', documents: refs('contract') });
    expect(graced.decision).toBe('CLEAR');
    expect(graced.reasons[0]?.kind).toBe('grace-period');
    expect(lead({ contractDate: '2016-11-20' }).missingDocuments).toEqual(['contract']);
    expect(lead({ contractDate: '2016-12-01', documents: refs('contract') }).decision).toBe('REFUSE');
    expect(
      lead({ date: '2016-12-31', contractDate: '2016-11-20', documents: refs('contract') }).decision,
    ).toBe('REFUSE');
  });

  it('suspends and ends exceptions as amendments say', () => {
    const refuel = (date: string, purpose: string, approvals = refs('un-committee-approval')) =>
      screenDeclaration(caps, declaration({ ...jet, date, purpose, approvals }), { jurisdiction: 'UN' })
        .decision;
    expect(refuel('2016-11-30', 'civil-aircraft-refuelling')).toBe('CLEAR');
    expect(refuel('2016-12-01', 'civil-aircraft-refuelling')).toBe('REFUSE');
    expect(refuel('2016-12-10', 'civil-aircraft-refuelling')).toBe('CLEAR');
    expect(refuel('2016-12-19', 'humanitarian')).toBe('CLEAR');
    expect(refuel('2016-12-20', 'humanitarian')).toBe('REFUSE');
    expect(caps.measures.find((m) => m.id === 'UN-2270-OP31')?.amendedBy).toEqual(['TEST-AMEND-CN']);
  });

  it('excludes an excluded line and holds a code coarser than the exclusion', () => {
    const d = (hs: string) =>
      screenDeclaration(
        caps,
        declaration({ date: '2016-12-05', direction: 'export', hsCode: hs, to: 'KP' }),
        { jurisdiction: 'UN' },
      );
    expect(d('27101911').reasons.map((r) => r.measure)).toEqual(['UN-2270-OP31']);
    expect(d('271019').decision).toBe('HOLD');
    expect(d('271019').reasons.map((r) => [r.measure, r.kind])).toEqual([
      ['TEST-FUEL-CAP', 'classification-too-coarse'],
      ['UN-2270-OP31', 'classification-too-coarse'],
    ]);
    expect(d('27101922').reasons.map((r) => r.kind)).toEqual(['banned']);
  });
});

describe('decision properties', () => {
  const hsArb = fc.oneof(
    fc.constantFrom(
      '2701',
      '27011100',
      '2702',
      '2601',
      '7201',
      '261690',
      '7108',
      '2614',
      '253090',
      '271019',
      '27101911',
      '27101210',
      '27101922',
      '27',
      '6109',
      '0301',
    ),
    fc.stringMatching(/^[0-9]{2,10}$/),
  );
  const country = fc.constantFrom('KP', 'CN', 'RU', undefined);
  const declArb = fc.record({
    id: fc.string({ minLength: 1, maxLength: 6 }),
    date: fc.constantFrom('2016-03-01', '2016-03-02', '2016-04-04', '2016-04-05', '2016-07-01', '2016-11-29'),
    direction: fc.constantFrom('import' as const, 'export' as const),
    hsCode: hsArb,
    origin: country,
    from: country,
    to: country,
    portOfLoading: fc.constantFrom(undefined, 'Rajin', 'Nampo', 'Dandong'),
    purpose: fc.constantFrom(undefined, 'livelihood', 'humanitarian', 'civil-aircraft-refuelling'),
    documents: fc.subarray(
      refs('commitment-letter-livelihood', 'commitment-letter-transit', 'certificate-of-origin'),
    ),
    approvals: fc.subarray(refs('un-record-filing', 'un-committee-approval')),
    flags: fc.subarray(['solid-information']),
  });
  const jurisdictionArb = fc.constantFrom('CN' as const, 'UN' as const);

  it('gives the same output for the same input', () => {
    fc.assert(
      fc.property(declArb, jurisdictionArb, (d, j) => {
        const a = decisionToJsonLine(screenDeclaration(compiled, d, { jurisdiction: j }));
        const b = decisionToJsonLine(
          screenDeclaration(compileRegime(regime), structuredClone(d), { jurisdiction: j }),
        );
        expect(a).toBe(b);
        expect(a).toBe(JSON.stringify(decisionToJson(screenDeclaration(compiled, d, { jurisdiction: j }))));
      }),
      { numRuns: 300 },
    );
  });

  it('never clears a covered DPRK import without an exception', () => {
    fc.assert(
      fc.property(declArb, jurisdictionArb, (d0, j) => {
        const d = { ...d0, direction: 'import' as const, origin: 'KP' };
        const decision = screenDeclaration(compiled, d, { jurisdiction: j });
        const coveringMeasure = regime.measures.find(
          (m) =>
            m.instrument.jurisdiction === j &&
            m.measure.direction === 'import' &&
            d.date >= m.measure.effective_from &&
            m.measure.goods.some((g) => g.include.some((c) => d.hsCode.startsWith(c.code) && !c.ambiguous)),
        );
        if (coveringMeasure && decision.decision === 'CLEAR') {
          expect(decision.exception).not.toBeNull();
          expect(d.flags).not.toContain('solid-information');
        }
        if (coveringMeasure) expect(decision.reasons.some((r) => r.kind === 'not-covered')).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('does not depend on the order of measures in the regime', () => {
    fc.assert(
      fc.property(
        fc.array(declArb, { minLength: 1, maxLength: 20 }),
        fc.infiniteStream(fc.nat()),
        jurisdictionArb,
        (ds, rand, j) => {
          const shuffled = [...regime.measures];
          for (let i = shuffled.length - 1; i > 0; i--) {
            const k = (rand.next().value as number) % (i + 1);
            [shuffled[i], shuffled[k]] = [shuffled[k]!, shuffled[i]!];
          }
          const other = compileRegime({ ...regime, measures: shuffled });
          for (const d of ds) {
            expect(decisionToJsonLine(screenDeclaration(other, d, { jurisdiction: j }))).toBe(
              decisionToJsonLine(screenDeclaration(compiled, d, { jurisdiction: j })),
            );
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('only ever answers CLEAR, HOLD or REFUSE, and the outcome is the most severe reason', () => {
    const severity = { CLEAR: 0, HOLD: 1, REFUSE: 2 } as const;
    fc.assert(
      fc.property(declArb, jurisdictionArb, (d, j) => {
        const decision = screenDeclaration(compiled, d, { jurisdiction: j });
        const worst = Math.max(...decision.reasons.map((r) => severity[r.outcome]));
        expect(severity[decision.decision]).toBe(worst);
      }),
      { numRuns: 300 },
    );
  });
});
