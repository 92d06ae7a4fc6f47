import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../../test/databases.js';
import { sharedPath } from '../../../test/shared-data.js';
import { PROJECT_ROOT } from '../config.js';

const BIN = join(PROJECT_ROOT, 'bin', 'embargo.js');
const UN = sharedPath('data', 'lists', 'un', 'consolidated_2026-05-08.xml');
const UN_HASH = '1f1b3bfe29a53e7ac7c42ee4e58d6a7d1ebdf7c5e91fd990d3e63aefe0313dea';

function embargo(home: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, EMBARGO_DB: '', EMBARGO_USER: '', EMBARGO_HOME: home, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function trail(home: string, db?: string) {
  const r = await embargo(home, ['audit', 'export', ...(db ? ['--db', db] : [])]);
  expect(r.code).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map(
      (l) =>
        JSON.parse(l) as { actor: string; action: string; subject: string; payload: Record<string, unknown> },
    );
}

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/un/consolidated.xml') res.writeHead(200).end(readFileSync(UN));
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('list imports in the audit trail (child processes)', () => {
  it('appends list.imported with id, source, published date, hash and entry count; verify passes', async () => {
    const home = mkdtempSync(join(tmpdir(), 'embargo-lists-audit-'));
    const imported = await embargo(home, ['lists', 'import', UN], { EMBARGO_USER: 'ana' });
    expect(imported.code).toBe(0);
    const entries = await trail(home);
    expect(entries).toEqual([
      {
        seq: 1,
        at: expect.any(String),
        actor: 'ana',
        action: 'list.imported',
        subject: `list:un-consolidated:${UN_HASH}`,
        payload: {
          id: 'un-consolidated',
          source: expect.stringContaining('UN'),
          published: '2026-05-08',
          hash: UN_HASH,
          entries: 155,
          format: 'un-xml',
          scope: 'dprk',
        },
        prev_hash: '0'.repeat(64),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
    const verify = await embargo(home, ['audit', 'verify']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('audit trail intact: 1 entries');
  });

  it('records nothing for a refused file', async () => {
    const home = mkdtempSync(join(tmpdir(), 'embargo-lists-audit-'));
    const cut = join(home, 'cut.xml');
    writeFileSync(cut, readFileSync(UN, 'utf8').slice(0, 100_000));
    expect((await embargo(home, ['lists', 'import', cut])).code).toBe(1);
    expect(await trail(home)).toEqual([]);
  });

  it('records in PostgreSQL with --db, and an update appends one entry per list it replaced', async () => {
    const database = await freshDatabase('postgres');
    try {
      const home = database.dir;
      const r = await embargo(home, ['lists', 'import', UN, '--db', database.target, '--as', 'olga']);
      expect(r.code).toBe(0);
      const updated = await embargo(
        home,
        ['lists', 'update', '--only', 'un', '--un-url', `${base}/un/consolidated.xml`],
        { EMBARGO_DB: database.target },
      );
      expect(updated.code).toBe(0);
      const entries = await trail(home, database.target);
      expect(entries.map((e) => [e.actor, e.action, e.subject])).toEqual([
        ['olga', 'list.imported', `list:un-consolidated:${UN_HASH}`],
        ['cli', 'list.imported', `list:un-consolidated:${UN_HASH}`],
      ]);
      expect((await embargo(home, ['audit', 'verify', '--db', database.target])).code).toBe(0);
    } finally {
      await database.cleanup();
    }
  });

  it('refuses to import when the store cannot be reached, leaving the lists as they were', async () => {
    const home = mkdtempSync(join(tmpdir(), 'embargo-lists-audit-'));
    const r = await embargo(home, ['lists', 'import', UN, '--db', 'postgres://postgres@127.0.0.1:1/none']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('EMB_STORE_OPEN');
    const rows = JSON.parse((await embargo(home, ['lists', 'list', '--format', 'json'])).stdout);
    expect(rows.map((x: { id: string }) => x.id)).toEqual(['embargo-default']);
  });
});
