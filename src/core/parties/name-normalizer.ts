/**
 * The one normalisation of party names, shared by indexing and querying so both sides always
 * agree. Steps, in order:
 * 1. Chinese / Korean legal forms → English words (有限公司 → COMPANY LIMITED, 주식회사 → CORPORATION);
 * 2. Hangul → list-style romanisation, one token per syllable (김정은 → KIM JONG UN);
 * 3. Unicode NFKD and removal of combining marks (McCune–Reischauer ŏ ŭ, accents: é → E);
 * 4. apostrophes dropped without a space (aspiration `Ch'ŏng`, list-style `O'`: CH'O'L → CHOL);
 * 5. `&` → AND, `J/V` → JOINT VENTURE, every other punctuation, comma and hyphen → space
 *    (`KIM, Jong-un` → `KIM JONG UN`; the comma order of OFAC is family name first, as UN's is);
 * 6. upper case; Han characters split one per token; abbreviations expanded (CORP → CORPORATION).
 */
import { ABBREVIATIONS, CJK_LEGAL_FORMS, tokenWeight } from './company-names.js';
import { romanizeHangul, syllableKey } from './korean-syllables.js';

export interface NameToken {
  /** normalised spelling, e.g. `JEONG` */
  raw: string;
  /** variant key, e.g. `CHONG` (see syllableKey) */
  key: string;
  /** 1 distinctive, 0.5 common word, 0.25 legal form */
  weight: number;
  /** contains a digit: must agree exactly ("Vessel 1" is not "Vessel 2") */
  numeric: boolean;
  /** may be compared by edit distance: 5+ letters, no digit, not a single Korean syllable */
  fuzzy: boolean;
}

export interface NormalizedName {
  /** tokens joined by single spaces */
  text: string;
  tokens: NameToken[];
}

const APOSTROPHES = /['’‘`´ʼʻ′]/g;

/** One romanised Korean syllable (KIM, JONG, UN, HYOK, PYONG): never compared by edit distance. */
export const KOREAN_SYLLABLE =
  /^(?:PH|TH|KH|CH|TCH|SH|KK|TT|PP|SS|JJ|[KGNDTRLMBPSJH])?[WY]?(?:AE|AI|EO|EU|OE|OI|OO|OU|EE|UI|A|E|I|O|U)(?:NG|[KNTLMPR])?$/;
const HAN = /\p{Script=Han}/u;
const HAN_GLOBAL = /(\p{Script=Han})/gu;
const HANGUL = /[\uac00-\ud7a3]/;

/**
 * Normalises a name to its comparable text.
 * @example normalizeText("KIM, Jong-un") // 'KIM JONG UN'
 * @example normalizeText('Ch’oe Ch’un-yo’ng') // 'CHOE CHUN YONG'
 */
export function normalizeText(name: string): string {
  let s = name;
  if (HAN.test(s) || HANGUL.test(s)) {
    for (const [form, english] of CJK_LEGAL_FORMS) s = s.replaceAll(form, english);
    if (HANGUL.test(s)) s = romanizeHangul(s);
  }
  // Case folding and decomposition can each undo the other (NFKD turns ª into a, upper-casing ǰ
  // leaves a combining caron), so repeat until nothing changes: normalisation must be idempotent.
  for (let previous = ''; previous !== s; ) {
    previous = s;
    s = s.toUpperCase().normalize('NFKD').replace(/\p{M}/gu, '');
  }
  // After NFKD: compatibility forms (⼀, 兀) only become Han characters there.
  s = s.replace(HAN_GLOBAL, ' $1 ');
  s = s.replace(APOSTROPHES, '');
  s = s.replace(/&/g, ' AND ').replace(/\bJ\s*\/\s*V\b/gi, ' JV ');
  s = s.replace(/[^\p{L}\p{N}]+/gu, ' ');
  const out: string[] = [];
  for (const word of s.split(' ')) {
    if (!word) continue;
    const expansion = ABBREVIATIONS[word];
    if (expansion) out.push(...expansion);
    else out.push(word);
  }
  return out.join(' ');
}

/** Splits normalised text into weighted, keyed tokens. */
export function tokensOf(text: string): NameToken[] {
  if (!text) return [];
  return text.split(' ').map((raw) => {
    const numeric = /\d/.test(raw);
    return {
      raw,
      key: syllableKey(raw),
      weight: tokenWeight(raw),
      numeric,
      fuzzy: raw.length >= 5 && !numeric && !KOREAN_SYLLABLE.test(raw),
    };
  });
}

/**
 * Normalises a name into text and tokens.
 * @example normalizeName('김정은').text // 'KIM JONG UN'
 */
export function normalizeName(name: string): NormalizedName {
  const text = normalizeText(name);
  return { text, tokens: tokensOf(text) };
}

/** Order-free identity of a name: its sorted tokens. Weak aliases and acronyms match only on this. */
export function exactKeyOf(name: NormalizedName): string {
  return name.tokens
    .map((t) => t.raw)
    .sort()
    .join(' ');
}

/** The variant key of a run of adjacent tokens written together (`JONG UN` ~ `JONGUN`). */
export function joinedKey(tokens: readonly NameToken[], from: number, count: number): string {
  let raw = '';
  for (let i = from; i < from + count; i++) raw += tokens[i]?.raw ?? '';
  return syllableKey(raw);
}
