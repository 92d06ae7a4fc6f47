/**
 * Every CLI command module, by the noun it registers. Each module exports `register(program)`.
 * Only the modules a command line needs are imported: `embargo screen` does not pay for the
 * store, party, trade and HTML modules it never uses (start-up time and resident memory; see
 * docs/benchmarks.md). Help and unknown nouns load everything so commander can list them.
 */
import type { Command } from 'commander';

export type CommandModule = { register: (program: Command) => void };

type Loader = () => Promise<CommandModule>;

/** Listed in the order `embargo --help` shows them. */
const COMMANDS: Readonly<Record<string, readonly Loader[]>> = {
  // declaration screening and the regime
  // regime-history attaches `timeline` and `diff` to the `regime` command: keep it after regime.js
  regime: [() => import('./regime.js'), () => import('./regime-history.js')],
  screen: [() => import('./screen.js')],
  start: [() => import('./start.js')],
  rescreen: [() => import('./rescreen.js')],
  cap: [() => import('./cap.js')],
  // party screening: lists and names
  lists: [() => import('./lists.js')],
  parties: [() => import('./parties.js')],
  // records: the store, cases, approvals, audit trail
  approvals: [() => import('./approvals.js')],
  audit: [() => import('./audit.js')],
  cases: [() => import('./cases.js')],
  decisions: [() => import('./decisions.js')],
  users: [() => import('./users.js')],
  // trade monitoring
  trade: [() => import('./trade.js')],
};

export const COMMAND_NOUNS = Object.keys(COMMANDS);

/** The noun of a command line: its first argument that is not an option. */
export function nounOf(argv: readonly string[]): string | undefined {
  return argv.find((arg) => !arg.startsWith('-'));
}

export async function loadCommands(argv: readonly string[] = []): Promise<CommandModule[]> {
  const noun = nounOf(argv);
  const loaders = noun && COMMANDS[noun] ? COMMANDS[noun] : Object.values(COMMANDS).flat();
  const modules: CommandModule[] = [];
  // sequential on purpose: registration order is help order, and regime-history needs regime first
  for (const load of loaders) modules.push(await load());
  return modules;
}
