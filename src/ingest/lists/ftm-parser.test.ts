import { describe, expect, it } from 'vitest';
import { parseFtm } from './ftm-parser.js';
import { loadListFile } from './list-loader.js';

const FIXTURE = new URL('./fixtures/opensanctions-sample.ftm.jsonl', import.meta.url).pathname;

describe('OpenSanctions FtM JSON lines', () => {
  const loaded = loadListFile(FIXTURE, { published: '2026-05-01' });

  it('reads Person, Company, Organization, LegalEntity and Vessel, skipping other schemata', () => {
    expect(loaded.format).toBe('ftm');
    expect(loaded.list.entities.map((e) => [e.id, e.type])).toEqual([
      ['NK-kim-jong-un', 'person'],
      ['NK-komid', 'entity'],
      ['NK-rgb', 'entity'],
      ['NK-tanchon', 'entity'],
      ['NK-chong-chon-gang', 'vessel'],
    ]);
    expect(loaded.warnings.join()).toContain('1 entity(ies) of other schemata skipped');
    expect(loaded.filteredOut).toBe(1);
    expect(loaded.list.version).toMatchObject({ id: 'opensanctions-sample', published: '2026-05-01' });
  });

  it('maps name properties to kinds, the UN reference and the IMO number', () => {
    const kim = loaded.list.entities[0];
    expect(kim?.names).toContainEqual({ name: '김정은', kind: 'strong-alias' });
    expect(kim?.names).toContainEqual({ name: 'Marshal', kind: 'weak-alias' });
    expect(loaded.list.entities[3]?.names).toContainEqual({ name: 'Changgwang Credit Bank', kind: 'former' });
    expect(loaded.list.entities[1]?.reference).toBe('KPe.001');
    expect(loaded.list.entities[4]?.imo).toBe('7937317');
  });

  it('reports bad lines by number and keeps the good ones (BOM, blank lines, truncated JSON)', () => {
    const text = [
      '\ufeff{"id":"a","schema":"Person","properties":{"name":["Kim Good"],"nationality":["kp"]}}',
      '',
      '{"id":"b","schema":"Person","properties":{"name":["Kim Tru',
      '{"id":"c","schema":"Company","properties":{"country":["kp"]}}',
      '{"schema":"Vessel","properties":{"name":["X"],"flag":["kp"]}}',
      '[1,2]',
    ].join('\n');
    const parse = parseFtm(text, { file: 'x.jsonl' });
    expect(parse.items.map((e) => e.id)).toEqual(['a']);
    expect(parse.errors.map((e) => [e.details?.line, e.details?.field])).toEqual([
      [3, undefined],
      [4, 'properties.name'],
      [5, 'id'],
      [6, 'schema'],
    ]);
  });
});
