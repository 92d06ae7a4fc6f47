/**
 * PostgreSQL adapter: a small pg pool. Write transactions take one transaction-scoped advisory
 * lock, so the audit chain (and case numbers) are appended by one writer at a time while readers
 * and the rest of the server carry on.
 */
import { type Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { StoreDialect } from '../store-dialect.js';

/** An arbitrary constant naming embargo's write lock among the server's advisory locks. */
export const WRITE_LOCK_KEY = 0x656d6267;

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable url)';
  }
}

export function createDialect(url: string): StoreDialect {
  // allowExitOnIdle: a CLI run that fails part-way must still exit, not wait on idle connections.
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: 10_000,
    allowExitOnIdle: true,
  });
  // A dropped idle connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return {
    kind: 'postgres',
    location: redact(url),
    dialect: new PostgresDialect({ pool }),
    async beginWrite(conn: Kysely<unknown>) {
      await sql`begin`.execute(conn);
      await sql`select pg_advisory_xact_lock(${WRITE_LOCK_KEY})`.execute(conn);
    },
    async prepare(db: Kysely<unknown>) {
      await sql`select 1`.execute(db);
    },
  };
}
