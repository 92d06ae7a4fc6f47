import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES, freshDatabase, type TestDatabase } from '../../test/databases.js';
import { REPO_ROOT } from '../../test/shared-data.js';
import { canonicalJson } from '../core/audit/audit-chain.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/port.js';
import { advanceApprovalStep, applyApproval } from './approvals-service.js';
import { verifyAudit } from './audit-service.js';
import { prepareScreening, screenDeclarations, screenIntoStore } from './screening-service.js';
import { plainImport, rasonCoal, shippedScreener } from './services.fixtures.js';
import { StoreWriterThread } from './store-writer.js';
import { addUser } from './users-service.js';

const screener = shippedScreener();
const context = { actor: 'olga', source: 'test', batchId: null };

describe.each(DATABASES)('the store writer thread on %s', (kind) => {
  let database: TestDatabase;
  let store: Store;
  let writer: StoreWriterThread | undefined;

  beforeEach(async () => {
    database = await freshDatabase(kind);
    store = await openStore(database.target);
    await addUser(store, undefined, { name: 'root', role: 'admin' });
    await addUser(store, 'root', { name: 'olga', role: 'officer' });
  });
  afterEach(async () => {
    await writer?.close();
    writer = undefined;
    await store.close();
    await database.cleanup();
  });

  const prepared = async (...declarations: ReturnType<typeof plainImport>[]) =>
    (await screenDeclarations(store, screener, declarations)).map(prepareScreening);

  it('commits chunks in order on its own connection, with their audit entries', async () => {
    writer = await StoreWriterThread.start(database.target);
    const first = writer.submit({
      screened: await prepared(plainImport('A'), plainImport('B')),
      context,
      batch: null,
    });
    const second = writer.submit({ screened: await prepared(plainImport('C')), context, batch: null });
    expect(await Promise.all([first, second])).toEqual([2, 1]);
    expect((await store.listDecisions()).map((d) => [d.declarationId, d.seq])).toEqual([
      ['A', 1],
      ['B', 2],
      ['C', 3],
    ]);
    // two users added, then one entry per chunk listing its decisions
    expect(await verifyAudit(store)).toMatchObject({ ok: true, entries: 4, decisions: 3 });
    // each entry's payload is stored as its canonical JSON (written without canonicalJson)
    const recorded = (await store.auditPage(0, 100)).filter((e) => e.action === 'decisions.recorded');
    expect(recorded.map((e) => JSON.parse(e.payload).decisions.map((d: unknown[]) => d[2]))).toEqual([
      [1, 2],
      [3],
    ]);
    expect(recorded.map((e) => e.subject)).toEqual(['declarations', 'declaration:C']);
    for (const e of recorded) expect(e.payload).toBe(canonicalJson(JSON.parse(e.payload)));
  });

  it('stores every row as prepared, texts shared between rows and chunks included (past the table limit)', async () => {
    writer = await StoreWriterThread.start(database.target);
    // each Rason row's reason names its own filing: 4,800 distinct texts, beyond the 4,096 both
    // threads keep, so the table is restarted part-way; the plain imports share theirs
    const declarations = Array.from({ length: 9_600 }, (_, i) =>
      i % 2
        ? rasonCoal({ id: `R${i}`, approvals: [{ type: 'un-record-filing', reference: `RF-${i}` }] })
        : plainImport(`P${i}`),
    );
    const screened = await screenDeclarations(store, screener, declarations);
    const expected = new Map(screened.map((s) => [s.declaration.id, s.decision]));
    const commits: Promise<number>[] = [];
    for (let i = 0; i < screened.length; i += 1_200) {
      const rows = screened.slice(i, i + 1_200).map(prepareScreening);
      if ((i / 1_200) % 2 === 0) writer.part({ screened: rows, context, batch: null });
      else commits.push(writer.submit({ screened: rows, context, batch: null }));
    }
    expect((await Promise.all(commits)).reduce((a, b) => a + b, 0)).toBe(9_600);
    const stored = await store.listDecisions();
    expect(stored).toHaveLength(9_600);
    for (const d of stored) {
      const want = expected.get(d.declarationId)!;
      expect(d.decision.reasons).toEqual(want.reasons);
      expect([d.decision.asOf, d.decision.regimeVersion, d.decision.decision]).toEqual([
        want.asOf,
        want.regimeVersion,
        want.decision,
      ]);
    }
  }, 120_000);

  it('refuses a chunk whose approvals another writer changed after it was screened, and writes nothing after it', async () => {
    await applyApproval(store, 'olga', {
      chain: 'rason-transit-coal',
      ref: 'RF-1',
      applicant: 'DANDONG COAL TRADING CO LTD',
      hsCode: '2701',
      quantity: 1500,
      unit: 't',
      date: '2016-04-20',
    });
    for (const [i, actor] of ['Liaoning DOFCOM', 'MOFCOM', 'MFA', '1718 Committee'].entries()) {
      await advanceApprovalStep(store, 'olga', 'un-record-filing:RF-1', { actor, date: `2016-05-0${i + 1}` });
    }
    const stale = await prepared(plainImport('P'), rasonCoal({ id: 'RC-2', quantity: 600 }));
    expect(stale[1]!.record.decision).toBe('CLEAR');
    // another writer draws 1000 of the 1500 t before the chunk reaches the store
    await screenIntoStore({
      store,
      screener,
      rows: [{ declaration: rasonCoal({ id: 'RC-1', quantity: 1000 }) }],
      actor: 'olga',
      source: 'other',
      batchId: null,
    });
    writer = await StoreWriterThread.start(database.target);
    const conflict = writer.submit({ screened: stale, context, batch: null });
    conflict.catch(() => {}); // asserted below, after more awaits
    const after = writer.submit({ screened: await prepared(plainImport('Q')), context, batch: null });
    await expect(conflict).rejects.toMatchObject({ code: 'EMB_STORE_CONFLICT' });
    await expect(after).rejects.toMatchObject({ code: 'EMB_STORE_CONFLICT' });
    expect((await store.listDecisions()).map((d) => d.declarationId)).toEqual(['RC-1']);
    expect(await store.approvalUsed('un-record-filing', 'RF-1')).toBe(1000);

    // the same when the stale rows come ahead of their chunk, as a part of the transaction
    await writer.close();
    writer = await StoreWriterThread.start(database.target);
    writer.part({ screened: stale, context, batch: null });
    const chunk = writer.submit({ screened: await prepared(plainImport('R')), context, batch: null });
    await expect(chunk).rejects.toMatchObject({ code: 'EMB_STORE_CONFLICT' });
    expect((await store.listDecisions()).map((d) => d.declarationId)).toEqual(['RC-1']);
  });

  it('does not keep a process alive that gave up without closing it (a command failing part-way)', async () => {
    const script = join(database.dir, 'abandon.mts');
    writeFileSync(
      script,
      [
        `import { StoreWriterThread } from ${JSON.stringify(join(REPO_ROOT, 'src/services/store-writer.ts'))};`,
        `const writer = await StoreWriterThread.start(${JSON.stringify(database.target)});`,
        `await writer.submit({ screened: [], context: { actor: 'olga', source: null, batchId: null }, batch: null });`,
        // rows sent ahead of a chunk that never comes: the process must still end, rolling them back
        `writer.part({ screened: [], context: { actor: 'olga', source: null, batchId: null }, batch: null });`,
        `console.log('abandoned');`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/run-ts.js'), script], { stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? signal)));
    clearTimeout(timer);
    expect(out.trim()).toBe('abandoned');
    expect(code).toBe(0);
  }, 60_000);

  it('reports a store it cannot open', async () => {
    await expect(StoreWriterThread.start(`${database.target}-missing/x.db`)).rejects.toThrow();
  });
});
