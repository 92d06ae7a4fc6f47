/**
 * One reported trade figure with its provenance. Observations are facts as somebody published
 * them: they are never edited or overwritten. A revision or a correction is a new observation
 * whose `supersedes` names the ids it replaces, so both stay visible (docs/formats.md,
 * "Trade observations").
 */

/** From the reporter's point of view: `balance` is exports minus imports (positive = reporter surplus). */
export const FLOWS = ['import', 'export', 'total', 'balance'] as const;
export type Flow = (typeof FLOWS)[number];

/** `ytd` runs from January to `end`; `multi_month` is any other span a source chose. */
export const PERIOD_KINDS = ['month', 'quarter', 'half', 'ytd', 'year', 'multi_month'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

/**
 * What the number is. Levels: `value` (money, unit = currency), `quantity` (unit = t, kg, bbl…),
 * `unit_value`, `count` (border traffic). Changes as the source printed them: `yoy_pct` / `mom_pct`
 * (percent), `yoy_change` / `mom_change` (absolute), `change_vs_base` (against a base named in
 * `notes`), and `share_pct`.
 */
export const MEASURES = [
  'value',
  'quantity',
  'unit_value',
  'count',
  'yoy_pct',
  'mom_pct',
  'yoy_change',
  'mom_change',
  'change_vs_base',
  'share_pct',
] as const;
export type Measure = (typeof MEASURES)[number];

/** Reliability marks a transcriber or a later correction attaches; `reported` is the default. */
export const OBSERVATION_STATUSES = ['reported', 'provisional', 'estimate', 'erroneous'] as const;
export type ObservationStatus = (typeof OBSERVATION_STATUSES)[number];

/** How the number was printed relative to the truth ("about", "over", "below"). */
export const QUALIFIERS = ['exact', 'approx', 'at-least', 'at-most'] as const;
export type Qualifier = (typeof QUALIFIERS)[number];

export interface Period {
  kind: PeriodKind;
  /** `YYYY-MM`, inclusive */
  start: string;
  /** `YYYY-MM`, inclusive */
  end: string;
}

/** An official statistical release: Comtrade, a customs table, with its release (vintage). */
export interface DatasetSource {
  kind: 'dataset';
  /** e.g. `UN Comtrade` */
  dataset: string;
  /** release or vintage, e.g. `comtrade+ 2025-06 extract` */
  release?: string;
  url?: string;
  /** the file it was imported from, for a reader tracing a number back */
  file?: string;
}

/** A secondary report: a news article or think-tank note quoting a figure. */
export interface ReportSource {
  kind: 'report';
  outlet: string;
  title: string;
  author?: string;
  /** ISO date, possibly reduced precision (`YYYY-MM`, `YYYY`) */
  published?: string;
  url?: string;
  /** who the report attributes the figure to (China GAC, KITA, KOTRA…) */
  primarySource?: string;
}

export type Source = DatasetSource | ReportSource;

export interface Observation {
  /** stable id, unique in a store (e.g. `seed-0071`, `comtrade:…`) */
  id: string;
  /** whose statistics: ISO alpha-2 (`CN`), or a sub-national / institutional code (`CN-JL`, `UN1718`) */
  reporter: string;
  /** ISO alpha-2 of the partner (`KP`) */
  partner: string;
  flow: Flow;
  period: Period;
  /** `TOTAL`, HS digits at any level (`27`, `2701`, `270111`), or a named group (`BORDER`, `MIN5`) */
  commodity: string;
  commodityLabel?: string;
  measure: Measure;
  value: number;
  /** for changes and percentages: which level they describe (default `value`) */
  basis?: 'value' | 'quantity';
  /** currency for values (`USD`, `CNY`), unit for quantities (`t`, `kg`), `pct` for percentages */
  unit: string;
  qualifier: Qualifier;
  status: ObservationStatus;
  source: Source;
  /** ids of observations this one revises or corrects */
  supersedes: string[];
  notes?: string;
}

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(text: string): boolean {
  return MONTH_RE.test(text);
}

/**
 * Months since year 0: arithmetic on periods without dates or clocks.
 * @example monthIndex('2016-04') - monthIndex('2015-04') // 12
 */
export function monthIndex(month: string): number {
  const m = MONTH_RE.exec(month);
  if (!m) throw new Error(`not a YYYY-MM month: ${month}`);
  return Number(m[1]) * 12 + Number(m[2]) - 1;
}

export function monthFromIndex(index: number): string {
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

/** @example addMonths('2016-01', -1) // '2015-12' */
export function addMonths(month: string, delta: number): string {
  return monthFromIndex(monthIndex(month) + delta);
}

/**
 * Number of months a period spans, both ends inclusive.
 * @example periodMonths({ start: '2016-01', end: '2016-04' }) // 4
 */
export function periodMonths(period: Pick<Period, 'start' | 'end'>): number {
  return monthIndex(period.end) - monthIndex(period.start) + 1;
}

export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let i = monthIndex(from); i <= monthIndex(to); i++) out.push(monthFromIndex(i));
  return out;
}

/** The same period one year earlier (the base of a year-on-year change). */
export function previousYear(period: Period): Period {
  return { kind: period.kind, start: addMonths(period.start, -12), end: addMonths(period.end, -12) };
}

export function periodKey(period: Pick<Period, 'start' | 'end'>): string {
  return period.start === period.end ? period.start : `${period.start}..${period.end}`;
}

/**
 * Human label: `2016-04`, `2016 Q1`, `2016 H1`, `2016 Jan–Apr`, `2016`.
 * @example periodLabel({ kind: 'ytd', start: '2016-01', end: '2016-04' }) // '2016 Jan–Apr'
 */
export function periodLabel(period: Period): string {
  const year = period.start.slice(0, 4);
  const names = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const sm = Number(period.start.slice(5, 7));
  const em = Number(period.end.slice(5, 7));
  switch (period.kind) {
    case 'month':
      return period.start;
    case 'quarter':
      return `${year} Q${Math.ceil(sm / 3)}`;
    case 'half':
      return `${year} H${sm <= 6 ? 1 : 2}`;
    case 'year':
      return year;
    default:
      return period.start.slice(0, 4) === period.end.slice(0, 4)
        ? `${year} ${names[sm - 1]}–${names[em - 1]}`
        : `${period.start}–${period.end}`;
  }
}

/** Levels can be summed and compared; percentages and counts of trucks cannot. */
export function isLevel(measure: Measure): boolean {
  return measure === 'value' || measure === 'quantity';
}

/**
 * Scale factor to tonnes for mass units; undefined for anything else.
 * @example tonnesPerUnit('kg') // 0.001
 */
export function tonnesPerUnit(unit: string): number | undefined {
  switch (unit) {
    case 't':
      return 1;
    case 'kg':
      return 0.001;
    case 'short_t':
      return 0.90718474;
    default:
      return undefined;
  }
}

/** Describes a source in one line: `Choson Ilbo, "Sanctions Slash…", 2016-05-25 (KITA)`. */
export function describeSource(source: Source): string {
  if (source.kind === 'dataset') return [source.dataset, source.release].filter(Boolean).join(', ');
  const parts = [source.outlet, `"${source.title}"`];
  if (source.published) parts.push(source.published);
  const text = parts.join(', ');
  return source.primarySource ? `${text} (${source.primarySource})` : text;
}
