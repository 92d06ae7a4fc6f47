/**
 * Decoding and splitting of the CSV files trade data comes in. Real extracts are ugly: UTF-8 with
 * or without a BOM, UTF-16 from Excel, Windows-1252 from Comtrade+ ("Côte d'Ivoire" as byte 0xF4),
 * quoted and unquoted fields, blank lines, a truncated last line. The reader keeps going past a
 * bad record and reports it with its line number; it never drops the good ones.
 */
import iconv from 'iconv-lite';

export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/**
 * BOMs decide; otherwise strict UTF-8 is tried and Windows-1252 is the fallback, because every
 * byte sequence is valid cp1252 and that is what Comtrade's legacy exports use.
 */
export function decodeText(bytes: Uint8Array): { text: string; encoding: Encoding } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8' };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: iconv.decode(Buffer.from(bytes.subarray(2)), 'utf-16be'), encoding: 'utf-16be' };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(Buffer.from(bytes), 'win1252'), encoding: 'windows-1252' };
  }
}

export interface CsvRecord {
  /** 1-based line number where the record starts */
  line: number;
  fields: string[];
}

export interface CsvProblem {
  line: number;
  reason: string;
}

/**
 * Calls `onRecord` for every record of `text` (RFC 4180 with leniency: a quote inside an unquoted
 * field is kept as a character). Blank lines are skipped. A quoted field that never closes is a
 * problem for its record only; reading resumes on the next line. Lines without quotes take a
 * fast path (`split`), which is what keeps a million-row import quick.
 */
export function readCsv(
  text: string,
  onRecord: (record: CsvRecord) => void,
  onProblem: (problem: CsvProblem) => void,
  delimiter = ',',
): void {
  readCsvChunk(text, 1, true, onRecord, onProblem, delimiter);
}

/**
 * One chunk of a streamed file. Unless `final`, reading stops before a record that may continue
 * in the next chunk (an incomplete last line, or a quoted field still open); the caller prepends
 * the unconsumed rest to the next chunk.
 */
export function readCsvChunk(
  text: string,
  firstLine: number,
  final: boolean,
  onRecord: (record: CsvRecord) => void,
  onProblem: (problem: CsvProblem) => void,
  delimiter = ',',
  /**
   * Column projection: when given, unquoted lines materialise only the fields marked true (the
   * others are empty strings), which saves most of the string allocation of a wide extract.
   */
  need?: readonly boolean[],
  /**
   * With `need`: the record object and its fields array of an unquoted line are reused for the
   * next one, so the callback must not keep them (the Comtrade reader takes its strings out).
   */
  reuse = false,
): { consumed: number; nextLine: number } {
  const n = text.length;
  const scratch: CsvRecord | undefined = need && reuse ? { line: 0, fields: [] } : undefined;
  let pos = 0;
  let line = firstLine;
  // the next quote at or after `pos`, searched again only once passed: keeps the scan linear
  let quote = -1;
  while (pos < n) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) {
      if (!final) break;
      eol = n;
    }
    const end = eol > pos && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    if (quote < pos) {
      quote = text.indexOf('"', pos);
      if (quote === -1) quote = n;
    }
    if (quote >= end) {
      if (end > pos) {
        if (scratch) {
          scratch.line = line;
          project(text, pos, end, delimiter, need!, scratch.fields);
          onRecord(scratch);
        } else
          onRecord({
            line,
            fields: need
              ? project(text, pos, end, delimiter, need, new Array(lastWidth))
              : text.slice(pos, end).split(delimiter),
          });
      }
      pos = eol + 1;
      line++;
      continue;
    }
    const parsed = parseQuotedRecord(text, pos, delimiter, need, scratch?.fields);
    if ('error' in parsed) {
      if (!final && parsed.open) break;
      onProblem({ line, reason: parsed.error });
      pos = eol + 1;
      line++;
      continue;
    }
    if (!final && parsed.next >= n && text[n - 1] !== '\n') break;
    if (scratch) {
      scratch.line = line;
      onRecord(scratch);
    } else onRecord({ line, fields: parsed.fields });
    line += parsed.newlines + 1;
    pos = parsed.next;
  }
  return { consumed: Math.min(pos, n), nextLine: line };
}

function project(
  text: string,
  start: number,
  end: number,
  delimiter: string,
  need: readonly boolean[],
  /** where the fields go: a new array sized for the row before (no regrowth), or a reused one */
  out: string[],
): string[] {
  let col = 0;
  let s = start;
  for (;;) {
    let c = text.indexOf(delimiter, s);
    if (c === -1 || c > end) c = end;
    out[col] = need[col] ? text.slice(s, c) : '';
    col++;
    if (c === end) {
      if (col !== out.length) out.length = col;
      lastWidth = col;
      return out;
    }
    s = c + 1;
  }
}

let lastWidth = 0;

function parseQuotedRecord(
  text: string,
  start: number,
  delimiter: string,
  need?: readonly boolean[],
  /** the array to fill (reused), if not a new one */
  out?: string[],
): { fields: string[]; next: number; newlines: number } | { error: string; open?: boolean } {
  // sized for the row before, as in project (no regrowth); `k` fields are set
  const fields: string[] = out ?? new Array(lastWidth);
  let k = 0;
  const n = text.length;
  let pos = start;
  let newlines = 0;
  let eol = text.indexOf('\n', start);
  if (eol === -1) eol = n;
  for (;;) {
    if (text.charCodeAt(pos) === 34) {
      // a field the projection does not need is scanned (quotes, line ends) but not copied
      const keep = !need || need[k] === true;
      let value = '';
      pos++;
      for (;;) {
        const q = text.indexOf('"', pos);
        if (q === -1)
          return { error: 'a quoted field is never closed (truncated file or stray quote)', open: true };
        if (q > eol) {
          for (let i = text.indexOf('\n', pos); i !== -1 && i < q; i = text.indexOf('\n', i + 1)) newlines++;
        }
        if (keep) value += text.slice(pos, q);
        if (text.charCodeAt(q + 1) === 34) {
          if (keep) value += '"';
          pos = q + 2;
          continue;
        }
        pos = q + 1;
        break;
      }
      if (pos > eol) {
        // the quoted field ran over line ends: find the end of the line it finishes on
        eol = text.indexOf('\n', pos);
        if (eol === -1) eol = n;
      }
      fields[k++] = value;
      const c = text[pos];
      if (c === delimiter) {
        pos++;
        continue;
      }
      if (c === undefined || c === '\n' || (c === '\r' && text[pos + 1] === '\n')) {
        const next = c === undefined ? n : c === '\n' ? pos + 1 : pos + 2;
        fields.length = k;
        return { fields, next, newlines };
      }
      return { error: `stray character after a closing quote in field ${k}` };
    }
    let j = text.indexOf(delimiter, pos);
    if (j === -1 || j > eol) j = eol;
    const atLineEnd = j === eol;
    if (need && !need[k]) fields[k++] = '';
    else {
      let value = text.slice(pos, j);
      if (atLineEnd && value.endsWith('\r')) value = value.slice(0, -1);
      fields[k++] = value;
    }
    if (atLineEnd) {
      fields.length = k;
      return { fields, next: j + 1, newlines };
    }
    pos = j + 1;
  }
}

/** Normalises a header cell for matching: case, BOM, surrounding space and quotes ignored. */
export function headerKey(cell: string): string {
  return cell
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase();
}

/** Empty, `-0-` (Comtrade and OFAC's "nothing here") and `N/A` cells are absent values. */
export function cellValue(cell: string | undefined): string | undefined {
  if (cell === undefined || cell === '') return undefined;
  const first = cell.charCodeAt(0);
  const last = cell.charCodeAt(cell.length - 1);
  const t = first <= 32 || last <= 32 ? cell.trim() : cell;
  if (t === '' || t === '-0-' || t === 'N/A' || t === 'n/a') return undefined;
  return t;
}

/**
 * A number as printed in an extract (`1,234.5` or `1234.5`); undefined for an absent cell;
 * NaN for text that is not a number, so the caller can reject the row.
 */
export function cellNumber(cell: string | undefined): number | undefined {
  const v = cellValue(cell);
  if (v === undefined) return undefined;
  const direct = Number(v);
  if (!Number.isNaN(direct)) return Number.isFinite(direct) ? direct : Number.NaN;
  if (!/^-?[\d,]+(\.\d+)?([eE][+-]?\d+)?$/.test(v)) return Number.NaN;
  const num = Number(v.replaceAll(',', ''));
  return Number.isFinite(num) ? num : Number.NaN;
}
