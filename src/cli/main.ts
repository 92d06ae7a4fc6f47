/**
 * The `embargo` command line. Thin: commands parse flags, call services, and write through
 * src/cli/output.ts. One top-level handler turns errors into `error: <message>` and exit codes
 * (docs/formats.md, "Exit codes").
 */
import { Command, CommanderError } from 'commander';
import { describeLocation, EmbargoError } from '../core/errors.js';
import { loadCommands } from './commands/index.js';

export const EXIT = { ok: 0, failure: 1, usage: 2, rejects: 3 } as const;

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('embargo')
    .description('Enforce and monitor trade sanctions on the DPRK')
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  for (const module of await loadCommands(argv)) module.register(program);
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    return reportError(error);
  }
}

export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
    if (error.code === 'commander.help') return EXIT.ok;
    return EXIT.usage;
  }
  if (error instanceof EmbargoError) {
    const where = describeLocation(error.details);
    process.stderr.write(`error: ${where ? `${where}: ` : ''}${error.message} [${error.code}]\n`);
    if (process.env.EMBARGO_DEBUG && error.cause) console.error(error.cause);
    return error.code === 'EMB_USAGE' ? EXIT.usage : EXIT.failure;
  }
  process.stderr.write(
    `error: unexpected failure: ${(error as Error)?.message ?? String(error)} [EMB_INTERNAL]\n`,
  );
  if (process.env.EMBARGO_DEBUG) console.error(error);
  return EXIT.failure;
}
