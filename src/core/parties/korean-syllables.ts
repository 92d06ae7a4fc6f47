/**
 * Korean names, syllable by syllable.
 *
 * Two jobs:
 * 1. Hangul → list-style romanisation. Sanctions lists write DPRK names in McCune–Reischauer
 *    without its diacritics and apostrophes (`김정은` → `KIM JONG UN`, `리병철` → `RI PYONG CHOL`).
 *    No npm romaniser produces that (they follow the South's Revised Romanisation: `Gim Jeong-eun`),
 *    so the table is built here from the initial / medial / final jamo; `es-hangul` is used only
 *    to split a syllable into its jamo.
 * 2. Variant keys. The same syllable is spelled many ways (정: Jong, Jung, Jeong, Chong, Chung);
 *    `syllableKey` folds a romanised token into one comparison key so that all those spellings
 *    meet, while different syllables (UN vs MAN vs YO) stay apart.
 */
import { disassembleCompleteCharacter } from 'es-hangul';

/** Initial consonants, list style (ㅈ as J because the lists write 정 as JONG, 장 as JANG). */
const INITIALS: Readonly<Record<string, string>> = {
  ㄱ: 'K',
  ㄲ: 'KK',
  ㄴ: 'N',
  ㄷ: 'T',
  ㄸ: 'TT',
  ㄹ: 'R',
  ㅁ: 'M',
  ㅂ: 'P',
  ㅃ: 'PP',
  ㅅ: 'S',
  ㅆ: 'SS',
  ㅇ: '',
  ㅈ: 'J',
  ㅉ: 'JJ',
  ㅊ: 'CH',
  ㅋ: 'K',
  ㅌ: 'T',
  ㅍ: 'P',
  ㅎ: 'H',
};

/** Medial vowels; es-hangul spells compound vowels as two jamo (ㅘ = 'ㅗㅏ'). ŏ and ŭ lose their breve. */
const MEDIALS: Readonly<Record<string, string>> = {
  ㅏ: 'A',
  ㅐ: 'AE',
  ㅑ: 'YA',
  ㅒ: 'YAE',
  ㅓ: 'O',
  ㅔ: 'E',
  ㅕ: 'YO',
  ㅖ: 'YE',
  ㅗ: 'O',
  ㅗㅏ: 'WA',
  ㅗㅐ: 'WAE',
  ㅗㅣ: 'OE',
  ㅛ: 'YO',
  ㅜ: 'U',
  ㅜㅓ: 'WO',
  ㅜㅔ: 'WE',
  ㅜㅣ: 'WI',
  ㅠ: 'YU',
  ㅡ: 'U',
  ㅡㅣ: 'UI',
  ㅣ: 'I',
};

/** Final consonants as pronounced at the end of a syllable (compound finals keep one sound). */
const FINALS: Readonly<Record<string, string>> = {
  '': '',
  ㄱ: 'K',
  ㄲ: 'K',
  ㄱㅅ: 'K',
  ㄴ: 'N',
  ㄴㅈ: 'N',
  ㄴㅎ: 'N',
  ㄷ: 'T',
  ㄹ: 'L',
  ㄹㄱ: 'K',
  ㄹㅁ: 'M',
  ㄹㅂ: 'L',
  ㄹㅅ: 'L',
  ㄹㅌ: 'L',
  ㄹㅍ: 'P',
  ㄹㅎ: 'L',
  ㅁ: 'M',
  ㅂ: 'P',
  ㅂㅅ: 'P',
  ㅅ: 'T',
  ㅆ: 'T',
  ㅇ: 'NG',
  ㅈ: 'T',
  ㅊ: 'T',
  ㅋ: 'K',
  ㅌ: 'T',
  ㅍ: 'P',
  ㅎ: 'T',
};

const HANGUL_FIRST = 0xac00;
const HANGUL_LAST = 0xd7a3;

export function isHangulSyllable(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return code >= HANGUL_FIRST && code <= HANGUL_LAST;
}

function buildSyllableTable(): readonly string[] {
  const table: string[] = new Array(HANGUL_LAST - HANGUL_FIRST + 1);
  for (let code = HANGUL_FIRST; code <= HANGUL_LAST; code++) {
    const parts = disassembleCompleteCharacter(String.fromCharCode(code));
    if (!parts) throw new Error(`es-hangul cannot decompose U+${code.toString(16)}`);
    const initial = INITIALS[parts.choseong];
    const medial = MEDIALS[parts.jungseong];
    const final = FINALS[parts.jongseong];
    if (initial === undefined || medial === undefined || final === undefined) {
      throw new Error(`no romanisation for jamo of U+${code.toString(16)}`);
    }
    table[code - HANGUL_FIRST] = initial + medial + final;
  }
  return table;
}

let syllableTable: readonly string[] | undefined;

/** All 11,172 precomposed Hangul syllables → list-style romanisation, built once on first use. */
export function hangulSyllableTable(): readonly string[] {
  syllableTable ??= buildSyllableTable();
  return syllableTable;
}

/**
 * Romanises one Hangul syllable list-style; returns undefined for anything else.
 * @example romanizeSyllable('철') // 'CHOL'
 */
export function romanizeSyllable(char: string): string | undefined {
  if (!isHangulSyllable(char)) return undefined;
  return hangulSyllableTable()[(char.codePointAt(0) ?? 0) - HANGUL_FIRST];
}

/**
 * Romanises a Hangul string syllable by syllable, one token per syllable (how the lists write
 * Korean names: `KIM JONG UN`). Non-Hangul characters pass through.
 * @example romanizeHangul('리병철') // 'RI PYONG CHOL'
 */
export function romanizeHangul(text: string): string {
  let out = '';
  for (const char of text) {
    const roman = romanizeSyllable(char);
    out += roman === undefined ? char : ` ${roman} `;
  }
  return out.replace(/\s+/g, ' ').trim();
}

/**
 * Whole-syllable spellings that the character rules below cannot fold: surnames whose variants
 * differ by more than a consonant class (Ri/Lee/Yi/I/Rhee, Rim/Lim/Im, Pak/Park, Choe/Choi/Chwe,
 * Ryu/Yu/Yoo, Ro/Roh/No/Noh). Each maps to one representative spelling.
 */
export const SURNAME_VARIANTS: Readonly<Record<string, string>> = {
  RI: 'RI',
  LI: 'RI',
  LEE: 'RI',
  YI: 'RI',
  I: 'RI',
  RHEE: 'RI',
  RHIE: 'RI',
  YEE: 'RI',
  RIM: 'RIM',
  LIM: 'RIM',
  IM: 'RIM',
  PAK: 'PAK',
  PARK: 'PAK',
  BAK: 'PAK',
  BARK: 'PAK',
  CHOE: 'CHOE',
  CHOI: 'CHOE',
  CHWE: 'CHOE',
  CHOY: 'CHOE',
  RYU: 'RYU',
  YU: 'RYU',
  YOO: 'RYU',
  LYU: 'RYU',
  RO: 'RO',
  ROH: 'RO',
  NO: 'RO',
  NOH: 'RO',
  GIM: 'KIM',
  KIM: 'KIM',
  WOO: 'U',
  OO: 'U',
  OH: 'O',
  SHIN: 'SIN',
  SIN: 'SIN',
};

/**
 * Given-name syllables and surnames named in the issue, for documentation and tests: every group
 * must fold to one key under `syllableKey`, and different groups must not.
 */
export const SYLLABLE_VARIANT_GROUPS: readonly (readonly string[])[] = [
  ['KIM', 'GIM'],
  ['RI', 'RHEE', 'LEE', 'YI', 'I', 'LI'],
  ['PAK', 'PARK', 'BAK'],
  ['JONG', 'JUNG', 'JEONG', 'CHONG', 'CHUNG'],
  ['CHOE', 'CHOI', 'CHWE'],
  ['JANG', 'CHANG'],
  ['JON', 'JEON', 'CHON', 'CHUN'],
  ['PAEK', 'BAEK', 'PAIK'],
  ['HYON', 'HYUN', 'HYEON'],
  ['RYANG', 'YANG'],
  ['RIM', 'LIM', 'IM'],
  ['RYU', 'YU', 'YOO'],
  ['UN', 'EUN'],
  ['CHOL', 'CHUL', 'CHEOL'],
  ['MYONG', 'MYUNG', 'MYEONG'],
  ['KYONG', 'KYUNG', 'GYEONG'],
  ['KWANG', 'GWANG'],
  ['GUK', 'KUK'],
  ['SONG', 'SUNG', 'SEONG'],
  ['YONG', 'YOUNG', 'YEONG', 'RYONG'],
  ['HYOK', 'HYUK', 'HYEOK'],
  ['SOK', 'SUK', 'SEOK'],
  ['PYONG', 'BYONG', 'BYEONG', 'PYEONG'],
  ['IL'],
  ['O', 'OH'],
  ['MAN'],
  ['YO'],
];

/**
 * Folds a romanised token (upper-case ASCII letters) into its variant key. Character rules, applied
 * in order, are the spelling habits of the two romanisations and of older passports:
 * PH/TH/KH → P/T/K (DPRK's own "Phyongyang"), SH → S, J → CH, G (not after N, or after NG) → K, B → P, D → T,
 * leading L → R, leading RY → Y, doubled consonants single, EO/EU/OU → O/U/O, OO → U, EE → I,
 * AI → AE, OI/WE → OE, and finally U → O except a final YU (the lists write ŏ and ŭ as O or U interchangeably:
 * Chol/Chul, Song/Sung, Un/Eun). The key is only ever compared with other keys; it is not a spelling.
 * @example syllableKey('JEONG') === syllableKey('CHUNG') // true
 */
export function syllableKey(token: string): string {
  const cached = keyCache.get(token);
  if (cached !== undefined) return cached;
  const t = SURNAME_VARIANTS[token] ?? token;
  let key = t;
  if (/^[A-Z]+$/.test(t)) {
    // The rules feed each other (PPPA → PPA → PA), so apply them until the key is stable.
    key = foldOnce(t);
    for (let next = foldOnce(key); next !== key; next = foldOnce(key)) key = next;
  }
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(token, key);
  return key;
}

/** Keys are pure functions of the token and names repeat their words: remember them (bounded). */
const KEY_CACHE_LIMIT = 500_000;
const keyCache = new Map<string, string>();

function foldOnce(word: string): string {
  return (
    (SURNAME_VARIANTS[word] ?? word)
      .replace(/PH/g, 'P')
      .replace(/TH/g, 'T')
      .replace(/KH/g, 'K')
      .replace(/SH/g, 'S')
      .replace(/TCH/g, 'CH')
      .replace(/J/g, 'CH')
      // a syllable-initial G after a final NG (CHONGGUK = CHONG + GUK) is still an initial
      .replace(/NGG/g, 'NGK')
      .replace(/(^|[^N])G/g, '$1K')
      .replace(/B/g, 'P')
      .replace(/D/g, 'T')
      .replace(/^L/, 'R')
      .replace(/^RY/, 'Y')
      .replace(/([KPTSCHMN])\1+/g, '$1')
      .replace(/YEO/g, 'YO')
      .replace(/EO/g, 'O')
      .replace(/EU/g, 'U')
      .replace(/OU/g, 'O')
      .replace(/OO/g, 'U')
      .replace(/EE/g, 'I')
      .replace(/AI/g, 'AE')
      .replace(/OI|WE/g, 'OE')
      // 유 (YU, RYU, YOO) must not fold into 요 (YO): keep a word-final YU apart.
      .replace(/YU$/, 'Y_')
      .replace(/U/g, 'O')
      .replace(/Y_$/, 'YU')
  );
}
