/**
 * `embargo lists list|import <file>|update|show <ref>`: the party lists screening uses. The
 * default list ships with embargo; official lists are imported from files or downloaded from
 * their official URLs and kept (normalised JSON + manifest) under the data directory.
 *
 * Download URLs resolve once: flag, then environment (EMBARGO_UN_LIST_URL,
 * EMBARGO_OFAC_SDN_URL), then `<data dir>/config.json` (`{"lists": {"unUrl", "ofacSdnUrl"}}`),
 * then the official addresses.
 *
 * Every import and update appends a `list.imported` entry to the audit trail of the main store
 * (`--db`, then EMBARGO_DB, then `embargo.db` in the data directory), like every other state change.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { EmbargoError } from '../../core/errors.js';
import { buildPartyIndex } from '../../core/parties/party-index.js';
import {
  type LoadedList,
  loadDefaultList,
  loadListFile,
  parseListFormat,
} from '../../ingest/lists/list-loader.js';
import { JsonFileListRepository } from '../../ingest/lists/list-repository.js';
import { recordStateChange } from '../../services/audit-service.js';
import { actingUser } from '../../services/store-session.js';
import { openStore, resolveDbTarget } from '../../store/open-store.js';
import type { Store } from '../../store/port.js';
import { resolveDataDir } from '../config.js';
import { formatRows, parseFormat, type Row } from '../output.js';

export const OFFICIAL_URLS = {
  un: 'https://scsanctions.un.org/resources/xml/en/consolidated.xml',
  ofacSdn: 'https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.CSV',
} as const;

export interface ListUrls {
  un: string;
  ofacSdn: string;
}

export function resolveListUrls(
  flags: { unUrl?: string; ofacUrl?: string },
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): ListUrls {
  let config: { lists?: { unUrl?: unknown; ofacSdnUrl?: unknown } } = {};
  const configPath = join(dataDir, 'config.json');
  if (existsSync(configPath)) {
    try {
      config = JSON.parse(readFileSync(configPath, 'utf8'));
    } catch (cause) {
      throw new EmbargoError(
        'EMB_CONFIG_INVALID',
        'config.json is not valid JSON',
        { file: configPath },
        { cause },
      );
    }
  }
  const fromConfig = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  const urls = {
    un: flags.unUrl ?? env.EMBARGO_UN_LIST_URL ?? fromConfig(config.lists?.unUrl) ?? OFFICIAL_URLS.un,
    ofacSdn:
      flags.ofacUrl ??
      env.EMBARGO_OFAC_SDN_URL ??
      fromConfig(config.lists?.ofacSdnUrl) ??
      OFFICIAL_URLS.ofacSdn,
  };
  for (const [key, url] of Object.entries(urls)) {
    if (!/^https?:\/\//.test(url))
      throw new EmbargoError('EMB_CONFIG_INVALID', `the ${key} list URL must be http(s): '${url}'`);
  }
  return Object.freeze(urls);
}

/** OFAC publishes the trio side by side: SDN.CSV → ALT.CSV / ADD.CSV, keeping the case. */
export function siblingUrl(sdnUrl: string, name: 'alt' | 'add'): string {
  return sdnUrl.replace(/sdn(\.csv)(?=$|\?)/i, (match, ext: string) =>
    match === match.toUpperCase() ? `${name.toUpperCase()}${ext}` : `${name}${ext}`,
  );
}

async function download(url: string, path: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow' });
  } catch (cause) {
    throw new EmbargoError(
      'EMB_LIST_DOWNLOAD_FAILED',
      `cannot reach ${url}: ${(cause as Error).message}`,
      {},
      { cause },
    );
  }
  if (!response.ok) {
    throw new EmbargoError(
      'EMB_LIST_DOWNLOAD_FAILED',
      `${url} answered ${response.status} ${response.statusText}`,
    );
  }
  writeFileSync(path, Buffer.from(await response.arrayBuffer()));
}

function summary(loaded: LoadedList): string {
  const v = loaded.list.version;
  return `${v.id}: ${loaded.list.entities.length} entr(ies) from ${loaded.format} (${loaded.filteredOut} outside DPRK programs left out), published ${v.published}${loaded.publishedFromMtime ? ' (file date)' : ''}, sha256 ${v.hash.slice(0, 12)}`;
}

/** The actor of `list.imported` entries when no user is named (`--as` / EMBARGO_USER). */
const DEFAULT_ACTOR = 'cli';

interface AuditFlags {
  db?: string;
  as?: string;
}

/**
 * Opens the main store before anything is written, so an unreachable database stops the import
 * before the list changes; the list is saved first and then its audit entry appended, so the
 * trail never records an import that did not happen.
 */
async function withAuditStore<T>(
  flags: AuditFlags,
  dataDir: string,
  fn: (audit: Store) => Promise<T>,
): Promise<T> {
  const audit = await openStore(resolveDbTarget(flags.db, () => dataDir));
  try {
    return await fn(audit);
  } finally {
    await audit.close();
  }
}

async function store(
  dataDir: string,
  loaded: LoadedList,
  all: boolean,
  now: Date,
  audit: Store,
  actor: string,
): Promise<void> {
  const scope = all ? 'all' : 'dprk';
  new JsonFileListRepository(dataDir).save(loaded.list, {
    format: loaded.format,
    importedAt: now.toISOString(),
    files: loaded.files,
    scope,
  });
  const v = loaded.list.version;
  await recordStateChange(audit, {
    actor,
    action: 'list.imported',
    subject: `list:${v.id}:${v.hash}`,
    payload: {
      id: v.id,
      source: v.source,
      published: v.published,
      hash: v.hash,
      entries: loaded.list.entities.length,
      format: loaded.format,
      scope,
    },
  });
}

const DB_OPTION = [
  '--db <path|url>',
  'store whose audit trail records the import: SQLite file or postgres:// URL (default: EMBARGO_DB, then embargo.db in the data dir)',
] as const;
const AS_OPTION = [
  '--as <user>',
  `who imports, for the audit trail (default: EMBARGO_USER, else '${DEFAULT_ACTOR}')`,
] as const;

export function register(program: Command): void {
  const lists = program.command('lists').description('Party lists: the default list, imports and downloads');

  lists
    .command('list')
    .description('Show the lists screening uses, with source, publication date and hash')
    .option('--format <format>', 'table, json, jsonl or csv', 'table')
    .option('--data-dir <dir>', 'where imported lists live (default: EMBARGO_HOME or the XDG data dir)')
    .action((flags: { format?: string; dataDir?: string }) => {
      const format = parseFormat(flags.format);
      const defaults = loadDefaultList();
      const rows: Row[] = [
        {
          id: defaults.version.id,
          source: defaults.version.source,
          format: 'embargo',
          published: defaults.version.published,
          hash: format === 'table' ? defaults.version.hash.slice(0, 12) : defaults.version.hash,
          entries: defaults.entities.length,
          imported_at: '(shipped)',
          scope: 'dprk',
        },
        ...new JsonFileListRepository(resolveDataDir(flags.dataDir)).list().map((m) => ({
          id: m.id,
          source: m.source,
          format: m.format,
          published: m.published,
          hash: format === 'table' ? m.hash.slice(0, 12) : m.hash,
          entries: m.entries,
          imported_at: m.importedAt,
          scope: m.scope,
        })),
      ];
      process.stdout.write(formatRows(rows, format));
    });

  lists
    .command('import')
    .description('Import a list file (UN XML, OFAC XML, OFAC CSV trio, OpenSanctions FtM, embargo YAML/CSV)')
    .argument('<file>', 'the list file (for the OFAC CSV trio: sdn.csv, with alt.csv and add.csv beside it)')
    .option('--format <format>', 'un-xml, ofac-xml, ofac-csv, ftm or embargo (default: detected)')
    .option('--all', 'keep every program, not only DPRK')
    .option('--skip-bad', 'import the good entries of a file with bad ones (bad ones are listed)')
    .option('--id <id>', 'store under this list id (default: per format, e.g. un-consolidated)')
    .option('--published <date>', 'publication date for files that carry none (OFAC CSV, FtM)')
    .option('--data-dir <dir>', 'where imported lists live (default: EMBARGO_HOME or the XDG data dir)')
    .option(...DB_OPTION)
    .option(...AS_OPTION)
    .action(
      async (
        file: string,
        flags: {
          format?: string;
          all?: boolean;
          skipBad?: boolean;
          id?: string;
          published?: string;
          dataDir?: string;
        } & AuditFlags,
      ) => {
        if (flags.published && !/^\d{4}-\d{2}-\d{2}$/.test(flags.published)) {
          throw new EmbargoError('EMB_USAGE', `--published must be YYYY-MM-DD, got '${flags.published}'`);
        }
        if (flags.id && !/^[a-z0-9][a-z0-9-]*$/.test(flags.id)) {
          throw new EmbargoError('EMB_USAGE', '--id: lower-case letters, digits and hyphens');
        }
        const format = parseListFormat(flags.format);
        const loaded = loadListFile(file, {
          ...(format ? { format } : {}),
          all: flags.all ?? false,
          skipBad: flags.skipBad ?? false,
          ...(flags.id ? { id: flags.id } : {}),
          ...(flags.published ? { published: flags.published } : {}),
        });
        if (loaded.list.version.id === loadDefaultList().version.id) {
          throw new EmbargoError(
            'EMB_USAGE',
            `list id '${loaded.list.version.id}' is the shipped default list's; import under another id (--id)`,
          );
        }
        const dataDir = resolveDataDir(flags.dataDir);
        await withAuditStore(flags, dataDir, (audit) =>
          store(
            dataDir,
            loaded,
            flags.all ?? false,
            new Date(),
            audit,
            actingUser(flags.as) ?? DEFAULT_ACTOR,
          ),
        );
        for (const error of loaded.errors) {
          process.stderr.write(
            `skipped: ${error.details?.file}:${error.details?.line ?? '?'}: ${error.message}\n`,
          );
        }
        for (const warning of loaded.warnings) process.stderr.write(`note: ${warning}\n`);
        process.stderr.write(`imported ${summary(loaded)}\n`);
      },
    );

  lists
    .command('update')
    .description(
      'Download the UN consolidated list and the OFAC SDN CSV trio from their official URLs and import them',
    )
    .option('--un-url <url>', `UN consolidated XML (default ${OFFICIAL_URLS.un})`)
    .option(
      '--ofac-url <url>',
      `OFAC sdn.csv; alt.csv and add.csv beside it (default ${OFFICIAL_URLS.ofacSdn})`,
    )
    .option('--only <which>', 'un or ofac (default: both)')
    .option('--all', 'keep every program, not only DPRK')
    .option('--data-dir <dir>', 'where imported lists live (default: EMBARGO_HOME or the XDG data dir)')
    .option(...DB_OPTION)
    .option(...AS_OPTION)
    .action(
      async (
        flags: {
          unUrl?: string;
          ofacUrl?: string;
          only?: string;
          all?: boolean;
          dataDir?: string;
        } & AuditFlags,
      ) => {
        if (flags.only && flags.only !== 'un' && flags.only !== 'ofac') {
          throw new EmbargoError('EMB_USAGE', `--only must be un or ofac, got '${flags.only}'`);
        }
        const dataDir = resolveDataDir(flags.dataDir);
        const urls = resolveListUrls(flags, dataDir);
        const downloads = join(dataDir, 'downloads');
        mkdirSync(downloads, { recursive: true });
        // Opened first: an unreachable store stops the update before anything is downloaded.
        const audit = await openStore(resolveDbTarget(flags.db, () => dataDir));
        const work = mkdtempSync(join(downloads, 'update-'));
        const now = new Date();
        const today = now.toISOString().slice(0, 10);
        const all = flags.all ?? false;
        const actor = actingUser(flags.as) ?? DEFAULT_ACTOR;
        let failures = 0;
        try {
          if (flags.only !== 'ofac') {
            try {
              const path = join(work, 'consolidated.xml');
              await download(urls.un, path);
              const loaded = loadListFile(path, { format: 'un-xml', all });
              await store(dataDir, loaded, all, now, audit, actor);
              process.stderr.write(`updated ${summary(loaded)} from ${urls.un}\n`);
            } catch (error) {
              failures++;
              process.stderr.write(`error: UN list not updated: ${(error as Error).message}\n`);
            }
          }
          if (flags.only !== 'un') {
            try {
              const dir = join(work, 'ofac');
              mkdirSync(dir);
              await download(urls.ofacSdn, join(dir, 'sdn.csv'));
              for (const name of ['alt', 'add'] as const) {
                const url = siblingUrl(urls.ofacSdn, name);
                if (url === urls.ofacSdn) continue;
                try {
                  await download(url, join(dir, `${name}.csv`));
                } catch (error) {
                  process.stderr.write(
                    `note: ${name}.csv not downloaded (${(error as Error).message}); continuing without it\n`,
                  );
                }
              }
              // The legacy CSV has no date inside: the download date stands for the publication date.
              const loaded = loadListFile(join(dir, 'sdn.csv'), {
                format: 'ofac-csv',
                all,
                published: today,
              });
              await store(dataDir, loaded, all, now, audit, actor);
              process.stderr.write(`updated ${summary(loaded)} from ${urls.ofacSdn}\n`);
            } catch (error) {
              failures++;
              process.stderr.write(`error: OFAC list not updated: ${(error as Error).message}\n`);
            }
          }
        } finally {
          rmSync(work, { recursive: true, force: true });
          await audit.close();
        }
        if (failures > 0) {
          throw new EmbargoError(
            'EMB_LIST_DOWNLOAD_FAILED',
            `${failures} list(s) could not be updated; the lists already imported are unchanged`,
          );
        }
      },
    );

  lists
    .command('show')
    .description(
      'Show every list entry with this reference (KPe.001, KPi.033, an OFAC ent_num, an embargo id)',
    )
    .argument('<ref>', 'reference number or entry id')
    .option('--format <format>', 'yaml or json', 'yaml')
    .option('--data-dir <dir>', 'where imported lists live (default: EMBARGO_HOME or the XDG data dir)')
    .action((ref: string, flags: { format: string; dataDir?: string }) => {
      if (flags.format !== 'yaml' && flags.format !== 'json') {
        throw new EmbargoError('EMB_USAGE', `unknown --format '${flags.format}'; expected yaml or json`);
      }
      const dataDir = resolveDataDir(flags.dataDir);
      const index = buildPartyIndex([loadDefaultList(), ...new JsonFileListRepository(dataDir).loadAll()]);
      const found = index.findReference(ref);
      if (found.length === 0) {
        throw new EmbargoError(
          'EMB_LIST_NOT_FOUND',
          `no entry '${ref}' in ${index.lists.map((l) => l.id).join(', ')}`,
        );
      }
      const value = found.map(({ entity, list }) => ({ list, entry: entity }));
      process.stdout.write(
        flags.format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value),
      );
    });
}
