import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../test/shared-data.js';
import { EmbargoError } from '../../core/errors.js';
import { loadListFile } from './list-loader.js';
import { parseOfacCsv, parsePrograms } from './ofac-csv-parser.js';

const SDN_2024 = sharedPath('data', 'lists', 'ofac', 'sdn_2024-05-03', 'sdn.csv');
const TRIO = sharedPath('data', 'lists', 'ofac', 'trio_2022-01', 'sdn.csv');
const tmp = mkdtempSync(join(tmpdir(), 'embargo-ofac-'));

describe('OFAC SDN CSV trio', () => {
  it('reads the 484 DPRK entries of the real 2024 sdn.csv (cp1252, Ctrl-Z, -0-)', () => {
    const loaded = loadListFile(SDN_2024, { published: '2024-05-03' });
    expect(loaded.format).toBe('ofac-csv');
    const entities = loaded.list.entities;
    expect(entities).toHaveLength(484);
    const count = (type: string) => entities.filter((e) => e.type === type).length;
    expect(count('person')).toBe(164);
    expect(count('vessel')).toBe(105);
    expect(loaded.list.version.published).toBe('2024-05-03');
    const kim = entities.find((e) => e.reference === '20157');
    expect(kim).toMatchObject({ id: 'OFAC-20157', type: 'person', programs: ['DPRK3'] });
    expect(kim?.names[0]).toEqual({ name: 'KIM, Jong Un', kind: 'primary' });
    expect(entities.find((e) => e.reference === '17069')?.imo).toBe('7937317');
    expect(entities.every((e) => e.names.every((n) => n.name !== '-0-'))).toBe(true);
  });

  it('reads all 14,965 entries with --all', () => {
    expect(loadListFile(SDN_2024, { all: true }).list.entities).toHaveLength(14_965);
  });

  it('joins aliases from alt.csv and takes a.k.a. from the remarks', () => {
    const loaded = loadListFile(TRIO);
    expect(loaded.files.map((f) => f.split('/').pop())).toEqual(['sdn.csv', 'alt.csv', 'add.csv']);
    const komid = loaded.list.entities.find((e) => e.reference === '9345');
    expect(komid?.names.map((n) => n.name)).toEqual(
      expect.arrayContaining([
        'KOMID',
        'CHANGGWANG SINYONG CORPORATION',
        'EXTERNAL TECHNOLOGY GENERAL CORPORATION',
      ]),
    );
    expect(loaded.warnings.join()).toContain('1 address row');
  });

  it('splits bracketed programs', () => {
    expect(parsePrograms('NPWMD] [DPRK2')).toEqual(['NPWMD', 'DPRK2']);
    expect(parsePrograms('DPRK')).toEqual(['DPRK']);
  });

  it('decodes Windows-1252 names from the file bytes', () => {
    const dir = join(tmp, 'cp1252');
    mkdirSync(dir, { recursive: true });
    const row =
      '1,"SOCIÉTÉ GÉNÉRALE DE CHOSON","-0- ","DPRK",-0-,-0-,-0-,-0-,-0-,-0-,-0-,"a.k.a. \'CAFÉ\'."\r\n\x1a';
    writeFileSync(join(dir, 'sdn.csv'), iconv.encode(row, 'win1252'));
    const entity = loadListFile(join(dir, 'sdn.csv')).list.entities[0];
    expect(entity?.names).toEqual([
      { name: 'SOCIÉTÉ GÉNÉRALE DE CHOSON', kind: 'primary' },
      { name: 'CAFÉ', kind: 'strong-alias' },
    ]);
  });

  it('reports truncated rows, stray quotes and bad numbers by line and keeps the good rows', () => {
    const lines = readFileSync(SDN_2024, 'latin1').split('\r\n');
    const dprk = lines.filter((l) => /DPRK/.test(l)).slice(0, 3);
    const text = [
      dprk[0],
      '99999991,"KIM STRAY QUOTE,individual,"DPRK",-0-',
      dprk[1],
      'X1,"NOT A NUMBER","individual","DPRK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
      '99999992,"TRUNCATED","individual"',
      '',
      dprk[2],
      '\x1a',
    ].join('\r\n');
    const parse = parseOfacCsv({ sdn: { text, file: 'sdn.csv' } }, {});
    expect(parse.items).toHaveLength(3);
    expect(parse.errors.map((e) => e.details?.line).sort()).toEqual([2, 4, 5]);
    expect(parse.errors.find((e) => e.details?.line === 4)?.details?.field).toBe('ent_num');
  });

  it('refuses a UTF-16 file and a file with bad rows unless --skip-bad', () => {
    const dir = join(tmp, 'bad');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'sdn.csv'), iconv.encode('1,"A","-0-","DPRK"', 'utf16-le', { addBOM: true }));
    expect(() => loadListFile(join(dir, 'sdn.csv'))).toThrow(EmbargoError);
    try {
      loadListFile(join(dir, 'sdn.csv'));
    } catch (error) {
      expect((error as EmbargoError).code).toBe('EMB_FILE_ENCODING');
    }
    writeFileSync(
      join(dir, 'sdn.csv'),
      '1,"KIM, A","individual","DPRK",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n2,"TRUNC"\n',
    );
    expect(() => loadListFile(join(dir, 'sdn.csv'))).toThrow(/nothing was imported/);
    expect(loadListFile(join(dir, 'sdn.csv'), { skipBad: true }).list.entities).toHaveLength(1);
  });
});
