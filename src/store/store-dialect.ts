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
   * Inserts rows on `conn`, the connection that holds the open write transaction, bypassing the
   * query builder, and returns each row's `key` (its integer primary key) in input order when
   * `seqs`. SQLite: a reused single-row statement run in a tight loop, the cheapest way through
   * better-sqlite3 (ST7). PostgreSQL: `COPY … FROM STDIN`, the keys reserved first (ST17).
   */
  insertRows(
    conn: Kysely<unknown>,
    table: string,
    columns: readonly string[],
    rows: readonly unknown[][],
    seqs: boolean,
    key: string,
  ): number[] | Promise<number[]>;
}
