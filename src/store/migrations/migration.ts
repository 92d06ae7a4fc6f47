import type { Kysely } from 'kysely';
import type { StoreKind } from '../port.js';

/** One schema step. `name` is the file name without `.ts`: `<yyyymmddhhmm>-<what>`. */
export interface Migration {
  name: string;
  up(db: Kysely<unknown>, kind: StoreKind): Promise<void>;
}
