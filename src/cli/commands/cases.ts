/**
 * `embargo cases list|show|open|assign|note|request-info|attach|decide`. Every HOLD opens a case
 * when screened into the store. The CLI acts as `--as <user>` (or EMBARGO_USER).
 */
import type { Command } from 'commander';
import type { CaseState } from '../../core/cases/case-rules.js';
import { EmbargoError } from '../../core/errors.js';
import type { Jurisdiction } from '../../core/regime/measure-schema.js';
import { loadPartyCheck } from '../../ingest/lists/party-check-loader.js';
import {
  assignCase,
  attachToCase,
  decideCase,
  getCaseOrThrow,
  listCases,
  noteCase,
  openCaseFor,
  requestInfo,
  showCase,
} from '../../services/cases-service.js';
import { regimeScreener } from '../../services/regime-screener.js';
import { actingUser, withStore } from '../../services/store-session.js';
import { resolveDataDir } from '../config.js';
import { formatRows, parseFormat } from '../output.js';
import { type StoreOpts, withActor } from '../store-options.js';

function caseRow(c: CaseState) {
  return {
    id: c.id,
    declaration: c.declarationId,
    version: c.version,
    status: c.status,
    screening: c.screeningOutcome,
    party_match: c.partyMatch,
    assignee: c.assignee,
    proposed: c.proposedOutcome ? `${c.proposedOutcome} by ${c.proposedBy}` : null,
    outcome: c.outcome,
    decided_by: c.decidedBy,
    opened_at: c.openedAt,
    updated_at: c.updatedAt,
  };
}

function printCase(c: CaseState, verb: string): void {
  const extra =
    c.status === 'pending-approval'
      ? `; ${c.proposedOutcome} proposed by ${c.proposedBy} awaits a different supervisor's confirmation`
      : c.status === 'closed'
        ? `; decided ${c.outcome} by ${c.decidedBy}`
        : '';
  process.stdout.write(
    `${c.id} ${verb}: ${c.status} (declaration ${c.declarationId} v${c.version}, screening ${c.screeningOutcome})${extra}\n`,
  );
}

export function register(program: Command): void {
  const cases = program
    .command('cases')
    .description('held declarations worked by officers and signed off by supervisors');
  withActor(
    cases
      .command('list')
      .description('list cases')
      .option('--status <status>', 'open | info-requested | pending-approval | closed')
      .option('--assignee <user>', 'only cases assigned to this user')
      .option('--format <format>', 'table | json | jsonl | csv', 'table'),
  ).action(async (opts: StoreOpts & { status?: string; assignee?: string; format: string }) => {
    const format = parseFormat(opts.format);
    const rows = await withStore(
      opts,
      () => resolveDataDir(),
      (store) => listCases(store, opts),
    );
    process.stdout.write(formatRows(rows.map(caseRow), format));
  });
  withActor(
    cases
      .command('show <id>')
      .description('a case and its history')
      .option('--format <format>', 'text | json', 'text'),
  ).action(async (id: string, opts: StoreOpts & { format: string }) => {
    const { case: c, events } = await withStore(
      opts,
      () => resolveDataDir(),
      (store) => showCase(store, id),
    );
    if (opts.format === 'json') {
      process.stdout.write(`${JSON.stringify({ ...caseRow(c), events }, null, 2)}\n`);
      return;
    }
    const lines = Object.entries(caseRow(c)).map(([k, v]) => `${k.padEnd(12)} ${v ?? ''}`);
    lines.push('history:');
    for (const e of events)
      lines.push(`  ${e.seq}. ${e.at} ${e.actor} ${e.action} ${JSON.stringify(e.payload)}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  });
  withActor(
    cases.command('open <declaration-id>').description("open a case on a declaration's latest decision"),
  ).action(async (declarationId: string, opts: StoreOpts) => {
    const c = await withStore(
      opts,
      () => resolveDataDir(),
      (store) => openCaseFor(store, actingUser(opts.as), declarationId),
    );
    printCase(c, 'opened');
  });
  withActor(
    cases.command('assign <id> <user>').description('assign the case to an officer or supervisor'),
  ).action(async (id: string, user: string, opts: StoreOpts) => {
    printCase(
      await withStore(
        opts,
        () => resolveDataDir(),
        (s) => assignCase(s, actingUser(opts.as), id, user),
      ),
      'assigned',
    );
  });
  withActor(cases.command('note <id> <text...>').description('add a note')).action(
    async (id: string, text: string[], opts: StoreOpts) => {
      printCase(
        await withStore(
          opts,
          () => resolveDataDir(),
          (s) => noteCase(s, actingUser(opts.as), id, text.join(' ')),
        ),
        'noted',
      );
    },
  );
  withActor(
    cases.command('request-info <id> <text...>').description('ask the declarant for information'),
  ).action(async (id: string, text: string[], opts: StoreOpts) => {
    printCase(
      await withStore(
        opts,
        () => resolveDataDir(),
        (s) => requestInfo(s, actingUser(opts.as), id, text.join(' ')),
      ),
      'information requested',
    );
  });
  withActor(
    cases
      .command('attach <id> <type:reference>')
      .description('attach a document or approval reference and re-screen the declaration with it'),
  ).action(async (id: string, reference: string, opts: StoreOpts) => {
    const result = await withStore(
      opts,
      () => resolveDataDir(),
      async (store) => {
        const c = await getCaseOrThrow(store, id);
        const last = (await store.decisionsOf(c.declarationId)).filter((d) => d.version === c.version).at(-1);
        const jurisdiction = (last?.decision.jurisdiction ?? 'CN') as Jurisdiction;
        // Re-screen as `embargo screen` would, parties included: a designated party must still refuse.
        const parties = (last?.decision.lists.length ?? 0) > 0 ? loadPartyCheck(resolveDataDir()) : undefined;
        return attachToCase(
          store,
          regimeScreener({ jurisdiction, parties }),
          actingUser(opts.as),
          id,
          reference,
        );
      },
    );
    printCase(result.case, 'attached and re-screened');
    const d = result.screening.decision;
    process.stdout.write(`  re-screened ${d.id} v${result.screening.version}: ${d.decision}\n`);
    for (const r of d.reasons) process.stdout.write(`    - ${r.kind}: ${r.text}\n`);
  });
  withActor(
    cases
      .command('decide <id> <decision>')
      .description(
        'decide CLEAR or REFUSE with a written reason (four eyes where needed: run again as another supervisor)',
      )
      .requiredOption('--reason <text>', 'why (required)'),
  ).action(async (id: string, decision: string, opts: StoreOpts & { reason: string }) => {
    if (!opts.reason?.trim())
      throw new EmbargoError('EMB_USAGE', '--reason must not be empty', { field: 'reason' });
    const c = await withStore(
      opts,
      () => resolveDataDir(),
      (s) => decideCase(s, actingUser(opts.as), id, decision, opts.reason),
    );
    printCase(c, c.status === 'closed' ? 'decided' : 'proposed');
  });
}
