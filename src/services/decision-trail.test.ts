import fc from 'fast-check';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES, freshDatabase, type TestDatabase, withRawDatabase } from '../../test/databases.js';
import { canonicalJson } from '../core/audit/audit-chain.js';
import type { Declaration } from '../core/screening/declaration.js';
import { openStore } from '../store/open-store.js';
import type { Store, StoreWriter } from '../store/port.js';
import { verifyAudit } from './audit-service.js';
import {
  DECISION_RECORDED_V1,
  DECISIONS_RECORDED,
  decisionsRecordedJson,
  outcomeHash,
  type RecordedDecision,
  recordedDecisions,
} from './decision-trail.js';
import { prepareScreening, recordScreenings, screenDeclarations } from './screening-service.js';
import { livelihoodCoal, plainImport, rasonCoal, shippedScreener } from './services.fixtures.js';

describe('the decisions.recorded payload', () => {
  it('is canonical JSON and lists back the decisions it was given, odd ids included', () => {
    const hash = fc.constantFrom('a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64));
    const decision = fc.tuple(
      fc.string(),
      fc.nat(),
      fc.nat(),
      fc.constantFrom('CLEAR', 'HOLD', 'REFUSE'),
      fc.string(),
      hash,
      hash,
      hash,
    ) as fc.Arbitrary<RecordedDecision>;
    fc.assert(
      fc.property(
        fc.option(fc.string(), { nil: null }),
        fc.string(),
        fc.array(decision, { maxLength: 20 }),
        (batch, regimeVersion, decisions) => {
          const text = decisionsRecordedJson(batch, { jurisdiction: 'CN', regimeVersion }, decisions);
          expect(text).toBe(canonicalJson(JSON.parse(text)));
          expect(recordedDecisions(text)).toEqual({ batch, decisions });
        },
      ),
    );
  });
});

const screener = shippedScreener();
const context = { actor: 'olga', source: 'test', batchId: 'b-1' };

/** Screens and stores declarations and their decisions with no audit entry: the test writes the trail. */
async function storeWithoutTrail(tx: StoreWriter, declarations: Declaration[], source: string) {
  const prepared = (await screenDeclarations(tx, screener, declarations)).map(prepareScreening);
  const versions = await tx.putDeclarations(
    prepared.map((p) => ({ id: p.id, contentHash: p.hash, source, body: p.body })),
  );
  const stored = await tx.putDecisions(
    prepared.map((p, i) => ({
      declarationId: p.id,
      version: versions[i]!.version,
      contextHash: p.contextHash,
      decision: p.record,
      batchId: null,
    })),
  );
  return { prepared, versions, stored };
}

describe.each(DATABASES)('decisions checked against the audit trail on %s', (kind) => {
  let database: TestDatabase;
  let store: Store;

  beforeEach(async () => {
    database = await freshDatabase(kind);
    store = await openStore(database.target);
  });
  afterEach(async () => {
    await store.close();
    await database.cleanup();
  });

  const raw = <T>(fn: Parameters<typeof withRawDatabase<T>>[1]) => withRawDatabase(database, fn);

  /** two chunks of screening: decisions 1–4 in one entry, 5–6 in the next */
  async function screenTwoChunks() {
    await store.write((tx) =>
      recordScreenings(
        tx,
        screener,
        [
          plainImport('A'),
          livelihoodCoal({ id: 'B', documents: [] }),
          rasonCoal({ id: 'C' }),
          plainImport('D'),
        ],
        { ...context, announce: true },
      ),
    );
    await store.write((tx) => recordScreenings(tx, screener, [plainImport('E'), plainImport('F')], context));
  }

  it('lists every decision of a chunk in one entry, and verify matches them with the rows', async () => {
    await screenTwoChunks();
    const entries = await store.auditPage(0, 100);
    const recorded = entries.filter((e) => e.action === 'decisions.recorded');
    expect(recorded.map((e) => JSON.parse(e.payload).decisions.map((d: unknown[]) => d[2]))).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
    expect(recorded.map((e) => e.subject)).toEqual(['batch:b-1', 'batch:b-1']);
    expect(entries.some((e) => e.action === DECISION_RECORDED_V1)).toBe(false);
    // the HOLD (B, no letter) still opens its case, with its own entry after the chunk's decisions
    expect(entries.map((e) => e.action).filter((a) => a !== 'list.loaded')).toEqual([
      'regime.loaded',
      'decisions.recorded',
      'case.opened',
      'decisions.recorded',
    ]);
    expect(await verifyAudit(store)).toMatchObject({ ok: true, decisions: 6, finding: null });
  });

  it('catches a decision row whose outcome was edited', async () => {
    await screenTwoChunks();
    await raw((db) => sql`update decisions set decision = 'CLEAR' where seq = 3`.execute(db));
    const result = await verifyAudit(store);
    expect(result.ok).toBe(false);
    expect(result.finding).toMatchObject({ kind: 'edited', seq: 3, decisionSeq: 3 });
    expect(result.finding?.message).toMatch(/decision 3 \(declaration C v1\) was edited/);
  });

  it('catches a decision pointed at another outcome', async () => {
    await screenTwoChunks();
    await raw((db) =>
      sql`update decisions set outcome_id = (select outcome_id from decisions where seq = 3) where seq = 5`.execute(
        db,
      ),
    );
    expect((await verifyAudit(store)).finding).toMatchObject({ kind: 'edited', decisionSeq: 5 });
  });

  it('catches an outcome whose reasons were edited, at the first decision that has it', async () => {
    await screenTwoChunks();
    // A, D, E and F (uncovered goods) share one outcome; the first of them is decision 1
    await raw((db) =>
      sql`update decision_outcomes set reasons = '[]' where id = (select outcome_id from decisions where seq = 5)`.execute(
        db,
      ),
    );
    expect((await verifyAudit(store)).finding).toMatchObject({ kind: 'edited', decisionSeq: 1 });
    expect((await store.decisionsOf('E'))[0]?.decision.reasons).toEqual([]);
  });

  it('catches a deleted decision row', async () => {
    await screenTwoChunks();
    await raw((db) => sql`delete from party_hits where decision_seq = 2`.execute(db));
    await raw((db) => sql`delete from decisions where seq = 2`.execute(db));
    const result = await verifyAudit(store);
    expect(result.finding).toMatchObject({ kind: 'removed', decisionSeq: 2 });
    expect(result.finding?.message).toMatch(/decision 2, recorded by audit entry \d+, is no longer/);
  });

  it('catches the last decision row deleted', async () => {
    await screenTwoChunks();
    await raw((db) => sql`delete from decisions where seq = 6`.execute(db));
    expect((await verifyAudit(store)).finding).toMatchObject({ kind: 'removed', decisionSeq: 6 });
  });

  it('catches a decision row inserted by hand', async () => {
    await screenTwoChunks();
    await raw((db) =>
      sql`insert into decisions (declaration_id, version, context_hash, decision, outcome_id, as_of, decided_at, batch_id)
        select declaration_id, version, 'forged', 'CLEAR', outcome_id, as_of, decided_at, batch_id
        from decisions where seq = 3`.execute(db),
    );
    const result = await verifyAudit(store);
    expect(result.finding).toMatchObject({ kind: 'inserted', decisionSeq: 7 });
    expect(result.finding?.message).toMatch(
      /decision 7 \(declaration C v1\) is in the decisions table but in no audit entry/,
    );
  });

  it('checks a trail larger than one window, listed out of seq order, and finds a tamper past the first window', async () => {
    // 12 decision rows, listed by three entries in interleaved and descending order, as concurrent
    // writers on PostgreSQL can list them; verify with windows of 2 listed decisions, pages of 3
    const listedBy = [
      [10, 7, 4, 1],
      [11, 8, 5, 2],
      [12, 9, 6, 3],
    ];
    const entrySeqs = await store.write(async (tx) => {
      const ids = Array.from({ length: 12 }, (_, i) => `W${i + 1}`);
      const { prepared, versions, stored } = await storeWithoutTrail(
        tx,
        ids.map((id) => plainImport(id)),
        'test',
      );
      const bySeq = new Map(
        prepared.map((p, i): [number, RecordedDecision] => [
          stored[i]!.seq,
          [
            p.id,
            versions[i]!.version,
            stored[i]!.seq,
            p.record.decision,
            p.record.asOf,
            p.hash,
            p.contextHash,
            outcomeHash(p.record),
          ],
        ]),
      );
      expect([...bySeq.keys()].sort((a, b) => a - b)).toEqual(ids.map((_, i) => i + 1));
      const shared = {
        jurisdiction: prepared[0]!.record.jurisdiction,
        regimeVersion: prepared[0]!.record.regimeVersion,
      };
      const written = await tx.appendAuditMany(
        listedBy.map((seqs) => ({
          actor: 'olga',
          action: DECISIONS_RECORDED,
          subject: 'batch:none',
          payloadJson: decisionsRecordedJson(
            null,
            shared,
            seqs.map((seq) => bySeq.get(seq)!),
          ),
        })),
      );
      return written.map((e) => e.seq);
    });
    const small = { window: 2, page: 3 };
    expect(await verifyAudit(store, undefined, small)).toMatchObject({
      ok: true,
      decisions: 12,
      finding: null,
    });
    expect(await verifyAudit(store)).toMatchObject({ ok: true, decisions: 12, finding: null });

    await raw((db) => sql`update decisions set decision = 'REFUSE' where seq = 11`.execute(db));
    expect((await verifyAudit(store, undefined, small)).finding).toMatchObject({
      kind: 'edited',
      decisionSeq: 11,
      message: `decision 11 (declaration W11 v1) was edited: its row no longer matches audit entry ${entrySeqs[1]}`,
    });
    await raw((db) => sql`delete from decisions where seq = 9`.execute(db));
    expect((await verifyAudit(store, undefined, small)).finding).toMatchObject({
      kind: 'removed',
      decisionSeq: 9,
      message: `decision 9, recorded by audit entry ${entrySeqs[2]}, is no longer in the decisions table: it was removed`,
    });
    await raw((db) => sql`delete from decisions where seq = 7`.execute(db));
    expect((await verifyAudit(store, undefined, small)).finding).toMatchObject({
      kind: 'removed',
      decisionSeq: 7,
    });

    // a later entry listing decision 5 again
    const row5 = (await store.decisionTrailPage(4, 1))[0]!;
    const again = await store.write((tx) =>
      tx.appendAuditMany([
        {
          actor: 'olga',
          action: DECISIONS_RECORDED,
          subject: 'batch:none',
          payloadJson: decisionsRecordedJson(
            null,
            { jurisdiction: row5.jurisdiction, regimeVersion: row5.regimeVersion },
            [
              [
                row5.declarationId,
                row5.version,
                5,
                row5.decision,
                row5.asOf,
                row5.contentHash ?? '',
                row5.contextHash,
                outcomeHash(row5),
              ],
            ],
          ),
        },
      ]),
    );
    for (const options of [small, {}]) {
      expect((await verifyAudit(store, undefined, options)).finding).toMatchObject({
        kind: 'inserted',
        decisionSeq: 5,
        message: `decision 5 is recorded twice in the trail (entries ${entrySeqs[1]} and ${again[0]!.seq})`,
      });
    }
  });

  it('still verifies a store whose trail has one decision.recorded entry per decision (before ST11)', async () => {
    // write decisions as the code before ST11 did: the rows, then one entry per decision
    await store.write(async (tx) => {
      const { prepared, versions, stored } = await storeWithoutTrail(
        tx,
        [plainImport('A'), rasonCoal({ id: 'C' })],
        'old',
      );
      await tx.appendAuditMany(
        prepared.map((p, i) => ({
          actor: 'olga',
          action: DECISION_RECORDED_V1,
          subject: `declaration:${p.id}`,
          payload: {
            as_of: p.record.asOf,
            batch: null,
            content_hash: p.hash,
            decision: p.record.decision,
            decision_seq: stored[i]!.seq,
            jurisdiction: p.record.jurisdiction,
            regime_version: p.record.regimeVersion,
            version: versions[i]!.version,
          },
        })),
      );
    });
    // and a later run under ST11 on top of it
    await store.write((tx) => recordScreenings(tx, screener, [plainImport('E')], context));
    expect(await verifyAudit(store)).toMatchObject({ ok: true, decisions: 3 });
    await raw((db) => sql`update decisions set decision = 'HOLD' where seq = 2`.execute(db));
    expect((await verifyAudit(store)).finding).toMatchObject({ kind: 'edited', decisionSeq: 2 });
  });
});
