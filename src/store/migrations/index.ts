/**
 * Every migration, oldest first. Append only: a test checks this list matches the files in this
 * directory, that names are timestamped and in order, and that the resulting schema matches the
 * committed snapshot for each dialect.
 */
import { migration as initial } from './202611281700-initial.js';
import { migration as leanerIndexes } from './202611281740-leaner-indexes.js';
import { migration as tradeObservations } from './202611281830-trade-observations.js';
import { migration as decisionOutcomes } from './202611282240-decision-outcomes.js';
import { migration as auditPayloadLz4 } from './202611290135-audit-payload-lz4.js';
import type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [
  initial,
  leanerIndexes,
  tradeObservations,
  decisionOutcomes,
  auditPayloadLz4,
];
