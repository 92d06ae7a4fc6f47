/**
 * Shared by the service, CLI and benchmark tests of the store area: the real shipped regime,
 * compiled once, screening in China's jurisdiction, and declarations for the approval-chain paths.
 */
import { compileRegime } from '../core/regime/compile.js';
import type { Declaration } from '../core/screening/declaration.js';
import { screenDeclaration } from '../core/screening/screen.js';
import { loadRegime } from '../ingest/regime-loader.js';
import type { Screener } from './screening-service.js';

let compiled: ReturnType<typeof compileRegime> | undefined;

export function shippedScreener(jurisdiction: 'CN' | 'UN' = 'CN'): Screener {
  compiled ??= compileRegime(loadRegime());
  const regime = compiled;
  return { screen: (declaration) => screenDeclaration(regime, declaration, { jurisdiction }) };
}

/** Coal carried through Rason for export, claiming item 1(2), with both declaration-time documents. */
export function rasonCoal(fields: Partial<Declaration> = {}): Declaration {
  return {
    id: 'RC-1',
    date: '2016-06-01',
    direction: 'import',
    hsCode: '2701120000',
    description: 'Russian bituminous coal via Rajin',
    origin: 'RU',
    from: 'KP',
    portOfLoading: 'Rason',
    consignee: 'Dandong Coal Trading Co., Ltd.',
    quantity: 1000,
    unit: 't',
    documents: [
      { type: 'commitment-letter-transit', reference: 'CLT-1' },
      { type: 'certificate-of-origin', reference: 'CO-1' },
    ],
    approvals: [{ type: 'un-record-filing', reference: 'RF-1' }],
    flags: [],
    ...fields,
  };
}

/** DPRK coal claimed for livelihood (item 1(1)); without its Annex 2 letter it is held. */
export function livelihoodCoal(fields: Partial<Declaration> = {}): Declaration {
  return {
    id: 'LC-1',
    date: '2016-06-01',
    direction: 'import',
    hsCode: '2701120000',
    origin: 'KP',
    from: 'KP',
    purpose: 'livelihood',
    consignee: 'Dandong Coal Trading Co., Ltd.',
    quantity: 300,
    unit: 't',
    documents: [{ type: 'commitment-letter-livelihood', reference: 'CL-17' }],
    approvals: [],
    flags: [],
    ...fields,
  };
}

/** A plain CLEAR: goods no measure covers. */
export function plainImport(id: string, fields: Partial<Declaration> = {}): Declaration {
  return {
    id,
    date: '2016-06-01',
    direction: 'import',
    hsCode: '0901210000',
    origin: 'BR',
    from: 'BR',
    documents: [],
    approvals: [],
    flags: [],
    ...fields,
  };
}

const CSV_HEADER =
  'id,date,direction,hs_code,description,origin,from,to,port_of_loading,consignor,consignee,quantity,unit,purpose,documents,approvals,flags';

/**
 * `n` declarations as CSV, cycling through every path the store records: CLEAR (uncovered goods,
 * livelihood coal with its letter), HOLD (livelihood coal without its letter → a case), REFUSE
 * (banned iron ore, Rason coal whose filing is not on record).
 */
export function declarationsCsv(n: number, prefix = 'G'): string {
  const templates = [
    (id: string) => `${id},2016-06-01,import,0901210000,coffee,BR,BR,,,Santos Coffee,Dalian Foods,20,t,,,,`,
    (id: string) =>
      `${id},2016-06-02,import,2701120000,coal,KP,KP,,Nampo,Sinuiju Coal,Dandong Coal,300,t,livelihood,commitment-letter-livelihood:CL-${id},,`,
    (id: string) =>
      `${id},2016-06-03,import,2701120000,coal,KP,KP,,Nampo,Sinuiju Coal,Dandong Coal,300,t,livelihood,,,`,
    (id: string) =>
      `${id},2016-06-04,import,2601110000,iron ore,KP,KP,,Nampo,Musan Mine,Tonghua Steel,900,t,,,,`,
    (id: string) =>
      `${id},2016-06-05,import,2701120000,coal,RU,KP,,Rason,Far East Coal,Dandong Coal,500,t,,commitment-letter-transit:T-${id};certificate-of-origin:O-${id},un-record-filing:RF-${id},`,
    (id: string) =>
      `${id},2016-06-06,export,8471300000,laptops,CN,CN,KP,,Shenyang Jinhai,Pyongyang Trading,10,t,,,,`,
  ];
  const lines = [CSV_HEADER];
  for (let i = 0; i < n; i++) lines.push(templates[i % templates.length]!(`${prefix}${i}`));
  return `${lines.join('\n')}\n`;
}
