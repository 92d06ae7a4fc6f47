/**
 * PostgreSQL compresses a text value over ~2 KB before storing it, with pglz unless told
 * otherwise. The only such values the store writes in bulk are `decisions.recorded` audit payloads
 * (one per written chunk, up to ~230 KB each), and pglz costs the server more than writing them:
 * COPY of a 60,000-row batch's audit entries took ~315 ms with pglz, ~125 ms with lz4 and ~124 ms
 * uncompressed (docs/decisions.md ST21). lz4 keeps the small size; existing values stay as stored
 * (PostgreSQL reads both). A server built without lz4 keeps pglz. SQLite does not compress: nothing.
 */
import { sql } from 'kysely';
import type { Migration } from './migration.js';

export const migration: Migration = {
  name: '202611290135-audit-payload-lz4',
  async up(db, kind) {
    if (kind !== 'postgres') return;
    const lz4 = await sql<{ ok: boolean }>`
      select 'lz4' = any(enumvals) as ok from pg_settings where name = 'default_toast_compression'`.execute(
      db,
    );
    if (!lz4.rows[0]?.ok) return;
    await sql`alter table audit_log alter column payload set compression lz4`.execute(db);
  },
};
