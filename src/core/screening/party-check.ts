/**
 * The seam between declaration screening and party screening. Screening asks a PartyCheck for
 * reasons about the declaration's parties (consignor, consignee, vessel IMO and name); the party
 * module implements it over its index. Screening merges them: a designated party → REFUSE,
 * a possible match → HOLD.
 */
import type { Reason } from './decision.js';
import type { Declaration } from './declaration.js';

export interface ListVersion {
  /** e.g. `un-consolidated`, `ofac-sdn`, `embargo-default` */
  id: string;
  source: string;
  /** ISO date the list was published (or generated) */
  published: string;
  /** sha256 of the list's content as loaded */
  hash: string;
}

export interface PartyCheck {
  /** reasons of kind `party-designated` (outcome REFUSE) or `party-possible-match` (outcome HOLD) */
  check(declaration: Declaration): Reason[];
  /** the list versions the check ran against; they appear in every decision */
  readonly lists: readonly ListVersion[];
}
