/**
 * `embargo screen <file> --store` as a user runs it: real child processes on a real SQLite file
 * (and PostgreSQL for the resume test), killed with SIGKILL at random moments, two at once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES, freshDatabase, type TestDatabase, withRawDatabase } from '../../test/databases.js';
import { REPO_ROOT } from '../../test/shared-data.js';
import { openStore } from '../store/open-store.js';
import { verifyAudit } from './audit-service.js';
import { declarationsCsv } from './services.fixtures.js';

const BIN = join(REPO_ROOT, 'bin/embargo.js');

function run(
  args: string[],
  env: Record<string, string>,
): {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
} {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, done };
}

async function expectComplete(database: TestDatabase, ids: readonly string[]) {
  const store = await openStore(database.target);
  try {
    const listed = await store.listDecisions();
    expect(listed).toHaveLength(ids.length);
    expect(new Set(listed.map((d) => d.declarationId))).toEqual(new Set(ids));
    // none duplicated: one version and one decision per declaration, one audit entry per decision
    for (const d of listed) expect(d.version).toBe(1);
    const counts = await store.countDecisions();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(ids.length);
    const audit = await verifyAudit(store);
    expect(audit.ok).toBe(true);
    // every decision listed once by the trail's `decisions.recorded` entries, each matching its row
    expect(audit.decisions).toBe(ids.length);
    let decided = 0;
    let opened = 0;
    for (let after = 0; ; ) {
      const page = await store.auditPage(after, 5000);
      for (const e of page)
        if (e.action === 'decisions.recorded') decided += JSON.parse(e.payload).decisions.length;
      opened += page.filter((e) => e.action === 'case.opened').length;
      if (page.length < 5000) break;
      after = page.at(-1)!.seq;
    }
    expect(decided).toBe(ids.length);
    expect(opened).toBe(counts.HOLD ?? 0);
    expect(await store.listCases()).toHaveLength(counts.HOLD ?? 0);
  } finally {
    await store.close();
  }
}

/** Polls the batch's committed rows until they exceed `above`; undefined if the process ended first. */
async function waitForProgress(
  database: TestDatabase,
  above: number,
  ended: () => boolean,
): Promise<number | undefined> {
  return withRawDatabase(database, async (db) => {
    while (!ended()) {
      try {
        const { rows } = await sql<{
          done: number | null;
        }>`select max(rows_done) as done from batches`.execute(db);
        const done = Number(rows[0]?.done ?? 0);
        if (done > above) return done;
      } catch {
        // no schema yet: the child is still starting
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return undefined;
  });
}

describe.each(DATABASES)('embargo screen --store on %s', (kind) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await freshDatabase(kind);
  });
  afterEach(async () => {
    await database.cleanup();
  });

  it('finishes a batch killed with SIGKILL at random moments, losing and duplicating nothing', async () => {
    // many write transactions of PIPELINE_CHUNK_ROWS (ST9), so kills land between and inside them
    const rows = 30_000;
    const file = join(database.dir, 'batch.csv');
    writeFileSync(file, declarationsCsv(rows));
    const args = [
      'screen',
      file,
      '--store',
      '--db',
      database.target,
      '--format',
      'jsonl',
      '--out',
      join(database.dir, 'out.jsonl'),
      '--no-parties',
    ];
    const env = { EMBARGO_HOME: database.dir };
    let kills = 0;
    let seen = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      const { child, done } = run(args, env);
      let exited = false;
      void done.then(() => {
        exited = true;
      });
      // Kill at a random moment after this run has committed more than the last one had, so every
      // kill lands while chunks are being written, however fast the machine is today.
      const progress = await waitForProgress(database, seen, () => exited);
      if (progress !== undefined) {
        seen = progress;
        await new Promise((r) => setTimeout(r, Math.random() * 150));
        child.kill('SIGKILL');
      }
      const result = await done;
      if (result.signal === 'SIGKILL') kills++;
      else {
        expect(result.code, result.stderr).toBe(0);
        break;
      }
    }
    const final = await run(args, env).done;
    expect(final.code, final.stderr).toBe(0);
    expect(kills).toBeGreaterThan(0);
    await expectComplete(
      database,
      Array.from({ length: rows }, (_, i) => `G${i}`),
    );
  }, 240_000);

  it('loses nothing when two processes screen overlapping files into one store at once', async () => {
    const a = join(database.dir, 'a.csv');
    const b = join(database.dir, 'b.csv');
    writeFileSync(a, declarationsCsv(3000, 'A'));
    // b repeats a's first 1,000 rows exactly and adds 2,000 of its own
    const shared = declarationsCsv(1000, 'A').split('\n').slice(1).join('\n');
    writeFileSync(b, declarationsCsv(2000, 'B') + shared);
    const env = { EMBARGO_HOME: database.dir };
    const common = ['--store', '--db', database.target, '--format', 'jsonl', '--no-parties'];
    const [ra, rb] = await Promise.all([
      run(['screen', a, ...common, '--out', join(database.dir, 'a.jsonl')], env).done,
      run(['screen', b, ...common, '--out', join(database.dir, 'b.jsonl')], env).done,
    ]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    const ids = [
      ...Array.from({ length: 3000 }, (_, i) => `A${i}`),
      ...Array.from({ length: 2000 }, (_, i) => `B${i}`),
    ];
    await expectComplete(database, ids);
  }, 120_000);
});
