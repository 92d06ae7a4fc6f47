import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { regimeDirWith } from '../../ingest/regime-loader.fixtures.js';
import { DEFAULT_REGIME_DIR } from '../../ingest/regime-loader.js';
import { PROJECT_ROOT } from '../config.js';

const BIN = join(PROJECT_ROOT, 'bin', 'embargo.js');
const EXAMPLES = join(PROJECT_ROOT, 'examples', 'declarations.csv');
let home: string;
let work: string;

function embargo(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: work,
    input,
    encoding: 'utf8',
    env: { ...process.env, EMBARGO_HOME: home, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'embargo-home-'));
  work = mkdtempSync(join(tmpdir(), 'embargo-work-'));
});

const HEADER = 'id,date,direction,hs_code,origin,from,to,purpose,documents';

describe('embargo screen (child process)', () => {
  it('screens the example file to JSON lines with the documented keys, exit 0', () => {
    const { code, stdout, stderr } = embargo(['screen', EXAMPLES, '--format', 'jsonl']);
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(21);
    expect(Object.keys(lines[0])).toEqual([
      'id',
      'decision',
      'reasons',
      'missing_documents',
      'missing_approvals',
      'exception',
      'conditions',
      'as_of',
      'jurisdiction',
      'regime_version',
      'lists',
    ]);
    expect(Object.keys(lines[0].reasons[0])).toEqual([
      'kind',
      'outcome',
      'measure',
      'citation',
      'text',
      'unconfirmed',
      'details',
    ]);
    const byId = Object.fromEntries(lines.map((l) => [l.id, l]));
    expect(byId['EX-01'].decision).toBe('CLEAR');
    expect(byId['EX-02'].missing_documents).toEqual(['commitment-letter-livelihood']);
    expect(byId['EX-04'].missing_approvals).toEqual(['un-record-filing']);
    expect(byId['EX-19'].reasons.map((r: { kind: string }) => r.kind)).toContain('party-designated');
    expect(byId['EX-19'].lists.length).toBeGreaterThan(0);
    expect(stderr).toMatch(/screened 21 declaration\(s\).*0 row\(s\) rejected/);
  });

  it('sends malformed rows to the rejects file, screens the rest and exits 3', () => {
    const input = join(work, 'mixed.csv');
    writeFileSync(
      input,
      `\ufeff${HEADER}\r\n` +
        'M1,2016-06-01,import,2701,KP,KP,,livelihood,commitment-letter-livelihood:CL-1\r\n' +
        'M2,2016-02-30,import,2701,KP,KP,,,\r\n' +
        'M3,2016-06-01,import,27x1,KP,KP,,,\r\n' +
        'M4,2016-06-01,inbound,2701,KP,KP,,,\r\n' +
        ',2016-06-01,import,2701,KP,KP,,,\r\n' +
        'M6,2016-06-01,import,"2701,KP,KP,,,\r\n' +
        '\r\n' +
        'M7,2016-06-01,export,27101911,CN,CN,KP,,\r\n',
    );
    const rejects = join(work, 'rejects.jsonl');
    const { code, stdout, stderr } = embargo([
      'screen',
      input,
      '--format',
      'jsonl',
      '--rejects',
      rejects,
      '--no-parties',
    ]);
    expect(code).toBe(3);
    expect(
      stdout
        .trim()
        .split('\n')
        .map((l) => [JSON.parse(l).id, JSON.parse(l).decision]),
    ).toEqual([
      ['M1', 'CLEAR'],
      ['M7', 'REFUSE'],
    ]);
    const rows = readFileSync(rejects, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.line, r.field, r.code])).toEqual([
      [3, 'date', 'EMB_DECLARATION_INVALID'],
      [4, 'hs_code', 'EMB_DECLARATION_INVALID'],
      [5, 'direction', 'EMB_DECLARATION_INVALID'],
      [6, 'id', 'EMB_DECLARATION_INVALID'],
      [7, null, 'EMB_CSV_MALFORMED'],
    ]);
    expect(rows[0].raw).toContain('2016-02-30');
    expect(rows[0].reason).toMatch(/not a real date/);
    expect(stderr).toMatch(/1 CLEAR, 0 HOLD, 1 REFUSE; 5 row\(s\) rejected \(see .*rejects\.jsonl\)/);
  });

  it('writes rejects as CSV when the file name ends in .csv', () => {
    const input = join(work, 'bad.csv');
    writeFileSync(input, `${HEADER}\nB1,2016-13-01,import,2701,KP,KP,,,\n`);
    const csvRejects = join(work, 'rejects.csv');
    expect(embargo(['screen', input, '--rejects', csvRejects, '--no-parties']).code).toBe(3);
    expect(readFileSync(csvRejects, 'utf8').split('\n')).toEqual([
      'line,field,reason,code,raw',
      '2,date,\'2016-13-01\' is not a real date YYYY-MM-DD,EMB_DECLARATION_INVALID,"B1,2016-13-01,import,2701,KP,KP,,,"',
      '',
    ]);
  });

  it('reads standard input, writes JSON to --out, lists rejects on stderr without --rejects', () => {
    const out = join(work, 'out.json');
    const csv = `${HEADER}\nS1,2016-04-04,import,2701,KP,KP,,,\nS2,2016-04-04,import,2701,KP,KP,,,letter:1\n`;
    const r = embargo(['screen', '-', '--format', 'json', '--out', out, '--no-parties'], csv);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/rejected line 3 field 'documents': unknown document type 'letter'/);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject([
      { id: 'S1', decision: 'CLEAR', as_of: '2016-04-04' },
    ]);
  });

  it('screens as of another date and in the UN jurisdiction', () => {
    const csv = `${HEADER}\nS1,2016-04-04,import,2701,KP,KP,,,\n`;
    const asOf = embargo(['screen', '-', '--format', 'json', '--as-of', '2016-04-05', '--no-parties'], csv);
    expect(JSON.parse(asOf.stdout)[0]).toMatchObject({ decision: 'REFUSE', as_of: '2016-04-05' });
    const un = embargo(['screen', '-', '--format', 'csv', '--jurisdiction', 'UN', '--no-parties'], csv);
    expect(un.stdout.split('\n')[0]).toMatch(/^id,decision,measures,reasons/);
    expect(un.stdout.split('\n')[1]).toMatch(/^S1,REFUSE,UN-2270-OP29,/);
  });

  it('exits 2 on bad usage and 1 on a missing file, with a message', () => {
    const badDate = embargo(['screen', EXAMPLES, '--as-of', '2016-02-30']);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toMatch(/--as-of '2016-02-30'.*\[EMB_USAGE\]/);
    const missing = embargo(['screen', join(work, 'nope.csv'), '--jurisdiction', 'UN']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/EMB_FILE_NOT_FOUND/);
  });
});

describe('embargo regime and start (child process)', () => {
  it('checks a regime directory: ok, or every problem with file, line and path', () => {
    const ok = embargo(['regime', 'check']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      /^ok: \d+ file\(s\), \d+ instrument\(s\), \d+ measure\(s\), regime sha256:[0-9a-f]{12}/,
    );
    const dir = regimeDirWith(['un-2270-2016.yaml']);
    writeFileSync(
      join(dir, 'broken.yaml'),
      readFileSync(join(DEFAULT_REGIME_DIR, 'cn-mofcom-11-2016.yaml'), 'utf8').replace(
        'paragraph_confirmed: true',
        'paragraph_confirmd: true',
      ),
    );
    mkdirSync(join(dir, 'unused'), { recursive: true });
    const bad = embargo(['regime', 'check', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(
      /^broken\.yaml:\d+ measures\[0\]: unknown key 'paragraph_confirmd' \[EMB_REGIME_UNKNOWN_KEY\]/m,
    );
    expect(bad.stdout).toMatch(
      /broken\.yaml:\d+ measures\[0\]\.paragraph_confirmed: .* \[EMB_REGIME_INVALID\]/,
    );
  });

  it('lists and shows measures', () => {
    const list = embargo(['regime', 'list', '--format', 'json', '--jurisdiction', 'CN']);
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout);
    expect(rows.map((r: { id: string }) => r.id)).toContain('CN-MOFCOM-11-2016-3');
    expect(rows.every((r: { jurisdiction: string }) => r.jurisdiction === 'CN')).toBe(true);
    const show = embargo(['regime', 'show', 'UN-2270-OP31']);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/paragraph: "31"/);
    expect(show.stdout).toMatch(/ambiguous:/);
  });

  it('start screens the bundled examples and prints decisions with reasons', () => {
    const { code, stdout } = embargo(['start']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^EX-01 +CLEAR +CN-MOFCOM-11-2016-1 +Exception applies/m);
    expect(stdout).toMatch(/^EX-11 +HOLD +CN-MOFCOM-11-2016-3 +Classification too coarse/m);
    expect(stdout).toMatch(/^EX-20 +CLEAR .*Grace rule applies/m);
  });
});
