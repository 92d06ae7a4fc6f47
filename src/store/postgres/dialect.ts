/**
 * PostgreSQL adapter: a small pg pool. Write transactions take one transaction-scoped advisory
 * lock, so the audit chain (and case numbers) are appended by one writer at a time while readers
 * and the rest of the server carry on.
 */
import { type Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient, sql } from 'kysely';
import pg from 'pg';
import type { StoreDialect } from '../store-dialect.js';
import { CopyFromStdin, CopyRows, copyInsert } from './copy-rows.js';

/** An arbitrary constant naming embargo's write lock among the server's advisory locks. */
export const WRITE_LOCK_KEY = 0x656d6267;

/**
 * The pool as Kysely sees it: the same clients, except that a query whose only parameter is
 * `CopyRows` (./copy-rows.ts) runs as `COPY … FROM STDIN` with those rows on that client. One
 * wrapper per client, as Kysely keeps its connection object per client.
 */
function copyingPool(pool: pg.Pool): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let wrapper = wrappers.get(client);
    if (!wrapper) {
      wrapper = {
        query: ((text: unknown, parameters?: readonly unknown[]) => {
          const copy = parameters?.[0];
          if (copy instanceof CopyRows) return client.query(new CopyFromStdin(text as string, copy)).result;
          return client.query(text as string, parameters as unknown[]);
        }) as unknown as PostgresPoolClient['query'],
        release: (error?: boolean) => client.release(error),
      };
      wrappers.set(client, wrapper);
    }
    return wrapper;
  };
  return { connect: async () => wrap(await pool.connect()), end: () => pool.end() };
}

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
    dialect: new PostgresDialect({ pool: copyingPool(pool) }),
    async beginWrite(conn: Kysely<unknown>) {
      await sql`begin`.execute(conn);
      await sql`select pg_advisory_xact_lock(${WRITE_LOCK_KEY})`.execute(conn);
    },
    async prepare(db: Kysely<unknown>) {
      await sql`select 1`.execute(db);
    },
    insertRows: copyInsert,
  };
}
