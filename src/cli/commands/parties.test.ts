import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../config.js';
import { resolveThresholds } from './parties.js';

const BIN = join(PROJECT_ROOT, 'bin', 'embargo.js');
let home: string;

function embargo(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, EMBARGO_HOME: home, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'embargo-parties-'));
});

describe('embargo parties (child process, default list)', () => {
  it('finds Kim Jong Un from Hangul with the hit explained in JSON', () => {
    const { code, stdout } = embargo(['parties', 'search', '김정은', '--format', 'json']);
    expect(code).toBe(0);
    const [hit] = JSON.parse(stdout);
    expect(hit).toMatchObject({
      reference: '20157',
      status: 'match',
      query: { normalized: 'KIM JONG UN' },
      matched: { name: '김정은', kind: 'original-script' },
      list: { id: 'embargo-default' },
    });
    expect(hit.list.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hit.components).toHaveProperty('listedCoverage');
  });

  it('prints a table with list, publication date and hash, and filters by type', () => {
    const { stdout } = embargo(['parties', 'search', 'Patriotic Complex Microbial Center']);
    expect(stdout).toContain('EMB-W-0001');
    expect(stdout).toContain('1997-06–2010-12');
    expect(stdout).toContain('embargo-default');
    expect(
      embargo(['parties', 'search', 'Kim Jong Un', '--type', 'vessel', '--format', 'json']).stdout.trim(),
    ).toBe('[]');
  });

  it('honours --threshold and the configurable thresholds, and rejects bad ones', () => {
    expect(
      embargo(['parties', 'search', 'Kim Jong', '--threshold', '0.95', '--format', 'json']).stdout.trim(),
    ).toBe('[]');
    const strict = embargo(['parties', 'search', 'Kim Jong Eun', '--format', 'json'], {
      EMBARGO_MATCH_THRESHOLD: '0.99',
    });
    expect(JSON.parse(strict.stdout)[0].status).toBe('review');
    expect(() => resolveThresholds({ matchThreshold: '0.5', reviewThreshold: '0.8' }, {})).toThrow(
      /must not exceed/,
    );
    expect(resolveThresholds({}, { EMBARGO_REVIEW_THRESHOLD: '0.6' })).toEqual({ match: 0.9, review: 0.6 });
  });

  it('matches a CSV file of queries, one result line per query, with bad lines rejected', () => {
    const file = join(home, 'queries.csv');
    writeFileSync(
      file,
      [
        '\ufeffid,name,type',
        'q1,Kim Jong-un,person',
        'q2,Korea Ryonbong General Corp.,',
        'q3,"SAM JONG 2",vessel',
        'q4,Acme Trading GmbH,entity',
        'q5,Ryonbong General,',
        'q6,Somebody,boat',
        '',
      ].join('\r\n'),
    );
    const { code, stdout, stderr } = embargo(['parties', 'match', file]);
    expect(code).toBe(3);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.id, l.status, l.hits[0]?.reference])).toEqual([
      ['q1', 'match', '20157'],
      ['q2', 'match', 'KPe.002'],
      ['q3', 'match', '23734'],
      ['q4', 'none', undefined],
      ['q5', 'review', 'KPe.002'],
    ]);
    expect(lines[0].hits[0]).toHaveProperty('list_hash');
    expect(stderr).toContain('queries.csv:7');
    expect(stderr).toContain('5 quer(ies): 3 match, 1 review, 1 none; 1 rejected');
  });

  it('matches JSON lines queries', () => {
    const file = join(home, 'queries.jsonl');
    writeFileSync(
      file,
      '{"id":"a","name":"리병철"}\n{"id":"b","name":"Changgwang Credit Bank","type":"entity"}\n',
    );
    const { code, stdout } = embargo(['parties', 'match', file, '--format', 'csv']);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('id,name,status,best_score,reference,matched,kind,list,others');
    expect(stdout).toContain('a,리병철,match,1.000,KPi.076');
    expect(stdout).toContain('b,Changgwang Credit Bank,match,1.000,KPe.003,CHANGGWANG CREDIT BANK,former');
  });
});
