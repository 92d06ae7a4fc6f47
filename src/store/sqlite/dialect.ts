/**
 * SQLite adapter: one better-sqlite3 connection per store, WAL so readers never wait for the
 * writer, a busy timeout so a second process waits for the lock instead of failing, and
 * `BEGIN IMMEDIATE` so a write transaction takes the lock up front (a deferred transaction that
 * upgrades later can fail with SQLITE_BUSY regardless of the timeout).
 */
import Database from 'better-sqlite3';
import { type Kysely, SqliteDialect, sql } from 'kysely';
import { EmbargoError } from '../../core/errors.js';
import type { StoreDialect } from '../store-dialect.js';

export const BUSY_TIMEOUT_MS = 30_000;

export function createDialect(path: string): StoreDialect {
  let database: Database.Database;
  try {
    database = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    database.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a killed process (the kill -9 test); only power loss can drop
    // the last transactions, which is the usual trade for an embedded store.
    database.pragma('synchronous = NORMAL');
    database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (cause) {
    throw new EmbargoError(
      'EMB_STORE_OPEN',
      `cannot open SQLite store: ${(cause as Error).message}`,
      { file: path },
      { cause },
    );
  }
  return {
    kind: 'sqlite',
    location: path,
    dialect: new SqliteDialect({ database }),
    async beginWrite(conn: Kysely<unknown>) {
      await sql`begin immediate`.execute(conn);
    },
    async prepare() {},
  };
}
