/**
 * Trade monitor benchmark (`npm run bench -- trade`): 1,000,000 Comtrade rows in the shape of the
 * real legacy extract (35 columns, partner in "2nd Partner", World in "Partner", X/M flow codes,
 * some quoted commodity descriptions with commas), monthly 2015–2018. End to end: read the CSV
 * through embargo's Comtrade importer (decoding, splitting, row validation, one value and one
 * quantity observation per row), aggregate value by commodity, flow and month, and compute the
 * year-on-year change of every month of every commodity. Beside it, in the same run, DuckDB reads
 * the same file and computes the same aggregation in SQL. Both answers are compared.
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { streamTradeFile } from '../../ingest/trade/trade-file-reader.js';
import type { Observation } from './observation.js';
import { addMonths } from './observation.js';
import { changePct } from './trade-calculations.js';

const ROWS = Number(process.env.TRADE_BENCH_ROWS ?? 1_000_000);
const HEADER =
  'Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,Trade Flow,Reporter Code,Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,2nd Partner Code,2nd Partner,2nd Partner ISO,Customs Proc. Code,Customs,Mode of Transport Code,Mode of Transport,Commodity Code,Commodity,Qty Unit Code,Qty Unit,Qty,Alt Qty Unit Code,Alt Qty Unit,Alt Qty,Netweight (kg),Gross weight (kg),Trade Value (US$),CIF Trade Value (US$),FOB Trade Value (US$),Flag';

const PARTNERS: [string, string, string][] = [
  ['408', "Dem. People's Rep. of Korea", 'PRK'],
  ['410', 'Rep. of Korea', 'KOR'],
  ['392', 'Japan', 'JPN'],
  ['643', 'Russian Federation', 'RUS'],
  ['496', 'Mongolia', 'MNG'],
  ['704', 'Viet Nam', 'VNM'],
  ['764', 'Thailand', 'THA'],
  ['360', 'Indonesia', 'IDN'],
  ['036', 'Australia', 'AUS'],
  ['842', 'USA', 'USA'],
  ['276', 'Germany', 'DEU'],
  ['384', "Côte d'Ivoire", 'CIV'],
];
const NAMES = [
  'Coal; anthracite, whether or not pulverised, but not agglomerated',
  'Iron ores and concentrates',
  'Zinc ores and concentrates',
  'Cement clinkers (whether or not coloured)',
  'Iron or steel; threaded screws and bolts n.e.c. in item no. 7318.1, whether or not with their nuts or washers',
  'Petroleum oils',
];

function quote(s: string): string {
  return /[",]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function generate(path: string, rows: number): void {
  const fd = openSync(path, 'w');
  const chunk: string[] = [HEADER];
  const months: string[] = [];
  for (let i = 0; i < 48; i++) months.push(addMonths('2015-01', i).replace('-', ''));
  // deterministic pseudo-random numbers so every run writes the same file
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const perCode = PARTNERS.length * 2 * months.length;
  const codes = Array.from({ length: Math.ceil(rows / perCode) }, (_, i) => String(250000 + i * 97));
  let written = 0;
  outer: for (const code of codes) {
    const name = NAMES[Number(code) % NAMES.length] ?? '';
    for (const [pc, pn, pi] of PARTNERS) {
      for (const flow of ['X', 'M']) {
        for (const p of months) {
          if (written >= rows) break outer;
          const kg = Math.round(rand() * 5e7);
          const usd = Math.round(kg * (0.02 + rand() * 0.08));
          chunk.push(
            `H4,${p.slice(0, 4)},${p},${p},6,1,0,${flow},156,China,CHN,0,World,W00,${pc},${quote(pn)},${pi},C00,All CPCs,0,All MOTs,${code},${quote(name)},8,kg,${kg},-1,N/A,,${kg},,${usd},${flow === 'M' ? usd : ''},${flow === 'X' ? usd : ''},0`,
          );
          written++;
          if (chunk.length >= 20000) {
            writeSync(fd, `${chunk.join('\n')}\n`);
            chunk.length = 0;
          }
        }
      }
    }
  }
  if (chunk.length) writeSync(fd, `${chunk.join('\n')}\n`);
  closeSync(fd);
  if (written < rows) throw new Error(`generator produced ${written} rows, fewer than ${rows}`);
}

interface Result {
  series: number;
  yoyCount: number;
  yoySum: number;
}

/** Value by commodity, then month, then flow (0 import, 1 export): no string keys per row. */
type Totals = Map<string, Map<string, [number | undefined, number | undefined]>>;

/** YoY for every (commodity, flow, month) of the aggregation. */
function yoyOf(totals: Totals): Result {
  let series = 0;
  let yoyCount = 0;
  let yoySum = 0;
  for (const months of totals.values()) {
    for (const [month, flows] of months) {
      const base = months.get(addMonths(month, -12));
      for (let f = 0; f < 2; f++) {
        const value = flows[f];
        if (value === undefined) continue;
        series++;
        const b = base?.[f];
        if (b === undefined) continue;
        const pct = changePct(value, b);
        if (pct === undefined) continue;
        yoyCount++;
        yoySum += pct;
      }
    }
  }
  return { series, yoyCount, yoySum };
}

function runEmbargo(path: string): Result & { observations: number; errors: number } {
  const totals: Totals = new Map();
  let observations = 0;
  let errors = 0;
  streamTradeFile(path, {
    item(o: Observation) {
      observations++;
      if (o.measure !== 'value') return;
      let months = totals.get(o.commodity);
      if (!months) {
        months = new Map();
        totals.set(o.commodity, months);
      }
      let flows = months.get(o.period.start);
      if (!flows) {
        flows = [undefined, undefined];
        months.set(o.period.start, flows);
      }
      const f = o.flow === 'import' ? 0 : 1;
      flows[f] = (flows[f] ?? 0) + o.value;
    },
    error() {
      errors++;
    },
    skip() {},
    fatal(reason) {
      throw new Error(reason);
    },
  });
  return { ...yoyOf(totals), observations, errors };
}

async function runDuckDb(path: string): Promise<Result> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const reader = await conn.runAndReadAll(`
    with t as (
      select "Commodity Code"::varchar as cmd, "Trade Flow" as flow, "Period"::integer as p,
             sum("Trade Value (US$)"::double) as v
      from read_csv('${path.replaceAll("'", "''")}', header = true, all_varchar = true)
      where "Trade Flow" in ('X', 'M')
      group by all
    )
    select count(*) as series, count(b.v) filter (where b.v <> 0) as yoy_count,
           sum(100 * (a.v - b.v) / abs(b.v)) filter (where b.v <> 0) as yoy_sum
    from t a left join t b
      on a.cmd = b.cmd and a.flow = b.flow
     and b.p = case when a.p % 100 = 0 then a.p else a.p - 100 end`);
  const row = reader.getRowObjects()[0] ?? {};
  instance.closeSync();
  return { series: Number(row.series), yoyCount: Number(row.yoy_count), yoySum: Number(row.yoy_sum) };
}

function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const r = fn();
  return [r, performance.now() - t];
}

/** CPU time of the whole process (all threads, so DuckDB's workers count too), in ms. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

const dir = mkdtempSync(join(tmpdir(), 'embargo-trade-bench-'));
const file = join(dir, 'comtrade-1m.csv');
try {
  const [, genMs] = time(() => generate(file, ROWS));
  const size = statSync(file).size;
  // one warm-up of each on a small prefix would change little at this size; both run cold, twice
  const runs: { embargo: number; duckdb: number; embargoCpu: number; duckdbCpu: number }[] = [];
  let mine: ReturnType<typeof runEmbargo> | undefined;
  let duck: Result | undefined;
  for (let i = 0; i < 2; i++) {
    const c0 = process.cpuUsage();
    const [m, ms] = time(() => runEmbargo(file));
    const embargoCpu = cpuMs(c0);
    const t = performance.now();
    const c1 = process.cpuUsage();
    const d = await runDuckDb(file);
    runs.push({ embargo: ms, duckdb: performance.now() - t, embargoCpu, duckdbCpu: cpuMs(c1) });
    mine = m;
    duck = d;
  }
  if (!mine || !duck) throw new Error('no runs');
  const same =
    mine.series === duck.series &&
    mine.yoyCount === duck.yoyCount &&
    Math.abs(mine.yoySum - duck.yoySum) <= 1e-6 * Math.abs(duck.yoySum);
  const best = (k: 'embargo' | 'duckdb') => Math.min(...runs.map((r) => r[k]));
  const ratio = best('embargo') / best('duckdb');
  const rss = process.memoryUsage().rss;
  const load = (await import('node:os')).loadavg()[0] ?? 0;
  console.log('## Trade monitor: 1M Comtrade rows, import + year-on-year for every commodity\n');
  console.log(
    `${ROWS.toLocaleString('en-US')} rows (${(size / 2 ** 20).toFixed(0)} MiB legacy Comtrade CSV, generated in ${(genMs / 1000).toFixed(1)} s); ${mine.observations.toLocaleString('en-US')} observations, ${mine.errors} row errors; ${mine.series.toLocaleString('en-US')} commodity×flow×month series points, ${mine.yoyCount.toLocaleString('en-US')} year-on-year changes.\n`,
  );
  console.log(
    '| run | embargo importer + core yoy (wall / CPU) | DuckDB read_csv + SQL (wall / CPU) | ratio (wall) | ratio (CPU) |',
  );
  console.log('|---|---|---|---|---|');
  runs.forEach((r, i) => {
    console.log(
      `| ${i + 1} | ${(r.embargo / 1000).toFixed(2)} s / ${(r.embargoCpu / 1000).toFixed(2)} s | ${(r.duckdb / 1000).toFixed(2)} s / ${(r.duckdbCpu / 1000).toFixed(2)} s | ${(r.embargo / r.duckdb).toFixed(2)}× | ${(r.embargoCpu / r.duckdbCpu).toFixed(2)}× |`,
    );
  });
  console.log(
    `\nBest of runs: embargo ${(best('embargo') / 1000).toFixed(2)} s, DuckDB ${(best('duckdb') / 1000).toFixed(2)} s, **${ratio.toFixed(2)}×** (target ≤ 3×: ${ratio <= 3 ? 'met' : 'NOT met'}). Same answer from both: ${same ? 'yes' : `NO (embargo ${JSON.stringify(mine)}, DuckDB ${JSON.stringify(duck)})`}. RSS at the end ${(rss / 2 ** 20).toFixed(0)} MiB; 1-minute load average ${load.toFixed(1)} on this machine during the run (other work shares the cores: wall times move with it, CPU times much less).`,
  );
  if (!same) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
