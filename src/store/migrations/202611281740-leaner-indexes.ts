/**
 * Fewer indexes on the hot write path (screening into the store): each stored decision paid for
 * three index entries nothing read in bulk. The audit hash is looked up only when `audit verify`
 * has already found a break (a scan then is fine); the subject lookup only ever asks whether a
 * regime or list version was announced, which a partial index answers; listing by decision goes
 * through each declaration's current decision, not this index.
 */
import { sql } from 'kysely';
import type { Migration } from './migration.js';

export const migration: Migration = {
  name: '202611281740-leaner-indexes',
  async up(db) {
    await db.schema.dropIndex('audit_log_hash_ix').execute();
    await db.schema.dropIndex('audit_log_subject_ix').execute();
    await db.schema.dropIndex('decisions_decision_ix').execute();
    await db.schema
      .createIndex('audit_log_announcement_ix')
      .on('audit_log')
      .columns(['action', 'subject'])
      .where(sql.ref('action'), 'in', [sql.lit('regime.loaded'), sql.lit('list.loaded')])
      .execute();
  },
};
