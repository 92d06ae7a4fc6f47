/**
 * The schema of a regime file (one file per instrument under `regimes/`). One zod definition
 * gives both load-time validation (unknown keys rejected) and the TypeScript types.
 * docs/formats.md documents every field with examples.
 */
import { z } from 'zod';
import { CONDITION_FACTS, DIRECTIONS } from '../screening/declaration.js';
import { JURISDICTIONS } from './jurisdictions.js';

export { JURISDICTIONS, type Jurisdiction } from './jurisdictions.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected an ISO date YYYY-MM-DD');
const hsDigits = z.string().regex(/^\d{2,10}$/, 'expected 2–10 digits of an HS or national tariff code');

/** Where an HS code comes from, as the reference's "Code source" column names it. */
export const CODE_SOURCES = ['instrument', 'cn-annex', 'cn-text', 'analyst', 'national-tariff'] as const;

export const HsCodeSchema = z.strictObject({
  code: hsDigits,
  /** what the code covers, in words */
  label: z.string().optional(),
  source: z.enum(CODE_SOURCES),
  /** free text naming the document the mapping comes from, e.g. "MOFCOM/GACC No. 40 of 2017, annex" */
  source_note: z.string().optional(),
  /** false where the reference marks the mapping UNCONFIRMED */
  confirmed: z.boolean(),
  /**
   * A national line that holds banned and unbanned goods alike (aviation gasoline shares
   * China's 27101210 with motor gasoline): a declaration under it is HELD as ambiguous.
   */
  ambiguous: z.string().optional(),
  /**
   * How a declaration settles an ambiguous line: the value of one declared fact (e.g. `product`)
   * puts it inside the measure (`covered`) or outside it (`not_covered`); any other value, or
   * none, leaves it ambiguous (HOLD).
   */
  resolved_by: z
    .strictObject({
      fact: z.enum(CONDITION_FACTS),
      covered: z.array(z.string()).min(1),
      not_covered: z.array(z.string()).min(1),
    })
    .optional(),
  /**
   * The code covers the goods only when they are valued above this amount per item ("snowmobiles
   * valued greater than USD 2,000", 2270/2321 luxury goods): the declaration's value divided by its
   * quantity in a count unit (ITEM_UNITS). At or below it the goods are outside the measure; when the
   * unit value cannot be computed (no value, another currency, a mass unit) the line is HELD.
   */
  value_above: z.strictObject({ amount: z.number().positive(), currency: z.literal('USD') }).optional(),
  /**
   * The code does not cover goods whose declared fact takes one of these values (heading 2709 is
   * crude oil for the crude measures unless the declaration says `product: condensate`).
   */
  not_when: z.strictObject({ fact: z.enum(CONDITION_FACTS), in: z.array(z.string()).min(1) }).optional(),
});
export type HsCode = z.infer<typeof HsCodeSchema>;

export const GoodsSchema = z.strictObject({
  label: z.string(),
  include: z.array(HsCodeSchema).min(1),
  exclude: z.array(HsCodeSchema).default([]),
});
export type Goods = z.infer<typeof GoodsSchema>;

export const CitationSchema = z.strictObject({
  /** source key as in shared/regimes/REFERENCE.md §G, e.g. `CN-11-ZH` */
  source: z.string(),
  url: z.string().url().optional(),
  note: z.string().optional(),
});

/**
 * A test on one fact of the declaration. String comparisons ignore case and surrounding space.
 * Dates compare as ISO strings. A condition on a missing fact fails unless `absent_ok` is set.
 */
export const ConditionSchema = z.strictObject({
  fact: z.enum(CONDITION_FACTS),
  in: z.array(z.string()).optional(),
  not_in: z.array(z.string()).optional(),
  /** the fact (a date) is strictly before this ISO date */
  before: isoDate.optional(),
  /** the fact (a date) is on or after this ISO date */
  on_or_after: isoDate.optional(),
  absent_ok: z.boolean().optional(),
  /** how the condition reads to a person, used in explanations */
  text: z.string().optional(),
});
export type Condition = z.infer<typeof ConditionSchema>;

export const REVOCATION_TRIGGERS = ['solid-information'] as const;

export const ExceptionSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string(),
  /** paragraph or item of the exception, e.g. "1(1)" */
  paragraph: z.string().optional(),
  /** all must hold for the exception to be claimed */
  conditions: z.array(ConditionSchema).min(1),
  /**
   * HS prefixes the exception is limited to, when narrower than its measure's goods (Rason transit
   * is for coal only, not iron or iron ore). Absent: every good of the measure.
   */
  goods: z.array(hsDigits).optional(),
  /** document types that must be presented at declaration (missing → HOLD) */
  documents: z.array(z.string()).default([]),
  /** approval types that must exist beforehand (missing → REFUSE) */
  approvals: z.array(z.string()).default([]),
  /** standing conditions shown when the exception is applied */
  standing_conditions: z.array(z.string()).default([]),
  /** flags that revoke the exception (→ REFUSE), with the clause that says so */
  revoked_by: z.array(z.strictObject({ flag: z.enum(REVOCATION_TRIGGERS), clause: z.string() })).default([]),
  /** when the exception was available, if narrower than its measure (effective_to exclusive) */
  effective_from: isoDate.optional(),
  effective_to: isoDate.optional(),
  /** the trade under this exception draws on a cap of the same measure */
  consumes_cap: z.string().optional(),
  /** grace rules for prior contracts are exceptions with kind `grace` */
  kind: z.enum(['standard', 'grace']).default('standard'),
  unconfirmed: z.array(z.string()).default([]),
  citations: z.array(CitationSchema).default([]),
});
export type Exception = z.infer<typeof ExceptionSchema>;

export const CapLimitSchema = z.strictObject({
  amount: z.number().positive(),
  /** `USD`, `t`, `bbl` */
  unit: z.string(),
});

export const CapPeriodSchema = z.strictObject({
  /** first day of the period (inclusive) */
  from: isoDate,
  /** first day after the period (exclusive) */
  to: isoDate,
  limits: z.array(CapLimitSchema).min(1),
});

export const CapSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string(),
  /** `lower-of`: the cap is reached when any limit is reached */
  rule: z.enum(['lower-of']).default('lower-of'),
  /** explicit periods; for rolling yearly caps list each period */
  periods: z.array(CapPeriodSchema).min(1),
  /** fractions of the cap at which a decision notes a warning (1718 Committee: 0.75, 0.9, 0.95) */
  warning_levels: z.array(z.number().gt(0).lt(1)).default([]),
  /** fraction at which trade stops for the rest of the period (China: 0.95) */
  stop_at: z.number().gt(0).lte(1).optional(),
  /** global caps are tracked by the 1718 Committee; the ledger can be set from its figure */
  scope: z.enum(['global', 'national']).default('global'),
  /** product for barrel↔tonne conversion (regimes/units.yaml) */
  product: z.string().optional(),
  unconfirmed: z.array(z.string()).default([]),
});
export type Cap = z.infer<typeof CapSchema>;

export const NotificationSchema = z.strictObject({
  who: z.string(),
  to: z.string(),
  /** e.g. `every-30-days`, `every-90-days`, `monthly`, `in-advance`, `once` */
  cadence: z.string(),
  what: z.string(),
  /** the duty arises only for trade under these exceptions of the measure (absent: any cleared trade) */
  exceptions: z.array(z.string()).optional(),
  unconfirmed: z.array(z.string()).default([]),
});

/** One measure changing another from a date: the engine never has to guess precedence. */
export const AmendmentSchema = z.strictObject({
  measure: z.string(),
  /** `end`: the target stops applying; `end-exceptions`: the listed exceptions stop; `suspend-exceptions`: they stop for [from, to) */
  action: z.enum(['end', 'end-exceptions', 'suspend-exceptions']),
  exceptions: z.array(z.string()).optional(),
  from: isoDate,
  to: isoDate.optional(),
  note: z.string().optional(),
});
export type Amendment = z.infer<typeof AmendmentSchema>;

export const MEASURE_KINDS = ['ban', 'suspension', 'unconfirmed-ban'] as const;
export type MeasureKind = (typeof MEASURE_KINDS)[number];

export const MeasureSchema = z.strictObject({
  id: z.string().regex(/^[A-Z0-9][A-Za-z0-9-]*$/),
  title: z.string(),
  /** paragraph (UN) or item (CN), e.g. "31" or "1(1)" */
  paragraph: z.string(),
  paragraph_confirmed: z.boolean(),
  direction: z.enum(DIRECTIONS),
  target: z.literal('KP'),
  /**
   * `ban`: covered goods are prohibited unless an exception holds; `suspension`: a window ban;
   * `unconfirmed-ban`: a ban whose very existence the reference could not confirm (No. 4 of 2018's
   * import section): covered goods are HELD for an officer, never refused or cleared by screening.
   */
  kind: z.enum(MEASURE_KINDS).default('ban'),
  summary: z.string(),
  goods: z.array(GoodsSchema).min(1),
  effective_from: isoDate,
  /** exclusive: the first day the measure no longer applies */
  effective_to: isoDate.optional(),
  exceptions: z.array(ExceptionSchema).default([]),
  caps: z.array(CapSchema).default([]),
  notifications: z.array(NotificationSchema).default([]),
  amends: z.array(AmendmentSchema).default([]),
  unconfirmed: z.array(z.string()).default([]),
  citations: z.array(CitationSchema).min(1),
});
export type Measure = z.infer<typeof MeasureSchema>;

export const InstrumentSchema = z.strictObject({
  id: z.string().regex(/^[A-Z0-9][A-Za-z0-9-]*$/),
  title: z.string(),
  issuer: z.string(),
  number: z.string(),
  adopted: isoDate,
  url: z.string().url(),
  jurisdiction: z.enum(JURISDICTIONS),
  /** what the instrument implements, e.g. ["UNSCR-2270"] */
  implements: z.array(z.string()).default([]),
  unconfirmed: z.array(z.string()).default([]),
});
export type Instrument = z.infer<typeof InstrumentSchema>;

export const RegimeFileSchema = z.strictObject({
  instrument: InstrumentSchema,
  measures: z.array(MeasureSchema).min(1),
});
export type RegimeFile = z.infer<typeof RegimeFileSchema>;
