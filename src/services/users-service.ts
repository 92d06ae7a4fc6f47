/**
 * Users and their roles. The very first user of an empty store must be an admin and may be added
 * by anyone (someone has to start); after that only admins add users. Every addition is audited.
 */
import { isRole, ROLES, requirePermission } from '../core/cases/roles.js';
import { EmbargoError } from '../core/errors.js';
import type { Store, UserRecord } from '../store/port.js';
import { resolveActor } from './actor-service.js';

export async function addUser(
  store: Store,
  actingAs: string | undefined,
  input: { name: string; role: string },
): Promise<UserRecord> {
  const name = input.name.trim();
  if (!/^[\p{L}\p{N}._@-]{1,64}$/u.test(name)) {
    throw new EmbargoError(
      'EMB_USAGE',
      `user name '${input.name}' must be 1–64 letters, digits, '.', '_', '@' or '-'`,
      {
        field: 'name',
      },
    );
  }
  if (!isRole(input.role)) {
    throw new EmbargoError('EMB_USAGE', `unknown role '${input.role}'; expected one of ${ROLES.join(', ')}`, {
      field: 'role',
    });
  }
  const role = input.role;
  return store.write(async (tx) => {
    const first = (await tx.countUsers()) === 0;
    let createdBy: string;
    if (first) {
      if (role !== 'admin') {
        throw new EmbargoError('EMB_USAGE', 'the first user of a store must be an admin (--role admin)', {
          field: 'role',
        });
      }
      createdBy = actingAs?.trim() || name;
    } else {
      const actor = await resolveActor(tx, actingAs);
      requirePermission(actor, 'manage-users', 'add users');
      createdBy = actor.name;
    }
    if (await tx.getUser(name))
      throw new EmbargoError('EMB_USER_EXISTS', `user '${name}' already exists`, { field: 'name' });
    const user: UserRecord = { name, role, createdAt: tx.now(), createdBy };
    await tx.putUser(user);
    await tx.appendAudit({
      actor: createdBy,
      action: 'user.added',
      subject: `user:${name}`,
      payload: { role },
    });
    return user;
  });
}

export async function listUsers(store: Store): Promise<UserRecord[]> {
  return store.listUsers();
}
