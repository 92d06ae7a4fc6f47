/**
 * The stored body of an observation: its canonical JSON (`canonicalJson`, keys sorted at every
 * level), produced on the import's hot path by the engine's JSON.stringify of copies whose keys are
 * inserted in sorted order (as declarations do, docs/decisions.md ST10 and T12). Anything such a
 * copy would not reproduce exactly (a key outside the Observation type, an object or a function
 * where the type has a scalar, a non-plain object) takes the generic `canonicalJson`, so the text
 * is always the same as `canonicalJson(observation)`.
 */
import { canonicalJson } from '../core/audit/audit-chain.js';
import type { Observation } from '../core/trade/observation.js';

const sorted = (keys: string[]) => [...keys].sort();

/** Observation's own keys; `period`, `source` and `supersedes` are checked separately. */
const OBSERVATION_KEYS = sorted([
  'id',
  'reporter',
  'partner',
  'flow',
  'period',
  'commodity',
  'commodityLabel',
  'measure',
  'value',
  'basis',
  'unit',
  'qualifier',
  'status',
  'source',
  'supersedes',
  'notes',
]);
const PERIOD_KEYS = sorted(['kind', 'start', 'end']);
/** DatasetSource's and ReportSource's keys together: absent ones are undefined and dropped. */
const SOURCE_KEYS = sorted([
  'kind',
  'dataset',
  'release',
  'url',
  'file',
  'outlet',
  'title',
  'author',
  'published',
  'primarySource',
]);
const OBSERVATION_SET = new Set(OBSERVATION_KEYS);
const PERIOD_SET = new Set(PERIOD_KEYS);
const SOURCE_SET = new Set(SOURCE_KEYS);
const NESTED = new Set(['period', 'source', 'supersedes']);

/** A value JSON.stringify writes exactly as canonicalJson does (undefined: dropped by both). */
function scalar(value: unknown): boolean {
  const type = typeof value;
  return (
    type === 'string' || type === 'number' || type === 'boolean' || value === undefined || value === null
  );
}

/** A sorted-key copy of a plain object with only `known` keys and scalar values, else undefined. */
function sortedCopy(
  value: unknown,
  keys: readonly string[],
  known: ReadonlySet<string>,
  nested?: ReadonlySet<string>,
): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) {
    return undefined;
  }
  const record = value as Record<string, unknown>;
  // Own enumerable keys, as canonicalJson sees them.
  const own = Object.keys(record);
  for (const key of own) {
    if (!known.has(key)) return undefined;
    if (!nested?.has(key) && !scalar(record[key])) return undefined;
  }
  const copy: Record<string, unknown> = {};
  let copied = 0;
  for (const key of keys) {
    if (Object.hasOwn(record, key)) {
      copy[key] = record[key];
      copied++;
    }
  }
  // A known key that is own but not enumerable: canonicalJson leaves it out; so must we.
  return copied === own.length ? copy : undefined;
}

/** `canonicalJson(observation)`, faster for observations of the declared shape. */
export function observationJson(observation: Observation): string {
  const copy = sortedCopy(observation, OBSERVATION_KEYS, OBSERVATION_SET, NESTED);
  if (copy) {
    const period = sortedCopy(copy.period, PERIOD_KEYS, PERIOD_SET);
    const source = sortedCopy(copy.source, SOURCE_KEYS, SOURCE_SET);
    const supersedes = copy.supersedes;
    if (
      period &&
      source &&
      Array.isArray(supersedes) &&
      Object.getPrototypeOf(supersedes) === Array.prototype &&
      supersedes.every((id) => typeof id === 'string')
    ) {
      copy.period = period;
      copy.source = source;
      return JSON.stringify(copy);
    }
  }
  return canonicalJson(observation);
}
