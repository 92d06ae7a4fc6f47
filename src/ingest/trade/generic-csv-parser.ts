/**
 * The generic trade CSV: any extract with a header row whose columns can be recognised by name
 * (docs/formats.md, "Generic trade CSV"). Columns a file lacks (many reduced Comtrade extracts
 * name neither reporter nor flow) come from defaults the caller states, never from guesses.
 */
import { toAlpha2 } from '../../core/country-codes.js';
import {
  FLOWS,
  type Flow,
  MEASURES,
  type Observation,
  PERIOD_KINDS,
  type Period,
} from '../../core/trade/observation.js';
import { parsePeriod } from '../../core/trade/observation-schema.js';
import { cellNumber, cellValue, headerKey } from './csv-reader.js';
import { type RowSink, rowError } from './trade-parse-result.js';

export interface GenericCsvDefaults {
  reporter?: string;
  partner?: string;
  flow?: Flow;
  currency?: string;
  /** a name for the source of the figures, e.g. "UN Comtrade (reduced extract)" */
  dataset?: string;
}

const ALIASES = {
  reporter: ['reporter', 'reporter_iso', 'reporter iso', 'reporteriso'],
  partner: ['partner', 'partner_iso', 'partner iso', 'partneriso'],
  flow: ['flow', 'trade flow', 'trade_flow'],
  id: ['id', 'figure_id'],
  period: ['period', 'month', 'year', 'refyear'],
  periodStart: ['period_start'],
  periodEnd: ['period_end'],
  periodKind: ['period_kind'],
  measure: ['measure'],
  unit: ['unit'],
  outlet: ['outlet'],
  title: ['title'],
  author: ['author'],
  published: ['published'],
  url: ['url'],
  primary: ['primary_source', 'primary'],
  notes: ['notes'],
  commodity: ['commodity_code', 'commodity code', 'hs', 'hs_code', 'cmdcode', 'commodity'],
  label: ['label', 'commodity_label', 'description', 'commodity'],
  value: ['value', 'value_usd', 'trade value (us$)', 'trade value', 'primaryvalue'],
  currency: ['currency'],
  quantity: ['quantity', 'qty', 'netweight (kg)', 'net_weight_kg', 'netwgt'],
  quantityUnit: ['quantity_unit', 'qty_unit'],
} as const;

type Column = keyof typeof ALIASES;

export function genericCsvRowReader(
  header: readonly string[],
  file: string,
  defaults: GenericCsvDefaults,
  sink: RowSink,
): ((fields: readonly string[], line: number) => void) | undefined {
  const keys = header.map(headerKey);
  const idx = {} as Record<Column, number>;
  for (const [column, names] of Object.entries(ALIASES) as [Column, readonly string[]][]) {
    idx[column] = -1;
    for (const name of names) {
      const i = keys.indexOf(name);
      if (i !== -1 && !(column === 'label' && i === idx.commodity)) {
        idx[column] = i;
        break;
      }
    }
  }
  const missing: string[] = [];
  if (idx.period === -1 && (idx.periodStart === -1 || idx.periodEnd === -1)) missing.push('period');
  if (idx.commodity === -1) missing.push('commodity');
  if (idx.value === -1 && idx.quantity === -1) missing.push('value or quantity');
  if (idx.reporter === -1 && !defaults.reporter) missing.push('reporter (or --reporter)');
  if (idx.partner === -1 && !defaults.partner) missing.push('partner (or --partner)');
  if (idx.flow === -1 && !defaults.flow) missing.push('flow (or --flow)');
  if (missing.length) {
    sink.fatal(`generic CSV lacks column(s): ${missing.join(', ')}`);
    return undefined;
  }
  const weightInKg = idx.quantity !== -1 && /kg|netwgt/.test(keys[idx.quantity] ?? '');
  const at = (fields: readonly string[], c: Column) => (idx[c] === -1 ? undefined : fields[idx[c]]);
  const dataset = defaults.dataset ?? 'generic CSV';

  return (fields, line) => {
    const name = (c: Column) => header[idx[c]] ?? c;
    const reporterText = cellValue(at(fields, 'reporter')) ?? defaults.reporter;
    const reporter = toAlpha2(reporterText) ?? reporterText?.toUpperCase();
    const partnerText = cellValue(at(fields, 'partner')) ?? defaults.partner;
    // a name no table knows ("China, Hong Kong SAR") is kept as written rather than dropped
    const partner = toAlpha2(partnerText) ?? partnerText;
    if (!reporter) return sink.error(rowError(file, line, name('reporter'), 'no reporter'));
    if (!partner) return sink.error(rowError(file, line, name('partner'), 'no partner'));
    const flowText = (cellValue(at(fields, 'flow')) ?? defaults.flow)?.toLowerCase();
    const flow = FLOWS.find((f) => f === flowText || `${f}s` === flowText);
    if (!flow) return sink.error(rowError(file, line, name('flow'), `unknown flow '${flowText ?? ''}'`));
    const start = cellValue(at(fields, 'periodStart'));
    const end = cellValue(at(fields, 'periodEnd'));
    const periodText = cellValue(at(fields, 'period')) ?? (start && end ? `${start}..${end}` : '');
    const period = periodOf(periodText, cellValue(at(fields, 'periodKind')));
    if (!period) {
      return sink.error(
        rowError(
          file,
          line,
          name(idx.period === -1 ? 'periodStart' : 'period'),
          `not a period: '${periodText}'`,
        ),
      );
    }
    const commodity = cellValue(at(fields, 'commodity'))?.toUpperCase();
    if (!commodity || !/^(TOTAL|\d{2,10}(-\d{2,10})?|[A-Z][A-Z0-9_]*)$/.test(commodity)) {
      return sink.error(
        rowError(file, line, name('commodity'), `not an HS code, group code or TOTAL: '${commodity ?? ''}'`),
      );
    }
    const outlet = cellValue(at(fields, 'outlet'));
    const source: Observation['source'] = outlet
      ? {
          kind: 'report',
          outlet,
          title: cellValue(at(fields, 'title')) ?? '(untitled)',
          author: cellValue(at(fields, 'author')),
          published: cellValue(at(fields, 'published')),
          url: cellValue(at(fields, 'url')),
          primarySource: cellValue(at(fields, 'primary')),
        }
      : { kind: 'dataset', dataset, file };
    const measureText = cellValue(at(fields, 'measure'));
    if (measureText !== undefined) {
      // one figure per row, as in the reported-figures tables: measure, value and unit columns
      const measure = MEASURES.find((m) => m === measureText);
      if (!measure)
        return sink.error(rowError(file, line, name('measure'), `unknown measure '${measureText}'`));
      const value = cellNumber(at(fields, 'value'));
      if (value === undefined || Number.isNaN(value)) {
        return sink.error(
          rowError(file, line, name('value'), `not a number: '${at(fields, 'value') ?? ''}'`),
        );
      }
      const unit = cellValue(at(fields, 'unit'));
      if (!unit) return sink.error(rowError(file, line, name('unit'), 'no unit'));
      const id = cellValue(at(fields, 'id')) ?? `csv:${file}:${line}`;
      sink.item({
        id,
        reporter,
        partner,
        flow,
        period,
        commodity,
        commodityLabel: cellValue(at(fields, 'label')),
        measure,
        value,
        unit,
        qualifier: 'exact',
        status: 'reported',
        source,
        supersedes: [],
        notes: cellValue(at(fields, 'notes')),
      });
      return;
    }
    const value = cellNumber(at(fields, 'value'));
    const quantity = cellNumber(at(fields, 'quantity'));
    if (Number.isNaN(value)) return sink.error(rowError(file, line, name('value'), 'value is not a number'));
    if (Number.isNaN(quantity))
      return sink.error(rowError(file, line, name('quantity'), 'quantity is not a number'));
    if (value === undefined && quantity === undefined) {
      return sink.error(rowError(file, line, name('value'), 'neither a value nor a quantity'));
    }
    const base = `csv:${reporter}:${partner}:${flow}:${periodText}:${commodity}`;
    const common = {
      reporter,
      partner,
      flow,
      period,
      commodity,
      commodityLabel: cellValue(at(fields, 'label')),
      qualifier: 'exact' as const,
      status: 'reported' as const,
      source,
      supersedes: [],
    };
    if (value !== undefined) {
      const unit = cellValue(at(fields, 'currency')) ?? defaults.currency ?? 'USD';
      sink.item(observation(common, { id: `${base}:value`, measure: 'value', value, unit }));
    }
    if (quantity !== undefined && quantity > 0) {
      const unit = cellValue(at(fields, 'quantityUnit')) ?? (weightInKg ? 'kg' : 't');
      sink.item(observation(common, { id: `${base}:${unit}`, measure: 'quantity', value: quantity, unit }));
    }
  };
}

type OwnFields = 'id' | 'measure' | 'value' | 'unit';

/**
 * A row's fields shared by its observations, then the measure's own, in that key order. By
 * Object.assign: a spread followed by new keys costs Node 20 ~1 µs per key (docs/decisions.md ST22).
 */
function observation(common: Omit<Observation, OwnFields>, own: Pick<Observation, OwnFields>): Observation {
  return Object.assign({}, common, own);
}

/** `2016-04`, `201604`, `2016`, `2016-Q1`, or a span `2016-01..2016-04` with an optional stated kind. */
function periodOf(text: string, kindText: string | undefined): Period | undefined {
  const t = /^\d{6}$/.test(text) ? `${text.slice(0, 4)}-${text.slice(4)}` : text;
  const period = parsePeriod(t);
  if (!period || !kindText) return period;
  const kind = PERIOD_KINDS.find((k) => k === kindText);
  return kind ? { ...period, kind } : undefined;
}
