/**
 * What every trade parser returns: the observations it could read, one error per rejected row
 * (file, line, field, reason), and how many rows were skipped on purpose (re-exports and other
 * flows that are not imports or exports).
 */
import { EmbargoError } from '../../core/errors.js';
import type { Observation } from '../../core/trade/observation.js';

export interface TradeParseResult {
  items: Observation[];
  errors: EmbargoError[];
  skipped: number;
  format: string;
  encoding: string;
}

export interface RowSink {
  item(observation: Observation): void;
  error(error: EmbargoError): void;
  skip(): void;
  /** the file as a whole cannot be read in this format */
  fatal(reason: string): void;
}

export function rowError(
  file: string,
  line: number,
  field: string | undefined,
  reason: string,
): EmbargoError {
  return new EmbargoError('EMB_TRADE_ROW_INVALID', reason, { file, line, field });
}

/** A sink collecting into arrays, the usual case. */
export function collectingSink(
  file: string,
): RowSink & { result: Omit<TradeParseResult, 'format' | 'encoding'> } {
  const result = { items: [] as Observation[], errors: [] as EmbargoError[], skipped: 0 };
  return {
    result,
    item: (o) => {
      result.items.push(o);
    },
    error: (e) => {
      result.errors.push(e);
    },
    skip: () => {
      result.skipped++;
    },
    fatal: (reason) => {
      result.errors.push(new EmbargoError('EMB_TRADE_FORMAT_UNKNOWN', reason, { file }));
    },
  };
}
