import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES, freshDatabase, type TestDatabase } from '../../../test/databases.js';
import { verifyAudit } from '../../services/audit-service.js';
import { openStore } from '../../store/open-store.js';
import { importTradeFile, openTradeStore } from './trade-importer.js';

const now = () => '2026-11-28T00:00:00.000Z';

describe.each(DATABASES)('trade importer on %s', (kind) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await freshDatabase(kind);
  });
  afterEach(async () => {
    await database.cleanup();
  });

  it('loads the shipped dataset once, and again only when the file changes', async () => {
    const first = await openTradeStore(database.target, { now });
    expect(first.seedLoaded).toBeGreaterThan(300);
    const count = await first.store.count();
    await first.store.close();
    const second = await openTradeStore(database.target, { now });
    expect(second.seedLoaded).toBe(0);
    expect(await second.store.count()).toBe(count);
    expect((await second.store.imports()).map((i) => i.file)).toEqual(['seed-observations.yaml']);
    await second.store.close();
  });

  it('streams a large file into the store chunk by chunk, audits it, and a second import adds nothing', async () => {
    const lines = ['reporter,partner,flow,period,commodity,value'];
    for (let i = 0; i < 12_000; i++) {
      lines.push(
        `CN,KP,${i % 2 ? 'import' : 'export'},${2000 + Math.floor(i / 120)}-${String((i % 12) + 1).padStart(2, '0')},${100000 + (i % 500)},${i + 1}`,
      );
    }
    lines.push('CN,KP,import,2016-13,2701,1');
    const file = join(database.dir, 'big.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { store } = await openTradeStore(database.target, { now });
    try {
      const before = await store.count();
      // 64 KiB chunks: the file is read and written in many steps, not collected whole.
      const r = await importTradeFile(store, file, { chunkSize: 64 * 1024 }, { now, actor: 'olga' });
      expect(r).toMatchObject({ format: 'csv', read: r.added + r.unchanged, rejected: 1 });
      expect(r.problems[0]?.details).toMatchObject({ file: 'big.csv', line: 12_002, field: 'period' });
      expect((await store.count()) - before).toBe(r.added);
      const again = await importTradeFile(store, file, {}, { now });
      expect(again.added).toBe(0);
      expect(again.unchanged).toBe(r.read);
    } finally {
      await store.close();
    }
    const main = await openStore(database.target);
    try {
      const trail = await main.auditPage(0, 100);
      expect(trail.map((e) => [e.actor, e.action])).toEqual([
        ['cli', 'trade.imported'],
        ['olga', 'trade.imported'],
        ['cli', 'trade.imported'],
      ]);
      expect(JSON.parse(trail[1]?.payload ?? '{}')).toMatchObject({ file: 'big.csv', rejected: 1 });
      expect(await verifyAudit(main)).toMatchObject({ ok: true, entries: 3 });
    } finally {
      await main.close();
    }
  });
});
