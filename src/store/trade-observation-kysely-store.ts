/**
 * The trade observation store inside the main store: the `trade_` tables of migration
 * 202611281830-trade-observations, on SQLite and PostgreSQL alike, through the main store's
 * connection and write lock. Each change is one write transaction; an import's log row and its
 * audit entry (`trade.imported`) commit together. The canonical JSON of the whole observation is
 * kept to tell "already stored" from "same id, other content" without comparing column by column.
 */
import type { Generated, Kysely } from 'kysely';
import { canonicalJson } from '../core/audit/audit-chain.js';
import { EmbargoError } from '../core/errors.js';
import type { Observation } from '../core/trade/observation.js';
import type { Database } from './database.js';
import { kyselyAccess } from './kysely-store.js';
import type { Store, StoreWriter } from './port.js';
import type {
  AddResult,
  ImportEntry,
  ImportRecord,
  ObservationFilter,
  TradeObservationStore,
} from './trade-observation-store.js';

export interface TradeObservationsTable {
  id: string;
  reporter: string;
  partner: string;
  flow: string;
  period_kind: string;
  period_start: string;
  period_end: string;
  commodity: string;
  measure: string;
  value: number;
  unit: string;
  /** canonical JSON of the whole observation, source and `supersedes` included */
  body: string;
}

export interface TradeImportsTable {
  id: Generated<number>;
  file: string;
  format: string;
  imported_at: string;
  added: number;
  unchanged: number;
  rejected: number;
}

export interface TradeDatasetsTable {
  name: string;
  version: string;
  loaded_at: string;
}

/** The main store's tables and the trade monitor's. */
export interface TradeDatabase extends Database {
  trade_observations: TradeObservationsTable;
  trade_imports: TradeImportsTable;
  trade_datasets: TradeDatasetsTable;
}

/** Rows per INSERT: 12 columns × 500 stays under SQLite's bound-variable limit. */
const ROW_CHUNK = 500;

const trade = (db: Kysely<Database>) => db as unknown as Kysely<TradeDatabase>;

async function addIn(db: Kysely<TradeDatabase>, observations: readonly Observation[]): Promise<AddResult> {
  const result: AddResult = { added: 0, unchanged: 0, conflicts: [] };
  for (let i = 0; i < observations.length; i += ROW_CHUNK) {
    const chunk = observations.slice(i, i + ROW_CHUNK);
    const bodies = chunk.map((o) => canonicalJson(o));
    const inserted = await db
      .insertInto('trade_observations')
      .values(
        chunk.map((o, k) => ({
          id: o.id,
          reporter: o.reporter,
          partner: o.partner,
          flow: o.flow,
          period_kind: o.period.kind,
          period_start: o.period.start,
          period_end: o.period.end,
          commodity: o.commodity,
          measure: o.measure,
          value: o.value,
          unit: o.unit,
          body: bodies[k]!,
        })),
      )
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .execute();
    result.added += inserted.length;
    if (inserted.length === chunk.length) continue;
    // The rest were stored already (earlier, or earlier in this chunk): same content or a conflict.
    const fresh = new Set(inserted.map((r) => r.id));
    const seen = new Set<string>();
    const others = chunk.filter((o) => {
      if (fresh.has(o.id) && !seen.has(o.id)) {
        seen.add(o.id);
        return false;
      }
      return true;
    });
    const stored = new Map(
      (
        await db
          .selectFrom('trade_observations')
          .select(['id', 'body'])
          .where('id', 'in', [...new Set(others.map((o) => o.id))])
          .execute()
      ).map((r) => [r.id, r.body]),
    );
    for (const o of others) {
      if (stored.get(o.id) === canonicalJson(o)) result.unchanged++;
      else {
        result.conflicts.push(
          new EmbargoError(
            'EMB_TRADE_ID_CONFLICT',
            `observation ${o.id} is already stored with different content; not overwritten`,
            { field: 'id' },
          ),
        );
      }
    }
  }
  return result;
}

async function recordImportIn(db: Kysely<TradeDatabase>, tx: StoreWriter, entry: ImportEntry, extra = {}) {
  const { actor, ...row } = entry;
  const { id } = await db
    .insertInto('trade_imports')
    .values({
      file: row.file,
      format: row.format,
      imported_at: row.importedAt,
      added: row.added,
      unchanged: row.unchanged,
      rejected: row.rejected,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx.appendAudit({
    actor,
    action: 'trade.imported',
    subject: `trade-import:${Number(id)}`,
    payload: {
      file: row.file,
      format: row.format,
      added: row.added,
      unchanged: row.unchanged,
      rejected: row.rejected,
      ...extra,
    },
  });
}

/**
 * The trade observation store over an open main store (`openStore`). Closing it closes the main
 * store it was given.
 */
export function openKyselyTradeStore(store: Store): TradeObservationStore {
  const access = kyselyAccess(store);
  const reader = trade(access.kysely);
  const write = <T>(fn: (db: Kysely<TradeDatabase>, tx: StoreWriter) => Promise<T>) =>
    access.writeWithConnection((conn, tx) => fn(trade(conn), tx));

  return {
    add: (observations) => write((db) => addIn(db, observations)),

    async list(filter: ObservationFilter = {}) {
      let query = reader.selectFrom('trade_observations').select('body');
      if (filter.reporter) query = query.where('reporter', '=', filter.reporter);
      if (filter.partner) query = query.where('partner', '=', filter.partner);
      if (filter.flow) query = query.where('flow', '=', filter.flow);
      if (filter.commodity) {
        query = filter.commodity.endsWith('*')
          ? query.where('commodity', 'like', `${filter.commodity.slice(0, -1)}%`)
          : query.where('commodity', '=', filter.commodity);
      }
      const rows = await query.orderBy('id').execute();
      return rows.map((r) => JSON.parse(r.body) as Observation);
    },

    async count() {
      const row = await reader
        .selectFrom('trade_observations')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    recordImport: (entry) => write((db, tx) => recordImportIn(db, tx, entry)),

    async imports() {
      const rows = await reader.selectFrom('trade_imports').selectAll().orderBy('id').execute();
      return rows.map(
        (r): ImportRecord => ({
          id: Number(r.id),
          file: r.file,
          format: r.format,
          importedAt: r.imported_at,
          added: Number(r.added),
          unchanged: Number(r.unchanged),
          rejected: Number(r.rejected),
        }),
      );
    },

    async datasetVersion(name) {
      const row = await reader
        .selectFrom('trade_datasets')
        .select('version')
        .where('name', '=', name)
        .executeTakeFirst();
      return row?.version;
    },

    loadDataset: (name, version, observations, entry) =>
      write(async (db, tx) => {
        // Checked under the write lock: a second process waiting on the lock finds it loaded.
        const current = await db
          .selectFrom('trade_datasets')
          .select('version')
          .where('name', '=', name)
          .executeTakeFirst();
        if (current?.version === version) return undefined;
        const result = await addIn(db, observations);
        await db
          .insertInto('trade_datasets')
          .values({ name, version, loaded_at: entry.importedAt })
          .onConflict((oc) => oc.column('name').doUpdateSet({ version, loaded_at: entry.importedAt }))
          .execute();
        await recordImportIn(
          db,
          tx,
          { ...entry, added: result.added, unchanged: result.unchanged },
          { dataset: name, version },
        );
        return result;
      }),

    close: () => store.close(),
  };
}
