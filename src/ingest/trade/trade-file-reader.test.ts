import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../test/shared-data.js';
import { checkConsistency } from '../../core/trade/consistency-checks.js';
import { decodeChunk } from './chunk-decoder.js';
import { readCsv, readCsvChunk } from './csv-reader.js';
import { TradeCsvParser } from './trade-csv-parser.js';
import { fileChunks, readTradeFile, streamTradeFileAsync } from './trade-file-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'embargo-trade-ingest-'));
function fixture(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const PLUS_HEADER =
  'typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,partner2Desc,classificationCode,cmdCode,cmdDesc,netWgt,primaryValue';

describe('UN Comtrade CSV (real extracts)', () => {
  it("reads the Comtrade+ 2022 extract (cp1252, every field quoted) with China's DPRK trade", () => {
    const r = readTradeFile(
      sharedPath('data/trade/comtradeplus_2022_annual_totals_by_partner_CHN-USA-DEU.csv'),
    );
    expect(r.format).toBe('comtrade');
    expect(r.encoding).toBe('windows-1252');
    expect(r.errors).toEqual([]);
    const kp = r.items.filter((o) => o.partner === 'KP' && o.measure === 'value');
    expect(kp.map((o) => [o.reporter, o.flow, o.value]).sort()).toEqual([
      ['CN', 'export', 894039906],
      ['CN', 'import', 133677748],
      ['US', 'import', 29088],
    ]);
    expect(kp[0]?.period).toEqual({ kind: 'year', start: '2022-01', end: '2022-12' });
    expect(r.items.some((o) => o.partner === 'CI')).toBe(true); // Côte d'Ivoire, byte 0xF4
  });

  it('reads the legacy cement-clinker extract with the real partner in the "2nd Partner" columns', () => {
    const r = readTradeFile(
      sharedPath('data/trade/comtrade_CHN_HS252310_cement-clinker_by_partner_1992-2020.csv'),
    );
    expect(r.format).toBe('comtrade-legacy');
    expect(r.errors).toEqual([]);
    const kp = r.items.filter((o) => o.partner === 'KP' && o.flow === 'export' && o.commodity === '252310');
    const byYear = (y: string, m: string) => [
      ...new Set(kp.filter((o) => o.period.start === `${y}-01` && o.measure === m).map((o) => o.value)),
    ];
    expect(byYear('2015', 'value')).toEqual([2469997]);
    expect(byYear('2016', 'value')).toEqual([2023026]);
    expect(byYear('2017', 'value')).toEqual([1337398]);
    expect(byYear('2016', 'quantity')).toEqual([58966117]);
    expect(r.skipped).toBeGreaterThan(0); // re-exports and other flows are not imports or exports
  });

  it('reads the reduced HS 731815 extract as a generic CSV with the reporter and flow stated', () => {
    const r = readTradeFile(sharedPath('data/trade/comtrade_CHN_exports_HS731815_by_partner_2017-2021.csv'), {
      format: 'csv',
      defaults: { reporter: 'CN', flow: 'export', dataset: 'UN Comtrade (reduced extract)' },
    });
    expect(r.errors).toEqual([]);
    const kp = r.items.filter((o) => o.partner === 'KP' && o.measure === 'value');
    expect(kp.map((o) => [o.period.start.slice(0, 4), o.value])).toEqual([
      ['2017', 3463460],
      ['2018', 17021],
      ['2019', 2073],
      ['2020', 10],
    ]);
    const kg = r.items.find((o) => o.partner === 'KP' && o.measure === 'quantity');
    expect(kg).toMatchObject({ value: 1839015, unit: 'kg' });
  });

  it('reads all 1,034 rows of the reported-figures table as a generic CSV with their citations', () => {
    const r = readTradeFile(sharedPath('data/trade/reported/china_dprk_reported_figures.csv'), {
      format: 'csv',
    });
    expect(r.errors).toEqual([]);
    expect(r.items).toHaveLength(1034);
    const coal = r.items.filter(
      (o) =>
        o.commodity === '2701' &&
        o.period.start === '2016-04' &&
        o.measure === 'value' &&
        o.flow === 'import',
    );
    expect(coal.map((o) => [o.id, o.value, o.source.kind === 'report' && o.source.outlet])).toEqual([
      ['CNKP-0071', 72200000, 'North Korean Economy Watch'],
      ['CNKP-0078', 7210000, 'Choson Ilbo'],
    ]);
    // the table has no `supersedes` column, so the two stand as a disagreement
    const found = checkConsistency(r.items).find(
      (f) => f.kind === 'disagreement' && f.observationIds.includes('CNKP-0078'),
    );
    expect(found?.values).toEqual([7210000, 72200000]);
  });
});

describe('malformed input', () => {
  const row = (flow: string, partner: string, value: string) =>
    `"C","A","20160101","2016","52","2016","156","CHN","China","${flow}","x","408","${partner}","x","0","W00","World","H4","2701","Coal","1000","${value}"`;

  it('keeps going past a bad row and names file, line and field', () => {
    const path = fixture(
      'bad-rows.csv',
      [
        PLUS_HEADER,
        row('M', 'PRK', '100'),
        row('Q', 'PRK', '5'),
        row('M', 'PRK', 'abc'),
        row('X', 'PRK', '7'),
      ].join('\r\n'),
    );
    const r = readTradeFile(path);
    expect(r.items.filter((o) => o.measure === 'value').map((o) => o.value)).toEqual([100, 7]);
    expect(r.errors.map((e) => [e.code, e.details?.line, e.details?.field])).toEqual([
      ['EMB_TRADE_ROW_INVALID', 3, 'flowcode'],
      ['EMB_TRADE_ROW_INVALID', 4, 'primaryvalue'],
    ]);
    expect(r.errors[0]?.details?.file).toBe('bad-rows.csv');
  });

  it('reads a UTF-8 file with a BOM, blank lines and a truncated last line', () => {
    const path = fixture(
      'bom.csv',
      `\uFEFF${PLUS_HEADER}\n\n${row('M', 'PRK', '100')}\n\n${row('X', 'PRK', '7')}\n"C","A","2016`,
    );
    const r = readTradeFile(path);
    expect(r.format).toBe('comtrade');
    expect(r.items.filter((o) => o.measure === 'value').map((o) => o.value)).toEqual([100, 7]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.details?.line).toBe(6);
  });

  it('reads cp1252 and UTF-16 with a BOM', () => {
    const csv = `reporter,partner,flow,period,commodity,label,value\nCN,KP,import,2016-04,2701,Houille – anthracite,72200000\n`;
    const cp = readTradeFile(fixture('cp1252.csv', iconv.encode(csv, 'win1252')));
    expect(cp.encoding).toBe('windows-1252');
    expect(cp.items[0]?.commodityLabel).toBe('Houille – anthracite');
    const u16 = readTradeFile(
      fixture('utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(csv, 'utf-16le')])),
    );
    expect(u16.encoding).toBe('utf-16le');
    expect(u16.items[0]?.value).toBe(72200000);
  });

  it('switches to cp1252 at the first byte that is not UTF-8, even chunks after the start', () => {
    const ascii =
      'reporter,partner,flow,period,commodity,label,value\n' +
      'CN,KP,import,2016-04,2701,coal,1\n'.repeat(20);
    const tail = iconv.encode('CN,KP,import,2016-05,2608,Côte zinc,2\n', 'win1252');
    const path = fixture('late-cp1252.csv', Buffer.concat([Buffer.from(ascii), tail]));
    for (const chunkSize of [16, 100, 8192]) {
      const r = readTradeFile(path, { chunkSize });
      expect(r.encoding).toBe('windows-1252');
      expect(r.errors).toEqual([]);
      expect(r.items.at(-1)?.commodityLabel).toBe('Côte zinc');
    }
  });

  it('reports a file that mixes UTF-8 and cp1252 and still reads its rows', () => {
    const head = Buffer.from(
      'reporter,partner,flow,period,commodity,label,value\nCN,KP,import,2016-04,2701,Côte,1\n',
    );
    const tail = iconv.encode('CN,KP,import,2016-05,2608,Côte,2\n', 'win1252');
    const r = readTradeFile(fixture('mixed.csv', Buffer.concat([head, tail])), { chunkSize: head.length });
    expect(r.items.map((o) => o.value)).toEqual([1, 2]);
    expect(r.errors.map((e) => e.code)).toEqual(['EMB_FILE_ENCODING']);
  });

  it('reports a stray quote on its own line and reads the lines after it', () => {
    const path = fixture(
      'stray.csv',
      'reporter,partner,flow,period,commodity,value\nCN,KP,import,2016-04,"2701"x,1\nCN,KP,import,2016-05,2701,2\nCN,KP,import,2016-06,2"701,3\n',
    );
    const r = readTradeFile(path);
    expect(r.items.map((o) => o.value)).toEqual([2]);
    expect(r.errors.map((e) => [e.code, e.details?.line])).toEqual([
      ['EMB_CSV_MALFORMED', 2],
      ['EMB_TRADE_ROW_INVALID', 4],
    ]);
  });

  it('treats -0- and empty cells as absent, not as zero', () => {
    const path = fixture(
      'dash-zero.csv',
      'Classification,Year,Period,Trade Flow Code,Trade Flow,Reporter Code,Reporter ISO,Partner Code,Partner ISO,2nd Partner Code,2nd Partner ISO,Commodity Code,Commodity,Netweight (kg),Trade Value (US$)\n' +
        'H4,2016,2016,1,Import,156,CHN,408,PRK,-0-,-0-,2701,Coal,-0-,1000\n' +
        'H4,2016,2016,2,Export,156,CHN,408,PRK,,,2709,Crude,,-0-\n',
    );
    const r = readTradeFile(path);
    expect(r.items.map((o) => [o.flow, o.measure, o.value])).toEqual([['import', 'value', 1000]]);
    expect(r.errors.map((e) => e.details?.line)).toEqual([3]);
  });

  it('says which columns are missing when a header fits no format', () => {
    const r = readTradeFile(fixture('nohead.csv', 'a,b,c\n1,2,3\n'));
    expect(r.items).toEqual([]);
    expect(r.errors[0]?.code).toBe('EMB_TRADE_FORMAT_UNKNOWN');
    expect(r.errors[0]?.message).toContain('period');
  });

  it('reads the same rows whatever the chunk size (records split across chunk boundaries)', () => {
    const lines = [PLUS_HEADER];
    for (let i = 0; i < 50; i++) {
      // multi-byte characters (ô, –) land on chunk boundaries for some chunk sizes
      lines.push(row(i % 2 ? 'M' : 'X', 'PRK', String(i + 1)).replace('"Coal"', '"Côte – coal"'));
    }
    const path = fixture('chunks.csv', `${lines.join('\n')}\n`);
    const whole = readTradeFile(path);
    expect(whole.encoding).toBe('utf-8');
    expect(whole.items[0]?.commodityLabel).toBe('Côte – coal');
    for (const chunkSize of [7, 8, 9, 64, 1000]) {
      const r = readTradeFile(path, { chunkSize });
      expect(r.encoding).toBe('utf-8');
      expect(r.items.map((o) => [o.value, o.commodityLabel])).toEqual(
        whole.items.map((o) => [o.value, o.commodityLabel]),
      );
    }
  });
});

describe('CSV splitting (property)', () => {
  it('reads back any table written with RFC 4180 quoting', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', ' ', 'é', '1') });
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
        (table) => {
          const quote = (c: string) => `"${c.replaceAll('"', '""')}"`;
          const text = table.map((r) => r.map(quote).join(',')).join('\n');
          const out: string[][] = [];
          readCsv(
            text,
            (rec) => out.push(rec.fields),
            (p) => {
              throw new Error(p.reason);
            },
          );
          expect(out).toEqual(table);
        },
      ),
    );
  });

  it('projecting columns keeps the fields asked for, the field count and the line numbers unchanged', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', ',', '"', ' ', '1', '\n') });
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        fc.boolean(),
        (table, need, quoteAll) => {
          const enc = (c: string) => (quoteAll || /[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c);
          const rows = table;
          const text = `${rows.map((r) => r.map(enc).join(',')).join('\n')}\n`;
          const read = (projection?: boolean[], reuse?: boolean) => {
            const out: string[][] = [];
            const lines: number[] = [];
            readCsvChunk(
              text,
              1,
              true,
              (rec) => {
                out.push([...rec.fields]);
                lines.push(rec.line);
              },
              (p) => {
                throw new Error(p.reason);
              },
              ',',
              projection,
              reuse,
            );
            return { out, lines };
          };
          const { out, lines } = read(need);
          expect(lines).toEqual(read().lines);
          // a reused record and fields array (the Comtrade reader's case) give the same rows
          expect(read(need, true)).toEqual({ out, lines });
          expect(out.map((r) => r.length)).toEqual(rows.map((r) => r.length));
          out.forEach((r, i) => {
            need.forEach((n, j) => {
              if (n) expect(r[j]).toBe(rows[i]?.[j]);
            });
          });
        },
      ),
    );
  });
});

describe('reading for an asynchronous writer', () => {
  it('pauses after each chunk so the writer drains it, and yields what the synchronous reader yields', async () => {
    const lines = ['reporter,partner,flow,period,commodity,value'];
    for (let i = 0; i < 3000; i++)
      lines.push(`CN,KP,import,2016-${String((i % 12) + 1).padStart(2, '0')},${10000 + i},${i}`);
    lines.push('CN,KP,import,2016-13,2701,1');
    const path = fixture('async.csv', `\uFEFF${lines.join('\r\n')}\r\n`);
    let pending: string[] = [];
    const drained: number[] = [];
    const ids: string[] = [];
    const errors: number[] = [];
    const result = await streamTradeFileAsync(
      path,
      {
        item: (o) => pending.push(o.id),
        error: (e) => errors.push(Number(e.details?.line)),
        skip() {},
        fatal: (reason) => errors.push(-1, reason.length),
      },
      { chunkSize: 4096 },
      async () => {
        drained.push(pending.length);
        ids.push(...pending);
        pending = [];
        await new Promise((resolve) => setImmediate(resolve));
      },
    );
    ids.push(...pending);
    expect(result).toEqual({ format: 'csv', encoding: 'utf-8' });
    // about 100 KiB in 4 KiB chunks: many pauses, none holding more than one chunk's rows
    expect(drained.length).toBeGreaterThan(20);
    expect(Math.max(...drained)).toBeLessThan(200);
    const whole = readTradeFile(path, { chunkSize: 4096 });
    expect(ids).toEqual(whole.items.map((o) => o.id));
    expect(errors).toEqual([3002]);
  });
});

describe('multi-byte characters across chunks', () => {
  /** Every record of a file as the trade reader's CSV layer reads it, chunk by chunk. */
  function records(path: string, chunkSize: number): string[][] {
    const out: string[][] = [];
    const sink = { item() {}, error() {}, skip() {}, fatal() {} };
    const parser = new TradeCsvParser('f.csv', {}, sink, (header) => {
      out.push([...header]);
      return { reader: (fields) => void out.push([...fields]), format: 'csv' };
    });
    for (const chunk of fileChunks(path, chunkSize)) {
      parser.feed(chunk.text ?? decodeChunk(chunk.bytes!, chunk.encoding!), chunk.final);
    }
    return out;
  }

  it('reads multi-byte characters in quoted fields over lines and chunks of any size as one UTF-8 decoding of the file would (property)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', ' ', 'é', 'ô', '–', '한', '😀') });
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 80 }),
        fc.boolean(),
        (table, chunkSize, bom) => {
          const quote = (c: string) => `"${c.replaceAll('"', '""')}"`;
          const text = `h1,h2,h3\n${table.map((r) => r.map(quote).join(',')).join('\n')}\n`;
          const path = fixture('coded.csv', (bom ? '\uFEFF' : '') + text);
          expect(records(path, chunkSize)).toEqual([['h1', 'h2', 'h3'], ...table]);
        },
      ),
    );
  });

  it('gives invalid bytes in a UTF-8 file with a BOM the replacement characters of the UTF-8 decoder', () => {
    const bytes = Buffer.concat([
      Buffer.from('\uFEFFa,b\nx\xff', 'utf8').subarray(0, 8),
      Buffer.from([0xff, 0xc3, 0x2c, 0xe2, 0x82, 0x0a, 0xf0, 0x9f, 0x98, 0x80, 0x2c, 0x80, 0x80, 0x0a]),
    ]);
    const path = fixture('bom-invalid.csv', bytes);
    const expected: string[][] = [];
    readCsv(
      bytes.subarray(3).toString('utf8'),
      (r) => expected.push(r.fields),
      () => {},
    );
    for (const chunkSize of [1, 2, 3, 5, 64]) expect(records(path, chunkSize)).toEqual(expected);
    expect(expected[1]?.[0]).toContain('\uFFFD');
  });

  it('decodes a UTF-8 record cut by the chunk where the file turns to Windows-1252 as the two decoders would', () => {
    const head = Buffer.from('h1,h2\n"é\n', 'utf8');
    const tail = iconv.encode('ô",x\n', 'win1252');
    const path = fixture('switch.csv', Buffer.concat([head, tail]));
    expect(records(path, head.length)).toEqual([
      ['h1', 'h2'],
      ['é\nô', 'x'],
    ]);
  });
});
