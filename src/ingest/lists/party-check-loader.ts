/**
 * Builds the party index screening uses: the default list embargo ships plus every list imported
 * into the data directory. Built once per process and reused for every declaration.
 *
 * @example
 *   const check = loadPartyCheck(resolveDataDir());
 *   screenDeclarations(rows, { partyCheck: check });
 */
import { createPartyCheck } from '../../core/parties/party-checker.js';
import { buildPartyIndex, type PartyIndex } from '../../core/parties/party-index.js';
import type { MatchThresholds } from '../../core/parties/party-matcher.js';
import type { PartyList } from '../../core/parties/party-model.js';
import type { PartyCheck } from '../../core/screening/party-check.js';
import { loadDefaultList } from './list-loader.js';
import { JsonFileListRepository } from './list-repository.js';

export interface PartyIndexOptions {
  thresholds?: MatchThresholds;
  /** leave out the default list (default: included) */
  withoutDefault?: boolean;
}

export function loadPartyLists(dataDir: string, options: PartyIndexOptions = {}): PartyList[] {
  const imported = new JsonFileListRepository(dataDir).loadAll();
  return options.withoutDefault ? imported : [loadDefaultList(), ...imported];
}

export function loadPartyIndex(dataDir: string, options: PartyIndexOptions = {}): PartyIndex {
  return buildPartyIndex(loadPartyLists(dataDir, options), options.thresholds);
}

export function loadPartyCheck(dataDir: string, options: PartyIndexOptions = {}): PartyCheck {
  return createPartyCheck(loadPartyIndex(dataDir, options));
}
