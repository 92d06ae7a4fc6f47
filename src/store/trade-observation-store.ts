/**
 * The port through which the trade monitor keeps observations. Observations are append-only:
 * `add` stores new ones, recognises ones already stored (same id, same content) and refuses to
 * overwrite (same id, other content); a revision is a new observation whose `supersedes` names
 * the old one. The implementation lives in the main store, on SQLite and PostgreSQL alike
 * (src/store/trade-observation-kysely-store.ts, docs/decisions.md T8).
 */
import type { EmbargoError } from '../core/errors.js';
import type { Flow, Observation } from '../core/trade/observation.js';

export interface AddResult {
  added: number;
  unchanged: number;
  /** EMB_TRADE_ID_CONFLICT per observation whose id is stored with other content */
  conflicts: EmbargoError[];
}

export interface ObservationFilter {
  reporter?: string;
  partner?: string;
  flow?: Flow;
  /** exact code, or a prefix when it ends with `*` (`27*`) */
  commodity?: string;
}

export interface ImportRecord {
  id: number;
  file: string;
  format: string;
  importedAt: string;
  added: number;
  unchanged: number;
  rejected: number;
}

/** An import as the log keeps it, and who made it (the audit entry's actor). */
export interface ImportEntry extends Omit<ImportRecord, 'id'> {
  actor: string;
}

export interface TradeObservationStore {
  /** Stores observations in one transaction. */
  add(observations: readonly Observation[]): Promise<AddResult>;
  list(filter?: ObservationFilter): Promise<Observation[]>;
  count(): Promise<number>;
  /**
   * Notes an import in the store's log (for `embargo trade sources`) and appends the audit entry
   * `trade.imported` in the same transaction.
   */
  recordImport(entry: ImportEntry): Promise<void>;
  imports(): Promise<ImportRecord[]>;
  /** The version of a named dataset last loaded (the shipped seed), or undefined. */
  datasetVersion(name: string): Promise<string | undefined>;
  /**
   * Loads a named dataset at `version` unless that version is already loaded: the observations,
   * the dataset's version, the import log entry and its audit entry in one transaction, so two
   * processes opening a fresh store at once load it once. Undefined when nothing was to do.
   */
  loadDataset(
    name: string,
    version: string,
    observations: readonly Observation[],
    entry: ImportEntry,
  ): Promise<AddResult | undefined>;
  close(): Promise<void>;
}
