import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES, freshDatabase, type TestDatabase } from '../../test/databases.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/port.js';
import { advanceApprovalStep, applyApproval, showApproval } from './approvals-service.js';
import { verifyAudit } from './audit-service.js';
import {
  assignCase,
  attachToCase,
  decideCase,
  noteCase,
  openCaseFor,
  requestInfo,
  showCase,
} from './cases-service.js';
import { screenIntoStore } from './screening-service.js';
import { livelihoodCoal, rasonCoal, shippedScreener } from './services.fixtures.js';
import { addUser } from './users-service.js';

const screener = shippedScreener();

describe.each(DATABASES)('users, cases and approvals on %s', (kind) => {
  let database: TestDatabase;
  let store: Store;

  beforeEach(async () => {
    database = await freshDatabase(kind);
    store = await openStore(database.target);
    await addUser(store, undefined, { name: 'root', role: 'admin' });
    for (const [name, role] of [
      ['olga', 'officer'],
      ['oleg', 'officer'],
      ['sam', 'supervisor'],
      ['sue', 'supervisor'],
      ['ann', 'analyst'],
    ] as const) {
      await addUser(store, 'root', { name, role });
    }
  });
  afterEach(async () => {
    await store.close();
    await database.cleanup();
  });

  const screen = (...declarations: ReturnType<typeof livelihoodCoal>[]) =>
    screenIntoStore({
      store,
      screener,
      rows: declarations.map((declaration) => ({ declaration })),
      actor: 'olga',
      source: 'test',
      batchId: null,
    });

  describe('users', () => {
    it('only lets an admin add users, once per name, with a known role', async () => {
      await expect(addUser(store, 'olga', { name: 'x', role: 'officer' })).rejects.toMatchObject({
        code: 'EMB_PERMISSION_DENIED',
      });
      await expect(addUser(store, 'root', { name: 'olga', role: 'officer' })).rejects.toMatchObject({
        code: 'EMB_USER_EXISTS',
      });
      await expect(addUser(store, 'root', { name: 'y', role: 'boss' })).rejects.toMatchObject({
        code: 'EMB_USAGE',
      });
      await expect(addUser(store, 'nobody', { name: 'z', role: 'officer' })).rejects.toMatchObject({
        code: 'EMB_USER_UNKNOWN',
      });
      expect((await store.listUsers()).map((u) => u.name)).toEqual([
        'ann',
        'oleg',
        'olga',
        'root',
        'sam',
        'sue',
      ]);
    });
  });

  describe('a held declaration worked to a decision', () => {
    it('assigns, notes, requests information, attaches the letter (re-screened CLEAR) and clears', async () => {
      await screen(livelihoodCoal({ documents: [] }));
      const [held] = await store.listCases();
      expect(held).toMatchObject({ id: 'C-1', status: 'open', screeningOutcome: 'HOLD' });
      await assignCase(store, 'sam', 'C-1', 'olga');
      await noteCase(store, 'olga', 'C-1', 'called the importer');
      await requestInfo(store, 'olga', 'C-1', 'send the Annex 2 letter');
      const attached = await attachToCase(
        store,
        screener,
        'olga',
        'C-1',
        'commitment-letter-livelihood:CL-99',
      );
      expect(attached.screening.decision.decision).toBe('CLEAR');
      expect(attached.case).toMatchObject({ status: 'open', version: 2, screeningOutcome: 'CLEAR' });
      const decided = await decideCase(store, 'olga', 'C-1', 'clear', 'Annex 2 letter checked');
      expect(decided).toMatchObject({ status: 'closed', outcome: 'CLEAR', decidedBy: 'olga' });
      const { events } = await showCase(store, 'C-1');
      expect(events.map((e) => e.action)).toEqual([
        'opened',
        'assigned',
        'noted',
        'info-requested',
        'attached',
        'rescreened',
        'decided',
      ]);
      expect((await store.declarationVersions('LC-1')).map((v) => v.declaration.documents.length)).toEqual([
        0, 1,
      ]);
      const audit = await verifyAudit(store);
      expect(audit.ok).toBe(true);
      const actions = (await store.auditPage(0, 100)).map((e) => e.action);
      expect(actions).toEqual(
        expect.arrayContaining([
          'case.assigned',
          'case.noted',
          'case.info-requested',
          'case.attached',
          'case.rescreened',
          'case.decided',
        ]),
      );
    });

    it('keeps analysts read-only and checks the assignee works cases', async () => {
      await screen(livelihoodCoal({ documents: [] }));
      await expect(noteCase(store, 'ann', 'C-1', 'hi')).rejects.toMatchObject({
        code: 'EMB_PERMISSION_DENIED',
      });
      await expect(assignCase(store, 'sam', 'C-1', 'ann')).rejects.toMatchObject({
        code: 'EMB_PERMISSION_DENIED',
      });
      await expect(noteCase(store, 'olga', 'C-404', 'hi')).rejects.toMatchObject({
        code: 'EMB_CASE_UNKNOWN',
      });
      expect((await showCase(store, 'C-1')).events).toHaveLength(1);
    });

    it('needs four eyes to clear over a REFUSE: proposer cannot confirm, a second supervisor can', async () => {
      await screen(rasonCoal({ id: 'R-9', approvals: [] }));
      const opened = await openCaseFor(store, 'olga', 'R-9');
      expect(opened.screeningOutcome).toBe('REFUSE');
      const proposed = await decideCase(store, 'sam', opened.id, 'CLEAR', 'filing seen on paper');
      expect(proposed.status).toBe('pending-approval');
      await expect(decideCase(store, 'sam', opened.id, 'CLEAR', 'confirm')).rejects.toMatchObject({
        code: 'EMB_FOUR_EYES',
      });
      await expect(decideCase(store, 'oleg', opened.id, 'CLEAR', 'confirm')).rejects.toMatchObject({
        code: 'EMB_FOUR_EYES',
      });
      const closed = await decideCase(store, 'sue', opened.id, 'CLEAR', 'agreed');
      expect(closed).toMatchObject({
        status: 'closed',
        outcome: 'CLEAR',
        decidedBy: 'sue',
        proposedBy: 'sam',
      });
      await expect(decideCase(store, 'sue', opened.id, 'REFUSE', 'changed my mind')).rejects.toMatchObject({
        code: 'EMB_CASE_STATE',
      });
    });
  });

  describe('approval chains', () => {
    it('records each step with actor, date, reference and note, audited, and an attached filing re-screens to CLEAR', async () => {
      await screen(rasonCoal({ approvals: [] }));
      const opened = await openCaseFor(store, 'olga', 'RC-1');
      await applyApproval(store, 'olga', {
        chain: 'rason-transit-coal',
        ref: 'RF-1',
        applicant: 'Dandong Coal Trading Co., Ltd.',
        hsCode: '2701',
        quantity: 2000,
        unit: 't',
        date: '2016-04-20',
        note: 'application with origin papers',
      });
      await expect(
        applyApproval(store, 'olga', {
          chain: 'rason-transit-coal',
          ref: 'RF-1',
          applicant: 'x',
          hsCode: '2701',
          quantity: 1,
          unit: 't',
          date: '2016-04-20',
        }),
      ).rejects.toMatchObject({ code: 'EMB_APPROVAL_EXISTS' });
      for (const [actor, date] of [
        ['Liaoning DOFCOM', '2016-04-25'],
        ['MOFCOM', '2016-04-28'],
        ['MFA', '2016-05-02'],
        ['1718 Committee', '2016-05-10'],
      ] as const) {
        await advanceApprovalStep(store, 'olga', 'un-record-filing:RF-1', {
          actor,
          date,
          reference: `${actor} ref`,
          note: 'ok',
        });
      }
      await expect(
        advanceApprovalStep(store, 'ann', 'un-record-filing:RF-1', { actor: 'x', date: '2016-05-11' }),
      ).rejects.toMatchObject({
        code: 'EMB_PERMISSION_DENIED',
      });
      const attached = await attachToCase(store, screener, 'olga', opened.id, 'un-record-filing:RF-1');
      expect(attached.screening.decision.decision).toBe('CLEAR');
      // screening now says CLEAR, so clearing overrides nothing: one officer suffices
      const closed = await decideCase(store, 'olga', opened.id, 'CLEAR', 'filing confirmed');
      expect(closed.status).toBe('closed');
      const shown = await showApproval(store, 'un-record-filing:RF-1');
      expect(shown.chain.steps.map((s) => [s.state, s.actor])).toEqual([
        ['submitted', 'Dandong Coal Trading Co., Ltd.'],
        ['provincial-approved', 'Liaoning DOFCOM'],
        ['mofcom-forwarded', 'MOFCOM'],
        ['mfa-notified', 'MFA'],
        ['record-filed', '1718 Committee'],
      ]);
      expect(shown.used).toBe(1000);
      const approvalEntries = (await store.auditPage(0, 200)).filter(
        (e) => e.subject === 'approval:un-record-filing:RF-1',
      );
      expect(approvalEntries.map((e) => e.action)).toEqual([
        'approval.applied',
        ...Array(4).fill('approval.advanced'),
      ]);
    });
  });
});
