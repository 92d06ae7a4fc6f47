import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES, freshDatabase, type TestDatabase } from '../../test/databases.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/port.js';
import { advanceApprovalStep, applyApproval, rejectApprovalStep } from './approvals-service.js';
import { verifyAudit } from './audit-service.js';
import {
  ApprovalLedger,
  prepareScreening,
  recheckApprovals,
  recordScreenings,
  StaleApprovalsError,
  screenDeclarations,
  screenIntoStore,
} from './screening-service.js';
import { livelihoodCoal, plainImport, rasonCoal, shippedScreener } from './services.fixtures.js';
import { addUser } from './users-service.js';

const screener = shippedScreener();
const rows = (...declarations: ReturnType<typeof plainImport>[]) =>
  declarations.map((declaration) => ({ declaration }));

describe.each(DATABASES)('screening into the store on %s', (kind) => {
  let database: TestDatabase;
  let store: Store;

  beforeEach(async () => {
    database = await freshDatabase(kind);
    store = await openStore(database.target);
    await addUser(store, undefined, { name: 'root', role: 'admin' });
    await addUser(store, 'root', { name: 'olga', role: 'officer' });
  });
  afterEach(async () => {
    await store.close();
    await database.cleanup();
  });

  const screenAll = (...declarations: ReturnType<typeof plainImport>[]) =>
    screenIntoStore({
      store,
      screener,
      rows: rows(...declarations),
      actor: 'olga',
      source: 'test',
      batchId: null,
    });

  it('records every declaration and decision, and a re-run with the same content changes nothing', async () => {
    const input = [
      plainImport('A'),
      rasonCoal({ id: 'B', approvals: [] }),
      livelihoodCoal({ id: 'C', documents: [] }),
    ];
    const first = await screenAll(...input);
    expect(first).toMatchObject({ rows: 3, stored: 3, decisions: { CLEAR: 1, REFUSE: 1, HOLD: 1 } });
    const auditAfterFirst = (await store.auditHead())!.seq;
    const again = await screenAll(...input);
    expect(again).toMatchObject({ rows: 3, stored: 0 });
    expect((await store.auditHead())!.seq).toBe(auditAfterFirst);
    expect(await store.countDecisions()).toEqual({ CLEAR: 1, REFUSE: 1, HOLD: 1 });
    expect((await store.listDecisions({ decision: 'HOLD' })).map((d) => d.declarationId)).toEqual(['C']);
    expect((await verifyAudit(store)).ok).toBe(true);
  });

  it('gives an id seen several times in one chunk one version per distinct content', async () => {
    await screenAll(plainImport('D'), plainImport('D', { quantity: 5 }), plainImport('D'), plainImport('E'));
    expect((await store.declarationVersions('D')).map((v) => [v.version, v.declaration.quantity])).toEqual([
      [1, undefined],
      [2, 5],
    ]);
    expect((await store.decisionsOf('D')).map((d) => d.version)).toEqual([1, 2]);
    expect((await store.declarationVersions('E')).map((v) => v.version)).toEqual([1]);
  });

  it('keeps both versions when the same id comes back with different content', async () => {
    await screenAll(livelihoodCoal({ id: 'D', documents: [] }));
    await screenAll(livelihoodCoal({ id: 'D' }));
    const versions = await store.declarationVersions('D');
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    const decisions = await store.decisionsOf('D');
    expect(decisions.map((d) => [d.version, d.decision.decision])).toEqual([
      [1, 'HOLD'],
      [2, 'CLEAR'],
    ]);
    expect((await store.listDecisions()).map((d) => d.decision.decision)).toEqual(['CLEAR']);
  });

  it('opens a case for every HOLD and none for CLEAR or REFUSE', async () => {
    await screenAll(
      plainImport('A'),
      rasonCoal({ id: 'B', approvals: [] }),
      livelihoodCoal({ id: 'C', documents: [] }),
    );
    const cases = await store.listCases();
    expect(cases.map((c) => [c.id, c.declarationId, c.status, c.screeningOutcome])).toEqual([
      ['C-1', 'C', 'open', 'HOLD'],
    ]);
  });

  it('records the regime version the batch screened under once', async () => {
    await screenAll(plainImport('A'));
    await screenAll(plainImport('B'));
    const entries = await store.auditPage(0, 100);
    expect(entries.filter((e) => e.action === 'regime.loaded')).toHaveLength(1);
  });

  describe('approvals checked against the stored chain', () => {
    const file = async (
      state: 'record-filed' | 'mfa-notified' | 'rejected',
      fields: { quantity?: number; applicant?: string } = {},
    ) => {
      await applyApproval(store, 'olga', {
        chain: 'rason-transit-coal',
        ref: 'RF-1',
        applicant: fields.applicant ?? 'DANDONG COAL TRADING CO LTD',
        hsCode: '2701',
        quantity: fields.quantity ?? 1500,
        unit: 't',
        date: '2016-04-20',
      });
      const steps = ['provincial-approved', 'mofcom-forwarded', 'mfa-notified', 'record-filed'];
      for (const [i, s] of steps.entries()) {
        if (state === 'rejected' && i === 2) {
          await rejectApprovalStep(store, 'olga', 'un-record-filing:RF-1', {
            actor: 'Ministry of Foreign Affairs',
            date: '2016-05-03',
            note: 'origin not shown',
          });
          return;
        }
        await advanceApprovalStep(store, 'olga', 'un-record-filing:RF-1', {
          actor: ['Liaoning DOFCOM', 'MOFCOM', 'MFA', '1718 Committee'][i]!,
          date: `2016-05-0${i + 1}`,
          reference: `REF-${i}`,
        });
        if (s === state) return;
      }
    };

    const reasonText = async (id: string) =>
      (await store.decisionsOf(id))
        .at(-1)!
        .decision.reasons.map((r) => r.text)
        .join(' | ');

    it('refuses an approval reference that is not on record, saying so', async () => {
      await screenAll(rasonCoal());
      expect(await store.countDecisions()).toEqual({ REFUSE: 1 });
      expect(await reasonText('RC-1')).toContain(
        'un-record-filing:RF-1 not accepted: no un-record-filing RF-1 is on record',
      );
    });

    it('refuses an unfinished chain and a rejected one', async () => {
      await file('mfa-notified');
      await screenAll(rasonCoal());
      expect(await reasonText('RC-1')).toContain('unfinished: it stands at mfa-notified');
    });

    it('refuses a chain rejected at the MFA', async () => {
      await file('rejected');
      await screenAll(rasonCoal());
      expect(await reasonText('RC-1')).toContain('was rejected by Ministry of Foreign Affairs on 2016-05-03');
    });

    it('clears on a filed chain, counts what was used, and refuses the declaration that would exceed it', async () => {
      await file('record-filed');
      await screenAll(rasonCoal({ id: 'RC-1', quantity: 1000 }));
      expect((await store.decisionsOf('RC-1'))[0]!.decision.decision).toBe('CLEAR');
      expect(await store.approvalUsed('un-record-filing', 'RF-1')).toBe(1000);
      await screenAll(rasonCoal({ id: 'RC-2', quantity: 600 }));
      expect((await store.decisionsOf('RC-2'))[0]!.decision.decision).toBe('REFUSE');
      expect(await reasonText('RC-2')).toContain('1000 already used');
      // re-screening the first one does not count its own use against it
      await screenAll(rasonCoal({ id: 'RC-1', quantity: 1000 }));
      expect((await store.listDecisions()).map((d) => d.decision.decision)).toEqual(['CLEAR', 'REFUSE']);
    });

    it('re-checks approvals inside the write: a verdict another writer made stale is refused, a current one passes', async () => {
      await file('record-filed');
      // screened outside the write transaction, as the pipelined writer's main thread does
      const early = await screenDeclarations(store, screener, [rasonCoal({ id: 'RC-2', quantity: 600 })]);
      expect(early[0]!.decision.decision).toBe('CLEAR');
      // meanwhile another writer draws 1000 t of the 1500 on the same chain
      await screenAll(rasonCoal({ id: 'RC-1', quantity: 1000 }));
      await expect(store.write((tx) => recheckApprovals(tx, early.map(prepareScreening)))).rejects.toThrow(
        StaleApprovalsError,
      );
      const current = await screenDeclarations(store, screener, [rasonCoal({ id: 'RC-3', quantity: 400 })]);
      await expect(
        store.write((tx) => recheckApprovals(tx, current.map(prepareScreening))),
      ).resolves.toBeUndefined();
    });

    it("forgets a batch's references once the transactions citing them are committed, never a draw still in flight", async () => {
      await file('record-filed'); // RF-1: 1500 t
      const ledger = new ApprovalLedger(store);
      ledger.transaction = 0;
      // a filing of its own per declaration, none on record (as in the store bench)
      for (let i = 0; i < 20; i++) {
        const own = rasonCoal({
          id: `U-${i}`,
          approvals: [{ type: 'un-record-filing', reference: `RF-U${i}` }],
        });
        expect((await ledger.verify(own))[0]!.accepted).toBe(false);
      }
      ledger.transaction = 1;
      const first = await ledger.verify(rasonCoal({ id: 'RC-1', quantity: 1000 }));
      expect(first[0]!.accepted).toBe(true);
      ledger.draw('RC-1', first);
      expect(ledger.size).toBe(21);
      ledger.forget(0, 21); // not over the limit: nothing dropped
      expect(ledger.size).toBe(21);
      ledger.forget(0, 0); // transaction 0 committed, transaction 1 (RC-1's draw) still in flight
      expect(ledger.size).toBe(1);
      expect((await ledger.verify(rasonCoal({ id: 'RC-2', quantity: 600 })))[0]!.accepted).toBe(false);
      // transaction 1 commits (here written by another batch): forgotten, then read again with its use
      await screenAll(rasonCoal({ id: 'RC-1', quantity: 1000 }));
      ledger.forget(1, 0);
      expect(ledger.size).toBe(0);
      expect((await ledger.verify(rasonCoal({ id: 'RC-2', quantity: 600 })))[0]!.accepted).toBe(false);
      expect((await ledger.verify(rasonCoal({ id: 'RC-3', quantity: 500 })))[0]!.accepted).toBe(true);
      expect(ledger.size).toBe(1);
    });

    it('refuses a chain granted to another applicant', async () => {
      await file('record-filed', { applicant: 'Shenyang Fuel Co' });
      await screenAll(rasonCoal());
      expect(await reasonText('RC-1')).toContain('granted to Shenyang Fuel Co');
    });

    it('gives the same declaration a new decision once its chain is filed', async () => {
      await file('mfa-notified');
      await screenAll(rasonCoal());
      await advanceApprovalStep(store, 'olga', 'un-record-filing:RF-1', {
        actor: '1718 Committee',
        date: '2016-05-20',
      });
      await screenAll(rasonCoal());
      const decisions = await store.decisionsOf('RC-1');
      expect(decisions.map((d) => [d.version, d.decision.decision])).toEqual([
        [1, 'REFUSE'],
        [1, 'CLEAR'],
      ]);
    });
  });

  it('writes nothing when the transaction fails part-way', async () => {
    const before = (await store.auditHead())!.seq;
    await expect(
      store.write(async (tx) => {
        await recordScreenings(tx, screener, [plainImport('X'), livelihoodCoal({ id: 'Y', documents: [] })], {
          actor: 'olga',
          source: 'test',
          batchId: null,
        });
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await store.declarationVersions('X')).toEqual([]);
    expect(await store.listCases()).toEqual([]);
    expect((await store.auditHead())!.seq).toBe(before);
  });

  it('loses nothing when several connections screen overlapping batches at once', async () => {
    const others = await Promise.all([1, 2, 3].map(() => openStore(database.target)));
    try {
      const all = [store, ...others];
      const batch = (n: number) =>
        Array.from({ length: 120 }, (_, i) => plainImport(`P-${(i + n * 60) % 300}`));
      await Promise.all(
        all.map((s, n) =>
          screenIntoStore({
            store: s,
            screener,
            rows: rows(...batch(n)),
            actor: 'olga',
            source: `w${n}`,
            batchId: null,
            chunkSize: 25,
          }),
        ),
      );
      const listed = await store.listDecisions();
      const expected = new Set(all.flatMap((_, n) => batch(n).map((d) => d.id)));
      expect(listed.map((d) => d.declarationId).sort()).toEqual([...expected].sort());
      for (const id of expected) expect(await store.decisionsOf(id)).toHaveLength(1);
      const verify = await verifyAudit(store);
      expect(verify.ok).toBe(true);
      // the trail lists every decision exactly once, and each row matches what it lists
      expect(verify.decisions).toBe(expected.size);
    } finally {
      await Promise.all(others.map((s) => s.close()));
    }
  });
});
