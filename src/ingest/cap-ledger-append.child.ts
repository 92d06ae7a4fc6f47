/**
 * Child process of the cap-ledger kill test (cap-ledger-file.test.ts): appends one batch of
 * `argv[3]` small declarations to the ledger at `argv[2]` and prints `done` when it is committed.
 */
import { appendBatch, type NewLedgerEntry } from './cap-ledger-file.js';

const [path, count] = [process.argv[2], Number(process.argv[3])];
if (!path || !(count > 0)) throw new Error('usage: cap-ledger-append.child.ts <ledger> <count>');
const entries: NewLedgerEntry[] = Array.from({ length: count }, (_, i) => ({
  kind: 'declaration',
  jurisdiction: 'CN',
  declaration: {
    id: `K${i}`,
    date: '2017-10-02',
    direction: 'export',
    hsCode: '2710192300',
    to: 'KP',
    documents: [],
    approvals: [],
    flags: [],
  },
}));
await appendBatch(path, entries);
console.log('done');
