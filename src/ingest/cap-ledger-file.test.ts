import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compileRegime } from '../core/regime/compile.js';
import { CapLedger } from '../core/screening/cap-ledger.js';
import type { Declaration } from '../core/screening/declaration.js';
import { screenBatch } from '../core/screening/screen.js';
import {
  appendLedger,
  capReport,
  capStatus,
  type LedgerEntry,
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

  it('keeps every entry when many writers append at once (lock file, atomic rename)', async () => {
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
