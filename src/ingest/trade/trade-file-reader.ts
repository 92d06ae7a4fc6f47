/**
 * Reads a trade file of any supported format into observations, streaming: the file is decoded
 * and split in chunks, so a million-row Comtrade extract never has to fit in one string.
 * Observations go to a sink as they are read (collected for the CLI, aggregated on the fly by
 * the benchmark).
 */
import { isAscii, isUtf8 } from 'node:buffer';
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
  const steps = tradeFileSteps(path, sink, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * `streamTradeFile` that awaits `between()` after each chunk, so an asynchronous consumer (a
 * database write) can drain what the chunk produced before the next one is read: memory stays at
 * one chunk's observations whatever the file's size.
 */
export async function streamTradeFileAsync(
  path: string,
  sink: RowSink,
  options: TradeReadOptions,
  between: () => Promise<void>,
): Promise<{ format: string; encoding: Encoding }> {
  const steps = tradeFileSteps(path, sink, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await between();
  }
}

/** The reading itself, pausing (`yield`) after each decoded chunk. */
function* tradeFileSteps(
  path: string,
  sink: RowSink,
  options: TradeReadOptions,
): Generator<void, { format: string; encoding: Encoding }> {
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
  const encoding = yield* decodedChunks(
    path,
    options.chunkSize ?? CHUNK,
    (text, final, state) => {
      if (!onRow && headerSeen) return text.length; // the header was not usable: nothing more to read
      const { consumed, nextLine } = readCsvChunk(text, state.line, final, onRecord, onProblem, ',', need);
      state.line = nextLine;
      return consumed;
    },
    (offset) =>
      sink.error(
        new EmbargoError(
          'EMB_FILE_ENCODING',
          `mixed encodings: valid UTF-8 with non-ASCII characters first, then bytes that are not UTF-8 (from about byte ${offset}); the rest was read as Windows-1252`,
          { file },
        ),
      ),
  );
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

/** Where a chunk of bytes can be cut without splitting a UTF-8 character. */
function utf8Boundary(buf: Buffer, end: number): number {
  for (let k = end - 1; k >= Math.max(0, end - 3); k--) {
    const b = buf[k] ?? 0;
    if (b < 0x80) return end;
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return end - k < need ? k : end;
    }
  }
  return end;
}

/**
 * Reads the file once, decoding chunk by chunk. A BOM decides the encoding; otherwise each chunk
 * is checked with Node's native UTF-8 validator, and the first chunk that is not valid UTF-8
 * switches the rest of the file to Windows-1252. Chunks before it were decoded as UTF-8, which is
 * the same text as Windows-1252 as long as they were plain ASCII; a file that has valid non-ASCII
 * UTF-8 first and invalid bytes later is a mixed file and is reported as such.
 */
function* decodedChunks(
  path: string,
  chunkSize: number,
  handle: (text: string, final: boolean, state: { line: number }) => number,
  onMixed: (byteOffset: number) => void,
): Generator<void, Encoding> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new EmbargoError('EMB_FILE_NOT_FOUND', `cannot read ${path}`, { file: path }, { cause });
  }
  const state = { line: 1 };
  try {
    const buf = Buffer.alloc(chunkSize + 4);
    const head = readSync(fd, buf, 0, Math.min(3, chunkSize), 0);
    let position = 0;
    let encoding: Encoding | 'utf-8?' = 'utf-8?';
    if (head >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
      encoding = 'utf-8';
      position = 3;
    } else if (head >= 2 && buf[0] === 0xff && buf[1] === 0xfe) {
      encoding = 'utf-16le';
      position = 2;
    } else if (head >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
      encoding = 'utf-16be';
      position = 2;
    }
    let iconvDecoder =
      encoding === 'utf-16le' || encoding === 'utf-16be' ? iconv.getDecoder(encoding) : undefined;
    let seenNonAscii = false;
    let carryBytes = 0;
    let carry = '';
    for (;;) {
      const got = readSync(fd, buf, carryBytes, chunkSize, position);
      const last = got === 0;
      const end = carryBytes + got;
      let text: string;
      let cut = end;
      if (iconvDecoder) {
        text = iconvDecoder.write(buf.subarray(0, end)) + (last ? (iconvDecoder.end() ?? '') : '');
      } else {
        cut = last ? end : utf8Boundary(buf, end);
        const bytes = buf.subarray(0, cut);
        if (encoding === 'utf-8?' && !isUtf8(bytes)) {
          if (seenNonAscii) onMixed(position - carryBytes);
          encoding = 'windows-1252';
          iconvDecoder = iconv.getDecoder('win1252');
          text = iconvDecoder.write(buf.subarray(0, end)) + (last ? (iconvDecoder.end() ?? '') : '');
          cut = end;
        } else {
          if (!seenNonAscii && !isAscii(bytes)) seenNonAscii = true;
          text = buf.toString('utf8', 0, cut);
        }
      }
      position += got;
      buf.copy(buf, 0, cut, end);
      carryBytes = end - cut;
      text = carry + text;
      const consumed = handle(text, last, state);
      carry = text.slice(consumed);
      if (last) break;
      yield;
    }
    return encoding === 'utf-8?' ? 'utf-8' : encoding;
  } finally {
    closeSync(fd);
  }
}
