/**
 * Builds the labelled name-matching set `src/core/parties/eval/name-eval-cases.csv` from the real
 * DPRK entries of the shared UN (2026-05-08) and OFAC (2022-01 trio) lists. Deterministic (seeded);
 * run `node bin/run-ts.js src/ingest/lists/name-eval-build.ts` to regenerate. The queries are
 * ours; they point at list entries by `un:<reference>` / `ofac:<ent_num>`.
 *
 * Positives vary a real listed name the ways declarations do: case and punctuation, hyphens and
 * run-together syllables, name order, romanisation variants (Jong/Jeong, Chol/Cheol, Ri/Lee, …),
 * typos in long words, company legal forms, Hangul. Hard negatives are names that must not be
 * found: one given-name syllable changed (other Kims), the distinctive word of a company changed
 * (other Korean trading companies), vessel numbers changed, and real non-DPRK entries of the
 * OFAC list that share words with DPRK names. Every negative is checked not to be, under the
 * variant keys, any listed name.
 */
import { writeFileSync } from 'node:fs';
import { sharedPath } from '../../../test/shared-data.js';
import { LEGAL_FORM_WORDS } from '../../core/parties/company-names.js';
import { SYLLABLE_VARIANT_GROUPS, syllableKey } from '../../core/parties/korean-syllables.js';
import { normalizeText } from '../../core/parties/name-normalizer.js';
import { isKoreanSyllable } from '../../core/parties/party-matcher.js';
import type { PartyEntity } from '../../core/parties/party-model.js';
import { loadListFile } from './list-loader.js';

export const EVAL_CASES_FILE = new URL('../../core/parties/eval/name-eval-cases.csv', import.meta.url)
  .pathname;

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(20161130);
const csvEscape = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

interface Keyed {
  key: string;
  entity: PartyEntity;
}

const un = loadListFile(sharedPath('data', 'lists', 'un', 'consolidated_2026-05-08.xml')).list.entities;
const ofacTrio = loadListFile(sharedPath('data', 'lists', 'ofac', 'trio_2022-01', 'sdn.csv'));
const ofac = ofacTrio.list.entities;
const ofacAll = loadListFile(sharedPath('data', 'lists', 'ofac', 'trio_2022-01', 'sdn.csv'), { all: true })
  .list.entities;
const entries: Keyed[] = [
  ...un.map((entity) => ({ key: `un:${entity.reference}`, entity })),
  ...ofac.map((entity) => ({ key: `ofac:${entity.reference}`, entity })),
];

/** Order-free variant identity of a name without legal forms: what "the same name" means for labelling. */
const identity = (name: string) =>
  normalizeText(name)
    .split(' ')
    .filter((t) => t && !LEGAL_FORM_WORDS.has(t))
    .map(syllableKey)
    .sort()
    .join(' ');
const compact = (name: string) =>
  syllableKey(
    normalizeText(name)
      .split(' ')
      .filter((t) => !LEGAL_FORM_WORDS.has(t))
      .join(''),
  );

const byIdentity = new Map<string, Set<string>>();
const byCompact = new Map<string, Set<string>>();
for (const { key, entity } of entries) {
  for (const n of entity.names) {
    for (const [map, k] of [
      [byIdentity, identity(n.name)],
      [byCompact, compact(n.name)],
    ] as const) {
      const set = map.get(k) ?? new Set<string>();
      set.add(key);
      map.set(k, set);
    }
  }
}
/** Every entry carrying this name (up to variant keys, order and spacing). */
const sameName = (name: string): string[] =>
  [...new Set([...(byIdentity.get(identity(name)) ?? []), ...(byCompact.get(compact(name)) ?? [])])].sort();

interface Row {
  query: string;
  expected: string[];
  category: string;
  source: string;
}
const rows: Row[] = [];
const seen = new Set<string>();
function add(query: string, source: string, category: string, expectedFrom: PartyEntity | null): void {
  const q = query.replace(/\s+/g, ' ').trim();
  if (!q || seen.has(q.toUpperCase())) return;
  // expected: every entry sharing a name with the source entry (the UN and OFAC entries of one party)
  const expected = expectedFrom
    ? [...new Set(expectedFrom.names.flatMap((n) => sameName(n.name)))].sort()
    : [];
  if (expectedFrom === null && sameName(q).length > 0) return; // not a negative after all
  seen.add(q.toUpperCase());
  rows.push({ query: q, expected, category, source });
}

const variantOf = new Map<string, string[]>();
for (const group of SYLLABLE_VARIANT_GROUPS) {
  if (group.length > 1)
    for (const s of group)
      variantOf.set(
        s,
        group.filter((x) => x !== s),
      );
}

const titleCase = (s: string) =>
  s.toLowerCase().replace(/(^|[\s-])(\p{L})/gu, (_, a: string, b: string) => a + b.toUpperCase());
const usable = (e: PartyEntity) =>
  e.names.filter((n) => n.kind === 'primary' || n.kind === 'strong-alias').map((n) => n.name);

const persons = entries.filter((e) => e.entity.type === 'person');
const companies = entries.filter((e) => e.entity.type === 'entity');
const vessels = entries.filter((e) => e.entity.type === 'vessel');

/** Tokens of a person name, family name first, without OFAC's comma. */
const personTokens = (name: string) => normalizeText(name).split(' ');

// 1. Persons: case/punctuation, order, hyphens, joined syllables, romanisation variants.
for (const { entity } of persons) {
  const name = pick(usable(entity));
  const tokens = personTokens(name);
  if (tokens.length < 2 || tokens.length > 4 || tokens.some((t) => /\d/.test(t))) continue;
  const [family, ...given] = tokens;
  add(titleCase(name), name, 'person-case', entity);
  add(`${family}, ${titleCase(given.join(' '))}`, name, 'person-ofac-order', entity);
  add(`${titleCase(given.join(' '))} ${titleCase(family ?? '')}`, name, 'person-given-first', entity);
  if (given.length === 2) {
    add(`${titleCase(family ?? '')} ${titleCase(given.join('-'))}`, name, 'person-hyphen', entity);
    if (given.every(isKoreanSyllable))
      add(`${titleCase(family ?? '')} ${titleCase(given.join(''))}`, name, 'person-joined', entity);
  }
  const variable = tokens.map((t, i) => [t, i] as const).filter(([t]) => variantOf.has(t));
  if (variable.length > 0) {
    const varied = tokens.slice();
    for (const [t, i] of variable)
      if (random() < 0.7 || i === variable[0]?.[1]) varied[i] = pick(variantOf.get(t) ?? [t]);
    add(titleCase(varied.join(' ')), name, 'person-romanisation', entity);
  }
}

// 2. Typos in long words (persons and companies).
const typo = (word: string): string => {
  const i = 1 + Math.floor(random() * (word.length - 2));
  const op = random();
  if (op < 0.34) return word.slice(0, i) + word.slice(i + 1);
  if (op < 0.67) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  const letters = 'AEIOUNRSTLKMGH';
  return word.slice(0, i) + pick([...letters].filter((l) => l !== word[i])) + word.slice(i + 1);
};
for (const { entity } of [...companies, ...persons]) {
  const name = pick(usable(entity));
  const tokens = normalizeText(name).split(' ');
  const long = tokens
    .map((t, i) => [t, i] as const)
    .filter(([t]) => t.length >= 7 && !/\d/.test(t) && !isKoreanSyllable(t));
  if (long.length === 0) continue;
  const [word, i] = pick(long);
  const varied = tokens.slice();
  varied[i] = typo(word);
  add(varied.join(' '), name, 'typo', entity);
}

// 3. Company forms and abbreviations.
const FORM_SWAPS: readonly [RegExp, string][] = [
  [/\bCORPORATION\b/i, 'Corp.'],
  [/\bCOMPANY LIMITED\b/i, 'Co., Ltd.'],
  [/\bCOMPANY\b/i, 'Co.'],
  [/\bLIMITED\b/i, 'Ltd'],
  [/\bTRADING\b/i, 'Trdg'],
  [/\bINTERNATIONAL\b/i, 'Intl'],
  [/\bSHIPPING\b/i, 'Shpg'],
  [/\bTECHNOLOGY\b/i, 'Tech'],
  [/ AND /i, ' & '],
];
for (const { entity } of companies) {
  for (const name of usable(entity).slice(0, 2)) {
    const swaps = FORM_SWAPS.filter(([re]) => re.test(name));
    if (swaps.length > 0) {
      let varied = name;
      for (const [re, to] of swaps) varied = varied.replace(re, to);
      add(titleCase(varied).replace(/\bLtd\b/g, 'LTD'), name, 'company-abbreviation', entity);
    }
    const words = normalizeText(name).split(' ');
    const last = words[words.length - 1] ?? '';
    if (words.length >= 3 && ['CORPORATION', 'COMPANY', 'LIMITED'].includes(last)) {
      add(titleCase(words.slice(0, -1).join(' ')), name, 'company-no-legal-form', entity);
    } else if (words.length >= 2 && !words.includes('BANK')) {
      add(`${titleCase(name)} Co., Ltd.`, name, 'company-added-legal-form', entity);
    }
  }
}

// 4. Vessels: the name as a declaration writes it.
for (const { entity } of vessels) {
  const name = entity.names[0]?.name ?? '';
  // One draw per multi-word name keeps the seeded sequence the committed set was built with.
  if (name.includes(' ')) random();
  add(titleCase(name), name, 'vessel', entity);
}

// 5. Hangul, written by us for listed people whose names the lists transliterate.
const HANGUL: readonly [string, string][] = [
  ['김정은', 'KIM, Jong Un'],
  ['김여정', 'KIM, Yo Jong'],
  ['최룡해', 'CHOE, Ryong Hae'],
  ['리병철', 'Ri Pyong Chol'],
  ['김영철', 'KIM YONG CHOL'],
  ['현광일', 'HYON KWANG IL'],
  ['장범수', 'JANG BOM SU'],
  ['최춘식', 'CHOE CHUN SIK'],
  ['조용철', 'JO YONG CHOL'],
  ['김동명', 'Kim Tong Myong'],
  ['리만건', 'RI MAN GON'],
  ['류진', 'RYU JIN'],
  ['최휘', 'CHOE HWI'],
  ['박영식', 'PAK YONG SIK'],
  ['리수용', 'RI SU YONG'],
  ['조일우', 'CHO IL U'],
  ['강문길', 'KANG MUN KIL'],
  ['전명국', 'JON MYONG GUK'],
  ['박도춘', 'PAK TO CHUN'],
  ['김경옥', 'KIM KYONG OK'],
  ['리용무', 'RI YONG MU'],
  ['장성남', 'JANG SUNG NAM'],
  ['한장수', 'HAN JANG SU'],
  ['최송일', 'CHOE SONG IL'],
  ['조선련봉총회사', 'KOREA RYONBONG GENERAL CORPORATION'],
  ['조선대성은행', 'KOREA DAESONG BANK'],
];
for (const [hangul, listed] of HANGUL) {
  const target = entries.find(({ entity }) =>
    entity.names.some((n) => identity(n.name) === identity(listed)),
  );
  if (target) add(hangul, listed, 'hangul', target.entity);
}

// 6. Hard negatives: other Kims (one given-name syllable changed).
const SYLLABLES = [
  'MAN',
  'SU',
  'HO',
  'IL',
  'CHOL',
  'NAM',
  'HYOK',
  'SIK',
  'SONG',
  'MYONG',
  'GUK',
  'JIN',
  'SOK',
  'HUI',
  'OK',
  'HWA',
  'BOK',
  'TAE',
  'RYONG',
  'KYU',
  'GIL',
  'SUN',
  'HAK',
  'CHUN',
];
for (const { entity } of persons) {
  const name = entity.names[0]?.name ?? '';
  const tokens = personTokens(name);
  if (tokens.length !== 3 || !tokens.every(isKoreanSyllable)) continue;
  const i = 1 + Math.floor(random() * 2);
  const varied = tokens.slice();
  varied[i] = pick(SYLLABLES.filter((s) => syllableKey(s) !== syllableKey(tokens[i] ?? '')));
  add(titleCase(varied.join(' ')), name, 'negative-other-person', null);
  if (random() < 0.35) {
    const swapped = tokens.slice();
    swapped[0] = pick(
      ['KIM', 'RI', 'PAK', 'CHOE', 'JONG', 'KANG', 'HAN', 'YUN'].filter((s) => s !== tokens[0]),
    );
    add(titleCase(swapped.join(' ')), name, 'negative-other-family', null);
  }
}

// 7. Hard negatives: other Korean trading companies (distinctive word replaced).
const COMPANY_WORDS = [
  'SONGBONG',
  'PUNGCHON',
  'HYANGSAN',
  'MYOHYANG',
  'KANGSO',
  'SINPO',
  'OKRYU',
  'HAEBANG',
  'SAMIL',
  'TAEDONGGANG',
  'CHONGSAN',
  'MORANBONG',
  'UNHA',
  'PAEKTU',
  'KUMGANG',
  'HWANGHAE',
];
for (const { entity } of companies) {
  const name = entity.names[0]?.name ?? '';
  const tokens = normalizeText(name).split(' ');
  const distinctive = tokens
    .map((t, i) => [t, i] as const)
    .filter(
      ([t]) =>
        t.length >= 5 &&
        ![
          'KOREA',
          'KOREAN',
          'TRADING',
          'GENERAL',
          'CORPORATION',
          'COMPANY',
          'LIMITED',
          'INTERNATIONAL',
          'SHIPPING',
          'BANK',
          'DEVELOPMENT',
          'TECHNOLOGY',
          'COMMERCIAL',
        ].includes(t),
    );
  if (distinctive.length !== 1) continue;
  const [, i] = distinctive[0] as readonly [string, number];
  const varied = tokens.slice();
  varied[i] = pick(COMPANY_WORDS);
  add(titleCase(varied.join(' ')), name, 'negative-other-company', null);
}

// 8. Hard negatives: numbered vessels with another number.
for (const { entity } of vessels) {
  const name = entity.names[0]?.name ?? '';
  const m = /^(.*\D)\s(\d+)$/.exec(name);
  if (!m) continue;
  add(`${m[1]} ${Number(m[2]) + 10}`, name, 'negative-vessel-number', null);
}

// 9. Hard negatives: real non-DPRK OFAC entries sharing a word with a DPRK name.
const dprkWords = new Set(
  entries.flatMap(({ entity }) => entity.names.flatMap((n) => normalizeText(n.name).split(' '))),
);
const nonDprk = ofacAll.filter((e) => !ofac.some((d) => d.reference === e.reference));
let taken = 0;
for (const e of nonDprk) {
  if (taken >= 70) break;
  const name = e.names[0]?.name ?? '';
  const words = normalizeText(name).split(' ');
  const shared = words.filter(
    (w) =>
      dprkWords.has(w) &&
      w.length >= 4 &&
      !['CORPORATION', 'COMPANY', 'LIMITED', 'TRADING', 'GENERAL', 'INTERNATIONAL'].includes(w),
  );
  if (shared.length === 0 || random() > 0.25) continue;
  const before = rows.length;
  add(name, name, e.type === 'person' ? 'negative-real-person' : 'negative-real-company', null);
  if (rows.length > before) taken++;
}

const header = 'id,query,expected,category,source_name';
const lines = rows.map((r, i) =>
  [`Q${String(i + 1).padStart(4, '0')}`, r.query, r.expected.join('|'), r.category, r.source]
    .map(csvEscape)
    .join(','),
);
writeFileSync(EVAL_CASES_FILE, `${[header, ...lines].join('\n')}\n`);
const positives = rows.filter((r) => r.expected.length > 0).length;
process.stdout.write(
  `${rows.length} cases (${positives} positive, ${rows.length - positives} hard negative) → ${EVAL_CASES_FILE}\n`,
);
