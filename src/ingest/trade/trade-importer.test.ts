import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importTradeFile, openTradeStore } from './trade-importer.js';

const clock = () => '2026-11-28T00:00:00.000Z';

describe('trade importer', () => {
  it('loads the shipped dataset once, and again only when the file changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'embargo-trade-import-'));
    const first = openTradeStore(dir, clock);
    expect(first.seedLoaded).toBeGreaterThan(300);
    const count = first.store.count();
    first.store.close();
    const second = openTradeStore(dir, clock);
    expect(second.seedLoaded).toBe(0);
    expect(second.store.count()).toBe(count);
    expect(second.store.imports().map((i) => i.file)).toEqual(['seed-observations.yaml']);
    second.store.close();
  });

  it('streams a large file into the store in batches, and a second import adds nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'embargo-trade-import-'));
    const lines = ['reporter,partner,flow,period,commodity,value'];
    for (let i = 0; i < 12_000; i++) {
      lines.push(
        `CN,KP,${i % 2 ? 'import' : 'export'},${2000 + Math.floor(i / 120)}-${String((i % 12) + 1).padStart(2, '0')},${100000 + (i % 500)},${i + 1}`,
      );
    }
    lines.push('CN,KP,import,2016-13,2701,1');
    const file = join(dir, 'big.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { store } = openTradeStore(dir, clock);
    const before = store.count();
    const r = importTradeFile(store, file, {}, clock);
    expect(r).toMatchObject({ format: 'csv', read: r.added + r.unchanged, rejected: 1 });
    expect(r.problems[0]?.details).toMatchObject({ file: 'big.csv', line: 12_002, field: 'period' });
    expect(store.count() - before).toBe(r.added);
    const again = importTradeFile(store, file, {}, clock);
    expect(again.added).toBe(0);
    expect(again.unchanged).toBe(r.read);
    store.close();
  });
});
