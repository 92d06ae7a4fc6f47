import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitCsvRecords } from './csv-records.js';

const quote = (field: string) =>
  /[",\r\n]/.test(field) || field.trim() !== field ? `"${field.replaceAll('"', '""')}"` : field;

describe('CSV record splitter', () => {
  it('gives back any fields written as CSV, with quotes, commas and line breaks (property)', () => {
    const field = fc.string({
      unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', 'é', '1', '-'),
      maxLength: 12,
    });
    const row = fc.array(field, { minLength: 2, maxLength: 6 });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 8 }), (rows) => {
        const nonBlank = rows.filter(
          (r) => r.join('').trim() !== '' || r.some((f) => f.includes('"') || f.includes(',')),
        );
        const text = nonBlank.map((r) => r.map(quote).join(',')).join('\r\n');
        const { records, bad } = splitCsvRecords(text);
        expect(bad).toEqual([]);
        expect(records.map((r) => r.fields)).toEqual(nonBlank);
      }),
      { numRuns: 500 },
    );
  });

  it('numbers records by their first line, skips blank lines and the Ctrl-Z end byte', () => {
    const { records } = splitCsvRecords('a,b\n\n"multi\nline",c\nd,e\n\x1a');
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [1, ['a', 'b']],
      [3, ['multi\nline', 'c']],
      [5, ['d', 'e']],
    ]);
  });

  it('reports a stray quote and goes on with the next line', () => {
    const { records, bad } = splitCsvRecords('1,"open\n2,ok\n3,"x"y\n4,fine');
    expect(bad).toEqual([
      { line: 1, reason: 'unbalanced quotes' },
      { line: 3, reason: 'unexpected text after closing quote at column 6' },
    ]);
    expect(records.map((r) => r.fields[0])).toEqual(['2', '4']);
  });
});
