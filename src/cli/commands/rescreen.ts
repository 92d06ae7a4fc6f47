/**
 * `embargo rescreen <file> --as-of <date>` / `--compare-as-of <d1> <d2>`: a what-if view. The same
 * declarations are screened under two dates' law and every declaration whose decision changes is
 * listed with why (reasons that appeared, reasons that went away). With `--as-of`, the first side
 * is each declaration's own date. With `--against-regime <dir>`, the second side uses a draft regime
 * directory (a supervisor's new measure before it takes effect), on the same date(s). Each side
 * screens in date order with its own fresh cap ledger.
 */
import { createReadStream, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EmbargoError } from '../../core/errors.js';
import { compileRegime } from '../../core/regime/compile.js';
import { compareDecisions, type DecisionChange } from '../../core/regime/diff-decisions.js';
import { CapLedger } from '../../core/screening/cap-ledger.js';
import type { Declaration } from '../../core/screening/declaration.js';
import { reasonToJson, screenBatch } from '../../core/screening/screen.js';
import { readDeclarations } from '../../ingest/declarations/declaration-reader.js';
import type { RowError } from '../../ingest/declarations/declaration-row.js';
import { DEFAULT_REGIME_DIR, loadRegime } from '../../ingest/regime-loader.js';
import { EXIT } from '../main.js';
import { formatRows, parseFormat, type Row } from '../output.js';
import { parseDateFlag, parseJurisdiction } from './regime-history.js';

/** Reads a whole declarations file (CSV, JSON or JSON lines): the good rows and the rejected ones. */
export async function readDeclarationFile(
  file: string,
): Promise<{ items: Declaration[]; errors: RowError[] }> {
  const items: Declaration[] = [];
  const errors: RowError[] = [];
  let stream: ReturnType<typeof createReadStream>;
  try {
    stream = createReadStream(file);
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (cause) {
    throw new EmbargoError('EMB_FILE_NOT_FOUND', `cannot read ${file}`, { file }, { cause });
  }
  for await (const batch of readDeclarations(stream, {
    file,
    onNotice: (m) => process.stderr.write(`notice: ${m}\n`),
  })) {
    for (const item of batch.items) items.push(item.declaration);
    for (const e of batch.errors) errors.push(e);
  }
  return { items, errors };
}

/** Writes rejected rows to stderr, one per line with file, line and field. */
export function reportRejects(file: string, errors: readonly RowError[]): void {
  for (const e of errors)
    process.stderr.write(
      `rejected: ${file}:${e.line}${e.field ? ` field '${e.field}'` : ''}: ${e.reason} [${e.code}]\n`,
    );
}

export function changeRows(changes: readonly DecisionChange[]): Row[] {
  return changes.map((c) => ({
    id: c.id,
    before: `${c.before.decision} (${c.before.asOf})`,
    after: `${c.after.decision} (${c.after.asOf})`,
    exception_before: c.before.exception ?? '',
    exception_after: c.after.exception ?? '',
    why: c.why.join(' | '),
  }));
}

const changeJson = (c: DecisionChange) => ({
  id: c.id,
  before: { decision: c.before.decision, as_of: c.before.asOf, exception: c.before.exception },
  after: { decision: c.after.decision, as_of: c.after.asOf, exception: c.after.exception },
  gained: c.gained.map(reasonToJson),
  lost: c.lost.map(reasonToJson),
  why: c.why,
});

export function register(program: Command): void {
  program
    .command('rescreen')
    .description(
      'What-if: screen the same declarations under two dates and list every decision that changes, and why',
    )
    .argument('<file>', 'declarations (CSV, JSON or JSON lines)')
    .option('--as-of <date>', "compare each declaration's own date with this date")
    .option('--compare-as-of <dates...>', 'compare two dates: --compare-as-of <date1> <date2>')
    .option('--jurisdiction <j>', 'UN or CN', 'CN')
    .option('--format <f>', 'table, json, jsonl or csv', 'table')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--regime-dir <dir>', 'regime directory (default: the shipped regimes/)')
    .option('--against-regime <dir>', 'a second (draft) regime directory: what would a new measure change?')
    .action(
      async (
        file: string,
        opts: {
          asOf?: string;
          compareAsOf?: string[];
          jurisdiction?: string;
          format?: string;
          out?: string;
          regimeDir?: string;
          againstRegime?: string;
        },
      ) => {
        const format = parseFormat(opts.format);
        const jurisdiction = parseJurisdiction(opts.jurisdiction);
        if (!jurisdiction)
          throw new EmbargoError('EMB_USAGE', '--jurisdiction must be UN or CN for rescreening');
        const against = opts.againstRegime;
        if (opts.asOf !== undefined && opts.compareAsOf !== undefined)
          throw new EmbargoError(
            'EMB_USAGE',
            'give only one of --as-of <date> or --compare-as-of <date1> <date2>',
          );
        if (opts.asOf === undefined && opts.compareAsOf === undefined && against === undefined)
          throw new EmbargoError(
            'EMB_USAGE',
            'give one of --as-of <date> or --compare-as-of <date1> <date2> (or --against-regime <dir>)',
          );
        // the two sides' dates: undefined = each declaration's own date
        let first: string | undefined;
        let second: string | undefined;
        if (opts.compareAsOf) {
          if (opts.compareAsOf.length !== 2)
            throw new EmbargoError(
              'EMB_USAGE',
              `--compare-as-of takes two dates, got ${opts.compareAsOf.length}`,
            );
          first = parseDateFlag(opts.compareAsOf[0], '--compare-as-of');
          second = parseDateFlag(opts.compareAsOf[1], '--compare-as-of');
        } else if (opts.asOf !== undefined) {
          second = parseDateFlag(opts.asOf, '--as-of');
          // against a draft regime, both sides are judged on the same day
          if (against !== undefined) first = second;
        }

        const compiledA = compileRegime(loadRegime(opts.regimeDir ?? DEFAULT_REGIME_DIR));
        const compiledB = against === undefined ? compiledA : compileRegime(loadRegime(against));
        const { items, errors } = await readDeclarationFile(file);
        reportRejects(file, errors);
        const side = (compiled: typeof compiledA, asOf: string | undefined) =>
          screenBatch(compiled, items, {
            jurisdiction,
            ledger: new CapLedger(compiled.units),
            ...(asOf ? { asOf } : {}),
          });
        const before = side(compiledA, first);
        const after = side(compiledB, second);
        const changes = before.flatMap((b, i) => {
          const c = compareDecisions(b, after[i]!);
          return c ? [c] : [];
        });
        const text =
          format === 'json'
            ? `${JSON.stringify(changes.map(changeJson), null, 2)}\n`
            : format === 'jsonl'
              ? changes.map((c) => JSON.stringify(changeJson(c))).join('\n') + (changes.length ? '\n' : '')
              : formatRows(changeRows(changes), format, [
                  'id',
                  'before',
                  'after',
                  'exception_before',
                  'exception_after',
                  'why',
                ]);
        if (opts.out) writeFileSync(opts.out, text);
        else process.stdout.write(text);
        process.stderr.write(
          `${items.length} declaration(s) screened as of ${first ?? 'their own dates'}${against ? ` (regime ${compiledA.version})` : ''} and ${second ?? 'their own dates'}${against ? ` (regime ${compiledB.version})` : ''}: ${changes.length} decision(s) change${errors.length ? `; ${errors.length} row(s) rejected` : ''}\n`,
        );
        if (errors.length > 0) process.exitCode = EXIT.rejects;
      },
    );
}
