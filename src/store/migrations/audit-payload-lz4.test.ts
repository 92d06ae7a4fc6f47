import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase, withRawDatabase } from '../../../test/databases.js';
import { canonicalJson } from '../../core/audit/audit-chain.js';
import { verifyAudit } from '../../services/audit-service.js';
import { openStore } from '../open-store.js';
import { MIGRATIONS } from './index.js';

const lz4 = MIGRATIONS.find((m) => m.name === '202611290135-audit-payload-lz4')!;

/** a payload well over PostgreSQL's ~2 KB compression threshold, as a chunk's decisions.recorded is */
const bigPayload = (tag: string) => ({
  tag,
  decisions: Array.from({ length: 400 }, (_, i) => [
    `D-${tag}-${i}`,
    1,
    i,
    'CLEAR',
    '2016-06-01',
    `${i}`.repeat(64),
  ]),
});

// PostgreSQL only: SQLite stores text uncompressed, and the migration does nothing there.
describe('the audit-payload-lz4 migration on postgres', () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await freshDatabase('postgres');
  });
  afterEach(async () => {
    await database.cleanup();
  });

  const methods = () =>
    withRawDatabase(database, async (db) => {
      const rows = await sql<{ action: string; method: string | null }>`
        select action, pg_column_compression(payload) as method from audit_log order by seq`.execute(db);
      return rows.rows.map((r) => `${r.action}:${r.method}`);
    });

  it('new large payloads are stored with lz4; those stored with pglz before still read back and verify', async () => {
    const store = await openStore(database.target);
    try {
      // a store as the code before the migration left it: pglz, the server's default
      await withRawDatabase(database, (db) =>
        sql`alter table audit_log alter column payload set compression pglz`.execute(db),
      );
      await store.write((tx) =>
        tx.appendAudit({ actor: 'a', action: 'before', subject: 's', payload: bigPayload('1') }),
      );
      await withRawDatabase(database, (db) => lz4.up(db, 'postgres'));
      await store.write((tx) =>
        tx.appendAudit({ actor: 'a', action: 'after', subject: 's', payload: bigPayload('2') }),
      );
      await store.write((tx) =>
        tx.appendAudit({ actor: 'a', action: 'small', subject: 's', payload: { n: 1 } }),
      );

      expect(await methods()).toEqual(['before:pglz', 'after:lz4', 'small:null']);
      const page = await store.auditPage(0, 10);
      // (compared as one boolean: a failure would otherwise print ~100 KB of payload)
      const payloads = [bigPayload('1'), bigPayload('2'), { n: 1 }].map((p) => canonicalJson(p));
      expect(page.map((e) => e.payload).join('\n') === payloads.join('\n')).toBe(true);
      expect(await verifyAudit(store)).toMatchObject({ ok: true, entries: 3 });
    } finally {
      await store.close();
    }
  });

  it('a fresh store compresses audit payloads with lz4', async () => {
    const store = await openStore(database.target);
    try {
      await store.write((tx) =>
        tx.appendAudit({ actor: 'a', action: 'x', subject: 's', payload: bigPayload('3') }),
      );
    } finally {
      await store.close();
    }
    expect(await methods()).toEqual(['x:lz4']);
  });
});
