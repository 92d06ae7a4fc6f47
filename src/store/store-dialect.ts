import type { Dialect, Kysely } from 'kysely';
import type { StoreKind } from './port.js';

/** What each dialect adapter (sqlite/dialect.ts, postgres/dialect.ts) gives the one implementation. */
export interface StoreDialect {
  kind: StoreKind;
  /** where the store lives, without credentials */
  location: string;
  dialect: Dialect;
  /** starts a write transaction on `conn` that holds the store-wide write lock */
  beginWrite(conn: Kysely<unknown>): Promise<void>;
  /** runs once after the connection is made, before migrations */
  prepare(db: Kysely<unknown>): Promise<void>;
  /**
   * Inserts rows on the connection that holds the open write transaction, bypassing the query
   * builder, and returns each row's `seq` (the integer primary key) in input order when asked.
   * Only SQLite has one: a reused single-row statement run in a tight loop is the cheapest way
   * to insert through better-sqlite3. Without it the store sends multi-row INSERTs.
   */
  insertRows?(table: string, columns: readonly string[], rows: readonly unknown[][], seqs: boolean): number[];
}
