/**
 * The trade monitor's services at the edge: open the store in the data directory, load the
 * shipped dataset on first use (again only when the shipped file changes), import a file.
 * The CLI calls these; so would an API.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { EmbargoError } from '../../core/errors.js';
import { openSqliteTradeStore, TRADE_DB_FILE } from '../../store/sqlite/trade-observation-store.js';
import type { TradeObservationStore } from '../../store/trade-observation-store.js';
import { loadSeedObservations, SEED_OBSERVATIONS_PATH } from './seed-dataset.js';
import { readTradeFile, type TradeReadOptions } from './trade-file-reader.js';

export const SEED_DATASET = 'seed';

export interface ImportSummary {
  file: string;
  format: string;
  encoding: string;
  read: number;
  added: number;
  unchanged: number;
  rejected: number;
  skipped: number;
  /** row errors and id conflicts, each naming file and line where known */
  problems: EmbargoError[];
}

/** Opens `<dataDir>/trade.db` and makes sure the shipped dataset is in it (idempotent). */
export function openTradeStore(
  dataDir: string,
  now: () => string = () => new Date().toISOString(),
  seedPath: string = SEED_OBSERVATIONS_PATH,
): { store: TradeObservationStore; seedLoaded: number; seedConflicts: EmbargoError[] } {
  const store = openSqliteTradeStore(join(dataDir, TRADE_DB_FILE));
  const version = `sha256:${createHash('sha256').update(readFileSync(seedPath)).digest('hex').slice(0, 16)}`;
  if (store.datasetVersion(SEED_DATASET) === version) return { store, seedLoaded: 0, seedConflicts: [] };
  const result = store.add(loadSeedObservations(seedPath));
  store.setDatasetVersion(SEED_DATASET, version, now());
  store.recordImport({
    file: basename(seedPath),
    format: 'observations',
    importedAt: now(),
    added: result.added,
    unchanged: result.unchanged,
    rejected: 0,
  });
  return { store, seedLoaded: result.added, seedConflicts: result.conflicts };
}

export function importTradeFile(
  store: TradeObservationStore,
  path: string,
  options: TradeReadOptions,
  now: () => string = () => new Date().toISOString(),
): ImportSummary {
  const parsed = readTradeFile(path, options);
  const added = store.add(parsed.items);
  const summary: ImportSummary = {
    file: basename(path),
    format: parsed.format,
    encoding: parsed.encoding,
    read: parsed.items.length,
    added: added.added,
    unchanged: added.unchanged,
    rejected: parsed.errors.length,
    skipped: parsed.skipped,
    problems: [...parsed.errors, ...added.conflicts],
  };
  store.recordImport({
    file: summary.file,
    format: summary.format,
    importedAt: now(),
    added: summary.added,
    unchanged: summary.unchanged,
    rejected: summary.rejected,
  });
  return summary;
}
