import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../../../test/shared-data.js';
import { parseListFormat } from '../../ingest/lists/list-loader.js';
import { PROJECT_ROOT } from '../config.js';
import { resolveListUrls, siblingUrl } from './lists.js';

const BIN = join(PROJECT_ROOT, 'bin', 'embargo.js');
const UN = sharedPath('data', 'lists', 'un', 'consolidated_2026-05-08.xml');
const TRIO = sharedPath('data', 'lists', 'ofac', 'trio_2022-01');

function embargo(home: string, args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, EMBARGO_HOME: home },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking this process: the HTTP server below lives here. */
function embargoAsync(home: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, EMBARGO_HOME: home, ...env },
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

let server: Server;
let base = '';
const requests: string[] = [];

beforeAll(async () => {
  const files: Record<string, string> = {
    '/un/consolidated.xml': UN,
    '/ofac/SDN.CSV': join(TRIO, 'sdn.csv'),
    '/ofac/ALT.CSV': join(TRIO, 'alt.csv'),
    '/ofac/ADD.CSV': join(TRIO, 'add.csv'),
  };
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const path = files[req.url ?? ''];
    if (!path) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(path));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('embargo lists (child process)', () => {
  it('lists the shipped default list on a fresh machine', () => {
    const home = mkdtempSync(join(tmpdir(), 'embargo-lists-'));
    const { code, stdout } = embargo(home, ['lists', 'list', '--format', 'json']);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: 'embargo-default', format: 'embargo', imported_at: '(shipped)' });
    expect(rows[0].hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('imports the real UN file, lists it with its date and hash, and shows an entry from both lists', () => {
    const home = mkdtempSync(join(tmpdir(), 'embargo-lists-'));
    const imported = embargo(home, ['lists', 'import', UN]);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain('imported un-consolidated: 155 entr(ies)');
    const rows = JSON.parse(embargo(home, ['lists', 'list', '--format', 'json']).stdout);
    expect(rows.map((r: { id: string }) => r.id)).toEqual(['embargo-default', 'un-consolidated']);
    expect(rows[1]).toMatchObject({
      published: '2026-05-08',
      hash: '1f1b3bfe29a53e7ac7c42ee4e58d6a7d1ebdf7c5e91fd990d3e63aefe0313dea',
      entries: 155,
    });
    const shown = JSON.parse(embargo(home, ['lists', 'show', 'KPe.002', '--format', 'json']).stdout);
    expect(shown.map((s: { list: { id: string } }) => s.list.id)).toEqual([
      'embargo-default',
      'un-consolidated',
    ]);
    const missing = embargo(home, ['lists', 'show', 'KPe.999']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('EMB_LIST_NOT_FOUND');
  });

  it('refuses a truncated file, imports nothing, and says where', () => {
    const home = mkdtempSync(join(tmpdir(), 'embargo-lists-'));
    const path = join(home, 'cut.xml');
    const text = readFileSync(UN, 'utf8');
    writeFileSync(path, text.slice(0, 100_000));
    const { code, stderr } = embargo(home, ['lists', 'import', path]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/cut\.xml:\d+: the file ends inside <\w+>.*\[EMB_LIST_MALFORMED\]/);
    expect(JSON.parse(embargo(home, ['lists', 'list', '--format', 'json']).stdout)).toHaveLength(1);
    expect(() => parseListFormat('nope')).toThrow(/unknown list format/);
  });

  it('updates both lists from a local server serving the shared copies, URLs from flag and environment', async () => {
    const home = mkdtempSync(join(tmpdir(), 'embargo-lists-'));
    const { code, stderr } = await embargoAsync(
      home,
      ['lists', 'update', '--un-url', `${base}/un/consolidated.xml`],
      {
        EMBARGO_OFAC_SDN_URL: `${base}/ofac/SDN.CSV`,
      },
    );
    expect(stderr).toContain('updated un-consolidated: 155');
    expect(stderr).toContain('updated ofac-sdn: 423');
    expect(code).toBe(0);
    expect(requests).toEqual(
      expect.arrayContaining(['/un/consolidated.xml', '/ofac/SDN.CSV', '/ofac/ALT.CSV', '/ofac/ADD.CSV']),
    );
    const search = embargo(home, [
      'parties',
      'search',
      'Korea Mining Development Trading Corp',
      '--format',
      'json',
    ]);
    const lists = JSON.parse(search.stdout).map((h: { list: { id: string } }) => h.list.id);
    expect(lists).toEqual(expect.arrayContaining(['embargo-default', 'ofac-sdn', 'un-consolidated']));
  });

  it('fails clearly when a download fails and keeps what was imported', async () => {
    const home = mkdtempSync(join(tmpdir(), 'embargo-lists-'));
    embargo(home, ['lists', 'import', UN]);
    const { code, stderr } = await embargoAsync(home, [
      'lists',
      'update',
      '--only',
      'un',
      '--un-url',
      `${base}/missing.xml`,
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('404');
    expect(stderr).toContain('EMB_LIST_DOWNLOAD_FAILED');
    expect(JSON.parse(embargo(home, ['lists', 'list', '--format', 'json']).stdout)).toHaveLength(2);
  });

  it('resolves download URLs: flag, then environment, then config file, then the official ones', () => {
    const home = mkdtempSync(join(tmpdir(), 'embargo-lists-'));
    expect(resolveListUrls({}, home, {}).un).toBe(
      'https://scsanctions.un.org/resources/xml/en/consolidated.xml',
    );
    writeFileSync(join(home, 'config.json'), JSON.stringify({ lists: { unUrl: 'http://config/un.xml' } }));
    expect(resolveListUrls({}, home, {}).un).toBe('http://config/un.xml');
    expect(resolveListUrls({}, home, { EMBARGO_UN_LIST_URL: 'http://env/un.xml' }).un).toBe(
      'http://env/un.xml',
    );
    expect(
      resolveListUrls({ unUrl: 'http://flag/un.xml' }, home, { EMBARGO_UN_LIST_URL: 'http://env/un.xml' }).un,
    ).toBe('http://flag/un.xml');
    expect(() => resolveListUrls({ unUrl: 'ftp://x' }, home, {})).toThrow(/http/);
    expect(siblingUrl('https://x/exports/SDN.CSV', 'alt')).toBe('https://x/exports/ALT.CSV');
    expect(siblingUrl('http://x/sdn.csv', 'add')).toBe('http://x/add.csv');
  });
});
