/**
 * The port through which the trade monitor keeps observations. Observations are append-only:
 * `add` stores new ones, recognises ones already stored (same id, same content) and refuses to
 * overwrite (same id, other content). One SQLite adapter exists
 * (src/store/sqlite/trade-observation-store.ts); its tables are prefixed `trade_` so they can move
 * into the main store as one additive migration (docs/decisions.md T5).
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

export interface TradeObservationStore {
  /** Stores observations in one transaction. */
  add(observations: readonly Observation[]): AddResult;
  list(filter?: ObservationFilter): Observation[];
  count(): number;
  /** Notes an import in the store's log (for `embargo trade sources`). */
  recordImport(entry: Omit<ImportRecord, 'id'>): void;
  imports(): ImportRecord[];
  /** The version of a named dataset last loaded (the shipped seed), or undefined. */
  datasetVersion(name: string): string | undefined;
  setDatasetVersion(name: string, version: string, loadedAt: string): void;
  close(): void;
}
