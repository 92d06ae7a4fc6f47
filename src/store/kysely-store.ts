/**
 * The one implementation of the storage port, over Kysely. Dialect differences live in
 * sqlite/dialect.ts and postgres/dialect.ts (connection, write lock); everything here is the same
 * SQL on both. sha256 comes from node:crypto here, at the edge, and is handed to the pure chain code.
 */
import { createHash, hash } from 'node:crypto';
import { CompiledQuery, Kysely, type Selectable, sql } from 'kysely';
import type { ApprovalChain, ApprovalStep, ChainKind } from '../core/approvals/approval-chain.js';
import {
  type AuditEntry,
  type AuditInput,
  chainEntry,
  GENESIS_HASH,
  hashInput,
} from '../core/audit/audit-chain.js';
import type { CaseEventDraft, CaseOutcome, CaseState, CaseStatus } from '../core/cases/case-rules.js';
import type { Role } from '../core/cases/roles.js';
import { EmbargoError } from '../core/errors.js';
import type { Outcome } from '../core/screening/decision.js';
import type { ApprovalType, Declaration } from '../core/screening/declaration.js';
import type {
  ApprovalsTable,
  AuditLogTable,
  CasesTable,
  Database,
  DecisionOutcomesTable,
  DecisionsTable,
  DeclarationsTable,
} from './database.js';
import { outcomeHash } from './decision-outcome.js';
import { MIGRATIONS } from './migrations/index.js';
import type {
  AnnouncementAction,
  BatchRecord,
  CaseEvent,
  DecisionFilter,
  DecisionInput,
  DecisionTrailRow,
  DeclarationInput,
  SerialisedAuditInput,
  Store,
  StoredDecision,
  StoredDeclaration,
  StoreKind,
  StoreReader,
  StoreWriter,
  UserRecord,
} from './port.js';
import type { StoreDialect } from './store-dialect.js';

/** One-shot `crypto.hash` where Node has it (20.12+): no Hash object per digest, as on every stored row. */
export const sha256: (text: string) => string =
  typeof hash === 'function'
    ? (text) => hash('sha256', text, 'hex')
    : (text) => createHash('sha256').update(text).digest('hex');

const DECISION_COLUMNS = [
  'declaration_id',
  'version',
  'context_hash',
  'decision',
  'outcome_id',
  'as_of',
  'decided_at',
  'batch_id',
] as const;

const OUTCOME_COLUMNS = [
  'hash',
  'decision',
  'reasons',
  'missing_documents',
  'missing_approvals',
  'exception',
  'conditions',
  'jurisdiction',
  'regime_version',
  'lists',
] as const;

/**
 * Outcome ids by outcome hash (ST12): `committed` is the store's (kept across transactions, only
 * ids known to be committed), `pending` this transaction's, merged into `committed` on commit so a
 * rolled-back outcome row is never referred to.
 */
interface OutcomeIds {
  committed: Map<string, number>;
  pending: Map<string, number>;
}
/** distinct outcome ids a store keeps in memory at most (then it starts afresh) */
const OUTCOME_ID_LIMIT = 20_000;

/** `(?,?),(?,?)` / `($1,$2),($3,$4)` strings by dialect, row count and width: built once each. */
const PARAMETER_LISTS = new Map<string, string>();

/** Rows per INSERT (under SQLite's 32766 bound variables at 16 columns) and ids per IN list. */
const ROW_CHUNK = 500;
const ID_CHUNK = 900;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface StoreOptions {
  /** the clock (ISO timestamps); tests pass a fixed one */
  now?: () => string;
}

/** What a decision's outcome row says (ST12), as decision reads select it. */
const OUTCOME_TEXTS = [
  'o.reasons',
  'o.missing_documents',
  'o.missing_approvals',
  'o.exception',
  'o.conditions',
  'o.jurisdiction',
  'o.regime_version',
  'o.lists',
] as const;

/** A decision row's columns with its outcome's (ST12), as every decision read selects them. */
const DECISION_SELECT = [
  'd.seq',
  'd.declaration_id',
  'd.version',
  'd.context_hash',
  'd.decision',
  'd.as_of',
  'd.decided_at',
  'd.batch_id',
  ...OUTCOME_TEXTS,
] as const;

type DecisionRow = Omit<Selectable<DecisionsTable>, 'outcome_id'> &
  Omit<Selectable<DecisionOutcomesTable>, 'id' | 'hash' | 'decision'>;

const toDecision = (row: DecisionRow): StoredDecision => ({
  seq: Number(row.seq),
  declarationId: row.declaration_id,
  version: row.version,
  contextHash: row.context_hash,
  decidedAt: row.decided_at,
  batchId: row.batch_id,
  decision: {
    id: row.declaration_id,
    decision: row.decision as Outcome,
    reasons: JSON.parse(row.reasons),
    missingDocuments: JSON.parse(row.missing_documents),
    missingApprovals: JSON.parse(row.missing_approvals),
    exception: row.exception,
    conditions: JSON.parse(row.conditions),
    asOf: row.as_of,
    jurisdiction: row.jurisdiction,
    regimeVersion: row.regime_version,
    lists: JSON.parse(row.lists),
  },
});

const toDeclaration = (row: Selectable<DeclarationsTable>): StoredDeclaration => ({
  id: row.id,
  version: row.version,
  contentHash: row.content_hash,
  declaration: JSON.parse(row.body) as Declaration,
  receivedAt: row.received_at,
  source: row.source,
});

const toCase = (row: Selectable<CasesTable>): CaseState => ({
  id: row.id,
  declarationId: row.declaration_id,
  version: row.version,
  status: row.status as CaseStatus,
  screeningOutcome: row.screening_outcome as Outcome,
  partyMatch: Boolean(row.party_match),
  assignee: row.assignee,
  proposedOutcome: row.proposed_outcome as CaseOutcome | null,
  proposedBy: row.proposed_by,
  proposedReason: row.proposed_reason,
  outcome: row.outcome as CaseOutcome | null,
  outcomeReason: row.outcome_reason,
  decidedBy: row.decided_by,
  openedAt: row.opened_at,
  updatedAt: row.updated_at,
});

const caseColumns = (state: CaseState) => ({
  declaration_id: state.declarationId,
  version: state.version,
  status: state.status,
  screening_outcome: state.screeningOutcome,
  party_match: state.partyMatch ? 1 : 0,
  assignee: state.assignee,
  proposed_outcome: state.proposedOutcome,
  proposed_by: state.proposedBy,
  proposed_reason: state.proposedReason,
  outcome: state.outcome,
  outcome_reason: state.outcomeReason,
  decided_by: state.decidedBy,
  opened_at: state.openedAt,
  updated_at: state.updatedAt,
});

const toAudit = (row: Selectable<AuditLogTable>): AuditEntry => ({
  seq: Number(row.seq),
  at: row.at,
  actor: row.actor,
  action: row.action,
  subject: row.subject,
  payload: row.payload,
  prevHash: row.prev_hash,
  hash: row.hash,
});

const toApproval = (row: Selectable<ApprovalsTable>, steps: ApprovalStep[]): ApprovalChain => ({
  type: row.type as ApprovalType,
  ref: row.ref,
  chain: row.chain as ChainKind,
  applicant: row.applicant,
  hsCode: row.hs_code,
  quantity: Number(row.quantity),
  unit: row.unit,
  state: row.state,
  monitoring: row.monitoring,
  note: row.note,
  createdAt: row.created_at,
  createdBy: row.created_by,
  steps,
});

/** Reads (and, in a transaction, writes) over one Kysely handle: the pool or a locked connection. */
class Repository implements StoreWriter {
  constructor(
    protected readonly db: Kysely<Database>,
    readonly now: () => string,
    protected readonly dialectKind: StoreKind,
    /** the dialect's direct insert, given only to a write transaction's repository */
    private readonly insertRows?: StoreDialect['insertRows'],
    /** given only to a write transaction's repository */
    private readonly outcomeIds: OutcomeIds = { committed: new Map(), pending: new Map() },
  ) {}

  /** whether `db` is a write transaction's connection (the store's own reads use the pool) */
  protected get inTransaction(): boolean {
    return true;
  }

  /**
   * The hot bulk paths (screening into the store) skip Kysely's query builder: building and
   * compiling an AST of thousands of value nodes cost more than the database's own work. The SQL
   * is the same plain SQL on both dialects; only the parameter marker style (`?` or `$n`) differs.
   */
  private parameterList(rows: number, width: number): string {
    const key = `${this.dialectKind}:${rows}:${width}`;
    let text = PARAMETER_LISTS.get(key);
    if (text === undefined) {
      text = this.buildParameterList(rows, width);
      PARAMETER_LISTS.set(key, text);
    }
    return text;
  }

  private buildParameterList(rows: number, width: number): string {
    let n = 0;
    const one = this.dialectKind === 'postgres' ? () => `$${++n}` : () => '?';
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) {
      const cells: string[] = [];
      for (let c = 0; c < width; c++) cells.push(one());
      tuples.push(`(${cells.join(',')})`);
    }
    return tuples.join(',');
  }

  /** Inserts rows; with `seqs`, returns each row's integer key (`key`, `seq` by default) in input order. */
  private async rawInsert(
    table: string,
    columns: readonly string[],
    rows: readonly unknown[][],
    seqs = false,
    key = 'seq',
  ): Promise<number[]> {
    if (rows.length === 0) return [];
    if (this.insertRows)
      return this.insertRows(this.db as unknown as Kysely<unknown>, table, columns, rows, seqs, key);
    const out: number[] = [];
    for (const part of chunks(rows, ROW_CHUNK)) {
      const text =
        `insert into "${table}" (${columns.map((c) => `"${c}"`).join(',')}) values ` +
        this.parameterList(part.length, columns.length) +
        (seqs ? ` returning "${key}"` : '');
      const result = await this.db.executeQuery(CompiledQuery.raw(text, part.flat()));
      // Multi-row INSERT … RETURNING yields rows in VALUES order on PostgreSQL for a plain
      // insert; the seqs are also ascending, which we sort by to be safe.
      if (seqs)
        out.push(
          ...(result.rows as Record<string, unknown>[]).map((r) => Number(r[key])).sort((x, y) => x - y),
        );
    }
    return out;
  }

  private async rawSelectIn<T>(
    select: string,
    table: string,
    column: string,
    values: readonly string[],
  ): Promise<T[]> {
    const out: T[] = [];
    const parts = chunks([...new Set(values)], ID_CHUNK);
    // PostgreSQL, in a write transaction (ST19): every caller's column leads an index, but a table
    // without statistics (new, or grown since autovacuum last analysed it) got a sequential scan
    // per list, one more each chunk of a batch
    const indexOnly = this.dialectKind === 'postgres' && this.inTransaction && parts.length > 0;
    if (indexOnly) await this.db.executeQuery(CompiledQuery.raw('set local enable_seqscan = off'));
    for (const part of parts) {
      const marks = this.parameterList(1, part.length).slice(1, -1);
      const text = `select ${select} from "${table}" where "${column}" in (${marks})`;
      const result = await this.db.executeQuery(CompiledQuery.raw(text, part));
      out.push(...(result.rows as T[]));
    }
    if (indexOnly) await this.db.executeQuery(CompiledQuery.raw('reset enable_seqscan'));
    return out;
  }

  async getUser(name: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
    return (
      row && { name: row.name, role: row.role as Role, createdAt: row.created_at, createdBy: row.created_by }
    );
  }

  async listUsers(): Promise<UserRecord[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('name').execute();
    return rows.map((r) => ({
      name: r.name,
      role: r.role as Role,
      createdAt: r.created_at,
      createdBy: r.created_by,
    }));
  }

  async countUsers(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async findDeclaration(id: string, contentHash: string) {
    const row = await this.db
      .selectFrom('declarations')
      .selectAll()
      .where('id', '=', id)
      .where('content_hash', '=', contentHash)
      .executeTakeFirst();
    return row && toDeclaration(row);
  }

  async latestDeclaration(id: string) {
    const row = await this.db
      .selectFrom('declarations')
      .selectAll()
      .where('id', '=', id)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toDeclaration(row);
  }

  async declarationVersions(id: string) {
    const rows = await this.db
      .selectFrom('declarations')
      .selectAll()
      .where('id', '=', id)
      .orderBy('version')
      .execute();
    return rows.map(toDeclaration);
  }

  /** decisions joined with their outcomes (ST12) */
  private decisionRows() {
    return this.db
      .selectFrom('decisions as d')
      .innerJoin('decision_outcomes as o', 'o.id', 'd.outcome_id')
      .select(DECISION_SELECT);
  }

  async decisionsOf(id: string) {
    const rows = await this.decisionRows().where('d.declaration_id', '=', id).orderBy('d.seq').execute();
    return rows.map(toDecision);
  }

  /**
   * Each declaration's most recent decision. A non-correlated `seq in (select max(seq) … group by
   * declaration_id)`: PostgreSQL plans the correlated form as a scan per row (quadratic: ~2 min
   * for 30,000 decisions), this one as one aggregate and a hash join on both databases.
   */
  private currentDecisions() {
    return this.db.selectFrom('decisions as d').where('d.seq', 'in', (eb) =>
      eb
        .selectFrom('decisions as d2')
        .select((e) => e.fn.max('d2.seq').as('m'))
        .groupBy('d2.declaration_id'),
    );
  }

  async listDecisions(filter: DecisionFilter = {}) {
    let query = this.currentDecisions()
      .innerJoin('decision_outcomes as o', 'o.id', 'd.outcome_id')
      .select(DECISION_SELECT)
      .orderBy('d.declaration_id');
    if (filter.decision) query = query.where('d.decision', '=', filter.decision);
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    return (await query.execute()).map(toDecision);
  }

  async countDecisions() {
    const rows = await this.currentDecisions()
      .select(['d.decision', sql<number>`count(*)`.as('n')])
      .groupBy('d.decision')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.decision, Number(r.n)]));
  }

  async findDecision(declarationId: string, version: number, contextHash: string) {
    const row = await this.decisionRows()
      .where('d.declaration_id', '=', declarationId)
      .where('d.version', '=', version)
      .where('d.context_hash', '=', contextHash)
      .executeTakeFirst();
    return row && toDecision(row);
  }

  async getCase(id: string) {
    const row = await this.db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toCase(row);
  }

  async caseOf(declarationId: string, version: number) {
    const row = await this.db
      .selectFrom('cases')
      .selectAll()
      .where('declaration_id', '=', declarationId)
      .where('version', '=', version)
      .executeTakeFirst();
    return row && toCase(row);
  }

  async casesOfDeclarations(ids: readonly string[]) {
    const rows = await this.rawSelectIn<Selectable<CasesTable>>('*', 'cases', 'declaration_id', ids);
    return rows.map(toCase);
  }

  async listCases(filter: { status?: string; assignee?: string } = {}) {
    let query = this.db.selectFrom('cases').selectAll().orderBy('num');
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.assignee) query = query.where('assignee', '=', filter.assignee);
    return (await query.execute()).map(toCase);
  }

  async caseEvents(id: string): Promise<CaseEvent[]> {
    const rows = await this.db
      .selectFrom('case_events')
      .selectAll()
      .where('case_id', '=', id)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({
      caseId: r.case_id,
      seq: r.seq,
      at: r.at,
      actor: r.actor,
      action: r.action,
      payload: JSON.parse(r.payload),
    }));
  }

  private async stepsOf(type: string, ref: string): Promise<ApprovalStep[]> {
    const rows = await this.db
      .selectFrom('approval_steps')
      .selectAll()
      .where('type', '=', type)
      .where('ref', '=', ref)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({
      seq: r.seq,
      state: r.state,
      actor: r.actor,
      date: r.date,
      reference: r.reference,
      note: r.note,
      recordedAt: r.recorded_at,
      recordedBy: r.recorded_by,
    }));
  }

  async getApproval(type: string, ref: string) {
    const row = await this.db
      .selectFrom('approvals')
      .selectAll()
      .where('type', '=', type)
      .where('ref', '=', ref)
      .executeTakeFirst();
    return row && toApproval(row, await this.stepsOf(type, ref));
  }

  async listApprovals(filter: { chain?: string; state?: string } = {}) {
    let query = this.db.selectFrom('approvals').selectAll().orderBy('type').orderBy('ref');
    if (filter.chain) query = query.where('chain', '=', filter.chain);
    if (filter.state) query = query.where('state', '=', filter.state);
    const rows = await query.execute();
    return Promise.all(rows.map(async (r) => toApproval(r, await this.stepsOf(r.type, r.ref))));
  }

  async approvalsOf(type: string, refs: readonly string[]) {
    if (refs.length === 0) return [];
    const out: ApprovalChain[] = [];
    for (const part of chunks([...new Set(refs)], ID_CHUNK)) {
      const rows = await this.db
        .selectFrom('approvals')
        .selectAll()
        .where('type', '=', type)
        .where('ref', 'in', part)
        .execute();
      if (rows.length === 0) continue;
      const steps = await this.db
        .selectFrom('approval_steps')
        .selectAll()
        .where('type', '=', type)
        .where(
          'ref',
          'in',
          rows.map((r) => r.ref),
        )
        .orderBy('ref')
        .orderBy('seq')
        .execute();
      for (const row of rows) {
        out.push(
          toApproval(
            row,
            steps
              .filter((s) => s.ref === row.ref)
              .map((r) => ({
                seq: r.seq,
                state: r.state,
                actor: r.actor,
                date: r.date,
                reference: r.reference,
                note: r.note,
                recordedAt: r.recorded_at,
                recordedBy: r.recorded_by,
              })),
          ),
        );
      }
    }
    return out;
  }

  async approvalUsesOf(type: string, refs: readonly string[]) {
    if (refs.length === 0) return [];
    const out: { ref: string; declarationId: string; quantity: number }[] = [];
    for (const part of chunks([...new Set(refs)], ID_CHUNK)) {
      const rows = await this.db
        .selectFrom('approval_uses')
        .select(['ref', 'declaration_id', 'quantity'])
        .where('type', '=', type)
        .where('ref', 'in', part)
        .execute();
      out.push(
        ...rows.map((r) => ({ ref: r.ref, declarationId: r.declaration_id, quantity: Number(r.quantity) })),
      );
    }
    return out;
  }

  async approvalUsed(type: string, ref: string, exceptDeclarationId?: string) {
    let query = this.db
      .selectFrom('approval_uses')
      .select(sql<number>`coalesce(sum(quantity), 0)`.as('used'))
      .where('type', '=', type)
      .where('ref', '=', ref);
    if (exceptDeclarationId !== undefined) query = query.where('declaration_id', '<>', exceptDeclarationId);
    const row = await query.executeTakeFirstOrThrow();
    return Number(row.used);
  }

  async getBatch(id: string): Promise<BatchRecord | undefined> {
    const row = await this.db.selectFrom('batches').selectAll().where('id', '=', id).executeTakeFirst();
    return (
      row && {
        id: row.id,
        source: row.source,
        startedAt: row.started_at,
        updatedAt: row.updated_at,
        finishedAt: row.finished_at,
        rowsDone: Number(row.rows_done),
        decisions: Number(row.decisions),
        rejects: Number(row.rejects),
      }
    );
  }

  async auditPage(afterSeq: number, limit: number) {
    const rows = await this.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(toAudit);
  }

  async decisionTrailPage(afterSeq: number, limit: number): Promise<DecisionTrailRow[]> {
    const rows = await this.db
      .selectFrom('decisions as d')
      .leftJoin('declarations as c', (j) =>
        j.onRef('c.id', '=', 'd.declaration_id').onRef('c.version', '=', 'd.version'),
      )
      // a left join: a decision whose outcome row is gone reads as empty texts (and fails the check)
      .leftJoin('decision_outcomes as o', 'o.id', 'd.outcome_id')
      .selectAll('d')
      .select(['c.content_hash', ...OUTCOME_TEXTS])
      .where('d.seq', '>', afterSeq)
      .orderBy('d.seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      seq: Number(r.seq),
      declarationId: r.declaration_id,
      version: Number(r.version),
      contextHash: r.context_hash,
      batchId: r.batch_id,
      contentHash: r.content_hash,
      decision: r.decision as Outcome,
      reasons: r.reasons ?? '',
      missingDocuments: r.missing_documents ?? '',
      missingApprovals: r.missing_approvals ?? '',
      exception: r.exception,
      conditions: r.conditions ?? '',
      asOf: r.as_of,
      jurisdiction: r.jurisdiction ?? '',
      regimeVersion: r.regime_version ?? '',
      lists: r.lists ?? '',
    }));
  }

  async auditBySeq(seq: number) {
    const row = await this.db.selectFrom('audit_log').selectAll().where('seq', '=', seq).executeTakeFirst();
    return row && toAudit(row);
  }

  async auditSeqOfHash(hash: string) {
    const row = await this.db
      .selectFrom('audit_log')
      .select('seq')
      .where('hash', '=', hash)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    return row ? Number(row.seq) : undefined;
  }

  async auditHead() {
    const row = await this.db
      .selectFrom('audit_log')
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toAudit(row);
  }

  async hasAudit(action: AnnouncementAction, subject: string) {
    // The literal IN (…) lets both databases use the partial index audit_log_announcement_ix.
    const row = await this.db
      .selectFrom('audit_log')
      .select('seq')
      .where(sql.ref('action'), 'in', [sql.lit('regime.loaded'), sql.lit('list.loaded')])
      .where('action', '=', action)
      .where('subject', '=', subject)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  // ---- writes (only ever called on a locked transaction connection) ----

  async putUser(user: UserRecord) {
    await this.db
      .insertInto('users')
      .values({ name: user.name, role: user.role, created_at: user.createdAt, created_by: user.createdBy })
      .execute();
  }

  async putDeclarations(items: readonly DeclarationInput[]) {
    /** per id: its highest version and version by content hash, stored or created in this call */
    const known = new Map<string, { maxVersion: number; byHash: Map<string, number> }>();
    const rows = await this.rawSelectIn<{ id: string; version: number; content_hash: string }>(
      'id, version, content_hash',
      'declarations',
      'id',
      items.map((i) => i.id),
    );
    for (const row of rows) {
      const entry = known.get(row.id) ?? { maxVersion: 0, byHash: new Map<string, number>() };
      entry.maxVersion = Math.max(entry.maxVersion, Number(row.version));
      entry.byHash.set(row.content_hash, Number(row.version));
      known.set(row.id, entry);
    }
    /** ids new to the store, first seen in this call: their content hash (version 1), no Map each */
    const fresh = new Map<string, string>();
    const receivedAt = this.now();
    const inserts: unknown[][] = [];
    const results = items.map((item) => {
      const id = item.id;
      let entry = known.get(id);
      if (entry === undefined) {
        const first = fresh.get(id);
        if (first === undefined) {
          fresh.set(id, item.contentHash);
          inserts.push([id, 1, item.contentHash, item.body, receivedAt, item.source]);
          return { version: 1, created: true };
        }
        // the same new id again in this call: keep versions as for a stored one
        entry = { maxVersion: 1, byHash: new Map([[first, 1]]) };
        known.set(id, entry);
      }
      const existing = entry.byHash.get(item.contentHash);
      if (existing !== undefined) return { version: existing, created: false };
      const version = ++entry.maxVersion;
      entry.byHash.set(item.contentHash, version);
      inserts.push([id, version, item.contentHash, item.body, receivedAt, item.source]);
      return { version, created: true };
    });
    await this.rawInsert(
      'declarations',
      ['id', 'version', 'content_hash', 'body', 'received_at', 'source'],
      inserts,
    );
    return results;
  }

  async putDecisions(items: readonly DecisionInput[]) {
    const key = (id: string, version: number, context: string) => `${version}\u0000${context}\u0000${id}`;
    const existing = new Map<string, number>();
    const found = await this.rawSelectIn<{
      seq: number;
      declaration_id: string;
      version: number;
      context_hash: string;
    }>(
      'seq, declaration_id, version, context_hash',
      'decisions',
      'declaration_id',
      items.filter((i) => !i.newVersion).map((i) => i.declarationId),
    );
    for (const r of found)
      existing.set(key(r.declaration_id, Number(r.version), r.context_hash), Number(r.seq));
    const decidedAt = this.now();
    const results: { seq: number; created: boolean }[] = new Array(items.length);
    const pending: { index: number; item: DecisionInput }[] = [];
    const pendingKeys = new Set<string>();
    items.forEach((item, index) => {
      const k = key(item.declarationId, item.version, item.contextHash);
      const seq = existing.get(k);
      if (seq !== undefined) results[index] = { seq, created: false };
      else if (pendingKeys.has(k)) results[index] = { seq: -1, created: false };
      else {
        pendingKeys.add(k);
        pending.push({ index, item });
      }
    });
    const outcomes = await this.outcomeIdsOf(pending.map(({ item }) => item));
    for (const part of chunks(pending, ROW_CHUNK)) {
      const seqs = await this.rawInsert(
        'decisions',
        DECISION_COLUMNS,
        part.map(({ item }) => [
          item.declarationId,
          item.version,
          item.contextHash,
          item.decision.decision,
          outcomes.get(item),
          item.decision.asOf,
          decidedAt,
          item.batchId,
        ]),
        true,
      );
      part.forEach(({ index }, i) => {
        results[index] = { seq: seqs[i] ?? -1, created: true };
      });
      const hits: unknown[][] = [];
      part.forEach(({ item }, i) => {
        item.decision.partyHits.forEach((r, idx) => {
          hits.push([seqs[i] ?? -1, idx, item.declarationId, r.kind, r.outcome, r.text, r.details]);
        });
      });
      await this.rawInsert(
        'party_hits',
        ['decision_seq', 'idx', 'declaration_id', 'kind', 'outcome', 'text', 'details'],
        hits,
      );
    }
    // a repeat of the same key within one call points at the first one's row
    items.forEach((item, index) => {
      if (results[index]?.seq === -1) {
        const first = items.findIndex(
          (o) =>
            o.declarationId === item.declarationId &&
            o.version === item.version &&
            o.contextHash === item.contextHash,
        );
        results[index] = { seq: results[first]?.seq ?? -1, created: false };
      }
    });
    return results;
  }

  /**
   * The outcome row id of each item (by `index`), stored outcomes looked up by hash and new ones
   * inserted; ids are cached per store once committed (ST12).
   */
  private async outcomeIdsOf(items: readonly DecisionInput[]): Promise<Map<DecisionInput, number>> {
    const { committed, pending } = this.outcomeIds;
    const out = new Map<DecisionInput, number>();
    const unknown = new Map<string, DecisionInput>();
    for (const item of items) {
      const hash = item.outcomeHash ?? outcomeHash(item.decision);
      const id = committed.get(hash) ?? pending.get(hash);
      if (id === undefined) unknown.set(hash, item);
      else out.set(item, id);
    }
    if (unknown.size) {
      const stored = await this.rawSelectIn<{ id: number; hash: string }>(
        'id, hash',
        'decision_outcomes',
        'hash',
        [...unknown.keys()],
      );
      for (const row of stored) {
        pending.set(row.hash, Number(row.id));
        unknown.delete(row.hash);
      }
      const fresh = [...unknown];
      const ids = await this.rawInsert(
        'decision_outcomes',
        OUTCOME_COLUMNS,
        fresh.map(([hash, { decision: d }]) => [
          hash,
          d.decision,
          d.reasons,
          d.missingDocuments,
          d.missingApprovals,
          d.exception,
          d.conditions,
          d.jurisdiction,
          d.regimeVersion,
          d.lists,
        ]),
        true,
        'id',
      );
      fresh.forEach(([hash], i) => {
        pending.set(hash, ids[i]!);
      });
      for (const item of items) {
        if (!out.has(item)) out.set(item, pending.get(item.outcomeHash ?? outcomeHash(item.decision))!);
      }
    }
    return out;
  }

  async nextCaseNumber() {
    const row = await this.db
      .selectFrom('cases')
      .select((e) => e.fn.max('num').as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0) + 1;
  }

  async insertCase(state: CaseState, num: number) {
    await this.db
      .insertInto('cases')
      .values({ id: state.id, num, ...caseColumns(state) })
      .execute();
  }

  async insertCases(
    items: readonly { state: CaseState; num: number; event: CaseEventDraft; actor: string }[],
  ) {
    const at = this.now();
    if (items.length === 0) return;
    const first = items[0]!;
    const columns = Object.keys({ id: '', num: 0, ...caseColumns(first.state) });
    await this.rawInsert(
      'cases',
      columns,
      items.map((i) => Object.values({ id: i.state.id, num: i.num, ...caseColumns(i.state) })),
    );
    await this.rawInsert(
      'case_events',
      ['case_id', 'seq', 'at', 'actor', 'action', 'payload'],
      items.map((i) => [i.state.id, 1, at, i.actor, i.event.action, JSON.stringify(i.event.payload)]),
    );
  }

  async updateCase(state: CaseState) {
    await this.db.updateTable('cases').set(caseColumns(state)).where('id', '=', state.id).execute();
  }

  async addCaseEvent(caseId: string, event: CaseEventDraft, actor: string): Promise<CaseEvent> {
    const top = await this.db
      .selectFrom('case_events')
      .select((e) => e.fn.max('seq').as('s'))
      .where('case_id', '=', caseId)
      .executeTakeFirst();
    const seq = Number(top?.s ?? 0) + 1;
    const at = this.now();
    await this.db
      .insertInto('case_events')
      .values({
        case_id: caseId,
        seq,
        at,
        actor,
        action: event.action,
        payload: JSON.stringify(event.payload),
      })
      .execute();
    return { caseId, seq, at, actor, action: event.action, payload: event.payload };
  }

  private async insertStep(chain: ApprovalChain, step: ApprovalStep) {
    await this.db
      .insertInto('approval_steps')
      .values({
        type: chain.type,
        ref: chain.ref,
        seq: step.seq,
        state: step.state,
        actor: step.actor,
        date: step.date,
        reference: step.reference,
        note: step.note,
        recorded_at: step.recordedAt,
        recorded_by: step.recordedBy,
      })
      .execute();
  }

  async insertApproval(chain: ApprovalChain) {
    await this.db
      .insertInto('approvals')
      .values({
        type: chain.type,
        ref: chain.ref,
        chain: chain.chain,
        applicant: chain.applicant,
        hs_code: chain.hsCode,
        quantity: chain.quantity,
        unit: chain.unit,
        state: chain.state,
        monitoring: chain.monitoring,
        note: chain.note,
        created_at: chain.createdAt,
        created_by: chain.createdBy,
      })
      .execute();
    for (const step of chain.steps) await this.insertStep(chain, step);
  }

  async addApprovalStep(chain: ApprovalChain, step: ApprovalStep) {
    await this.db
      .updateTable('approvals')
      .set({ state: chain.state, monitoring: chain.monitoring })
      .where('type', '=', chain.type)
      .where('ref', '=', chain.ref)
      .execute();
    await this.insertStep(chain, step);
  }

  async putApprovalUse(use: {
    type: string;
    ref: string;
    declarationId: string;
    version: number;
    quantity: number;
    unit: string;
  }) {
    await this.db
      .insertInto('approval_uses')
      .values({
        type: use.type,
        ref: use.ref,
        declaration_id: use.declarationId,
        version: use.version,
        quantity: use.quantity,
        unit: use.unit,
        used_at: this.now(),
      })
      .onConflict((oc) =>
        oc
          .columns(['type', 'ref', 'declaration_id'])
          .doUpdateSet({ version: use.version, quantity: use.quantity }),
      )
      .execute();
  }

  async putBatch(batch: BatchRecord) {
    const values = {
      source: batch.source,
      started_at: batch.startedAt,
      updated_at: batch.updatedAt,
      finished_at: batch.finishedAt,
      rows_done: batch.rowsDone,
      decisions: batch.decisions,
      rejects: batch.rejects,
    };
    await this.db
      .insertInto('batches')
      .values({ id: batch.id, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
  }

  async deferFlush() {
    if (this.dialectKind === 'postgres') await sql`set local synchronous_commit = off`.execute(this.db);
  }

  async appendAudit(input: AuditInput) {
    const [entry] = await this.appendAuditMany([input]);
    return entry!;
  }

  async appendAuditMany(inputs: readonly (AuditInput | SerialisedAuditInput)[]) {
    if (inputs.length === 0) return [];
    const head = await this.db
      .selectFrom('audit_log')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    let previous = head && { seq: Number(head.seq), hash: head.hash };
    const at = this.now();
    const entries = inputs.map((input) => {
      let entry: AuditEntry;
      if ('payloadJson' in input) {
        // the same entry chainEntry builds, the payload's canonical text given by the caller
        const base = {
          at,
          actor: input.actor,
          action: input.action,
          subject: input.subject,
          payload: input.payloadJson,
          prevHash: previous?.hash ?? GENESIS_HASH,
        };
        entry = { seq: (previous?.seq ?? 0) + 1, ...base, hash: sha256(hashInput(base)) };
      } else entry = chainEntry(input, previous, at, sha256);
      previous = entry;
      return entry;
    });
    await this.rawInsert(
      'audit_log',
      ['seq', 'at', 'actor', 'action', 'subject', 'payload', 'prev_hash', 'hash'],
      entries.map((x) => [x.seq, x.at, x.actor, x.action, x.subject, x.payload, x.prevHash, x.hash]),
    );
    return entries;
  }
}

class KyselyStore extends Repository implements Store {
  readonly kind: StoreKind;
  readonly location: string;

  constructor(
    private readonly kdb: Kysely<Database>,
    private readonly storeDialect: StoreDialect,
    now: () => string,
  ) {
    super(kdb, now, storeDialect.kind);
    this.kind = storeDialect.kind;
    this.location = storeDialect.location;
  }

  protected override get inTransaction(): boolean {
    return false;
  }

  /** outcome ids known to be committed, by outcome hash (ST12) */
  private readonly committedOutcomeIds = new Map<string, number>();

  async write<T>(fn: (tx: StoreWriter) => Promise<T>): Promise<T> {
    return this.kdb.connection().execute(async (conn) => {
      await this.storeDialect.beginWrite(conn as unknown as Kysely<unknown>);
      let result: T;
      const pending = new Map<string, number>();
      try {
        const insertRows = this.storeDialect.insertRows.bind(this.storeDialect);
        result = await fn(
          new Repository(conn, this.now, this.kind, insertRows, {
            committed: this.committedOutcomeIds,
            pending,
          }),
        );
      } catch (error) {
        await sql`rollback`.execute(conn).catch(() => {});
        throw error;
      }
      await sql`commit`.execute(conn);
      if (this.committedOutcomeIds.size > OUTCOME_ID_LIMIT) this.committedOutcomeIds.clear();
      for (const [hash, id] of pending) this.committedOutcomeIds.set(hash, id);
      return result;
    });
  }

  /**
   * `write`, also handing `fn` the transaction's own connection: for stores of other tables in the
   * same database (src/store/trade-observation-kysely-store.ts), so their rows and the audit entry
   * describing them commit together under the one write lock.
   */
  async writeWithConnection<T>(fn: (conn: Kysely<Database>, tx: StoreWriter) => Promise<T>): Promise<T> {
    return this.kdb.connection().execute(async (conn) => {
      await this.storeDialect.beginWrite(conn as unknown as Kysely<unknown>);
      let result: T;
      try {
        const insertRows = this.storeDialect.insertRows.bind(this.storeDialect);
        result = await fn(conn, new Repository(conn, this.now, this.kind, insertRows));
      } catch (error) {
        await sql`rollback`.execute(conn).catch(() => {});
        throw error;
      }
      await sql`commit`.execute(conn);
      return result;
    });
  }

  /** The pool (reads outside transactions), for the same sibling stores. */
  get kysely(): Kysely<Database> {
    return this.kdb;
  }

  async close() {
    await this.kdb.destroy();
  }

  /** Applies every migration the database lacks, in order, under the write lock. */
  async migrate(): Promise<string[]> {
    return this.kdb.connection().execute(async (conn) => {
      const db = conn as unknown as Kysely<unknown>;
      await this.storeDialect.beginWrite(db);
      try {
        await conn.schema
          .createTable('schema_migrations')
          .ifNotExists()
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('applied_at', 'text', (c) => c.notNull())
          .execute();
        const applied = new Set(
          (await conn.selectFrom('schema_migrations').select('name').execute()).map((r) => r.name),
        );
        const known = new Set(MIGRATIONS.map((m) => m.name));
        const unknown = [...applied].filter((name) => !known.has(name)).sort();
        if (unknown.length) {
          throw new EmbargoError(
            'EMB_STORE_MIGRATION',
            `the store was migrated by a newer embargo (unknown migration ${unknown.join(', ')})`,
            { path: this.location },
          );
        }
        const ran: string[] = [];
        for (const migration of MIGRATIONS) {
          if (applied.has(migration.name)) continue;
          await migration.up(db, this.kind);
          await conn
            .insertInto('schema_migrations')
            .values({ name: migration.name, applied_at: this.now() })
            .execute();
          ran.push(migration.name);
        }
        await sql`commit`.execute(conn);
        return ran;
      } catch (error) {
        await sql`rollback`.execute(conn).catch(() => {});
        if (error instanceof EmbargoError) throw error;
        throw new EmbargoError(
          'EMB_STORE_MIGRATION',
          `cannot bring the store schema up to date: ${(error as Error).message}`,
          { path: this.location },
          { cause: error },
        );
      }
    });
  }
}

/** Opens a store over a dialect and applies pending migrations. */
export async function openKyselyStore(
  storeDialect: StoreDialect,
  options: StoreOptions = {},
): Promise<Store> {
  const kdb = new Kysely<Database>({ dialect: storeDialect.dialect });
  const store = new KyselyStore(kdb, storeDialect, options.now ?? (() => new Date().toISOString()));
  try {
    await storeDialect.prepare(kdb as unknown as Kysely<unknown>);
  } catch (cause) {
    await kdb.destroy().catch(() => {});
    throw new EmbargoError(
      'EMB_STORE_OPEN',
      `cannot reach the store at ${storeDialect.location}: ${(cause as Error).message}`,
      { path: storeDialect.location },
      { cause },
    );
  }
  try {
    await store.migrate();
  } catch (error) {
    await kdb.destroy().catch(() => {});
    throw error;
  }
  return store;
}

/** What a sibling store over the same database needs from the main store. */
export interface KyselyStoreAccess {
  readonly kysely: Kysely<Database>;
  writeWithConnection<T>(fn: (conn: Kysely<Database>, tx: StoreWriter) => Promise<T>): Promise<T>;
}

/** The Kysely side of a store opened by `openKyselyStore` (every store `openStore` returns). */
export function kyselyAccess(store: Store): KyselyStoreAccess {
  if (!(store instanceof KyselyStore)) {
    throw new TypeError('this store was not opened by openKyselyStore');
  }
  return store;
}

export type { StoreReader };
