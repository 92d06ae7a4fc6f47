import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../test/shared-data.js';
import { loadListFile } from './list-loader.js';
import { JsonFileListRepository } from './list-repository.js';
import { loadPartyCheck, loadPartyIndex } from './party-check-loader.js';

describe('list repository and the party check built from it', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'embargo-repo-'));
  const repository = new JsonFileListRepository(dataDir);
  const loaded = loadListFile(sharedPath('data', 'lists', 'un', 'consolidated_2026-05-08.xml'));

  it('stores a list as JSON with a manifest entry and loads it back unchanged', () => {
    const entry = repository.save(loaded.list, {
      format: 'un-xml',
      importedAt: '2026-11-28T10:00:00.000Z',
      files: loaded.files,
      scope: 'dprk',
    });
    expect(entry).toMatchObject({
      id: 'un-consolidated',
      entries: 155,
      published: '2026-05-08',
      hash: loaded.list.version.hash,
    });
    const manifest = JSON.parse(readFileSync(join(dataDir, 'lists', 'manifest.json'), 'utf8'));
    expect(manifest.lists).toHaveLength(1);
    expect(repository.load('un-consolidated')).toEqual(loaded.list);
    expect(() => repository.load('nope')).toThrow(/no imported list/);
  });

  it('replaces a list on re-import instead of duplicating it', () => {
    repository.save(loaded.list, {
      format: 'un-xml',
      importedAt: '2026-11-28T11:00:00.000Z',
      files: [],
      scope: 'dprk',
    });
    expect(repository.list()).toHaveLength(1);
    expect(repository.list()[0]?.importedAt).toBe('2026-11-28T11:00:00.000Z');
  });

  it('builds one index from the default list plus imported lists', () => {
    const index = loadPartyIndex(dataDir);
    expect(index.lists.map((l) => l.id)).toEqual(['embargo-default', 'un-consolidated']);
    const hits = index.search('Korea Ryonbong General Corporation');
    expect(hits.map((h) => h.list.id).sort()).toEqual(['embargo-default', 'un-consolidated']);
    expect(loadPartyIndex(dataDir, { withoutDefault: true }).lists.map((l) => l.id)).toEqual([
      'un-consolidated',
    ]);
  });

  it('screens a declaration: designated consignee refused, near miss held', () => {
    const check = loadPartyCheck(dataDir);
    const base = {
      id: 'D',
      date: '2018-01-01',
      direction: 'export' as const,
      hsCode: '2710',
      documents: [],
      approvals: [],
      flags: [],
    };
    const refused = check.check({ ...base, consignee: 'KOREA MINING DEVELOPMENT TRADING CORP' });
    expect(refused.some((r) => r.kind === 'party-designated' && r.citation.includes('KPe.001'))).toBe(true);
    const held = check.check({ ...base, consignee: 'Korea Mining Development' });
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((r) => r.kind === 'party-possible-match')).toBe(true);
  });
});
