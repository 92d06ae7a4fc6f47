/**
 * Store import benchmark (`npm run bench -- trade-import`, also run by `-- trade`): what
 * `embargo trade import <file>` does with the trade benchmark's 1,000,000-row Comtrade file
 * (TRADE_IMPORT_ROWS for another size): read it (single thread: observations must reach the
 * store's writer on the main thread) and write its 2,000,000 observations into a fresh SQLite main
 * store, in batches of 10,000 observations per write transaction, each checked against what is
 * already stored (idempotent re-import), then the import's log row and audit entry. Informational:
 * the issue sets no target for it. TRADE_IMPORT_STORE=postgres writes into a fresh PostgreSQL
 * database instead (EMBARGO_TEST_PG, as the tests).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase } from '../../../test/databases.js';
import { generateComtradeFile } from './comtrade-bench-file.js';
import { importTradeFile, openTradeStore } from './trade-importer.js';

const ROWS = Number(process.env.TRADE_IMPORT_ROWS ?? 1_000_000);
const KIND = process.env.TRADE_IMPORT_STORE === 'postgres' ? 'postgres' : 'sqlite';
const dir = mkdtempSync(join(tmpdir(), 'embargo-trade-import-bench-'));
const file = join(dir, 'comtrade.csv');
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
try {
  generateComtradeFile(file, ROWS);
  const size = statSync(file).size;
  const database = await freshDatabase(KIND);
  const { store } = await openTradeStore(database.target);
  try {
    const c = process.cpuUsage();
    const t = performance.now();
    const summary = await importTradeFile(store, file, {}, { actor: 'bench' });
    const wall = performance.now() - t;
    const u = process.cpuUsage(c);
    const cpu = (u.user + u.system) / 1000;
    const rss = process.memoryUsage().rss;
    console.log(
      `## Trade monitor: \`embargo trade import\` of the benchmark Comtrade file into ${KIND === 'postgres' ? 'PostgreSQL' : 'SQLite'}\n`,
    );
    console.log(
      `${ROWS.toLocaleString('en-US')} rows (${(size / 2 ** 20).toFixed(0)} MiB): ${summary.read.toLocaleString('en-US')} observations read, ${summary.added.toLocaleString('en-US')} added, ${summary.rejected} rejected, in **${s(wall)} wall / ${s(cpu)} CPU** (${((wall * 1000) / Math.max(1, summary.added)).toFixed(1)} µs wall per observation stored); ${KIND === 'sqlite' ? `database ${(statSync(database.target).size / 2 ** 20).toFixed(0)} MiB; ` : ''}RSS at the end ${(rss / 2 ** 20).toFixed(0)} MiB; 1-minute load average ${(loadavg()[0] ?? 0).toFixed(1)}.`,
    );
    if (summary.added !== summary.read || summary.rejected !== 0) process.exitCode = 1;
  } finally {
    await store.close();
    await database.cleanup();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
