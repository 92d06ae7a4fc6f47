/**
 * `npm run bench -- cap-ledger`: what the journaled cap ledger costs. A journal of 200,000
 * cap-drawing declarations (refined petroleum to the DPRK under China's No. 52 and No. 4, and
 * livelihood coal under the UN 2321 cap) is written, read back and replayed; the peer, in the same
 * run, is the same declarations screened once in memory by `screenBatch` with one `CapLedger`
 * (what a process that never persisted anything would pay). Also the regime timeline and diff.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileRegime } from '../core/regime/compile.js';
import { diffRegime } from '../core/regime/diff.js';
import { addDays, buildTimeline } from '../core/regime/timeline.js';
import { CapLedger } from '../core/screening/cap-ledger.js';
import type { Declaration } from '../core/screening/declaration.js';
import { screenBatch } from '../core/screening/screen.js';
import { appendLedger, capStatus, type NewLedgerEntry, readLedger, replayLedger } from './cap-ledger-file.js';
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

const items = Array.from({ length: N }, (_, i) => declaration(i));
const dir = mkdtempSync(join(tmpdir(), 'embargo-ledger-bench-'));
const path = join(dir, 'cap-ledger.json');
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

  const t0 = performance.now();
  await appendLedger(
    path,
    items.map((x) => ({ kind: 'declaration', ...x }) satisfies NewLedgerEntry),
  );
  const writeS = (performance.now() - t0) / 1000;
  const [journal, readS] = time(() => readLedger(path));
  const [replay, replayS] = time(() => replayLedger(compiled, journal.entries));
  const cleared = [...replay.decisions.values()].filter((d) => d.decision === 'CLEAR').length;
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

${f(N)} cap-drawing declarations (¾ refined petroleum under CN No. 52/No. 4, ¼ livelihood coal under UN 2321), ${f(cleared)} cleared before the caps stopped them.

| step | time | rate |
|---|---|---|
| peer: \`screenBatch\` in memory, one \`CapLedger\` per jurisdiction | ${peerS.toFixed(2)} s | ${f(N / peerS)} decl/s |
| append to the journal (lock, JSON, atomic rename; ${(statSync(path).size / 2 ** 20).toFixed(0)} MiB) | ${writeS.toFixed(2)} s | ${f(N / writeS)} entries/s |
| read and validate the journal | ${readS.toFixed(2)} s | ${f(N / readS)} entries/s |
| replay in date order (screen + consumption records) | ${replayS.toFixed(2)} s | ${f(N / replayS)} decl/s (${(replayS / peerS).toFixed(2)}× the peer's time) |
| cap status from the replay | ${(statusS * 1000).toFixed(1)} ms | |
| \`buildTimeline\` (all measures, one jurisdiction) | ${((timelineS / 100) * 1000).toFixed(2)} ms each | |
| \`diffRegime\` (two dates, both jurisdictions) | ${((diffS / 100) * 1000).toFixed(2)} ms each | |

Peak RSS ${rss().toFixed(0)} MiB.`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
