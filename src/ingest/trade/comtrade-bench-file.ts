/**
 * The benchmarks' Comtrade file: rows in the shape of the real legacy extract (35 columns, partner
 * in "2nd Partner", World in "Partner", X/M flow codes, a third of the lines with quoted commodity
 * descriptions containing commas, Côte d'Ivoire in UTF-8), monthly 2015–2018, about 205 bytes a
 * row. Shared by the trade benchmark (src/core/trade/trade.bench.ts) and the store import
 * benchmark (trade-import.bench.ts); not used by the product.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { addMonths } from '../../core/trade/observation.js';

const HEADER =
  'Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,Trade Flow,Reporter Code,Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,2nd Partner Code,2nd Partner,2nd Partner ISO,Customs Proc. Code,Customs,Mode of Transport Code,Mode of Transport,Commodity Code,Commodity,Qty Unit Code,Qty Unit,Qty,Alt Qty Unit Code,Alt Qty Unit,Alt Qty,Netweight (kg),Gross weight (kg),Trade Value (US$),CIF Trade Value (US$),FOB Trade Value (US$),Flag';

const PARTNERS: [string, string, string][] = [
  ['408', "Dem. People's Rep. of Korea", 'PRK'],
  ['410', 'Rep. of Korea', 'KOR'],
  ['392', 'Japan', 'JPN'],
  ['643', 'Russian Federation', 'RUS'],
  ['496', 'Mongolia', 'MNG'],
  ['704', 'Viet Nam', 'VNM'],
  ['764', 'Thailand', 'THA'],
  ['360', 'Indonesia', 'IDN'],
  ['036', 'Australia', 'AUS'],
  ['842', 'USA', 'USA'],
  ['276', 'Germany', 'DEU'],
  ['384', "Côte d'Ivoire", 'CIV'],
];
const NAMES = [
  'Coal; anthracite, whether or not pulverised, but not agglomerated',
  'Iron ores and concentrates',
  'Zinc ores and concentrates',
  'Cement clinkers (whether or not coloured)',
  'Iron or steel; threaded screws and bolts n.e.c. in item no. 7318.1, whether or not with their nuts or washers',
  'Petroleum oils',
];

function quote(s: string): string {
  return /[",]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Writes `rows` rows (deterministic: every run writes the same file). */
export function generateComtradeFile(path: string, rows: number): void {
  const fd = openSync(path, 'w');
  const chunk: string[] = [HEADER];
  const months: string[] = [];
  for (let i = 0; i < 48; i++) months.push(addMonths('2015-01', i).replace('-', ''));
  // deterministic pseudo-random numbers so every run writes the same file
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const perCode = PARTNERS.length * 2 * months.length;
  const codes = Array.from({ length: Math.ceil(rows / perCode) }, (_, i) => String(250000 + i * 97));
  let written = 0;
  outer: for (const code of codes) {
    const name = NAMES[Number(code) % NAMES.length] ?? '';
    for (const [pc, pn, pi] of PARTNERS) {
      for (const flow of ['X', 'M']) {
        for (const p of months) {
          if (written >= rows) break outer;
          const kg = Math.round(rand() * 5e7);
          const usd = Math.round(kg * (0.02 + rand() * 0.08));
          chunk.push(
            `H4,${p.slice(0, 4)},${p},${p},6,1,0,${flow},156,China,CHN,0,World,W00,${pc},${quote(pn)},${pi},C00,All CPCs,0,All MOTs,${code},${quote(name)},8,kg,${kg},-1,N/A,,${kg},,${usd},${flow === 'M' ? usd : ''},${flow === 'X' ? usd : ''},0`,
          );
          written++;
          if (chunk.length >= 20000) {
            writeSync(fd, `${chunk.join('\n')}\n`);
            chunk.length = 0;
          }
        }
      }
    }
  }
  if (chunk.length) writeSync(fd, `${chunk.join('\n')}\n`);
  closeSync(fd);
  if (written < rows) throw new Error(`generator produced ${written} rows, fewer than ${rows}`);
}
