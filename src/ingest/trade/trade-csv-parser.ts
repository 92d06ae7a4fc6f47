/**
 * The state of reading one trade CSV: the header picks the format and its row reader, every
 * later record goes to that reader, and a record cut by the end of a piece of text is carried
 * into the next piece. The single-thread reader feeds it the whole file chunk by chunk; a worker
 * thread feeds one a single chunk, starting from a header it is given (parallel-trade-reader.ts).
 */
import { EmbargoError } from '../../core/errors.js';
import type { RowReader } from './comtrade-parser.js';
import { readCsvChunk } from './csv-reader.js';
import type { GenericCsvDefaults } from './generic-csv-parser.js';
import type { RowSink } from './trade-parse-result.js';

export const TRADE_FORMATS = ['comtrade', 'comtrade-legacy', 'observations', 'csv'] as const;
export type TradeFormat = (typeof TRADE_FORMATS)[number];

/** What decides how a CSV's rows are read, besides its header. */
export interface CsvFormatOptions {
  format?: TradeFormat;
  defaults?: GenericCsvDefaults;
}

/**
 * Picks the row reader for a header (and reports a header that fits no format through
 * `sink.fatal`): trade-row-readers.ts has the one for every format, comtrade-parser.ts the one
 * the parallel reader's workers load (Comtrade only, so a worker starts without zod and yaml).
 */
export type RowReaderFactory = (
  header: string[],
  file: string,
  options: CsvFormatOptions,
  sink: RowSink,
) => { reader: RowReader | undefined; format: string };

export class TradeCsvParser {
  /** the line the next record starts on */
  line: number;
  /** text of a record the last piece ended inside of, read again with the next piece */
  carry = '';
  /** the header's fields as read (BOM removed), once seen */
  header: string[] | undefined;
  format: string;
  private onRow: RowReader | undefined;
  private need: boolean[] | undefined;
  private readonly onRecord: (record: { line: number; fields: string[] }) => void;
  private readonly onProblem: (problem: { line: number; reason: string }) => void;

  /**
   * With `header`, the text fed starts after the header (a chunk in the middle of a file) and
   * `firstLine` is the line it starts on.
   */
  constructor(
    private readonly file: string,
    private readonly options: CsvFormatOptions,
    private readonly sink: RowSink,
    private readonly rowReaders: RowReaderFactory,
    header?: readonly string[],
    firstLine = 1,
  ) {
    this.line = firstLine;
    this.format = options.format ?? '';
    this.onRecord = (record) => {
      if (this.header === undefined) this.useHeader(record.fields);
      else this.onRow?.(record.fields, record.line);
    };
    this.onProblem = (p) =>
      this.sink.error(new EmbargoError('EMB_CSV_MALFORMED', p.reason, { file: this.file, line: p.line }));
    if (header) this.useHeader([...header]);
  }

  private useHeader(fields: string[]): void {
    this.header = fields;
    const { reader, format } = this.rowReaders(fields, this.file, this.options, this.sink);
    this.onRow = reader;
    if (reader?.columns) {
      this.need = [];
      for (const i of reader.columns) this.need[i] = true;
    }
    if (reader) this.format = format;
  }

  /** True once the header is read and rows can be read with it. */
  get readingRows(): boolean {
    return this.onRow !== undefined;
  }

  /** Reads the records of `text` (after the carried rest); `final` for the end of the file. */
  feed(text: string, final: boolean): void {
    if (!this.onRow && this.header !== undefined) {
      this.carry = ''; // the header was not usable: nothing more to read
      return;
    }
    const all = this.carry ? this.carry + text : text;
    const { consumed, nextLine } = readCsvChunk(
      all,
      this.line,
      final,
      this.onRecord,
      this.onProblem,
      ',',
      this.need,
      // the row readers that project columns (Comtrade) keep no record: reuse one (T13)
      true,
    );
    this.line = nextLine;
    this.carry = consumed < all.length ? all.slice(consumed) : '';
  }

  /** After the last piece: a file without even a header is an error. */
  end(): void {
    if (this.header === undefined) this.sink.fatal('the file is empty');
  }
}
