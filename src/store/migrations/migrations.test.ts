import { readdirSync } from 'node:fs';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES, freshDatabase, type TestDatabase, withRawDatabase } from '../../../test/databases.js';
import { openStore } from '../open-store.js';
import { schemaSnapshot } from '../schema-snapshot.js';
import { MIGRATIONS } from './index.js';

describe('migrations', () => {
  it('are timestamped files, listed oldest first, every file listed once', () => {
    const files = readdirSync(new URL('.', import.meta.url))
      .filter((f) => /^\d/.test(f) && f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(MIGRATIONS.map((m) => m.name)).toEqual(files);
    for (const name of files) expect(name).toMatch(/^\d{12}-[a-z0-9-]+$/);
  });
});

describe.each(DATABASES)('migrations on %s', (kind) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await freshDatabase(kind);
  });
  afterEach(async () => {
    await database.cleanup();
  });

  it('produce the committed schema snapshot', async () => {
    const store = await openStore(database.target);
    await store.close();
    const snapshot = await withRawDatabase(database, (db) => schemaSnapshot(db, kind));
    await expect(snapshot).toMatchFileSnapshot(`./__snapshots__/schema.${kind}.txt`);
  });

  it('apply once: reopening changes nothing', async () => {
    await (await openStore(database.target)).close();
    await (await openStore(database.target)).close();
    const rows = await withRawDatabase(database, (db) =>
      sql<{ name: string }>`select name from schema_migrations`.execute(db),
    );
    expect(rows.rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
  });

  it('refuse a database migrated by a newer embargo', async () => {
    await (await openStore(database.target)).close();
    await withRawDatabase(database, (db) =>
      sql`insert into schema_migrations (name, applied_at) values ('209912312359-future', 'x')`.execute(db),
    );
    await expect(openStore(database.target)).rejects.toMatchObject({ code: 'EMB_STORE_MIGRATION' });
  });
});

describe('opening a store', () => {
  it('names the unreachable PostgreSQL server', async () => {
    await expect(openStore('postgres://postgres@127.0.0.1:1/none')).rejects.toMatchObject({
      code: 'EMB_STORE_OPEN',
    });
  });

  it('names a SQLite path whose directory is missing', async () => {
    await expect(openStore('/nonexistent-dir/x/embargo.db')).rejects.toMatchObject({
      code: 'EMB_STORE_OPEN',
    });
  });
});
