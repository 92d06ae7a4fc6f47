/**
 * A plain-text description of the store's schema as the database reports it, per dialect. The
 * migration test compares it with the committed snapshot, so a migration that changes the schema
 * unexpectedly (or an edited old migration) shows up in review as a snapshot diff.
 */
import { type Kysely, sql } from 'kysely';
import type { StoreKind } from './port.js';

export async function schemaSnapshot(db: Kysely<unknown>, kind: StoreKind): Promise<string> {
  if (kind === 'sqlite') {
    const rows = await sql<{ type: string; name: string; sql: string | null }>`
      select type, name, sql from sqlite_master
      where name not like 'sqlite_%' order by type desc, name`.execute(db);
    return `${rows.rows.map((r) => `${r.type} ${r.name}\n  ${(r.sql ?? '(auto)').replace(/\s+/g, ' ')}`).join('\n')}\n`;
  }
  const columns = await sql<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
  }>`
    select table_name, column_name, data_type, is_nullable from information_schema.columns
    where table_schema = current_schema() order by table_name, ordinal_position`.execute(db);
  const indexes = await sql<{ indexname: string; indexdef: string }>`
    select indexname, indexdef from pg_indexes where schemaname = current_schema() order by indexname`.execute(
    db,
  );
  const lines: string[] = [];
  let table = '';
  for (const c of columns.rows) {
    if (c.table_name !== table) {
      table = c.table_name;
      lines.push(`table ${table}`);
    }
    lines.push(`  ${c.column_name} ${c.data_type}${c.is_nullable === 'NO' ? ' not null' : ''}`);
  }
  for (const i of indexes.rows) lines.push(`index ${i.indexname}\n  ${i.indexdef}`);
  return `${lines.join('\n')}\n`;
}
