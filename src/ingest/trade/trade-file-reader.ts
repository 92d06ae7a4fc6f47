/**
 * Reads a trade file of any supported format into observations, streaming: the file is decoded
 * and split in chunks, so a million-row Comtrade extract never has to fit in one string.
 * Observations go to a sink as they are read (collected for the CLI, aggregated on the fly by
 * the benchmark).
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename, extname } from 'node:path';
import iconv from 'iconv-lite';
import { EmbargoError } from '../../core/errors.js';
import { type ComtradeFormat, comtradeRowReader, detectComtrade, type RowReader } from './comtrade-parser.js';
import { type Encoding, readCsvChunk } from './csv-reader.js';
import { type GenericCsvDefaults, genericCsvRowReader } from './generic-csv-parser.js';
import { isObservationsCsv, observationsCsvRowReader, parseObservationsYaml } from './observations-parser.js';
import { collectingSink, type RowSink, type TradeParseResult } from './trade-parse-result.js';

export const TRADE_FORMATS = ['comtrade', 'comtrade-legacy', 'observations', 'csv'] as const;
export type TradeFormat = (typeof TRADE_FORMATS)[number];

export interface TradeReadOptions {
  format?: TradeFormat;
  defaults?: GenericCsvDefaults;
  /** bytes per chunk; small values exercise chunk boundaries in tests */
  chunkSize?: number;
}

const CHUNK = 8 * 1024 * 1024;

/** Reads a whole file and returns everything it yielded. */
export function readTradeFile(path: string, options: TradeReadOptions = {}): TradeParseResult {
  const sink = collectingSink(basename(path));
  const { format, encoding } = streamTradeFile(path, sink, options);
  return { ...sink.result, format, encoding };
}

/** Reads a file, sending each observation and row error to `sink`. */
export function streamTradeFile(
  path: string,
  sink: RowSink,
  options: TradeReadOptions = {},
): { format: string; encoding: Encoding } {
  const file = basename(path);
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (cause) {
      throw new EmbargoError('EMB_FILE_NOT_FOUND', `cannot read ${path}`, { file: path }, { cause });
    }
    if (options.format && options.format !== 'observations') {
      throw new EmbargoError('EMB_TRADE_FORMAT_UNKNOWN', `a YAML file can only be --format observations`, {
        file,
      });
    }
    parseObservationsYaml(new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, ''), file, sink);
    return { format: 'observations', encoding: 'utf-8' };
  }
  const encoding = sniffEncoding(path, options.chunkSize);
  let onRow: RowReader | undefined;
  let need: boolean[] | undefined;
  let format: string = options.format ?? '';
  let headerSeen = false;
  const onRecord = (record: { line: number; fields: string[] }) => {
    if (!headerSeen) {
      headerSeen = true;
      onRow = rowReaderFor(record.fields, file, options, sink);
      if (onRow?.columns) {
        need = [];
        for (const i of onRow.columns) need[i] = true;
      }
      format = onRow ? (options.format ?? detectFormat(record.fields)) : format;
      return;
    }
    onRow?.(record.fields, record.line);
  };
  const onProblem = (p: { line: number; reason: string }) =>
    sink.error(new EmbargoError('EMB_CSV_MALFORMED', p.reason, { file, line: p.line }));
  forEachDecodedChunk(path, encoding, options.chunkSize ?? CHUNK, (text, final, state) => {
    if (!onRow && headerSeen) return text.length; // the header was not usable: nothing more to read
    const { consumed, nextLine } = readCsvChunk(text, state.line, final, onRecord, onProblem, ',', need);
    state.line = nextLine;
    return consumed;
  });
  if (!headerSeen) sink.fatal('the file is empty');
  return { format, encoding };
}

function detectFormat(header: readonly string[]): TradeFormat {
  return detectComtrade(header) ?? (isObservationsCsv(header) ? 'observations' : 'csv');
}

function rowReaderFor(
  header: string[],
  file: string,
  options: TradeReadOptions,
  sink: RowSink,
): RowReader | undefined {
  if (header[0]) header[0] = header[0].replace(/^\uFEFF/, '');
  const format = options.format ?? detectFormat(header);
  switch (format) {
    case 'comtrade':
    case 'comtrade-legacy': {
      const detected = detectComtrade(header);
      if (detected && detected !== format) {
        sink.fatal(`the header is ${detected}, not ${format}`);
        return undefined;
      }
      return comtradeRowReader(format as ComtradeFormat, header, file, sink);
    }
    case 'observations':
      if (!isObservationsCsv(header)) {
        sink.fatal('an observations CSV needs the columns id, period, measure, value and unit');
        return undefined;
      }
      return observationsCsvRowReader(header, file, sink);
    case 'csv':
      return genericCsvRowReader(header, file, options.defaults ?? {}, sink);
  }
}

/** BOM, else strict UTF-8 over the whole file (streamed), else Windows-1252. */
function sniffEncoding(path: string, chunkSize: number = CHUNK): Encoding {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new EmbargoError('EMB_FILE_NOT_FOUND', `cannot read ${path}`, { file: path }, { cause });
  }
  try {
    const head = Buffer.alloc(3);
    const n = readSync(fd, head, 0, 3, 0);
    if (n >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
    if (n >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
    if (n >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
    // validate UTF-8 chunk by chunk with Node's native validator; a multi-byte character cut by
    // the chunk boundary is carried over to the next chunk
    const buf = Buffer.alloc(chunkSize + 4);
    let carry = 0;
    let position = 0;
    for (;;) {
      const got = readSync(fd, buf, carry, chunkSize, position);
      position += got;
      const end = carry + got;
      if (got === 0) return carry === 0 ? 'utf-8' : 'windows-1252';
      let cut = end;
      for (let k = end - 1; k >= Math.max(0, end - 3); k--) {
        const b = buf[k] ?? 0;
        if (b < 0x80) break;
        if (b >= 0xc0) {
          const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
          if (end - k < need) cut = k;
          break;
        }
      }
      if (!isUtf8(buf.subarray(0, cut))) return 'windows-1252';
      buf.copy(buf, 0, cut, end);
      carry = end - cut;
    }
  } finally {
    closeSync(fd);
  }
}

function forEachDecodedChunk(
  path: string,
  encoding: Encoding,
  chunkSize: number,
  handle: (text: string, final: boolean, state: { line: number }) => number,
): void {
  const fd = openSync(path, 'r');
  const state = { line: 1 };
  try {
    const decode =
      encoding === 'utf-8'
        ? (() => {
            const d = new TextDecoder('utf-8');
            return (b: Uint8Array, last: boolean) => d.decode(b, { stream: !last });
          })()
        : (() => {
            const d = iconv.getDecoder(encoding === 'windows-1252' ? 'win1252' : encoding);
            return (b: Uint8Array, last: boolean) => d.write(Buffer.from(b)) + (last ? (d.end() ?? '') : '');
          })();
    const buf = Buffer.alloc(chunkSize);
    let carry = '';
    let position = 0;
    let first = true;
    for (;;) {
      const got = readSync(fd, buf, 0, chunkSize, position);
      position += got;
      const last = got === 0;
      let text = carry + decode(buf.subarray(0, got), last);
      if (first) {
        text = text.replace(/^\uFEFF/, '');
        first = false;
      }
      const consumed = handle(text, last, state);
      carry = text.slice(consumed);
      if (last) break;
    }
  } finally {
    closeSync(fd);
  }
}
