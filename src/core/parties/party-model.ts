/**
 * Listed parties as embargo holds them, whatever list they came from (UN XML, OFAC XML or CSV,
 * OpenSanctions FtM, embargo's own YAML/CSV). Plain data: parsers in src/ingest/lists build it,
 * the index in this folder reads it.
 */
import type { ListVersion } from '../screening/party-check.js';

export const PARTY_TYPES = ['person', 'entity', 'vessel'] as const;
export type PartyType = (typeof PARTY_TYPES)[number];

/**
 * How a name belongs to its entry. `weak-alias` (UN quality "Low", OFAC category "weak") matches
 * only exactly; `strong-alias` and `former` match as fuzzily as the primary name;
 * `original-script` is the name in Hangul or Hanzi as the list gives it.
 */
export const NAME_KINDS = ['primary', 'strong-alias', 'weak-alias', 'former', 'original-script'] as const;
export type NameKind = (typeof NAME_KINDS)[number];

/**
 * `designated`: a hit at or above the match threshold refuses the declaration. `watch`: an
 * internal or research entry that is not a designation; its hits are only ever held for review.
 */
export const PARTY_ACTIONS = ['designated', 'watch'] as const;
export type PartyAction = (typeof PARTY_ACTIONS)[number];

export interface PartyName {
  name: string;
  kind: NameKind;
  /** ISO date (or year / year-month) from which the name was in use, when the list says */
  from?: string;
  /** ISO date (or year / year-month) until which the name was in use; open when absent */
  to?: string;
  /** `approximate` when the list gives the dates as approximate */
  note?: string;
}

export interface PartyRelation {
  /** e.g. `owned-by`, `operated-by`, `successor-of`, `part-of` */
  kind: string;
  /** reference number (within the same list) or free text */
  target: string;
}

export interface PartyEntity {
  /** unique within its list, e.g. `KPe.001` for the UN list, `OFAC-9345` for OFAC */
  id: string;
  /** the list's own reference number as printed: `KPe.001`, OFAC ent_num `9345` */
  reference: string;
  type: PartyType;
  names: PartyName[];
  /** IMO number (7 digits) of a vessel, or the IMO company number of a shipping company */
  imo?: string;
  /** ISO date of listing */
  listedOn?: string;
  /** programs or regimes: `DPRK`, `DPRK3`, `UN-1718`, … */
  programs: string[];
  relations?: PartyRelation[];
  action?: PartyAction;
  /** where the facts of this entry come from (own list format requires it) */
  source?: string;
  remarks?: string;
}

export interface PartyList {
  version: ListVersion;
  entities: PartyEntity[];
}

/** The first primary name, for display. */
export function primaryName(entity: PartyEntity): string {
  return (entity.names.find((n) => n.kind === 'primary') ?? entity.names[0])?.name ?? entity.id;
}

/** DPRK program tags: UN list type DPRK (KPi/KPe references) and OFAC's DPRK, DPRK2…, DPRK-NKSPEA. */
export function isDprkProgram(program: string): boolean {
  return /^DPRK/i.test(program.trim()) || /^UN-1718$/i.test(program.trim());
}

/**
 * Splits a trailing parenthesised acronym off a name: `DAEDONG CREDIT BANK (DCB)` →
 * `DAEDONG CREDIT BANK` and `DCB`. Kept as two names so neither dilutes the other in a match.
 */
export function splitTrailingAcronym(name: string): { name: string; acronym?: string } {
  const match = /^(.*\S)\s*\(([A-Z0-9.&-]{2,8})\)\s*$/.exec(name.trim());
  if (!match?.[1] || !match[2]) return { name: name.trim() };
  return { name: match[1], acronym: match[2] };
}
