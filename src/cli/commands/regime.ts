/**
 * `embargo regime list|show <id>|check [dir]`: the measures embargo screens with. Other modules
 * attach more subcommands (`timeline`, `diff`) to the same `regime` command through
 * `regimeCommand(program)`.
 */
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { describeLocation, EmbargoError } from '../../core/errors.js';
import { compileRegime } from '../../core/regime/compile.js';
import { checkRegime, DEFAULT_REGIME_DIR, loadRegime } from '../../ingest/regime-loader.js';
import { formatRows, parseFormat, type Row } from '../output.js';

/** The `regime` command: the existing one if a module already created it, else a new one. */
export function regimeCommand(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'regime') ??
    program.command('regime').description('Regime files: validate, list, show, and the regime through time')
  );
}

export function register(program: Command): void {
  const regime = regimeCommand(program);

  regime
    .command('list')
    .description('List the measures (after amendments) with their jurisdiction, direction and dates')
    .option('--jurisdiction <j>', 'UN or CN (default: both)')
    .option('--format <format>', 'table, json, jsonl or csv', 'table')
    .option('--regimes <dir>', 'regime directory', DEFAULT_REGIME_DIR)
    .action((flags: { jurisdiction?: string; format?: string; regimes: string }) => {
      const format = parseFormat(flags.format);
      const jurisdiction = flags.jurisdiction?.toUpperCase();
      if (jurisdiction && jurisdiction !== 'UN' && jurisdiction !== 'CN')
        throw new EmbargoError(
          'EMB_USAGE',
          `unknown --jurisdiction '${flags.jurisdiction}'; expected UN or CN`,
        );
      const loaded = loadRegime(flags.regimes);
      const compiled = compileRegime(loaded);
      const rows: Row[] = compiled.measures
        .filter((m) => !jurisdiction || m.jurisdiction === jurisdiction)
        .map((m) => ({
          id: m.id,
          jurisdiction: m.jurisdiction,
          direction: m.measure.direction,
          kind: m.measure.kind,
          from: m.window.from,
          to: m.window.to ?? '',
          exceptions: m.exceptions.map((e) => e.id),
          citation: m.citation,
          title: m.measure.title,
        }));
      process.stdout.write(formatRows(rows, format));
      process.stderr.write(`${rows.length} measure(s), regime ${loaded.version}\n`);
    });

  regime
    .command('show')
    .description('Show one measure as its file states it, with its instrument')
    .argument('<id>', 'measure id, e.g. CN-MOFCOM-11-2016-1')
    .option('--format <format>', 'yaml or json', 'yaml')
    .option('--regimes <dir>', 'regime directory', DEFAULT_REGIME_DIR)
    .action((id: string, flags: { format: string; regimes: string }) => {
      if (flags.format !== 'yaml' && flags.format !== 'json')
        throw new EmbargoError('EMB_USAGE', `unknown --format '${flags.format}'; expected yaml or json`);
      const loaded = loadRegime(flags.regimes);
      const found = loaded.measures.find((m) => m.measure.id === id);
      if (!found) {
        throw new EmbargoError(
          'EMB_REGIME_UNKNOWN_MEASURE',
          `no measure '${id}'; known: ${loaded.measures.map((m) => m.measure.id).join(', ')}`,
        );
      }
      const value = {
        file: found.file,
        regime_version: loaded.version,
        instrument: found.instrument,
        measure: found.measure,
      };
      process.stdout.write(
        flags.format === 'json'
          ? `${JSON.stringify(value, null, 2)}\n`
          : stringify(value, { lineWidth: 100 }),
      );
    });

  regime
    .command('check')
    .description('Validate a regime directory without screening: every problem, with file, line and path')
    .argument('[dir]', 'regime directory', DEFAULT_REGIME_DIR)
    .action((dir: string) => {
      const { regime: loaded, errors, files } = checkRegime(dir);
      if (loaded) {
        process.stdout.write(
          `ok: ${files.length} file(s), ${loaded.instruments.length} instrument(s), ${loaded.measures.length} measure(s), regime ${loaded.version}\n`,
        );
        return;
      }
      for (const e of errors)
        process.stdout.write(`${describeLocation(e.details)}: ${e.message} [${e.code}]\n`);
      process.stderr.write(`${errors.length} problem(s) in ${dir}\n`);
      process.exitCode = 1;
    });
}
