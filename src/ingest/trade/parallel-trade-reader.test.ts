import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { addToTotals, type MonthlyTotals, yearOnYear } from '../../core/trade/monthly-totals.js';
import { readTradeFileParallel, readTradeFileTotals, tradeWorkers } from './parallel-trade-reader.js';
import { readTradeFile, streamTradeFile } from './trade-file-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'embargo-trade-parallel-'));
let n = 0;
function fixture(content: string | Buffer): string {
  const path = join(dir, `f${n++}.csv`);
  writeFileSync(path, content);
  return path;
}

const HEADER =
  'Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,Trade Flow,Reporter Code,Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,2nd Partner Code,2nd Partner,2nd Partner ISO,Customs Proc. Code,Customs,Mode of Transport Code,Mode of Transport,Commodity Code,Commodity,Qty Unit Code,Qty Unit,Qty,Alt Qty Unit Code,Alt Qty Unit,Alt Qty,Netweight (kg),Gross weight (kg),Trade Value (US$),CIF Trade Value (US$),FOB Trade Value (US$),Flag';

const PARTNERS = [
  ['408', '"Dem. People\'s Rep. of Korea"', 'PRK'],
  ['384', "Côte d'Ivoire", 'CIV'],
  ['392', 'Japan', 'JPN'],
];
const NAMES = [
  'Coal',
  '"Iron or steel; threaded screws, bolts"',
  '"Petroleum oils, ""crude"""',
  '"a description\nover two lines"',
];

/** A legacy Comtrade row in the shape of the real extract; `kind` picks a good or a bad row. */
function row(
  i: number,
  kind: 'good' | 'bad-flow' | 'bad-value' | 're-export' | 'stray-quote' | 'short',
): string {
  const [pc, pn, pi] = PARTNERS[i % PARTNERS.length]!;
  const name = NAMES[(i >> 2) % NAMES.length]!;
  const month = `${2015 + (((i % 36) / 12) | 0)}${String((i % 12) + 1).padStart(2, '0')}`;
  const flow = kind === 'bad-flow' ? 'Q' : kind === 're-export' ? 'RX' : i % 2 ? 'M' : 'X';
  const value = kind === 'bad-value' ? 'abc' : String(1000 + ((i * 7919) % 100000) / 4);
  const code = String(2701 + (i % 5));
  if (kind === 'short') return `H4,${month.slice(0, 4)},${month}`;
  const cmd = kind === 'stray-quote' ? `"${code}"x` : code;
  return `H4,${month.slice(0, 4)},${month},${month},4,1,0,${flow},156,China,CHN,0,World,W00,${pc},${pn},${pi},C00,All CPCs,0,All MOTs,${cmd},${name},8,kg,${i},-1,N/A,,${i % 4 ? i * 10 : '-0-'},,${value},,,0`;
}

const KINDS = ['bad-flow', 'bad-value', 're-export', 'stray-quote', 'short'] as const;

function comtradeFile(rows: number, eol = '\n'): string {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) {
    lines.push(row(i, i % 97 === 13 ? KINDS[((i / 97) % KINDS.length) | 0]! : 'good'));
    if (i % 211 === 0) lines.push('');
  }
  return `${lines.join(eol)}${eol}`;
}

/** What a reader yields, as comparable plain data. */
function plain(r: ReturnType<typeof readTradeFile>) {
  return {
    items: r.items,
    errors: r.errors.map((e) => [e.code, e.message, e.details]),
    skipped: r.skipped,
    format: r.format,
    encoding: r.encoding,
  };
}

function singleThreadTotals(path: string, chunkSize?: number): MonthlyTotals {
  const totals: MonthlyTotals = new Map();
  streamTradeFile(
    path,
    {
      item: (o) => addToTotals(totals, o),
      error() {},
      skip() {},
      fatal() {},
    },
    { chunkSize },
  );
  return totals;
}

describe('parallel trade reader', () => {
  it('yields what the single-thread reader yields: observations, row errors with their lines, skips', async () => {
    const path = fixture(comtradeFile(3000));
    for (const chunkSize of [997, 4096, 65536]) {
      const single = readTradeFile(path, { chunkSize });
      const parallel = await readTradeFileParallel(path, {
        workers: 2,
        minBytes: 0,
        waitForWorkers: true,
        chunkSize,
      });
      expect(parallel.workers).toBe(2);
      expect(parallel.chunks.workers).toBeGreaterThan(0);
      expect(plain(parallel)).toEqual(plain(single));
    }
    const single = readTradeFile(path);
    // the fixture is what it says: bad rows of every kind, with lines past the first chunks
    expect(single.errors.map((e) => e.code)).toContain('EMB_CSV_MALFORMED');
    expect(single.errors.map((e) => e.details?.field)).toContain('trade flow');
    expect(Math.max(...single.errors.map((e) => Number(e.details?.line)))).toBeGreaterThan(2900);
    expect(single.skipped).toBeGreaterThan(0);
    expect(single.items.some((o) => o.commodityLabel === 'a description\nover two lines')).toBe(true);
  });

  it('adds up the same monthly totals and year-on-year changes as the single-thread reader', async () => {
    const path = fixture(comtradeFile(5000, '\r\n'));
    const single = singleThreadTotals(path, 2048);
    const parallel = await readTradeFileTotals(path, {
      workers: 2,
      minBytes: 0,
      waitForWorkers: true,
      chunkSize: 2048,
    });
    expect(parallel.chunks.workers).toBeGreaterThan(0);
    expect(parallel.observations).toBe(readTradeFile(path).items.length);
    expect(parallel.totals).toEqual(single);
    expect(yearOnYear(parallel.totals)).toEqual(yearOnYear(single));
    expect(yearOnYear(single).filter((p) => p.changePct !== undefined).length).toBeGreaterThan(20);
    // one partner's totals: the observations with that partner only, on both paths
    const kp: MonthlyTotals = new Map();
    streamTradeFile(
      path,
      { item: (o) => o.partner === 'KP' && addToTotals(kp, o), error() {}, skip() {}, fatal() {} },
      { chunkSize: 2048 },
    );
    const kpParallel = await readTradeFileTotals(path, {
      workers: 2,
      minBytes: 0,
      waitForWorkers: true,
      chunkSize: 2048,
      partner: 'KP',
    });
    expect(kpParallel.totals).toEqual(kp);
    expect(kpParallel.observations).toBe(parallel.observations);
    expect(kp.size).toBeGreaterThan(0);
    expect(yearOnYear(kp).length).toBeLessThan(yearOnYear(single).length);
  });

  it('in totals mode, on one thread or several, rejects and skips the rows the item path does (T13)', async () => {
    const path = fixture(comtradeFile(3000));
    const items = readTradeFile(path, { chunkSize: 997 });
    const expected = new Map() as MonthlyTotals;
    for (const o of items.items) addToTotals(expected, o);
    for (const workers of [0, 2]) {
      const r = await readTradeFileTotals(path, {
        workers,
        minBytes: 0,
        waitForWorkers: true,
        chunkSize: 997,
      });
      expect(r.workers).toBe(workers);
      expect(r.observations).toBe(items.items.length);
      expect(r.errors.map((e) => [e.code, e.message, e.details])).toEqual(
        items.errors.map((e) => [e.code, e.message, e.details]),
      );
      expect(r.skipped).toBe(items.skipped);
      expect(r.totals).toEqual(expected);
    }
    expect(items.errors.length).toBeGreaterThan(0);
    expect(items.items.some((o) => o.measure === 'quantity')).toBe(true);
  });

  it('reads a chunk again on the main thread when the cut before it fell inside a quoted field', async () => {
    // every record holds a quoted field over three lines: most cuts after a line feed land inside one
    const lines = [HEADER];
    for (let i = 0; i < 400; i++)
      lines.push(row(i, 'good').replace(/,Coal,|,"[^"]*",/, ',"one\ntwo\nthree",'));
    const path = fixture(`${lines.join('\n')}\n`);
    const single = readTradeFile(path, { chunkSize: 1000 });
    const parallel = await readTradeFileParallel(path, {
      workers: 2,
      minBytes: 0,
      waitForWorkers: true,
      chunkSize: 1000,
    });
    expect(plain(parallel)).toEqual(plain(single));
    expect(parallel.chunks.again).toBeGreaterThan(5);
    expect(parallel.chunks.workers).toBeGreaterThan(0);
    expect(single.errors).toEqual([]);
    expect(single.items.length).toBeGreaterThan(400);
  });

  it('decodes Windows-1252 and mixed files as the single-thread reader does', async () => {
    const ascii = comtradeFile(800).replaceAll('Côte', 'Cote');
    const cp1252 = iconv.encode(row(1, 'good'), 'win1252'); // Côte d'Ivoire: byte 0xF4
    const late = fixture(Buffer.concat([Buffer.from(ascii), cp1252, Buffer.from('\n')]));
    const mixed = fixture(Buffer.concat([Buffer.from(comtradeFile(800)), cp1252, Buffer.from('\n')]));
    for (const path of [late, mixed]) {
      const single = readTradeFile(path, { chunkSize: 3000 });
      const parallel = await readTradeFileParallel(path, {
        workers: 2,
        minBytes: 0,
        waitForWorkers: true,
        chunkSize: 3000,
      });
      expect(plain(parallel)).toEqual(plain(single));
      expect(parallel.chunks.workers).toBeGreaterThan(0);
      expect(single.encoding).toBe('windows-1252');
    }
    expect(readTradeFile(mixed, { chunkSize: 3000 }).errors.map((e) => e.code)).toContain(
      'EMB_FILE_ENCODING',
    );
  });

  it('reads a large file that is not Comtrade on the main thread, with the same result', async () => {
    const lines = ['reporter,partner,flow,period,commodity,value'];
    for (let i = 0; i < 2000; i++)
      lines.push(`CN,KP,import,2016-${String((i % 12) + 1).padStart(2, '0')},${2700 + i},${i}`);
    lines.push('CN,KP,import,2016-13,2701,1');
    const path = fixture(`${lines.join('\n')}\n`);
    const parallel = await readTradeFileParallel(path, {
      workers: 2,
      minBytes: 0,
      waitForWorkers: true,
      chunkSize: 1024,
    });
    expect(plain(parallel)).toEqual(plain(readTradeFile(path, { chunkSize: 1024 })));
    expect(parallel.chunks.workers).toBe(0);
    expect(parallel.errors.map((e) => e.details?.line)).toEqual([2002]);
  });

  it('reads on the main thread the chunks sent to a worker that fails to start, with the same result and the failure reported', async () => {
    const path = fixture(comtradeFile(1500));
    const failing = join(dir, 'failing-worker.mjs');
    writeFileSync(failing, "throw new Error('this worker cannot start');\n");
    const parallel = await readTradeFileParallel(path, {
      workers: 1,
      minBytes: 0,
      chunkSize: 4096,
      workerModule: pathToFileURL(failing),
    });
    expect(plain(parallel)).toEqual(plain(readTradeFile(path, { chunkSize: 4096 })));
    expect(parallel.chunks.workers).toBe(0);
    expect(parallel.chunks.again).toBeGreaterThan(0);
    expect(parallel.workerFailure).toMatch(/cannot start/);
  });

  it('takes the single-thread path for small files, with no workers started', async () => {
    const path = fixture(comtradeFile(50));
    const r = await readTradeFileParallel(path, { workers: 2 });
    expect(r.workers).toBe(0);
    expect(plain(r)).toEqual(plain(readTradeFile(path)));
  });

  it('takes the worker count from EMBARGO_TRADE_WORKERS, refuses a bad one, and defaults to the cores a machine has free', () => {
    expect(tradeWorkers({ EMBARGO_TRADE_WORKERS: '0' })).toBe(0);
    expect(tradeWorkers({ EMBARGO_TRADE_WORKERS: '3' })).toBe(3);
    expect(() => tradeWorkers({ EMBARGO_TRADE_WORKERS: 'two' })).toThrow(/EMBARGO_TRADE_WORKERS/);
    // by default: one per core but one, none on one core or on a machine already busy
    expect(tradeWorkers({}, { cores: 2, load: 0.4 })).toBe(1);
    expect(tradeWorkers({}, { cores: 8, load: 3 })).toBe(7);
    expect(tradeWorkers({}, { cores: 2, load: 2.5 })).toBe(0);
    expect(tradeWorkers({}, { cores: 1, load: 0 })).toBe(0);
    expect(tradeWorkers({ EMBARGO_TRADE_WORKERS: '2' }, { cores: 2, load: 9 })).toBe(2);
  });

  it('yields what the single-thread reader yields for any mix of rows and any chunk size (property)', async () => {
    const kinds = fc.constantFrom('good', 'good', 'good', ...KINDS);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(10_000), kinds), { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 64, max: 4096 }),
        fc.constantFrom('\n', '\r\n'),
        async (rows, chunkSize, eol) => {
          const text = [HEADER, ...rows.map(([i, k]) => row(i, k))].join(eol) + eol;
          const path = fixture(text);
          const single = readTradeFile(path, { chunkSize });
          const parallel = await readTradeFileParallel(path, {
            workers: 2,
            minBytes: 0,
            waitForWorkers: true,
            chunkSize,
          });
          expect(plain(parallel)).toEqual(plain(single));
        },
      ),
      { numRuns: 12 },
    );
  }, 60_000);
});
