/**
 * Prior-approval chains from the founding document, as data and pure transitions.
 *
 * - Rason transit coal (MOFCOM/GAC Announcement No. 11 of 2016, item 1(2)): the importing
 *   enterprise applies to its provincial commerce authority → MOFCOM → Ministry of Foreign
 *   Affairs → notification to the UN Sanctions Committee for record-filing. A declaration cites it
 *   as `un-record-filing:<ref>`.
 * - Aviation fuel for verified humanitarian needs (item 3(1); UNSCR 2270 OP31(a)): case-by-case
 *   approval by the Sanctions Committee under monitoring arrangements for delivery and use. A
 *   declaration cites it as `un-committee-approval:<ref>`.
 * Either chain may be rejected at any step before its last.
 */
import { EmbargoError } from '../errors.js';
import type { ApprovalType, Direction } from '../screening/declaration.js';

export const CHAIN_KINDS = ['rason-transit-coal', 'aviation-fuel-humanitarian'] as const;
export type ChainKind = (typeof CHAIN_KINDS)[number];

export const REJECTED = 'rejected';

export interface ChainDefinition {
  kind: ChainKind;
  approvalType: ApprovalType;
  /** states in order; the first is where an application starts, the last means approved */
  states: readonly string[];
  /** the trade direction the approval covers, and which party of the declaration applied */
  direction: Direction;
  applicantParty: 'consignee' | 'consignor';
  /** the final step must record monitoring arrangements */
  requiresMonitoring: boolean;
  citation: string;
}

export const CHAINS: Readonly<Record<ChainKind, ChainDefinition>> = {
  'rason-transit-coal': {
    kind: 'rason-transit-coal',
    approvalType: 'un-record-filing',
    states: ['submitted', 'provincial-approved', 'mofcom-forwarded', 'mfa-notified', 'record-filed'],
    direction: 'import',
    applicantParty: 'consignee',
    requiresMonitoring: false,
    citation: 'MOFCOM/GAC Announcement No. 11 of 2016, item 1(2)',
  },
  'aviation-fuel-humanitarian': {
    kind: 'aviation-fuel-humanitarian',
    approvalType: 'un-committee-approval',
    states: ['submitted', 'committee-approved'],
    direction: 'export',
    applicantParty: 'consignor',
    requiresMonitoring: true,
    citation: 'MOFCOM/GAC Announcement No. 11 of 2016, item 3(1); UNSCR 2270 (2016) OP31(a)',
  },
};

export function chainForApprovalType(type: string): ChainDefinition | undefined {
  return Object.values(CHAINS).find((c) => c.approvalType === type);
}

export function isChainKind(value: string): value is ChainKind {
  return (CHAIN_KINDS as readonly string[]).includes(value);
}

export interface ApprovalStep {
  seq: number;
  state: string;
  /** the authority (or applicant) that took the step, e.g. `Liaoning DOFCOM` */
  actor: string;
  /** ISO date the step was taken */
  date: string;
  /** the authority's own reference for the step (letter number, Committee note) */
  reference: string | null;
  note: string | null;
  recordedAt: string;
  recordedBy: string;
}

export interface ApprovalChain {
  type: ApprovalType;
  /** the reference a declaration cites after `type:` */
  ref: string;
  chain: ChainKind;
  /** the enterprise that applied (importer for Rason coal, exporter for aviation fuel) */
  applicant: string;
  /** HS prefix the approval covers, digits only */
  hsCode: string;
  quantity: number;
  unit: string;
  state: string;
  monitoring: string | null;
  note: string | null;
  createdAt: string;
  createdBy: string;
  steps: ApprovalStep[];
}

export interface ApplicationInput {
  chain: ChainKind;
  ref: string;
  applicant: string;
  hsCode: string;
  quantity: number;
  unit: string;
  /** ISO date of the application */
  date: string;
  monitoring?: string;
  note?: string;
  reference?: string;
}

export interface StepInput {
  /** the state to move to; defaults to the next one in order */
  state?: string;
  actor: string;
  date: string;
  reference?: string;
  note?: string;
  /** monitoring arrangements (required by the Committee's approval of aviation fuel) */
  monitoring?: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function usage(message: string, field: string): EmbargoError {
  return new EmbargoError('EMB_USAGE', message, { field });
}

function requireDate(date: string): void {
  if (!ISO_DATE.test(date) || Number.isNaN(Date.parse(date))) {
    throw usage(`expected an ISO date YYYY-MM-DD, got '${date}'`, 'date');
  }
}

/** A new chain in its first state, with the application as step 1. */
export function applyForApproval(input: ApplicationInput, recordedBy: string, at: string): ApprovalChain {
  const def = CHAINS[input.chain];
  if (!input.ref.trim() || /[;:\s]/.test(input.ref)) {
    throw usage(`approval reference '${input.ref}' must be non-empty, without spaces, ';' or ':'`, 'ref');
  }
  if (!input.applicant.trim()) throw usage('the applicant is required', 'applicant');
  const hsCode = input.hsCode.replace(/[.\s]/g, '');
  if (!/^\d{2,10}$/.test(hsCode)) throw usage(`HS code '${input.hsCode}' must be 2–10 digits`, 'hs_code');
  if (!Number.isFinite(input.quantity) || input.quantity <= 0) {
    throw usage(`quantity must be a positive number, got ${input.quantity}`, 'quantity');
  }
  if (!unitFamily(input.unit))
    throw usage(`unknown unit '${input.unit}'; use one of ${Object.keys(UNITS).join(', ')}`, 'unit');
  requireDate(input.date);
  const first = def.states[0] ?? 'submitted';
  return {
    type: def.approvalType,
    ref: input.ref.trim(),
    chain: def.kind,
    applicant: input.applicant.trim(),
    hsCode,
    quantity: input.quantity,
    unit: input.unit,
    state: first,
    monitoring: input.monitoring?.trim() || null,
    note: input.note?.trim() || null,
    createdAt: at,
    createdBy: recordedBy,
    steps: [
      {
        seq: 1,
        state: first,
        actor: input.applicant.trim(),
        date: input.date,
        reference: input.reference ?? null,
        note: input.note?.trim() || null,
        recordedAt: at,
        recordedBy,
      },
    ],
  };
}

export function isFinal(chain: Pick<ApprovalChain, 'chain' | 'state'>): boolean {
  const states = CHAINS[chain.chain].states;
  return chain.state === states[states.length - 1];
}

/** The states a chain may move to next (empty once filed/approved or rejected). */
export function nextStates(chain: Pick<ApprovalChain, 'chain' | 'state'>): string[] {
  if (chain.state === REJECTED || isFinal(chain)) return [];
  const states = CHAINS[chain.chain].states;
  const next = states[states.indexOf(chain.state) + 1];
  return next ? [next, REJECTED] : [REJECTED];
}

function step(
  chain: ApprovalChain,
  state: string,
  input: StepInput,
  recordedBy: string,
  at: string,
): ApprovalChain {
  const allowed = nextStates(chain);
  if (!allowed.includes(state)) {
    throw new EmbargoError(
      'EMB_APPROVAL_STATE',
      `approval ${chain.type}:${chain.ref} is ${chain.state}; ` +
        (allowed.length ? `next may be ${allowed.join(' or ')}, not ${state}` : 'it takes no further step'),
      { field: 'state' },
    );
  }
  if (!input.actor.trim()) throw usage('each step needs the actor (the authority that took it)', 'actor');
  requireDate(input.date);
  const last = chain.steps[chain.steps.length - 1];
  if (last && input.date < last.date) {
    throw usage(`step date ${input.date} is before the previous step's date ${last.date}`, 'date');
  }
  const monitoring = input.monitoring?.trim() || chain.monitoring;
  const def = CHAINS[chain.chain];
  if (def.requiresMonitoring && state === def.states[def.states.length - 1] && !monitoring) {
    throw usage(
      `${def.approvalType} approvals must record the monitoring arrangements for delivery and use (--monitoring)`,
      'monitoring',
    );
  }
  return {
    ...chain,
    state,
    monitoring,
    steps: [
      ...chain.steps,
      {
        seq: chain.steps.length + 1,
        state,
        actor: input.actor.trim(),
        date: input.date,
        reference: input.reference?.trim() || null,
        note: input.note?.trim() || null,
        recordedAt: at,
        recordedBy,
      },
    ],
  };
}

/** Moves the chain one step on (to `input.state` or the next state in order). */
export function advanceApproval(
  chain: ApprovalChain,
  input: StepInput,
  recordedBy: string,
  at: string,
): ApprovalChain {
  // A filed or rejected chain has no next state: `step` refuses it with EMB_APPROVAL_STATE.
  const target = input.state ?? nextStates(chain).find((s) => s !== REJECTED) ?? 'a next state';
  if (target === REJECTED) return rejectApproval(chain, input, recordedBy, at);
  return step(chain, target, input, recordedBy, at);
}

export function rejectApproval(
  chain: ApprovalChain,
  input: StepInput,
  recordedBy: string,
  at: string,
): ApprovalChain {
  if (!input.note?.trim() && !input.reference?.trim()) {
    throw usage('a rejection needs a note or the authority reference saying why', 'note');
  }
  return step(chain, REJECTED, input, recordedBy, at);
}

/** Units an approval or declaration quantity may be stated in, with their factor to the family's base. */
export const UNITS: Readonly<Record<string, { family: 'mass' | 'volume'; factor: number }>> = {
  kg: { family: 'mass', factor: 1 },
  t: { family: 'mass', factor: 1000 },
  l: { family: 'volume', factor: 1 },
  m3: { family: 'volume', factor: 1000 },
  bbl: { family: 'volume', factor: 158.987294928 },
};

function unitFamily(unit: string) {
  return UNITS[unit.trim().toLowerCase()];
}

/** `quantity` of `from` in `to`, or undefined when the units do not convert (mass vs volume). */
export function convertQuantity(quantity: number, from: string, to: string): number | undefined {
  const a = unitFamily(from);
  const b = unitFamily(to);
  if (!a || !b || a.family !== b.family) return undefined;
  return (quantity * a.factor) / b.factor;
}
