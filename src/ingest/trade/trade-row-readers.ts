/**
 * The row reader for every trade CSV format, picked by the header (or by `--format`).
 */
import { type ComtradeFormat, comtradeRowReader, detectComtrade } from './comtrade-parser.js';
import { genericCsvRowReader } from './generic-csv-parser.js';
import { isObservationsCsv, observationsCsvRowReader } from './observations-parser.js';
import type { RowReaderFactory, TradeFormat } from './trade-csv-parser.js';

export function detectFormat(header: readonly string[]): TradeFormat {
  return detectComtrade(header) ?? (isObservationsCsv(header) ? 'observations' : 'csv');
}

function readerFor(...[header, file, options, sink]: Parameters<RowReaderFactory>) {
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

export const anyFormatRowReader: RowReaderFactory = (header, file, options, sink) => {
  const reader = readerFor(header, file, options, sink);
  return { reader, format: options.format ?? detectFormat(header) };
};
