/**
 * SQLite adapter: one better-sqlite3 connection per store, WAL so readers never wait for the
 * writer, a busy timeout so a second process waits for the lock instead of failing, and
 * `BEGIN IMMEDIATE` so a write transaction takes the lock up front (a deferred transaction that
 * upgrades later can fail with SQLITE_BUSY regardless of the timeout).
 */
import Database from 'better-sqlite3';
import { type Kysely, type SqliteDatabase, SqliteDialect, sql } from 'kysely';
import { EmbargoError } from '../../core/errors.js';
import type { StoreDialect } from '../store-dialect.js';

/** How long a writer waits for another writer before giving up. */
export const WRITE_WAIT_MS = 60_000;
/**
 * better-sqlite3 is synchronous: a long busy timeout would block this process's event loop while it
 * waits, so it could never finish the transaction of another connection it holds itself. The
 * driver-level timeout is therefore short and `beginWrite` retries asynchronously.
 */
const BUSY_TIMEOUT_MS = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isBusy(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

/**
 * Kysely prepares every statement afresh; better-sqlite3 statements are reusable, and preparing
 * dominated the cost of screening into the store. A small LRU keyed by SQL text keeps them.
 */
const STATEMENT_CACHE = 256;

function withStatementCache(database: Database.Database): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => database.close(),
    prepare(text: string) {
      let statement = cache.get(text);
      if (statement) {
        cache.delete(text);
      } else {
        statement = database.prepare(text);
        if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, statement);
      return statement;
    },
  };
}

/** Blocks this thread for `ms` (opening is synchronous; it happens once per connection). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function configure(database: Database.Database): void {
  // 16 KiB pages for a new store (an existing file keeps its own): a stored row is ~2 KB of
  // declaration, decision and audit text, and larger pages mean fewer page splits and less
  // per-page work writing them (~10-15 % of the write cost measured; docs/decisions.md ST9).
  // Only takes effect before the first table is created, i.e. on a new, empty file.
  database.pragma('page_size = 16384');
  database.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a killed process (the kill -9 test); only power loss can drop
  // the last transactions, which is the usual trade for an embedded store.
  database.pragma('synchronous = NORMAL');
  database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // 64 MiB of page cache: index inserts of a large batch stay in memory until commit.
  database.pragma('cache_size = -65536');
}

export function createDialect(path: string): StoreDialect {
  let database: Database.Database;
  try {
    database = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    // Another process writing (or opening) the same file can hold the lock these pragmas need for
    // longer than the short busy timeout: retry, as beginWrite does, up to the same wait.
    const deadline = Date.now() + WRITE_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        configure(database);
        break;
      } catch (error) {
        if (!isBusy(error) || Date.now() > deadline) throw error;
        pause(Math.min(100, 2 + attempt * 2) * (0.5 + Math.random()));
      }
    }
  } catch (cause) {
    throw new EmbargoError(
      'EMB_STORE_OPEN',
      `cannot open SQLite store: ${(cause as Error).message}`,
      { file: path },
      { cause },
    );
  }
  /** one single-row INSERT per table and column list, prepared once */
  const inserts = new Map<string, Database.Statement>();
  return {
    kind: 'sqlite',
    location: path,
    dialect: new SqliteDialect({ database: withStatementCache(database) }),
    async beginWrite(conn: Kysely<unknown>) {
      const deadline = Date.now() + WRITE_WAIT_MS;
      for (let attempt = 0; ; attempt++) {
        try {
          await sql`begin immediate`.execute(conn);
          return;
        } catch (error) {
          if (!isBusy(error) || Date.now() > deadline) {
            throw new EmbargoError(
              'EMB_STORE_OPEN',
              `the SQLite store is locked by another writer: ${(error as Error).message}`,
              { file: path },
              { cause: error },
            );
          }
          await sleep(Math.min(100, 2 + attempt * 2) * (0.5 + Math.random()));
        }
      }
    },
    async prepare() {},
    insertRows(_conn, table, columns, rows, seqs) {
      const key = `${table}(${columns.join(',')})`;
      let statement = inserts.get(key);
      if (!statement) {
        statement = database.prepare(
          `insert into "${table}" (${columns.map((c) => `"${c}"`).join(',')}) values (${columns.map(() => '?').join(',')})`,
        );
        inserts.set(key, statement);
      }
      const out: number[] = [];
      // Synchronous on purpose: the caller holds the only connection inside its write transaction.
      if (seqs) for (const row of rows) out.push(Number(statement.run(row).lastInsertRowid));
      else for (const row of rows) statement.run(row);
      return out;
    },
  };
}
