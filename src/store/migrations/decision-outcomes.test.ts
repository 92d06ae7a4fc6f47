import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES, freshDatabase, type TestDatabase, withRawDatabase } from '../../../test/databases.js';
import { verifyAudit } from '../../services/audit-service.js';
import { prepareScreening, recordScreenings, screenDeclarations } from '../../services/screening-service.js';
import { livelihoodCoal, plainImport, rasonCoal, shippedScreener } from '../../services/services.fixtures.js';
import { openStore } from '../open-store.js';
import { MIGRATIONS } from './index.js';

const screener = shippedScreener();
const OUTCOMES = MIGRATIONS.findIndex((m) => m.name === '202611282240-decision-outcomes');

describe.each(DATABASES)('the decision-outcomes migration on %s', (kind) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await freshDatabase(kind);
  });
  afterEach(async () => {
    await database.cleanup();
  });

  it('moves the decisions of a store written under the old schema: same decisions read back, each outcome once', async () => {
    // the rows as the code before this migration wrote them, through the old schema
    const reader = await openStore(':memory:');
    const declarations = [
      plainImport('A'),
      plainImport('B'),
      livelihoodCoal({ id: 'L' }),
      livelihoodCoal({ id: 'H', documents: [] }),
      rasonCoal({ id: 'R1', approvals: [{ type: 'un-record-filing', reference: 'RF-1' }] }),
      rasonCoal({ id: 'R2', approvals: [{ type: 'un-record-filing', reference: 'RF-2' }] }),
      plainImport('C'),
    ];
    const prepared = (await screenDeclarations(reader, screener, declarations)).map(prepareScreening);
    await reader.close();
    await withRawDatabase(database, async (db) => {
      await sql`create table schema_migrations (name text primary key, applied_at text not null)`.execute(db);
      for (const migration of MIGRATIONS.slice(0, OUTCOMES)) {
        await migration.up(db, kind);
        await sql`insert into schema_migrations (name, applied_at) values (${migration.name}, 'x')`.execute(
          db,
        );
      }
      for (const p of prepared) {
        const r = p.record;
        await sql`insert into declarations (id, version, content_hash, body, received_at, source)
          values (${p.id}, 1, ${p.hash}, ${p.body}, 't', 'old')`.execute(db);
        await sql`insert into decisions (declaration_id, version, context_hash, decision, reasons, missing_documents,
          missing_approvals, exception, conditions, as_of, jurisdiction, regime_version, lists, decided_at, batch_id)
          values (${p.id}, 1, ${p.contextHash}, ${r.decision}, ${r.reasons}, ${r.missingDocuments}, ${r.missingApprovals},
            ${r.exception}, ${r.conditions}, ${r.asOf}, ${r.jurisdiction}, ${r.regimeVersion}, ${r.lists}, 't', null)`.execute(
          db,
        );
      }
    });

    const store = await openStore(database.target);
    try {
      for (const [i, p] of prepared.entries()) {
        const r = p.record;
        const [stored] = await store.decisionsOf(p.id);
        expect(stored).toEqual({
          seq: i + 1,
          declarationId: p.id,
          version: 1,
          contextHash: p.contextHash,
          decidedAt: 't',
          batchId: null,
          decision: {
            id: p.id,
            decision: r.decision,
            reasons: JSON.parse(r.reasons),
            missingDocuments: JSON.parse(r.missingDocuments),
            missingApprovals: JSON.parse(r.missingApprovals),
            exception: r.exception,
            conditions: JSON.parse(r.conditions),
            asOf: r.asOf,
            jurisdiction: r.jurisdiction,
            regimeVersion: r.regimeVersion,
            lists: JSON.parse(r.lists),
          },
        });
      }
      // A, B and C share one outcome; each Rason row names its own filing
      const distinct = new Set(
        prepared.map((p) => JSON.stringify({ ...p.record, asOf: undefined, partyHits: undefined })),
      );
      const count = await withRawDatabase(database, (db) =>
        sql<{ n: number }>`select count(*) as n from decision_outcomes`.execute(db),
      );
      expect(Number(count.rows[0]?.n)).toBe(distinct.size);
      expect(distinct.size).toBeLessThan(prepared.length);
      // screening goes on over the migrated store, new decisions reusing the moved outcomes
      await store.write((tx) =>
        recordScreenings(tx, screener, [plainImport('D')], { actor: 'olga', source: 'new', batchId: null }),
      );
      const after = await withRawDatabase(database, (db) =>
        sql<{ n: number }>`select count(*) as n from decision_outcomes`.execute(db),
      );
      expect(Number(after.rows[0]?.n)).toBe(distinct.size);
      expect((await store.decisionsOf('D'))[0]?.decision.reasons).toEqual(
        (await store.decisionsOf('A'))[0]?.decision.reasons,
      );
      expect((await store.listDecisions()).map((d) => d.declarationId)).toEqual([
        'A',
        'B',
        'C',
        'D',
        'H',
        'L',
        'R1',
        'R2',
      ]);
      // the old rows have no entries in the trail (they were written without them here): the
      // decisions written after the migration are checked, the old ones reported as not in it
      expect((await verifyAudit(store)).finding).toMatchObject({ kind: 'inserted', decisionSeq: 1 });
    } finally {
      await store.close();
    }
  });
});
