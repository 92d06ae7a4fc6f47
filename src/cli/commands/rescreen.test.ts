import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/shared-data.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'embargo-rescreen-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function embargo(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [join(REPO_ROOT, 'bin/embargo.js'), ...args], {
      env: { ...process.env, EMBARGO_HOME: join(root, 'home') },
      cwd: root,
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

// a supervisor's what-if: the same five shipments under the law of 4 and 5 August 2017 (UN)
const file = join(root, 'shipments.csv');
writeFileSync(
  file,
  [
    'id,date,direction,hs_code,origin,from,to,port_of_loading,purpose,quantity,unit,value,currency,contract_date,documents,approvals',
    'coal-livelihood,2017-07-20,import,270112,KP,KP,,,livelihood,1000,t,60000,USD,,,',
    'iron-livelihood,2017-07-20,import,2601,KP,KP,,,livelihood,,,,,,,',
    'coal-contract,2017-07-20,import,270112,KP,KP,,,,,,,,2017-07-01,contract:C-1,',
    'rajin-coal,2017-07-20,import,270112,RU,KP,,Rajin,,,,,,,,un-record-filing:RF-9',
    'apples,2017-07-20,import,0808,KP,KP,,,,,,,,,,',
    'broken,2017-07-40,import,0808,KP,KP,,,,,,,,,,',
  ].join('\n'),
);

// a supervisor's draft: the shipped regime plus one new measure, before it takes effect
const draft = join(root, 'draft-regimes');
cpSync(join(REPO_ROOT, 'regimes'), draft, { recursive: true });
writeFileSync(
  join(draft, 'cn-draft-2018.yaml'),
  `instrument:
  id: CN-DRAFT-2018
  title: Draft announcement on fruit
  issuer: test
  number: draft
  adopted: "2018-01-20"
  url: https://example.org/draft
  jurisdiction: CN
measures:
  - id: CN-DRAFT-2018-1
    title: Fruit from the DPRK
    paragraph: "1"
    paragraph_confirmed: false
    direction: import
    target: KP
    summary: Draft ban on fruit from the DPRK.
    goods:
      - label: Fruit
        include: [{ code: "08", source: analyst, confirmed: false }]
    effective_from: "2018-02-01"
    citations: [{ source: DRAFT }]
`,
);

describe('embargo rescreen (child processes)', () => {
  it('lists every declaration whose decision changes between two dates, and why', async () => {
    const r = await embargo(
      'rescreen',
      file,
      '--compare-as-of',
      '2017-08-04',
      '2017-08-05',
      '--jurisdiction',
      'UN',
      '--format',
      'json',
    );
    expect(r.code).toBe(3); // one row rejected; every other row screened
    expect(r.stderr).toMatch(/shipments\.csv:7 field 'date'/);
    const changes = JSON.parse(r.stdout) as {
      id: string;
      before: { decision: string; as_of: string };
      after: { decision: string; as_of: string };
      gained: { kind: string; measure: string }[];
      why: string[];
    }[];
    expect(changes.map((c) => [c.id, c.before.decision, c.after.decision])).toEqual([
      ['coal-livelihood', 'CLEAR', 'REFUSE'],
      ['iron-livelihood', 'CLEAR', 'REFUSE'],
      ['coal-contract', 'REFUSE', 'CLEAR'],
    ]);
    expect(changes[0]?.gained).toEqual([expect.objectContaining({ kind: 'banned', measure: 'UN-2371-OP8' })]);
    expect(changes[0]?.why.join(' ')).toMatch(/no longer: exception-applied UN-2321-OP26/);
    expect(changes[2]?.why.join(' ')).toMatch(/now: grace-period UN-2371-OP8/);
    expect(r.stderr).toMatch(
      /5 declaration\(s\) screened as of 2017-08-04 and 2017-08-05: 3 decision\(s\) change; 1 row\(s\) rejected/,
    );
  }, 60_000);

  it('--as-of compares each declaration’s own date with the given one (table for people)', async () => {
    const r = await embargo('rescreen', file, '--as-of', '2018-01-06', '--jurisdiction', 'CN');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^id\s+before\s+after/);
    // without the Annex 2 letter the livelihood claim was held in 2017; No. 40 has since banned it outright
    expect(
      lines.some(
        (l) => l.startsWith('iron-livelihood') && /HOLD \(2017-07-20\)\s+REFUSE \(2018-01-06\)/.test(l),
      ),
    ).toBe(true);
    // apples: whether No. 4 has an import section is UNCONFIRMED, so from 2018-01-06 they are held (R18)
    expect(
      lines.some((l) => l.startsWith('apples') && /CLEAR \(2017-07-20\)\s+HOLD \(2018-01-06\)/.test(l)),
    ).toBe(true);
    const usage = await embargo(
      'rescreen',
      file,
      '--as-of',
      '2018-01-06',
      '--compare-as-of',
      '2017-01-01',
      '2017-02-01',
    );
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('give only one of --as-of');
  }, 60_000);

  it('--against-regime shows what a draft measure would change on the day it takes effect', async () => {
    const r = await embargo(
      'rescreen',
      file,
      '--as-of',
      '2018-02-01',
      '--against-regime',
      draft,
      '--format',
      'json',
    );
    const changes = JSON.parse(r.stdout) as {
      id: string;
      before: { decision: string };
      after: { decision: string };
      why: string[];
    }[];
    expect(changes.map((c) => [c.id, c.before.decision, c.after.decision])).toEqual([
      ['apples', 'HOLD', 'REFUSE'],
    ]);
    expect(changes[0]?.why[0]).toMatch(/^now: banned CN-DRAFT-2018-1/);
    expect(r.stderr).toMatch(
      /as of 2018-02-01 \(regime sha256:\w+\) and 2018-02-01 \(regime sha256:\w+\): 1 decision/,
    );
  }, 60_000);

  it('shows what 2321’s luxury thresholds changed for exports to the DPRK (UN, 29 → 30 November 2016)', async () => {
    const luxury = join(root, 'luxury.csv');
    writeFileSync(
      luxury,
      [
        'id,date,direction,hs_code,to,quantity,unit,value,currency',
        'rug-800,2016-11-29,export,570110,KP,1,pcs,800,USD',
        'rugs-500,2016-11-29,export,570110,KP,4,pcs,2000,USD',
        'tapestry-kg,2016-11-29,export,580500,KP,12,kg,9000,USD',
        'watch,2016-11-29,export,910111,KP,1,pcs,5000,USD',
      ].join('\n'),
    );
    const r = await embargo(
      'rescreen',
      luxury,
      '--compare-as-of',
      '2016-11-29',
      '2016-11-30',
      '--jurisdiction',
      'UN',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const changes = JSON.parse(r.stdout) as {
      id: string;
      before: { decision: string };
      after: { decision: string };
      gained: { kind: string; measure: string }[];
    }[];
    // the watch was already refused under 2270's Annex V; rugs at USD 500 each stay outside
    expect(changes.map((c) => [c.id, c.before.decision, c.after.decision])).toEqual([
      ['rug-800', 'CLEAR', 'REFUSE'],
      ['tapestry-kg', 'CLEAR', 'HOLD'],
    ]);
    expect(changes[1]?.gained).toEqual([
      expect.objectContaining({ kind: 'value-undetermined', measure: 'UN-2321-LUX' }),
    ]);
  }, 60_000);
});
