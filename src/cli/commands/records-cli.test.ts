/**
 * The records commands as a user types them (real CLI process, real SQLite file): screening into
 * the store, decisions, cases with four eyes, approvals, and the audit trail catching tampering.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declarationsCsv } from '../../services/services.fixtures.js';
import { main } from '../main.js';

let home: string;

/**
 * Runs the real CLI entry (`main`) in this process, capturing stdout and stderr: the same code path
 * as `bin/embargo.js` without paying tsx start-up for each of the many calls here. The child-process
 * path is covered by screen-store-cli.test.ts.
 */
async function cli(args: string[], env: Record<string, string> = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, { EMBARGO_HOME: home, EMBARGO_USER: '', EMBARGO_DB: '', ...env });
  let out = '';
  let err = '';
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.exitCode = undefined;
    process.env = saved;
  }
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'embargo-records-cli-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('records from the command line', () => {
  it('screens into the store, keeps going past a bad row, and lists what it stored', async () => {
    const file = join(home, 'in.csv');
    writeFileSync(file, `${declarationsCsv(6)}BAD-1,2016-13-45,import,2701120000,,KP,KP,,,,,1,t,,,,\n`);
    const screened = await cli([
      'screen',
      file,
      '--store',
      '--format',
      'jsonl',
      '--no-parties',
      '--rejects',
      join(home, 'rejects.jsonl'),
    ]);
    expect(screened.code, screened.err).toBe(3);
    expect(screened.err).toContain('6 new decision(s)');
    expect(readFileSync(join(home, 'rejects.jsonl'), 'utf8')).toContain('"line":8');
    const count = await cli(['decisions', 'count', '--format', 'json']);
    expect(JSON.parse(count.out)).toEqual([
      { decision: 'CLEAR', count: 3 },
      { decision: 'HOLD', count: 1 },
      { decision: 'REFUSE', count: 2 },
      { decision: 'total', count: 6 },
    ]);
    const held = await cli(['decisions', 'list', '--decision', 'HOLD', '--format', 'csv']);
    expect(held.out.split('\n')[1]).toMatch(/^G2,1,HOLD,/);
    const shown = await cli(['decisions', 'show', 'G4']);
    expect(shown.out).toContain('not accepted: no un-record-filing RF-G4 is on record');
    expect((await cli(['decisions', 'show', 'NOPE'])).err).toContain('[EMB_DECLARATION_UNKNOWN]');
  });

  it('works a case with four eyes and shows it', async () => {
    expect((await cli(['users', 'add', 'root', '--role', 'admin'])).code).toBe(0);
    for (const [name, role] of [
      ['olga', 'officer'],
      ['sam', 'supervisor'],
    ]) {
      expect((await cli(['users', 'add', name!, '--role', role!, '--as', 'root'])).code).toBe(0);
    }
    expect((await cli(['cases', 'note', 'C-1', 'hello'])).err).toContain('[EMB_USER_UNKNOWN]');
    expect((await cli(['cases', 'open', 'G3'], { EMBARGO_USER: 'olga' })).out).toContain('C-2 opened');
    const proposed = await cli([
      'cases',
      'decide',
      'C-2',
      'CLEAR',
      '--reason',
      'iron ore is from stock',
      '--as',
      'olga',
    ]);
    expect(proposed.out).toContain('pending-approval');
    const again = await cli(['cases', 'decide', 'C-2', 'CLEAR', '--reason', 'me again', '--as', 'olga']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('[EMB_FOUR_EYES]');
    expect(
      (await cli(['cases', 'decide', 'C-2', 'CLEAR', '--reason', 'agreed', '--as', 'sam'])).out,
    ).toContain('decided CLEAR by sam');
    const shown = JSON.parse((await cli(['cases', 'show', 'C-2', '--format', 'json'])).out);
    expect(shown.events.map((e: { action: string }) => e.action)).toEqual(['opened', 'proposed', 'decided']);
  });

  it('records an approval chain step by step', async () => {
    const apply = await cli([
      'approvals',
      'apply',
      '--as',
      'olga',
      '--chain',
      'aviation-fuel-humanitarian',
      '--ref',
      'CA-1',
      '--applicant',
      'Dandong Aviation Fuel',
      '--hs',
      '27101911',
      '--quantity',
      '40',
      '--unit',
      't',
      '--date',
      '2016-05-01',
    ]);
    expect(apply.code, apply.err).toBe(0);
    const missing = await cli([
      'approvals',
      'advance',
      'un-committee-approval:CA-1',
      '--as',
      'olga',
      '--actor',
      '1718 Committee',
      '--date',
      '2016-05-20',
    ]);
    expect(missing.err).toContain('monitoring');
    const ok = await cli([
      'approvals',
      'advance',
      'un-committee-approval:CA-1',
      '--as',
      'olga',
      '--actor',
      '1718 Committee',
      '--date',
      '2016-05-20',
      '--reference',
      'S/AC.49/2016/OC.12',
      '--monitoring',
      'WFP monitors delivery and use',
    ]);
    expect(ok.out).toContain('committee-approved');
    expect(JSON.parse((await cli(['approvals', 'list', '--format', 'json'])).out)[0]).toMatchObject({
      approval: 'un-committee-approval:CA-1',
      state: 'committee-approved',
    });
  });

  it('verifies and exports the audit trail, and names an edited entry', async () => {
    const verified = await cli(['audit', 'verify']);
    expect(verified.code).toBe(0);
    expect(verified.out).toMatch(/audit trail intact: \d+ entries, head \d+:[0-9a-f]{64}/);
    const exported = (await cli(['audit', 'export'])).out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(exported.length).toBeGreaterThan(10);
    expect(exported[0]).toMatchObject({ seq: 1, action: 'regime.loaded' });
    const db = new Database(join(home, 'embargo.db'));
    db.prepare(`update audit_log set actor = 'mallory' where seq = 5`).run();
    db.close();
    const broken = await cli(['audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.err).toContain('audit trail edited: entry 5 was edited');
    expect(broken.err).toContain('[EMB_AUDIT_BROKEN]');
  });

  it('names an unreachable PostgreSQL store', async () => {
    const r = await cli(['decisions', 'count', '--db', 'postgres://postgres@127.0.0.1:1/x']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('[EMB_STORE_OPEN]');
  });
});
