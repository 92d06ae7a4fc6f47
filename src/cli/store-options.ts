/**
 * The options every store-backed command shares: which store (`--db`) and who acts (`--as`).
 * One definition, so the help text and the resolution order read the same everywhere.
 */
import type { Command } from 'commander';

export type StoreOpts = { db?: string; as?: string };

export const DB_OPTION_HELP = 'SQLite file or postgres:// URL (default: EMBARGO_DB, then the data directory)';

export function withActor(command: Command): Command {
  return command
    .option('--as <user>', 'act as this user (default: EMBARGO_USER)')
    .option('--db <path|url>', DB_OPTION_HELP);
}
