/**
 * Declarations in, as a stream: CSV with a header row, a JSON array of objects, or JSON lines.
 * Bytes are decoded (UTF-8 with or without BOM, UTF-16 with BOM, or a legacy encoding: a first
 * chunk that is not valid UTF-8 is read as Windows-1252 and a notice says so), split into records
 * and validated, chunk by chunk. Each chunk yields one batch of declarations and row errors, so
 * memory stays flat whatever the size of the input and a bad row never stops the file.
 *
 * @example
 *   for await (const batch of readDeclarations(createReadStream(path), { file: path })) {
 *     for (const { declaration } of batch.items) …;
 *     for (const error of batch.errors) …;
 *   }
 */
import { isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import { EmbargoError } from '../../core/errors.js';
import type { Declaration } from '../../core/screening/declaration.js';
import { CsvReader } from './csv-reader.js';
import {
  DECLARATION_FIELDS,
  DeclarationRowParser,
  normaliseHeader,
  REQUIRED_FIELDS,
  type RowError,
} from './declaration-row.js';

export const INPUT_FORMATS = ['csv', 'json', 'jsonl'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

export interface ParsedDeclaration {
  line: number;
  declaration: Declaration;
}

export interface DeclarationBatch {
  items: ParsedDeclaration[];
  errors: RowError[];
}

export interface ReadOptions {
  /** the name shown in messages */
  file: string;
  /** default: from the file extension, else sniffed from the first character */
  format?: InputFormat;
  /** a WHATWG encoding label (`utf-8`, `windows-1252`, `utf-16le`); default: detected */
  encoding?: string;
  /** told about decisions the reader made (encoding fallback) */
  onNotice?: (message: string) => void;
}

/** The format a file name implies, if any. */
export function formatFromName(name: string): InputFormat | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json')) return 'json';
  return undefined;
}

/** Bytes at the end of `chunk` that start a UTF-8 sequence the chunk does not finish. */
function incompleteTail(chunk: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, chunk.length); back++) {
    const b = chunk[chunk.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/**
 * Decodes the byte stream: BOMs decide first, then `options.encoding`; otherwise UTF-8, falling
 * back to Windows-1252 from the first chunk that is not valid UTF-8 (with a notice). Files that mix
 * the two are not repaired: the part before the fallback stays as decoded.
 */
class Decoder {
  #decoder: TextDecoder | undefined;
  /** UTF-8 not yet proven wrong: validated chunk by chunk (fast, native), decoded by StringDecoder */
  #utf8: StringDecoder | undefined;
  #tail: Uint8Array = new Uint8Array(0);
  readonly #options: ReadOptions;

  constructor(options: ReadOptions) {
    this.#options = options;
  }

  decode(chunk: Uint8Array): string {
    if (!this.#decoder && !this.#utf8) this.#decoder = this.#pick(chunk);
    if (this.#decoder) return this.#decoder.decode(chunk, { stream: true });
    const body = this.#tail.length > 0 ? concat(this.#tail, chunk) : chunk;
    const tail = incompleteTail(body);
    if (isUtf8(body.subarray(0, body.length - tail))) {
      this.#tail = tail > 0 ? body.slice(body.length - tail) : EMPTY_BYTES;
      return this.#utf8!.write(chunk as Buffer);
    }
    this.#options.onNotice?.(
      `${this.#options.file}: not valid UTF-8; reading it as Windows-1252 from here on (pass --encoding to choose another)`,
    );
    this.#utf8 = undefined;
    this.#decoder = new TextDecoder('windows-1252');
    return this.#decoder.decode(body, { stream: true });
  }

  end(): string {
    if (this.#decoder) return this.#decoder.decode();
    if (!this.#utf8) return '';
    if (this.#tail.length > 0) return new TextDecoder('windows-1252').decode(this.#tail);
    return this.#utf8.end();
  }

  #pick(first: Uint8Array): TextDecoder | undefined {
    if (first[0] === 0xff && first[1] === 0xfe) return new TextDecoder('utf-16le');
    if (first[0] === 0xfe && first[1] === 0xff) return new TextDecoder('utf-16be');
    const options = this.#options;
    if (options.encoding) {
      try {
        return new TextDecoder(options.encoding);
      } catch (cause) {
        throw new EmbargoError(
          'EMB_FILE_ENCODING',
          `unknown encoding '${options.encoding}'`,
          { file: options.file },
          { cause },
        );
      }
    }
    this.#utf8 = new StringDecoder('utf8');
    return undefined;
  }
}

const EMPTY_BYTES = new Uint8Array(0);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Reads declarations from a byte stream, one batch per input chunk. */
export async function* readDeclarations(
  source: AsyncIterable<Uint8Array | string>,
  options: ReadOptions,
): AsyncGenerator<DeclarationBatch> {
  const decoder = new Decoder(options);
  let sink: ChunkParser | undefined;
  for await (const chunk of source) {
    let text: string;
    if (typeof chunk === 'string') text = chunk;
    else text = decoder.decode(chunk);
    if (text.length === 0) continue;
    sink ??= createParser(options.format ?? formatFromName(options.file) ?? sniff(text), options.file);
    const batch: DeclarationBatch = { items: [], errors: [] };
    sink.feed(text, batch);
    if (batch.items.length > 0 || batch.errors.length > 0) yield batch;
  }
  const rest = decoder.end();
  if (!sink && rest.length === 0) return; // empty input: nothing to screen
  sink ??= createParser(options.format ?? formatFromName(options.file) ?? sniff(rest), options.file);
  const batch: DeclarationBatch = { items: [], errors: [] };
  if (rest.length > 0) sink.feed(rest, batch);
  sink.end(batch);
  if (batch.items.length > 0 || batch.errors.length > 0) yield batch;
}

function sniff(text: string): InputFormat {
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\ufeff') continue;
    return c === '[' ? 'json' : c === '{' ? 'jsonl' : 'csv';
  }
  return 'csv';
}

export interface ChunkParser {
  feed(text: string, batch: DeclarationBatch): void;
  end(batch: DeclarationBatch): void;
}

function createParser(format: InputFormat, file: string): ChunkParser {
  switch (format) {
    case 'csv':
      return new CsvDeclarations(file);
    case 'json':
      return new JsonArrayDeclarations();
    case 'jsonl':
      return new JsonLinesDeclarations();
  }
}

/**
 * CSV records → declarations. The parallel pipeline (src/cli/screen-workers/) starts one on a chunk
 * of a file with the file's `header`, the chunk's first line and a row parser that leaves duplicate
 * ids to the caller.
 */
export class CsvDeclarations implements ChunkParser {
  readonly #rows: DeclarationRowParser;
  readonly #csv: CsvReader;
  /** column of each DECLARATION_FIELDS entry, -1 when absent */
  #columns: number[] = [];
  #extras: [string, number][] = [];
  #header: string[] = [];
  readonly #file: string;
  #batch: DeclarationBatch = { items: [], errors: [] };

  constructor(
    file: string,
    from?: { rows: DeclarationRowParser; header?: readonly string[]; line?: number; skipping?: boolean },
  ) {
    this.#file = file;
    this.#rows = from?.rows ?? new DeclarationRowParser();
    if (from?.header) {
      this.#csv = new CsvReader(undefined, from.line, from.skipping);
      this.#csv.expected = from.header.length;
      this.#onHeader([...from.header]);
    } else this.#csv = new CsvReader((header) => this.#onHeader(header));
  }

  /** The header as read (undefined before it is). */
  rawHeader: string[] | undefined;

  /** The CSV reader's position: next line, and whether the text fed ends at a record boundary. */
  get reader(): CsvReader {
    return this.#csv;
  }

  #onHeader(header: string[]) {
    this.rawHeader = header;
    this.#header = header.map(normaliseHeader);
    const missing = REQUIRED_FIELDS.filter((f) => !this.#header.includes(f));
    if (missing.length > 0) {
      throw new EmbargoError(
        'EMB_DECLARATION_INVALID',
        `the header lacks required column(s) ${missing.join(', ')}; found ${this.#header.join(', ')}`,
        { file: this.#file, line: 1 },
      );
    }
    this.#columns = DECLARATION_FIELDS.map((f) => this.#header.indexOf(f));
    const known = new Set<string>(DECLARATION_FIELDS);
    this.#extras = this.#header.flatMap((name, i): [string, number][] =>
      known.has(name) ? [] : [[name || `column_${i + 1}`, i]],
    );
  }

  readonly #onRecord = (fields: string[], line: number) => {
    let extra: Record<string, string> | undefined;
    if (this.#extras.length > 0) {
      extra = {};
      for (const [name, i] of this.#extras) extra[name] = fields[i] ?? '';
    }
    const d = this.#rows.parse(fields, line, fields, this.#batch.errors, extra, this.#columns);
    if (d) this.#batch.items.push({ line, declaration: d });
  };

  readonly #onError = (e: { line: number; message: string; raw: string }) => {
    this.#batch.errors.push({
      line: e.line,
      field: null,
      reason: e.message,
      code: 'EMB_CSV_MALFORMED',
      raw: e.raw,
    });
  };

  feed(text: string, batch: DeclarationBatch) {
    this.#batch = batch;
    this.#csv.feed(text, this.#onRecord, this.#onError);
  }

  end(batch: DeclarationBatch) {
    this.#batch = batch;
    this.#csv.end(this.#onRecord, this.#onError);
  }
}

/** JSON value → the text a CSV cell would hold (arrays of references joined with `;`). */
function cellOf(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map((x) => cellOf(x) ?? '').join(';');
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.type === 'string') return o.reference ? `${o.type}:${String(o.reference)}` : o.type;
  }
  return JSON.stringify(v);
}

const KNOWN: ReadonlySet<string> = new Set(DECLARATION_FIELDS);

function objectRow(rows: DeclarationRowParser, text: string, line: number, batch: DeclarationBatch) {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    batch.errors.push({
      line,
      field: null,
      reason: `invalid JSON: ${(error as Error).message}`,
      code: 'EMB_JSON_MALFORMED',
      raw: text.slice(0, 500),
    });
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    batch.errors.push({
      line,
      field: null,
      reason: 'expected a JSON object per declaration',
      code: 'EMB_JSON_MALFORMED',
      raw: text.slice(0, 500),
    });
    return;
  }
  const o = value as Record<string, unknown>;
  const values: (string | undefined)[] = new Array(DECLARATION_FIELDS.length);
  let extra: Record<string, string> | undefined;
  for (const [key, v] of Object.entries(o)) {
    const name = normaliseHeader(key);
    const index = KNOWN.has(name) ? DECLARATION_FIELDS.indexOf(name as never) : -1;
    if (index >= 0) values[index] = cellOf(v);
    else {
      extra ??= {};
      extra[key] = cellOf(v) ?? '';
    }
  }
  const d = rows.parse(values, line, text, batch.errors, extra);
  if (d) batch.items.push({ line, declaration: d });
}

class JsonLinesDeclarations implements ChunkParser {
  readonly #rows = new DeclarationRowParser();
  #pending = '';
  #line = 1;

  feed(text: string, batch: DeclarationBatch) {
    const s = this.#pending + text;
    let start = 0;
    for (let nl = s.indexOf('\n'); nl !== -1; nl = s.indexOf('\n', start)) {
      this.#one(s.slice(start, nl), batch);
      start = nl + 1;
    }
    this.#pending = s.slice(start);
  }

  end(batch: DeclarationBatch) {
    if (this.#pending.length > 0) this.#one(this.#pending, batch);
    this.#pending = '';
  }

  #one(raw: string, batch: DeclarationBatch) {
    const line = this.#line++;
    const text = (line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw).trim();
    if (text === '') return;
    objectRow(this.#rows, text, line, batch);
  }
}

/**
 * A JSON array of objects, split into its elements as the text streams in (tracking strings,
 * escapes and nesting), so each element is parsed on its own: a malformed element is one error,
 * and the array never has to fit in memory.
 */
class JsonArrayDeclarations implements ChunkParser {
  readonly #rows = new DeclarationRowParser();
  #text = '';
  #pos = 0;
  #line = 1;
  #state: 'before' | 'between' | 'element' | 'after' = 'before';
  #depth = 0;
  #inString = false;
  #escape = false;
  #elementStart = 0;
  #elementLine = 1;

  feed(text: string, batch: DeclarationBatch) {
    // keep only the unfinished element
    const keepFrom = this.#state === 'element' ? this.#elementStart : this.#pos;
    this.#text = this.#text.slice(keepFrom) + text;
    this.#pos -= keepFrom;
    this.#elementStart -= keepFrom;
    this.#scan(batch);
  }

  end(batch: DeclarationBatch) {
    if (this.#state === 'element') {
      batch.errors.push({
        line: this.#elementLine,
        field: null,
        reason: 'truncated JSON: the input ends inside this element',
        code: 'EMB_JSON_MALFORMED',
        raw: this.#text.slice(this.#elementStart, this.#elementStart + 500),
      });
    } else if (this.#state !== 'after') {
      batch.errors.push({
        line: this.#line,
        field: null,
        reason:
          this.#state === 'before'
            ? 'expected a JSON array'
            : "truncated JSON: the array's closing ] is missing",
        code: 'EMB_JSON_MALFORMED',
        raw: '',
      });
    }
  }

  #scan(batch: DeclarationBatch) {
    const s = this.#text;
    for (; this.#pos < s.length; this.#pos++) {
      const c = s.charCodeAt(this.#pos);
      if (c === 10) this.#line++;
      if (this.#state === 'element') {
        if (this.#inString) {
          if (this.#escape) this.#escape = false;
          else if (c === 92) this.#escape = true;
          else if (c === 34) this.#inString = false;
          continue;
        }
        if (c === 34) this.#inString = true;
        else if (c === 123 || c === 91) this.#depth++;
        else if (c === 125 || c === 93) {
          this.#depth--;
          if (this.#depth === 0) {
            objectRow(this.#rows, s.slice(this.#elementStart, this.#pos + 1), this.#elementLine, batch);
            this.#state = 'between';
          }
        } else if (this.#depth === 0 && (c === 44 || c === 10)) {
          // a scalar element ended
          objectRow(this.#rows, s.slice(this.#elementStart, this.#pos).trim(), this.#elementLine, batch);
          this.#state = 'between';
        }
        continue;
      }
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff) continue;
      if (this.#state === 'before') {
        if (c !== 91) {
          batch.errors.push({
            line: this.#line,
            field: null,
            reason: 'expected a JSON array',
            code: 'EMB_JSON_MALFORMED',
            raw: s.slice(this.#pos, this.#pos + 100),
          });
          this.#state = 'after';
          this.#pos = s.length;
          return;
        }
        this.#state = 'between';
      } else if (this.#state === 'between') {
        if (c === 44) continue;
        if (c === 93) {
          this.#state = 'after';
          continue;
        }
        this.#state = 'element';
        this.#elementStart = this.#pos;
        this.#elementLine = this.#line;
        this.#depth = c === 123 || c === 91 ? 1 : 0;
        this.#inString = c === 34;
      }
    }
  }
}
