/**
 * SQLite adapter of the trade observation store (better-sqlite3, WAL). One row per observation;
 * the source and the `supersedes` list are JSON, since they are read whole and never queried
 * into. The canonical JSON of the whole observation is kept to tell "already stored" from "same
 * id, other content" without comparing column by column.
 */
import Database from 'better-sqlite3';
import { EmbargoError } from '../../core/errors.js';
import type { Observation } from '../../core/trade/observation.js';
import type {
  AddResult,
  ImportRecord,
  ObservationFilter,
  TradeObservationStore,
} from '../trade-observation-store.js';

export const TRADE_DB_FILE = 'trade.db';

const SCHEMA = `
create table if not exists trade_observations (
  id text primary key,
  reporter text not null,
  partner text not null,
  flow text not null,
  period_kind text not null,
  period_start text not null,
  period_end text not null,
  commodity text not null,
  measure text not null,
  value real not null,
  unit text not null,
  body text not null
);
create index if not exists trade_observations_figure
  on trade_observations (partner, commodity, flow, measure, period_start);
create table if not exists trade_imports (
  id integer primary key autoincrement,
  file text not null,
  format text not null,
  imported_at text not null,
  added integer not null,
  unchanged integer not null,
  rejected integer not null
);
create table if not exists trade_datasets (
  name text primary key,
  version text not null,
  loaded_at text not null
);
`;

/** JSON with keys in a fixed order and absent fields dropped: equal content, equal text. */
export function canonicalJson(o: Observation): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sortKeys(o));
}

export function openSqliteTradeStore(path: string): TradeObservationStore {
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: 30_000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
  } catch (cause) {
    throw new EmbargoError(
      'EMB_FILE_NOT_FOUND',
      `cannot open the trade store: ${(cause as Error).message}`,
      { file: path },
      { cause },
    );
  }
  const insert = db.prepare(
    `insert into trade_observations
       (id, reporter, partner, flow, period_kind, period_start, period_end, commodity, measure, value, unit, body)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (id) do nothing`,
  );
  const bodyOf = db.prepare('select body from trade_observations where id = ?').pluck();

  const addAll = db.transaction((observations: readonly Observation[]): AddResult => {
    const result: AddResult = { added: 0, unchanged: 0, conflicts: [] };
    for (const o of observations) {
      const body = canonicalJson(o);
      const info = insert.run(
        o.id,
        o.reporter,
        o.partner,
        o.flow,
        o.period.kind,
        o.period.start,
        o.period.end,
        o.commodity,
        o.measure,
        o.value,
        o.unit,
        body,
      );
      if (info.changes === 1) {
        result.added++;
        continue;
      }
      if (bodyOf.get(o.id) === body) result.unchanged++;
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
    return result;
  });

  return {
    add: (observations) => addAll(observations),
    list(filter: ObservationFilter = {}) {
      const where: string[] = [];
      const params: string[] = [];
      for (const key of ['reporter', 'partner', 'flow'] as const) {
        const v = filter[key];
        if (v) {
          where.push(`${key} = ?`);
          params.push(v);
        }
      }
      if (filter.commodity) {
        if (filter.commodity.endsWith('*')) {
          where.push('commodity like ?');
          params.push(`${filter.commodity.slice(0, -1)}%`);
        } else {
          where.push('commodity = ?');
          params.push(filter.commodity);
        }
      }
      const sql = `select body from trade_observations ${where.length ? `where ${where.join(' and ')}` : ''} order by id`;
      return (
        db
          .prepare(sql)
          .pluck()
          .all(...params) as string[]
      ).map((b) => JSON.parse(b) as Observation);
    },
    count: () => db.prepare('select count(*) from trade_observations').pluck().get() as number,
    recordImport(entry) {
      db.prepare(
        'insert into trade_imports (file, format, imported_at, added, unchanged, rejected) values (?, ?, ?, ?, ?, ?)',
      ).run(entry.file, entry.format, entry.importedAt, entry.added, entry.unchanged, entry.rejected);
    },
    imports() {
      return db
        .prepare(
          'select id, file, format, imported_at as importedAt, added, unchanged, rejected from trade_imports order by id',
        )
        .all() as ImportRecord[];
    },
    datasetVersion: (name) =>
      db.prepare('select version from trade_datasets where name = ?').pluck().get(name) as string | undefined,
    setDatasetVersion(name, version, loadedAt) {
      db.prepare(
        `insert into trade_datasets (name, version, loaded_at) values (?, ?, ?)
         on conflict (name) do update set version = excluded.version, loaded_at = excluded.loaded_at`,
      ).run(name, version, loadedAt);
    },
    close: () => db.close(),
  };
}
