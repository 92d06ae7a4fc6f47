import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../../test/databases.js';
import { REPO_ROOT, sharedPath } from '../../../test/shared-data.js';

const run = promisify(execFile);
const home = mkdtempSync(join(tmpdir(), 'embargo-trade-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function embargo(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return embargoWith({}, ...args);
}

async function embargoWith(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [join(REPO_ROOT, 'bin/embargo.js'), ...args], {
      env: { ...process.env, EMBARGO_DB: '', EMBARGO_USER: '', EMBARGO_HOME: home, ...env },
      cwd: home,
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('embargo trade (child processes)', () => {
  it('loads the shipped dataset on first use and shows coal with gaps as unreported', async () => {
    const { code, stdout } = await embargo(
      'trade',
      'series',
      '--partner',
      'KP',
      '--commodity',
      '2701',
      '--from',
      '2016-03',
      '--to',
      '2016-06',
      '--format',
      'json',
    );
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as {
      period: string;
      status: string;
      value?: number;
      change_yoy_pct?: number;
    }[];
    expect(rows.map((r) => [r.period, r.status, r.value ?? null])).toEqual([
      ['2016-03', 'unreported', null],
      ['2016-04', 'reported', 72200000],
      ['2016-05', 'reported', 74700000],
      ['2016-06', 'unreported', null],
    ]);
    expect(rows[1]?.change_yoy_pct).toBeCloseTo(-38.08, 2);
  });

  it('imports a Comtrade extract idempotently and reports rejected rows with file and line (exit 3)', async () => {
    const file = sharedPath('data/trade/comtradeplus_2022_annual_totals_by_partner_CHN-USA-DEU.csv');
    const first = await embargo('trade', 'import', file, '--output', 'json');
    expect(first.code).toBe(0);
    const [summary] = JSON.parse(first.stdout) as { format: string; added: number; rejected: number }[];
    expect(summary).toMatchObject({ format: 'comtrade', rejected: 0 });
    expect(summary?.added).toBeGreaterThan(1000);
    const again = await embargo('trade', 'import', file, '--output', 'json');
    expect(JSON.parse(again.stdout)[0]).toMatchObject({ added: 0 });

    const bad = join(home, 'bad.csv');
    writeFileSync(
      bad,
      'reporter,partner,flow,period,commodity,value\nCN,KP,import,2016-13,2701,5\nCN,KP,import,2016-12,2701,6\n',
    );
    const r = await embargo('trade', 'import', bad);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("bad.csv:2 field 'period'");
    expect(r.stderr).toContain('[EMB_TRADE_ROW_INVALID]');
  });

  it('yoy: the same year-on-year table from a large Comtrade file with worker threads as without (exit 3 for a bad row)', async () => {
    // 17 MiB, over the size where the reader starts worker threads
    const header =
      'Classification,Year,Period,Trade Flow Code,Trade Flow,Reporter Code,Reporter ISO,Partner Code,Partner ISO,2nd Partner Code,2nd Partner ISO,Commodity Code,Commodity,Netweight (kg),Trade Value (US$)';
    const lines = [header];
    for (let i = 0; i < 200_000; i++) {
      const month = `${2015 + ((i >> 6) % 3)}${String((i % 12) + 1).padStart(2, '0')}`;
      const name =
        i % 3 ? 'Coal' : '"Iron or steel; screws, bolts, nuts and the like, of a kind used in mining"';
      lines.push(
        `H4,${month.slice(0, 4)},${month},${i % 2 ? 1 : 2},${i % 2 ? 'Import' : 'Export'},156,CHN,408,PRK,,,${2701 + (i % 40)},${name},${i * 3},${1000 + (i % 977)}`,
      );
    }
    lines[150_001] = lines[150_001]!.replace(/,\d+$/, ',n/a-value');
    const big = join(home, 'big-comtrade.csv');
    writeFileSync(big, `${lines.join('\n')}\n`);
    expect(statSync(big).size).toBeGreaterThan(16 << 20);
    const single = await embargoWith({ EMBARGO_TRADE_WORKERS: '0' }, 'trade', 'yoy', big, '--output', 'csv');
    const parallel = await embargoWith(
      { EMBARGO_TRADE_WORKERS: '2', EMBARGO_TRADE_WORKERS_WAIT: '1' },
      'trade',
      'yoy',
      big,
      '--output',
      'csv',
    );
    expect(parallel.code).toBe(3);
    expect(parallel.stdout).toBe(single.stdout);
    expect(parallel.stderr).toMatch(/; 2 worker threads read \d+ of \d+ chunks\n$/);
    expect(parallel.stderr.replace(/; 2 worker threads read .*/, '')).toBe(single.stderr);
    expect(parallel.stderr).toContain("big-comtrade.csv:150002 field 'trade value (us$)'");
    const rows = parallel.stdout.trim().split('\n');
    expect(rows[0]).toBe('commodity,flow,period,value_usd,year_before_usd,change_yoy_pct');
    expect(rows.length).toBeGreaterThan(300);
    const bad = await embargoWith({ EMBARGO_TRADE_WORKERS: 'many' }, 'trade', 'yoy', big);
    expect(bad.code).toBe(2);
  }, 60_000);

  it('yoy: annual figures of the real cement-clinker extract, one partner, without storing them', async () => {
    const file = sharedPath('data/trade/comtrade_CHN_HS252310_cement-clinker_by_partner_1992-2020.csv');
    const r = await embargo('trade', 'yoy', file, '--partner', 'KP', '--flow', 'export', '--output', 'csv');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'commodity,flow,period,value_usd,year_before_usd,change_yoy_pct',
      '252310,export,2015,2469997,,',
      '252310,export,2016,2023026,2469997,-18.1',
      '252310,export,2017,1337398,2023026,-33.89',
    ]);
  });

  it('keeps observations in the main store (no trade.db), audited like every other change', async () => {
    expect(existsSync(join(home, 'embargo.db'))).toBe(true);
    expect(existsSync(join(home, 'trade.db'))).toBe(false);
    const verify = await embargo('audit', 'verify');
    expect(verify.code).toBe(0);
    const lines = (await embargo('audit', 'export')).stdout.trim().split('\n');
    const imports = lines.map((l) => JSON.parse(l)).filter((e) => e.action === 'trade.imported');
    expect(imports.map((e) => e.payload.file)).toEqual(
      expect.arrayContaining(['seed-observations.yaml', 'bad.csv']),
    );
  });

  it('imports into PostgreSQL with --db and reads back through EMBARGO_DB', async () => {
    const database = await freshDatabase('postgres');
    try {
      const file = join(home, 'one.csv');
      writeFileSync(file, 'reporter,partner,flow,period,commodity,value\nCN,KP,import,2031-01,2608,123\n');
      const r = await embargoWith(
        { EMBARGO_USER: 'olga' },
        'trade',
        'import',
        file,
        '--db',
        database.target,
        '--output',
        'json',
      );
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)[0]).toMatchObject({ added: 1, rejected: 0 });
      const series = await embargoWith(
        { EMBARGO_DB: database.target },
        'trade',
        'series',
        '--commodity',
        '2608',
        '--from',
        '2031-01',
        '--to',
        '2031-01',
        '--format',
        'json',
      );
      expect(JSON.parse(series.stdout)).toEqual([expect.objectContaining({ period: '2031-01', value: 123 })]);
      const exported = await embargoWith({ EMBARGO_DB: database.target }, 'audit', 'export');
      const entries = exported.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(entries.map((e) => [e.actor, e.payload.file])).toEqual([
        ['olga', 'seed-observations.yaml'],
        ['olga', 'one.csv'],
      ]);
      expect((await embargoWith({ EMBARGO_DB: database.target }, 'audit', 'verify')).code).toBe(0);
    } finally {
      await database.cleanup();
    }
  });

  it('lists the April 2016 coal correction among the conflicts', async () => {
    const { code, stdout } = await embargo('trade', 'conflicts', '--kind', 'correction', '--format', 'json');
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as { period: string; values: number[]; detail: string }[];
    expect(rows).toEqual([expect.objectContaining({ period: '2016-04', values: [7210000, 72200000] })]);
    expect(rows[0]?.detail).toContain('Choson Ilbo');
  });

  it('lists sources with their figures and refuses an unknown --format', async () => {
    const { stdout } = await embargo('trade', 'sources', '--format', 'json');
    const rows = JSON.parse(stdout) as { source: string; figures: number }[];
    expect(rows.find((r) => r.source === 'Choson Ilbo')?.figures).toBeGreaterThan(10);
    const bad = await embargo('trade', 'report', '--format', 'pdf');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('EMB_USAGE');
  });

  it('writes a report as JSON with the annualised Jan–Apr 2016 figures', async () => {
    const { stdout } = await embargo('trade', 'report', '--period', '2016', '--format', 'json');
    const report = JSON.parse(stdout) as {
      aggregates: { period: string; flow: string; value: number; annualised?: number }[];
    };
    const ytd = report.aggregates.filter((a) => a.period === '2016 Jan–Apr');
    expect(ytd.find((a) => a.flow === 'total')?.annualised).toBeCloseTo(4.791e9, -6);
    expect(ytd.find((a) => a.flow === 'balance')?.annualised).toBeCloseTo(381e6, -5);
  });

  it('renders a self-contained HTML report that Chromium shows with charts, measure dates and the coal conflict', async () => {
    const out = join(home, 'trade.html');
    const { code } = await embargo('trade', 'report', '--format', 'html', '--out', out);
    expect(code).toBe(0);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
      const requests: string[] = [];
      page.on('request', (req) => requests.push(req.url()));
      await page.goto(`file://${out}`);
      expect(requests).toEqual([`file://${out}`]); // nothing fetched from anywhere
      expect(await page.title()).toContain('China–KP trade');
      // monthly totals: three series, points, and unreported months as bands
      const totals = page.locator('#chart-totals');
      await expect(totals.isVisible()).resolves.toBe(true);
      expect(await totals.locator('path.series').count()).toBe(3);
      expect(await totals.locator('circle.point').count()).toBeGreaterThan(50);
      expect(await totals.locator('rect.unreported').count()).toBeGreaterThan(0);
      // the measures' effective dates are marked
      const dates = await totals
        .locator('g.measure-marker')
        .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-date')));
      expect(dates).toEqual(expect.arrayContaining(['2016-03-02', '2016-04-05', '2017-08-05']));
      const text = await page.locator('body').textContent();
      expect(text).toContain('2016-04-05 CN-MOFCOM-11-2016-1');
      // value vs quantity vs unit value for coal, and the sanctioned share
      expect(await page.locator('#chart-value-2701 circle.point').count()).toBeGreaterThan(5);
      expect(await page.locator('#chart-quantity-2701 circle.point').count()).toBeGreaterThan(5);
      expect(await page.locator('#chart-unit-value-2701 circle.point').count()).toBeGreaterThan(1);
      expect(await page.locator('#chart-share g.share-bar').count()).toBeGreaterThan(3);
      // zinc beside coal, and the coal conflict in the conflicts table
      expect(text).toMatch(/2608 zinc.*not banned/);
      // crude oil stops being reported after 2013: listed as a gap, not a zero
      expect(await page.locator('table.stopped').textContent()).toMatch(
        /2709 crude oil.*export.*quantity.*2013-12/,
      );
      const correction = page.locator('table.conflicts tr', { hasText: 'correction' }).first();
      const row = await correction.textContent();
      expect(row).toContain('7,210,000');
      expect(row).toContain('72,200,000');
      expect(row).toContain('Choson Ilbo');
      const box = await page.locator('#chart-totals').boundingBox();
      expect(box?.width).toBeGreaterThan(600);
    } finally {
      await browser.close();
    }
  });
});
