/**
 * The trade observation store inside the main store: the `trade_` tables of migration
 * 202611281830-trade-observations, on SQLite and PostgreSQL alike, through the main store's
 * connection and write lock. Each change is one write transaction; an import's log row and its
 * audit entry (`trade.imported`) commit together. The canonical JSON of the whole observation is
 * kept to tell "already stored" from "same id, other content" without comparing column by column.
 */
import { CompiledQuery, type Generated, type Kysely } from 'kysely';
import { EmbargoError } from '../core/errors.js';
import type { Observation } from '../core/trade/observation.js';
import type { Database } from './database.js';
import { kyselyAccess } from './kysely-store.js';
import type { Store, StoreKind, StoreWriter } from './port.js';
import { observationJson } from './trade-observation-json.js';
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

/**
 * Rows per INSERT. 12 columns × 500 stays under SQLite's bound-variable limit; the text of a full
 * chunk is always the same, so SQLite's statement cache prepares it once per connection instead of
 * once per chunk. On PostgreSQL 100 to 2,000 rows measured the same; an `unnest` of one array per
 * column (as screening does) cost twice the CPU here: node-postgres escapes every quote of every
 * JSON body into the array literal (docs/decisions.md T12).
 */
const ROW_CHUNK = 500;
const COLUMNS = [
  'id',
  'reporter',
  'partner',
  'flow',
  'period_kind',
  'period_start',
  'period_end',
  'commodity',
  'measure',
  'value',
  'unit',
  'body',
] as const;
const COLUMN_LIST = COLUMNS.map((c) => `"${c}"`).join(',');
const CONFLICT_TAIL = ' on conflict ("id") do nothing';
const INSERTS = new Map<string, string>();
/** The multi-row INSERT … ON CONFLICT DO NOTHING for `rows` rows on `kind`, built once. */
function valuesInsert(kind: StoreKind, rows: number): string {
  const key = `${kind}:${rows}`;
  let text = INSERTS.get(key);
  if (text === undefined) {
    let n = 0;
    const marker = kind === 'postgres' ? () => `$${++n}` : () => '?';
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) tuples.push(`(${COLUMNS.map(marker).join(',')})`);
    text = `insert into "trade_observations" (${COLUMN_LIST}) values ${tuples.join(',')}${CONFLICT_TAIL}`;
    INSERTS.set(key, text);
  }
  return text;
}

const trade = (db: Kysely<Database>) => db as unknown as Kysely<TradeDatabase>;

/**
 * Stores observations on the write transaction's connection. The SQL is plain text, built once per
 * chunk size, with the parameters bound directly (no query builder per chunk, docs/decisions.md
 * T12); what is stored and how duplicates are told apart is unchanged: an id already stored is
 * never overwritten (ON CONFLICT DO NOTHING). The database reports how many rows it inserted; only
 * when that is not the whole chunk are the stored bodies read back to tell unchanged rows from
 * conflicts (no `RETURNING` of every id in the common case of a fresh import).
 */
async function addIn(
  db: Kysely<TradeDatabase>,
  kind: StoreKind,
  observations: readonly Observation[],
): Promise<AddResult> {
  const result: AddResult = { added: 0, unchanged: 0, conflicts: [] };
  for (let i = 0; i < observations.length; i += ROW_CHUNK) {
    const chunk = observations.slice(i, i + ROW_CHUNK);
    const bodies = chunk.map(observationJson);
    const parameters: unknown[] = new Array(chunk.length * COLUMNS.length);
    let p = 0;
    for (let k = 0; k < chunk.length; k++) {
      const o = chunk[k]!;
      parameters[p++] = o.id;
      parameters[p++] = o.reporter;
      parameters[p++] = o.partner;
      parameters[p++] = o.flow;
      parameters[p++] = o.period.kind;
      parameters[p++] = o.period.start;
      parameters[p++] = o.period.end;
      parameters[p++] = o.commodity;
      parameters[p++] = o.measure;
      parameters[p++] = o.value;
      parameters[p++] = o.unit;
      parameters[p++] = bodies[k];
    }
    const query = CompiledQuery.raw(valuesInsert(kind, chunk.length), parameters);
    const added = Number((await db.executeQuery(query)).numAffectedRows ?? 0n);
    result.added += added;
    if (added === chunk.length) continue;
    // The rest were stored already (earlier, or earlier in this chunk): same content (unchanged) or
    // a conflict. A row inserted just now holds its own body, so every row whose body differs from
    // the stored one was not inserted: a conflict; the other rows not inserted are unchanged.
    const ids = [...new Set(chunk.map((o) => o.id))];
    const stored = new Map<string, string>();
    for (let j = 0; j < ids.length; j += ROW_CHUNK) {
      const rows = await db
        .selectFrom('trade_observations')
        .select(['id', 'body'])
        .where('id', 'in', ids.slice(j, j + ROW_CHUNK))
        .execute();
      for (const r of rows) stored.set(r.id, r.body);
    }
    let conflicts = 0;
    for (let k = 0; k < chunk.length; k++) {
      const o = chunk[k]!;
      if (stored.get(o.id) === bodies[k]) continue;
      conflicts++;
      result.conflicts.push(
        new EmbargoError(
          'EMB_TRADE_ID_CONFLICT',
          `observation ${o.id} is already stored with different content; not overwritten`,
          { field: 'id' },
        ),
      );
    }
    result.unchanged += chunk.length - added - conflicts;
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
    add: (observations) => write((db) => addIn(db, store.kind, observations)),

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
        const result = await addIn(db, store.kind, observations);
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
