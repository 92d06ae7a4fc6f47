/**
 * Reads a party-list file in any supported format into a PartyList with its version (id, source,
 * publication date, sha256 of the bytes). A file with bad entries is refused as a whole (nothing
 * half-loaded) unless `skipBad` is set, in which case the good entries load and the bad ones are
 * returned as errors.
 *
 * @example
 *   const { list } = loadListFile('../shared/data/lists/un/consolidated_2026-05-08.xml');
 *   list.version // { id: 'un-consolidated', published: '2026-05-08', hash: '1f1b…', … }
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { EmbargoError } from '../../core/errors.js';
import type { PartyList } from '../../core/parties/party-model.js';
import {
  type EmbargoListParse,
  isEmbargoListCsv,
  isEmbargoListYaml,
  parseEmbargoListCsv,
  parseEmbargoListYaml,
} from './embargo-list-parser.js';
import { isFtmJsonLines, parseFtm } from './ftm-parser.js';
import {
  decodeCp1252,
  decodeUtf8,
  LIST_FORMATS,
  type ListFormat,
  type ListParse,
  sha256,
} from './list-source.js';
import { parseOfacCsv } from './ofac-csv-parser.js';
import { isOfacXml, parseOfacXml } from './ofac-xml-parser.js';
import { isUnConsolidatedXml, parseUnXml } from './un-xml-parser.js';

/** The default list the product ships: `<repo>/lists/embargo-default.yaml`. */
export const DEFAULT_LIST_FILE = new URL('../../../lists/embargo-default.yaml', import.meta.url).pathname;

export const LIST_SOURCES: Readonly<Record<Exclude<ListFormat, 'embargo'>, { id: string; source: string }>> =
  {
    'un-xml': { id: 'un-consolidated', source: 'UN Security Council Consolidated List' },
    'ofac-xml': { id: 'ofac-sdn', source: 'US Treasury OFAC Specially Designated Nationals (SDN) List' },
    'ofac-csv': { id: 'ofac-sdn', source: 'US Treasury OFAC Specially Designated Nationals (SDN) List' },
    ftm: { id: 'opensanctions', source: 'OpenSanctions (FollowTheMoney entities)' },
  };

export interface LoadOptions {
  format?: ListFormat;
  /** keep every program, not only DPRK */
  all?: boolean;
  /** import the good entries of a file with bad ones */
  skipBad?: boolean;
  /** override the list id (default per format) */
  id?: string;
  /** publication date when the file has none (OFAC CSV, FtM); default: the file's modification date */
  published?: string;
}

export interface LoadedList {
  list: PartyList;
  format: ListFormat;
  files: string[];
  errors: EmbargoError[];
  warnings: string[];
  filteredOut: number;
  /** true when the publication date came from the file's modification time */
  publishedFromMtime: boolean;
}

export function parseListFormat(value: string | undefined): ListFormat | undefined {
  if (value === undefined) return undefined;
  if (!(LIST_FORMATS as readonly string[]).includes(value)) {
    throw new EmbargoError(
      'EMB_LIST_FORMAT_UNKNOWN',
      `unknown list format '${value}'; expected one of ${LIST_FORMATS.join(', ')}`,
    );
  }
  return value as ListFormat;
}

/** Guesses a file's format from its name and first bytes. */
export function detectListFormat(path: string, rawHead: string): ListFormat {
  const name = basename(path).toLowerCase();
  // the head is read as Latin-1: a UTF-8 byte-order mark shows as ï»¿
  const head = rawHead.replace(/^\u00ef\u00bb\u00bf|^\ufeff/, '');
  if (isUnConsolidatedXml(head)) return 'un-xml';
  if (isOfacXml(head)) return 'ofac-xml';
  if (isEmbargoListYaml(head) || /\.ya?ml$/.test(name)) return 'embargo';
  if (isFtmJsonLines(head) || /\.(jsonl|ndjson|ftm\.json)$/.test(name)) return 'ftm';
  if (name.endsWith('.csv') && isEmbargoListCsv(head)) return 'embargo';
  if (/^(sdn|alt|add)\.csv$/.test(name) || /^\s*\d+,/.test(head)) return 'ofac-csv';
  throw new EmbargoError(
    'EMB_LIST_FORMAT_UNKNOWN',
    'cannot tell the list format from the file; pass --format un-xml|ofac-xml|ofac-csv|ftm|embargo',
    { file: path },
  );
}

function readBytes(path: string): Buffer {
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new EmbargoError('EMB_FILE_NOT_FOUND', `list file not found: ${path}`, { file: path });
  }
  return readFileSync(path);
}

export function loadListFile(path: string, options: LoadOptions = {}): LoadedList {
  const bytes = readBytes(path);
  const format = options.format ?? detectListFormat(path, bytes.subarray(0, 4096).toString('latin1'));
  const file = path;
  const parseOptions = { file, all: options.all ?? false };
  let parse: ListParse | EmbargoListParse;
  let files = [path];
  let hash: string;
  switch (format) {
    case 'un-xml':
      parse = parseUnXml(decodeUtf8(bytes, file), parseOptions);
      hash = sha256(bytes);
      break;
    case 'ofac-xml':
      parse = parseOfacXml(decodeUtf8(bytes, file), parseOptions);
      hash = sha256(bytes);
      break;
    case 'ftm':
      parse = parseFtm(decodeUtf8(bytes, file), parseOptions);
      hash = sha256(bytes);
      break;
    case 'embargo': {
      const text = decodeUtf8(bytes, file);
      parse = /\.csv$/i.test(path)
        ? parseEmbargoListCsv(text, parseOptions)
        : parseEmbargoListYaml(text, parseOptions);
      hash = sha256(bytes);
      break;
    }
    case 'ofac-csv': {
      // Given any file of the trio, read sdn.csv and, when present, alt.csv and add.csv beside it.
      const dir = dirname(path);
      const sdnPath = /^(alt|add)\.csv$/i.test(basename(path)) ? join(dir, 'sdn.csv') : path;
      const sdnBytes = sdnPath === path ? bytes : readBytes(sdnPath);
      const altPath = join(dir, 'alt.csv');
      const addPath = join(dir, 'add.csv');
      const altBytes = existsSync(altPath) ? readFileSync(altPath) : undefined;
      const addBytes = existsSync(addPath) ? readFileSync(addPath) : undefined;
      files = [sdnPath, ...(altBytes ? [altPath] : []), ...(addBytes ? [addPath] : [])];
      parse = parseOfacCsv(
        {
          sdn: { text: decodeCp1252(sdnBytes, sdnPath), file: sdnPath },
          ...(altBytes ? { alt: { text: decodeCp1252(altBytes, altPath), file: altPath } } : {}),
          ...(addBytes ? { add: { text: decodeCp1252(addBytes, addPath), file: addPath } } : {}),
        },
        parseOptions,
      );
      hash = sha256([sdnBytes, altBytes, addBytes].map((b) => (b ? sha256(b) : '')).join('\n'));
      break;
    }
  }
  if (parse.errors.length > 0 && !options.skipBad) {
    const first = parse.errors[0] as EmbargoError;
    if (parse.errors.length > 1) {
      first.message += ` (and ${parse.errors.length - 1} more bad entr${parse.errors.length > 2 ? 'ies' : 'y'}; nothing was imported — fix the file or pass --skip-bad)`;
    } else first.message += ' (nothing was imported — fix the file or pass --skip-bad)';
    throw first;
  }
  const header = 'header' in parse ? parse.header : undefined;
  const defaults = format === 'embargo' ? undefined : LIST_SOURCES[format];
  const id =
    options.id ??
    header?.id ??
    (format === 'ftm'
      ? `opensanctions-${
          basename(path)
            .replace(/\..*$/, '')
            .toLowerCase()
            .replace(/^opensanctions-?/, '')
            .replace(/[^a-z0-9-]+/g, '-') || 'ftm'
        }`
      : (defaults?.id ??
        basename(path)
          .replace(/\..*$/, '')
          .toLowerCase()
          .replace(/[^a-z0-9-]+/g, '-')));
  const source = header?.source ?? defaults?.source ?? `embargo list ${basename(path)}`;
  const mtime = statSync(path).mtime.toISOString().slice(0, 10);
  const published = parse.published ?? options.published ?? mtime;
  return {
    list: { version: { id, source, published, hash }, entities: parse.items },
    format,
    files,
    errors: parse.errors,
    warnings: parse.warnings,
    filteredOut: parse.filteredOut,
    publishedFromMtime: !parse.published && !options.published,
  };
}

/** The list embargo ships (`lists/embargo-default.yaml`), validated at load. */
export function loadDefaultList(path: string = DEFAULT_LIST_FILE): PartyList {
  return loadListFile(path, { format: 'embargo' }).list;
}
