import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../test/databases.js';
import { kyselyAccess } from '../kysely-store.js';
import { openStore } from '../open-store.js';
import type { Store } from '../port.js';

const declaration = (i: number) => ({
  id: `D-${String(i).padStart(5, '0')}`,
  contentHash: `h${i}`,
  source: null,
  body: '{}',
});

// docs/decisions.md ST19: a batch's look-ups run before autovacuum has analysed the tables it fills
describe('look-ups in a PostgreSQL write transaction', () => {
  let database: TestDatabase;
  let store: Store;
  beforeEach(async () => {
    database = await freshDatabase('postgres');
    store = await openStore(database.target);
  });
  afterEach(async () => {
    await store.close();
    await database.cleanup();
  });

  it('find stored rows through the index of a table without statistics, then allow sequential scans again', async () => {
    await store.write((tx) => tx.putDeclarations(Array.from({ length: 3_000 }, (_, i) => declaration(i))));
    const { before, after, setting, results } = await kyselyAccess(store).writeWithConnection(
      async (conn, tx) => {
        // this backend's scans of the table, counted from the start of its not yet reported work
        const scans = async () =>
          (
            await sql<{ seq_scan: string; idx_scan: string }>`
              select seq_scan, idx_scan from pg_stat_xact_user_tables where relname = 'declarations'`.execute(
              conn,
            )
          ).rows.map((r) => ({ seq: Number(r.seq_scan), index: Number(r.idx_scan) }))[0]!;
        const before = await scans();
        // 600 stored ids and one new one: without statistics the planner would read the whole table
        const results = await tx.putDeclarations(Array.from({ length: 601 }, (_, i) => declaration(i * 5)));
        const after = await scans();
        const setting = await sql<{ enable_seqscan: string }>`show enable_seqscan`.execute(conn);
        return { before, after, setting: setting.rows[0]?.enable_seqscan, results };
      },
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(after.seq - before.seq).toBe(0);
    expect(after.index - before.index).toBeGreaterThan(0);
    expect(setting).toBe('on');
  });
});
