/**
 * Store benchmark (issue 5), printed as a Markdown section for docs/benchmarks.md ("Store").
 * Run: `npm run bench -- store` (BENCH_STORE_ROWS to change the size, default 60,000).
 *
 * The same generated CSV goes through the same pipeline as `embargo screen --format jsonl`
 * (streaming reader → screenDeclaration → JSON line), in this one process:
 *   1. without the store (the peer);
 *   2. with `--store` on SQLite (a temp file, WAL);
 *   3. with `--store` on PostgreSQL (a fresh database on 127.0.0.1:5432).
 * Each row is a declaration and its decision (listed in its chunk's `decisions.recorded` audit
 * entry, docs/decisions.md ST11; its outcome stored once per distinct outcome, ST12), and a case for
 * every HOLD; one in six cites an approval that is checked against the store. Target: storing costs less than half the
 * throughput (stored rows/s ≥ 50 % of the peer).
 *
 * Each pipeline runs BENCH_STORE_RUNS times (default 3; a fresh SQLite file or PostgreSQL database
 * each time) and the median run is reported, with the CPU time of this process (all its threads:
 * with the store, writing runs on a second thread, docs/decisions.md ST8; the PostgreSQL server's
 * own CPU is not included) and the 1-minute load average before and after.
 */
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { freshDatabase } from '../../test/databases.js';
import { compileRegime } from '../core/regime/compile.js';
import type { Decision } from '../core/screening/decision.js';
import type { Declaration } from '../core/screening/declaration.js';
import { decisionToJsonLine, screenDeclaration } from '../core/screening/screen.js';
import { readDeclarations } from '../ingest/declarations/declaration-reader.js';
import { loadRegime } from '../ingest/regime-loader.js';
import { openScreeningRecorder } from '../services/screen-file-service.js';
import { PIPELINE_CHUNK_ROWS } from '../services/screening-service.js';
import { declarationsCsv } from '../services/services.fixtures.js';
import { openStore } from './open-store.js';

const ROWS = Number(process.env.BENCH_STORE_ROWS ?? 60_000);
const RUNS = Math.max(1, Number(process.env.BENCH_STORE_RUNS ?? 3));
/** `BENCH_STORE_DATABASES=sqlite` (or `postgres`) runs only that store's pipeline beside the peer */
const DATABASES = (process.env.BENCH_STORE_DATABASES ?? 'sqlite,postgres').split(',');
const loadBefore = loadavg()[0]!;
const dir = mkdtempSync(join(tmpdir(), 'embargo-store-bench-'));
const file = join(dir, 'declarations.csv');
writeFileSync(file, declarationsCsv(ROWS, 'B'));
const compiled = compileRegime(loadRegime());
const screen = (d: Declaration): Decision => screenDeclaration(compiled, d, { jurisdiction: 'CN' });

/**
 * CPU seconds (user + system) of each thread of this process, by thread id, from /proc (Linux; an
 * empty map elsewhere). The main thread's id is the process id; a thread that appears during a
 * bench started is the store writer's; the rest are V8's GC helpers and libuv's pool.
 */
function threadCpu(): Map<number, number> {
  const out = new Map<number, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / 100);
      } catch {
        // the thread ended between the listing and the read
      }
    }
  } catch {
    // not Linux
  }
  return out;
}

/** CPU µs per row by role between two threadCpu() samples. */
/** threads that existed before any store was opened: the main thread, V8's GC helpers, libuv's pool */
const baseThreads = new Set(threadCpu().keys());

function threadSplit(before: Map<number, number>, after: Map<number, number>, rows: number) {
  const split = { screening: 0, writer: 0, other: 0 };
  for (const [tid, cpu] of after) {
    const used = cpu - (before.get(tid) ?? 0);
    if (tid === process.pid) split.screening += used;
    else if (!baseThreads.has(tid)) split.writer += used;
    else split.other += used;
  }
  return {
    screening: (split.screening / rows) * 1e6,
    writer: (split.writer / rows) * 1e6,
    other: (split.other / rows) * 1e6,
  };
}

interface Result {
  threads?: ReturnType<typeof threadSplit>;
  name: string;
  seconds: number;
  /** CPU seconds of this process (user + system, every thread) */
  cpu: number;
  rows: number;
  rss: number;
  /** seconds the database itself took to store the same rows (see databaseFloor), once per run */
  floor?: number;
  /** the same in the leaner layout of docs/decisions.md ST20 */
  leanFloor?: number;
}

/** the tables a screening batch writes rows to */
const WRITTEN_TABLES = [
  'declarations',
  'decisions',
  'decision_outcomes',
  'party_hits',
  'cases',
  'case_events',
  'audit_log',
  'approval_uses',
  'batches',
];

/**
 * The database's own cost of storing what a pipeline stored: the same rows copied table to table
 * inside the engine, into empty tables with the same schema and indexes, in one transaction, made
 * durable the same way (SQLite: closed, so checkpointed; PostgreSQL: committed). No embargo code, no
 * parameters to bind, no round trips and one commit: a lower bound on the time any writer of this
 * schema needs, so `rows / floor` bounds the share of the peer any design of the writer could reach.
 *
 * `lean` measures the same for the leaner layout docs/decisions.md ST20 describes: a chunk's
 * declaration bodies as one row, and one narrow row per decision (binary hashes, keyed by
 * declaration, version and context) in place of a declaration row and a decision row.
 */
async function databaseFloor(target: string, layout: 'current' | 'lean'): Promise<number> {
  const others = WRITTEN_TABLES.filter(
    (t) => layout === 'current' || (t !== 'declarations' && t !== 'decisions'),
  );
  if (target.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    try {
      await client.query(`create schema floor_${layout}`);
      for (const t of others)
        await client.query(`create table floor_${layout}.${t} (like public.${t} including all)`);
      if (layout === 'lean') {
        await client.query('create table floor_lean.chunks (id bigint primary key, bodies text not null)');
        await client.query(`create table floor_lean.decided (declaration_id text not null, version integer not null,
          context_hash bytea not null, content_hash bytea not null, decision text not null, outcome_id integer not null,
          as_of text not null, chunk bigint not null, pos integer not null, primary key (declaration_id, version, context_hash))`);
      }
      const started = process.hrtime.bigint();
      await client.query('begin');
      for (const t of others)
        await client.query(`insert into floor_${layout}.${t} select * from public.${t}`);
      if (layout === 'lean') {
        await client.query(`insert into floor_lean.chunks select n / ${PIPELINE_CHUNK_ROWS}, string_agg(body, E'\\n')
          from (select body, row_number() over () - 1 as n from public.declarations) s group by n / ${PIPELINE_CHUNK_ROWS}`);
        await client.query(`insert into floor_lean.decided select d.declaration_id, d.version, decode(d.context_hash, 'hex'),
          decode(c.content_hash, 'hex'), d.decision, d.outcome_id, d.as_of, d.seq / ${PIPELINE_CHUNK_ROWS}, d.seq % ${PIPELINE_CHUNK_ROWS}
          from public.decisions d join public.declarations c on c.id = d.declaration_id and c.version = d.version`);
      }
      await client.query('commit');
      return Number(process.hrtime.bigint() - started) / 1e9;
    } finally {
      await client.end();
    }
  }
  const copy = `${target}.${layout}`;
  await (await openStore(copy)).close(); // the same schema, pragmas and page size
  const db = new Database(copy);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  if (layout === 'lean') {
    db.exec(`create table lean_chunks (id integer primary key, bodies text not null);
      create table lean_decided (declaration_id text not null, version integer not null, context_hash blob not null,
        content_hash blob not null, decision text not null, outcome_id integer not null, as_of text not null,
        chunk integer not null, pos integer not null, primary key (declaration_id, version, context_hash)) without rowid`);
  }
  db.prepare('attach database ? as source').run(target);
  const started = process.hrtime.bigint();
  db.exec('begin immediate');
  for (const t of others) db.exec(`insert into main.${t} select * from source.${t}`);
  if (layout === 'lean') {
    db.exec(`insert into lean_chunks select rowid / ${PIPELINE_CHUNK_ROWS}, group_concat(body, char(10))
        from source.declarations group by rowid / ${PIPELINE_CHUNK_ROWS};
      insert into lean_decided select d.declaration_id, d.version, unhex(d.context_hash), unhex(c.content_hash), d.decision,
        d.outcome_id, d.as_of, c.rowid / ${PIPELINE_CHUNK_ROWS}, c.rowid % ${PIPELINE_CHUNK_ROWS}
        from source.decisions d join source.declarations c on c.id = d.declaration_id and c.version = d.version`);
  }
  db.exec('commit');
  db.exec('detach database source');
  db.close();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${copy}${suffix}`, { force: true });
  return seconds;
}

async function pipeline(name: string, target?: string): Promise<Result> {
  const recorder = target
    ? await openScreeningRecorder({ db: target, dataDir: () => dir, file, context: { bench: name } })
    : undefined;
  global.gc?.();
  let rows = 0;
  let bytes = 0;
  let peak = process.memoryUsage().rss;
  const cpuStart = process.cpuUsage();
  const threadsStart = threadCpu();
  const started = process.hrtime.bigint();
  for await (const batch of readDeclarations(createReadStream(file, { highWaterMark: 1 << 16 }), { file })) {
    const decided = recorder
      ? await recorder.record(batch, screen)
      : batch.items.map(({ declaration }) => screen(declaration));
    let text = '';
    for (const d of decided) text += `${decisionToJsonLine(d)}\n`;
    bytes += text.length;
    rows += decided.length;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  let threads: Result['threads'];
  if (recorder) {
    const summary = await recorder.finish();
    threads = threadSplit(threadsStart, threadCpu(), ROWS);
    await recorder.close();
    if (summary.stored !== ROWS) throw new Error(`${name}: stored ${summary.stored} of ${ROWS}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpuStart);
  if (rows !== ROWS || bytes === 0) throw new Error(`${name}: screened ${rows} of ${ROWS}`);
  threads ??= threadSplit(threadsStart, threadCpu(), ROWS);
  const floor = target ? await databaseFloor(target, 'current') : undefined;
  const leanFloor = target ? await databaseFloor(target, 'lean') : undefined;
  return { name, seconds, cpu: (used.user + used.system) / 1e6, rows, rss: peak, threads, floor, leanFloor };
}

/** Runs a pipeline RUNS times and keeps the median run (by wall time). */
async function median(name: string, target?: () => Promise<{ target: string; cleanup(): Promise<void> }>) {
  const runs: Result[] = [];
  for (let i = 0; i < RUNS; i++) {
    const db = target ? await target() : undefined;
    try {
      runs.push(await pipeline(name, db?.target));
    } finally {
      await db?.cleanup();
    }
  }
  runs.sort((a, b) => a.seconds - b.seconds);
  return { ...runs[Math.floor((runs.length - 1) / 2)]!, spread: runs.map((r) => r.seconds) };
}

const results: (Result & { spread: number[] })[] = [];
let sqliteFiles = 0;
try {
  // warm-up: JIT the reader and the engine on the peer path before measuring anything
  await pipeline('warm-up');
  results.push(await median('screening without the store (peer)'));
  if (DATABASES.includes('sqlite'))
    results.push(
      await median('screening into SQLite', async () => {
        const path = join(dir, `bench-${sqliteFiles++}.db`);
        return {
          target: path,
          cleanup: async () => {
            for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
          },
        };
      }),
    );
  if (DATABASES.includes('postgres'))
    results.push(await median('screening into PostgreSQL', () => freshDatabase('postgres')));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const loadAfter = loadavg()[0]!;

const peer = results[0]!;
const rate = (r: Result) => r.rows / r.seconds;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`## Store

\`npm run bench -- store\` — ${ROWS.toLocaleString('en-US')} generated declarations (CSV → decisions as JSON lines), one process, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; median of ${RUNS} run(s) each; 1-minute load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after.

| pipeline | rows/s | seconds (runs) | share of peer | CPU µs per row (all threads) | peak RSS |
|---|---:|---:|---:|---:|---:|
${results
  .map(
    (r) =>
      `| ${r.name} | ${fmt(rate(r))} | ${r.seconds.toFixed(2)} (${r.spread.map((x) => x.toFixed(2)).join(', ')}) | ${((rate(r) / rate(peer)) * 100).toFixed(0)} % | ${((r.cpu / r.rows) * 1e6).toFixed(1)} | ${fmt(r.rss / 2 ** 20)} MB |`,
  )
  .join('\n')}

Target: storing costs less than half the throughput (share of peer ≥ 50 %). CPU excludes the PostgreSQL server's processes.

The database floor (median run): the same rows copied table to table inside the engine into empty tables with the same schema and indexes, one transaction, made durable; no embargo code and no client. No writer of this schema can store faster, so its share of the peer bounds what any design of ours could reach.

| database | floor seconds | floor rows/s | floor share of peer | our share of the floor | leaner layout (ST20): floor rows/s, share of peer |
|---|---:|---:|---:|---:|---:|
${results
  .filter((r) => r.floor !== undefined)
  .map(
    (r) =>
      `| ${r.name.replace('screening into ', '')} | ${r.floor!.toFixed(2)} | ${fmt(r.rows / r.floor!)} | ${((r.rows / r.floor! / rate(peer)) * 100).toFixed(0)} % | ${((r.floor! / r.seconds) * 100).toFixed(0)} % | ${fmt(r.rows / r.leanFloor!)}, ${((r.rows / r.leanFloor! / rate(peer)) * 100).toFixed(0)} % |`,
  )
  .join('\n')}

CPU µs per row by thread (median run; /proc/self/task, 10 ms ticks): ${results
  .map(
    (r) =>
      `${r.name}: screening ${r.threads?.screening.toFixed(1)}, writer ${r.threads?.writer.toFixed(1)}, GC helpers and others ${r.threads?.other.toFixed(1)}`,
  )
  .join('; ')}.`);
