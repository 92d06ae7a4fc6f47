/**
 * `embargo users add <name> --role <role>` and `embargo users list`. The first user of a store
 * must be an admin; after that an admin (`--as`) adds the others.
 */
import type { Command } from 'commander';
import { actingUser, withStore } from '../../services/store-session.js';
import { addUser, listUsers } from '../../services/users-service.js';
import { resolveDataDir } from '../config.js';
import { formatRows, parseFormat } from '../output.js';
import { withActor } from '../store-options.js';

export function register(program: Command): void {
  const users = program
    .command('users')
    .description('users of the store and their roles (officer, supervisor, analyst, admin)');
  const add = users
    .command('add <name>')
    .description('add a user (the first user must be an admin; later ones are added by an admin)')
    .requiredOption('--role <role>', 'officer | supervisor | analyst | admin');
  withActor(add).action(async (name: string, opts: { role: string; as?: string; db?: string }) => {
    const user = await withStore(
      opts,
      () => resolveDataDir(),
      (store) => addUser(store, actingUser(opts.as), { name, role: opts.role }),
    );
    process.stdout.write(`added ${user.name} (${user.role})\n`);
  });
  users
    .command('list')
    .description('list users')
    .option('--format <format>', 'table | json | jsonl | csv', 'table')
    .option('--db <path|url>', 'SQLite file or postgres:// URL')
    .action(async (opts: { format: string; db?: string }) => {
      const format = parseFormat(opts.format);
      const rows = await withStore(opts, () => resolveDataDir(), listUsers);
      process.stdout.write(
        formatRows(
          rows.map((u) => ({ name: u.name, role: u.role, created_at: u.createdAt, created_by: u.createdBy })),
          format,
        ),
      );
    });
}
