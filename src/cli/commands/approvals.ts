/**
 * `embargo approvals apply|advance|reject|show|list`: the prior-approval chains behind the
 * exceptions (Rason transit coal record-filing; Committee approval of aviation fuel for
 * humanitarian needs). Declarations cite them as `un-record-filing:<ref>` / `un-committee-approval:<ref>`.
 */
import type { Command } from 'commander';
import { type ApprovalChain, CHAIN_KINDS, CHAINS, nextStates } from '../../core/approvals/approval-chain.js';
import { EmbargoError } from '../../core/errors.js';
import {
  advanceApprovalStep,
  applyApproval,
  rejectApprovalStep,
  showApproval,
} from '../../services/approvals-service.js';
import { actingUser, withStore } from '../../services/store-session.js';
import { resolveDataDir } from '../config.js';
import { formatRows, parseFormat } from '../output.js';
import { type StoreOpts, withActor } from '../store-options.js';

function chainRow(c: ApprovalChain) {
  return {
    approval: `${c.type}:${c.ref}`,
    chain: c.chain,
    state: c.state,
    applicant: c.applicant,
    hs_code: c.hsCode,
    quantity: c.quantity,
    unit: c.unit,
    monitoring: c.monitoring,
    next: nextStates(c),
  };
}

function printChain(c: ApprovalChain, used?: number): void {
  const lines = [
    `${c.type}:${c.ref} (${c.chain}, ${CHAINS[c.chain].citation})`,
    `  state      ${c.state}${nextStates(c).length ? ` (next: ${nextStates(c).join(' or ')})` : ''}`,
    `  applicant  ${c.applicant}`,
    `  goods      HS ${c.hsCode}, ${c.quantity} ${c.unit}${used !== undefined ? ` (${used} ${c.unit} used)` : ''}`,
  ];
  if (c.monitoring) lines.push(`  monitoring ${c.monitoring}`);
  lines.push('  steps:');
  for (const s of c.steps) {
    lines.push(
      `    ${s.seq}. ${s.date} ${s.state} by ${s.actor}${s.reference ? ` [${s.reference}]` : ''}${s.note ? ` — ${s.note}` : ''} (recorded by ${s.recordedBy})`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function positive(value: string, field: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new EmbargoError('EMB_USAGE', `--${field} must be a positive number`, { field });
  return n;
}

const today = () => new Date().toISOString().slice(0, 10);

export function register(program: Command): void {
  const approvals = program
    .command('approvals')
    .description('prior-approval chains (Rason transit coal, humanitarian aviation fuel)');
  withActor(
    approvals
      .command('apply')
      .description('record an application: the first step of a chain')
      .requiredOption('--chain <kind>', CHAIN_KINDS.join(' | '))
      .requiredOption('--ref <reference>', 'the reference declarations will cite')
      .requiredOption('--applicant <name>', 'the applying enterprise (importer for coal, exporter for fuel)')
      .requiredOption('--hs <code>', 'HS code (prefix) of the goods')
      .requiredOption('--quantity <n>', 'approved quantity')
      .requiredOption('--unit <unit>', 't | kg | l | m3 | bbl')
      .option('--date <yyyy-mm-dd>', 'date of the application (default: today)')
      .option('--reference <text>', "the application's own reference")
      .option('--monitoring <text>', 'monitoring arrangements for delivery and use')
      .option('--note <text>', 'note'),
  ).action(
    async (
      opts: StoreOpts & {
        chain: string;
        ref: string;
        applicant: string;
        hs: string;
        quantity: string;
        unit: string;
        date?: string;
        reference?: string;
        monitoring?: string;
        note?: string;
      },
    ) => {
      const chain = await withStore(
        opts,
        () => resolveDataDir(),
        (store) =>
          applyApproval(store, actingUser(opts.as), {
            chain: opts.chain,
            ref: opts.ref,
            applicant: opts.applicant,
            hsCode: opts.hs,
            quantity: positive(opts.quantity, 'quantity'),
            unit: opts.unit,
            date: opts.date ?? today(),
            reference: opts.reference,
            monitoring: opts.monitoring,
            note: opts.note,
          }),
      );
      printChain(chain);
    },
  );
  for (const how of ['advance', 'reject'] as const) {
    withActor(
      approvals
        .command(`${how} <type:ref>`)
        .description(
          how === 'advance' ? 'record the next step of the chain' : 'record that the chain was rejected',
        )
        .requiredOption(
          '--actor <authority>',
          'who took the step, e.g. "Liaoning DOFCOM", MOFCOM, MFA, "1718 Committee"',
        )
        .option('--date <yyyy-mm-dd>', 'when (default: today)')
        .option('--reference <text>', "the authority's reference")
        .option('--note <text>', how === 'reject' ? 'why it was rejected (or give --reference)' : 'note')
        .option('--monitoring <text>', 'monitoring arrangements (required to approve aviation fuel)')
        .option('--state <state>', 'the state reached (default: the next one)'),
    ).action(
      async (
        key: string,
        opts: StoreOpts & {
          actor: string;
          date?: string;
          reference?: string;
          note?: string;
          monitoring?: string;
          state?: string;
        },
      ) => {
        const input = {
          actor: opts.actor,
          date: opts.date ?? today(),
          reference: opts.reference,
          note: opts.note,
          monitoring: opts.monitoring,
          state: opts.state,
        };
        const chain = await withStore(
          opts,
          () => resolveDataDir(),
          (store) =>
            how === 'advance'
              ? advanceApprovalStep(store, actingUser(opts.as), key, input)
              : rejectApprovalStep(store, actingUser(opts.as), key, input),
        );
        printChain(chain);
      },
    );
  }
  withActor(
    approvals.command('show <type:ref>').description('a chain with every step and the quantity used'),
  ).action(async (key: string, opts: StoreOpts) => {
    const { chain, used } = await withStore(
      opts,
      () => resolveDataDir(),
      (store) => showApproval(store, key),
    );
    printChain(chain, used);
  });
  withActor(
    approvals
      .command('list')
      .description('list chains')
      .option('--chain <kind>', CHAIN_KINDS.join(' | '))
      .option('--state <state>', 'only chains in this state')
      .option('--format <format>', 'table | json | jsonl | csv', 'table'),
  ).action(async (opts: StoreOpts & { chain?: string; state?: string; format: string }) => {
    const format = parseFormat(opts.format);
    const rows = await withStore(
      opts,
      () => resolveDataDir(),
      (store) => store.listApprovals(opts),
    );
    process.stdout.write(formatRows(rows.map(chainRow), format));
  });
}
