import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DeclarationBatch, type ReadOptions, readDeclarations } from './declaration-reader.js';
import { IdSet, isIsoDate, normaliseHs } from './declaration-row.js';

const HEADER =
  'id,date,direction,hs_code,description,origin,from,to,port_of_loading,quantity,unit,value,currency,purpose,documents,approvals,flags';

async function readAll(input: string | Buffer, options: Partial<ReadOptions> = {}, chunk = 64) {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const chunks: Buffer[] = [];
  for (let k = 0; k < bytes.length; k += chunk) chunks.push(bytes.subarray(k, k + chunk));
  const out: DeclarationBatch = { items: [], errors: [] };
  const notices: string[] = [];
  for await (const b of readDeclarations(Readable.from(chunks), {
    file: 'test.csv',
    onNotice: (m) => notices.push(m),
    ...options,
  })) {
    out.items.push(...b.items);
    out.errors.push(...b.errors);
  }
  return { ...out, notices };
}

describe('declaration rows', () => {
  it('reads every field of a well-formed CSV row, normalising codes and keeping extra columns', async () => {
    const csv = `${HEADER},broker\nD1,2016-06-01,Import,2701.12 00,anthracite,kp,KP,,Rajin,1000.5,T,52000,usd,Livelihood,commitment-letter-livelihood:CL-17; certificate-of-origin:CO-9,un-record-filing:RF-2016-03,solid-information,ACME\n`;
    const { items, errors } = await readAll(csv);
    expect(errors).toEqual([]);
    expect(items[0]).toEqual({
      line: 2,
      declaration: {
        id: 'D1',
        date: '2016-06-01',
        direction: 'import',
        hsCode: '27011200',
        description: 'anthracite',
        origin: 'KP',
        from: 'KP',
        portOfLoading: 'Rajin',
        quantity: 1000.5,
        unit: 't',
        value: 52000,
        currency: 'USD',
        purpose: 'livelihood',
        documents: [
          { type: 'commitment-letter-livelihood', reference: 'CL-17' },
          { type: 'certificate-of-origin', reference: 'CO-9' },
        ],
        approvals: [{ type: 'un-record-filing', reference: 'RF-2016-03' }],
        flags: ['solid-information'],
        extra: { broker: 'ACME' },
      },
    });
  });

  it('rejects bad rows field by field and keeps every good row', async () => {
    const rows = [
      'A1,2016-06-01,import,2701,,KP,,,,,,,,,,,',
      'A2,2016-02-30,import,2701,,KP,,,,,,,,,,,', // impossible date
      'A3,2016-06-01,import,27O1,,KP,,,,,,,,,,,', // letter O in the code
      'A4,2016-06-01,sideways,2701,,KP,,,,,,,,,,,',
      ',2016-06-01,import,2701,,KP,,,,,,,,,,,',
      'A1,2016-06-02,import,2701,,KP,,,,,,,,,,,', // duplicate id
      'A7,2016-06-01,import,2701,,XX,,,,lots,,,,,,,', // bad country, bad number
      'A8,2016-06-01,export,2701,,,,KP,,,,,EURO,transit,letter:1,,', // bad currency, purpose, document type
      'A9,2016-06-01,import,2,,KP,,,,,,,,,,,', // one digit
      'A10,2016-06-01,export,27101911,,CN,,KP,,,,,,,,,',
    ];
    const { items, errors } = await readAll(`${HEADER}\n${rows.join('\n')}\n`);
    expect(items.map((i) => i.declaration.id)).toEqual(['A1', 'A10']);
    expect(errors.map((e) => [e.line, e.field])).toEqual([
      [3, 'date'],
      [4, 'hs_code'],
      [5, 'direction'],
      [6, 'id'],
      [7, 'id'],
      [8, 'origin'],
      [8, 'quantity'],
      [9, 'currency'],
      [9, 'purpose'],
      [9, 'documents'],
      [10, 'hs_code'],
    ]);
    expect(errors.every((e) => e.code === 'EMB_DECLARATION_INVALID' && e.raw.length > 0)).toBe(true);
    expect(errors[0]?.reason).toMatch(/2016-02-30/);
  });

  it('gives each cold-path check its own message: numbers, countries, references, flags', async () => {
    const h = 'id,date,direction,hs_code,origin,from,quantity,value,documents,approvals,flags';
    const rows = [
      'N1,2016-06-01,import,2701,cn,Kp,-0,007,,,', // lower-case countries, -0 and leading zeros pass
      'N2,2016-06-01,import,2701,KP,KP,-1,1e999,,,', // negative, infinite
      'N3,2016-06-01,import,2701,ZZ,K,abc,0x10,,,', // unassigned and short codes, not numbers
      'N4,2016-06-01,import,2701,KP,KP,1,2,letter:1;;CERTIFICATE-OF-ORIGIN:CO-1,nod,solid-information; Hunch',
    ];
    const { items, errors } = await readAll(`${h}\n${rows.join('\n')}\n`);
    expect(
      items.map((i) => [
        i.declaration.origin,
        i.declaration.from,
        i.declaration.quantity,
        i.declaration.value,
      ]),
    ).toEqual([['CN', 'KP', -0, 7]]);
    expect(errors.map((e) => [e.line, e.field, e.reason])).toEqual([
      [3, 'quantity', "'-1' must be a finite number ≥ 0"],
      [3, 'value', "'1e999' must be a finite number ≥ 0"],
      [4, 'origin', "'ZZ' is not an ISO 3166-1 alpha-2 country code"],
      [4, 'from', "'K' is not an ISO 3166-1 alpha-2 country code"],
      [4, 'quantity', "'abc' is not a number"],
      [4, 'value', "'0x10' is not a number"],
      [5, 'documents', expect.stringMatching(/^unknown document type 'letter'; expected one of /)],
      [5, 'approvals', expect.stringMatching(/^unknown approval type 'nod'; expected one of /)],
      [5, 'flags', expect.stringMatching(/^unknown flag 'hunch'; expected /)],
    ]);
  });

  it('reads the declared product and rejects one outside the closed set', async () => {
    const csv = `id,date,direction,hs_code,to,product\nP1,2018-02-01,export,2709000000,KP,Crude-Oil\nP2,2018-02-01,export,2709000000,KP,naphtha\n`;
    const { items, errors } = await readAll(csv);
    expect(items.map((i) => [i.declaration.id, i.declaration.product])).toEqual([['P1', 'crude-oil']]);
    expect(errors).toMatchObject([{ line: 3, field: 'product', code: 'EMB_DECLARATION_INVALID' }]);
  });

  it('reports CSV syntax errors with their line and keeps reading', async () => {
    const csv = `${HEADER}\nB1,2016-06-01,import,"2701,,KP,,,,,,,,,,,\nB2,2016-06-01,import,2701,,KP,,,,,,,,,,,\n`;
    const { items, errors } = await readAll(csv);
    expect(items.map((i) => [i.line, i.declaration.id])).toEqual([[3, 'B2']]);
    expect(errors).toMatchObject([{ line: 2, field: null, code: 'EMB_CSV_MALFORMED' }]);
  });

  it('reads a Windows-1252 file, telling the caller it did', async () => {
    const csv = `id,date,direction,hs_code,description\nC1,2016-06-01,import,2701,Anthrazit – Qualität\n`;
    // Windows-1252: ä is 0xE4, the en dash is 0x96 (latin1 would drop it)
    const bytes = Buffer.from(csv.replace('–', '\u0096'), 'latin1');
    const { items, notices } = await readAll(bytes);
    expect(items[0]?.declaration.description).toBe('Anthrazit – Qualität');
    expect(notices[0]).toMatch(/Windows-1252/);
  });

  it('reads UTF-16 with a BOM and UTF-8 with a BOM', async () => {
    const csv = 'id,date,direction,hs_code,description\nC1,2016-06-01,import,2701,무연탄\n';
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, 'utf16le')]);
    expect((await readAll(utf16, {}, 7)).items[0]?.declaration.description).toBe('무연탄');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv)]);
    expect((await readAll(bom, {}, 5)).items[0]?.declaration.id).toBe('C1');
  });

  it('fails the whole file when a required column is missing', async () => {
    await expect(readAll('id,date,hs_code\nX,2016-06-01,2701\n')).rejects.toThrow(
      /lacks required column\(s\) direction/,
    );
  });

  it('reads JSON lines, one error per bad line', async () => {
    const jsonl = [
      '{"id":"J1","date":"2016-06-01","direction":"import","hs_code":"2701","origin":"KP","documents":["commitment-letter-livelihood:CL-1"],"quantity":12}',
      '',
      '{"id":"J2","date":"2016-06-01",', // truncated
      '[1,2]',
      '{"id":"J3","date":"2016-06-01","direction":"export","hs_code":27101911,"to":"KP","approvals":[{"type":"un-committee-approval","reference":"UN-7"}],"broker":{"name":"x"}}',
    ].join('\n');
    const { items, errors } = await readAll(jsonl, { file: 'in.jsonl' }, 13);
    expect(items.map((i) => [i.line, i.declaration.id])).toEqual([
      [1, 'J1'],
      [5, 'J3'],
    ]);
    expect(items[0]?.declaration.documents).toEqual([
      { type: 'commitment-letter-livelihood', reference: 'CL-1' },
    ]);
    expect(items[1]?.declaration.approvals).toEqual([{ type: 'un-committee-approval', reference: 'UN-7' }]);
    expect(items[1]?.declaration.extra).toEqual({ broker: '{"name":"x"}' });
    expect(errors.map((e) => [e.line, e.code])).toEqual([
      [3, 'EMB_JSON_MALFORMED'],
      [4, 'EMB_JSON_MALFORMED'],
    ]);
  });

  it('streams a JSON array element by element, whatever the chunking', async () => {
    const json = `[\n  {"id":"K1","date":"2016-06-01","direction":"import","hs_code":"2701","origin":"KP","description":"a \\"quoted\\" [bracket] {brace}"},\n  {"id":"K2","date":"2016-13-01","direction":"import","hs_code":"2701"},\n  {"id":"K3","date":"2016-06-01","direction":"import","hs_code":"2701",},\n  {"id":"K4","date":"2016-06-01","direction":"export","hs_code":"2701"}\n]\n`;
    for (const chunk of [1, 3, 17, 1000]) {
      const { items, errors } = await readAll(json, { file: 'in.json' }, chunk);
      expect(items.map((i) => [i.line, i.declaration.id])).toEqual([
        [2, 'K1'],
        [5, 'K4'],
      ]);
      expect(items[0]?.declaration.description).toBe('a "quoted" [bracket] {brace}');
      expect(errors.map((e) => [e.line, e.field, e.code])).toEqual([
        [3, 'date', 'EMB_DECLARATION_INVALID'],
        [4, null, 'EMB_JSON_MALFORMED'],
      ]);
    }
  });

  it('reports a truncated JSON array', async () => {
    const { items, errors } = await readAll(
      '[{"id":"T1","date":"2016-06-01","direction":"import","hs_code":"2701"},\n{"id":"T2","da',
      { file: 'x.json' },
    );
    expect(items).toHaveLength(1);
    expect(errors).toMatchObject([{ line: 2, code: 'EMB_JSON_MALFORMED' }]);
  });

  it('sniffs the format of a stream without a file name', async () => {
    const { items } = await readAll(
      '{"id":"S1","date":"2016-06-01","direction":"import","hs_code":"2701"}\n',
      { file: '-' },
    );
    expect(items).toHaveLength(1);
  });
});

describe('field normalisers', () => {
  it('accepts only real dates', () => {
    expect(isIsoDate('2016-02-29')).toBe(true);
    expect(isIsoDate('2017-02-29')).toBe(false);
    expect(isIsoDate('2000-02-29')).toBe(true);
    expect(isIsoDate('1900-02-29')).toBe(false);
    expect(isIsoDate('2016-04-31')).toBe(false);
    expect(isIsoDate('2016-4-1')).toBe(false);
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }),
        (d) => {
          expect(isIsoDate(d.toISOString().slice(0, 10))).toBe(true);
        },
      ),
    );
  });

  it('normalises HS codes idempotently and only to 2–10 digits', () => {
    expect(normaliseHs('2701.11')).toBe('270111');
    expect(normaliseHs('2710 19 11')).toBe('27101911');
    expect(normaliseHs('27a1')).toBeUndefined();
    expect(normaliseHs('12345678901')).toBeUndefined();
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('1', '2', '.', ' ', 'x'), maxLength: 14 }), (s) => {
        const n = normaliseHs(s);
        if (n !== undefined) {
          expect(n).toMatch(/^\d{2,10}$/);
          expect(normaliseHs(n)).toBe(n);
        }
      }),
    );
  });

  it('finds duplicate ids and only duplicates', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 6 }), { maxLength: 300 }), (ids) => {
        const set = new IdSet();
        const seen = new Set<string>();
        const got = ids.map((id) => set.add(id));
        const want = ids.map((id) => !seen.has(id) && seen.add(id) !== undefined);
        expect(got).toEqual(want);
      }),
    );
    // ids whose second hash has the top bit set once escaped detection (signed/unsigned mix-up)
    const apply = new IdSet();
    expect([apply.add('apply'), apply.add('apply')]).toEqual([true, false]);
    const set = new IdSet();
    let added = 0;
    for (let k = 0; k < 200_000; k++) if (set.add(`D${k}`)) added++;
    expect(added).toBe(200_000);
    expect(set.add('D199999')).toBe(false);
  });

  it('finds the same duplicates whatever room was reserved, before or between adds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 4 }), { maxLength: 400 }),
        fc.nat({ max: 5000 }),
        fc.nat({ max: 400 }),
        (ids, expected, at) => {
          const set = new IdSet();
          const seen = new Set<string>();
          const got = ids.map((id, k) => {
            if (k === Math.min(at, ids.length - 1)) set.reserve(expected);
            return set.add(id);
          });
          const want = ids.map((id) => !seen.has(id) && seen.add(id) !== undefined);
          expect(got).toEqual(want);
        },
      ),
    );
    const set = new IdSet();
    for (let k = 0; k < 50_000; k++) set.add(`E${k}`);
    set.reserve(300_000); // rehashes the 50,000 ids into the larger table
    for (let k = 0; k < 50_000; k++) expect(set.add(`E${k}`)).toBe(false);
    expect(set.add('E50000')).toBe(true);
  });
});

describe('parseDecimal', () => {
  it('reads plain decimals and rejects what Number() would misread', async () => {
    const { parseDecimal } = await import('./declaration-row.js');
    expect(['12', '-0.5', '1e3', '.5', '5.', '+7', '1E-2'].map(parseDecimal)).toEqual([
      12, -0.5, 1000, 0.5, 5, 7, 0.01,
    ]);
    expect(['0x10', 'Infinity', '1,000', '1 000', '', '.', 'e5', '1e', '--1'].map(parseDecimal)).toEqual(
      Array(9).fill(undefined),
    );
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(parseDecimal(String(x))).toBe(x === 0 ? 0 : x);
      }),
    );
  });

  it('reads a string of plain digits (leading zeros, up to 20 digits) exactly as Number() does', async () => {
    const { parseDecimal } = await import('./declaration-row.js');
    expect(
      ['0', '007', '123456789012345', '1234567890123456', '99999999999999999999'].map(parseDecimal),
    ).toEqual([0, 7, 123456789012345, 1234567890123456, 1e20 - 1]);
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,20}$/), (s) => {
        expect(parseDecimal(s)).toBe(Number(s));
      }),
      { numRuns: 2000 },
    );
  });
});
