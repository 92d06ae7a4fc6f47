/**
 * The trade dataset embargo ships: `data/trade/seed-observations.yaml`, every figure of the
 * founding document plus further cited figures (see the file's header). Loaded and validated
 * like any other observations file; a problem in it is a bug in the product, so it throws.
 */
import { join } from 'node:path';
import { EmbargoError } from '../../core/errors.js';
import type { Observation } from '../../core/trade/observation.js';
import { readTradeFile } from './trade-file-reader.js';

export const SEED_OBSERVATIONS_PATH = join(
  new URL('../../../', import.meta.url).pathname,
  'data',
  'trade',
  'seed-observations.yaml',
);

export function loadSeedObservations(path: string = SEED_OBSERVATIONS_PATH): Observation[] {
  const result = readTradeFile(path, { format: 'observations' });
  const first = result.errors[0];
  if (first) {
    throw new EmbargoError(
      'EMB_TRADE_OBSERVATIONS_INVALID',
      `the shipped trade dataset has ${result.errors.length} invalid record(s); first: ${first.message}`,
      first.details,
    );
  }
  return result.items;
}
