/**
 * embargo's own observations format, as YAML (`format: embargo-trade-observations/1` and an
 * `observations:` list) or as CSV with one column per field (source fields flattened). Every
 * record is validated by ObservationRecordSchema; a bad record is reported with its line and
 * the path of the offending field, and the rest load.
 */
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { EmbargoError } from '../../core/errors.js';
import {
  ObservationRecordSchema,
  ObservationsFileSchema,
  toObservation,
} from '../../core/trade/observation-schema.js';
import { cellValue, headerKey } from './csv-reader.js';
import { type RowSink, rowError } from './trade-parse-result.js';

export const OBSERVATION_CSV_COLUMNS = [
  'id',
  'reporter',
  'partner',
  'flow',
  'period',
  'commodity',
  'label',
  'measure',
  'value',
  'unit',
  'basis',
  'qualifier',
  'status',
  'supersedes',
  'outlet',
  'title',
  'author',
  'published',
  'url',
  'primary',
  'dataset',
  'release',
  'notes',
] as const;

export function isObservationsCsv(header: readonly string[]): boolean {
  const keys = new Set(header.map(headerKey));
  return keys.has('id') && keys.has('measure') && keys.has('unit') && keys.has('period');
}

function describeIssue(issue: z.core.$ZodIssue): { field: string; message: string } {
  const field = issue.path.map(String).join('.') || '(record)';
  return { field, message: issue.message };
}

export function observationsCsvRowReader(
  header: readonly string[],
  file: string,
  sink: RowSink,
): (fields: readonly string[], line: number) => void {
  const keys = header.map(headerKey);
  const unknown = keys.filter((k) => !(OBSERVATION_CSV_COLUMNS as readonly string[]).includes(k));
  if (unknown.length) sink.fatal(`unknown observation column(s): ${unknown.join(', ')}`);
  return (fields, line) => {
    const get = (name: string) => {
      const i = keys.indexOf(name);
      return i === -1 ? undefined : cellValue(fields[i]);
    };
    const valueText = get('value');
    const source = get('dataset')
      ? { dataset: get('dataset'), release: get('release'), url: get('url') }
      : {
          outlet: get('outlet'),
          title: get('title'),
          author: get('author'),
          published: get('published'),
          url: get('url'),
          primary: get('primary'),
        };
    const record = {
      id: get('id'),
      reporter: get('reporter'),
      partner: get('partner'),
      flow: get('flow'),
      period: get('period'),
      commodity: get('commodity'),
      label: get('label'),
      measure: get('measure'),
      value: valueText === undefined ? undefined : Number(valueText),
      unit: get('unit'),
      basis: get('basis'),
      qualifier: get('qualifier'),
      status: get('status'),
      supersedes: get('supersedes')
        ?.split(';')
        .map((s) => s.trim())
        .filter(Boolean),
      source: Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined)),
      notes: get('notes'),
    };
    const clean = Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
    const parsed = ObservationRecordSchema.safeParse(clean);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const { field, message } = first ? describeIssue(first) : { field: '(record)', message: 'invalid' };
      sink.error(rowError(file, line, field, message));
      return;
    }
    sink.item(toObservation(parsed.data));
  };
}

/** Reads a YAML observations file: file-level problems are fatal, record problems are per record. */
export function parseObservationsYaml(text: string, file: string, sink: RowSink): void {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = e?.linePos?.[0]?.line;
    throw new EmbargoError('EMB_TRADE_OBSERVATIONS_INVALID', `not valid YAML: ${e?.message ?? ''}`, {
      file,
      line,
    });
  }
  const top = ObservationsFileSchema.safeParse(doc.toJS());
  if (!top.success) {
    const issue = top.error.issues[0];
    throw new EmbargoError(
      'EMB_TRADE_OBSERVATIONS_INVALID',
      `not an observations file: ${issue ? `${issue.path.join('.') || '(top)'}: ${issue.message}` : ''}`,
      { file },
    );
  }
  const seq = doc.get('observations', true);
  const nodes = isSeq(seq) ? seq.items : [];
  top.data.observations.forEach((raw, i) => {
    const node = nodes[i];
    const offset = isMap(node) && node.range ? node.range[0] : undefined;
    const line = offset === undefined ? undefined : lineCounter.linePos(offset).line;
    const parsed = ObservationRecordSchema.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const { field, message } = first ? describeIssue(first) : { field: '(record)', message: 'invalid' };
      sink.error(rowError(file, line ?? 0, `observations[${i}].${field}`, message));
      return;
    }
    sink.item(toObservation(parsed.data));
  });
}
