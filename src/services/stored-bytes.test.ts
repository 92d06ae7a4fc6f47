/**
 * Pins the bytes screening writes into the store: a store written by an earlier version must stay
 * idempotent (same body → same content hash → same version; same context → same decision) and
 * `audit verify` must pass across versions, so the texts and hashes prepared on the screening
 * thread and stored by the writer thread may never change. The digests below were taken from the
 * code before the screening thread's per-row work was cut (docs/decisions.md ST16); a change that
 * moves one byte of a body, a hash, an outcome text or an audit payload fails here.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES, freshDatabase, type TestDatabase } from '../../test/databases.js';
import { canonicalJson } from '../core/audit/audit-chain.js';
import { compileRegime } from '../core/regime/compile.js';
import type { Reason } from '../core/screening/decision.js';
import type { Declaration } from '../core/screening/declaration.js';
import type { PartyCheck } from '../core/screening/party-check.js';
import { screenDeclaration } from '../core/screening/screen.js';
import { readDeclarations } from '../ingest/declarations/declaration-reader.js';
import { loadRegime } from '../ingest/regime-loader.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/port.js';
import { advanceApprovalStep, applyApproval } from './approvals-service.js';
import { verifyAudit } from './audit-service.js';
import {
  BatchRecorder,
  contextHash,
  preparedRows,
  prepareScreening,
  type Screener,
  screenDeclarations,
  screenIntoStore,
} from './screening-service.js';
import { declarationsCsv, livelihoodCoal, plainImport, rasonCoal } from './services.fixtures.js';
import { StoreWriterThread } from './store-writer.js';
import { addUser } from './users-service.js';

const compiled = compileRegime(loadRegime());
const parties: PartyCheck = {
  lists: [
    { id: 'test-list', source: 'test', published: '2016-03-02', hash: 'sha256:abc' },
    { id: 'second-list', source: 'test "quoted"', published: '2016-03-03', hash: 'sha256:def' },
  ],
  check(d) {
    const out: Reason[] = [];
    for (const name of [d.consignor, d.consignee]) {
      if (name === 'KOREA MINING DEVELOPMENT TRADING CORPORATION')
        out.push({
          kind: 'party-designated',
          outcome: 'REFUSE',
          measure: '',
          citation: 'KPe.001',
          text: `${name} is designated`,
          details: { list: 'test-list', entity: 'KPe.001', score: 1 },
        });
      else if (name === 'KOREA MINING DEV TRADING')
        out.push({
          kind: 'party-possible-match',
          outcome: 'HOLD',
          measure: '',
          citation: 'KPe.001',
          text: `${name} may be designated — 조선`,
        });
    }
    return out;
  },
};
/** China's rules, the UN's for ids starting with U, party lists for consignees starting with KOREA */
const screener: Screener = {
  screen: (d) =>
    screenDeclaration(compiled, d, {
      jurisdiction: d.id.startsWith('U') ? 'UN' : 'CN',
      parties: d.consignee?.startsWith('KOREA') ? parties : undefined,
    }),
};

const odd = 'Ω “quoted” \\ back\\slash \n\t\r \u0000\u001f \u2028 🚢 \ud800 lone 조선 é';

/** Declarations over every field, text shape and decision path the store records. */
async function varied(): Promise<Declaration[]> {
  const out: Declaration[] = [];
  for await (const batch of readDeclarations(
    (async function* () {
      yield declarationsCsv(30, 'CSV');
    })(),
    { file: 'g.csv' },
  ))
    for (const { declaration } of batch.items) out.push(declaration);
  out.push(
    plainImport('P-1'),
    plainImport('P-Ω-조선-🚢-é', { description: odd, consignor: odd, consignee: 'Ünïcödé 有限公司' }),
    plainImport('P-3', {
      to: 'CN',
      portOfLoading: 'Santos',
      portOfDischarge: 'Dalian',
      consignor: 'A "B" C',
      quantity: 0,
      unit: 'pcs',
      value: 1e21,
      currency: 'USD',
      vesselImo: '9123456',
      vesselName: 'Sea\\Star',
      checkpoint: 'Dandong',
      contractDate: '2016-05-01',
      arrivalDate: '2016-06-03',
      shipmentDate: '2016-05-20',
      flags: ['solid-information'],
    }),
    plainImport('P-4', { quantity: 0.1 + 0.2, value: 12.5, description: '' }),
    plainImport('P-5', { documents: [{ type: 'contract', reference: '' }], quantity: -0 }),
    plainImport('P-6', { extra: { colour: 'red', 'z-extra': odd } } as Partial<Declaration>),
    plainImport('P-7', { hsCode: '2709000000', origin: 'KP', from: 'KP', product: 'crude-oil', quantity: 5 }),
    plainImport('P-8', { hsCode: '2709000000', origin: 'KP', from: 'KP', product: 'condensate' }),
    plainImport('P-9', {
      direction: 'export',
      hsCode: '8703230000',
      to: 'KP',
      value: 50000,
      currency: 'EUR',
    }),
    plainImport('P-10', { consignee: 'KOREA MINING DEVELOPMENT TRADING CORPORATION' }),
    plainImport('P-11', { consignee: 'KOREA MINING DEV TRADING', consignor: 'KOREA MINING DEV TRADING' }),
    plainImport('U-1', { hsCode: '2601110000', origin: 'KP', from: 'KP' }),
    plainImport('U-2', { description: odd }),
    livelihoodCoal(),
    livelihoodCoal({ id: 'LC-2', documents: [] }),
    livelihoodCoal({ id: 'LC-3', flags: ['solid-information'] }),
    livelihoodCoal({ id: 'U-LC', documents: [] }),
    livelihoodCoal({ id: 'LC-4', documents: [], consignee: 'KOREA MINING DEV TRADING' }),
    rasonCoal(),
    rasonCoal({ id: 'RC-2', quantity: 400 }),
    rasonCoal({ id: 'RC-3', quantity: 400 }), // 1,000 + 400 + 400 > 1,500: exceeds the filing
    rasonCoal({ id: 'RC-4', approvals: [{ type: 'un-record-filing', reference: 'RF-2' }] }),
    rasonCoal({ id: 'RC-5', approvals: [{ type: 'un-record-filing', reference: 'RF-9' }] }),
    rasonCoal({
      id: 'RC-6',
      approvals: [
        { type: 'un-record-filing', reference: 'RF-9' },
        { type: 'un-committee-approval', reference: 'CA-1' },
      ],
    }),
    rasonCoal({ id: 'RC-7', approvals: [], documents: [] }),
    rasonCoal({ id: 'U-RC', quantity: 10 }),
    plainImport('P-1'), // the same content again: no new version
    plainImport('P-1', { description: 'changed' }), // new content: version 2
  );
  return out;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Golden digests, taken from the code of commit e5cf8e2 (before ST16). */
const PREPARED = '7f88bb05a59e11d7348a38ad8e9e92744b5d498d995cd6f850b9bf5697a0618c';
const STORED = '4d1a29c018df18d57e53f45d5225fa0dc948948c646653898af74fbe05027d86';

describe.each(DATABASES)('the bytes screening stores on %s', (kind) => {
  let database: TestDatabase;
  let store: Store;
  let writer: StoreWriterThread | undefined;

  beforeEach(async () => {
    database = await freshDatabase(kind);
    store = await openStore(database.target);
    await addUser(store, undefined, { name: 'root', role: 'admin' });
    await addUser(store, 'root', { name: 'olga', role: 'officer' });
    // RF-1 filed for 1,500 t; RF-2 stopped at the MFA (not accepted); RF-9 and CA-1 not on record
    for (const [ref, steps] of [
      ['RF-1', 4],
      ['RF-2', 2],
    ] as const) {
      await applyApproval(store, 'olga', {
        chain: 'rason-transit-coal',
        ref,
        applicant: 'DANDONG COAL TRADING CO LTD',
        hsCode: '2701',
        quantity: 1500,
        unit: 't',
        date: '2016-04-20',
      });
      for (let i = 0; i < steps; i++)
        await advanceApprovalStep(store, 'olga', `un-record-filing:${ref}`, {
          actor: ['Liaoning DOFCOM', 'MOFCOM', 'MFA', '1718 Committee'][i]!,
          date: `2016-05-0${i + 1}`,
          reference: `REF-${i}`,
        });
    }
  });
  afterEach(async () => {
    await writer?.close();
    writer = undefined;
    await store.close();
    await database.cleanup();
  });

  /** what the store holds, less the clock: every decision's trail row and every audit entry's text */
  const storedDigest = async () => {
    const trail = await store.decisionTrailPage(0, 10_000);
    const audit = (await store.auditPage(0, 10_000)).map((e) => [
      e.seq,
      e.actor,
      e.action,
      e.subject,
      e.payload,
    ]);
    return sha(JSON.stringify([trail, audit]));
  };

  it('prepares the same body, hashes and decision texts as before, for every kind of row', async () => {
    const declarations = await varied();
    const screened = await screenDeclarations(store, screener, declarations);
    const prepared = screened.map(prepareScreening);
    for (const [i, p] of prepared.entries()) {
      expect(p.body).toBe(canonicalJson(declarations[i]));
      expect(p.hash).toBe(sha(p.body));
    }
    const digest = sha(
      JSON.stringify(
        prepared.map((p) => [p.id, p.body, p.hash, p.contextHash, p.record, p.partyMatch, p.verdicts]),
      ),
    );
    expect(digest).toBe(PREPARED);
    // the pipelined path prepares the same rows into one object, row by row
    const rows = preparedRows(screened);
    for (let i = 0; i < rows.length; i++) {
      const row = rows.row(i);
      expect({ ...row, record: { ...row.record } }).toEqual(prepared[i]);
    }
  });

  it('stores the same rows and audit payloads as before, through the writer thread and in one transaction', async () => {
    const declarations = await varied();
    writer = await StoreWriterThread.start(database.target);
    const recorder = await BatchRecorder.start({
      store,
      screener,
      actor: 'olga',
      source: 'pin.csv',
      batchId: 'b-pin',
      writer,
    });
    for (let i = 0; i < declarations.length; i += 7)
      await recorder.record(declarations.slice(i, i + 7).map((declaration) => ({ declaration })));
    await recorder.finish();
    const piped = await storedDigest();
    expect(piped).toBe(STORED);
    expect(await verifyAudit(store)).toMatchObject({ ok: true });

    // the same rows again, in one transaction per chunk on this thread: nothing new is stored
    const again = await screenIntoStore({
      store,
      screener,
      rows: declarations.map((declaration) => ({ declaration })),
      actor: 'olga',
      source: 'pin.csv',
      batchId: null,
      chunkSize: 9,
    });
    expect(again.stored).toBe(0);
    expect(await storedDigest()).toBe(STORED);
  });
});

describe('the context hash', () => {
  const list = fc.record({ id: fc.string(), hash: fc.string(), published: fc.string() });
  const verdict = fc.record({
    reference: fc.record({ type: fc.string({ unit: 'binary' }), reference: fc.string({ unit: 'binary' }) }),
    accepted: fc.boolean(),
  });
  it('is the sha256 of the canonical JSON of regime, as-of, jurisdiction, lists and approvals, cached or not (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('r1', 'r2', 'Ω "r"'),
        fc.constantFrom('2016-06-01', '2016-06-02', '\\'),
        fc.constantFrom('CN', 'UN'),
        fc.array(list, { maxLength: 2 }),
        fc.array(verdict, { maxLength: 3 }),
        (regimeVersion, asOf, jurisdiction, lists, verdicts) => {
          const decision = { ...screener.screen(plainImport('X')), regimeVersion, asOf, jurisdiction, lists };
          const expected = sha(
            canonicalJson({
              regime: regimeVersion,
              as_of: asOf,
              jurisdiction,
              lists,
              approvals: verdicts.map((v) => [`${v.reference.type}:${v.reference.reference}`, v.accepted]),
            }),
          );
          // twice: made, then from the cache
          expect(contextHash(decision, verdicts)).toBe(expected);
          expect(contextHash(decision, verdicts)).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
