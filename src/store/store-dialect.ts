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
}
