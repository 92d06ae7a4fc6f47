/**
 * The trade monitor's services at the edge: open the trade observations in the main store, load
 * the shipped dataset on first use (again only when the shipped file changes), import a file.
 * The CLI calls these; so would an API. Every import, the shipped dataset's included, is logged in
 * `trade_imports` and appends a `trade.imported` audit entry.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { EmbargoError } from '../../core/errors.js';
import type { Observation } from '../../core/trade/observation.js';
import { openStore } from '../../store/open-store.js';
import { openKyselyTradeStore } from '../../store/trade-observation-kysely-store.js';
import type { TradeObservationStore } from '../../store/trade-observation-store.js';
import { loadSeedObservations, SEED_OBSERVATIONS_PATH } from './seed-dataset.js';
import { streamTradeFileAsync, type TradeReadOptions } from './trade-file-reader.js';

export const SEED_DATASET = 'seed';

/** The actor of audit entries when no user is named (`--as` / EMBARGO_USER). */
export const DEFAULT_ACTOR = 'cli';

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

export interface TradeStoreOptions {
  now?: () => string;
  seedPath?: string;
  /** who loads the shipped dataset, for its audit entry */
  actor?: string;
}

const isoNow = () => new Date().toISOString();

/**
 * Opens the main store at `target` (a SQLite file or a postgres:// URL, as `--db` takes) and makes
 * sure the shipped dataset is in it (idempotent, also between processes starting at once).
 */
export async function openTradeStore(
  target: string,
  options: TradeStoreOptions = {},
): Promise<{ store: TradeObservationStore; seedLoaded: number; seedConflicts: EmbargoError[] }> {
  const now = options.now ?? isoNow;
  const seedPath = options.seedPath ?? SEED_OBSERVATIONS_PATH;
  const store = openKyselyTradeStore(await openStore(target, { now }));
  try {
    const version = `sha256:${createHash('sha256').update(readFileSync(seedPath)).digest('hex').slice(0, 16)}`;
    if ((await store.datasetVersion(SEED_DATASET)) === version) {
      return { store, seedLoaded: 0, seedConflicts: [] };
    }
    const result = await store.loadDataset(SEED_DATASET, version, loadSeedObservations(seedPath), {
      file: basename(seedPath),
      format: 'observations',
      importedAt: now(),
      added: 0,
      unchanged: 0,
      rejected: 0,
      actor: options.actor ?? DEFAULT_ACTOR,
    });
    return { store, seedLoaded: result?.added ?? 0, seedConflicts: result?.conflicts ?? [] };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Observations are written in batches of at most this many, each batch one transaction. */
const BATCH = 10_000;

/**
 * Streams a file into the store: what each chunk of the file yields is written before the next
 * chunk is read, so a million-row extract never sits in memory whole. An interrupted import leaves
 * whole batches; importing the file again completes it (ids already stored are recognised, not
 * duplicated).
 */
export async function importTradeFile(
  store: TradeObservationStore,
  path: string,
  options: TradeReadOptions,
  context: { now?: () => string; actor?: string } = {},
): Promise<ImportSummary> {
  const problems: EmbargoError[] = [];
  let pending: Observation[] = [];
  let read = 0;
  let added = 0;
  let unchanged = 0;
  let rejected = 0;
  let skipped = 0;
  const flush = async () => {
    while (pending.length) {
      const batch = pending.slice(0, BATCH);
      pending = pending.slice(BATCH);
      const r = await store.add(batch);
      added += r.added;
      unchanged += r.unchanged;
      problems.push(...r.conflicts);
    }
  };
  const { format, encoding } = await streamTradeFileAsync(
    path,
    {
      item(o) {
        read++;
        pending.push(o);
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
    flush,
  );
  await flush();
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
  await store.recordImport({
    file: summary.file,
    format: summary.format,
    importedAt: (context.now ?? isoNow)(),
    added,
    unchanged,
    rejected,
    actor: context.actor ?? DEFAULT_ACTOR,
  });
  return summary;
}
