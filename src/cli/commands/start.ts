/**
 * `embargo start` (what `npm start` runs): the main job on the embedded default. It screens the
 * bundled example declarations (examples/declarations.csv, one for every path of the 2016 regime
 * and two for China's 2017 textile grace rule) against China's measures and prints every decision
 * with its reasons.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_REGIME_DIR } from '../../ingest/regime-loader.js';
import { PROJECT_ROOT } from '../config.js';
import { runScreen, stopQuietlyOnClosedPipe } from './screen.js';

export const EXAMPLE_DECLARATIONS = join(PROJECT_ROOT, 'examples', 'declarations.csv');

export function register(program: Command): void {
  program
    .command('start')
    .description('Screen the bundled example declarations and print the decisions with their reasons')
    .option('--jurisdiction <j>', 'UN or CN', 'CN')
    .action(async (flags: { jurisdiction: string }) => {
      const jurisdiction = flags.jurisdiction.toUpperCase() === 'UN' ? 'UN' : 'CN';
      stopQuietlyOnClosedPipe();
      process.stdout.write(
        `embargo: screening ${EXAMPLE_DECLARATIONS}\n` +
          `against ${jurisdiction === 'CN' ? "China's MOFCOM/GAC announcements" : 'the UN Security Council resolutions'}, each as of its declaration date\n\n`,
      );
      const summary = await runScreen({
        input: EXAMPLE_DECLARATIONS,
        jurisdiction,
        format: 'table',
        regimes: DEFAULT_REGIME_DIR,
        parties: true,
      });
      process.stdout.write(
        `\nNext: embargo screen <your-file.csv> --format jsonl --rejects rejects.jsonl   (docs/formats.md)\n`,
      );
      if (summary.rejected > 0) process.exitCode = 3;
    });
}
