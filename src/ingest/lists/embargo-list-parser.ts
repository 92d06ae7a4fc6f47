/**
 * embargo's own party-list format, YAML or CSV (schema: src/core/parties/party-list-schema.ts).
 * Each entry is validated on its own, so one bad entry is reported with its file, line and path
 * and the others still load; a bad list header fails the whole file.
 *
 * CSV form: a header row, one row per name; rows sharing an `id` are one entry (the first row of
 * an id carries the entry's fields). Columns: id, type, name, kind, from, to, imo, listed_on,
 * programs (`;`-separated), action, source, relations (`kind:target;…`), remarks.
 */
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { EmbargoError } from '../../core/errors.js';
import {
  LIST_FORMAT_TAG,
  type PartyEntry,
  PartyEntrySchema,
  PartyListFileSchema,
} from '../../core/parties/party-list-schema.js';
import type { PartyEntity } from '../../core/parties/party-model.js';
import { splitCsvRecords } from './csv-records.js';
import type { ListParse, ParseOptions } from './list-source.js';

export interface EmbargoListParse extends ListParse {
  /** list header from the YAML file (CSV files have none) */
  header?: { id: string; source: string; published: string; url?: string };
}

export function entityOfEntry(entry: PartyEntry): PartyEntity {
  return {
    id: entry.id,
    reference: entry.reference ?? entry.id,
    type: entry.type,
    names: entry.names.map((n) => ({
      name: n.name,
      kind: n.kind,
      ...(n.from ? { from: n.from } : {}),
      ...(n.to ? { to: n.to } : {}),
      ...(n.note ? { note: n.note } : {}),
    })),
    programs: entry.programs,
    action: entry.action,
    source: entry.source,
    ...(entry.imo ? { imo: entry.imo } : {}),
    ...(entry.listed_on ? { listedOn: entry.listed_on } : {}),
    ...(entry.relations ? { relations: entry.relations } : {}),
    ...(entry.remarks ? { remarks: entry.remarks } : {}),
  };
}

function issueText(issue: z.core.$ZodIssue): string {
  return `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
}

export function isEmbargoListYaml(head: string): boolean {
  return head.includes(LIST_FORMAT_TAG);
}

export function parseEmbargoListYaml(text: string, options: ParseOptions): EmbargoListParse {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = first?.pos ? lineCounter.linePos(first.pos[0]).line : undefined;
    throw new EmbargoError('EMB_LIST_INVALID', `not valid YAML: ${first?.message.split('\n')[0]}`, {
      file: options.file,
      ...(line ? { line } : {}),
    });
  }
  const lineOf = (path: readonly (string | number)[]): number | undefined => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const raw = doc.toJS() as Record<string, unknown> | null;
  const header = PartyListFileSchema.omit({ entries: true }).safeParse({
    format: raw?.format,
    list: raw?.list,
  });
  const extraKeys =
    raw && typeof raw === 'object'
      ? Object.keys(raw).filter((k) => !['format', 'list', 'entries'].includes(k))
      : [];
  if (!header.success || extraKeys.length > 0) {
    const issue = header.success ? undefined : header.error.issues[0];
    const path = issue
      ? issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))
      : [extraKeys[0] ?? ''];
    const line = lineOf(path);
    throw new EmbargoError('EMB_LIST_INVALID', issue ? issueText(issue) : `unknown key '${extraKeys[0]}'`, {
      file: options.file,
      path: path.join('.'),
      ...(line ? { line } : {}),
    });
  }
  const entriesNode = doc.get('entries', true);
  if (!isSeq(entriesNode)) {
    throw new EmbargoError('EMB_LIST_INVALID', "'entries' must be a list", {
      file: options.file,
      path: 'entries',
      ...(lineOf(['entries']) ? { line: lineOf(['entries']) } : {}),
    });
  }
  const result: EmbargoListParse = {
    items: [],
    errors: [],
    warnings: [],
    filteredOut: 0,
    published: header.data.list.published,
    header: {
      id: header.data.list.id,
      source: header.data.list.source,
      published: header.data.list.published,
      ...(header.data.list.url ? { url: header.data.list.url } : {}),
    },
  };
  const entries = (raw?.entries as unknown[]) ?? [];
  const seen = new Set<string>();
  entries.forEach((value, i) => {
    if (!isMap(entriesNode.items[i])) {
      result.errors.push(
        new EmbargoError('EMB_LIST_INVALID', 'entry must be a mapping', {
          file: options.file,
          path: `entries.${i}`,
          ...(lineOf(['entries', i]) ? { line: lineOf(['entries', i]) } : {}),
        }),
      );
      return;
    }
    const parsed = PartyEntrySchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = ['entries', i, ...(issue?.path ?? []).map((p) => (typeof p === 'symbol' ? String(p) : p))];
      const line = lineOf(path);
      result.errors.push(
        new EmbargoError('EMB_LIST_INVALID', issue ? issue.message : 'invalid entry', {
          file: options.file,
          path: path.join('.'),
          ...(line ? { line } : {}),
        }),
      );
      return;
    }
    if (seen.has(parsed.data.id)) {
      const line = lineOf(['entries', i, 'id']);
      result.errors.push(
        new EmbargoError('EMB_LIST_INVALID', `duplicate entry id '${parsed.data.id}'`, {
          file: options.file,
          path: `entries.${i}.id`,
          ...(line ? { line } : {}),
        }),
      );
      return;
    }
    seen.add(parsed.data.id);
    result.items.push(entityOfEntry(parsed.data));
  });
  return result;
}

export const EMBARGO_CSV_COLUMNS = [
  'id',
  'type',
  'name',
  'kind',
  'from',
  'to',
  'imo',
  'listed_on',
  'programs',
  'action',
  'source',
  'relations',
  'remarks',
] as const;

export function isEmbargoListCsv(head: string): boolean {
  const first = head.replace(/^\ufeff/, '').split(/\r?\n/, 1)[0] ?? '';
  const columns = first.split(',').map((c) => c.trim().toLowerCase());
  return (
    columns.includes('id') &&
    columns.includes('name') &&
    columns.includes('type') &&
    columns.includes('source')
  );
}

export function parseEmbargoListCsv(text: string, options: ParseOptions): EmbargoListParse {
  const result: EmbargoListParse = { items: [], errors: [], warnings: [], filteredOut: 0 };
  const { records, bad } = splitCsvRecords(text.replace(/^\ufeff/, ''));
  for (const b of bad)
    result.errors.push(new EmbargoError('EMB_LIST_INVALID', b.reason, { file: options.file, line: b.line }));
  const headerRecord = records.shift();
  const header = headerRecord?.fields.map((c) => c.trim().toLowerCase()) ?? [];
  for (const required of ['id', 'type', 'name', 'source']) {
    if (!header.includes(required)) {
      throw new EmbargoError('EMB_LIST_INVALID', `CSV header lacks the '${required}' column`, {
        file: options.file,
        line: headerRecord?.line ?? 1,
        field: required,
      });
    }
  }
  const unknown = header.filter((c) => !(EMBARGO_CSV_COLUMNS as readonly string[]).includes(c));
  if (unknown.length) {
    throw new EmbargoError('EMB_LIST_INVALID', `unknown CSV column '${unknown[0]}'`, {
      file: options.file,
      line: headerRecord?.line ?? 1,
      field: unknown[0],
    });
  }
  // Group rows by id, keeping the first line of each id for errors.
  const groups = new Map<string, { line: number; rows: Record<string, string>[] }>();
  for (const { fields, line } of records) {
    const row: Record<string, string> = {};
    header.forEach((column, i) => {
      row[column] = (fields[i] ?? '').trim();
    });
    if (!row.id) {
      result.errors.push(
        new EmbargoError('EMB_LIST_INVALID', 'row has no id', { file: options.file, line, field: 'id' }),
      );
      continue;
    }
    const group = groups.get(row.id) ?? { line, rows: [] };
    // Object.assign, not a spread followed by a new key (~1 µs per row on Node 20, docs/decisions.md ST22)
    group.rows.push(Object.assign({}, row, { __line: String(line) }));
    groups.set(row.id, group);
  }
  for (const [id, group] of groups) {
    const first = group.rows[0] ?? {};
    const candidate = {
      id,
      type: first.type || undefined,
      names: group.rows.map((r) => ({
        name: r.name ?? '',
        ...(r.kind ? { kind: r.kind } : {}),
        ...(r.from ? { from: r.from } : {}),
        ...(r.to ? { to: r.to } : {}),
      })),
      ...(first.imo ? { imo: first.imo } : {}),
      ...(first.listed_on ? { listed_on: first.listed_on } : {}),
      programs: (first.programs ?? '')
        .split(';')
        .map((p) => p.trim())
        .filter(Boolean),
      ...(first.action ? { action: first.action } : {}),
      source: first.source ?? '',
      ...(first.relations
        ? {
            relations: first.relations
              .split(';')
              .filter((r) => r.trim())
              .map((r) => {
                const at = r.indexOf(':');
                return { kind: r.slice(0, at).trim(), target: r.slice(at + 1).trim() };
              }),
          }
        : {}),
      ...(first.remarks ? { remarks: first.remarks } : {}),
    };
    const parsed = PartyEntrySchema.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const nameIndex = issue?.path[0] === 'names' && typeof issue.path[1] === 'number' ? issue.path[1] : 0;
      const line = Number(group.rows[nameIndex]?.__line ?? group.line);
      const field =
        issue?.path[0] === 'names' ? String(issue.path[2] ?? 'name') : String(issue?.path[0] ?? '');
      result.errors.push(
        new EmbargoError('EMB_LIST_INVALID', `entry ${id}: ${issue ? issueText(issue) : 'invalid'}`, {
          file: options.file,
          line,
          field,
        }),
      );
      continue;
    }
    result.items.push(entityOfEntry(parsed.data));
  }
  return result;
}
