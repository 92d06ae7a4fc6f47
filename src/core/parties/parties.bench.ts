/**
 * Party screening speed: index build time and memory for the full OFAC SDN (2024-05-03 sdn.csv,
 * all programs) plus the full UN consolidated list (2026-05-08, all regimes); query latency
 * p50 / p99 over the evaluation queries, single-threaded; fuse.js over the same names beside it.
 * Run: `npm run bench -- parties` (prints a Markdown section for docs/benchmarks.md).
 */
import Fuse from 'fuse.js';
import { sharedPath } from '../../../test/shared-data.js';
import { loadListFile } from '../../ingest/lists/list-loader.js';
import { FUSE_OPTIONS, type FuseName, loadEvalCases } from '../../ingest/lists/name-eval-run.js';
import { percentile } from './eval/name-eval.js';
import { buildPartyIndex, type PartyIndex } from './party-index.js';

const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const fmt = (x: number, digits = 3) => x.toFixed(digits);

const parseStart = process.hrtime.bigint();
const un = loadListFile(sharedPath('data', 'lists', 'un', 'consolidated_2026-05-08.xml'), { all: true }).list;
const ofac = loadListFile(sharedPath('data', 'lists', 'ofac', 'sdn_2024-05-03', 'sdn.csv'), {
  all: true,
  published: '2024-05-03',
}).list;
const parseMs = ms(parseStart);
const lists = [un, ofac];
const names: FuseName[] = lists.flatMap((l) =>
  l.entities.flatMap((e) => e.names.map((n) => ({ key: `${l.version.id}:${e.reference}`, name: n.name }))),
);

// Build: first build (cold JIT) and the median of five more.
const before = heap();
let start = process.hrtime.bigint();
let index: PartyIndex = buildPartyIndex(lists);
const coldBuildMs = ms(start);
const indexBytes = heap() - before;
const builds: number[] = [];
for (let i = 0; i < 5; i++) {
  start = process.hrtime.bigint();
  index = buildPartyIndex(lists);
  builds.push(ms(start));
}

const queries = loadEvalCases().map((c) => c.query);
// Warm up once, then time every query on its own.
for (const q of queries) index.search(q);
const latencies: number[] = [];
let hits = 0;
for (const q of queries) {
  start = process.hrtime.bigint();
  hits += index.search(q).length;
  latencies.push(ms(start));
}

// fuse.js over the same names; every 10th query (fuse scans every name per query).
start = process.hrtime.bigint();
const fuse = new Fuse(names, FUSE_OPTIONS);
const fuseBuildMs = ms(start);
const fuseQueries = queries.filter((_, i) => i % 10 === 0);
for (const q of fuseQueries.slice(0, 10)) fuse.search(q, { limit: 10 });
const fuseLatencies: number[] = [];
for (const q of fuseQueries) {
  start = process.hrtime.bigint();
  fuse.search(q, { limit: 10 });
  fuseLatencies.push(ms(start));
}

const p50 = percentile(latencies, 50);
const p99 = percentile(latencies, 99);
const fuseP50 = percentile(fuseLatencies, 50);
const fuseP99 = percentile(fuseLatencies, 99);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const size = index.size;
const lines = [
  '## Party screening',
  '',
  `Lists: full UN consolidated list 2026-05-08 (${un.entities.length} entries) + full OFAC SDN 2024-05-03 sdn.csv (${ofac.entities.length} entries), all programs: ${size.entities} entries, ${size.names} names, ${size.keys} index keys. Parsing both files: ${fmt(parseMs, 0)} ms (not part of the build).`,
  `Queries: the ${queries.length} evaluation queries (src/core/parties/eval/name-eval-cases.csv), single-threaded, after one warm-up pass; ${hits} hits returned.`,
  '',
  '| measure | embargo | fuse.js 7.5.0 | target |',
  '|---|---|---|---|',
  `| index build, first (ms) | ${fmt(coldBuildMs, 0)} | ${fmt(fuseBuildMs, 0)} | < 2000 |`,
  `| index build, median of 5 more (ms) | ${fmt(percentile(builds, 50), 0)} | | < 2000 |`,
  `| index heap (MB) | ${fmt(indexBytes / 2 ** 20, 1)} | | |`,
  `| query p50 (ms) | ${fmt(p50)} | ${fmt(fuseP50)} | < 1 |`,
  `| query p99 (ms) | ${fmt(p99)} | ${fmt(fuseP99)} | < 5 |`,
  `| query mean (ms) | ${fmt(mean(latencies))} | ${fmt(mean(fuseLatencies))} | |`,
  `| queries timed | ${latencies.length} | ${fuseLatencies.length} (every 10th) | |`,
  `| speed-up at p50 | ${fmt(fuseP50 / p50, 0)}× | 1× | ≥ 10× |`,
  '',
];
console.log(lines.join('\n'));
