import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../test/shared-data.js';
import { EmbargoError } from '../../core/errors.js';
import { loadListFile } from './list-loader.js';
import { parseUnXml } from './un-xml-parser.js';

const UN_2026 = sharedPath('data', 'lists', 'un', 'consolidated_2026-05-08.xml');
const UN_2025 = sharedPath('data', 'lists', 'un', 'consolidated_2025-08-02.xml');
const tmp = mkdtempSync(join(tmpdir(), 'embargo-un-'));

function thrown(fn: () => unknown): EmbargoError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EmbargoError) return error;
    throw error;
  }
  throw new Error('expected an EmbargoError');
}

describe('UN consolidated list XML', () => {
  const loaded = loadListFile(UN_2026);
  const byRef = new Map(loaded.list.entities.map((e) => [e.reference, e]));

  it('reads the 155 DPRK records of the real 2026 list by default, with version and hash', () => {
    expect(loaded.format).toBe('un-xml');
    expect(loaded.list.entities).toHaveLength(155);
    expect(loaded.list.entities.filter((e) => e.type === 'person')).toHaveLength(80);
    expect(loaded.filteredOut).toBe(1009 - 155);
    expect(loaded.list.version).toMatchObject({
      id: 'un-consolidated',
      published: '2026-05-08',
      hash: '1f1b3bfe29a53e7ac7c42ee4e58d6a7d1ebdf7c5e91fd990d3e63aefe0313dea',
    });
  });

  it('puts the family name (FIRST_NAME) first and keeps alias qualities apart', () => {
    const ri = byRef.get('KPi.076');
    expect(ri?.names[0]).toEqual({ name: 'RI PYONG CHUL', kind: 'primary' });
    expect(ri?.names).toContainEqual({ name: 'Ri Pyong Chol', kind: 'strong-alias' });
    expect(byRef.get('KPi.064')?.names).toContainEqual({ name: 'Choe Sok Min', kind: 'weak-alias' });
    expect(byRef.get('KPe.002')?.names).toContainEqual({
      name: 'LYONGAKSAN GENERAL TRADING CORPORATION',
      kind: 'former',
    });
    expect(byRef.get('KPi.076')?.listedOn).toBe('2017-12-22');
  });

  it('trims reference numbers, splits trailing acronyms and drops cross-references', () => {
    for (const ref of byRef.keys()) expect(ref).toMatch(/^KP[ei]\.\d{3}$/);
    const dcb = byRef.get('KPe.023');
    expect(dcb?.names[0]?.name).toBe('DAEDONG CREDIT BANK');
    expect(dcb?.names.filter((n) => n.name === 'DCB')).toHaveLength(1);
    const ands = byRef.get('KPe.021');
    expect(ands?.names.some((n) => n.name.includes('KPE.018'))).toBe(false);
  });

  it('pulls IMO company numbers out of the comments', () => {
    const chonmyong = byRef.get('KPe.056');
    expect(chonmyong?.imo).toBe('5571322');
    expect(loaded.list.entities.filter((e) => e.imo).length).toBeGreaterThanOrEqual(10);
  });

  it('keeps Hanzi aliases', () => {
    expect(byRef.get('KPe.055')?.names.map((n) => n.name)).toContain('長安海連技術有限公司');
  });

  it('loads every regime with all, and reads the older edition', () => {
    expect(loadListFile(UN_2025, { all: true }).list.entities).toHaveLength(879);
    expect(loadListFile(UN_2025).list.version.published).toBe('2025-08-02');
  });

  it('refuses a truncated file with its line, and loads nothing', () => {
    const text = readFileSync(UN_2026, 'utf8');
    const path = join(tmp, 'truncated.xml');
    writeFileSync(path, text.slice(0, Math.floor(text.length / 2)));
    const error = thrown(() => loadListFile(path));
    expect(error.code).toBe('EMB_LIST_MALFORMED');
    expect(error.details?.file).toBe(path);
    expect(error.details?.line).toBeGreaterThan(1);
  });

  it('refuses a file in the wrong encoding', () => {
    const path = join(tmp, 'utf16.xml');
    writeFileSync(
      path,
      iconv.encode(readFileSync(UN_2026, 'utf8').slice(0, 5000), 'utf16-le', { addBOM: true }),
    );
    expect(thrown(() => loadListFile(path, { format: 'un-xml' })).code).toBe('EMB_FILE_ENCODING');
    const latin = join(tmp, 'cp1252.xml');
    writeFileSync(
      latin,
      iconv.encode(
        '<CONSOLIDATED_LIST><ENTITIES><ENTITY><FIRST_NAME>Société Générale</FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>',
        'win1252',
      ),
    );
    const error = thrown(() => loadListFile(latin));
    expect(error.code).toBe('EMB_FILE_ENCODING');
    expect(error.details?.line).toBe(1);
  });

  it('reports an entry with a missing field by line and field, and imports nothing unless asked', () => {
    const xml = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<CONSOLIDATED_LIST dateGenerated="2026-01-02T00:00:00Z">',
      '<INDIVIDUALS>',
      '<INDIVIDUAL><FIRST_NAME>KIM</FIRST_NAME><SECOND_NAME>GOOD</SECOND_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPi.900</REFERENCE_NUMBER></INDIVIDUAL>',
      '<INDIVIDUAL><FIRST_NAME>RI</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE></INDIVIDUAL>',
      '<INDIVIDUAL><UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPi.901</REFERENCE_NUMBER></INDIVIDUAL>',
      '</INDIVIDUALS>',
      '</CONSOLIDATED_LIST>',
    ].join('\n');
    const parse = parseUnXml(xml, { file: 'bad.xml' });
    expect(parse.items.map((e) => e.reference)).toEqual(['KPi.900']);
    expect(parse.errors.map((e) => [e.details?.line, e.details?.field])).toEqual([
      [5, 'REFERENCE_NUMBER'],
      [6, 'FIRST_NAME'],
    ]);
    const path = join(tmp, 'missing.xml');
    writeFileSync(path, xml);
    const error = thrown(() => loadListFile(path));
    expect(error.message).toContain('nothing was imported');
    expect(loadListFile(path, { skipBad: true }).list.entities).toHaveLength(1);
  });

  it('refuses XML that is not the consolidated list', () => {
    expect(thrown(() => parseUnXml('<other/>', { file: 'x.xml' })).code).toBe('EMB_LIST_MALFORMED');
  });
});
