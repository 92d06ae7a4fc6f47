/**
 * Resolves where the store lives, once: `--db` flag, then `EMBARGO_DB`, then `embargo.db` in the
 * data directory (src/cli/config.ts). A `postgres://` or `postgresql://` URL selects PostgreSQL;
 * anything else is a SQLite file path.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EmbargoError } from '../core/errors.js';
import { openKyselyStore, type StoreOptions } from './kysely-store.js';
import type { Store } from './port.js';
import { createDialect as createPostgresDialect } from './postgres/dialect.js';
import { createDialect as createSqliteDialect } from './sqlite/dialect.js';

export const DEFAULT_DB_FILE = 'embargo.db';

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

export function resolveDbTarget(
  flag: string | undefined,
  dataDir: () => string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const target = flag?.trim() || env.EMBARGO_DB?.trim();
  if (target) return isPostgresUrl(target) ? target : resolve(target);
  return join(dataDir(), DEFAULT_DB_FILE);
}

export async function openStore(target: string, options: StoreOptions = {}): Promise<Store> {
  if (isPostgresUrl(target)) return openKyselyStore(createPostgresDialect(target), options);
  const dir = dirname(target);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new EmbargoError('EMB_STORE_OPEN', `the directory of the SQLite store does not exist: ${dir}`, {
      file: target,
    });
  }
  return openKyselyStore(createSqliteDialect(target), options);
}
