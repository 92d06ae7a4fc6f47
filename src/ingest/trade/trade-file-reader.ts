/**
 * Reads a trade file of any supported format into observations, streaming: the file is decoded
 * and split in chunks, so a million-row Comtrade extract never has to fit in one string.
 * Observations go to a sink as they are read (collected for the CLI, aggregated on the fly by
 * the benchmark).
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename, extname } from 'node:path';
import iconv from 'iconv-lite';
import { EmbargoError } from '../../core/errors.js';
import { type ByteEncoding, decodeChunk } from './chunk-decoder.js';
import type { Encoding } from './csv-reader.js';
import { parseObservationsYaml } from './observations-parser.js';
import { type CsvFormatOptions, TradeCsvParser } from './trade-csv-parser.js';
import { collectingSink, type RowSink, type TradeParseResult } from './trade-parse-result.js';
import { anyFormatRowReader } from './trade-row-readers.js';

export type { ByteEncoding } from './chunk-decoder.js';
export { TRADE_FORMATS, type TradeFormat } from './trade-csv-parser.js';

export interface TradeReadOptions extends CsvFormatOptions {
  /** bytes per chunk; small values exercise chunk boundaries in tests */
  chunkSize?: number;
}

/** Bytes per chunk, for the single-thread and the parallel reader alike (so they decode alike). */
export const CHUNK = 4 * 1024 * 1024;
/** fileChunks reads the last this many chunks' bytes of a file in chunks an eighth the size. */
export const TAIL_CHUNKS = 3;
/** fileChunks reads at most this many bytes first. */
const HEAD_CHUNK = 64 * 1024;

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
  if (isYaml(path)) return readYaml(path, file, options, sink);
  const parser = new TradeCsvParser(file, options, sink, anyFormatRowReader);
  const chunks = fileChunks(path, options.chunkSize ?? CHUNK);
  for (;;) {
    const next = chunks.next();
    if (next.done) {
      parser.end();
      return { format: parser.format, encoding: next.value };
    }
    const chunk = next.value;
    if (chunk.mixedAt !== undefined) sink.error(mixedEncodingError(file, chunk.mixedAt));
    parser.feed(chunk.text ?? decodeChunk(chunk.bytes!, chunk.encoding!), chunk.final);
    if (chunk.final) continue;
    yield;
  }
}

export function isYaml(path: string): boolean {
  const ext = extname(path).toLowerCase();
  return ext === '.yaml' || ext === '.yml';
}

function readYaml(
  path: string,
  file: string,
  options: TradeReadOptions,
  sink: RowSink,
): { format: string; encoding: Encoding } {
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

export function mixedEncodingError(file: string, offset: number): EmbargoError {
  return new EmbargoError(
    'EMB_FILE_ENCODING',
    `mixed encodings: valid UTF-8 with non-ASCII characters first, then bytes that are not UTF-8 (from about byte ${offset}); the rest was read as Windows-1252`,
    { file },
  );
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

/** A piece of a file as read: whole lines where the chunk holds a line feed. */
export interface FileChunk {
  /** the bytes (a view that the next chunk overwrites), for UTF-8 and Windows-1252 files */
  bytes?: Buffer;
  /** how to decode `bytes` (decodeChunk) */
  encoding?: ByteEncoding;
  /** where `bytes` start in the file */
  offset: number;
  /** the decoded text, for UTF-16 files (decoded as a stream) */
  text?: string;
  final: boolean;
  /** on the chunk where a mixed file switches to Windows-1252: the byte offset to report */
  mixedAt?: number;
}

/**
 * Reads the file once, in chunks cut after their last line feed (so most chunks hold whole lines,
 * and a chunk can be decoded and parsed on its own). A BOM decides the encoding; otherwise each
 * chunk is checked with Node's native UTF-8 validator, and the first chunk that is not valid UTF-8
 * switches the rest of the file to Windows-1252. Chunks before it were decoded as UTF-8, which is
 * the same text as Windows-1252 as long as they were plain ASCII; a file that has valid non-ASCII
 * UTF-8 first and invalid bytes later is a mixed file and is reported as such (`mixedAt`). The
 * single-thread and the parallel reader both read through this, so they decode alike.
 */
export function* fileChunks(path: string, chunkSize: number): Generator<FileChunk, Encoding> {
  // the last TAIL_CHUNKS chunks' bytes of the file are read in chunks an eighth the size: in the
  // parallel reader no thread then waits long for another's last chunk (both readers cut alike, so
  // a mixed file's reported offset is the same from both)
  const tailBytes = TAIL_CHUNKS * chunkSize;
  const tailChunk = Math.max(1, Math.floor(chunkSize / 8));
  // and the first chunk is small: the parallel reader reads it (and the header) on the main thread
  // before it can hand chunks to the workers, which are ready after some 40 ms
  let first = true;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new EmbargoError('EMB_FILE_NOT_FOUND', `cannot read ${path}`, { file: path }, { cause });
  }
  try {
    // room for a chunk and the unfinished line carried from the one before
    const buf = Buffer.alloc(2 * chunkSize + 4);
    const fileSize = fstatSync(fd).size;
    const head = readSync(fd, buf, 0, 3, 0);
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
    const utf16 = encoding === 'utf-16le' || encoding === 'utf-16be' ? iconv.getDecoder(encoding) : undefined;
    let seenNonAscii = false;
    let carryBytes = 0;
    for (;;) {
      const size = first
        ? Math.min(chunkSize, HEAD_CHUNK)
        : fileSize - position <= tailBytes
          ? tailChunk
          : chunkSize;
      first = false;
      const got = readSync(fd, buf, carryBytes, size, position);
      const last = got === 0;
      const end = carryBytes + got;
      const offset = position - carryBytes;
      position += got;
      if (utf16) {
        const text = utf16.write(buf.subarray(0, end)) + (last ? (utf16.end() ?? '') : '');
        carryBytes = 0;
        yield { text, offset, final: last };
        if (last) break;
        continue;
      }
      let cut = end;
      if (!last) {
        const lf = end > 0 ? buf.lastIndexOf(10, end - 1) : -1;
        cut = lf !== -1 ? lf + 1 : encoding === 'windows-1252' ? end : utf8Boundary(buf, end);
      }
      const bytes = buf.subarray(0, cut);
      let mixedAt: number | undefined;
      if (encoding === 'utf-8?' && !isUtf8(bytes)) {
        if (seenNonAscii) mixedAt = offset;
        encoding = 'windows-1252';
      } else if (encoding === 'utf-8?' && !seenNonAscii && !isAscii(bytes)) seenNonAscii = true;
      const byteEncoding: ByteEncoding = encoding === 'windows-1252' ? 'windows-1252' : 'utf-8';
      yield { bytes, encoding: byteEncoding, offset, final: last, mixedAt };
      buf.copy(buf, 0, cut, end);
      carryBytes = end - cut;
      if (last) break;
    }
    return encoding === 'utf-8?' ? 'utf-8' : encoding;
  } finally {
    closeSync(fd);
  }
}
