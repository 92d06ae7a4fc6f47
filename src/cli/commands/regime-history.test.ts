import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/shared-data.js';

const run = promisify(execFile);
const home = mkdtempSync(join(tmpdir(), 'embargo-history-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function embargo(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [join(REPO_ROOT, 'bin/embargo.js'), ...args], {
      env: { ...process.env, EMBARGO_HOME: home },
      cwd: home,
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('embargo regime timeline / diff (child processes)', () => {
  it('lists China’s coal measures in order, with who ended them', async () => {
    const { code, stdout } = await embargo('regime', 'timeline', '--hs', '2701', '--format', 'json');
    expect(code).toBe(0);
    const t = JSON.parse(stdout) as {
      spans: { measure: string; to: string | null; endedBy: string | null }[];
    };
    expect(t.spans.map((s) => s.measure)).toEqual([
      'CN-MOFCOM-11-2016-1',
      'CN-MOFCOM-75-2016',
      'CN-MOFCOM-81-2016-1',
      'CN-MOFCOM-12-2017',
      'CN-MOFCOM-40-2017-1',
    ]);
    expect(t.spans[0]).toMatchObject({ to: '2017-08-15', endedBy: 'CN-MOFCOM-40-2017-1' });
  });

  it('prints a table for people and refuses an unknown jurisdiction with exit 2', async () => {
    const table = await embargo(
      'regime',
      'timeline',
      '--jurisdiction',
      'UN',
      '--hs',
      '2709',
      '--on',
      '2018-03-01',
    );
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^measure\s+jurisdiction\s+direction/);
    expect(table.stdout).toContain('UN-2397-OP4');
    // --on keeps only what was in force that day: 2375's crude freeze had ended
    expect(table.stdout).not.toContain('UN-2375-OP15');
    const bad = await embargo('regime', 'timeline', '--jurisdiction', 'EU');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown --jurisdiction 'EU'.*\[EMB_USAGE\]/);
  });

  it('diffs two dates as CSV and JSON', async () => {
    const csv = await embargo(
      'regime',
      'diff',
      '--from',
      '2017-12-21',
      '--to',
      '2017-12-22',
      '--jurisdiction',
      'UN',
      '--format',
      'csv',
    );
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('change,measure,detail');
    expect(lines).toContain(
      "ended,UN-2375-OP15,Crude oil to the DPRK frozen at each State's prior twelve-month level (ended by UN-2397-OP4)",
    );
    expect(lines.some((l) => l.startsWith('hs-gained,UN-2397-OP7,export 84'))).toBe(true);
    const json = await embargo(
      'regime',
      'diff',
      '--from',
      '2016-12-01',
      '--to',
      '2017-01-15',
      '--format',
      'json',
    );
    const d = JSON.parse(json.stdout) as { transient: { measure: string }[] };
    expect(d.transient.map((m) => m.measure)).toEqual(['CN-MOFCOM-75-2016']);
  });

  it('rejects a date that is not on the calendar', async () => {
    const r = await embargo('regime', 'diff', '--from', '2017-02-30', '--to', '2017-03-01');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--from '2017-02-30' is not a calendar date");
  });

  it('renders a self-contained HTML timeline that real Chromium shows with measures and dates', async () => {
    const out = join(home, 'timeline.html');
    const r = await embargo('regime', 'timeline', '--jurisdiction', 'all', '--format', 'html', '--out', out);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    // self-contained: nothing fetched from anywhere
    expect(html).not.toMatch(/<script|<link|src=|url\(/i);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (req) => requests.push(req.url()));
      await page.goto(`file://${out}`);
      expect(requests).toEqual([`file://${out}`]);
      const bars = await page.locator('svg g.measure').count();
      expect(bars).toBeGreaterThanOrEqual(35);
      const labels = await page.locator('svg text.label').allTextContents();
      expect(labels).toEqual(
        expect.arrayContaining(['UN-2270-OP29 *', 'CN-MOFCOM-75-2016 *', 'UN-2397-OP4']),
      );
      const box = await page.locator('svg g[data-measure="CN-MOFCOM-75-2016"] rect').first().boundingBox();
      const wide = await page.locator('svg g[data-measure="CN-MOFCOM-12-2017"] rect').first().boundingBox();
      // three weeks of suspension draw narrower than ten and a half months
      expect(box && wide && box.width < wide.width / 5).toBe(true);
      const text = (await page.locator('body').textContent()) ?? '';
      for (const date of ['2016-03-02', '2016-12-11', '2017-08-15', '2017-09-05', '2017-12-22', '2018-01-06'])
        expect(text).toContain(date);
      expect(await page.locator('svg text.year').allTextContents()).toEqual(
        expect.arrayContaining(['2016', '2017', '2018']),
      );
    } finally {
      await browser.close();
    }
  }, 60_000);
});
