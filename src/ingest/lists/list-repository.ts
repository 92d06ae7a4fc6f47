/**
 * Where imported party lists live: a small port, so the storage can move (into SQLite, say)
 * without touching the commands. The file implementation keeps, under `<data dir>/lists/`,
 * one normalised JSON file per list and a `manifest.json` describing them (list id, source,
 * format, publication date, content sha256, imported at, entry count). Writes go to a temporary
 * file renamed into place, so a crash never leaves half a list.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmbargoError } from '../../core/errors.js';
import type { PartyEntity, PartyList } from '../../core/parties/party-model.js';
import type { ListFormat } from './list-source.js';

export interface ManifestEntry {
  id: string;
  source: string;
  format: ListFormat;
  published: string;
  /** sha256 of the imported file(s) */
  hash: string;
  /** ISO timestamp */
  importedAt: string;
  entries: number;
  /** the file(s) it was imported from */
  files: string[];
  /** `dprk` (default filter) or `all` */
  scope: 'dprk' | 'all';
}

export interface ListRepository {
  list(): ManifestEntry[];
  /** stores (or replaces) a list; returns its manifest entry */
  save(
    list: PartyList,
    meta: Omit<ManifestEntry, 'id' | 'source' | 'published' | 'hash' | 'entries'>,
  ): ManifestEntry;
  load(id: string): PartyList;
  loadAll(): PartyList[];
}

const MANIFEST_VERSION = 1;

interface ManifestFile {
  version: number;
  lists: ManifestEntry[];
}

interface StoredList {
  version: PartyList['version'];
  entities: PartyEntity[];
}

export class JsonFileListRepository implements ListRepository {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'lists');
  }

  private get manifestPath(): string {
    return join(this.dir, 'manifest.json');
  }

  private listPath(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  private readManifest(): ManifestFile {
    if (!existsSync(this.manifestPath)) return { version: MANIFEST_VERSION, lists: [] };
    try {
      const parsed = JSON.parse(readFileSync(this.manifestPath, 'utf8')) as ManifestFile;
      if (!Array.isArray(parsed.lists)) throw new Error('no lists array');
      return parsed;
    } catch (cause) {
      throw new EmbargoError(
        'EMB_LIST_MALFORMED',
        'the list manifest is not readable JSON; re-import the lists (embargo lists import / update)',
        { file: this.manifestPath },
        { cause },
      );
    }
  }

  private writeAtomic(path: string, content: string): void {
    mkdirSync(this.dir, { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, content);
    renameSync(temporary, path);
  }

  list(): ManifestEntry[] {
    return this.readManifest()
      .lists.slice()
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  save(
    list: PartyList,
    meta: Omit<ManifestEntry, 'id' | 'source' | 'published' | 'hash' | 'entries'>,
  ): ManifestEntry {
    const entry: ManifestEntry = {
      id: list.version.id,
      source: list.version.source,
      published: list.version.published,
      hash: list.version.hash,
      entries: list.entities.length,
      ...meta,
    };
    const stored: StoredList = { version: list.version, entities: list.entities };
    this.writeAtomic(this.listPath(entry.id), JSON.stringify(stored));
    const manifest = this.readManifest();
    manifest.lists = [...manifest.lists.filter((l) => l.id !== entry.id), entry];
    this.writeAtomic(this.manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    return entry;
  }

  load(id: string): PartyList {
    const path = this.listPath(id);
    if (!this.readManifest().lists.some((l) => l.id === id) || !existsSync(path)) {
      throw new EmbargoError('EMB_LIST_NOT_FOUND', `no imported list '${id}'; see 'embargo lists list'`);
    }
    try {
      const stored = JSON.parse(readFileSync(path, 'utf8')) as StoredList;
      return { version: stored.version, entities: stored.entities };
    } catch (cause) {
      throw new EmbargoError(
        'EMB_LIST_MALFORMED',
        `stored list '${id}' is not readable JSON; re-import it`,
        { file: path },
        { cause },
      );
    }
  }

  loadAll(): PartyList[] {
    return this.list().map((entry) => this.load(entry.id));
  }

  /** Removes a stored list (used when an update replaces a list under a new id). */
  remove(id: string): void {
    const manifest = this.readManifest();
    manifest.lists = manifest.lists.filter((l) => l.id !== id);
    this.writeAtomic(this.manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    rmSync(this.listPath(id), { force: true });
  }
}
