/**
 * The trade monitor's tables move into the main store (docs/decisions.md T8): the same three
 * `trade_` tables its own SQLite file had, with types that mean the same on both dialects.
 * Observations are append-only (a revision is a new row whose body names what it supersedes), so
 * `body` holds the canonical JSON of the whole observation and the other columns are what filters
 * and indexes need.
 */
import type { Kysely } from 'kysely';
import type { Migration } from './migration.js';

export const migration: Migration = {
  name: '202611281830-trade-observations',
  async up(db: Kysely<unknown>, kind) {
    await db.schema
      .createTable('trade_observations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('reporter', 'text', (c) => c.notNull())
      .addColumn('partner', 'text', (c) => c.notNull())
      .addColumn('flow', 'text', (c) => c.notNull())
      .addColumn('period_kind', 'text', (c) => c.notNull())
      .addColumn('period_start', 'text', (c) => c.notNull())
      .addColumn('period_end', 'text', (c) => c.notNull())
      .addColumn('commodity', 'text', (c) => c.notNull())
      .addColumn('measure', 'text', (c) => c.notNull())
      .addColumn('value', 'double precision', (c) => c.notNull())
      .addColumn('unit', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('trade_observations_figure_ix')
      .on('trade_observations')
      .columns(['partner', 'commodity', 'flow', 'measure', 'period_start'])
      .execute();

    await db.schema
      .createTable('trade_imports')
      .addColumn('id', kind === 'postgres' ? 'serial' : 'integer', (c) =>
        kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('file', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('imported_at', 'text', (c) => c.notNull())
      .addColumn('added', 'integer', (c) => c.notNull())
      .addColumn('unchanged', 'integer', (c) => c.notNull())
      .addColumn('rejected', 'integer', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('trade_datasets')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('loaded_at', 'text', (c) => c.notNull())
      .execute();
  },
};
