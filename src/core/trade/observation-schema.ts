/**
 * embargo's own observations format (YAML and CSV share these fields). One zod definition gives
 * load-time validation, with unknown keys rejected, and the record type; `toObservation` turns a
 * record into the core Observation. docs/formats.md, "Trade observations", documents every field.
 */
import { z } from 'zod';
import {
  addMonths,
  FLOWS,
  MEASURES,
  monthIndex,
  OBSERVATION_STATUSES,
  type Observation,
  type Period,
  QUALIFIERS,
} from './observation.js';

export const OBSERVATIONS_FORMAT = 'embargo-trade-observations/1';

/**
 * Period grammar: `2016` (year), `2016-04` (month), `2016-Q1`, `2016-H1`, and `2016-01..2016-04`
 * (a span: `ytd` when it starts in January and ends in the same year, otherwise `multi_month`).
 * @example parsePeriod('2016-Q2') // { kind: 'quarter', start: '2016-04', end: '2016-06' }
 */
export function parsePeriod(text: string): Period | undefined {
  const t = text.trim();
  let m = /^(\d{4})$/.exec(t);
  if (m) return { kind: 'year', start: `${m[1]}-01`, end: `${m[1]}-12` };
  m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(t);
  if (m) return { kind: 'month', start: t, end: t };
  m = /^(\d{4})-Q([1-4])$/i.exec(t);
  if (m) {
    const start = `${m[1]}-${String((Number(m[2]) - 1) * 3 + 1).padStart(2, '0')}`;
    return { kind: 'quarter', start, end: addMonths(start, 2) };
  }
  m = /^(\d{4})-H([12])$/i.exec(t);
  if (m) {
    const start = m[2] === '1' ? `${m[1]}-01` : `${m[1]}-07`;
    return { kind: 'half', start, end: addMonths(start, 5) };
  }
  m = /^(\d{4}-(?:0[1-9]|1[0-2]))\.\.(\d{4}-(?:0[1-9]|1[0-2]))$/.exec(t);
  if (m?.[1] && m[2]) {
    const [start, end] = [m[1], m[2]];
    if (monthIndex(end) < monthIndex(start)) return undefined;
    if (start === end) return { kind: 'month', start, end };
    const sameYear = start.slice(0, 4) === end.slice(0, 4);
    return { kind: sameYear && start.endsWith('-01') ? 'ytd' : 'multi_month', start, end };
  }
  return undefined;
}

/**
 * The canonical text of a period, the inverse of parsePeriod.
 * @example formatPeriod({ kind: 'ytd', start: '2016-01', end: '2016-04' }) // '2016-01..2016-04'
 */
export function formatPeriod(period: Period): string {
  const year = period.start.slice(0, 4);
  switch (period.kind) {
    case 'month':
      return period.start;
    case 'year':
      return year;
    case 'quarter':
      return `${year}-Q${Math.ceil(Number(period.start.slice(5, 7)) / 3)}`;
    case 'half':
      return `${year}-H${period.start.endsWith('-01') ? 1 : 2}`;
    default:
      return `${period.start}..${period.end}`;
  }
}

const periodText = z.string().refine((t) => parsePeriod(t) !== undefined, {
  message: 'expected a period: 2016, 2016-04, 2016-Q1, 2016-H1 or 2016-01..2016-04',
});

/**
 * YAML reads an unquoted 2701 as a number; that is accepted, but an odd number of digits means a
 * leading zero was lost (`03` became 3), so such codes must be quoted.
 */
const commodityCode = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform((v) => String(v).trim())
  .refine((v) => /^(TOTAL|\d{2,10}(-\d{2,10})?|[A-Z][A-Z0-9_-]*)$/.test(v), {
    message: "expected TOTAL, HS digits (quote codes with a leading zero: '03'), or an upper-case group code",
  });

const isoDateLoose = z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'expected YYYY-MM-DD (or YYYY-MM, YYYY)');

export const ReportSourceSchema = z.strictObject({
  outlet: z.string().min(1),
  title: z.string().min(1),
  author: z.string().optional(),
  published: isoDateLoose.optional(),
  url: z.string().url().optional(),
  /** who the report attributes the figure to (China GAC, KITA, KOTRA…) */
  primary: z.string().optional(),
});

export const DatasetSourceSchema = z.strictObject({
  dataset: z.string().min(1),
  release: z.string().optional(),
  url: z.string().url().optional(),
});

export const ObservationRecordSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9:._-]*$/, 'ids are letters, digits and : . _ -'),
  reporter: z.string().regex(/^[A-Z0-9]{2,3}(-[A-Z0-9]+)?$/, 'expected a code such as CN or CN-JL'),
  partner: z.string().regex(/^[A-Z0-9]{2,3}$/, 'expected an ISO code such as KP'),
  flow: z.enum(FLOWS),
  period: periodText,
  commodity: commodityCode,
  label: z.string().optional(),
  measure: z.enum(MEASURES),
  value: z.number().finite(),
  unit: z.string().min(1),
  /** for percentages and changes: the level they describe (tonnage changes say `quantity`) */
  basis: z.enum(['value', 'quantity']).optional(),
  qualifier: z.enum(QUALIFIERS).default('exact'),
  status: z.enum(OBSERVATION_STATUSES).default('reported'),
  supersedes: z.array(z.string()).default([]),
  source: z.union([ReportSourceSchema, DatasetSourceSchema]),
  notes: z.string().optional(),
});
export type ObservationRecord = z.infer<typeof ObservationRecordSchema>;

export const ObservationsFileSchema = z.strictObject({
  format: z.literal(OBSERVATIONS_FORMAT),
  title: z.string().optional(),
  description: z.string().optional(),
  observations: z.array(z.unknown()),
});

/**
 * A validated record as the core Observation (period parsed, source tagged report or dataset).
 * @example toObservation(ObservationRecordSchema.parse(raw)).period // { kind: 'month', … }
 */
export function toObservation(record: ObservationRecord): Observation {
  const period = parsePeriod(record.period);
  if (!period) throw new Error(`unparseable period passed validation: ${record.period}`);
  const s = record.source;
  const source: Observation['source'] =
    'dataset' in s
      ? { kind: 'dataset', dataset: s.dataset, release: s.release, url: s.url }
      : {
          kind: 'report',
          outlet: s.outlet,
          title: s.title,
          author: s.author,
          published: s.published,
          url: s.url,
          primarySource: s.primary,
        };
  return {
    id: record.id,
    reporter: record.reporter,
    partner: record.partner,
    flow: record.flow,
    period,
    commodity: record.commodity,
    commodityLabel: record.label,
    measure: record.measure,
    value: record.value,
    unit: record.unit,
    basis: record.basis,
    qualifier: record.qualifier,
    status: record.status,
    source,
    supersedes: record.supersedes,
    notes: record.notes,
  };
}
