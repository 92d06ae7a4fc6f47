/**
 * The one formatter every command writes through: tables for people, JSON / JSON-lines / CSV for
 * programs. Diagnostics never go here (they go to stderr).
 */
import { EmbargoError } from '../core/errors.js';

export const OUTPUT_FORMATS = ['table', 'json', 'jsonl', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseFormat(
  value: string | undefined,
  allowed: readonly string[] = OUTPUT_FORMATS,
): OutputFormat {
  const format = value ?? 'table';
  if (!allowed.includes(format)) {
    throw new EmbargoError(
      'EMB_USAGE',
      `unknown --format '${format}'; expected one of ${allowed.join(', ')}`,
    );
  }
  return format as OutputFormat;
}

export type Row = Record<string, unknown>;

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(cellText).join('; ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function csvEscape(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows: readonly Row[], columns?: readonly string[]): string {
  const cols = columns ?? collectColumns(rows);
  const lines = [cols.map(csvEscape).join(',')];
  for (const row of rows) lines.push(cols.map((c) => csvEscape(cellText(row[c]))).join(','));
  return `${lines.join('\n')}\n`;
}

function collectColumns(rows: readonly Row[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

/** Plain-text table with a header rule; wide cells are cut at `maxWidth` characters. */
export function toTable(rows: readonly Row[], columns?: readonly string[], maxWidth = 60): string {
  const cols = columns ?? collectColumns(rows);
  if (rows.length === 0) return '(none)\n';
  const cells = rows.map((row) =>
    cols.map((c) => {
      const text = cellText(row[c]);
      return text.length > maxWidth ? `${text.slice(0, maxWidth - 1)}…` : text;
    }),
  );
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line([...cols]), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')}\n`;
}

export function formatRows(rows: readonly Row[], format: OutputFormat, columns?: readonly string[]): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(rows, null, 2)}\n`;
    case 'jsonl':
      return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
    case 'csv':
      return toCsv(rows, columns);
    case 'table':
      return toTable(rows, columns);
  }
}
