/**
 * The one storage port. Services read through `Store` and change state only inside
 * `store.write(tx => …)`: one transaction that holds the store's write lock (SQLite `BEGIN
 * IMMEDIATE`, a PostgreSQL advisory lock), so every change and its audit entry land together or
 * not at all, and concurrent writers (processes or connections) serialise instead of losing rows.
 * `sqlite/` and `postgres/` provide the dialects; `kysely-store.ts` is the one implementation.
 */
import type { ApprovalChain, ApprovalStep } from '../core/approvals/approval-chain.js';
import type { AuditEntry, AuditInput } from '../core/audit/audit-chain.js';
import type { CaseEventDraft, CaseState } from '../core/cases/case-rules.js';
import type { Role } from '../core/cases/roles.js';
import type { Decision, Outcome } from '../core/screening/decision.js';
import type { Declaration } from '../core/screening/declaration.js';

/** The actions `hasAudit` can look up (a partial index serves exactly these). */
export type AnnouncementAction = 'regime.loaded' | 'list.loaded';

export const STORE_KINDS = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface UserRecord {
  name: string;
  role: Role;
  createdAt: string;
  createdBy: string;
}

export interface StoredDeclaration {
  id: string;
  version: number;
  contentHash: string;
  declaration: Declaration;
  receivedAt: string;
  source: string | null;
}

export interface StoredDecision {
  seq: number;
  declarationId: string;
  version: number;
  contextHash: string;
  decision: Decision;
  decidedAt: string;
  batchId: string | null;
}

export interface CaseEvent {
  caseId: string;
  seq: number;
  at: string;
  actor: string;
  action: string;
  payload: Record<string, unknown>;
}

export interface BatchRecord {
  id: string;
  source: string;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
  rowsDone: number;
  decisions: number;
  rejects: number;
}

export interface DeclarationInput {
  id: string;
  contentHash: string;
  source: string | null;
  /** the canonical JSON of the declaration, which the content hash was computed over */
  body: string;
}

/**
 * A decision as its row stores it, the JSON columns already serialised (on the screening thread,
 * so a writer thread receives strings: src/services/screening-service.ts `fillRecord`).
 */
export interface DecisionRecord {
  decision: Outcome;
  reasons: string;
  missingDocuments: string;
  missingApprovals: string;
  exception: string | null;
  conditions: string;
  asOf: string;
  jurisdiction: string;
  regimeVersion: string;
  lists: string;
  /** the party reasons, in order, for the party_hits table (`details` as JSON) */
  partyHits: { kind: string; outcome: string; text: string; details: string }[];
}

/** A decision row with its declaration's content hash, as `audit verify` compares it with the trail. */
export interface DecisionTrailRow extends Omit<DecisionRecord, 'partyHits'> {
  seq: number;
  declarationId: string;
  version: number;
  contextHash: string;
  batchId: string | null;
  /** the content hash of the declaration version it decides (null if that version is gone) */
  contentHash: string | null;
}

export interface DecisionInput {
  declarationId: string;
  version: number;
  contextHash: string;
  decision: DecisionRecord;
  batchId: string | null;
  /** the version was created in this transaction: no decision can exist for it, skip the look-up */
  newVersion?: boolean;
  /** `outcomeHash(decision)` when the caller has it (src/store/decision-outcome.ts) */
  outcomeHash?: string;
}

export interface DecisionFilter {
  decision?: string;
  limit?: number;
}

/**
 * An audit entry whose payload the caller already wrote as text. `payloadJson` MUST be exactly
 * `canonicalJson(payload)` (e.g. JSON.stringify of an object literal with its keys in sorted order
 * and only strings, numbers, booleans or null as values): it is stored and hashed as given.
 */
export interface SerialisedAuditInput {
  actor: string;
  action: string;
  subject: string;
  payloadJson: string;
}

export interface StoreReader {
  getUser(name: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  countUsers(): Promise<number>;

  /** the stored version of `id` whose content hash is `contentHash`, if any */
  findDeclaration(id: string, contentHash: string): Promise<StoredDeclaration | undefined>;
  latestDeclaration(id: string): Promise<StoredDeclaration | undefined>;
  declarationVersions(id: string): Promise<StoredDeclaration[]>;
  /** decisions of one declaration, all versions, oldest first */
  decisionsOf(id: string): Promise<StoredDecision[]>;
  /** the current decision of each declaration (its most recent one), ordered by declaration id */
  listDecisions(filter?: DecisionFilter): Promise<StoredDecision[]>;
  countDecisions(): Promise<Record<string, number>>;
  findDecision(
    declarationId: string,
    version: number,
    contextHash: string,
  ): Promise<StoredDecision | undefined>;

  getCase(id: string): Promise<CaseState | undefined>;
  caseOf(declarationId: string, version: number): Promise<CaseState | undefined>;
  /** every case on any version of these declarations */
  casesOfDeclarations(ids: readonly string[]): Promise<CaseState[]>;
  listCases(filter?: { status?: string; assignee?: string }): Promise<CaseState[]>;
  caseEvents(id: string): Promise<CaseEvent[]>;

  getApproval(type: string, ref: string): Promise<ApprovalChain | undefined>;
  listApprovals(filter?: { chain?: string; state?: string }): Promise<ApprovalChain[]>;
  /** the chains of one approval type among `refs` (steps included), in one round trip or two */
  approvalsOf(type: string, refs: readonly string[]): Promise<ApprovalChain[]>;
  /** every recorded use of the chains of one type among `refs` */
  approvalUsesOf(
    type: string,
    refs: readonly string[],
  ): Promise<{ ref: string; declarationId: string; quantity: number }[]>;
  /** quantity (in the chain's unit) that declarations other than `exceptDeclarationId` used */
  approvalUsed(type: string, ref: string, exceptDeclarationId?: string): Promise<number>;

  getBatch(id: string): Promise<BatchRecord | undefined>;

  /** entries with seq > `afterSeq`, ascending, at most `limit` */
  auditPage(afterSeq: number, limit: number): Promise<AuditEntry[]>;
  /** decision rows after `afterSeq`, in seq order, for checking them against the trail */
  decisionTrailPage(afterSeq: number, limit: number): Promise<DecisionTrailRow[]>;
  auditBySeq(seq: number): Promise<AuditEntry | undefined>;
  /** the seq of the entry with this hash (the lowest, if several) */
  auditSeqOfHash(hash: string): Promise<number | undefined>;
  auditHead(): Promise<AuditEntry | undefined>;
  /** whether the trail already announced this regime or list version */
  hasAudit(action: AnnouncementAction, subject: string): Promise<boolean>;
}

export interface StoreWriter extends StoreReader {
  putUser(user: UserRecord): Promise<void>;
  /**
   * Stores declarations as received, idempotently: the same id and content → the existing version
   * (`created: false`); new content → the next version. Results are in input order.
   */
  putDeclarations(items: readonly DeclarationInput[]): Promise<{ version: number; created: boolean }[]>;
  /** Idempotent on (declaration id, version, context hash). Results are in input order. */
  putDecisions(items: readonly DecisionInput[]): Promise<{ seq: number; created: boolean }[]>;
  insertCase(state: CaseState, num: number): Promise<void>;
  /** new cases with their first event (`seq` 1), in bulk */
  insertCases(
    items: readonly { state: CaseState; num: number; event: CaseEventDraft; actor: string }[],
  ): Promise<void>;
  nextCaseNumber(): Promise<number>;
  updateCase(state: CaseState): Promise<void>;
  addCaseEvent(caseId: string, event: CaseEventDraft, actor: string): Promise<CaseEvent>;
  insertApproval(chain: ApprovalChain): Promise<void>;
  /** writes the chain's state and monitoring, and appends `step` */
  addApprovalStep(chain: ApprovalChain, step: ApprovalStep): Promise<void>;
  putApprovalUse(use: {
    type: string;
    ref: string;
    declarationId: string;
    version: number;
    quantity: number;
    unit: string;
  }): Promise<void>;
  putBatch(batch: BatchRecord): Promise<void>;
  /** appends one entry to the hash chain and returns it */
  appendAudit(input: AuditInput): Promise<AuditEntry>;
  /** appends entries in order (one round trip per few hundred) */
  appendAuditMany(inputs: readonly (AuditInput | SerialisedAuditInput)[]): Promise<AuditEntry[]>;
  /** the clock of this store (ISO timestamp) */
  now(): string;
  /**
   * Lets this transaction's commit return before the database has flushed it to disk (PostgreSQL
   * `synchronous_commit = off`; SQLite in WAL mode with `synchronous = NORMAL` already commits so).
   * A crash of the database server or machine may then lose the last commits, whole and in order,
   * never corrupt anything; for resumable batch chunks only (docs/decisions.md ST9).
   */
  deferFlush(): Promise<void>;
}

export interface Store extends StoreReader {
  readonly kind: StoreKind;
  /** where the store lives, without credentials (for messages) */
  readonly location: string;
  /** runs `fn` in one write transaction holding the store's write lock; rolls back if it throws */
  write<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T>;
  now(): string;
  close(): Promise<void>;
}
