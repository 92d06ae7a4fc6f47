/**
 * Every CLI command module, in the order `embargo --help` lists them. Each module exports
 * `register(program)` and adds one noun (`screen`, `regime`, `parties`, …).
 */
import type { Command } from 'commander';

export type CommandModule = { register: (program: Command) => void };

export async function loadCommands(): Promise<CommandModule[]> {
  return Promise.all([
    // one line per command module; keep alphabetical within a group
    import('./regime.js'),
    import('./screen.js'),
    import('./start.js'),
    // party screening: lists and names
    import('./lists.js'),
    import('./parties.js'),
    // records: the store, cases, approvals, audit trail
    import('./approvals.js'),
    import('./audit.js'),
    import('./cases.js'),
    import('./decisions.js'),
    import('./users.js'),
    import('./trade.js'),
    // the regime through time: keep after './regime.js' (it attaches to the `regime` command)
    import('./regime-history.js'),
    import('./rescreen.js'),
    import('./cap.js'),
  ]);
}
