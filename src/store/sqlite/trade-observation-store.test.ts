import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Observation } from '../../core/trade/observation.js';
import { loadSeedObservations } from '../../ingest/trade/seed-dataset.js';
import { openSqliteTradeStore } from './trade-observation-store.js';

const fresh = () =>
  openSqliteTradeStore(join(mkdtempSync(join(tmpdir(), 'embargo-trade-store-')), 'trade.db'));
const seed = loadSeedObservations();

describe('SQLite trade observation store', () => {
  it('stores observations and reads them back unchanged', () => {
    const store = fresh();
    expect(store.add(seed)).toEqual({ added: seed.length, unchanged: 0, conflicts: [] });
    const back = store.list();
    expect(back).toHaveLength(seed.length);
    const coal = back.find((o) => o.id === 'seed-0071');
    expect(coal).toEqual(JSON.parse(JSON.stringify(seed.find((o) => o.id === 'seed-0071'))));
    store.close();
  });

  it('is idempotent: importing the same observations again adds nothing', () => {
    const store = fresh();
    store.add(seed);
    expect(store.add(seed)).toEqual({ added: 0, unchanged: seed.length, conflicts: [] });
    expect(store.count()).toBe(seed.length);
    store.close();
  });

  it('never overwrites: the same id with other content is a conflict and the stored figure stays', () => {
    const store = fresh();
    const original = seed.find((o) => o.id === 'seed-0078') as Observation;
    store.add([original]);
    const r = store.add([{ ...original, value: 72.2e6 }]);
    expect(r.conflicts.map((e) => e.code)).toEqual(['EMB_TRADE_ID_CONFLICT']);
    expect(store.list()[0]?.value).toBe(7.21e6);
    store.close();
  });

  it('filters by partner, flow and commodity prefix', () => {
    const store = fresh();
    store.add(seed);
    const coal = store.list({ partner: 'KP', flow: 'import', commodity: '2701*' });
    expect(coal.length).toBeGreaterThan(10);
    expect(coal.every((o) => o.commodity.startsWith('2701') && o.flow === 'import')).toBe(true);
    store.close();
  });

  it('keeps an import log and dataset versions across reopening', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'embargo-trade-store-')), 'trade.db');
    const a = openSqliteTradeStore(path);
    a.recordImport({
      file: 'x.csv',
      format: 'comtrade',
      importedAt: '2026-01-01T00:00:00Z',
      added: 2,
      unchanged: 0,
      rejected: 1,
    });
    a.setDatasetVersion('seed', 'sha256:abc', '2026-01-01T00:00:00Z');
    a.close();
    const b = openSqliteTradeStore(path);
    expect(b.imports()).toEqual([
      {
        id: 1,
        file: 'x.csv',
        format: 'comtrade',
        importedAt: '2026-01-01T00:00:00Z',
        added: 2,
        unchanged: 0,
        rejected: 1,
      },
    ]);
    expect(b.datasetVersion('seed')).toBe('sha256:abc');
    expect(b.datasetVersion('other')).toBeUndefined();
    b.close();
  });
});
