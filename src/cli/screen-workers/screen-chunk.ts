/**
 * Screens one chunk of a CSV file that starts on a record boundary: parse, validate, screen and
 * encode the decisions, row by row, into one buffer. Used by the worker threads of the parallel
 * pipeline (parallel-screen.ts) and by the main thread for the first chunk and for any chunk whose
 * start turned out not to be a record boundary. What must stay global across the file is left to
 * the caller, in input order: duplicate ids (each row carries its id's hash) and cap ledgers (a
 * row that would draw on a cap is handed back unscreened, as `deferred`).
 */
import type { CompiledRegime } from '../../core/regime/compile.js';
import type { Jurisdiction } from '../../core/regime/measure-schema.js';
import { CapLedger } from '../../core/screening/cap-ledger.js';
import type { Decision } from '../../core/screening/decision.js';
import type { Declaration } from '../../core/screening/declaration.js';
import type { PartyCheck } from '../../core/screening/party-check.js';
import { decisionToJsonLine, screenDeclaration } from '../../core/screening/screen.js';
import { CsvDeclarations, type DeclarationBatch } from '../../ingest/declarations/declaration-reader.js';
import { DeclarationRowParser, hashId, type RowError } from '../../ingest/declarations/declaration-row.js';
import { DecisionEncoder } from '../decision-encoder.js';
import type { OutputFormat } from '../output.js';

/** Outcome codes of `ChunkResult.outcomes`. */
export const OUTCOME_CODES = ['CLEAR', 'HOLD', 'REFUSE'] as const;
export const DEFERRED = 3;

export interface ChunkResult {
  /** encoded decisions of the rows screened, back to back */
  output: Uint8Array;
  /** per row: where its bytes end in `output` */
  ends: Uint32Array;
  /** per row: the line it starts on */
  lines: Int32Array;
  /** per row: the id's hash (two signed 32-bit halves, `hashId`) */
  hashes: Int32Array;
  /** per row: index in OUTCOME_CODES, or DEFERRED */
  outcomes: Uint8Array;
  /** the declarations of the DEFERRED rows, in order */
  deferred: Declaration[];
  /** rejects of the chunk, in line order */
  errors: RowError[];
  /** the line the next record starts on, and whether the chunk ended exactly on a record boundary */
  endLine: number;
  atBoundary: boolean;
  /** the chunk ended inside an oversized malformed line being skipped */
  skipping: boolean;
  /** text held back (a record the chunk does not finish); '' at a boundary */
  pending: string;
  /** the header, when this chunk read it */
  header: string[] | undefined;
}

/** Thrown by the deferring ledger: the row needs the file's one ledger, on the main thread. */
const DEFER = Symbol('defer');

class DeferringLedger extends CapLedger {
  constructor() {
    super(null);
  }
  override draw(): never {
    throw DEFER;
  }
}

/** One line (or lines, for tables) of output per decision, exactly as the single-thread path writes it. */
export type DecisionFormatter = (d: Decision) => string;

export function jsonlLine(d: Decision): string {
  return `${decisionToJsonLine(d)}\n`;
}

export interface ChunkScreenerOptions {
  compiled: CompiledRegime;
  jurisdiction: Jurisdiction;
  asOf: string | undefined;
  parties: PartyCheck | undefined;
  format: Exclude<OutputFormat, 'json'>;
  formatter: DecisionFormatter;
  file: string;
  /** characters parsed at a time (default PIECE; tests cut after every line feed) */
  piece?: number;
  /** a buffer for a chunk's output (default: a new one); it must own its whole ArrayBuffer */
  allocate?: (size: number) => Buffer;
}

interface RawUtf8Write {
  utf8Write(text: string, offset: number): number;
}

/** A copy of `buffer`'s first `used` bytes in a buffer with at least `need` more. */
function grow(buffer: Buffer, used: number, need: number): Buffer<ArrayBuffer> {
  const grown = Buffer.allocUnsafeSlow(Math.max(buffer.length * 2, used + need));
  buffer.copy(grown, 0, 0, used);
  return grown;
}

/** Output buffers kept for reuse per thread. */
export const POOL = 8;

/** A buffer of at least `size` bytes: a pooled one when it is large enough. */
export function fromPool(pool: ArrayBuffer[], size: number): Buffer {
  const buffer = pool.pop();
  if (buffer !== undefined && buffer.byteLength >= size) return Buffer.from(buffer);
  return Buffer.allocUnsafeSlow(size);
}

/** Characters of a chunk parsed at a time (a few dozen rows). */
const PIECE = 1 << 14;

/** `into` holding a copy of `from` at its start. */
function grown<T extends Uint8Array | Uint32Array | Int32Array>(from: T, into: T): T {
  into.set(from as never);
  return into;
}

export class ChunkScreener {
  readonly #o: ChunkScreenerOptions;
  readonly #screen: {
    jurisdiction: Jurisdiction;
    asOf: string | undefined;
    ledger: CapLedger;
    parties: PartyCheck | undefined;
  };
  readonly #rows = new DeclarationRowParser(null);
  readonly #encoder = new DecisionEncoder();

  constructor(options: ChunkScreenerOptions) {
    this.#o = options;
    this.#screen = {
      jurisdiction: options.jurisdiction,
      asOf: options.asOf,
      ledger: new DeferringLedger(),
      parties: options.parties,
    };
  }

  /**
   * Screens `source` (text, or UTF-8 bytes decoded a piece at a time), which starts a record at
   * `line`; `header` undefined: the source starts the file.
   */
  screen(
    source: string | Buffer,
    line: number,
    header: readonly string[] | undefined,
    final: boolean,
    skipping = false,
  ): ChunkResult {
    const csv = new CsvDeclarations(this.#o.file, { rows: this.#rows, header, line, skipping });
    // the text is fed in pieces of ~PIECE characters cut after a line feed, and each piece's rows
    // are screened before the next is parsed: a chunk's declarations then die young (with a whole
    // chunk's rows alive at once, each scavenge promoted them and the old generation grew)
    const batch: DeclarationBatch = { items: [], errors: [] };
    const length = source.length;
    const bytes = typeof source === 'string' ? undefined : source;
    let capacity = Math.max(64, (length / 128) | 0);
    let ends = new Uint32Array(capacity);
    let lines = new Int32Array(capacity);
    let hashes = new Int32Array(capacity * 2);
    let outcomes = new Uint8Array(capacity);
    const deferred: Declaration[] = [];
    const size = Math.max(1 << 16, length * 4);
    let buffer = this.#o.allocate ? this.#o.allocate(size) : Buffer.allocUnsafeSlow(size);
    const encoder = this.#o.format === 'jsonl' ? this.#encoder : undefined;
    let offset = 0;
    let n = 0;
    const piece = this.#o.piece ?? PIECE;
    for (let from = 0; from < length || (final && from === length); ) {
      let to = length;
      if (from + piece < length) {
        const lf = bytes ? bytes.indexOf(10, from + piece) : (source as string).indexOf('\n', from + piece);
        if (lf !== -1) to = lf + 1;
      }
      // bytes are cut after a line feed, never inside a character
      const text = bytes
        ? bytes.toString('utf8', from, to)
        : to - from === length
          ? (source as string)
          : (source as string).slice(from, to);
      csv.feed(text, batch);
      if (final && to === length) csv.end(batch);
      from = to;
      const items = batch.items;
      if (n + items.length > capacity) {
        capacity = Math.max(capacity * 2, n + items.length);
        ends = grown(ends, new Uint32Array(capacity));
        lines = grown(lines, new Int32Array(capacity));
        hashes = grown(hashes, new Int32Array(capacity * 2));
        outcomes = grown(outcomes, new Uint8Array(capacity));
      }
      for (let i = 0; i < items.length; i++, n++) {
        const k = n;
        const item = items[i]!;
        const d = item.declaration;
        lines[k] = item.line;
        hashId(d.id, hashes, 2 * k);
        let decision: Decision;
        try {
          decision = screenDeclaration(this.#o.compiled, d, this.#screen);
        } catch (error) {
          if (error !== DEFER) throw error;
          outcomes[k] = DEFERRED;
          deferred.push(d);
          ends[k] = offset;
          continue;
        }
        outcomes[k] = decision.decision === 'CLEAR' ? 0 : decision.decision === 'HOLD' ? 1 : 2;
        if (encoder) {
          let end = encoder.encode(decision, buffer, offset);
          if (end === -1) {
            buffer = grow(buffer, offset, Buffer.byteLength(jsonlLine(decision)));
            end = encoder.encode(decision, buffer, offset);
          }
          offset = end;
          ends[k] = offset;
          continue;
        }
        const s = this.#o.formatter(decision);
        if (offset + s.length * 3 > buffer.length) buffer = grow(buffer, offset, s.length * 3);
        offset += (buffer as unknown as RawUtf8Write).utf8Write(s, offset);
        ends[k] = offset;
      }
      items.length = 0;
      if (from === length) break;
    }
    const reader = csv.reader;
    return {
      output: buffer.subarray(0, offset),
      ends: ends.subarray(0, n),
      lines: lines.subarray(0, n),
      hashes: hashes.subarray(0, 2 * n),
      outcomes: outcomes.subarray(0, n),
      deferred,
      errors: batch.errors,
      endLine: reader.line,
      atBoundary: reader.atBoundary,
      skipping: reader.skipping,
      pending: reader.pending,
      header: header ? undefined : csv.rawHeader,
    };
  }
}
