/**
 * A small RFC 4180 record splitter for list files (OFAC's CSV trio, embargo's own list CSV).
 * Quoted fields may hold commas, doubled quotes and line breaks. A quote left open for more than
 * MAX_RECORD_LINES lines is taken as a stray quote: that record becomes an error value and
 * reading resumes on the next line, so one bad row never loses the rest.
 */
export interface CsvRecord {
  fields: string[];
  /** 1-based line where the record starts */
  line: number;
}

export interface CsvSplit {
  records: CsvRecord[];
  /** records that could not be split (stray or unbalanced quotes), by starting line */
  bad: { line: number; reason: string }[];
}

const MAX_RECORD_LINES = 20;

export function splitCsvRecords(text: string): CsvSplit {
  const lines = text.split(/\r?\n/);
  const records: CsvRecord[] = [];
  const bad: { line: number; reason: string }[] = [];
  let i = 0;
  while (i < lines.length) {
    const start = i;
    const first = lines[i] ?? '';
    i++;
    if (first.trim() === '' || first === '\x1a') continue;
    let source = first;
    let parsed = parseRecord(source);
    while (parsed === undefined && i < lines.length && i - start < MAX_RECORD_LINES) {
      source += `\n${lines[i] ?? ''}`;
      i++;
      parsed = parseRecord(source);
    }
    // A quote that stays open, or that only closes lines later in the middle of a field, is a
    // stray quote on the first line: report that line and read on from the next one.
    if (parsed === undefined || (typeof parsed === 'string' && i - start > 1)) {
      bad.push({ line: start + 1, reason: 'unbalanced quotes' });
      i = start + 1;
      continue;
    }
    if (typeof parsed === 'string') {
      bad.push({ line: start + 1, reason: parsed });
      continue;
    }
    records.push({ fields: parsed, line: start + 1 });
  }
  return { records, bad };
}

/** Fields of one record; undefined when a quoted field is still open; a string when malformed. */
function parseRecord(source: string): string[] | string | undefined {
  const fields: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let fieldStart = true;
  while (i < source.length) {
    const ch = source[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (source[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        // after a closing quote only a separator (or spaces / Ctrl-Z) may follow
        while (i < source.length && source[i] !== ',') {
          if (!/[\s\x1a]/.test(source[i] as string))
            return `unexpected text after closing quote at column ${i + 1}`;
          i++;
        }
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && fieldStart && field.trim() === '') {
      quoted = true;
      field = '';
      fieldStart = false;
      i++;
      continue;
    }
    if (ch === ',') {
      fields.push(field);
      field = '';
      fieldStart = true;
      i++;
      continue;
    }
    field += ch;
    fieldStart = false;
    i++;
  }
  if (quoted) return undefined;
  fields.push(field.replace(/\x1a$/, ''));
  return fields;
}
