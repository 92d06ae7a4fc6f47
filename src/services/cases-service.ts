/**
 * Case work as the CLI and the API do it. Each operation loads the case inside a write
 * transaction, applies the pure rule (src/core/cases), and writes the case, its event and its
 * audit entry together. Attaching a document or approval reference re-screens the declaration
 * with it added (a new declaration version) and the case follows the new version.
 */
import {
  applyCaseAction,
  CASE_OUTCOMES,
  type CaseAction,
  type CaseOutcome,
  type CaseState,
  openCase,
} from '../core/cases/case-rules.js';
import { requirePermission } from '../core/cases/roles.js';
import { EmbargoError } from '../core/errors.js';
import { APPROVAL_TYPES, DOCUMENT_TYPES, type Reference } from '../core/screening/declaration.js';
import type { CaseEvent, Store, StoreReader, StoreWriter } from '../store/port.js';
import { resolveActor } from './actor-service.js';
import { recordApprovalUses, verifyDeclarationApprovals } from './approvals-service.js';
import { type RecordedScreening, recordScreenings, type Screener } from './screening-service.js';

export async function getCaseOrThrow(store: StoreReader, id: string): Promise<CaseState> {
  const found = await store.getCase(id);
  if (!found)
    throw new EmbargoError('EMB_CASE_UNKNOWN', `no case ${id} (list them with: embargo cases list)`, {
      field: 'case',
    });
  return found;
}

export async function listCases(store: StoreReader, filter: { status?: string; assignee?: string } = {}) {
  return store.listCases(filter);
}

export async function showCase(
  store: StoreReader,
  id: string,
): Promise<{ case: CaseState; events: CaseEvent[] }> {
  const found = await getCaseOrThrow(store, id);
  return { case: found, events: await store.caseEvents(id) };
}

async function act(
  store: Store,
  actingAs: string | undefined,
  id: string,
  action: CaseAction,
  extra?: (tx: StoreWriter, next: CaseState) => Promise<void>,
): Promise<CaseState> {
  return store.write(async (tx) => {
    const actor = await resolveActor(tx, actingAs);
    const current = await getCaseOrThrow(tx, id);
    const { state, event } = applyCaseAction(current, action, actor, tx.now());
    await tx.updateCase(state);
    await tx.addCaseEvent(id, event, actor.name);
    await tx.appendAudit({
      actor: actor.name,
      action: `case.${event.action}`,
      subject: `case:${id}`,
      payload: { declaration: state.declarationId, version: state.version, ...event.payload },
    });
    await extra?.(tx, state);
    return state;
  });
}

export async function assignCase(store: Store, actingAs: string | undefined, id: string, assignee: string) {
  // The assignee must be a user who can work cases.
  const target = await store.getUser(assignee.trim());
  if (!target)
    throw new EmbargoError('EMB_USER_UNKNOWN', `no user named '${assignee}' to assign`, {
      field: 'assignee',
    });
  requirePermission({ name: target.name, role: target.role }, 'work-case', `be assigned case ${id}`);
  return act(store, actingAs, id, { type: 'assign', assignee: target.name });
}

export const noteCase = (store: Store, actingAs: string | undefined, id: string, text: string) =>
  act(store, actingAs, id, { type: 'note', text });

export const requestInfo = (store: Store, actingAs: string | undefined, id: string, text: string) =>
  act(store, actingAs, id, { type: 'request-info', text });

/** `commitment-letter-livelihood:CL-17` or `un-record-filing:RF-1` → its kind and parts. */
export function parseAttachment(text: string): { kind: 'document' | 'approval'; reference: Reference } {
  const at = text.indexOf(':');
  const type = at > 0 ? text.slice(0, at).trim() : text.trim();
  const reference = at > 0 ? text.slice(at + 1).trim() : '';
  if ((APPROVAL_TYPES as readonly string[]).includes(type))
    return { kind: 'approval', reference: { type, reference } };
  if ((DOCUMENT_TYPES as readonly string[]).includes(type))
    return { kind: 'document', reference: { type, reference } };
  throw new EmbargoError(
    'EMB_USAGE',
    `unknown document or approval type '${type}'; expected one of ${[...DOCUMENT_TYPES, ...APPROVAL_TYPES].join(', ')}`,
    { field: 'reference' },
  );
}

/**
 * Attaches a document or approval reference and re-screens the declaration with it added: a new
 * declaration version, a new decision, and the case moves to that version with the new outcome.
 */
export async function attachToCase(
  store: Store,
  screener: Screener,
  actingAs: string | undefined,
  id: string,
  attachment: string,
): Promise<{ case: CaseState; screening: RecordedScreening }> {
  const { kind, reference } = parseAttachment(attachment);
  return store.write(async (tx) => {
    const actor = await resolveActor(tx, actingAs);
    const current = await getCaseOrThrow(tx, id);
    const { state, event } = applyCaseAction(current, { type: 'attach', kind, reference }, actor, tx.now());
    const stored = (await tx.declarationVersions(current.declarationId)).find(
      (v) => v.version === current.version,
    );
    if (!stored)
      throw new EmbargoError('EMB_DECLARATION_UNKNOWN', `declaration ${current.declarationId} is not stored`);
    const list = kind === 'approval' ? 'approvals' : 'documents';
    const before = stored.declaration;
    const already = before[list].some(
      (r) => r.type === reference.type && r.reference === reference.reference,
    );
    const declaration = already ? before : { ...before, [list]: [...before[list], reference] };
    await tx.updateCase(state);
    await tx.addCaseEvent(id, event, actor.name);
    await tx.appendAudit({
      actor: actor.name,
      action: 'case.attached',
      subject: `case:${id}`,
      payload: { declaration: state.declarationId, version: state.version, ...event.payload },
    });
    const [screening] = await recordScreenings(tx, screener, [declaration], {
      actor: actor.name,
      source: `case:${id}`,
      batchId: null,
      followCase: state,
    });
    const after = await getCaseOrThrow(tx, id);
    return { case: after, screening: screening! };
  });
}

/**
 * Decides the case. A CLEAR that needs four eyes (overriding REFUSE, or resting on a possible party
 * match) is first a proposal; the same call by a different supervisor confirms it.
 */
export async function decideCase(
  store: Store,
  actingAs: string | undefined,
  id: string,
  outcome: string,
  reason: string,
): Promise<CaseState> {
  const upper = outcome.trim().toUpperCase();
  if (!(CASE_OUTCOMES as readonly string[]).includes(upper)) {
    throw new EmbargoError('EMB_USAGE', `a case is decided CLEAR or REFUSE, not '${outcome}'`, {
      field: 'decision',
    });
  }
  return act(
    store,
    actingAs,
    id,
    { type: 'decide', outcome: upper as CaseOutcome, reason },
    async (tx, state) => {
      if (state.status !== 'closed' || state.outcome !== 'CLEAR') return;
      // A cleared case draws on the approvals its declaration cites, like a CLEAR from screening.
      const stored = (await tx.declarationVersions(state.declarationId)).find(
        (v) => v.version === state.version,
      );
      if (!stored) return;
      const verdicts = await verifyDeclarationApprovals(tx, stored.declaration);
      await recordApprovalUses(tx, state.declarationId, state.version, verdicts);
    },
  );
}

/**
 * Opens a case by hand on a declaration's latest decision (an officer challenging a REFUSE or
 * looking again at a CLEAR). HOLDs get theirs automatically.
 */
export async function openCaseFor(
  store: Store,
  actingAs: string | undefined,
  declarationId: string,
): Promise<CaseState> {
  return store.write(async (tx) => {
    const actor = await resolveActor(tx, actingAs);
    requirePermission(actor, 'work-case', 'open cases');
    const latest = await tx.latestDeclaration(declarationId);
    if (!latest)
      throw new EmbargoError(
        'EMB_DECLARATION_UNKNOWN',
        `no declaration ${declarationId} was screened into the store`,
      );
    const existing = await tx.caseOf(declarationId, latest.version);
    if (existing) return existing;
    const decisions = (await tx.decisionsOf(declarationId)).filter((d) => d.version === latest.version);
    const last = decisions[decisions.length - 1];
    if (!last)
      throw new EmbargoError('EMB_DECLARATION_UNKNOWN', `declaration ${declarationId} has no decision`);
    const num = await tx.nextCaseNumber();
    const { state, event } = openCase(
      {
        id: `C-${num}`,
        declarationId,
        version: latest.version,
        screeningOutcome: last.decision.decision,
        partyMatch: last.decision.reasons.some((r) => r.kind === 'party-possible-match'),
      },
      tx.now(),
    );
    await tx.insertCase(state, num);
    await tx.addCaseEvent(state.id, event, actor.name);
    await tx.appendAudit({
      actor: actor.name,
      action: 'case.opened',
      subject: `case:${state.id}`,
      payload: event.payload,
    });
    return state;
  });
}
