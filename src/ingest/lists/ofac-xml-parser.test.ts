import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EmbargoError } from '../../core/errors.js';
import { loadListFile } from './list-loader.js';
import { parseOfacXml } from './ofac-xml-parser.js';

const FIXTURE = new URL('./fixtures/ofac-sdn-sample.xml', import.meta.url).pathname;

describe('OFAC SDN XML', () => {
  const loaded = loadListFile(FIXTURE);
  const byRef = new Map(loaded.list.entities.map((e) => [e.reference, e]));

  it('reads sdnEntry records, keeps DPRK programs only, and takes the publish date', () => {
    expect(loaded.format).toBe('ofac-xml');
    expect([...byRef.keys()]).toEqual(['9345', '17069', '20157', '21444', '23733', '23734']);
    expect(loaded.filteredOut).toBe(1);
    expect(loaded.list.version).toMatchObject({ id: 'ofac-sdn', published: '2024-05-03' });
    expect(loadListFile(FIXTURE, { all: true }).list.entities).toHaveLength(7);
  });

  it('writes individuals family name first and maps aka categories', () => {
    expect(byRef.get('20157')).toMatchObject({
      type: 'person',
      names: [{ name: 'KIM, Jong Un', kind: 'primary' }],
      programs: ['DPRK3'],
    });
    expect(byRef.get('9345')?.names).toEqual([
      { name: 'KOREA MINING DEVELOPMENT TRADING CORPORATION', kind: 'primary' },
      { name: 'CHANGGWANG SINYONG CORPORATION', kind: 'strong-alias' },
      { name: 'KOMID', kind: 'weak-alias' },
    ]);
  });

  it('reads the IMO number of vessels from idList', () => {
    expect(byRef.get('17069')).toMatchObject({ type: 'vessel', imo: '7937317' });
    expect(byRef.get('23734')?.imo).toBe('7408873');
  });

  it('refuses a truncated file naming its last line', () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const cut = text.slice(0, text.indexOf('<uid>20157</uid>'));
    try {
      parseOfacXml(cut, { file: 'sdn.xml' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EmbargoError);
      expect((error as EmbargoError).code).toBe('EMB_LIST_MALFORMED');
      expect((error as EmbargoError).details?.line).toBe(cut.split('\n').length);
      expect((error as EmbargoError).message).toContain('truncated');
    }
  });

  it('reports an entry without a name or uid by line and field', () => {
    const xml = `<sdnList>\n<sdnEntry><uid>1</uid><sdnType>Entity</sdnType><programList><program>DPRK</program></programList></sdnEntry>\n<sdnEntry><lastName>X</lastName><programList><program>DPRK</program></programList></sdnEntry>\n</sdnList>`;
    const parse = parseOfacXml(xml, { file: 'sdn.xml' });
    expect(parse.items).toEqual([]);
    expect(parse.errors.map((e) => [e.details?.line, e.details?.field])).toEqual([
      [2, 'lastName'],
      [3, 'uid'],
    ]);
  });
});
