import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/shared-data.js';
import { compileRegime } from '../core/regime/compile.js';
import { CapLedger } from '../core/screening/cap-ledger.js';
import type { Declaration } from '../core/screening/declaration.js';
import { screenBatch } from '../core/screening/screen.js';
import {
  appendLedger,
  capReport,
  capStatus,
  type LedgerEntry,
  type LedgerJournal,
  mergeEntries,
  type NewLedgerEntry,
  parsePeriod,
  readLedger,
  replayLedger,
} from './cap-ledger-file.js';
import { loadRegime } from './regime-loader.js';

const regime = loadRegime();
const compiled = compileRegime(regime);
const dir = mkdtempSync(join(tmpdir(), 'embargo-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Refined-petroleum exports to the DPRK in late 2017 under China's No. 52 (cap 500,000 bbl / 60,000 t, stop at 95 %). */
function diesel(i: number, tonnes: number, day: number, consignee = `Importer ${i % 3}`): Declaration {
  return {
    id: `D${String(i).padStart(3, '0')}`,
    date: `2017-10-${String(day).padStart(2, '0')}`,
    direction: 'export',
    hsCode: '2710192300',
    to: 'KP',
    purpose: 'livelihood',
    quantity: tonnes,
    unit: 't',
    value: tonnes * 500,
    currency: 'USD',
    consignor: 'Dandong Fuel Co',
    consignee,
    documents: [],
    approvals: [],
    flags: [],
  };
}

// 30 declarations, 4,000 t each: the 95 % stop (57,000 t) is reached after 14 of them
const batch = Array.from({ length: 30 }, (_, i) => diesel(i, 4_000, 1 + ((i * 7) % 28)));
const entries: LedgerEntry[] = batch.map((declaration, i) => ({
  seq: i + 1,
  kind: 'declaration',
  jurisdiction: 'CN',
  declaration,
}));

describe('replaying the cap ledger journal', () => {
  it('gives the same decisions as one date-sorted batch screened in memory', () => {
    const replay = replayLedger(compiled, entries);
    const direct = screenBatch(compiled, batch, {
      jurisdiction: 'CN',
      ledger: new CapLedger(compiled.units),
    });
    expect(entries.map((e) => replay.decisions.get(e.seq)?.decision)).toEqual(direct.map((d) => d.decision));
    expect(direct.filter((d) => d.decision === 'CLEAR')).toHaveLength(14);
    expect(replay.consumption).toHaveLength(14);
  });

  it('property: any submission order replays to the same ledger, decisions and consumption', () => {
    const reference = replayLedger(compiled, entries);
    const ref = {
      snapshot: reference.ledgers.CN.snapshot(),
      decisions: entries.map((e) => reference.decisions.get(e.seq)?.decision),
      consumption: reference.consumption.map((c) => c.id),
    };
    fc.assert(
      fc.property(fc.shuffledSubarray(entries, { minLength: entries.length }), (shuffled) => {
        // resubmission order changes the sequence numbers, never the outcome
        const renumbered = shuffled.map((e, i) => ({ ...e, seq: i + 1 }));
        const replay = replayLedger(compiled, renumbered);
        const bySeqId = new Map(
          renumbered.map((e) => [e.kind === 'declaration' ? e.declaration.id : '', e.seq]),
        );
        expect(replay.ledgers.CN.snapshot()).toEqual(ref.snapshot);
        expect(
          entries.map(
            (e) =>
              replay.decisions.get(bySeqId.get(e.kind === 'declaration' ? e.declaration.id : '') ?? 0)
                ?.decision,
          ),
        ).toEqual(ref.decisions);
        expect(replay.consumption.map((c) => c.id)).toEqual(ref.consumption);
      }),
      { numRuns: 40 },
    );
  });

  it('applies an external running total after the declarations of its day', () => {
    const withTotal: LedgerEntry[] = [
      ...entries.slice(0, 5),
      {
        seq: 100,
        kind: 'set-total',
        jurisdiction: 'CN',
        measure: 'CN-MOFCOM-52-2017-3',
        cap: 'refined-aggregate',
        date: '2017-10-08',
        totals: { t: 56_000 },
      },
    ];
    const replay = replayLedger(compiled, withTotal);
    const status = capStatus(compiled, replay, 'CN', 'CN-MOFCOM-52-2017-3').find(
      (s) => s.from === '2017-10-01',
    );
    // entries after 2017-10-08 add to the Committee's figure; those on or before it are inside it
    const after = entries
      .slice(0, 5)
      .filter((e) => e.kind === 'declaration' && e.declaration.date > '2017-10-08');
    const cleared = after.filter((e) => replay.decisions.get(e.seq)?.decision === 'CLEAR').length;
    expect(status?.limits.find((l) => l.unit === 't')?.used).toBe(56_000 + cleared * 4_000);
    expect(cleared).toBeLessThan(after.length);
  });

  it('reports the notification figures: totals in cap units, as declared, and per party', () => {
    const replay = replayLedger(compiled, entries);
    const report = capReport(compiled, replay, 'CN-MOFCOM-52-2017-3', {
      from: '2017-10-01',
      to: '2017-11-01',
    });
    expect(report?.declarations).toBe(14);
    expect(report?.quantities).toEqual({ t: 56_000 });
    expect(report?.values).toEqual({ USD: 28_000_000 });
    expect(report?.totals.t).toBe(56_000);
    expect(report?.totals.bbl).toBeCloseTo(56_000 * 8.3333, 3);
    expect(
      report?.parties.filter((p) => p.role === 'consignee').reduce((n, p) => n + p.declarations, 0),
    ).toBe(14);
    expect(report?.duties[0]?.cadence).toBe('every-30-days');
    expect(report?.caps[0]).toMatchObject({ state: 'warning', warningLevelsReached: [0.75, 0.9] });
  });
});

describe('the journal file', () => {
  it('replaces a resubmitted declaration instead of counting it twice', () => {
    const once = mergeEntries({ entries: [] }, [
      { kind: 'declaration', jurisdiction: 'CN', declaration: batch[0]! },
    ]);
    const twice = mergeEntries(once, [
      { kind: 'declaration', jurisdiction: 'CN', declaration: { ...batch[0]!, quantity: 1 } },
    ]);
    expect(twice.entries).toHaveLength(1);
    expect(twice.entries[0]).toMatchObject({ seq: 2, declaration: { quantity: 1 } });
  });

  it('keeps every entry when many writers append at once (lock file, one batch per append)', async () => {
    const path = join(dir, 'concurrent.json');
    const writers = batch.map((d) =>
      appendLedger(path, [
        { kind: 'declaration', jurisdiction: 'CN', declaration: d } satisfies NewLedgerEntry,
      ]),
    );
    await Promise.all(writers);
    const journal = readLedger(path);
    expect(journal.entries.map((e) => (e.kind === 'declaration' ? e.declaration.id : '')).sort()).toEqual(
      batch.map((d) => d.id).sort(),
    );
    expect(new Set(journal.entries.map((e) => e.seq)).size).toBe(batch.length);
    const replay = replayLedger(compiled, journal.entries);
    expect(replay.ledgers.CN.snapshot()).toEqual(replayLedger(compiled, entries).ledgers.CN.snapshot());
  });

  it('reports a hand-damaged ledger with its file and the first problem', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"format":"embargo-cap-ledger/1","entries":[{"seq":1,"kind":"declaration"');
    expect(() => readLedger(path)).toThrow(expect.objectContaining({ code: 'EMB_LEDGER_INVALID' }));
    writeFileSync(
      path,
      JSON.stringify({ format: 'embargo-cap-ledger/1', entries: [{ seq: 1, kind: 'nope' }] }),
    );
    expect(() => readLedger(path)).toThrow(
      expect.objectContaining({
        code: 'EMB_LEDGER_INVALID',
        details: expect.objectContaining({ file: path }),
      }),
    );
    expect(readLedger(join(dir, 'missing.json'))).toEqual({ entries: [] });
    // a byte-order mark from a Windows editor is not damage
    const bom = join(dir, 'bom.json');
    writeFileSync(
      bom,
      `\uFEFF${JSON.stringify({ format: 'embargo-cap-ledger/1', entries: entries.slice(0, 2) })}`,
    );
    expect(readLedger(bom).entries).toHaveLength(2);
    expect(readFileSync(path, 'utf8')).toContain('nope');
  });

  it('appends batches as JSON lines with commit lines, never rewriting what is already there (R22)', async () => {
    const path = join(dir, 'lines.json');
    const add = (ds: Declaration[]) =>
      appendLedger(
        path,
        ds.map(
          (declaration) =>
            ({ kind: 'declaration', jurisdiction: 'CN', declaration }) satisfies NewLedgerEntry,
        ),
      );
    await add(batch.slice(0, 3));
    const before = readFileSync(path);
    const journal = await add([batch[3]!, { ...batch[0]!, quantity: 7 }]);
    const after = readFileSync(path);
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    const lines = after.toString('utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('{"format":"embargo-cap-ledger/2"}');
    expect(lines.filter((l) => l.startsWith('{"commit":'))).toEqual(['{"commit":3}', '{"commit":2}']);
    // the resubmitted D000 keeps its last submission, with the sequence number of its line
    const read = readLedger(path);
    expect(read).toEqual(journal);
    expect(read.entries.map((e) => [e.seq, e.kind === 'declaration' ? e.declaration.id : ''])).toEqual([
      [2, 'D001'],
      [3, 'D002'],
      [4, 'D003'],
      [5, 'D000'],
    ]);
  });

  it('ignores a batch a crash left without its commit line; the next append closes it with an abort line', async () => {
    const entry = (d: Declaration): NewLedgerEntry => ({
      kind: 'declaration',
      jurisdiction: 'CN',
      declaration: d,
    });
    let run = 0;
    for (const torn of [
      // killed mid-write: whole lines of its batch, then half a line
      `${JSON.stringify(entry(batch[2]!))}\n${JSON.stringify(entry(batch[3]!)).slice(0, 40)}`,
      // killed before the commit line: every entry line complete
      `${JSON.stringify(entry(batch[2]!))}\n`,
      // killed inside the commit line itself
      `${JSON.stringify(entry(batch[2]!))}\n{"commit":`,
    ]) {
      const path = join(dir, `crash-${run++}.json`);
      await appendLedger(path, [entry(batch[0]!), entry(batch[1]!)]);
      const committed = readLedger(path);
      writeFileSync(path, readFileSync(path, 'utf8') + torn);
      const before = readFileSync(path);
      expect(readLedger(path)).toEqual(committed);
      const next = await appendLedger(path, [entry(batch[4]!)]);
      // nothing already written was changed: the torn batch is closed, not cut
      expect(readFileSync(path).subarray(0, before.length).equals(before)).toBe(true);
      expect(readFileSync(path, 'utf8')).toContain('{"abort":true}\n');
      expect(next.entries.map((e) => [e.seq, e.kind === 'declaration' ? e.declaration.id : ''])).toEqual([
        [1, 'D000'],
        [2, 'D001'],
        [3, 'D004'],
      ]);
      expect(readLedger(path)).toEqual(next);
    }
  });

  it('keeps only committed batches when a writer is killed with SIGKILL mid-batch', async () => {
    const path = join(dir, 'killed.json');
    const first = batch
      .slice(0, 10)
      .map((declaration): NewLedgerEntry => ({ kind: 'declaration', jurisdiction: 'CN', declaration }));
    await appendLedger(path, first);
    const committed = readLedger(path);
    const child = join(REPO_ROOT, 'src/ingest/cap-ledger-append.child.ts');
    let kills = 0;
    for (let attempt = 0; attempt < 3 && kills === 0; attempt++) {
      const size0 = statSync(path).size;
      const proc = spawn(process.execPath, [
        join(REPO_ROOT, 'bin/run-ts.js'),
        child,
        path,
        String(300_000 * (attempt + 1)),
      ]);
      let out = '';
      proc.stdout.on('data', (b: Buffer) => {
        out += b.toString();
      });
      const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
      let finished = false;
      void exited.then(() => {
        finished = true;
      });
      // kill as soon as the batch's first piece (about 1 MiB) is on disk: the writer is mid-batch
      while (!finished && statSync(path).size <= size0 + (1 << 20))
        await new Promise((r) => setTimeout(r, 2));
      if (!finished && !out.includes('done')) {
        proc.kill('SIGKILL');
        await exited;
        if (!out.includes('done')) kills++;
      } else await exited;
      if (out.includes('done')) {
        // the writer beat the kill: its whole batch is committed; start over from a fresh ledger
        rmSync(path);
        await appendLedger(path, first);
        continue;
      }
      expect(statSync(path).size).toBeGreaterThan(size0);
      expect(readLedger(path)).toEqual(committed);
    }
    expect(kills).toBe(1);
    // the killed writer left its lock behind; its process is gone, so the next writer breaks it
    // at once instead of waiting a minute for it to go stale
    expect(existsSync(`${path}.lock`)).toBe(true);
    const started = Date.now();
    const next = await appendLedger(path, [
      { kind: 'declaration', jurisdiction: 'CN', declaration: batch[20]! },
    ]);
    expect(next.entries.map((e) => e.seq)).toEqual([...Array(11).keys()].map((k) => k + 1));
    expect(next.entries.at(-1)).toMatchObject({ declaration: { id: 'D020' } });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(readFileSync(path, 'utf8')).toContain('\n{"abort":true}\n');
  }, 120_000);

  it('reads a format-1 ledger and converts it on the first append', async () => {
    const path = join(dir, 'v1.json');
    const old = entries.slice(0, 3).map((e, i) => ({ ...e, seq: [2, 5, 9][i]! }));
    writeFileSync(path, `${JSON.stringify({ format: 'embargo-cap-ledger/1', entries: old }, null, 1)}\n`);
    expect(readLedger(path).entries).toEqual(old);
    const journal = await appendLedger(path, [
      { kind: 'declaration', jurisdiction: 'CN', declaration: batch[5]! },
    ]);
    expect(readFileSync(path, 'utf8').split('\n')[0]).toBe('{"format":"embargo-cap-ledger/2"}');
    expect(journal.entries.map((e) => [e.seq, e.kind === 'declaration' ? e.declaration.id : ''])).toEqual([
      [1, 'D000'],
      [2, 'D001'],
      [3, 'D002'],
      [4, 'D005'],
    ]);
    expect(readLedger(path)).toEqual(journal);
  });

  it('reports a damaged format-2 ledger with its line', () => {
    const path = join(dir, 'broken2.json');
    const good = JSON.stringify({ kind: 'declaration', jurisdiction: 'CN', declaration: batch[0]! });
    const cases: [string, number, RegExp][] = [
      [`{"format":"embargo-cap-ledger/2"}\n${good}\nnot json\n{"commit":2}\n`, 3, /not valid JSON/],
      [
        `{"format":"embargo-cap-ledger/2"}\n${good}\n{"commit":2}\n`,
        3,
        /counts 2 entries, the batch before it has 1/,
      ],
      [
        `{"format":"embargo-cap-ledger/2"}\n{"kind":"declaration","jurisdiction":"XX"}\n{"commit":1}\n`,
        2,
        /jurisdiction/,
      ],
      [`{"format":"embargo-cap-ledger/2"}\r\n${good}\n{"commit":"1"}\n`, 3, /commit line/],
    ];
    for (const [text, line, reason] of cases) {
      writeFileSync(path, text);
      let error: unknown;
      try {
        readLedger(path);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'EMB_LEDGER_INVALID', details: { file: path, line } });
      expect((error as Error).message).toMatch(reason);
    }
  });

  it('reads back exactly what merging the batches gives, whatever the batches (property)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.record({ i: fc.nat(5), q: fc.integer({ min: 1, max: 9 }) }), { maxLength: 4 }), {
          minLength: 1,
          maxLength: 5,
        }),
        async (batches) => {
          const path = join(dir, `prop-${run++}.json`);
          let expected: LedgerJournal = { entries: [] };
          for (const b of batches) {
            const added = b.map(
              ({ i, q }): NewLedgerEntry => ({
                kind: 'declaration',
                jurisdiction: 'CN',
                declaration: { ...batch[i]!, quantity: q },
              }),
            );
            expected = mergeEntries(expected, added);
            expect(await appendLedger(path, added)).toEqual(expected);
          }
          expect(readLedger(path)).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reads reporting periods: year, month, day and inclusive ranges', () => {
    expect(parsePeriod('2018')).toEqual({ from: '2018-01-01', to: '2019-01-01' });
    expect(parsePeriod('2017-12')).toEqual({ from: '2017-12-01', to: '2018-01-01' });
    expect(parsePeriod('2017-02')).toEqual({ from: '2017-02-01', to: '2017-03-01' });
    expect(parsePeriod('2017-10-01..2017-10-30')).toEqual({ from: '2017-10-01', to: '2017-10-31' });
    expect(parsePeriod('2017-10-05')).toEqual({ from: '2017-10-05', to: '2017-10-06' });
    for (const bad of ['2017-13', '2017-02-30', '2017-10-05..2017-10-01', 'Q4', ''])
      expect(parsePeriod(bad)).toBeUndefined();
  });
});
