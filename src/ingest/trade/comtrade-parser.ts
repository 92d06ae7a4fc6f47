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
import { toAlpha2, WORLD } from '../../core/trade/country-codes.js';
import type { Flow, Observation, Period } from '../../core/trade/observation.js';
import { cellNumber, cellValue, headerKey } from './csv-reader.js';
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
): ((fields: readonly string[], line: number) => void) | undefined {
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
  const at = (fields: readonly string[], k: keyof ColumnSpec) => (idx[k] === -1 ? undefined : fields[idx[k]]);
  const source = (classification: string | undefined) => ({
    kind: 'dataset' as const,
    dataset: 'UN Comtrade',
    release: [format === 'comtrade' ? 'Comtrade+ CSV' : 'legacy Comtrade CSV', classification]
      .filter(Boolean)
      .join(', '),
    file,
  });

  return (fields, line) => {
    if (fields.length < header.length - 1) {
      sink.error(
        rowError(file, line, undefined, `row has ${fields.length} fields, header has ${header.length}`),
      );
      return;
    }
    const flow = flowOf(cellValue(at(fields, 'flow')));
    if (flow === 'other') {
      sink.skip();
      return;
    }
    if (!flow) {
      sink.error(rowError(file, line, spec.flow[0], `unknown trade flow '${at(fields, 'flow') ?? ''}'`));
      return;
    }
    const period = periodOf(cellValue(at(fields, 'year')), cellValue(at(fields, 'period')));
    if (!period) {
      sink.error(rowError(file, line, spec.year[0], `no year or period in '${at(fields, 'year') ?? ''}'`));
      return;
    }
    const reporter =
      toAlpha2(cellValue(at(fields, 'reporter'))) ?? toAlpha2(cellValue(at(fields, 'reporterCode')));
    if (!reporter) {
      sink.error(rowError(file, line, spec.reporter[0], 'no reporter code'));
      return;
    }
    let partner =
      toAlpha2(cellValue(at(fields, 'partner'))) ?? toAlpha2(cellValue(at(fields, 'partnerCode')));
    const partner2 =
      toAlpha2(cellValue(at(fields, 'partner2'))) ?? toAlpha2(cellValue(at(fields, 'partner2Code')));
    // legacy exports from Comtrade+ put the real partner in "2nd Partner" and World in "Partner"
    if (partner === WORLD && partner2 && partner2 !== WORLD) partner = partner2;
    if (!partner) {
      partner = cellValue(at(fields, 'partner'))?.toUpperCase();
      if (!partner) {
        sink.error(rowError(file, line, spec.partner[0], 'no partner code'));
        return;
      }
    }
    const commodity = cellValue(at(fields, 'commodity'));
    if (!commodity || !/^(TOTAL|\d{2,10})$/i.test(commodity)) {
      sink.error(rowError(file, line, spec.commodity[0], `not an HS code or TOTAL: '${commodity ?? ''}'`));
      return;
    }
    const value = cellNumber(at(fields, 'value'));
    if (value === undefined || Number.isNaN(value) || value < 0) {
      sink.error(
        rowError(file, line, spec.value[0], `trade value is not a number: '${at(fields, 'value') ?? ''}'`),
      );
      return;
    }
    const classification = cellValue(at(fields, 'classification'));
    const weight = cellNumber(at(fields, 'netWeight'));
    const cmd = commodity.toUpperCase();
    const label = cellValue(at(fields, 'label'));
    const periodText = period.kind === 'month' ? period.start : period.start.slice(0, 4);
    const base = `comtrade:${reporter}:${partner}:${flow}:${periodText}:${cmd}:${classification ?? 'x'}`;
    const common = {
      reporter,
      partner,
      flow,
      period,
      commodity: cmd,
      commodityLabel: label,
      qualifier: 'exact' as const,
      status: 'reported' as const,
      source: source(classification),
      supersedes: [],
    };
    sink.item({ ...common, id: `${base}:value`, measure: 'value', value, unit: 'USD' } satisfies Observation);
    if (weight !== undefined && !Number.isNaN(weight) && weight > 0) {
      sink.item({
        ...common,
        id: `${base}:kg`,
        measure: 'quantity',
        value: weight,
        unit: 'kg',
      } satisfies Observation);
    }
  };
}
