/**
 * The parallel path must be indistinguishable from the single-thread path: same output bytes, same
 * rejects (line, field, reason, raw) and same summary, on real files with malformed rows, duplicate
 * ids, quoted fields spanning lines (cut by tiny chunks), cap draws and party checks.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REGIME_DIR } from '../../ingest/regime-loader.js';
import { runScreen, type ScreenRun } from '../commands/screen.js';
import { PROJECT_ROOT } from '../config.js';
import { parallelWorkers, readChunks, screenWorkers, startEarly, tuningFromEnv } from './parallel-screen.js';

const EXAMPLES = readFileSync(join(PROJECT_ROOT, 'examples', 'declarations.csv'), 'utf8');
const [HEADER, ...EXAMPLE_ROWS] = EXAMPLES.trimEnd().split('\n');
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'embargo-parallel-'));
});

function quiet(): Writable {
  return new Writable({ write: (_c, _e, cb) => cb() });
}

async function screenBoth(
  file: string,
  extra: Partial<ScreenRun>,
  workers: number,
  chunkBytes: number,
  // feedEarly: the workers get chunks while they start, or a small file would be screened on the
  // main thread alone before they are ready (the default, which waits, has its own test)
  { feedEarly = true }: { feedEarly?: boolean } = {},
) {
  const results = [];
  for (const parallel of [{ workers: 0 }, { workers, chunkBytes, minBytes: 0, feedEarly }]) {
    const tag = parallel.workers === 0 ? 'single' : 'parallel';
    const out = join(work, `${tag}.out`);
    const rejects = join(work, `${tag}.rejects.jsonl`);
    let said = '';
    const summary = await runScreen({
      input: file,
      jurisdiction: 'CN',
      format: 'jsonl',
      out,
      rejects,
      regimes: DEFAULT_REGIME_DIR,
      parties: false,
      dataDir: join(work, 'home'),
      parallel,
      stderr: new Writable({
        write: (c, _e, cb) => {
          said += String(c);
          cb();
        },
      }),
      ...extra,
    });
    results.push({ summary, out: readFileSync(out), rejects: readFileSync(rejects, 'utf8'), said });
  }
  return results as [(typeof results)[0], (typeof results)[0]];
}

/** Rows exercising every path: examples (quoted), cap draws, malformed rows, duplicates, multi-line fields. */
function fixtureRows(): string[] {
  const rows: string[] = [];
  for (let r = 0; r < 6; r++) {
    for (const line of EXAMPLE_ROWS) rows.push(line.replace(/^EX-/, `R${r}-`));
    rows.push(
      `CAP-${r}-1,2018-02-0${r + 1},export,2709000000,crude oil,CN,CN,KP,Dandong,Sinuiju,A Co,B Co,90000,t,1,USD,,,,,,,,`,
      `CAP-${r}-2,2018-02-0${r + 1},export,2710192000,"diesel,\nfor trucks",CN,CN,KP,Dandong,Sinuiju,A Co,B Co,100,t,1,USD,livelihood,,,,,,,`,
      `BAD-${r}-1,2016-02-30,import,2701,coal,KP,KP,,,,,,,,,,,,,,,,,`,
      `BAD-${r}-2,2016-05-01,sideways,27x1,coal,KP,KP,,,,,,,,,,,,,,,,,`,
      `BAD-${r}-3,2016-05-01,import,2701,"never closed,KP,KP,,,,,,,,,,,,,,,,,`,
      `BAD-${r}-4,2016-05-01,import,2701,"stray"x,KP,KP,,,,,,,,,,,,,,,,,`,
      `R0-01,2016-05-10,import,2701,duplicate of an earlier id,KP,KP,,,,,,,,,,,,,,,,,`,
      '',
      `SHORT-${r},2016-05-01,import`,
    );
  }
  return rows;
}

describe('parallel screening', () => {
  it('is used only when asked for and only for large UTF-8 CSV files', async () => {
    const file = join(work, 'small.csv');
    writeFileSync(file, EXAMPLES);
    const base = {
      input: file,
      size: 100,
      format: 'jsonl',
      inputFormat: undefined,
      encoding: undefined,
      store: false,
    };
    expect(await parallelWorkers(base, {})).toBe(0);
    expect(await parallelWorkers(base, { workers: 2 })).toBe(0); // below the size threshold
    expect(await parallelWorkers(base, { workers: 2, minBytes: 0 })).toBe(2);
    expect(await parallelWorkers({ ...base, format: 'json' }, { workers: 2, minBytes: 0 })).toBe(0);
    expect(await parallelWorkers({ ...base, input: '-' }, { workers: 2, minBytes: 0 })).toBe(0);
    expect(await parallelWorkers({ ...base, store: true }, { workers: 2, minBytes: 0 })).toBe(0);
    const latin = join(work, 'latin.csv');
    writeFileSync(latin, Buffer.concat([Buffer.from(EXAMPLES), Buffer.from([0x41, 0xe9, 0x0a])]));
    expect(await parallelWorkers({ ...base, input: latin }, { workers: 2, minBytes: 0 })).toBe(0);
  });

  it('is on by default with a core to spare (one worker), off on one core or a busy machine; EMBARGO_SCREEN_WORKERS forces', () => {
    expect(screenWorkers({}, { cores: 2, load: 0.4 })).toBe(1);
    expect(screenWorkers({}, { cores: 2, load: 1.99 })).toBe(1);
    expect(screenWorkers({}, { cores: 2, load: 2 })).toBe(0);
    expect(screenWorkers({}, { cores: 2, load: 3.5 })).toBe(0);
    expect(screenWorkers({}, { cores: 1, load: 0 })).toBe(0);
    // more cores: still one worker by default (the RSS budget, S15)
    expect(screenWorkers({}, { cores: 8, load: 1 })).toBe(1);
    expect(screenWorkers({ EMBARGO_SCREEN_WORKERS: '' }, { cores: 2, load: 0 })).toBe(1);
    expect(screenWorkers({ EMBARGO_SCREEN_WORKERS: '0' }, { cores: 8, load: 0 })).toBe(0);
    expect(screenWorkers({ EMBARGO_SCREEN_WORKERS: '3' }, { cores: 2, load: 9 })).toBe(3);
    expect(() => screenWorkers({ EMBARGO_SCREEN_WORKERS: '1.5' })).toThrow(/EMBARGO_SCREEN_WORKERS/);
    expect(() => screenWorkers({ EMBARGO_SCREEN_WORKERS: '17' })).toThrow(/EMBARGO_SCREEN_WORKERS/);
    expect(tuningFromEnv({}, { cores: 2, load: 0.5 })).toEqual({ workers: 1 });
    expect(tuningFromEnv({}, { cores: 2, load: 2.5 })).toEqual({ workers: 0 });
  });

  it('by default still leaves small, non-UTF-8, stdin, --store and json runs to the single thread', async () => {
    const file = join(work, 'gate.csv');
    writeFileSync(file, EXAMPLES);
    const base = {
      input: file,
      size: 100,
      format: 'jsonl',
      inputFormat: undefined,
      encoding: undefined,
      store: false,
    };
    const idle = tuningFromEnv({}, { cores: 2, load: 0 });
    expect(await parallelWorkers(base, idle)).toBe(0); // 100 bytes < 8 MiB
    const big = { ...base, size: 8 << 20 };
    expect(await parallelWorkers(big, idle)).toBe(1);
    expect(await parallelWorkers(big, tuningFromEnv({}, { cores: 2, load: 2.2 }))).toBe(0);
    expect(await parallelWorkers({ ...big, input: '-' }, idle)).toBe(0);
    expect(await parallelWorkers({ ...big, store: true }, idle)).toBe(0);
    expect(await parallelWorkers({ ...big, format: 'json' }, idle)).toBe(0);
    expect(await parallelWorkers({ ...big, encoding: 'utf-8' }, idle)).toBe(0);
    expect(await parallelWorkers({ ...big, inputFormat: 'jsonl' }, idle)).toBe(0);
    const latin = join(work, 'gate-latin.csv');
    writeFileSync(latin, Buffer.concat([Buffer.from(EXAMPLES), Buffer.from([0x41, 0xe9, 0x0a])]));
    expect(await parallelWorkers({ ...big, input: latin }, idle)).toBe(0);
  });

  it('starts workers early only for inputs that may take them, and stops those a run does not use', async () => {
    const file = join(work, 'early.csv');
    writeFileSync(file, EXAMPLES);
    const base = {
      input: file,
      size: 100,
      format: 'jsonl',
      inputFormat: undefined,
      encoding: undefined,
      store: false,
    };
    expect(await startEarly(base, { workers: 1 }, false)).toBeUndefined(); // below 8 MiB
    expect(await startEarly({ ...base, input: '-' }, { workers: 1, minBytes: 0 }, false)).toBeUndefined();
    expect(await startEarly(base, { workers: 0, minBytes: 0 }, false)).toBeUndefined();
    const early = await startEarly(base, { workers: 1, minBytes: 0 }, false);
    expect(early?.workers.length).toBe(1);
    await early?.stop();
    expect(early?.workers[0]?.threadId).toBe(-1); // exited
    // a file that is not UTF-8 throughout: workers start, the scan refuses, one thread screens
    const latin = join(work, 'early-latin.csv');
    writeFileSync(
      latin,
      Buffer.concat([
        Buffer.from(EXAMPLES),
        Buffer.from('LAT-1,2016-05-01,import,2701,caf\xe9,KP,KP,,,,,,,,,,,,,,,,,\n', 'latin1'),
      ]),
    );
    const [single, parallel] = await screenBoth(latin, {}, 1, 1 << 16);
    expect(single.summary.counts.CLEAR + single.summary.counts.HOLD + single.summary.counts.REFUSE).toBe(
      EXAMPLE_ROWS.length + 1,
    );
    expect(parallel.out.equals(single.out)).toBe(true);
    expect(parallel.summary).toEqual(single.summary);
    // a regime that fails to load after the workers started: the error, not a hang
    await expect(
      runScreen({
        input: file,
        jurisdiction: 'CN',
        format: 'jsonl',
        out: join(work, 'early-bad.out'),
        regimes: join(work, 'no-such-regime-dir'),
        parties: false,
        parallel: { workers: 1, minBytes: 0 },
        stderr: quiet(),
      }),
    ).rejects.toThrow();
  });

  it('screens a file again on one thread, from the start, when a chunk late in it is not UTF-8', async () => {
    // cap draws and duplicates before the bad byte: the restart must not see the ledger or the
    // output of the abandoned parallel run
    const file = join(work, 'late-latin.csv');
    const rows = fixtureRows();
    const body: string[] = [];
    for (let copy = 0; copy < 8; copy++)
      for (const row of rows) body.push(row.replace(/^([A-Z]+[0-9]*-)/, `L${copy}$1`));
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(`${HEADER}\n${body.join('\n')}\n`),
        Buffer.from('LAT-1,2016-05-01,import,2701,caf\xe9,KP,KP,,,,,,,,,,,,,,,,,\n', 'latin1'),
        Buffer.from(`${body.slice(0, 40).join('\n').replace(/^L/gm, 'M')}\n`),
      ]),
    );
    for (const feedEarly of [true, false]) {
      const [single, parallel] = await screenBoth(file, {}, 1, 256, { feedEarly });
      expect(single.said).toMatch(/not valid UTF-8/);
      expect(single.summary.counts.REFUSE).toBeGreaterThan(0);
      expect(parallel.out.equals(single.out)).toBe(true);
      expect(parallel.rejects).toBe(single.rejects);
      expect(parallel.summary).toEqual(single.summary);
      expect(parallel.said.replace('parallel.rejects', 'single.rejects')).toBe(single.said);
    }
  });

  it('by default gives a worker chunks only once it is ready, with the single-thread output, rejects and summary', async () => {
    // large enough that the worker becomes ready while the main thread is still screening alone
    const file = join(work, 'ready.csv');
    const rows = fixtureRows();
    const body: string[] = [];
    for (let copy = 0; body.length < 40_000; copy++)
      for (const row of rows) body.push(row.replace(/^([A-Z]+[0-9]*-)/, `C${copy}$1`));
    writeFileSync(file, `${HEADER}\n${body.join('\n')}\n`);
    const [single, parallel] = await screenBoth(file, {}, 1, 1 << 12, { feedEarly: false });
    expect(single.summary.rejected).toBeGreaterThan(1000);
    expect(parallel.out.equals(single.out)).toBe(true);
    expect(parallel.rejects).toBe(single.rejects);
    expect(parallel.summary).toEqual(single.summary);
  });

  it('gives the single-thread output, rejects and summary on a file with malformed rows, duplicates and cap draws', async () => {
    const file = join(work, 'mixed.csv');
    writeFileSync(file, `\ufeff${HEADER}\r\n${fixtureRows().join('\r\n')}\r\n`);
    for (const chunkBytes of [64, 1 << 18]) {
      const [single, parallel] = await screenBoth(file, {}, 2, chunkBytes);
      expect(single.summary.rejected).toBeGreaterThan(30);
      expect(single.rejects).toMatch(/duplicate id 'R0-01'/);
      expect(single.out.toString()).toMatch(/"CAP-5-1".*within-cap/); // drew on the cap: deferred to the main thread
      expect(parallel.out.equals(single.out)).toBe(true);
      expect(parallel.rejects).toBe(single.rejects);
      expect(parallel.summary).toEqual(single.summary);
      expect(parallel.said.replace('parallel.rejects', 'single.rejects')).toBe(single.said);
    }
  });

  it('numbers rejects by the lines of the whole file when line ends mix LF, CRLF and lone CR', async () => {
    // chunks are numbered from a fixed line and shifted when written (S23): a lone CR is a line the
    // reader counts but no chunk boundary, so a shift by line feeds alone would be wrong after one
    const file = join(work, 'mixed-ends.csv');
    const ends = ['\n', '\r', '\r\n', '\r', '\n'];
    const rows = [
      ...fixtureRows(),
      ...fixtureRows().map((r) => r.replace(/^(R\d|CAP-\d|BAD-\d|SHORT)/, 'Z$1')),
    ];
    writeFileSync(file, `${HEADER}\n${rows.map((r, i) => r + ends[i % ends.length]).join('')}`);
    for (const chunkBytes of [40, 700]) {
      const [single, parallel] = await screenBoth(file, {}, 1, chunkBytes);
      expect(single.summary.rejected).toBeGreaterThan(60);
      expect(single.rejects).toMatch(/"line":2\d\d,/);
      expect(parallel.out.equals(single.out)).toBe(true);
      expect(parallel.rejects).toBe(single.rejects);
      expect(parallel.summary).toEqual(single.summary);
    }
  });

  it('gives the single-thread results in csv and table formats, with party checks', async () => {
    const file = join(work, 'parties.csv');
    writeFileSync(file, `${HEADER}\n${fixtureRows().join('\n')}`); // no final line break
    for (const format of ['csv', 'table'] as const) {
      const [single, parallel] = await screenBoth(file, { format, parties: true }, 2, 300);
      expect(single.summary.counts.REFUSE).toBeGreaterThan(0);
      expect(parallel.out.toString()).toBe(single.out.toString());
      expect(parallel.rejects).toBe(single.rejects);
      expect(parallel.summary).toEqual(single.summary);
    }
  });

  it('matches the single-thread path on random files (property)', async () => {
    const cell = fc.oneof(
      fc.constantFrom('', 'KP', 'CN', '2701', '2016-05-01', 'livelihood', 't', '12'),
      fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ', 'é', ';', ':') }),
    );
    const quoted = cell.map((c) => `"${c.replaceAll('"', '""')}"`);
    const row = fc.tuple(
      fc.constantFrom('D1', 'D2', 'D3', 'D4', 'D5', 'D6', ''),
      fc.constantFrom('2016-05-01', '2018-02-01', '2016-13-01'),
      fc.constantFrom('import', 'export', 'x'),
      fc.constantFrom('2701', '2709', '271019', '26011100', 'abc'),
      fc.array(fc.oneof(cell, quoted), { minLength: 0, maxLength: 22 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 25 }),
        fc.integer({ min: 16, max: 400 }),
        async (rows, chunkBytes) => {
          const lines = rows.map(([id, date, dir, hs, rest], i) =>
            [`${id}${i % 3 === 0 ? '' : i}`, date, dir, hs, ...rest].join(','),
          );
          const file = join(work, 'random.csv');
          writeFileSync(file, `${HEADER}\n${lines.join('\n')}\n`);
          const [single, parallel] = await screenBoth(file, {}, 2, chunkBytes);
          expect(parallel.out.toString()).toBe(single.out.toString());
          expect(parallel.rejects).toBe(single.rejects);
          expect(parallel.summary).toEqual(single.summary);
        },
      ),
      { numRuns: 8 },
    );
  }, 120_000);

  it('screens every row with a single worker, under the UN resolutions', async () => {
    const file = join(work, 'quiet.csv');
    writeFileSync(file, EXAMPLES);
    const summary = await runScreen({
      input: file,
      jurisdiction: 'UN',
      format: 'jsonl',
      out: join(work, 'quiet.out'),
      regimes: DEFAULT_REGIME_DIR,
      parties: false,
      parallel: { workers: 1, chunkBytes: 128, minBytes: 0 },
      stderr: quiet(),
    });
    expect(summary.counts.CLEAR + summary.counts.HOLD + summary.counts.REFUSE).toBe(EXAMPLE_ROWS.length);
  });

  it('is chosen by the CLI by default or from EMBARGO_SCREEN_WORKERS, with the single-thread output', () => {
    const file = join(work, 'cli.csv');
    const rows = fixtureRows();
    const body: string[] = [];
    for (let copy = 0; body.join('\n').length < 8.2 * 2 ** 20; copy++)
      for (const row of rows) body.push(row.replace(/^([A-Z]+[0-9]*-)/, `C${copy}$1`));
    writeFileSync(file, `${HEADER}\n${body.join('\n')}\n`);
    const cli = (workers: string | undefined, out: string) =>
      spawnSync(
        process.execPath,
        [
          join(PROJECT_ROOT, 'bin', 'embargo.js'),
          'screen',
          file,
          '--format',
          'jsonl',
          '--out',
          out,
          '--no-parties',
        ],
        {
          encoding: 'utf8',
          env: {
            ...process.env,
            EMBARGO_HOME: join(work, 'home'),
            // undefined: the default gate (two threads unless the machine is busy)
            EMBARGO_SCREEN_WORKERS: workers,
          },
        },
      );
    const single = cli('0', join(work, 'cli-single.jsonl'));
    const parallel = cli('2', join(work, 'cli-parallel.jsonl'));
    expect(single.status).toBe(3); // rows were rejected
    expect(parallel.status).toBe(3);
    expect(parallel.stderr).toBe(single.stderr);
    expect(
      readFileSync(join(work, 'cli-parallel.jsonl')).equals(readFileSync(join(work, 'cli-single.jsonl'))),
    ).toBe(true);
    const auto = cli(undefined, join(work, 'cli-default.jsonl'));
    expect(auto.status).toBe(3);
    expect(auto.stderr).toBe(single.stderr);
    expect(
      readFileSync(join(work, 'cli-default.jsonl')).equals(readFileSync(join(work, 'cli-single.jsonl'))),
    ).toBe(true);
    const bad = cli('lots', join(work, 'cli-bad.jsonl'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/EMBARGO_SCREEN_WORKERS must be an integer 0–16, not 'lots' \[EMB_USAGE\]/);
  }, 120_000);
});

describe('ChunkScreener', () => {
  it('reads a file in chunks cut after a line feed, into buffers handed back and reused (or transferred away) as it goes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z,"\n]{0,300}$/), { maxLength: 40 }),
        fc.integer({ min: 1, max: 200 }),
        fc.boolean(),
        (parts, chunkBytes, transfer) => {
          const file = join(work, 'chunks.bin');
          const content = Buffer.from(parts.join('\n'));
          writeFileSync(file, content);
          const pool: ArrayBuffer[] = [];
          const take = (size: number) => {
            const b = pool.pop();
            return b !== undefined && b.byteLength >= size
              ? Buffer.from(b)
              : Buffer.allocUnsafeSlow(size + 7);
          };
          const seen: Buffer[] = [];
          let finals = 0;
          for (const chunk of readChunks(file, chunkBytes, take)) {
            seen.push(Buffer.from(chunk.bytes)); // a copy: the buffer is reused or gone below
            if (chunk.final) finals++;
            else expect(chunk.bytes[chunk.bytes.length - 1]).toBe(10);
            if (transfer) structuredClone(chunk.bytes, { transfer: [chunk.bytes.buffer] });
            else pool.push(chunk.bytes.buffer as ArrayBuffer);
          }
          expect(finals).toBe(1);
          expect(Buffer.concat(seen).equals(content)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives the same result whether a chunk is parsed whole or a line at a time (quoted fields spanning lines)', async () => {
    const { compileRegime } = await import('../../core/regime/compile.js');
    const { loadRegime } = await import('../../ingest/regime-loader.js');
    const { ChunkScreener, jsonlLine } = await import('./screen-chunk.js');
    const compiled = compileRegime(loadRegime(DEFAULT_REGIME_DIR));
    const text = `${[HEADER, ...fixtureRows()].join('\n')}\n`;
    expect(text.split('\n').length).toBeGreaterThan(100);
    const screener = (piece: number) =>
      new ChunkScreener({
        compiled,
        jurisdiction: 'CN',
        asOf: undefined,
        parties: undefined,
        format: 'jsonl',
        formatter: jsonlLine,
        file: 'pieces.csv',
        piece,
      });
    const results = [0, 1, 200, 1 << 20].map((piece) => screener(piece).screen(text, 1, undefined, true));
    // from UTF-8 bytes, decoded a piece at a time (a worker's chunk)
    const bytes = Buffer.from(text.replaceAll('coal', 'coal 煤炭'), 'utf8');
    const fromBytes = [0, 300].map((piece) => screener(piece).screen(bytes, 1, undefined, true));
    const whole = results[3]!;
    const decoded = screener(1 << 20).screen(bytes.toString('utf8'), 1, undefined, true);
    for (const r of fromBytes) {
      expect(Buffer.from(r.output).equals(Buffer.from(decoded.output))).toBe(true);
      expect(r.errors).toEqual(decoded.errors);
      expect([...r.ends]).toEqual([...decoded.ends]);
    }
    expect(bytes.length).toBeGreaterThan(text.length); // multi-byte characters cross the pieces' bounds
    expect(whole.outcomes.length).toBeGreaterThan(50);
    expect(whole.errors.length).toBeGreaterThan(10);
    expect(whole.deferred.length).toBeGreaterThan(0);
    for (const r of results.slice(0, 3)) {
      expect(Buffer.from(r.output).equals(Buffer.from(whole.output))).toBe(true);
      expect([...r.ends]).toEqual([...whole.ends]);
      expect([...r.lines]).toEqual([...whole.lines]);
      expect([...r.hashes]).toEqual([...whole.hashes]);
      expect([...r.outcomes]).toEqual([...whole.outcomes]);
      expect(r.deferred).toEqual(whole.deferred);
      expect(r.errors).toEqual(whole.errors);
      expect([r.endLine, r.atBoundary, r.pending, r.header]).toEqual([
        whole.endLine,
        whole.atBoundary,
        whole.pending,
        whole.header,
      ]);
    }
  });
});
