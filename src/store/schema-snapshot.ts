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
  // a column's compression method, where one is set (a migration may choose it: ST20)
  const compression = await sql<{ table_name: string; column_name: string; method: string }>`
    select c.relname as table_name, a.attname as column_name,
      case a.attcompression when 'l' then 'lz4' when 'p' then 'pglz' else a.attcompression::text end as method
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind = 'r' and a.attnum > 0 and a.attcompression <> ''`.execute(
    db,
  );
  const methods = new Map(compression.rows.map((r) => [`${r.table_name}.${r.column_name}`, r.method]));
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
    const method = methods.get(`${table}.${c.column_name}`);
    lines.push(
      `  ${c.column_name} ${c.data_type}${c.is_nullable === 'NO' ? ' not null' : ''}${method ? ` compression ${method}` : ''}`,
    );
  }
  for (const i of indexes.rows) lines.push(`index ${i.indexname}\n  ${i.indexdef}`);
  return `${lines.join('\n')}\n`;
}
