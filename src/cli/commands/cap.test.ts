import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/shared-data.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'embargo-cap-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function embargo(
  home: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [join(REPO_ROOT, 'bin/embargo.js'), ...args], {
      env: { ...process.env, EMBARGO_HOME: home },
      cwd: root,
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const HEADER =
  'id,date,direction,hs_code,to,purpose,quantity,unit,value,currency,consignor,consignee,vessel_name';

/** Refined petroleum to the DPRK under No. 52: 4 batches of 8, dates interleaved across Oct–Dec 2017. */
function batches(): string[][] {
  const out: string[][] = [[], [], [], []];
  for (let i = 0; i < 32; i++) {
    const day = 1 + ((i * 11) % 28);
    const month = 10 + (i % 3);
    const tonnes = 1_500 + (i % 5) * 250;
    out[i % 4]!.push(
      `P${String(i).padStart(2, '0')},2017-${month}-${String(day).padStart(2, '0')},export,2710192300,KP,livelihood,${tonnes},t,${tonnes * 480},USD,Dandong Fuel Co,Importer ${i % 3},Vessel ${i % 2}`,
    );
  }
  return out;
}

describe('embargo cap (child processes)', () => {
  it('concurrent consume runs end in the same ledger as one sequential, date-sorted run', async () => {
    const files = batches().map((rows, k) => {
      const f = join(root, `batch-${k}.csv`);
      writeFileSync(f, `${HEADER}\n${rows.join('\n')}\n`);
      return f;
    });
    const all = join(root, 'all.csv');
    writeFileSync(all, `${HEADER}\n${batches().flat().join('\n')}\n`);

    const concurrent = join(root, 'home-concurrent');
    const results = await Promise.all(
      files.map((f) => embargo(concurrent, 'cap', 'consume', f, '--format', 'json')),
    );
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);

    const sequential = join(root, 'home-sequential');
    expect((await embargo(sequential, 'cap', 'consume', all)).code).toBe(0);

    const status = async (home: string) =>
      JSON.parse(
        (await embargo(home, 'cap', 'status', '--measure', 'CN-MOFCOM-52-2017-3', '--format', 'json')).stdout,
      );
    const report = async (home: string) =>
      JSON.parse(
        (
          await embargo(
            home,
            'cap',
            'report',
            '--measure',
            'CN-MOFCOM-52-2017-3',
            '--period',
            '2017-10-01..2017-12-31',
            '--format',
            'json',
          )
        ).stdout,
      );
    const [s1, s2] = await Promise.all([status(concurrent), status(sequential)]);
    expect(s1).toEqual(s2);
    // the report is derived from the same replay as the status: one side suffices
    const r2 = await report(sequential);
    // the batches together pass China's 95 % stop: some were refused, in date order
    const q4 = s2.find((s: { from: string }) => s.from === '2017-10-01');
    expect(q4.fraction).toBeGreaterThan(0.9);
    expect(q4.fraction).toBeLessThanOrEqual(0.95);
    expect(q4.warningLevelsReached).toEqual(expect.arrayContaining([0.75, 0.9]));
    expect(r2.declarations).toBeLessThan(32);
    expect(r2.declarations).toBeGreaterThan(20);
    const lastCounted = r2.lines.at(-1).date;
    expect(r2.lines.every((l: { date: string }) => l.date <= lastCounted)).toBe(true);
  }, 120_000);

  it('sets the running total from the Committee’s figure and reports the rest as headroom', async () => {
    const home = join(root, 'home-total');
    const set = await embargo(
      home,
      'cap',
      'set-total',
      '--measure',
      'UN-2397-OP5',
      '--date',
      '2018-06-30',
      '--total',
      '490,000:bbl',
      '--source',
      '1718 Committee web page',
      '--format',
      'json',
    );
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)[0]).toMatchObject({
      measure: 'UN-2397-OP5',
      percent: '98.0%',
      headroom: '10,000 bbl',
    });
    const f = join(root, 'late.csv');
    writeFileSync(
      f,
      `${HEADER}\nL1,2018-07-02,export,27101923,KP,livelihood,12000,bbl,,,,Importer 1,\nL2,2018-07-03,export,27101923,KP,livelihood,9000,bbl,,,,Importer 2,\n`,
    );
    const consumed = await embargo(home, 'cap', 'consume', f, '--jurisdiction', 'UN', '--format', 'json');
    const decisions = JSON.parse(consumed.stdout) as {
      id: string;
      decision: string;
      reasons: { kind: string; details: Record<string, unknown> | null }[];
    }[];
    expect(decisions.map((d) => d.decision)).toEqual(['REFUSE', 'CLEAR']);
    expect(decisions[0]?.reasons.find((r) => r.kind === 'cap-exceeded')?.details?.headroom).toEqual({
      bbl: 10_000,
    });
    // the Committee's figure already stood past every warning level: none is noted again
    expect(decisions[1]?.reasons.map((r) => r.kind)).toEqual([
      'exception-applied',
      'notification-duty',
      'notification-duty',
      'cap-consumed',
    ]);
  }, 60_000);

  it('refuses an unknown cap unit, period or capless measure with EMB_CAP_UNKNOWN', async () => {
    const home = join(root, 'home-errors');
    const unit = await embargo(
      home,
      'cap',
      'set-total',
      '--measure',
      'UN-2397-OP5',
      '--date',
      '2018-06-30',
      '--total',
      '5:t',
    );
    expect(unit.code).toBe(1);
    expect(unit.stderr).toMatch(/counts in bbl, not 't'.*\[EMB_CAP_UNKNOWN\]/);
    const when = await embargo(
      home,
      'cap',
      'set-total',
      '--measure',
      'UN-2397-OP5',
      '--date',
      '2017-06-30',
      '--total',
      '5:bbl',
    );
    expect(when.stderr).toMatch(
      /no period of cap refined-aggregate of UN-2397-OP5 contains 2017-06-30 \[EMB_CAP_UNKNOWN\]/,
    );
    const none = await embargo(home, 'cap', 'report', '--measure', 'UN-2371-OP9', '--period', '2017');
    expect(none.stderr).toMatch(/measure UN-2371-OP9 has no cap \[EMB_CAP_UNKNOWN\]/);
  }, 60_000);

  it('records the good rows of a file with a malformed one and exits 3', async () => {
    const home = join(root, 'home-rejects');
    const f = join(root, 'mixed.csv');
    writeFileSync(
      f,
      `${HEADER}\nG1,2017-10-05,export,2710192300,KP,livelihood,100,t,,,,,\nB1,2017-13-05,export,2710192300,KP,livelihood,100,t,,,,,\n`,
    );
    const r = await embargo(home, 'cap', 'consume', f);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/mixed\.csv:3 field 'date'/);
    expect(r.stdout).toContain('G1');
  }, 60_000);
});
