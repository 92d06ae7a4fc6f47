/**
 * One chunk of a trade CSV read on its own, by a worker thread of the parallel reader
 * (parallel-trade-reader.ts): the chunk's records are read with the file's header, as if the chunk
 * started on line 1, and what they yield is recorded as plain data to cross back to the main
 * thread, which puts the chunks together in file order and shifts the line numbers.
 */
import type { ErrorCode, ErrorDetails } from '../../core/errors.js';
import { addToTotals, addValueToTotals, type MonthlyTotals } from '../../core/trade/monthly-totals.js';
import type { Observation } from '../../core/trade/observation.js';
import { type ByteEncoding, decodeChunk } from './chunk-decoder.js';
import { comtradeOnlyRowReader, type TallySink } from './comtrade-parser.js';
import { type CsvFormatOptions, TradeCsvParser } from './trade-csv-parser.js';

/**
 * What the reader does with each observation: `items` sends them all back (exact, but copying
 * observations between threads costs more than reading them); `totals` adds the monthly US$ values
 * into partial totals (core/trade/monthly-totals.ts) and sends back only those and a count.
 */
export const CHUNK_MODES = ['items', 'totals'] as const;
export type ChunkMode = (typeof CHUNK_MODES)[number];

export interface ChunkJob {
  seq: number;
  bytes: Uint8Array;
  encoding: ByteEncoding;
  final: boolean;
  header: string[];
  file: string;
  /** `format` is the file's Comtrade column set, as the main thread read it from the header */
  options: CsvFormatOptions;
  mode: ChunkMode;
  /** in `totals` mode, only observations with this partner are added up */
  partner?: string;
}

/** A row error, a skipped row or a fatal problem, after `at` observations of the chunk. */
export interface ChunkEvent {
  at: number;
  kind: 'error' | 'skip' | 'fatal';
  code?: ErrorCode;
  message?: string;
  details?: ErrorDetails;
}

export interface ChunkResult {
  seq: number;
  /** lines the chunk's records span (the next chunk starts that many lines later) */
  lines: number;
  /** text after the last complete record: empty when the chunk ended on a record boundary */
  leftover: string;
  observations: number;
  items?: Observation[];
  totals?: MonthlyTotals;
  events: ChunkEvent[];
  /** the job's buffer, sent back by a worker (transferred) for the main thread to reuse */
  buffer?: ArrayBuffer;
}

/** Reads one chunk that starts on a record boundary after the header (line numbers from 1). */
export function readChunk(job: ChunkJob): ChunkResult {
  const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
  const text = decodeChunk(bytes, job.encoding);
  const events: ChunkEvent[] = [];
  const items: Observation[] | undefined = job.mode === 'items' ? [] : undefined;
  const totals: MonthlyTotals | undefined = job.mode === 'totals' ? new Map() : undefined;
  let observations = 0;
  const sink: TallySink = {
    // totals mode: the Comtrade reader reports the parts the totals need, not observations (T13)
    tally: totals
      ? (partner, flow, commodity, periodKey, value, n) => {
          observations += n;
          if (job.partner === undefined || partner === job.partner) {
            addValueToTotals(totals, commodity, periodKey, flow, value);
          }
        }
      : undefined,
    item(o) {
      observations++;
      if (items) items.push(o);
      else if (totals && (job.partner === undefined || o.partner === job.partner)) addToTotals(totals, o);
    },
    error(e) {
      events.push({ at: observations, kind: 'error', code: e.code, message: e.message, details: e.details });
    },
    skip() {
      events.push({ at: observations, kind: 'skip' });
    },
    fatal(reason) {
      events.push({ at: observations, kind: 'fatal', message: reason });
    },
  };
  const parser = new TradeCsvParser(job.file, job.options, sink, comtradeOnlyRowReader, job.header, 1);
  parser.feed(text, job.final);
  return {
    seq: job.seq,
    lines: parser.line - 1,
    leftover: parser.carry,
    observations,
    items,
    totals,
    events,
  };
}
