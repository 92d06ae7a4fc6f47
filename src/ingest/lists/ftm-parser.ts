/**
 * OpenSanctions FollowTheMoney entities, one JSON object per line
 * (`{"id", "schema", "properties": {"name": [...], ...}}`). Read schemata: Person → person,
 * Vessel → vessel, Company / Organization / LegalEntity → entity; other schemata (Sanction,
 * Address, Ownership, …) are skipped and counted. Names: `name` primary, `alias` strong alias,
 * `weakAlias` weak alias, `previousName` former name. `imoNumber` gives the IMO number.
 * DPRK filter: a `kp` country / nationality / jurisdiction / flag, a DPRK program, or a UN
 * KPi/KPe reference (`unscId`).
 */
import { EmbargoError } from '../../core/errors.js';
import {
  isDprkProgram,
  type PartyEntity,
  type PartyName,
  type PartyType,
} from '../../core/parties/party-model.js';
import { imoFromText, type ListParse, type ParseOptions } from './list-source.js';

const SCHEMATA: Readonly<Record<string, PartyType>> = {
  Person: 'person',
  Vessel: 'vessel',
  Company: 'entity',
  Organization: 'entity',
  LegalEntity: 'entity',
};

type Properties = Record<string, unknown>;

function values(properties: Properties, key: string): string[] {
  const value = properties[key];
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
}

export function isFtmJsonLines(head: string): boolean {
  return /^\s*\{[^\n]*"schema"\s*:/.test(head);
}

export function parseFtm(text: string, options: ParseOptions): ListParse {
  const result: ListParse = { items: [], errors: [], warnings: [], filteredOut: 0 };
  let skipped = 0;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const source = i === 0 ? raw.replace(/^\ufeff/, '') : raw;
    if (!source.trim()) return;
    let entity: { id?: unknown; schema?: unknown; properties?: unknown; first_seen?: unknown };
    try {
      entity = JSON.parse(source);
    } catch (cause) {
      result.errors.push(
        new EmbargoError(
          'EMB_LIST_MALFORMED',
          `not a JSON object (${(cause as Error).message})`,
          { file: options.file, line },
          { cause },
        ),
      );
      return;
    }
    if (typeof entity !== 'object' || entity === null || typeof entity.schema !== 'string') {
      result.errors.push(
        new EmbargoError('EMB_LIST_MALFORMED', 'entity has no schema', {
          file: options.file,
          line,
          field: 'schema',
        }),
      );
      return;
    }
    const type = SCHEMATA[entity.schema];
    if (!type) {
      skipped++;
      return;
    }
    const id = typeof entity.id === 'string' ? entity.id.trim() : '';
    if (!id) {
      result.errors.push(
        new EmbargoError('EMB_LIST_MALFORMED', `${entity.schema} has no id`, {
          file: options.file,
          line,
          field: 'id',
        }),
      );
      return;
    }
    const properties = (
      typeof entity.properties === 'object' && entity.properties ? entity.properties : {}
    ) as Properties;
    const primary = values(properties, 'name');
    if (primary.length === 0) {
      result.errors.push(
        new EmbargoError('EMB_LIST_MALFORMED', `${entity.schema} ${id} has no name`, {
          file: options.file,
          line,
          field: 'properties.name',
        }),
      );
      return;
    }
    const programs = [...values(properties, 'program'), ...values(properties, 'programId')];
    const countries = ['country', 'nationality', 'jurisdiction', 'flag'].flatMap((k) =>
      values(properties, k),
    );
    const unscId = values(properties, 'unscId')[0];
    const dprk =
      countries.some((c) => c.toLowerCase() === 'kp') ||
      programs.some(isDprkProgram) ||
      (unscId !== undefined && /^KP[EI]\./i.test(unscId));
    if (!options.all && !dprk) {
      result.filteredOut++;
      return;
    }
    const names: PartyName[] = [
      ...primary.map((name) => ({ name, kind: 'primary' as const })),
      ...values(properties, 'alias').map((name) => ({ name, kind: 'strong-alias' as const })),
      ...values(properties, 'weakAlias').map((name) => ({ name, kind: 'weak-alias' as const })),
      ...values(properties, 'previousName').map((name) => ({ name, kind: 'former' as const })),
    ];
    const imo = values(properties, 'imoNumber')
      .map((v) => imoFromText(`IMO ${v.replace(/^IMO\s*/i, '')}`))
      .find(Boolean);
    const firstSeen = typeof entity.first_seen === 'string' ? entity.first_seen.slice(0, 10) : '';
    result.items.push({
      id,
      reference: unscId ?? id,
      type,
      names,
      programs: programs.length ? programs : dprk ? ['DPRK'] : [],
      ...(imo ? { imo } : {}),
      ...(/^\d{4}-\d{2}-\d{2}$/.test(firstSeen) ? { listedOn: firstSeen } : {}),
    } satisfies PartyEntity);
  });
  if (skipped) result.warnings.push(`${options.file}: ${skipped} entity(ies) of other schemata skipped`);
  return result;
}
