/**
 * A streaming RFC 4180 CSV reader, written for speed (no library): quoted fields, doubled quotes,
 * newlines inside quotes, CRLF or LF, blank lines skipped. Text is fed in chunks of any size; the
 * records and errors produced do not depend on where the chunks are cut.
 *
 * Malformed input never stops the file:
 * - an unbalanced quote (a quoted field that never closes, or that swallows line breaks and leaves
 *   the record with the wrong number of fields) is reported at the line the record started on, and
 *   reading resumes on the next line;
 * - a closing quote followed by anything but a separator (`"abc"x`) is reported, and reading
 *   resumes on the next line;
 * - a record with a different number of fields than the header is reported.
 * A quote inside an unquoted field (`12" pipe`) is kept literally, as spreadsheet programs do.
 *
 * @example
 *   const reader = new CsvReader();
 *   reader.feed('id,date\n1,2016-06-01\n', (fields, line) => …, (error) => …);
 *   reader.end(onRecord, onError);
 */

export interface CsvError {
  line: number;
  message: string;
  /** the text of the offending record, cut at 500 characters */
  raw: string;
}

export type RecordSink = (fields: string[], line: number) => void;
export type ErrorSink = (error: CsvError) => void;

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** Largest quoted field that may span lines before the quote is declared unbalanced. */
export const MAX_QUOTED_SPAN = 1 << 20;

export class CsvReader {
  #pending = '';
  #line = 1;
  #started = false;
  /** true while skipping the rest of an oversized malformed line */
  #skipping = false;
  /** number of fields each record must have (the header's), 0 until the header is read */
  expected = 0;
  readonly #headerSink: ((fields: string[]) => void) | undefined;

  /**
   * With `onHeader`, the first record is the header: it sets `expected` and is not passed on.
   * `startLine` continues a file from a record boundary (a chunk of a file screened in parallel):
   * line numbers start there and no byte order mark is looked for.
   */
  constructor(onHeader?: (fields: string[]) => void, startLine = 1, skipping = false) {
    this.#headerSink = onHeader;
    this.#line = startLine;
    this.#started = startLine > 1;
    this.#skipping = skipping;
  }

  /** True while the rest of an oversized malformed line is being skipped. */
  get skipping(): boolean {
    return this.#skipping;
  }

  /** The line the next record starts on. */
  get line(): number {
    return this.#line;
  }

  /** True when the text fed so far ends exactly at a record boundary (nothing held back). */
  get atBoundary(): boolean {
    return this.#pending.length === 0 && !this.#skipping;
  }

  /** Text held back for the next feed (a record not yet complete). */
  get pending(): string {
    return this.#pending;
  }

  feed(chunk: string, onRecord: RecordSink, onError: ErrorSink): void {
    let text = this.#pending.length > 0 ? this.#pending + chunk : chunk;
    if (!this.#started && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.#started = true;
    }
    const used = this.#parse(text, false, onRecord, onError);
    this.#pending = used < text.length ? text.slice(used) : '';
  }

  end(onRecord: RecordSink, onError: ErrorSink): void {
    if (this.#pending.length > 0) this.#parse(this.#pending, true, onRecord, onError);
    this.#pending = '';
  }

  #emit(fields: string[], line: number, onRecord: RecordSink) {
    if (this.#headerSink && this.expected === 0) {
      this.expected = fields.length;
      this.#headerSink(fields);
      return;
    }
    onRecord(fields, line);
  }

  /** Parses complete records of `s`; returns how much of `s` was consumed. */
  #parse(s: string, final: boolean, onRecord: RecordSink, onError: ErrorSink): number {
    const n = s.length;
    let i = 0;
    let line = this.#line;
    if (this.#skipping) {
      const nl = s.indexOf('\n');
      if (nl === -1) return n;
      this.#skipping = false;
      i = nl + 1;
      line++;
    }
    // position of the next quote at or after i (n when none): lines before it take the fast path
    let nextQuote = -1;
    let nextComma = -1;
    let nextLf = -1;
    outer: while (i < n) {
      const c = s.charCodeAt(i);
      if (c === LF) {
        i++;
        line++;
        continue;
      }
      if (c === CR) {
        if (i + 1 >= n && !final) break;
        i += i + 1 < n && s.charCodeAt(i + 1) === LF ? 2 : 1;
        line++;
        continue;
      }
      const start = i;
      const startLine = line;
      // fast path: a complete line with no quote in it splits natively
      if (nextQuote < i) {
        nextQuote = s.indexOf('"', i);
        if (nextQuote === -1) nextQuote = n;
      }
      const lineEnd = s.indexOf('\n', i);
      if (lineEnd !== -1 && nextQuote > lineEnd) {
        const end = s.charCodeAt(lineEnd - 1) === CR ? lineEnd - 1 : lineEnd;
        const split = s.slice(i, end).split(',');
        i = lineEnd + 1;
        line = startLine + 1;
        if (this.expected > 0 && split.length !== this.expected) {
          onError({
            line: startLine,
            message: `expected ${this.expected} fields, found ${split.length}`,
            raw: s.slice(start, Math.min(end, start + 500)),
          });
          continue;
        }
        this.#emit(split, startLine, onRecord);
        continue;
      }
      const fields: string[] = [];
      let spanned = 0;
      for (;;) {
        if (i < n && s.charCodeAt(i) === QUOTE) {
          // quoted field
          let j = i + 1;
          let seg = j;
          let value = '';
          let closed = false;
          for (;;) {
            const q = s.indexOf('"', j);
            if (q === -1) break;
            if (q + 1 < n && s.charCodeAt(q + 1) === QUOTE) {
              value += s.slice(seg, q + 1);
              j = q + 2;
              seg = j;
              continue;
            }
            if (q + 1 >= n && !final) break; // cannot tell a closing quote from a doubled one yet
            value += s.slice(seg, q);
            j = q + 1;
            closed = true;
            break;
          }
          if (!closed) {
            if (!final && n - start <= MAX_QUOTED_SPAN) {
              this.#line = startLine;
              return start;
            }
            i = this.#recover(
              s,
              start,
              startLine,
              'unbalanced quote: a quoted field is never closed',
              onError,
              final,
            );
            if (i === -1) {
              this.#line = startLine;
              return start;
            }
            line = startLine + 1;
            nextComma = nextLf = -1; // reading resumes before where they were found
            continue outer;
          }
          for (let k = value.indexOf('\n'); k !== -1; k = value.indexOf('\n', k + 1)) spanned++;
          fields.push(value);
          i = j;
          if (i >= n) {
            if (!final) {
              this.#line = startLine;
              return start;
            }
            break;
          }
          const d = s.charCodeAt(i);
          if (d === COMMA) {
            i++;
            continue;
          }
          if (d === LF) {
            i++;
            break;
          }
          if (d === CR && (i + 1 >= n || s.charCodeAt(i + 1) === LF)) {
            if (i + 1 >= n && !final) {
              this.#line = startLine;
              return start;
            }
            i += 2;
            break;
          }
          i = this.#recover(
            s,
            start,
            startLine,
            'stray quote: a closing quote must be followed by a comma or a line break',
            onError,
            final,
            i,
          );
          if (i === -1) {
            this.#line = startLine;
            return start;
          }
          line = startLine + spanned + 1;
          nextComma = nextLf = -1;
          continue outer;
        }
        // unquoted field: up to the next comma or line feed (both found with indexOf, cached so
        // the scan stays linear even when a file has few commas)
        if (nextComma < i) {
          nextComma = s.indexOf(',', i);
          if (nextComma === -1) nextComma = n;
        }
        if (nextLf < i) {
          nextLf = s.indexOf('\n', i);
          if (nextLf === -1) nextLf = n;
        }
        const j = Math.min(nextComma, nextLf);
        if (j >= n && !final) {
          this.#line = startLine;
          return start;
        }
        let end = j;
        if (end > i && s.charCodeAt(end - 1) === CR) end--;
        fields.push(s.slice(i, end));
        if (j >= n) {
          i = n;
          break;
        }
        i = j + 1;
        if (s.charCodeAt(j) === LF) break;
        if (i >= n) {
          // a trailing comma at the very end: one more empty field
          if (!final) {
            this.#line = startLine;
            return start;
          }
          fields.push('');
          break;
        }
      }
      if (spanned > 0 && this.expected > 0 && fields.length !== this.expected) {
        i = this.#recover(
          s,
          start,
          startLine,
          'unbalanced quote: a quoted field runs across lines and leaves the record with the wrong number of fields',
          onError,
          true,
        );
        line = startLine + 1;
        nextComma = nextLf = -1;
        continue;
      }
      line = startLine + spanned + 1;
      if (this.expected > 0 && fields.length !== this.expected) {
        onError({
          line: startLine,
          message: `expected ${this.expected} fields, found ${fields.length}`,
          raw: s.slice(start, Math.min(i, start + 500)).replace(/\r?\n$/, ''),
        });
        continue;
      }
      this.#emit(fields, startLine, onRecord);
    }
    this.#line = line;
    return i;
  }

  /**
   * Reports a malformed record and returns where reading resumes: the line after the one the error
   * is on. Returns -1 when that line is not complete yet (more text must arrive first); an
   * oversized record without a line break is skipped up to the next one as text arrives.
   */
  #recover(
    s: string,
    start: number,
    startLine: number,
    message: string,
    onError: ErrorSink,
    final: boolean,
    from = start,
  ): number {
    const nl = s.indexOf('\n', from);
    if (nl === -1 && !final) {
      if (s.length - start <= MAX_QUOTED_SPAN) return -1;
      this.#skipping = true;
    }
    const stop = nl === -1 ? s.length : nl;
    onError({
      line: startLine,
      message,
      raw: s.slice(start, Math.min(stop, start + 500)).replace(/\r$/, ''),
    });
    return nl === -1 ? s.length : nl + 1;
  }
}
