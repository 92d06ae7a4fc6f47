import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbargoError } from '../../core/errors.js';
import { parseEmbargoListCsv, parseEmbargoListYaml } from './embargo-list-parser.js';
import { loadDefaultList, loadListFile } from './list-loader.js';

const tmp = mkdtempSync(join(tmpdir(), 'embargo-own-'));

describe('embargo list format', () => {
  it('loads the default list the product ships, every entry with a source', () => {
    const list = loadDefaultList();
    expect(list.version.id).toBe('embargo-default');
    expect(list.entities.length).toBeGreaterThanOrEqual(30);
    expect(list.entities.every((e) => e.source && e.names.length > 0)).toBe(true);
    expect(list.entities.filter((e) => e.type === 'vessel' && e.imo).length).toBeGreaterThanOrEqual(10);
    const history = list.entities.find((e) => e.id === 'EMB-W-0001');
    expect(history?.action).toBe('watch');
    expect(history?.names.find((n) => n.name === '애국복합미생물센터')).toMatchObject({
      from: '1997-06',
      to: '2010-12',
    });
  });

  it('reports a bad entry with line and path and keeps the others', () => {
    const yaml = [
      'format: embargo-party-list/1',
      'list: { id: national, source: National list, published: 2026-01-01 }',
      'entries:',
      '  - id: N-1',
      '    type: entity',
      '    names: [{ name: Good Trading Co }]',
      '    source: gazette 12',
      '  - id: N-2',
      '    type: company',
      '    names: [{ name: Bad Type }]',
      '    source: gazette 13',
      '  - id: N-3',
      '    type: person',
      '    names: [{ name: Kim A, kind: primary, colour: red }]',
      '    source: gazette 14',
    ].join('\n');
    const parse = parseEmbargoListYaml(yaml, { file: 'national.yaml' });
    expect(parse.items.map((e) => e.id)).toEqual(['N-1']);
    expect(parse.errors.map((e) => [e.details?.line, e.details?.path])).toEqual([
      [9, 'entries.1.type'],
      [14, 'entries.2.names.0'],
    ]);
    expect(parse.header).toMatchObject({ id: 'national', published: '2026-01-01' });
  });

  it('refuses a file with a bad header or broken YAML', () => {
    expect(() => parseEmbargoListYaml('format: other\nlist: {}\nentries: []', { file: 'x.yaml' })).toThrow(
      EmbargoError,
    );
    try {
      parseEmbargoListYaml('format: embargo-party-list/1\nlist: [\n', { file: 'x.yaml' });
    } catch (error) {
      expect((error as EmbargoError).code).toBe('EMB_LIST_INVALID');
    }
  });

  it('reads the CSV form: one row per name, rows grouped by id, with dates and relations', () => {
    const csv = [
      '\ufeffid,type,name,kind,from,to,programs,source,relations',
      'W-1,entity,Bio-Technical Institute under KPA Unit 810,primary,2015-07,,WATCH,seed article,part-of:KPA Unit 810',
      'W-1,entity,Patriotic Complex Microbial Center,former,1997-06,2010-12,,,',
      '',
      'W-2,vessel,"PAEK MA",primary,,,DPRK4,OFAC 23737,',
      'W-3,entity,Bad Date Corp,primary,1997-13-40,,,src,',
    ].join('\r\n');
    const parse = parseEmbargoListCsv(csv, { file: 'own.csv' });
    expect(parse.items.map((e) => e.id)).toEqual(['W-1', 'W-2']);
    expect(parse.items[0]?.names[1]).toEqual({
      name: 'Patriotic Complex Microbial Center',
      kind: 'former',
      from: '1997-06',
      to: '2010-12',
    });
    expect(parse.items[0]?.relations).toEqual([{ kind: 'part-of', target: 'KPA Unit 810' }]);
    expect(parse.errors.map((e) => [e.details?.line, e.details?.field])).toEqual([[6, 'from']]);
    const path = join(tmp, 'own.csv');
    writeFileSync(path, csv);
    expect(loadListFile(path, { skipBad: true }).format).toBe('embargo');
  });

  it('refuses a CSV without the required columns', () => {
    expect(() => parseEmbargoListCsv('id,name\n1,x\n', { file: 'x.csv' })).toThrow(/type/);
  });
});
