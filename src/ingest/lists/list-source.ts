/**
 * What every list parser shares: the result shape, decoding bytes with an explicit encoding
 * policy, content hashing, line lookup and the DPRK filter.
 */
import { createHash } from 'node:crypto';
import { XMLValidator } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import { EmbargoError } from '../../core/errors.js';
import type { PartyEntity } from '../../core/parties/party-model.js';

export const LIST_FORMATS = ['un-xml', 'ofac-xml', 'ofac-csv', 'ftm', 'embargo'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

/**
 * A parsed list file: the good entries, and every bad entry as an error value (file, line, field).
 * Whole-file failures (truncated XML, wrong encoding) throw instead: there is nothing to keep.
 */
export interface ListParse {
  items: PartyEntity[];
  errors: EmbargoError[];
  /** notes that do not make the file bad (an OFAC alias row for an unknown entry, …) */
  warnings: string[];
  /** ISO date the publisher gave the list, when the file says */
  published?: string;
  /** entries left out by the DPRK filter */
  filteredOut: number;
}

export interface ParseOptions {
  /** the file name used in errors */
  file: string;
  /** keep every program, not only DPRK (default false) */
  all?: boolean;
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Decodes a file that must be UTF-8 (XML, JSON lines, YAML). A UTF-8 BOM is dropped; UTF-16
 * (BOM or NUL bytes) and invalid UTF-8 are refused with EMB_FILE_ENCODING rather than guessed.
 */
export function decodeUtf8(bytes: Buffer, file: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new EmbargoError('EMB_FILE_ENCODING', 'file is UTF-16; save it as UTF-8', { file });
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new EmbargoError(
      'EMB_FILE_ENCODING',
      'file contains NUL bytes (UTF-16 or binary?); expected UTF-8',
      {
        file,
        line: lineAtOffset(bytes.subarray(0, nul).toString('latin1'), nul),
      },
    );
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (cause) {
    const bad = firstInvalidUtf8(bytes);
    throw new EmbargoError(
      'EMB_FILE_ENCODING',
      'file is not valid UTF-8 (Windows-1252 or Latin-1?); the list format requires UTF-8',
      { file, line: lineAtOffset(bytes.subarray(0, bad).toString('latin1'), bad) },
      { cause },
    );
  }
}

/**
 * Decodes OFAC's legacy CSV: officially Windows-1252. A file that is valid UTF-8 with multi-byte
 * characters is read as UTF-8 (re-saved copies); NUL bytes (UTF-16) are refused.
 */
export function decodeCp1252(bytes: Buffer, file: string): string {
  if (bytes.indexOf(0) >= 0) {
    throw new EmbargoError(
      'EMB_FILE_ENCODING',
      'file contains NUL bytes (UTF-16?); OFAC CSV is Windows-1252',
      {
        file,
      },
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = iconv.decode(bytes, 'win1252');
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function firstInvalidUtf8(bytes: Buffer): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let low = 0;
  let high = bytes.length;
  while (high - low > 1) {
    const mid = (low + high) >>> 1;
    try {
      decoder.decode(bytes.subarray(0, mid), { stream: true });
      decoder.decode();
      low = mid;
    } catch {
      high = mid;
    }
  }
  return low;
}

/** 1-based line of a character offset in `text`. */
export function lineAtOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Offsets of every opening `<tag>` (or `<tag ` with attributes), in document order. */
export function tagOffsets(text: string, tag: string): number[] {
  const offsets: number[] = [];
  const re = new RegExp(`<${tag}[\\s>]`, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) offsets.push(m.index);
  return offsets;
}

/** Converts ascending offsets to 1-based lines in one pass. */
export function linesOfOffsets(text: string, offsets: readonly number[]): number[] {
  const lines: number[] = [];
  let line = 1;
  let position = 0;
  for (const offset of offsets) {
    for (; position < offset; position++) if (text.charCodeAt(position) === 10) line++;
    lines.push(line);
  }
  return lines;
}

/** IMO numbers hidden in free text ("IMO number: 5342883", "Vessel Registration Identification IMO 7937317"). */
export function imoFromText(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const match = /\bIMO(?:\s+(?:number|no\.?))?[\s:.#]*(\d{7})\b/i.exec(text);
  return match?.[1];
}

export function asArray<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

/** Text of an XML leaf as fast-xml-parser gives it (string, number, or object for empty tags). */
export function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && '#text' in (value as Record<string, unknown>)) {
    return textOf((value as Record<string, unknown>)['#text']);
  }
  return '';
}

/**
 * Checks that XML is well-formed before anything is read from it. A truncated file leaves tags
 * open; the validator then names the open tags but points at line 1, so the error is rewritten to
 * name the last line and the innermost open element.
 */
export function assertWellFormedXml(text: string, file: string): void {
  const valid = XMLValidator.validate(text);
  if (valid === true) return;
  const open = /^Invalid '\[(.*)\]' found\.?$/s.exec(valid.err.msg);
  if (open?.[1]) {
    const tags = [...open[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    throw new EmbargoError(
      'EMB_LIST_MALFORMED',
      `the file ends inside <${tags[tags.length - 1]}> with ${tags.length} element(s) left open: truncated download?`,
      { file, line: lineAtOffset(text, text.length) },
    );
  }
  throw new EmbargoError('EMB_LIST_MALFORMED', `not well-formed XML: ${valid.err.msg}`, {
    file,
    line: valid.err.line,
  });
}
