/**
 * The trade monitor's services at the edge: open the store in the data directory, load the
 * shipped dataset on first use (again only when the shipped file changes), import a file.
 * The CLI calls these; so would an API.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { EmbargoError } from '../../core/errors.js';
import type { Observation } from '../../core/trade/observation.js';
import { openSqliteTradeStore, TRADE_DB_FILE } from '../../store/sqlite/trade-observation-store.js';
import type { TradeObservationStore } from '../../store/trade-observation-store.js';
import { loadSeedObservations, SEED_OBSERVATIONS_PATH } from './seed-dataset.js';
import { streamTradeFile, type TradeReadOptions } from './trade-file-reader.js';

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

/** Observations are written in batches of this many, each batch one transaction. */
const BATCH = 10_000;

/**
 * Streams a file into the store: observations are written in batches as they are read, so a
 * million-row extract never sits in memory whole. An interrupted import leaves whole batches;
 * importing the file again completes it (ids already stored are recognised, not duplicated).
 */
export function importTradeFile(
  store: TradeObservationStore,
  path: string,
  options: TradeReadOptions,
  now: () => string = () => new Date().toISOString(),
): ImportSummary {
  const problems: EmbargoError[] = [];
  let batch: Observation[] = [];
  let read = 0;
  let added = 0;
  let unchanged = 0;
  let rejected = 0;
  let skipped = 0;
  const flush = () => {
    if (!batch.length) return;
    const r = store.add(batch);
    added += r.added;
    unchanged += r.unchanged;
    problems.push(...r.conflicts);
    batch = [];
  };
  const { format, encoding } = streamTradeFile(
    path,
    {
      item(o) {
        read++;
        batch.push(o);
        if (batch.length >= BATCH) flush();
      },
      error(e) {
        rejected++;
        problems.push(e);
      },
      skip() {
        skipped++;
      },
      fatal(reason) {
        rejected++;
        problems.push(new EmbargoError('EMB_TRADE_FORMAT_UNKNOWN', reason, { file: basename(path) }));
      },
    },
    options,
  );
  flush();
  const summary: ImportSummary = {
    file: basename(path),
    format,
    encoding,
    read,
    added,
    unchanged,
    rejected,
    skipped,
    problems,
  };
  store.recordImport({
    file: summary.file,
    format: summary.format,
    importedAt: now(),
    added,
    unchanged,
    rejected,
  });
  return summary;
}
