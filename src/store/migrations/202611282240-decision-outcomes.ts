/**
 * Decision outcomes kept once (docs/decisions.md ST12): what a decision said and why, under which
 * regime and lists, moves from every decision row to `decision_outcomes`, one row per distinct
 * outcome addressed by its sha256 (`outcomeHash`); a decision keeps its seq, declaration, version,
 * context hash, decision (for filtering), as-of date, time and batch, and refers to its outcome.
 * Existing decisions are moved: each distinct outcome is stored once and every decision row points
 * at it, then the moved columns are dropped (the rows' data is the same, read through the join).
 */
import { type Kysely, sql } from 'kysely';
import { outcomeHash } from '../decision-outcome.js';
import type { Migration } from './migration.js';

const MOVED = [
  'reasons',
  'missing_documents',
  'missing_approvals',
  'exception',
  'conditions',
  'jurisdiction',
  'regime_version',
  'lists',
] as const;

interface OldDecision {
  seq: number;
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

export const migration: Migration = {
  name: '202611282240-decision-outcomes',
  async up(db: Kysely<unknown>, kind) {
    const serial = kind === 'postgres' ? 'serial' : 'integer';
    await db.schema
      .createTable('decision_outcomes')
      .addColumn('id', serial, (c) => c.primaryKey())
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .addColumn('decision', 'text', (c) => c.notNull())
      .addColumn('reasons', 'text', (c) => c.notNull())
      .addColumn('missing_documents', 'text', (c) => c.notNull())
      .addColumn('missing_approvals', 'text', (c) => c.notNull())
      .addColumn('exception', 'text')
      .addColumn('conditions', 'text', (c) => c.notNull())
      .addColumn('jurisdiction', 'text', (c) => c.notNull())
      .addColumn('regime_version', 'text', (c) => c.notNull())
      .addColumn('lists', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .alterTable('decisions')
      .addColumn('outcome_id', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();

    // Move the existing decisions' outcomes, a page of decisions at a time.
    const ids = new Map<string, number>();
    for (let after = 0; ; ) {
      const page = await sql<OldDecision>`select seq, decision, ${sql.join(MOVED.map((c) => sql.ref(c)))}
        from decisions where seq > ${after} order by seq limit 5000`.execute(db);
      /** outcome id → the page's decisions that have it: one UPDATE per outcome and page */
      const byOutcome = new Map<number, number[]>();
      for (const row of page.rows) {
        const columns = {
          decision: row.decision as 'CLEAR',
          reasons: row.reasons,
          missingDocuments: row.missing_documents,
          missingApprovals: row.missing_approvals,
          exception: row.exception,
          conditions: row.conditions,
          jurisdiction: row.jurisdiction,
          regimeVersion: row.regime_version,
          lists: row.lists,
        };
        const hash = outcomeHash(columns);
        let id = ids.get(hash);
        if (id === undefined) {
          const inserted = await sql<{ id: number }>`insert into decision_outcomes
            (hash, decision, ${sql.join(MOVED.map((c) => sql.ref(c)))})
            values (${hash}, ${row.decision}, ${row.reasons}, ${row.missing_documents}, ${row.missing_approvals},
              ${row.exception}, ${row.conditions}, ${row.jurisdiction}, ${row.regime_version}, ${row.lists})
            returning id`.execute(db);
          id = Number(inserted.rows[0]!.id);
          ids.set(hash, id);
        }
        const seqs = byOutcome.get(id) ?? [];
        seqs.push(Number(row.seq));
        byOutcome.set(id, seqs);
      }
      for (const [id, seqs] of byOutcome) {
        await sql`update decisions set outcome_id = ${id} where seq in (${sql.join(seqs)})`.execute(db);
      }
      if (page.rows.length < 5000) break;
      after = Number(page.rows[page.rows.length - 1]!.seq);
    }
    for (const column of MOVED) await db.schema.alterTable('decisions').dropColumn(column).execute();
  },
};
