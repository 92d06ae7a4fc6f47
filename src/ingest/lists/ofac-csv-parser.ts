/**
 * OFAC SDN legacy CSV trio: `sdn.csv` (entries), `alt.csv` (aliases), `add.csv` (addresses).
 * No header row; Windows-1252; `-0-` (often `-0- `) means empty; the file ends with a Ctrl-Z byte.
 * sdn.csv columns: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage,
 * GRT, Vess_flag, Vess_owner, Remarks. alt.csv: ent_num, alt_num, alt_type, alt_name, alt_remarks.
 * Programs are written `NPWMD] [DPRK2`. Vessel IMO numbers and, in copies without alt.csv,
 * aliases hide in the remarks ("Vessel Registration Identification IMO 7937317", "a.k.a. 'KOMID'").
 * add.csv carries no names; it is checked for shape only and its rows counted.
 */
import { EmbargoError } from '../../core/errors.js';
import {
  isDprkProgram,
  type NameKind,
  type PartyEntity,
  type PartyName,
  type PartyType,
} from '../../core/parties/party-model.js';
import { splitCsvRecords } from './csv-records.js';
import { imoFromText, type ListParse, type ParseOptions } from './list-source.js';

const EMPTY = /^\s*-0-\s*$/;
const clean = (value: string | undefined) => (value === undefined || EMPTY.test(value) ? '' : value.trim());

const SDN_TYPES: Readonly<Record<string, PartyType>> = {
  individual: 'person',
  vessel: 'vessel',
  aircraft: 'entity',
  '': 'entity',
};

const ALT_KINDS: Readonly<Record<string, NameKind>> = {
  aka: 'strong-alias',
  nka: 'strong-alias',
  fka: 'former',
};

const REMARK_ALIASES = /\b(a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s*'(.+?)'(?=\s*[;,.)]|\s*$)/g;

export function parsePrograms(value: string): string[] {
  return value
    .split(/\]\s*\[/)
    .map((p) => p.replace(/[[\]]/g, '').trim())
    .filter(Boolean);
}

export interface OfacCsvFiles {
  sdn: { text: string; file: string };
  alt?: { text: string; file: string };
  add?: { text: string; file: string };
}

export function parseOfacCsv(files: OfacCsvFiles, options: Omit<ParseOptions, 'file'>): ListParse {
  const result: ListParse = { items: [], errors: [], warnings: [], filteredOut: 0 };
  const sdnFile = files.sdn.file;
  const split = splitCsvRecords(files.sdn.text);
  for (const bad of split.bad) {
    result.errors.push(new EmbargoError('EMB_LIST_MALFORMED', bad.reason, { file: sdnFile, line: bad.line }));
  }
  const byEntNum = new Map<string, PartyEntity>();
  const known = new Set<string>();
  for (const { fields, line } of split.records) {
    if (fields.length < 12) {
      result.errors.push(
        new EmbargoError(
          'EMB_LIST_MALFORMED',
          `expected 12 columns, found ${fields.length} (truncated row?)`,
          {
            file: sdnFile,
            line,
            field: fields.length < 2 ? 'SDN_Name' : 'Remarks',
          },
        ),
      );
      continue;
    }
    const entNum = clean(fields[0]);
    if (!/^\d+$/.test(entNum)) {
      result.errors.push(
        new EmbargoError('EMB_LIST_MALFORMED', `ent_num '${fields[0]}' is not a number`, {
          file: sdnFile,
          line,
          field: 'ent_num',
        }),
      );
      continue;
    }
    known.add(entNum);
    const name = clean(fields[1]);
    if (!name) {
      result.errors.push(
        new EmbargoError('EMB_LIST_MALFORMED', `entry ${entNum} has no name`, {
          file: sdnFile,
          line,
          field: 'SDN_Name',
        }),
      );
      continue;
    }
    const programs = parsePrograms(clean(fields[3]));
    if (!options.all && !programs.some(isDprkProgram)) {
      result.filteredOut++;
      continue;
    }
    const sdnType = clean(fields[2]).toLowerCase();
    const type = SDN_TYPES[sdnType];
    if (!type) {
      result.errors.push(
        new EmbargoError('EMB_LIST_MALFORMED', `unknown SDN_Type '${fields[2]}'`, {
          file: sdnFile,
          line,
          field: 'SDN_Type',
        }),
      );
      continue;
    }
    const remarks = clean(fields[11]);
    const names: PartyName[] = [{ name, kind: 'primary' }];
    for (const m of remarks.matchAll(REMARK_ALIASES)) {
      const kind: NameKind = m[1] === 'f.k.a.' ? 'former' : 'strong-alias';
      if (m[2]) names.push({ name: m[2], kind });
    }
    const imo = imoFromText(remarks);
    const linked = [...remarks.matchAll(/Linked To: ([^;.]+)/g)]
      .map((m) => m[1]?.trim() ?? '')
      .filter(Boolean);
    const entity: PartyEntity = {
      id: `OFAC-${entNum}`,
      reference: entNum,
      type,
      names,
      programs,
      ...(imo ? { imo } : {}),
      ...(linked.length ? { relations: linked.map((target) => ({ kind: 'linked-to', target })) } : {}),
      ...(remarks ? { remarks } : {}),
    };
    byEntNum.set(entNum, entity);
    result.items.push(entity);
  }

  if (files.alt) {
    const altSplit = splitCsvRecords(files.alt.text);
    for (const bad of altSplit.bad) {
      result.errors.push(
        new EmbargoError('EMB_LIST_MALFORMED', bad.reason, { file: files.alt.file, line: bad.line }),
      );
    }
    for (const { fields, line } of altSplit.records) {
      const entNum = clean(fields[0]);
      const altName = clean(fields[3]);
      if (fields.length < 4 || !/^\d+$/.test(entNum) || !altName) {
        result.errors.push(
          new EmbargoError('EMB_LIST_MALFORMED', 'alias row needs ent_num, alt_num, alt_type and alt_name', {
            file: files.alt.file,
            line,
            field: !/^\d+$/.test(entNum) ? 'ent_num' : 'alt_name',
          }),
        );
        continue;
      }
      const entity = byEntNum.get(entNum);
      if (!entity) {
        if (!known.has(entNum))
          result.warnings.push(`${files.alt.file}:${line}: alias for unknown ent_num ${entNum}`);
        continue;
      }
      const kind = ALT_KINDS[clean(fields[2]).toLowerCase()] ?? 'strong-alias';
      if (!entity.names.some((n) => n.name === altName)) entity.names.push({ name: altName, kind });
    }
  }

  if (files.add) {
    const addSplit = splitCsvRecords(files.add.text);
    for (const bad of addSplit.bad) {
      result.errors.push(
        new EmbargoError('EMB_LIST_MALFORMED', bad.reason, { file: files.add.file, line: bad.line }),
      );
    }
    let orphans = 0;
    for (const { fields } of addSplit.records) if (!known.has(clean(fields[0]))) orphans++;
    if (orphans) result.warnings.push(`${files.add.file}: ${orphans} address row(s) for unknown ent_num`);
  }
  return result;
}
