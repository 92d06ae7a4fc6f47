import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES, freshDatabase, type TestDatabase, withRawDatabase } from '../../test/databases.js';
import type { Observation } from '../core/trade/observation.js';
import { loadSeedObservations } from '../ingest/trade/seed-dataset.js';
import { verifyAudit } from '../services/audit-service.js';
import { openStore } from './open-store.js';
import { openKyselyTradeStore } from './trade-observation-kysely-store.js';
import type { TradeObservationStore } from './trade-observation-store.js';

const seed = loadSeedObservations();
const clock = () => '2026-11-28T00:00:00.000Z';
const entry = { file: 'x.csv', format: 'comtrade', importedAt: clock(), added: 2, unchanged: 0, rejected: 1 };

describe.each(DATABASES)('trade observation store on %s', (kind) => {
  let database: TestDatabase;
  let store: TradeObservationStore;
  const open = async () => openKyselyTradeStore(await openStore(database.target, { now: clock }));
  beforeEach(async () => {
    database = await freshDatabase(kind);
    store = await open();
  });
  afterEach(async () => {
    await store.close();
    await database.cleanup();
  });

  it('stores observations and reads them back unchanged', async () => {
    expect(await store.add(seed)).toEqual({ added: seed.length, unchanged: 0, conflicts: [] });
    const back = await store.list();
    expect(back).toHaveLength(seed.length);
    const coal = back.find((o) => o.id === 'seed-0071');
    expect(coal).toEqual(JSON.parse(JSON.stringify(seed.find((o) => o.id === 'seed-0071'))));
  });

  it('is idempotent: importing the same observations again adds nothing', async () => {
    await store.add(seed);
    expect(await store.add(seed)).toEqual({ added: 0, unchanged: seed.length, conflicts: [] });
    expect(await store.count()).toBe(seed.length);
  });

  it('recognises a repeated id inside one batch as unchanged', async () => {
    const one = seed[0] as Observation;
    expect(await store.add([one, one])).toEqual({ added: 1, unchanged: 1, conflicts: [] });
  });

  it('never overwrites: the same id with other content is a conflict and the stored figure stays', async () => {
    const original = seed.find((o) => o.id === 'seed-0078') as Observation;
    await store.add([original]);
    const r = await store.add([{ ...original, value: 72.2e6 }]);
    expect(r.conflicts.map((e) => e.code)).toEqual(['EMB_TRADE_ID_CONFLICT']);
    expect((await store.list())[0]?.value).toBe(7.21e6);
  });

  it('tells added, unchanged and conflicting rows apart in a batch of several insert chunks', async () => {
    // 12,000 rows: several 500-row SQLite statements and more than one 5,000-row PostgreSQL one.
    const base = seed[0] as Observation;
    const make = (i: number, value = i): Observation => ({ ...base, id: `bulk-${i}`, value });
    await store.add([make(10), make(600), make(7_000, -1)]);
    const batch: Observation[] = [];
    for (let i = 0; i < 12_000; i++) batch.push(make(i));
    batch.push(make(20), make(5_500, -5), make(11_999));
    const r = await store.add(batch);
    // stored before: 10 and 600 unchanged, 7,000 a conflict; repeated later: 20 and 11,999
    // unchanged, 5,500 with other content a conflict
    expect(r.added).toBe(11_997);
    expect(r.unchanged).toBe(4);
    expect(r.conflicts.map((e) => e.message)).toEqual([
      'observation bulk-7000 is already stored with different content; not overwritten',
      'observation bulk-5500 is already stored with different content; not overwritten',
    ]);
    expect(await store.count()).toBe(12_000);
    const kept = await store.list({ commodity: base.commodity });
    expect(kept.find((o) => o.id === 'bulk-7000')?.value).toBe(-1);
    expect(kept.find((o) => o.id === 'bulk-5500')?.value).toBe(5_500);
  });

  it('keeps a revision as a new observation that names what it supersedes', async () => {
    const original = seed.find((o) => o.id === 'seed-0078') as Observation;
    const revision: Observation = { ...original, id: 'rev-0078', value: 72.2e6, supersedes: [original.id] };
    await store.add([original]);
    expect(await store.add([revision])).toMatchObject({ added: 1, conflicts: [] });
    const both = await store.list({ commodity: original.commodity });
    expect(both.find((o) => o.id === original.id)?.value).toBe(7.21e6);
    expect(both.find((o) => o.id === 'rev-0078')?.supersedes).toEqual([original.id]);
  });

  it('filters by partner, flow and commodity prefix', async () => {
    await store.add(seed);
    const coal = await store.list({ partner: 'KP', flow: 'import', commodity: '2701*' });
    expect(coal.length).toBeGreaterThan(10);
    expect(coal.every((o) => o.commodity.startsWith('2701') && o.flow === 'import')).toBe(true);
    expect(await store.list({ reporter: 'ZZ' })).toEqual([]);
  });

  it('keeps an import log across reopening, each import an entry of the audit trail', async () => {
    await store.recordImport({ ...entry, actor: 'olga' });
    await store.close();
    store = await open();
    expect(await store.imports()).toEqual([{ id: 1, ...entry }]);
    const main = await openStore(database.target);
    try {
      const [audit] = await main.auditPage(0, 10);
      expect(audit).toMatchObject({ actor: 'olga', action: 'trade.imported', subject: 'trade-import:1' });
      expect(JSON.parse(audit?.payload ?? '{}')).toEqual({
        file: 'x.csv',
        format: 'comtrade',
        added: 2,
        unchanged: 0,
        rejected: 1,
      });
      expect((await verifyAudit(main)).ok).toBe(true);
    } finally {
      await main.close();
    }
  });

  it('loads a named dataset once per version, in one transaction with its log and audit entries', async () => {
    const load = (version: string) =>
      store.loadDataset('seed', version, seed, { ...entry, file: 'seed.yaml', actor: 'cli' });
    expect((await load('v1'))?.added).toBe(seed.length);
    expect(await load('v1')).toBeUndefined();
    expect(await store.datasetVersion('seed')).toBe('v1');
    expect(await store.datasetVersion('other')).toBeUndefined();
    expect(await load('v2')).toMatchObject({ added: 0, unchanged: seed.length });
    expect((await store.imports()).map((i) => [i.file, i.added])).toEqual([
      ['seed.yaml', seed.length],
      ['seed.yaml', 0],
    ]);
    const actions = await withRawDatabase(database, (db) =>
      sql<{
        subject: string;
      }>`select subject from audit_log where action = 'trade.imported' order by seq`.execute(db),
    );
    expect(actions.rows.map((r) => r.subject)).toEqual(['trade-import:1', 'trade-import:2']);
  });

  it('loads a dataset once when two connections race for a fresh store', async () => {
    const other = await open();
    try {
      const results = await Promise.all(
        [store, other].map((s) =>
          s.loadDataset('seed', 'v1', seed, { ...entry, file: 'seed.yaml', actor: 'cli' }),
        ),
      );
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      expect(await store.imports()).toHaveLength(1);
      expect(await store.count()).toBe(seed.length);
    } finally {
      await other.close();
    }
  });

  it('rolls back a failed batch whole: nothing half-written', async () => {
    const bad = { ...(seed[1] as Observation), value: null } as unknown as Observation;
    await expect(store.add([seed[0] as Observation, bad])).rejects.toThrow();
    expect(await store.count()).toBe(0);
  });
});
