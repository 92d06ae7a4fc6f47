import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTradeFile } from './trade-file-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'embargo-trade-obs-'));
const fixture = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('embargo observations CSV', () => {
  const header =
    'id,reporter,partner,flow,period,commodity,label,measure,value,unit,basis,qualifier,status,supersedes,outlet,title,author,published,url,primary,dataset,release,notes';

  it('reads reports and datasets, and a correction that supersedes', () => {
    const path = fixture(
      'obs.csv',
      `\uFEFF${header}\n` +
        'a,CN,KP,import,2016-04,2701,coal,value,7210000,USD,,,erroneous,,Choson Ilbo,"Sanctions Slash Chinese Imports of N.Korean Products",,2016-05-25,,KITA,,,as printed\n' +
        'b,CN,KP,import,2016-04,2701,coal,value,72200000,USD,,,,a,Yonhap,"Correction, coal",,2016-05-26,,,,,\n' +
        'c,CN,KP,export,2016-01..2016-04,TOTAL,,value,862000000,USD,,approx,,,,,,,,,"UN Comtrade","H4, 2021",\n',
    );
    const r = readTradeFile(path);
    expect(r.format).toBe('observations');
    expect(r.errors).toEqual([]);
    expect(r.items.map((o) => [o.id, o.status, o.supersedes, o.source.kind])).toEqual([
      ['a', 'erroneous', [], 'report'],
      ['b', 'reported', ['a'], 'report'],
      ['c', 'reported', [], 'dataset'],
    ]);
    expect(r.items[2]?.period).toEqual({ kind: 'ytd', start: '2016-01', end: '2016-04' });
    expect(r.items[2]?.qualifier).toBe('approx');
  });

  it('rejects bad records with line and field, keeps the good ones', () => {
    const path = fixture(
      'obs-bad.csv',
      `${header}\n` +
        'a,CN,KP,import,2016-04,2701,,value,1,USD,,,,,Outlet,Title,,,,,,,\n' +
        'b,CN,KP,import,2016-04,2701,,weight,1,USD,,,,,Outlet,Title,,,,,,,\n' +
        'c,CN,KP,import,2016-14,2701,,value,1,USD,,,,,Outlet,Title,,,,,,,\n' +
        'd,CN,KP,import,2016-04,2701,,value,abc,USD,,,,,Outlet,Title,,,,,,,\n' +
        'e,CN,KP,import,2016-04,2701,,value,1,USD,,,,,Outlet,,,,,,,,\n',
    );
    const r = readTradeFile(path);
    expect(r.items.map((o) => o.id)).toEqual(['a']);
    expect(r.errors.map((e) => [e.details?.line, e.details?.field])).toEqual([
      [3, 'measure'],
      [4, 'period'],
      [5, 'value'],
      [6, 'source'],
    ]);
  });
});

describe('embargo observations YAML', () => {
  it('reports a bad record by its line and loads the rest', () => {
    const path = fixture(
      'obs.yaml',
      [
        'format: embargo-trade-observations/1',
        'observations:',
        '  - id: ok',
        '    reporter: CN',
        '    partner: KP',
        '    flow: import',
        '    period: 2016-Q1',
        '    commodity: 2701',
        '    measure: value',
        '    value: 1',
        '    unit: USD',
        '    source: { outlet: Yonhap, title: A title }',
        '  - id: bad',
        '    reporter: CN',
        '    partner: KP',
        '    flow: sideways',
        '    period: "2016"',
        '    commodity: "03"',
        '    measure: value',
        '    value: 1',
        '    unit: USD',
        '    colour: red',
        '    source: { outlet: Yonhap, title: A title }',
        '',
      ].join('\n'),
    );
    const r = readTradeFile(path);
    expect(r.items.map((o) => [o.id, o.commodity, o.period.kind])).toEqual([['ok', '2701', 'quarter']]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.details).toMatchObject({ file: 'obs.yaml', line: 13 });
  });

  it('refuses a file that is not an observations file, or not YAML', () => {
    expect(() => readTradeFile(fixture('other.yaml', 'format: something-else\nobservations: []\n'))).toThrow(
      /not an observations file/,
    );
    expect(() => readTradeFile(fixture('broken.yaml', 'format: [unclosed\n'))).toThrow(/not valid YAML/);
  });

  it('asks for quotes when YAML has eaten the leading zero of an HS code', () => {
    const path = fixture(
      'zero.yaml',
      'format: embargo-trade-observations/1\nobservations:\n  - { id: x, reporter: CN, partner: KP, flow: import, period: "2016", commodity: 3, measure: value, value: 1, unit: USD, source: { outlet: O, title: T } }\n',
    );
    const r = readTradeFile(path);
    expect(r.items).toEqual([]);
    expect(r.errors[0]?.message).toContain('quote codes');
  });
});
