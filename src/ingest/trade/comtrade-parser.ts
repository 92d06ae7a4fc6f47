/**
 * UN Comtrade CSV → observations. Two column sets are read:
 * - Comtrade+ (the v1 API's native CSV): `refYear, refMonth, period, freqCode, reporterISO,
 *   flowCode, partnerISO, partner2ISO, cmdCode, cmdDesc, netWgt, primaryValue, …`;
 * - legacy Comtrade: `Year, Period, Trade Flow Code, Trade Flow, Reporter ISO, Partner ISO,
 *   2nd Partner ISO, Commodity Code, Netweight (kg), Trade Value (US$), …`.
 * Quirks handled: `-0-` and empty cells are absent values, and in some legacy exports the partner
 * is `World` while the real partner sits in the `2nd Partner` columns. Each row gives a value
 * observation and, when a net weight is reported, a quantity observation in kg.
 */
import { toAlpha2, WORLD } from '../../core/country-codes.js';
import type { Flow, Observation, Period } from '../../core/trade/observation.js';
import { cellNumber, cellValue, headerKey } from './csv-reader.js';
import type { RowReaderFactory } from './trade-csv-parser.js';
import { type RowSink, rowError } from './trade-parse-result.js';

export const COMTRADE_FORMATS = ['comtrade', 'comtrade-legacy'] as const;
export type ComtradeFormat = (typeof COMTRADE_FORMATS)[number];

interface ColumnSpec {
  year: string[];
  period: string[];
  flow: string[];
  reporter: string[];
  reporterCode: string[];
  partner: string[];
  partnerCode: string[];
  partner2: string[];
  partner2Code: string[];
  commodity: string[];
  label: string[];
  netWeight: string[];
  value: string[];
  classification: string[];
}

const SPECS: Record<ComtradeFormat, ColumnSpec> = {
  comtrade: {
    year: ['refyear'],
    period: ['period'],
    flow: ['flowcode'],
    reporter: ['reporteriso'],
    reporterCode: ['reportercode'],
    partner: ['partneriso'],
    partnerCode: ['partnercode'],
    partner2: ['partner2iso'],
    partner2Code: ['partner2code'],
    commodity: ['cmdcode'],
    label: ['cmddesc'],
    netWeight: ['netwgt'],
    value: ['primaryvalue'],
    classification: ['classificationcode'],
  },
  'comtrade-legacy': {
    year: ['year'],
    period: ['period'],
    flow: ['trade flow', 'trade flow code'],
    reporter: ['reporter iso'],
    reporterCode: ['reporter code'],
    partner: ['partner iso'],
    partnerCode: ['partner code'],
    partner2: ['2nd partner iso'],
    partner2Code: ['2nd partner code'],
    commodity: ['commodity code'],
    label: ['commodity'],
    netWeight: ['netweight (kg)'],
    value: ['trade value (us$)'],
    classification: ['classification'],
  },
};

/**
 * A sink that only adds up (the `totals` mode of the readers): given `tally`, the Comtrade reader
 * does not build a row's observations (objects, id strings) but reports what the totals need of
 * them: partner, flow, commodity, period key (`YYYY-MM`, or `YYYY` for a year), the US$ value, and
 * how many observations the row gives (1, or 2 with a net weight). Every check, error and skip is
 * the same as without it (T13).
 */
export interface TallySink extends RowSink {
  tally?(
    partner: string,
    flow: Flow,
    commodity: string,
    periodKey: string,
    value: number,
    observations: number,
  ): void;
}

/** A row handler, with the column positions it reads when it reads only some. */
export type RowReader = ((fields: readonly string[], line: number) => void) & { columns?: number[] };

/** Columns without which a row cannot be an observation. */
const REQUIRED: (keyof ColumnSpec)[] = ['year', 'flow', 'reporter', 'partner', 'commodity', 'value'];

/** Which Comtrade column set a header row is, if any. */
export function detectComtrade(header: readonly string[]): ComtradeFormat | undefined {
  const keys = new Set(header.map(headerKey));
  if (keys.has('primaryvalue') && keys.has('cmdcode') && keys.has('flowcode')) return 'comtrade';
  if (keys.has('trade value (us$)') && keys.has('commodity code') && keys.has('reporter iso')) {
    return 'comtrade-legacy';
  }
  return undefined;
}

/**
 * Comtrade flow codes: Comtrade+ uses letters (M, X, RM, RX, DX, FM…), the legacy API numbers
 * (1 import, 2 export, 3 re-export, 4 re-import) and words. Only imports and exports become
 * observations; re-exports, domestic exports and the rest are subsets or other concepts.
 */
function flowOf(code: string | undefined): Flow | 'other' | undefined {
  if (!code) return undefined;
  // the usual Comtrade+ and legacy codes, without a trimmed and lower-cased copy per row
  if (code === 'X' || code === '2') return 'export';
  if (code === 'M' || code === '1') return 'import';
  switch (code.trim().toLowerCase()) {
    case 'm':
    case '1':
    case 'import':
    case 'imports':
      return 'import';
    case 'x':
    case '2':
    case 'export':
    case 'exports':
      return 'export';
    case 'rm':
    case 'rx':
    case 'dx':
    case 'fm':
    case 'xop':
    case 'mop':
    case '3':
    case '4':
    case 're-export':
    case 're-import':
      return 'other';
    default:
      return undefined;
  }
}

/** `TOTAL` (any case) or 2 to 10 digits: as /^(TOTAL|\d{2,10})$/i, without a regular expression per row. */
function isCommodityCode(text: string): boolean {
  const n = text.length;
  if (n < 2 || n > 10) return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return text.toUpperCase() === 'TOTAL';
  }
  return true;
}

function periodOf(yearCell: string | undefined, periodCell: string | undefined): Period | undefined {
  const p = periodCell?.trim();
  if (p && /^\d{6}$/.test(p)) {
    const month = Number(p.slice(4, 6));
    if (month >= 1 && month <= 12) {
      const m = `${p.slice(0, 4)}-${p.slice(4, 6)}`;
      return { kind: 'month', start: m, end: m };
    }
  }
  const y = (p && /^\d{4}$/.test(p) ? p : yearCell)?.trim();
  if (y && /^\d{4}$/.test(y)) return { kind: 'year', start: `${y}-01`, end: `${y}-12` };
  return undefined;
}

/**
 * Creates a row handler for one Comtrade file. `onRow(fields, line)` is called per data row;
 * observations and row errors go to the sink.
 */
export function comtradeRowReader(
  format: ComtradeFormat,
  header: readonly string[],
  file: string,
  sink: RowSink,
): RowReader | undefined {
  const spec = SPECS[format];
  const keys = header.map(headerKey);
  const col = (names: string[]) => {
    for (const name of names) {
      const i = keys.indexOf(name);
      if (i !== -1) return i;
    }
    return -1;
  };
  const idx = Object.fromEntries(Object.entries(spec).map(([k, names]) => [k, col(names)])) as Record<
    keyof ColumnSpec,
    number
  >;
  const missing = REQUIRED.filter((k) => idx[k] === -1);
  if (missing.length) {
    sink.fatal(`missing Comtrade column(s): ${missing.map((k) => spec[k][0]).join(', ')}`);
    return undefined;
  }
  // hot path (a million rows): column positions as locals, and caches for the few distinct
  // reporters, partners, periods and sources an extract repeats on every row
  const iYear = idx.year;
  const iPeriod = idx.period;
  const iFlow = idx.flow;
  const iReporter = idx.reporter;
  const iReporterCode = idx.reporterCode;
  const iPartner = idx.partner;
  const iPartnerCode = idx.partnerCode;
  const iPartner2 = idx.partner2;
  const iPartner2Code = idx.partner2Code;
  const iCommodity = idx.commodity;
  const iLabel = idx.label;
  const iWeight = idx.netWeight;
  const iValue = idx.value;
  const iClass = idx.classification;
  const get = (fields: readonly string[], i: number) => (i === -1 ? undefined : cellValue(fields[i]));
  const codeCache = new Map<string, string | undefined>();
  const code = (text: string | undefined) => {
    if (text === undefined) return undefined;
    let c = codeCache.get(text);
    if (c === undefined && !codeCache.has(text)) {
      c = toAlpha2(text);
      codeCache.set(text, c);
    }
    return c;
  };
  const periodCache = new Map<string, Period | undefined>();
  const monthCache = new Map<string, Period>();
  const sourceCache = new Map<string, Observation['source']>();
  const sourceOf = (classification: string | undefined) => {
    const key = classification ?? '';
    let src = sourceCache.get(key);
    if (!src) {
      src = {
        kind: 'dataset',
        dataset: 'UN Comtrade',
        release: [format === 'comtrade' ? 'Comtrade+ CSV' : 'legacy Comtrade CSV', classification]
          .filter(Boolean)
          .join(', '),
        file,
      };
      sourceCache.set(key, src);
    }
    return src;
  };

  const tally = (sink as TallySink).tally?.bind(sink);

  const reader = (fields: readonly string[], line: number) => {
    if (fields.length < header.length - 1) {
      sink.error(
        rowError(file, line, undefined, `row has ${fields.length} fields, header has ${header.length}`),
      );
      return;
    }
    const flowText = get(fields, iFlow);
    const flow = flowOf(flowText);
    if (flow === 'other') {
      sink.skip();
      return;
    }
    if (!flow) {
      sink.error(rowError(file, line, spec.flow[0], `unknown trade flow '${flowText ?? ''}'`));
      return;
    }
    const yearText = get(fields, iYear);
    const periodText = get(fields, iPeriod);
    // a valid YYYYMM period is a month whatever the year column says: cached by itself
    let period = periodText === undefined ? undefined : monthCache.get(periodText);
    if (period === undefined) {
      const periodKey = `${yearText}|${periodText}`;
      period = periodCache.get(periodKey);
      if (period === undefined) {
        period = periodOf(yearText, periodText);
        periodCache.set(periodKey, period);
        const alone = periodOf(undefined, periodText);
        if (periodText !== undefined && alone?.kind === 'month') monthCache.set(periodText, alone);
      }
    }
    if (!period) {
      sink.error(rowError(file, line, spec.year[0], `no year or period in '${yearText ?? ''}'`));
      return;
    }
    const reporter = code(get(fields, iReporter)) ?? code(get(fields, iReporterCode));
    if (!reporter) {
      sink.error(rowError(file, line, spec.reporter[0], 'no reporter code'));
      return;
    }
    let partner = code(get(fields, iPartner)) ?? code(get(fields, iPartnerCode));
    const partner2 = code(get(fields, iPartner2)) ?? code(get(fields, iPartner2Code));
    // legacy exports from Comtrade+ put the real partner in "2nd Partner" and World in "Partner"
    if (partner === WORLD && partner2 && partner2 !== WORLD) partner = partner2;
    if (!partner) {
      partner = get(fields, iPartner)?.toUpperCase();
      if (!partner) {
        sink.error(rowError(file, line, spec.partner[0], 'no partner code'));
        return;
      }
    }
    const commodity = get(fields, iCommodity);
    if (!commodity || !isCommodityCode(commodity)) {
      sink.error(rowError(file, line, spec.commodity[0], `not an HS code or TOTAL: '${commodity ?? ''}'`));
      return;
    }
    const valueText = iValue === -1 ? undefined : fields[iValue];
    const value = cellNumber(valueText);
    if (value === undefined || Number.isNaN(value) || value < 0) {
      sink.error(rowError(file, line, spec.value[0], `trade value is not a number: '${valueText ?? ''}'`));
      return;
    }
    const weight = iWeight === -1 ? undefined : cellNumber(fields[iWeight]);
    const cmd = commodity.toUpperCase();
    const pt = period.kind === 'month' ? period.start : period.start.slice(0, 4);
    if (tally) {
      // totals only: the observations' parts, not the observations (T13)
      tally(
        partner,
        flow,
        cmd,
        pt,
        value,
        weight !== undefined && !Number.isNaN(weight) && weight > 0 ? 2 : 1,
      );
      return;
    }
    const classification = get(fields, iClass);
    const source = sourceOf(classification);
    const label = get(fields, iLabel);
    const base = `comtrade:${reporter}:${partner}:${flow}:${pt}:${cmd}:${classification ?? 'x'}`;
    sink.item({
      id: `${base}:value`,
      reporter,
      partner,
      flow,
      period,
      commodity: cmd,
      commodityLabel: label,
      measure: 'value',
      value,
      unit: 'USD',
      qualifier: 'exact',
      status: 'reported',
      source,
      supersedes: [],
    });
    if (weight !== undefined && !Number.isNaN(weight) && weight > 0) {
      sink.item({
        id: `${base}:kg`,
        reporter,
        partner,
        flow,
        period,
        commodity: cmd,
        commodityLabel: label,
        measure: 'quantity',
        value: weight,
        unit: 'kg',
        qualifier: 'exact',
        status: 'reported',
        source,
        supersedes: [],
      });
    }
  };
  // the columns this reader looks at, so the CSV reader can skip materialising the rest (a
  // tallying sink needs neither the commodity description nor the classification: T13)
  const unused = new Set<keyof ColumnSpec>(tally ? ['label', 'classification'] : []);
  return Object.assign(reader, {
    columns: (Object.entries(idx) as [keyof ColumnSpec, number][])
      .filter(([k, i]) => i >= 0 && !unused.has(k))
      .map(([, i]) => i),
  });
}

/**
 * The row reader of a file already known to be Comtrade (`options.format` says which column set):
 * what the parallel reader's workers use.
 */
export const comtradeOnlyRowReader: RowReaderFactory = (header, file, options, sink) => {
  const format: ComtradeFormat = options.format === 'comtrade-legacy' ? 'comtrade-legacy' : 'comtrade';
  return { reader: comtradeRowReader(format, header, file, sink), format };
};
