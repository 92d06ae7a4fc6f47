import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CsvError, CsvReader, MAX_QUOTED_SPAN } from './csv-reader.js';

interface Out {
  header: string[] | null;
  records: [number, string[]][];
  errors: CsvError[];
}

/** Feeds `text` cut into the given chunk sizes (cycled) and collects everything. */
function read(text: string, chunkSizes: number[] = [text.length || 1], header = true): Out {
  const out: Out = { header: null, records: [], errors: [] };
  const reader = new CsvReader(header ? (h) => (out.header = h) : undefined);
  const onRecord = (fields: string[], line: number) => out.records.push([line, fields]);
  const onError = (e: CsvError) => out.errors.push(e);
  let pos = 0;
  let k = 0;
  while (pos < text.length) {
    const size = Math.max(1, chunkSizes[k++ % chunkSizes.length]!);
    reader.feed(text.slice(pos, pos + size), onRecord, onError);
    pos += size;
  }
  reader.end(onRecord, onError);
  return out;
}

/** The writer the round-trip property uses: RFC 4180, quoting only where needed. */
function writeCsv(rows: string[][], eol: string): string {
  const cell = (v: string) => (/[",\r\n]/.test(v) || v === '' ? `"${v.replaceAll('"', '""')}"` : v);
  return rows.map((r) => r.map(cell).join(',')).join(eol) + eol;
}

describe('CsvReader', () => {
  it('reads quoted fields, doubled quotes and newlines inside quotes, with their line numbers', () => {
    const out = read('id,text\n1,"a ""quoted"" word"\n2,"two\nlines"\n3,plain\n');
    expect(out.header).toEqual(['id', 'text']);
    expect(out.records).toEqual([
      [2, ['1', 'a "quoted" word']],
      [3, ['2', 'two\nlines']],
      [5, ['3', 'plain']],
    ]);
    expect(out.errors).toEqual([]);
  });

  it('handles CRLF, a BOM, blank lines and a missing final newline', () => {
    const out = read('\ufeffid,text\r\n\r\n1,a\r\n\n2,"b\r\nc"\r\n3,d');
    expect(out.header).toEqual(['id', 'text']);
    expect(out.records).toEqual([
      [3, ['1', 'a']],
      [5, ['2', 'b\r\nc']],
      [7, ['3', 'd']],
    ]);
  });

  it('reports an unbalanced quote at the line it starts and keeps reading the next lines', () => {
    const out = read('id,text\n1,ok\n2,"never closed\n3,fine\n4,also fine\n');
    expect(out.errors.map((e) => [e.line, e.message.split(':')[0]])).toEqual([[3, 'unbalanced quote']]);
    expect(out.records.map(([line, f]) => [line, f[0]])).toEqual([
      [2, '1'],
      [4, '3'],
      [5, '4'],
    ]);
  });

  it('reports an unbalanced quote at the very end of the file', () => {
    const out = read('id,text\n1,ok\n2,"open');
    expect(out.errors.map((e) => e.line)).toEqual([3]);
    expect(out.records).toHaveLength(1);
  });

  it('reports a stray quote after a closing quote and resumes on the next line', () => {
    const out = read('id,text\n1,"abc"def\n2,ok\n');
    expect(out.errors.map((e) => [e.line, e.message.split(':')[0]])).toEqual([[2, 'stray quote']]);
    expect(out.records).toEqual([[3, ['2', 'ok']]]);
  });

  it('keeps a quote inside an unquoted field literally', () => {
    expect(read('id,text\n1,12" pipe\n').records).toEqual([[2, ['1', '12" pipe']]]);
  });

  it('reports a record with the wrong number of fields', () => {
    const out = read('id,a,b\n1,x\n2,x,y\n3,x,y,z\n');
    expect(out.errors.map((e) => [e.line, e.message])).toEqual([
      [2, 'expected 3 fields, found 2'],
      [4, 'expected 3 fields, found 4'],
    ]);
    expect(out.records).toEqual([[3, ['2', 'x', 'y']]]);
  });

  it('keeps trailing empty fields', () => {
    expect(read('a,b,c\n1,,\n2,x,', [3]).records).toEqual([
      [2, ['1', '', '']],
      [3, ['2', 'x', '']],
    ]);
  });

  it('gives up on a quoted field longer than the limit instead of buffering the whole input', () => {
    const big = `id,text\n1,"${'x'.repeat(MAX_QUOTED_SPAN + 10)}\n2,ok\n`;
    const out = read(big, [65536]);
    expect(out.errors[0]?.line).toBe(2);
    expect(out.records.map(([, f]) => f[0])).toEqual(['2']);
  });

  it('round-trips arbitrary fields through a writer, for LF and CRLF', () => {
    const field = fc.string({
      unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é', '한', '\r\n'),
      maxLength: 8,
    });
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 5 })
          .chain((width) =>
            fc.tuple(
              fc.constant(width),
              fc.array(fc.array(field, { minLength: width, maxLength: width }), { maxLength: 10 }),
            ),
          ),
        fc.constantFrom('\n', '\r\n'),
        ([width, rows], eol) => {
          const header = Array.from({ length: width }, (_, i) => `c${i}`);
          const out = read(writeCsv([header, ...rows], eol));
          expect(out.errors).toEqual([]);
          expect(out.records.map(([, f]) => f)).toEqual(rows);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads the line after an unbalanced multi-line quote afresh, commas included', () => {
    // the quote opened on line 2 closes on line 3 and leaves too few fields: reported at line 2,
    // and line 3 is read again from its start
    const out = read('a,b,c\n"\na",\nx,"y, z",w\n');
    expect(out.errors.map((e) => [e.line, e.message.split(':')[0]])).toEqual([
      [2, 'unbalanced quote'],
      [3, 'expected 3 fields, found 2'],
    ]);
    expect(out.records).toEqual([[4, ['x', 'y, z', 'w']]]);
  });

  it('gives the same records and errors however the input is cut into chunks', () => {
    const unit = fc.constantFrom('a', '1', ',', '"', '""', '\n', '\r\n', ' ', '한');
    fc.assert(
      fc.property(
        fc.string({ unit, maxLength: 80 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
        (body, sizes) => {
          const text = `a,b\n${body}`;
          expect(read(text, sizes)).toEqual(read(text));
        },
      ),
      { numRuns: 500 },
    );
  });
});
