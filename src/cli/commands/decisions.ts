/**
 * `embargo decisions list|count|show`: what screening into the store recorded. `list` and
 * `count` use each declaration's current decision (its latest); `show` gives every version with
 * every decision and its reasons.
 */
import type { Command } from 'commander';
import { EmbargoError } from '../../core/errors.js';
import { OUTCOMES } from '../../core/screening/decision.js';
import { withStore } from '../../services/store-session.js';
import type { StoredDecision } from '../../store/port.js';
import { resolveDataDir } from '../config.js';
import { formatRows, parseFormat } from '../output.js';
import { DB_OPTION_HELP } from '../store-options.js';

const dbOption = ['--db <path|url>', DB_OPTION_HELP] as const;

function row(d: StoredDecision) {
  return {
    id: d.declarationId,
    version: d.version,
    decision: d.decision.decision,
    exception: d.decision.exception,
    missing_documents: d.decision.missingDocuments,
    missing_approvals: d.decision.missingApprovals,
    reasons: d.decision.reasons.map((r) => ({
      kind: r.kind,
      measure: r.measure,
      citation: r.citation,
      text: r.text,
    })),
    as_of: d.decision.asOf,
    jurisdiction: d.decision.jurisdiction,
    regime_version: d.decision.regimeVersion,
    lists: d.decision.lists,
    decided_at: d.decidedAt,
  };
}

const TABLE_COLUMNS = [
  'id',
  'version',
  'decision',
  'exception',
  'missing_documents',
  'missing_approvals',
  'as_of',
  'decided_at',
];

export function register(program: Command): void {
  const decisions = program
    .command('decisions')
    .description('decisions recorded by `embargo screen --store`');
  decisions
    .command('list')
    .description("each declaration's current decision")
    .option('--decision <outcome>', 'only CLEAR, HOLD or REFUSE')
    .option('--limit <n>', 'at most n rows')
    .option('--format <format>', 'table | json | jsonl | csv', 'table')
    .option(...dbOption)
    .action(async (opts: { decision?: string; limit?: string; format: string; db?: string }) => {
      const format = parseFormat(opts.format);
      const decision = opts.decision?.toUpperCase();
      if (decision && !(OUTCOMES as readonly string[]).includes(decision)) {
        throw new EmbargoError('EMB_USAGE', `--decision must be one of ${OUTCOMES.join(', ')}`, {
          field: 'decision',
        });
      }
      const limit = opts.limit === undefined ? undefined : Number(opts.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
        throw new EmbargoError('EMB_USAGE', '--limit must be a whole number', { field: 'limit' });
      }
      const rows = await withStore(
        opts,
        () => resolveDataDir(),
        (store) => store.listDecisions({ decision, limit }),
      );
      process.stdout.write(formatRows(rows.map(row), format, format === 'table' ? TABLE_COLUMNS : undefined));
    });
  decisions
    .command('count')
    .description('how many declarations currently stand at each decision')
    .option('--format <format>', 'table | json | jsonl | csv', 'table')
    .option(...dbOption)
    .action(async (opts: { format: string; db?: string }) => {
      const format = parseFormat(opts.format);
      const counts = await withStore(
        opts,
        () => resolveDataDir(),
        (store) => store.countDecisions(),
      );
      const rows = OUTCOMES.map((decision) => ({ decision, count: counts[decision] ?? 0 }));
      rows.push({ decision: 'total' as never, count: rows.reduce((n, r) => n + r.count, 0) });
      process.stdout.write(formatRows(rows, format));
    });
  decisions
    .command('show <id>')
    .description('every version of a declaration with its decisions and reasons')
    .option('--format <format>', 'text | json | jsonl', 'text')
    .option(...dbOption)
    .action(async (id: string, opts: { format: string; db?: string }) => {
      const format = opts.format === 'text' ? 'text' : parseFormat(opts.format, ['json', 'jsonl']);
      const { versions, all } = await withStore(
        opts,
        () => resolveDataDir(),
        async (store) => ({
          versions: await store.declarationVersions(id),
          all: await store.decisionsOf(id),
        }),
      );
      if (versions.length === 0) {
        throw new EmbargoError(
          'EMB_DECLARATION_UNKNOWN',
          `no declaration ${id} was screened into the store`,
          { field: 'id' },
        );
      }
      const shaped = versions.map((v) => ({
        id: v.id,
        version: v.version,
        content_hash: v.contentHash,
        received_at: v.receivedAt,
        source: v.source,
        declaration: v.declaration,
        decisions: all.filter((d) => d.version === v.version).map(row),
      }));
      if (format !== 'text') {
        process.stdout.write(formatRows(shaped, format));
        return;
      }
      const out: string[] = [];
      for (const v of shaped) {
        out.push(
          `${v.id} version ${v.version} (received ${v.received_at} from ${v.source ?? '-'}, sha256 ${v.content_hash.slice(0, 12)}…)`,
        );
        for (const d of v.decisions) {
          out.push(
            `  ${d.decision} as of ${d.as_of} (${d.jurisdiction}, regime ${d.regime_version}) decided ${d.decided_at}`,
          );
          if (d.exception) out.push(`    exception: ${d.exception}`);
          if (d.missing_documents.length)
            out.push(`    missing documents: ${d.missing_documents.join(', ')}`);
          if (d.missing_approvals.length)
            out.push(`    missing approvals: ${d.missing_approvals.join(', ')}`);
          for (const r of d.reasons)
            out.push(
              `    - ${r.kind}${r.measure ? ` [${r.measure}]` : ''}: ${r.text}${r.citation ? ` (${r.citation})` : ''}`,
            );
        }
      }
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
