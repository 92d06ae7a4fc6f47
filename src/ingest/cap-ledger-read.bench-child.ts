/**
 * Child process of cap-ledger-file.bench.ts: reads the ledger at argv[2] in a fresh process and
 * prints the seconds it took, the process's peak RSS and the number of entries, as one JSON line.
 */
import { readLedger } from './cap-ledger-file.js';

const path = process.argv[2];
if (!path) throw new Error('usage: cap-ledger-read.bench-child.ts <ledger>');
const t = performance.now();
const journal = readLedger(path);
const seconds = (performance.now() - t) / 1000;
console.log(
  JSON.stringify({
    seconds,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    entries: journal.entries.length,
  }),
);
