/**
 * The first schema. Migrations are append-only: never edit one that has shipped; add a new file
 * `<yyyymmddhhmm>-<name>.ts` and list it in ./index.ts. Column types are chosen to mean the same on
 * both dialects (`double precision` is REAL in SQLite; text JSON on both).
 */
import type { Kysely } from 'kysely';
import type { Migration } from './migration.js';

export const migration: Migration = {
  name: '202611281700-initial',
  async up(db: Kysely<unknown>, kind) {
    const serial = kind === 'postgres' ? 'serial' : 'integer';
    await db.schema
      .createTable('users')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('declarations')
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('content_hash', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('source', 'text')
      .addPrimaryKeyConstraint('declarations_pk', ['id', 'version'])
      .addUniqueConstraint('declarations_content_uq', ['id', 'content_hash'])
      .execute();

    await db.schema
      .createTable('decisions')
      .addColumn('seq', serial, (c) =>
        kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('declaration_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('context_hash', 'text', (c) => c.notNull())
      .addColumn('decision', 'text', (c) => c.notNull())
      .addColumn('reasons', 'text', (c) => c.notNull())
      .addColumn('missing_documents', 'text', (c) => c.notNull())
      .addColumn('missing_approvals', 'text', (c) => c.notNull())
      .addColumn('exception', 'text')
      .addColumn('conditions', 'text', (c) => c.notNull())
      .addColumn('as_of', 'text', (c) => c.notNull())
      .addColumn('jurisdiction', 'text', (c) => c.notNull())
      .addColumn('regime_version', 'text', (c) => c.notNull())
      .addColumn('lists', 'text', (c) => c.notNull())
      .addColumn('decided_at', 'text', (c) => c.notNull())
      .addColumn('batch_id', 'text')
      .addUniqueConstraint('decisions_context_uq', ['declaration_id', 'version', 'context_hash'])
      .execute();
    await db.schema.createIndex('decisions_decision_ix').on('decisions').column('decision').execute();

    await db.schema
      .createTable('party_hits')
      .addColumn('decision_seq', 'integer', (c) => c.notNull())
      .addColumn('idx', 'integer', (c) => c.notNull())
      .addColumn('declaration_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('party_hits_pk', ['decision_seq', 'idx'])
      .execute();

    await db.schema
      .createTable('cases')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('num', 'integer', (c) => c.notNull().unique())
      .addColumn('declaration_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('screening_outcome', 'text', (c) => c.notNull())
      .addColumn('party_match', 'integer', (c) => c.notNull())
      .addColumn('assignee', 'text')
      .addColumn('proposed_outcome', 'text')
      .addColumn('proposed_by', 'text')
      .addColumn('proposed_reason', 'text')
      .addColumn('outcome', 'text')
      .addColumn('outcome_reason', 'text')
      .addColumn('decided_by', 'text')
      .addColumn('opened_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('cases_declaration_uq', ['declaration_id', 'version'])
      .execute();

    await db.schema
      .createTable('case_events')
      .addColumn('case_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('case_events_pk', ['case_id', 'seq'])
      .execute();

    await db.schema
      .createTable('approvals')
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('ref', 'text', (c) => c.notNull())
      .addColumn('chain', 'text', (c) => c.notNull())
      .addColumn('applicant', 'text', (c) => c.notNull())
      .addColumn('hs_code', 'text', (c) => c.notNull())
      .addColumn('quantity', 'double precision', (c) => c.notNull())
      .addColumn('unit', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('monitoring', 'text')
      .addColumn('note', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('approvals_pk', ['type', 'ref'])
      .execute();

    await db.schema
      .createTable('approval_steps')
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('ref', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('date', 'text', (c) => c.notNull())
      .addColumn('reference', 'text')
      .addColumn('note', 'text')
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addColumn('recorded_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('approval_steps_pk', ['type', 'ref', 'seq'])
      .execute();

    await db.schema
      .createTable('approval_uses')
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('ref', 'text', (c) => c.notNull())
      .addColumn('declaration_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('quantity', 'double precision', (c) => c.notNull())
      .addColumn('unit', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('approval_uses_pk', ['type', 'ref', 'declaration_id'])
      .execute();

    await db.schema
      .createTable('batches')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text')
      .addColumn('rows_done', 'integer', (c) => c.notNull())
      .addColumn('decisions', 'integer', (c) => c.notNull())
      .addColumn('rejects', 'integer', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('audit_log')
      .addColumn('seq', 'integer', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_log_hash_ix').on('audit_log').column('hash').execute();
    await db.schema.createIndex('audit_log_subject_ix').on('audit_log').column('subject').execute();
  },
};
