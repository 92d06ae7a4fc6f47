import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES, freshDatabase, type TestDatabase } from '../../test/databases.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/port.js';
import { screenFileIntoStore } from './screen-file-service.js';
import { declarationsCsv, shippedScreener } from './services.fixtures.js';

describe.each(DATABASES)('screening a file into the store on %s', (kind) => {
  let database: TestDatabase;
  let store: Store;
  beforeEach(async () => {
    database = await freshDatabase(kind);
    store = await openStore(database.target);
  });
  afterEach(async () => {
    await store.close();
    await database.cleanup();
  });

  it('keeps input order across good and rejected rows, and a second run of the same file resumes past them', async () => {
    const file = join(database.dir, 'in.csv');
    const lines = declarationsCsv(7).trimEnd().split('\n');
    // a bad date on line 4 and an unbalanced quote on line 7; the rest are fine
    lines.splice(3, 0, 'BAD-1,2016-02-30,import,2701120000,,KP,KP,,,,,1,t,,,,');
    lines.splice(6, 0, 'BAD-2,2016-06-01,import,"2701,,KP,KP,,,,,1,t,,,,');
    writeFileSync(file, `\ufeff${lines.join('\r\n')}\r\n`);
    const seen: string[] = [];
    const options = {
      store,
      screener: shippedScreener(),
      file,
      actor: 'cli',
      context: { jurisdiction: 'CN' },
      chunkSize: 3,
      onResult: (r: {
        row: { declaration?: { id: string }; reject?: { line: number } };
        decision?: { decision: string };
      }) => {
        seen.push(
          r.row.declaration
            ? `${r.row.declaration.id}:${r.decision?.decision}`
            : `reject@${r.row.reject?.line}`,
        );
      },
    };
    const first = await screenFileIntoStore(options);
    expect(first).toMatchObject({ rows: seen.length, stored: first.rows - first.rejects, resumedFrom: 0 });
    expect(first.rejects).toBe(2);
    expect(seen).toEqual([
      'G0:CLEAR',
      'G1:CLEAR',
      'reject@4',
      'G2:HOLD',
      'G3:REFUSE',
      'reject@7',
      'G4:REFUSE',
      'G5:CLEAR',
      'G6:CLEAR',
    ]);
    const firstOutput = [...seen];
    seen.length = 0;
    const again = await screenFileIntoStore(options);
    expect(again).toMatchObject({ stored: 0, resumedFrom: first.rows });
    expect(seen).toEqual(firstOutput);
    expect(await store.listDecisions()).toHaveLength(7);
  });

  it('names a missing file', async () => {
    await expect(
      screenFileIntoStore({
        store,
        screener: shippedScreener(),
        file: join(database.dir, 'nope.csv'),
        actor: 'cli',
        context: {},
      }),
    ).rejects.toMatchObject({ code: 'EMB_FILE_NOT_FOUND' });
  });
});
