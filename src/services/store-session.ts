/**
 * Opening the store for one command or request: resolve the target once (flag, EMBARGO_DB, the
 * data directory's embargo.db), open (migrating), run, close, whatever happens.
 */
import { openStore, resolveDbTarget } from '../store/open-store.js';
import type { Store } from '../store/port.js';

export interface StoreFlags {
  /** `--db <path | postgres://…>` */
  db?: string;
}

export async function withStore<T>(
  flags: StoreFlags,
  dataDir: () => string,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore(resolveDbTarget(flags.db, dataDir));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** `--as <user>` wins over EMBARGO_USER. */
export function actingUser(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return flag?.trim() || env.EMBARGO_USER?.trim() || undefined;
}
