/**
 * Who is acting. The CLI names a user with `--as <name>` or `EMBARGO_USER`; the HTTP API will
 * resolve its authenticated user the same way. Unknown or missing → EMB_USER_UNKNOWN.
 */
import type { Actor } from '../core/cases/roles.js';
import { EmbargoError } from '../core/errors.js';
import type { StoreReader } from '../store/port.js';

export async function resolveActor(store: StoreReader, name: string | undefined): Promise<Actor> {
  const trimmed = name?.trim();
  if (!trimmed) {
    throw new EmbargoError('EMB_USER_UNKNOWN', 'name the acting user with --as <name> or EMBARGO_USER', {
      field: 'as',
    });
  }
  const user = await store.getUser(trimmed);
  if (!user) {
    throw new EmbargoError(
      'EMB_USER_UNKNOWN',
      `no user named '${trimmed}' (an admin adds users with: embargo users add <name> --role <role>)`,
      { field: 'as' },
    );
  }
  return { name: user.name, role: user.role };
}
