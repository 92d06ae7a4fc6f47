/**
 * Golden declarations across the whole 2016–2018 timeline, in both jurisdictions, screened with the
 * shipped regime and the real engine: the day before, of and after each effective date and cut-off,
 * the suspensions, the grace periods, cap exhaustion and the warning levels.
 */
import { describe, expect, it } from 'vitest';
import { loadRegime } from '../../ingest/regime-loader.js';
import { compileRegime } from '../regime/compile.js';
import type { Jurisdiction } from '../regime/measure-schema.js';
import { CapLedger } from './cap-ledger.js';
import type { Decision, Outcome } from './decision.js';
import type { Declaration } from './declaration.js';
import { screenDeclaration } from './screen.js';

const regime = loadRegime();
const compiled = compileRegime(regime);

type Extra = Partial<Omit<Declaration, 'documents' | 'approvals'>> & {
  documents?: string[];
  approvals?: string[];
};

function decl(date: string, hsCode: string, extra: Extra = {}): Declaration {
  const { documents = [], approvals = [], ...rest } = extra;
  const direction = rest.direction ?? 'import';
  const refs = (list: string[]) => list.map((type) => ({ type, reference: `${type.toUpperCase()}-1` }));
  return {
    id: `${date}-${hsCode}`,
    date,
    direction,
    hsCode,
    flags: [],
    ...(direction === 'import' ? { origin: 'KP', from: 'KP' } : { to: 'KP' }),
    ...rest,
    documents: refs(documents),
    approvals: refs(approvals),
  };
}

// the evidence each kind of claim carries
const livelihoodCN: Extra = { purpose: 'livelihood', documents: ['commitment-letter-livelihood'] };
const coal = (q: number, usd: number): Extra => ({ quantity: q, unit: 't', value: usd, currency: 'USD' });
const rasonCoal: Extra = {
  origin: 'RU',
  from: 'KP',
  portOfLoading: 'Rajin',
  approvals: ['un-record-filing'],
  documents: ['commitment-letter-transit', 'certificate-of-origin', 'exporting-state-notification'],
};
const contract = (contractDate: string): Extra => ({ contractDate, documents: ['contract'] });
const atPort = (arrivalDate: string): Extra => ({ arrivalDate });
const exportTo: Extra = { direction: 'export' };
const items = (quantity: number, usd: number): Extra => ({
  quantity,
  unit: 'pcs',
  value: usd,
  currency: 'USD',
});
const aircraftParts: Extra = { purpose: 'civil-aircraft-spare-parts' };

function screen(j: Jurisdiction, d: Declaration, ledger = new CapLedger(regime.units)): Decision {
  return screenDeclaration(compiled, d, { jurisdiction: j, ledger });
}

/** [case, jurisdiction, date, hs, extra, expected outcome, measure that must be cited (or '' for none)] */
type Row = [string, Jurisdiction, string, string, Extra, Outcome, string];

const rows: Row[] = [
  // 2270 (UN, 2016-03-02) and No. 11 (CN, 2016-04-05)
  ['UN coal the day before 2270', 'UN', '2016-03-01', '270112', {}, 'CLEAR', ''],
  ['UN coal on the day of 2270', 'UN', '2016-03-02', '270112', {}, 'REFUSE', 'UN-2270-OP29'],
  ['UN coal the day after 2270', 'UN', '2016-03-03', '270112', {}, 'REFUSE', 'UN-2270-OP29'],
  ['CN coal the day before No. 11', 'CN', '2016-04-04', '2701120000', {}, 'CLEAR', ''],
  ['CN coal on the day of No. 11', 'CN', '2016-04-05', '2701120000', {}, 'REFUSE', 'CN-MOFCOM-11-2016-1'],
  [
    'CN livelihood coal the day after No. 11',
    'CN',
    '2016-04-06',
    '2701120000',
    livelihoodCN,
    'CLEAR',
    'CN-MOFCOM-11-2016-1',
  ],
  // 2321 (UN, 2016-11-30): livelihood coal moves under the cap
  [
    'UN livelihood coal under 2270 the day before 2321',
    'UN',
    '2016-11-29',
    '270112',
    { purpose: 'livelihood' },
    'CLEAR',
    'UN-2270-OP29',
  ],
  [
    'UN livelihood coal within the cap on the day of 2321',
    'UN',
    '2016-11-30',
    '270112',
    { purpose: 'livelihood', ...coal(1000, 50_000) },
    'CLEAR',
    'UN-2321-OP26',
  ],
  [
    'UN livelihood coal without quantity cannot be measured against the cap',
    'UN',
    '2016-12-01',
    '270112',
    { purpose: 'livelihood' },
    'HOLD',
    'UN-2321-OP26',
  ],
  ['UN copper ore the day before 2321', 'UN', '2016-11-29', '2603', {}, 'CLEAR', ''],
  ['UN copper ore on the day of 2321', 'UN', '2016-11-30', '2603', {}, 'REFUSE', 'UN-2321-OP28'],
  [
    'UN new helicopter export with Committee approval',
    'UN',
    '2016-12-01',
    '880212',
    { ...exportTo, approvals: ['un-committee-approval'] },
    'CLEAR',
    'UN-2321-OP30',
  ],
  ['UN helicopter export without approval', 'UN', '2016-12-01', '880212', exportTo, 'REFUSE', 'UN-2321-OP30'],
  // No. 75 (CN, coal suspended 2016-12-11 .. 12-31)
  [
    'CN livelihood coal the day before No. 75',
    'CN',
    '2016-12-10',
    '2701120000',
    livelihoodCN,
    'CLEAR',
    'CN-MOFCOM-11-2016-1',
  ],
  [
    'CN livelihood coal on the first day of No. 75',
    'CN',
    '2016-12-11',
    '2701120000',
    livelihoodCN,
    'REFUSE',
    'CN-MOFCOM-75-2016',
  ],
  [
    'CN livelihood coal the day after No. 75 starts',
    'CN',
    '2016-12-12',
    '2701120000',
    livelihoodCN,
    'REFUSE',
    'CN-MOFCOM-75-2016',
  ],
  [
    'CN Rason transit coal is outside the suspension',
    'CN',
    '2016-12-12',
    '2701120000',
    rasonCoal,
    'CLEAR',
    'CN-MOFCOM-11-2016-1',
  ],
  [
    'CN livelihood coal on the last day of No. 75',
    'CN',
    '2016-12-31',
    '2701120000',
    { ...livelihoodCN, ...coal(1000, 50_000) },
    'REFUSE',
    'CN-MOFCOM-75-2016',
  ],
  [
    'CN livelihood coal on 2017-01-01 draws on the cap of No. 81',
    'CN',
    '2017-01-01',
    '2701120000',
    { ...livelihoodCN, ...coal(1000, 50_000) },
    'CLEAR',
    'CN-MOFCOM-81-2016-1',
  ],
  ['CN copper from the day No. 81 applies', 'CN', '2016-12-24', '7403', {}, 'REFUSE', 'CN-MOFCOM-81-2016-2'],
  ['CN copper the day before No. 81', 'CN', '2016-12-23', '7403', {}, 'CLEAR', ''],
  [
    'CN copper shipped 2016-12-23, cleared the day No. 81 applies',
    'CN',
    '2016-12-24',
    '7403',
    { shipmentDate: '2016-12-23' },
    'CLEAR',
    'CN-MOFCOM-81-2016-2',
  ],
  [
    'CN copper shipped 2016-12-24, cleared the day after No. 81',
    'CN',
    '2016-12-25',
    '7403',
    { shipmentDate: '2016-12-24' },
    'REFUSE',
    'CN-MOFCOM-81-2016-2',
  ],
  [
    'CN zinc at port since 2016-12-20, cleared the day after No. 81',
    'CN',
    '2016-12-25',
    '7901',
    atPort('2016-12-20'),
    'CLEAR',
    'CN-MOFCOM-81-2016-2',
  ],
  // No. 75 releases coal shipped or at port before 2016-12-11; No. 11's livelihood letter still applies
  [
    'CN livelihood coal shipped 2016-12-10, cleared on the first day of No. 75',
    'CN',
    '2016-12-11',
    '2701120000',
    { ...livelihoodCN, shipmentDate: '2016-12-10' },
    'CLEAR',
    'CN-MOFCOM-75-2016',
  ],
  [
    'CN livelihood coal at port since 2016-12-09, cleared the day after No. 75 starts',
    'CN',
    '2016-12-12',
    '2701120000',
    { ...livelihoodCN, ...atPort('2016-12-09') },
    'CLEAR',
    'CN-MOFCOM-75-2016',
  ],
  [
    'CN livelihood coal shipped on 2016-12-11 is suspended',
    'CN',
    '2016-12-12',
    '2701120000',
    { ...livelihoodCN, shipmentDate: '2016-12-11' },
    'REFUSE',
    'CN-MOFCOM-75-2016',
  ],
  [
    'CN coal at port before No. 75 without the livelihood letter',
    'CN',
    '2016-12-12',
    '2701120000',
    { purpose: 'livelihood', ...atPort('2016-12-09') },
    'HOLD',
    'CN-MOFCOM-11-2016-1',
  ],
  [
    'CN statue with the Committee’s prior approval',
    'CN',
    '2016-12-25',
    '970300',
    { approvals: ['un-committee-approval'] },
    'CLEAR',
    'CN-MOFCOM-81-2016-3',
  ],
  ['CN statue without approval', 'CN', '2016-12-25', '970300', {}, 'REFUSE', 'CN-MOFCOM-81-2016-3'],
  [
    'CN livelihood coal on the day No. 81 applies, still suspended by No. 75',
    'CN',
    '2016-12-24',
    '2701120000',
    { ...livelihoodCN, ...coal(1000, 50_000) },
    'REFUSE',
    'CN-MOFCOM-75-2016',
  ],
  // more cut-off days: the 90th grace day, the day after, the last and first days of the refined windows, crude
  [
    'UN textiles under contract on 2017-12-10, the 90th day',
    'UN',
    '2017-12-10',
    '610910',
    contract('2017-09-01'),
    'CLEAR',
    'UN-2375-OP16',
  ],
  [
    'CN textiles under contract the day after the cut-off',
    'CN',
    '2017-12-12',
    '6109100000',
    contract('2017-09-01'),
    'REFUSE',
    'CN-MOFCOM-52-2017-1',
  ],
  [
    'UN diesel on 2017-12-31, the last day of the 2375 window',
    'UN',
    '2017-12-31',
    '27101923',
    { ...exportTo, purpose: 'livelihood', quantity: 100, unit: 'bbl' },
    'CLEAR',
    'UN-2375-OP14',
  ],
  [
    'UN diesel on 2018-01-02 under 2397 OP5',
    'UN',
    '2018-01-02',
    '27101923',
    { ...exportTo, purpose: 'livelihood', quantity: 100, unit: 'bbl' },
    'CLEAR',
    'UN-2397-OP5',
  ],
  ['UN crude the day before 2375: no measure', 'UN', '2017-09-10', '2709', exportTo, 'CLEAR', ''],
  [
    'UN crude on the day of 2397 is held: 2709 also holds banned condensate',
    'UN',
    '2017-12-22',
    '2709',
    { ...exportTo, quantity: 1000, unit: 'bbl' },
    'HOLD',
    'UN-2375-OP13',
  ],
  [
    'CN crude the day after No. 4 is still held as ambiguous (2709000000)',
    'CN',
    '2018-01-07',
    '2709000000',
    { ...exportTo, quantity: 1000, unit: 't' },
    'HOLD',
    'CN-MOFCOM-52-2017-2',
  ],
  // No. 12 (CN, coal suspended 2017-02-19 .. 12-31)
  [
    'CN livelihood coal the day before No. 12',
    'CN',
    '2017-02-18',
    '2701120000',
    { ...livelihoodCN, ...coal(1000, 50_000) },
    'CLEAR',
    'CN-MOFCOM-81-2016-1',
  ],
  [
    'CN livelihood coal on the day of No. 12',
    'CN',
    '2017-02-19',
    '2701120000',
    { ...livelihoodCN, ...coal(1000, 50_000) },
    'REFUSE',
    'CN-MOFCOM-12-2017',
  ],
  [
    'CN livelihood iron ore is not suspended by No. 12',
    'CN',
    '2017-02-20',
    '2601111000',
    livelihoodCN,
    'CLEAR',
    'CN-MOFCOM-11-2016-1',
  ],
  // 2371 (UN, 2017-08-05): full ban with a 30-day grace
  [
    'UN livelihood iron ore the day before 2371',
    'UN',
    '2017-08-04',
    '2601',
    { purpose: 'livelihood' },
    'CLEAR',
    'UN-2321-OP26',
  ],
  [
    'UN livelihood iron ore on the day of 2371',
    'UN',
    '2017-08-05',
    '2601',
    { purpose: 'livelihood' },
    'REFUSE',
    'UN-2371-OP8',
  ],
  [
    'UN coal under a pre-adoption contract the day after 2371',
    'UN',
    '2017-08-06',
    '270112',
    contract('2017-08-01'),
    'CLEAR',
    'UN-2371-OP8',
  ],
  [
    'UN coal with a contract dated the day of adoption',
    'UN',
    '2017-08-06',
    '270112',
    contract('2017-08-05'),
    'REFUSE',
    'UN-2371-OP8',
  ],
  [
    'UN coal with a contract date but no written contract',
    'UN',
    '2017-08-06',
    '270112',
    { contractDate: '2017-08-01' },
    'HOLD',
    'UN-2371-OP8',
  ],
  [
    'UN seafood under a pre-adoption contract on the last grace day',
    'UN',
    '2017-09-04',
    '0307',
    contract('2017-07-01'),
    'CLEAR',
    'UN-2371-OP9',
  ],
  [
    'UN seafood under a pre-adoption contract after the grace',
    'UN',
    '2017-09-05',
    '0307',
    contract('2017-07-01'),
    'REFUSE',
    'UN-2371-OP9',
  ],
  ['UN Rajin transit coal after 2371', 'UN', '2017-09-05', '270112', rasonCoal, 'CLEAR', 'UN-2371-OP8'],
  // No. 40 (CN, 2017-08-15; no formalities from 2017-09-05)
  ['CN seafood the day before No. 40', 'CN', '2017-08-14', '0307', {}, 'CLEAR', ''],
  ['CN seafood on the day of No. 40', 'CN', '2017-08-15', '0307', {}, 'REFUSE', 'CN-MOFCOM-40-2017-1'],
  [
    'CN livelihood iron ore the day before No. 40',
    'CN',
    '2017-08-14',
    '2601111000',
    livelihoodCN,
    'CLEAR',
    'CN-MOFCOM-11-2016-1',
  ],
  [
    'CN livelihood iron ore the day after No. 40',
    'CN',
    '2017-08-16',
    '2601111000',
    livelihoodCN,
    'REFUSE',
    'CN-MOFCOM-40-2017-1',
  ],
  // No. 40 releases goods already at port before 2017-08-15 (arrival date), until 00:00 on 2017-09-05
  [
    'CN iron ore at port since 2017-08-14, cleared on 2017-08-15',
    'CN',
    '2017-08-15',
    '2601111000',
    atPort('2017-08-14'),
    'CLEAR',
    'CN-MOFCOM-40-2017-1',
  ],
  [
    'CN iron ore at port since 2017-08-14, cleared on 2017-09-04',
    'CN',
    '2017-09-04',
    '2601111000',
    atPort('2017-08-14'),
    'CLEAR',
    'CN-MOFCOM-40-2017-1',
  ],
  [
    'CN iron ore at port since 2017-08-14, cleared on 2017-09-05',
    'CN',
    '2017-09-05',
    '2601111000',
    atPort('2017-08-14'),
    'REFUSE',
    'CN-MOFCOM-40-2017-1',
  ],
  [
    'CN iron ore arrived on 2017-08-15 is not at port before No. 40',
    'CN',
    '2017-08-16',
    '2601111000',
    atPort('2017-08-15'),
    'REFUSE',
    'CN-MOFCOM-40-2017-1',
  ],
  [
    'CN iron ore under an earlier contract but no arrival date: No. 40 has no contract rule',
    'CN',
    '2017-09-04',
    '2601111000',
    contract('2017-08-10'),
    'REFUSE',
    'CN-MOFCOM-40-2017-1',
  ],
  [
    'CN Rason coal now needs the exporting state’s notification',
    'CN',
    '2017-09-06',
    '2701120000',
    { ...rasonCoal, documents: ['certificate-of-origin'] },
    'HOLD',
    'CN-MOFCOM-40-2017-1',
  ],
  // 2375 (UN, 2017-09-11) and No. 52 (CN, 2017-09-22)
  ['UN textiles the day before 2375', 'UN', '2017-09-10', '610910', {}, 'CLEAR', ''],
  ['UN textiles on the day of 2375', 'UN', '2017-09-11', '610910', {}, 'REFUSE', 'UN-2375-OP16'],
  [
    'UN textiles under a pre-adoption contract',
    'UN',
    '2017-09-12',
    '610910',
    contract('2017-09-10'),
    'CLEAR',
    'UN-2375-OP16',
  ],
  ['UN propane export on the day of 2375', 'UN', '2017-09-11', '271112', exportTo, 'REFUSE', 'UN-2375-OP13'],
  ['UN LNG is natural gas, not NGL: outside 2375', 'UN', '2017-09-12', '271111', exportTo, 'CLEAR', ''],
  ['CN textiles the day before No. 52', 'CN', '2017-09-21', '6109100000', {}, 'CLEAR', ''],
  ['CN textiles on the day of No. 52', 'CN', '2017-09-22', '6109100000', {}, 'REFUSE', 'CN-MOFCOM-52-2017-1'],
  [
    'CN textiles under a contract signed 2017-09-10',
    'CN',
    '2017-09-23',
    '6109100000',
    contract('2017-09-10'),
    'CLEAR',
    'CN-MOFCOM-52-2017-1',
  ],
  [
    'CN textiles under a contract signed on 2017-09-11 (excluded)',
    'CN',
    '2017-09-23',
    '6109100000',
    contract('2017-09-11'),
    'REFUSE',
    'CN-MOFCOM-52-2017-1',
  ],
  [
    'CN textiles under contract cleared on 2017-12-10',
    'CN',
    '2017-12-10',
    '6109100000',
    contract('2017-09-01'),
    'CLEAR',
    'CN-MOFCOM-52-2017-1',
  ],
  [
    'CN textiles under contract on 2017-12-11',
    'CN',
    '2017-12-11',
    '6109100000',
    contract('2017-09-01'),
    'REFUSE',
    'CN-MOFCOM-52-2017-1',
  ],
  [
    'UN textiles under contract on 2017-12-11',
    'UN',
    '2017-12-11',
    '610910',
    contract('2017-09-01'),
    'REFUSE',
    'UN-2375-OP16',
  ],
  ['CN LNG export the day before No. 52', 'CN', '2017-09-21', '2711110000', exportTo, 'CLEAR', ''],
  [
    'CN LNG export on the day of No. 52',
    'CN',
    '2017-09-22',
    '2711110000',
    exportTo,
    'REFUSE',
    'CN-MOFCOM-52-2017-2',
  ],
  ['CN propane is not LNG: outside No. 52', 'CN', '2017-09-22', '2711120000', exportTo, 'CLEAR', ''],
  [
    'CN crude on the condensate line is held as ambiguous',
    'CN',
    '2017-09-22',
    '2709000000',
    exportTo,
    'HOLD',
    'CN-MOFCOM-52-2017-2',
  ],
  // refined petroleum: UN window from 2017-10-01; China's restriction from 2017-10-01
  [
    'UN diesel in September 2017: banned, the cap window is not open',
    'UN',
    '2017-09-30',
    '27101923',
    { ...exportTo, purpose: 'livelihood', quantity: 100, unit: 'bbl' },
    'REFUSE',
    'UN-2375-OP14',
  ],
  [
    'UN diesel for livelihood on 2017-10-01 within the cap',
    'UN',
    '2017-10-01',
    '27101923',
    { ...exportTo, purpose: 'livelihood', quantity: 100, unit: 'bbl' },
    'CLEAR',
    'UN-2375-OP14',
  ],
  [
    'UN diesel not for livelihood',
    'UN',
    '2017-10-01',
    '27101923',
    { ...exportTo, quantity: 100, unit: 'bbl' },
    'REFUSE',
    'UN-2375-OP14',
  ],
  ['CN diesel before No. 52 restricts it', 'CN', '2017-09-30', '2710192300', exportTo, 'CLEAR', ''],
  [
    'CN diesel for livelihood within the cap',
    'CN',
    '2017-10-01',
    '2710192300',
    { ...exportTo, purpose: 'livelihood', quantity: 100, unit: 't' },
    'CLEAR',
    'CN-MOFCOM-52-2017-3',
  ],
  // 2397 (UN, 2017-12-22) and No. 4 (CN, 2018-01-06)
  ['UN machinery export the day before 2397', 'UN', '2017-12-21', '8429', exportTo, 'CLEAR', ''],
  ['UN machinery export on the day of 2397', 'UN', '2017-12-22', '8429', exportTo, 'REFUSE', 'UN-2397-OP7'],
  [
    'UN machinery import from the DPRK on the day of 2397',
    'UN',
    '2017-12-22',
    '8429',
    {},
    'REFUSE',
    'UN-2397-OP6',
  ],
  [
    'UN machinery import under a pre-adoption contract (grace UNCONFIRMED)',
    'UN',
    '2017-12-23',
    '8429',
    contract('2017-12-01'),
    'CLEAR',
    'UN-2397-OP6',
  ],
  [
    'UN machinery import under contract after 30 days',
    'UN',
    '2018-01-22',
    '8429',
    contract('2017-12-01'),
    'REFUSE',
    'UN-2397-OP6',
  ],
  [
    'UN diesel on 2017-12-23 still under the 2375 window',
    'UN',
    '2017-12-23',
    '27101923',
    { ...exportTo, purpose: 'livelihood', quantity: 100, unit: 'bbl' },
    'CLEAR',
    'UN-2375-OP14',
  ],
  [
    'UN diesel on 2018-01-01 under 2397 OP5',
    'UN',
    '2018-01-01',
    '27101923',
    { ...exportTo, purpose: 'livelihood', quantity: 100, unit: 'bbl' },
    'CLEAR',
    'UN-2397-OP5',
  ],
  [
    'CN diesel on 2018-01-01 under No. 52’s 2018 figure',
    'CN',
    '2018-01-01',
    '2710192300',
    { ...exportTo, purpose: 'livelihood', quantity: 100, unit: 't' },
    'CLEAR',
    'CN-MOFCOM-52-2017-3',
  ],
  ['CN machinery export the day before No. 4', 'CN', '2018-01-05', '8429520000', exportTo, 'CLEAR', ''],
  [
    'CN machinery export on the day of No. 4',
    'CN',
    '2018-01-06',
    '8429520000',
    exportTo,
    'REFUSE',
    'CN-MOFCOM-4-2018-1',
  ],
  [
    'CN steel export the day after No. 4',
    'CN',
    '2018-01-07',
    '7208',
    exportTo,
    'REFUSE',
    'CN-MOFCOM-4-2018-1',
  ],
  [
    'CN diesel on 2018-01-06 under No. 4',
    'CN',
    '2018-01-06',
    '2710192300',
    { ...exportTo, purpose: 'livelihood', quantity: 100, unit: 't' },
    'CLEAR',
    'CN-MOFCOM-4-2018-3',
  ],
  // No. 4's import section (CN, 2018-01-06): its existence is UNCONFIRMED, so the 2397 OP6 goods are held
  ['CN machinery import the day before No. 4', 'CN', '2018-01-05', '8429520000', {}, 'CLEAR', ''],
  [
    'CN machinery import on the day of No. 4',
    'CN',
    '2018-01-06',
    '8429520000',
    {},
    'HOLD',
    'CN-MOFCOM-4-2018-II',
  ],
  [
    'CN machinery import the day after No. 4',
    'CN',
    '2018-01-07',
    '8429520000',
    {},
    'HOLD',
    'CN-MOFCOM-4-2018-II',
  ],
  [
    'CN apples from the DPRK on the day of No. 4',
    'CN',
    '2018-01-06',
    '0808100000',
    {},
    'HOLD',
    'CN-MOFCOM-4-2018-II',
  ],
  // 2270 Annex V luxury goods (UN only, 2016-03-02): watches, snowmobiles above USD 2,000
  ['UN gold watch export the day before 2270', 'UN', '2016-03-01', '910111', exportTo, 'CLEAR', ''],
  [
    'UN gold watch export on the day of 2270',
    'UN',
    '2016-03-02',
    '910111',
    exportTo,
    'REFUSE',
    'UN-2270-LUX',
  ],
  [
    'UN gold watch export the day after 2270',
    'UN',
    '2016-03-03',
    '910111',
    exportTo,
    'REFUSE',
    'UN-2270-LUX',
  ],
  [
    'CN gold watch export on the day of 2270: no Chinese luxury measure',
    'CN',
    '2016-03-02',
    '9101110000',
    exportTo,
    'CLEAR',
    '',
  ],
  [
    'UN lead-crystal stemware export after 2270',
    'UN',
    '2016-03-03',
    '70132200',
    exportTo,
    'REFUSE',
    'UN-2270-LUX',
  ],
  [
    'UN snowmobile at USD 2,000 each is not a luxury item',
    'UN',
    '2016-03-02',
    '870310',
    { ...exportTo, ...items(3, 6_000) },
    'CLEAR',
    '',
  ],
  [
    'UN snowmobile above USD 2,000 each is held: 8703.10 also holds golf cars',
    'UN',
    '2016-03-02',
    '870310',
    { ...exportTo, ...items(3, 6_003) },
    'HOLD',
    'UN-2270-LUX',
  ],
  ['UN snowmobile without a value is held', 'UN', '2016-03-02', '870310', exportTo, 'HOLD', 'UN-2270-LUX'],
  // 2321 luxury additions (UN only, 2016-11-30): rugs above USD 500, porcelain tableware above USD 100
  [
    'UN rug at USD 800 the day before 2321',
    'UN',
    '2016-11-29',
    '570110',
    { ...exportTo, ...items(1, 800) },
    'CLEAR',
    '',
  ],
  [
    'UN rug at USD 800 on the day of 2321',
    'UN',
    '2016-11-30',
    '570110',
    { ...exportTo, ...items(1, 800) },
    'REFUSE',
    'UN-2321-LUX',
  ],
  [
    'UN rug at USD 800 the day after 2321',
    'UN',
    '2016-12-01',
    '570110',
    { ...exportTo, ...items(1, 800) },
    'REFUSE',
    'UN-2321-LUX',
  ],
  [
    'CN rug at USD 800 after 2321: no Chinese luxury measure',
    'CN',
    '2016-12-01',
    '5701100000',
    { ...exportTo, ...items(1, 800) },
    'CLEAR',
    '',
  ],
  [
    'UN rugs at USD 500 each are outside the threshold',
    'UN',
    '2016-12-01',
    '570110',
    { ...exportTo, ...items(4, 2_000) },
    'CLEAR',
    '',
  ],
  [
    'UN tapestry declared by weight is held',
    'UN',
    '2016-12-01',
    '580500',
    { ...exportTo, quantity: 12, unit: 'kg', value: 9_000, currency: 'USD' },
    'HOLD',
    'UN-2321-LUX',
  ],
  [
    'UN porcelain tableware at USD 150 a piece',
    'UN',
    '2016-12-01',
    '691110',
    { ...exportTo, ...items(10, 1_500) },
    'REFUSE',
    'UN-2321-LUX',
  ],
  [
    'UN porcelain tableware at USD 100 a piece',
    'UN',
    '2016-12-01',
    '691110',
    { ...exportTo, ...items(10, 1_000) },
    'CLEAR',
    '',
  ],
  // 2397 OP7's spare parts for civil passenger aircraft (UN 2017-12-22; China's No. 4 names no such exception)
  [
    'UN aircraft spare parts the day before 2397',
    'UN',
    '2017-12-21',
    '880330',
    { ...exportTo, ...aircraftParts },
    'CLEAR',
    '',
  ],
  [
    'UN aircraft spare parts on the day of 2397',
    'UN',
    '2017-12-22',
    '880330',
    { ...exportTo, ...aircraftParts },
    'CLEAR',
    'UN-2397-OP7',
  ],
  [
    'UN aircraft spare parts the day after 2397',
    'UN',
    '2017-12-23',
    '880330',
    { ...exportTo, ...aircraftParts },
    'CLEAR',
    'UN-2397-OP7',
  ],
  [
    'UN aircraft parts without the claim after 2397',
    'UN',
    '2017-12-23',
    '880330',
    exportTo,
    'REFUSE',
    'UN-2397-OP7',
  ],
  [
    'UN aircraft spare parts revoked by solid information',
    'UN',
    '2017-12-23',
    '841191',
    { ...exportTo, ...aircraftParts, flags: ['solid-information'] },
    'REFUSE',
    'UN-2397-OP7',
  ],
  [
    'CN aircraft spare parts the day before No. 4',
    'CN',
    '2018-01-05',
    '8803300000',
    { ...exportTo, ...aircraftParts },
    'CLEAR',
    '',
  ],
  [
    'CN aircraft spare parts on the day of No. 4',
    'CN',
    '2018-01-06',
    '8803300000',
    { ...exportTo, ...aircraftParts },
    'REFUSE',
    'CN-MOFCOM-4-2018-1',
  ],
  [
    'CN aircraft spare parts the day after No. 4',
    'CN',
    '2018-01-07',
    '8803300000',
    { ...exportTo, ...aircraftParts },
    'REFUSE',
    'CN-MOFCOM-4-2018-1',
  ],
  // declared condensate on 2709 is refused by the condensate bans only, never "within the crude cap"
  [
    'UN condensate the day before 2375',
    'UN',
    '2017-09-10',
    '2709',
    { ...exportTo, product: 'condensate' },
    'CLEAR',
    '',
  ],
  [
    'UN condensate on the day of 2375',
    'UN',
    '2017-09-11',
    '2709',
    { ...exportTo, product: 'condensate' },
    'REFUSE',
    'UN-2375-OP13',
  ],
  [
    'UN condensate the day before 2397',
    'UN',
    '2017-12-21',
    '2709',
    { ...exportTo, product: 'condensate' },
    'REFUSE',
    'UN-2375-OP13',
  ],
  [
    'UN condensate the day after 2397',
    'UN',
    '2017-12-23',
    '2709',
    { ...exportTo, product: 'condensate' },
    'REFUSE',
    'UN-2375-OP13',
  ],
  [
    'CN condensate the day before No. 4',
    'CN',
    '2018-01-05',
    '2709000000',
    { ...exportTo, product: 'condensate' },
    'REFUSE',
    'CN-MOFCOM-52-2017-2',
  ],
  [
    'CN condensate the day after No. 4',
    'CN',
    '2018-01-07',
    '2709000000',
    { ...exportTo, product: 'condensate' },
    'REFUSE',
    'CN-MOFCOM-52-2017-2',
  ],
  [
    'UN condensate on the day of 2397',
    'UN',
    '2017-12-22',
    '2709',
    { ...exportTo, product: 'condensate' },
    'REFUSE',
    'UN-2375-OP13',
  ],
  [
    'CN condensate on the day of No. 4',
    'CN',
    '2018-01-06',
    '2709000000',
    { ...exportTo, product: 'condensate' },
    'REFUSE',
    'CN-MOFCOM-52-2017-2',
  ],
];

describe('golden declarations across the timeline', () => {
  it.each(rows)('%s', (_name, j, date, hs, extra, outcome, measure) => {
    const d = screen(j, decl(date, hs, extra));
    expect(d.decision).toBe(outcome);
    expect(d.asOf).toBe(date);
    if (measure) expect(d.reasons.map((r) => r.measure)).toContain(measure);
    else expect(d.reasons.map((r) => r.kind)).toEqual(['not-covered']);
  });

  it('names the grace rule and its notification duty when a pre-adoption contract clears', () => {
    const d = screen('UN', decl('2017-08-06', '270112', contract('2017-08-01')));
    expect(d.exception).toBe('UN-2371-OP8/prior-contract-30-days');
    const kinds = d.reasons.map((r) => r.kind);
    expect(kinds).toContain('grace-period');
    expect(d.reasons.find((r) => r.kind === 'notification-duty')?.text).toMatch(/45 days/);
    // the Rajin advance notice is not this trade's duty
    expect(d.reasons.some((r) => /Rajin/.test(r.text) && r.kind === 'notification-duty')).toBe(false);
  });

  it('marks a decision resting on an UNCONFIRMED grace (2397 OP6) as unconfirmed', () => {
    const d = screen('UN', decl('2017-12-23', '8429', contract('2017-12-01')));
    expect(d.reasons.find((r) => r.kind === 'grace-period')?.unconfirmed).toBe(true);
  });

  it('never cites a crude-oil measure for declared condensate (UN and CN)', () => {
    for (const [j, date, hs] of [
      ['UN', '2017-09-11', '2709'],
      ['UN', '2017-12-21', '2709'],
      ['UN', '2017-12-22', '2709'],
      ['UN', '2018-02-01', '2709'],
      ['CN', '2018-01-06', '2709000000'],
      ['CN', '2018-02-01', '2709000000'],
    ] as const) {
      const d = screen(j, decl(date, hs, { ...exportTo, product: 'condensate', quantity: 1000, unit: 't' }));
      expect(d.decision).toBe('REFUSE');
      expect(d.reasons.map((r) => r.measure).filter((m) => /OP4|OP15|4-2018-2/.test(m))).toEqual([]);
    }
  });

  it('holds luxury goods whose unit value cannot be computed, and says what to declare', () => {
    const cases: Extra[] = [
      {},
      { quantity: 2, unit: 'pcs', value: 9_000, currency: 'CNY' },
      { quantity: 0, unit: 'pcs', value: 9_000, currency: 'USD' },
      { unit: 'pcs', value: 9_000, currency: 'USD' },
    ];
    for (const extra of cases) {
      const d = screen('UN', decl('2017-01-10', '570110', { ...exportTo, ...extra }));
      expect(d.decision).toBe('HOLD');
      const r = d.reasons.find((x) => x.kind === 'value-undetermined');
      expect(r?.text).toMatch(
        /valued above USD 500 per item; declare the value in USD and the quantity in items/,
      );
      expect(r?.unconfirmed).toBe(true);
    }
  });

  it('names the aircraft spare-parts exception, its UNCONFIRMED model list and its citation', () => {
    const d = screen('UN', decl('2018-03-01', '880330', { ...exportTo, ...aircraftParts }));
    expect(d.exception).toBe('UN-2397-OP7/civil-aircraft-spare-parts');
    expect(d.conditions.join(' ')).toMatch(/UNCONFIRMED: An-24R\/RV/);
    expect(d.reasons[0]?.unconfirmed).toBe(true);
    expect(d.reasons[0]?.citation).toBe(
      'United Nations Security Council resolution 2397 (2017), para 7 (para UNCONFIRMED)',
    );
  });

  it('holds, never refuses, imports under No. 4’s UNCONFIRMED import section, and says why', () => {
    const d = screen('CN', decl('2018-02-01', '4403', {}));
    expect(d.decision).toBe('HOLD');
    const r = d.reasons.find((x) => x.measure === 'CN-MOFCOM-4-2018-II');
    expect(r?.kind).toBe('measure-unconfirmed');
    expect(r?.text).toMatch(/whether this measure exists is UNCONFIRMED/);
    expect(r?.unconfirmed).toBe(true);
  });

  it('cites the suspension, not a ban, for suspended coal', () => {
    const d = screen('CN', decl('2017-03-01', '2701120000', livelihoodCN));
    expect(d.reasons.find((r) => r.measure === 'CN-MOFCOM-12-2017')?.kind).toBe('suspended');
  });
});

describe('caps as ledgers across the timeline', () => {
  it('UN 2321 coal cap for the rest of 2016: warnings at 75 % and 90 %, refusal with headroom, new period in 2017', () => {
    const ledger = new CapLedger(regime.units);
    const run = (date: string, t: number, usd: number) =>
      screen('UN', decl(date, '270112', { purpose: 'livelihood', ...coal(t, usd) }), ledger);
    const first = run('2016-12-01', 800_000, 40_000_000);
    expect(first.decision).toBe('CLEAR');
    expect(first.reasons.filter((r) => r.kind === 'cap-warning').map((r) => r.details?.level)).toEqual([
      0.75,
    ]);
    const second = run('2016-12-05', 150_000, 9_000_000);
    expect(second.reasons.filter((r) => r.kind === 'cap-warning').map((r) => r.details?.level)).toEqual([
      0.9,
    ]);
    const third = run('2016-12-10', 100_000, 5_000_000);
    expect(third.decision).toBe('REFUSE');
    const exceeded = third.reasons.find((r) => r.kind === 'cap-exceeded');
    expect(exceeded?.details?.headroom).toEqual({ USD: 4_495_894, t: 50_866 });
    // value is the lower limit here: 95 % of USD 53,495,894 reached before the tonnage
    expect(run('2016-12-11', 40_000, 4_000_000).reasons.map((r) => r.kind)).toContain('cap-warning');
    const nextYear = run('2017-01-02', 100_000, 5_000_000);
    expect(nextYear.decision).toBe('CLEAR');
    expect(nextYear.reasons.find((r) => r.kind === 'cap-consumed')?.details?.period).toBe('2017-01-01');
  });

  it('China stops coal at 95 % of the 2017 cap (No. 81) even though the UN cap has room', () => {
    const ledger = new CapLedger(regime.units);
    const run = (date: string, t: number, usd: number) =>
      screen('CN', decl(date, '2701120000', { ...livelihoodCN, ...coal(t, usd) }), ledger);
    const big = run('2017-01-10', 7_000_000, 300_000_000);
    expect(big.decision).toBe('CLEAR');
    expect(big.reasons.filter((r) => r.kind === 'cap-warning').map((r) => r.details?.level)).toEqual([
      0.75, 0.9,
    ]);
    const over = run('2017-01-20', 200_000, 8_000_000);
    expect(over.decision).toBe('REFUSE');
    expect(over.reasons.find((r) => r.kind === 'cap-exceeded')?.text).toMatch(/stop at 95%/);
    expect(over.reasons.find((r) => r.kind === 'cap-exceeded')?.details?.headroom).toMatchObject({
      t: 125_000,
    });
    // the same two shipments under the resolution itself: 7.2 Mt of 7.5 Mt, no stop at 95 %
    const un = new CapLedger(regime.units);
    const unRun = (date: string, t: number, usd: number) =>
      screen('UN', decl(date, '270112', { purpose: 'livelihood', ...coal(t, usd) }), un);
    expect(unRun('2017-01-10', 7_000_000, 300_000_000).decision).toBe('CLEAR');
    const unOver = unRun('2017-01-20', 200_000, 8_000_000);
    expect(unOver.decision).toBe('CLEAR');
    expect(unOver.reasons.filter((r) => r.kind === 'cap-warning').map((r) => r.details?.level)).toEqual([
      0.95,
    ]);
  });

  it('China’s refined-petroleum cap counts tonnes against barrels with the product factor, and stops at 95 %', () => {
    const ledger = new CapLedger(regime.units);
    const run = (date: string, q: number, unit: string) =>
      screen(
        'CN',
        decl(date, '2710192300', { ...exportTo, purpose: 'livelihood', quantity: q, unit }),
        ledger,
      );
    const a = run('2017-10-05', 50_000, 't');
    expect(a.decision).toBe('CLEAR');
    expect(a.reasons.filter((r) => r.kind === 'cap-warning').map((r) => r.details?.level)).toEqual([0.75]);
    const b = run('2017-11-05', 50_000, 'bbl');
    expect(b.decision).toBe('CLEAR');
    const c = run('2017-12-05', 10_000, 't');
    expect(c.decision).toBe('REFUSE');
    // a new period under No. 52's 2018 figure
    expect(run('2018-01-02', 10_000, 't').decision).toBe('CLEAR');
  });

  it('crude-oil caps: UN periods from 22 December, China’s from 23 December; tonnes and barrels lower-of', () => {
    // crude declarations are held as ambiguous by the condensate measures (R7), so the ledger is
    // exercised directly with the regime's own caps
    const capOf = (id: string) => regime.measures.find((m) => m.measure.id === id)!.measure.caps[0]!;
    const un = capOf('UN-2397-OP4');
    const cn = capOf('CN-MOFCOM-4-2018-2');
    const crude = (date: string, quantity: number, unit: string) =>
      decl(date, '2709000000', { ...exportTo, quantity, unit });
    const ledger = new CapLedger(regime.units);
    expect(ledger.draw('UN-2397-OP4', 'c', un, crude('2017-12-22', 1000, 't'), '2017-12-22', false).ok).toBe(
      true,
    );
    const early = ledger.draw(
      'CN-MOFCOM-4-2018-2',
      'c',
      cn,
      crude('2017-12-22', 1000, 't'),
      '2017-12-22',
      false,
    );
    expect(early.ok).toBe(false);
    expect(early.reasons[0]?.text).toMatch(/No period of cap .* is open on 2017-12-22/);
    expect(
      ledger.draw('CN-MOFCOM-4-2018-2', 'c', cn, crude('2017-12-23', 1000, 't'), '2017-12-23', false).ok,
    ).toBe(true);
    // 2018-12-22 is the first day of the UN's second period and still in China's first
    ledger.setRunningTotal('UN-2397-OP4', un, '2018-12-21', { t: 524_000, bbl: 3_992_000 });
    ledger.setRunningTotal('CN-MOFCOM-4-2018-2', cn, '2018-12-21', { t: 524_000, bbl: 3_992_000 });
    expect(ledger.draw('UN-2397-OP4', 'c', un, crude('2018-12-22', 2000, 't'), '2018-12-22', false).ok).toBe(
      true,
    );
    const cnLate = ledger.draw(
      'CN-MOFCOM-4-2018-2',
      'c',
      cn,
      crude('2018-12-22', 2000, 't'),
      '2018-12-22',
      false,
    );
    expect(cnLate.ok).toBe(false);
    // 4,000,000 bbl at 7.619 bbl/t is 525,003 t: the tonnage limit binds first
    expect(cnLate.reasons[0]?.details?.headroom).toEqual({ bbl: 8_000, t: 1_000 });
  });

  it('an external running total (the Committee’s figure) leaves only the rest of the cap', () => {
    const ledger = new CapLedger(regime.units);
    const op5 = regime.measures.find((m) => m.measure.id === 'UN-2397-OP5')!.measure;
    ledger.setRunningTotal('UN-2397-OP5', op5.caps[0]!, '2018-06-30', { bbl: 490_000 });
    const d = screen(
      'UN',
      decl('2018-07-01', '27101923', { ...exportTo, purpose: 'livelihood', quantity: 20_000, unit: 'bbl' }),
      ledger,
    );
    expect(d.decision).toBe('REFUSE');
    expect(d.reasons.find((r) => r.kind === 'cap-exceeded')?.details?.headroom).toEqual({ bbl: 10_000 });
  });
});
