/**
 * `npm run bench -- cap-ledger`: what the journaled cap ledger costs. A journal of 200,000
 * cap-drawing declarations (refined petroleum to the DPRK under China's No. 52 and No. 4, and
 * livelihood coal under the UN 2321 cap) is written, read back and replayed; the peer, in the same
 * run, is the same declarations screened once in memory by `screenBatch` with one `CapLedger`
 * (what a process that never persisted anything would pay). The journal's format 2 (append-only
 * JSON lines, docs/decisions.md R22) is measured beside format 1 (one JSON document rewritten on
 * every append, R12): a further small batch appended to the 200,000-entry journal, and the peak
 * memory of reading it, each read in a fresh child process. Also the regime timeline and diff.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { compileRegime } from '../core/regime/compile.js';
import { diffRegime } from '../core/regime/diff.js';
import { addDays, buildTimeline } from '../core/regime/timeline.js';
import { CapLedger } from '../core/screening/cap-ledger.js';
import type { Declaration } from '../core/screening/declaration.js';
import { screenBatch } from '../core/screening/screen.js';
import {
  appendBatch,
  capStatus,
  LEDGER_FORMAT_V1,
  type LedgerJournal,
  mergeEntries,
  type NewLedgerEntry,
  readLedger,
  replayLedger,
} from './cap-ledger-file.js';
import { loadRegime } from './regime-loader.js';

const N = 200_000;
const regime = loadRegime();
const compiled = compileRegime(regime);

function declaration(i: number): { jurisdiction: 'CN' | 'UN'; declaration: Declaration } {
  const coal = i % 4 === 0;
  const date = addDays(coal ? '2017-01-01' : '2017-10-01', (i * 7919) % (coal ? 45 : 120));
  return coal
    ? {
        jurisdiction: 'UN',
        declaration: {
          id: `C${i}`,
          date,
          direction: 'import',
          hsCode: '2701120000',
          origin: 'KP',
          from: 'KP',
          purpose: 'livelihood',
          quantity: 20 + (i % 50),
          unit: 't',
          value: 9_000 + (i % 50) * 200,
          currency: 'USD',
          consignee: `Importer ${i % 97}`,
          documents: [],
          approvals: [],
          flags: [],
        },
      }
    : {
        jurisdiction: 'CN',
        declaration: {
          id: `P${i}`,
          date,
          direction: 'export',
          hsCode: '2710192300',
          to: 'KP',
          purpose: 'livelihood',
          quantity: 0.4 + (i % 7) * 0.1,
          unit: 't',
          value: 100 + (i % 7) * 25,
          currency: 'USD',
          consignee: `Importer ${i % 89}`,
          documents: [],
          approvals: [],
          flags: [],
        },
      };
}

const rss = () => process.memoryUsage().rss / 2 ** 20;
const time = <T>(fn: () => T): [T, number] => {
  const t = performance.now();
  const out = fn();
  return [out, (performance.now() - t) / 1000];
};

/** Format 1's append, as R12 shipped it: read the document, merge, rewrite it whole, rename. */
function appendV1(path: string, added: readonly NewLedgerEntry[]): LedgerJournal {
  const journal = mergeEntries(readLedger(path), added);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ format: LEDGER_FORMAT_V1, entries: journal.entries }, null, 1)}\n`);
  renameSync(tmp, path);
  return journal;
}

/** Reads a ledger in a fresh process: seconds and the child's peak RSS in MiB. */
function readInChild(path: string): { seconds: number; maxRssMiB: number; entries: number } {
  const child = new URL('./cap-ledger-read.bench-child.ts', import.meta.url).pathname;
  const run = new URL('../../bin/run-ts.js', import.meta.url).pathname;
  const r = spawnSync(process.execPath, [run, child, path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child read failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { seconds: number; maxRssMiB: number; entries: number };
}

const items = Array.from({ length: N }, (_, i) => declaration(i));
// the further batch: new ids, dated after every other entry, so the first N replay as before
const more = Array.from({ length: 100 }, (_, i) => {
  const x = declaration(N + i);
  return { ...x, declaration: { ...x.declaration, id: `X${i}`, date: '2018-03-01' } };
});
const dir = mkdtempSync(join(tmpdir(), 'embargo-ledger-bench-'));
const path = join(dir, 'cap-ledger.json');
const pathV1 = join(dir, 'cap-ledger-v1.json');
try {
  // peer: screen once in memory, per jurisdiction, date-sorted, one ledger each
  const [peer, peerS] = time(() =>
    (['UN', 'CN'] as const).map((j) =>
      screenBatch(
        compiled,
        // the journal breaks same-day ties by id; give the peer the same order
        items
          .filter((x) => x.jurisdiction === j)
          .map((x) => x.declaration)
          .sort((a, b) => (a.date === b.date ? (a.id < b.id ? -1 : 1) : a.date < b.date ? -1 : 1)),
        { jurisdiction: j, ledger: new CapLedger(compiled.units) },
      ),
    ),
  );
  const peerCleared = peer.flat().filter((d) => d.decision === 'CLEAR').length;

  const all = items.map((x) => ({ kind: 'declaration', ...x }) satisfies NewLedgerEntry);
  const batch = more.map((x) => ({ kind: 'declaration', ...x }) satisfies NewLedgerEntry);
  const t0 = performance.now();
  await appendBatch(path, all);
  const writeS = (performance.now() - t0) / 1000;
  const sizeMiB = statSync(path).size / 2 ** 20;
  const [, writeV1S] = time(() => appendV1(pathV1, all));
  const sizeV1MiB = statSync(pathV1).size / 2 ** 20;
  const readV2 = readInChild(path);
  const readV1 = readInChild(pathV1);
  if (readV2.entries !== N || readV1.entries !== N)
    throw new Error('a child read the wrong number of entries');
  const t1 = performance.now();
  await appendBatch(path, batch);
  const addS = (performance.now() - t1) / 1000;
  const [, addV1S] = time(() => appendV1(pathV1, batch));
  const [journal, readS] = time(() => readLedger(path));
  if (journal.entries.length !== N + more.length) throw new Error('the appended batch is missing');
  const [journalV1] = time(() => readLedger(pathV1));
  if (!isDeepStrictEqual(journalV1.entries, journal.entries))
    throw new Error('format 1 and format 2 hold different journals');
  const [replay, replayS] = time(() => replayLedger(compiled, journal.entries));
  const cleared = [...replay.decisions.values()].filter(
    (d) => d.decision === 'CLEAR' && !d.id.startsWith('X'),
  ).length;
  if (cleared !== peerCleared)
    throw new Error(`replay cleared ${cleared}, in-memory screening ${peerCleared}`);
  const [, statusS] = time(() => capStatus(compiled, replay, 'CN'));

  const [, timelineS] = time(() => {
    for (let k = 0; k < 100; k++) buildTimeline(regime, { jurisdiction: k % 2 ? 'UN' : 'CN' });
  });
  const [, diffS] = time(() => {
    for (let k = 0; k < 100; k++)
      diffRegime(regime, addDays('2016-01-01', k * 9), addDays('2016-06-01', k * 9));
  });

  const f = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`## Cap ledger journal and regime timeline (\`npm run bench -- cap-ledger\`)

${f(N)} cap-drawing declarations (¾ refined petroleum under CN No. 52/No. 4, ¼ livelihood coal under UN 2321), ${f(cleared)} cleared before the caps stopped them; then a batch of ${more.length} more (dated after them, so the replay of the first ${f(N)} is unchanged). Format 2 is the append-only JSON-lines journal (R22), format 1 the whole-document journal it replaces (R12), measured side by side.

| step | format 2 | format 1 (peer) |
|---|---|---|
| peer: \`screenBatch\` in memory, one \`CapLedger\` per jurisdiction | ${peerS.toFixed(2)} s (${f(N / peerS)} decl/s) | |
| write the ${f(N)} entries as one batch (under the lock) | ${writeS.toFixed(2)} s (${sizeMiB.toFixed(0)} MiB) | ${writeV1S.toFixed(2)} s (${sizeV1MiB.toFixed(0)} MiB) |
| append ${more.length} more to the ${f(N)}-entry journal, under the lock (format 2: seal check, write, fsync; format 1: read, merge, rewrite, rename) | **${(addS * 1000).toFixed(1)} ms** | ${addV1S.toFixed(2)} s |
| read and validate, in a fresh process | ${readV2.seconds.toFixed(2)} s, peak RSS **${readV2.maxRssMiB.toFixed(0)} MiB** | ${readV1.seconds.toFixed(2)} s, peak RSS ${readV1.maxRssMiB.toFixed(0)} MiB |
| read and validate, in this process | ${readS.toFixed(2)} s (${f(journal.entries.length / readS)} entries/s) | |
| replay in date order (screen + consumption records) | ${replayS.toFixed(2)} s (${f(journal.entries.length / replayS)} decl/s, ${(replayS / peerS).toFixed(2)}× the peer's time) | |
| cap status from the replay | ${(statusS * 1000).toFixed(1)} ms | |
| \`buildTimeline\` (all measures, one jurisdiction) | ${((timelineS / 100) * 1000).toFixed(2)} ms each | |
| \`diffRegime\` (two dates, both jurisdictions) | ${((diffS / 100) * 1000).toFixed(2)} ms each | |

CPU time of this process ${((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(1)} s over ${(performance.now() / 1000).toFixed(1)} s of wall time (load average ${loadavg()[0]!.toFixed(1)} at the end: other work shared the cores). Peak RSS of this process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (it holds the peer's batch, both journals and the replay); RSS at the end ${rss().toFixed(0)} MiB.`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
