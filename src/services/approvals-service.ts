/**
 * Approval chains as the CLI and the API use them: apply, advance, reject, show, list, each
 * change with its audit entry in one transaction; and the verifier screening consults.
 */
import {
  type ApplicationInput,
  type ApprovalChain,
  advanceApproval,
  applyForApproval,
  CHAIN_KINDS,
  chainForApprovalType,
  isChainKind,
  rejectApproval,
  type StepInput,
} from '../core/approvals/approval-chain.js';
import { type ApprovalVerdict, verifyApproval } from '../core/approvals/approval-verifier.js';
import { requirePermission } from '../core/cases/roles.js';
import { EmbargoError } from '../core/errors.js';
import type { Declaration } from '../core/screening/declaration.js';
import type { Store, StoreReader, StoreWriter } from '../store/port.js';
import { resolveActor } from './actor-service.js';

/** `un-record-filing:RF-1` → its parts, or a usage error. */
export function parseApprovalKey(key: string): { type: string; ref: string } {
  const at = key.indexOf(':');
  const type = at > 0 ? key.slice(0, at) : '';
  const ref = at > 0 ? key.slice(at + 1) : '';
  if (!chainForApprovalType(type) || !ref) {
    throw new EmbargoError(
      'EMB_USAGE',
      `expected <type>:<reference> with type un-record-filing or un-committee-approval, got '${key}'`,
      {
        field: 'approval',
      },
    );
  }
  return { type, ref };
}

function auditPayload(chain: ApprovalChain) {
  const step = chain.steps[chain.steps.length - 1];
  return {
    chain: chain.chain,
    state: chain.state,
    step: step && {
      seq: step.seq,
      actor: step.actor,
      date: step.date,
      reference: step.reference,
      note: step.note,
    },
  };
}

export async function applyApproval(
  store: Store,
  actingAs: string | undefined,
  input: Omit<ApplicationInput, 'chain'> & { chain: string },
): Promise<ApprovalChain> {
  if (!isChainKind(input.chain)) {
    throw new EmbargoError(
      'EMB_USAGE',
      `unknown chain '${input.chain}'; expected one of ${CHAIN_KINDS.join(', ')}`,
      {
        field: 'chain',
      },
    );
  }
  const chainKind = input.chain;
  return store.write(async (tx) => {
    const actor = await resolveActor(tx, actingAs);
    requirePermission(actor, 'record-approval', 'record approvals');
    const chain = applyForApproval({ ...input, chain: chainKind }, actor.name, tx.now());
    if (await tx.getApproval(chain.type, chain.ref)) {
      throw new EmbargoError('EMB_APPROVAL_EXISTS', `approval ${chain.type}:${chain.ref} already exists`, {
        field: 'ref',
      });
    }
    await tx.insertApproval(chain);
    await tx.appendAudit({
      actor: actor.name,
      action: 'approval.applied',
      subject: `approval:${chain.type}:${chain.ref}`,
      payload: {
        ...auditPayload(chain),
        applicant: chain.applicant,
        hs_code: chain.hsCode,
        quantity: chain.quantity,
        unit: chain.unit,
        monitoring: chain.monitoring,
      },
    });
    return chain;
  });
}

async function stepApproval(
  store: Store,
  actingAs: string | undefined,
  key: string,
  input: StepInput,
  how: 'advance' | 'reject',
): Promise<ApprovalChain> {
  const { type, ref } = parseApprovalKey(key);
  return store.write(async (tx) => {
    const actor = await resolveActor(tx, actingAs);
    requirePermission(actor, 'record-approval', 'record approval steps');
    const chain = await getApprovalOrThrow(tx, type, ref);
    const next =
      how === 'reject'
        ? rejectApproval(chain, input, actor.name, tx.now())
        : advanceApproval(chain, input, actor.name, tx.now());
    const step = next.steps[next.steps.length - 1]!;
    await tx.addApprovalStep(next, step);
    await tx.appendAudit({
      actor: actor.name,
      action: next.state === 'rejected' ? 'approval.rejected' : 'approval.advanced',
      subject: `approval:${type}:${ref}`,
      payload: { ...auditPayload(next), monitoring: next.monitoring },
    });
    return next;
  });
}

export const advanceApprovalStep = (
  store: Store,
  actingAs: string | undefined,
  key: string,
  input: StepInput,
) => stepApproval(store, actingAs, key, input, 'advance');

export const rejectApprovalStep = (
  store: Store,
  actingAs: string | undefined,
  key: string,
  input: StepInput,
) => stepApproval(store, actingAs, key, input, 'reject');

export async function getApprovalOrThrow(
  store: StoreReader,
  type: string,
  ref: string,
): Promise<ApprovalChain> {
  const chain = await store.getApproval(type, ref);
  if (!chain)
    throw new EmbargoError('EMB_APPROVAL_UNKNOWN', `no approval ${type}:${ref} is on record`, {
      field: 'ref',
    });
  return chain;
}

export async function showApproval(store: StoreReader, key: string) {
  const { type, ref } = parseApprovalKey(key);
  const chain = await getApprovalOrThrow(store, type, ref);
  return { chain, used: await store.approvalUsed(type, ref) };
}

/**
 * Verdicts on every approval a declaration cites, against the chains stored now. Quantities other
 * declarations already used count against the chain; this declaration's own earlier use does not
 * (re-screening it must not refuse it for its own consumption).
 */
export async function verifyDeclarationApprovals(
  store: StoreReader,
  declaration: Declaration,
): Promise<ApprovalVerdict[]> {
  const verdicts: ApprovalVerdict[] = [];
  for (const reference of declaration.approvals) {
    const chain = chainForApprovalType(reference.type)
      ? await store.getApproval(reference.type, reference.reference)
      : undefined;
    const used = chain ? await store.approvalUsed(chain.type, chain.ref, declaration.id) : 0;
    verdicts.push(verifyApproval(declaration, reference, chain, used));
  }
  return verdicts;
}

/** Records what a cleared declaration drew on its accepted approvals. */
export async function recordApprovalUses(
  tx: StoreWriter,
  declarationId: string,
  version: number,
  verdicts: readonly ApprovalVerdict[],
): Promise<void> {
  for (const v of verdicts) {
    if (!v.accepted || v.quantity === undefined || !v.unit) continue;
    await tx.putApprovalUse({
      type: v.reference.type,
      ref: v.reference.reference,
      declarationId,
      version,
      quantity: v.quantity,
      unit: v.unit,
    });
  }
}
