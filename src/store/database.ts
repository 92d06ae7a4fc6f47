/**
 * Table shapes as Kysely sees them. Both dialects store the same columns with the same meaning:
 * JSON as text (so SQLite and PostgreSQL hash and compare identical bytes), times as ISO text,
 * flags as integers 0/1. docs/formats.md ("Store, cases, approvals, audit") describes each table.
 */
import type { Generated } from 'kysely';

export interface SchemaMigrationsTable {
  name: string;
  applied_at: string;
}

export interface UsersTable {
  name: string;
  role: string;
  created_at: string;
  created_by: string;
}

export interface DeclarationsTable {
  id: string;
  version: number;
  /** sha256 of the canonical JSON of the declaration as received */
  content_hash: string;
  body: string;
  received_at: string;
  source: string | null;
}

export interface DecisionsTable {
  seq: Generated<number>;
  declaration_id: string;
  version: number;
  /** sha256 over regime version, as-of, jurisdiction and list versions: one decision per context */
  context_hash: string;
  decision: string;
  /** decision_outcomes.id: what the decision said and why (ST12) */
  outcome_id: number;
  as_of: string;
  decided_at: string;
  batch_id: string | null;
}

/** One distinct outcome, shared by every decision that has it (docs/decisions.md ST12). */
export interface DecisionOutcomesTable {
  id: Generated<number>;
  /** sha256 of outcomeText (src/store/decision-outcome.ts), also listed in the audit trail */
  hash: string;
  decision: string;
  reasons: string;
  missing_documents: string;
  missing_approvals: string;
  exception: string | null;
  conditions: string;
  jurisdiction: string;
  regime_version: string;
  lists: string;
}

export interface PartyHitsTable {
  decision_seq: number;
  idx: number;
  declaration_id: string;
  kind: string;
  outcome: string;
  text: string;
  details: string;
}

export interface CasesTable {
  id: string;
  num: number;
  declaration_id: string;
  version: number;
  status: string;
  screening_outcome: string;
  party_match: number;
  assignee: string | null;
  proposed_outcome: string | null;
  proposed_by: string | null;
  proposed_reason: string | null;
  outcome: string | null;
  outcome_reason: string | null;
  decided_by: string | null;
  opened_at: string;
  updated_at: string;
}

export interface CaseEventsTable {
  case_id: string;
  seq: number;
  at: string;
  actor: string;
  action: string;
  payload: string;
}

export interface ApprovalsTable {
  type: string;
  ref: string;
  chain: string;
  applicant: string;
  hs_code: string;
  quantity: number;
  unit: string;
  state: string;
  monitoring: string | null;
  note: string | null;
  created_at: string;
  created_by: string;
}

export interface ApprovalStepsTable {
  type: string;
  ref: string;
  seq: number;
  state: string;
  actor: string;
  date: string;
  reference: string | null;
  note: string | null;
  recorded_at: string;
  /** the embargo user who recorded the step (`actor` is the authority that took it) */
  recorded_by: string;
}

export interface ApprovalUsesTable {
  type: string;
  ref: string;
  declaration_id: string;
  version: number;
  quantity: number;
  unit: string;
  used_at: string;
}

export interface BatchesTable {
  id: string;
  source: string;
  started_at: string;
  updated_at: string;
  finished_at: string | null;
  /** input rows (screened or rejected) whose results are committed */
  rows_done: number;
  decisions: number;
  rejects: number;
}

export interface AuditLogTable {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  payload: string;
  prev_hash: string;
  hash: string;
}

export interface Database {
  schema_migrations: SchemaMigrationsTable;
  users: UsersTable;
  declarations: DeclarationsTable;
  decisions: DecisionsTable;
  decision_outcomes: DecisionOutcomesTable;
  party_hits: PartyHitsTable;
  cases: CasesTable;
  case_events: CaseEventsTable;
  approvals: ApprovalsTable;
  approval_steps: ApprovalStepsTable;
  approval_uses: ApprovalUsesTable;
  batches: BatchesTable;
  audit_log: AuditLogTable;
}
