/**
 * Every store test runs its body against both databases (`describe.each(DATABASES)`): a fresh
 * SQLite file in a temp directory and a fresh PostgreSQL database `embargo_test_<random>` on the
 * server at 127.0.0.1:5432 (user postgres, trust auth; `scripts/ensure-test-env.d/postgres.sh`
 * starts one where none runs). PostgreSQL is never skipped: if no server answers, the test fails
 * with a message saying so.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely } from 'kysely';
import pg from 'pg';
import type { StoreKind } from '../src/store/port.js';
import { createDialect as createPostgresDialect } from '../src/store/postgres/dialect.js';
import { createDialect as createSqliteDialect } from '../src/store/sqlite/dialect.js';

export const DATABASES: readonly StoreKind[] = ['sqlite', 'postgres'];

/** The server tests use; override with EMBARGO_TEST_PG (a URL to a database we may CREATE DATABASE from). */
export const PG_ADMIN_URL = process.env.EMBARGO_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  kind: StoreKind;
  /** what `openStore` / `--db` take: a file path or a postgres:// URL */
  target: string;
  /** a temp directory owned by this database (EMBARGO_HOME for CLI runs) */
  dir: string;
  cleanup(): Promise<void>;
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is required by the store tests and did not answer at ${PG_ADMIN_URL} ` +
        `(${(error as Error).message}). Run scripts/ensure-test-env.d/postgres.sh (npm test does) ` +
        'or set EMBARGO_TEST_PG to a server URL.',
    );
  }
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export async function freshDatabase(kind: StoreKind): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), `embargo-${kind}-`));
  if (kind === 'sqlite') {
    return {
      kind,
      target: join(dir, 'embargo.db'),
      dir,
      async cleanup() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `embargo_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    target: url.toString(),
    dir,
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

/**
 * Raw SQL against a test database, bypassing the store: how tests tamper with the audit trail or
 * inspect the schema exactly as an intruder or a DBA would.
 */
export async function withRawDatabase<T>(
  database: Pick<TestDatabase, 'kind' | 'target'>,
  fn: (db: Kysely<unknown>) => Promise<T>,
): Promise<T> {
  const adapter =
    database.kind === 'sqlite'
      ? createSqliteDialect(database.target)
      : createPostgresDialect(database.target);
  const db = new Kysely<unknown>({ dialect: adapter.dialect });
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}
