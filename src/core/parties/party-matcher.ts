/**
 * Scores one query name against one listed name. Pure and deterministic; the index
 * (party-index.ts) decides which listed names are worth scoring.
 *
 * Tokens are aligned in three passes:
 * 1. one-to-one, exact spelling (1.0) or same variant key (0.95: JEONG ~ JONG, PAIK ~ PAEK);
 * 2. one token against 2–3 adjacent tokens written together (KIM JONGUN ~ KIM JONG UN,
 *    CHONGCHONGANG ~ CHONG CHON GANG);
 * 3. one-to-one fuzzy (edit distance) — never for a token that is a single romanised Korean
 *    syllable, because one letter turns JONG into YONG, a different name; and never for numbers.
 * The score is 0.6 × the listed name's weighted coverage + 0.4 × the query's, so a missing
 * given-name syllable costs as much as a wrong one ("KIM JONG UN" vs "KIM JONG MAN" ≈ 0.67), and
 * multiplied down when numbers disagree (×0.5), when only common words matched (×0.5) and when
 * the order differs (×0.97). A legal form on one side only counts half ("Koti Corp" ~ "Koti Corp Co., Ltd.").
 */
import { TOKEN_WEIGHT } from './company-names.js';
import {
  exactKeyOf,
  joinedKey,
  KOREAN_SYLLABLE,
  type NameToken,
  type NormalizedName,
} from './name-normalizer.js';

const LEGAL_WEIGHT = TOKEN_WEIGHT.legal;

/** Score bands: at or above `match` a party is designated; from `review` up to `match` it is held. */
export interface MatchThresholds {
  match: number;
  review: number;
}

/** Defaults chosen on the evaluation set (docs/decisions.md P4). */
export const DEFAULT_THRESHOLDS: Readonly<MatchThresholds> = Object.freeze({ match: 0.9, review: 0.75 });

export const VARIANT_SIMILARITY = 0.95;
const FUZZY_DAMPING = 0.95;
const MIN_FUZZY_SIMILARITY = 0.7;
const LISTED_SHARE = 0.6;
export const PENALTY = { numbers: 0.5, commonOnly: 0.5, order: 0.97 } as const;

export const MATCH_RULES = ['tokens', 'exact-only', 'imo'] as const;
export type MatchRule = (typeof MATCH_RULES)[number];

export interface ScoreComponents {
  rule: MatchRule;
  /** weighted share of the listed name's tokens that found a partner (0–1) */
  listedCoverage: number;
  /** weighted share of the query's tokens that found a partner (0–1) */
  queryCoverage: number;
  /** token pairs by how they matched */
  exactTokens: number;
  variantTokens: number;
  joinedTokens: number;
  fuzzyTokens: number;
  /** multipliers applied (1 = none) */
  numberFactor: number;
  commonOnlyFactor: number;
  orderFactor: number;
}

export interface NameScore {
  score: number;
  components: ScoreComponents;
}

/** How a listed name may be compared. */
export interface ComparableName {
  norm: NormalizedName;
  /** sorted-token identity, see exactKeyOf */
  exactKey: string;
  /** weak aliases and bare acronyms: exact identity only */
  exactOnly: boolean;
  /** vessel names: no fuzzy tokens */
  strict: boolean;
}

/** True for a token that is one romanised Korean syllable (KIM, JONG, UN, HYOK, PYONG). */
export function isKoreanSyllable(token: string): boolean {
  return KOREAN_SYLLABLE.test(token);
}

/**
 * Edit distance with adjacent transpositions (optimal string alignment: COMAPNY → COMPANY is one
 * edit, as typists make it), giving up (returning limit + 1) once it must exceed `limit`.
 */
export function boundedLevenshtein(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  if (a === b) return 0;
  const width = b.length + 1;
  let before = new Array<number>(width).fill(0);
  let previous = new Array<number>(width);
  let current = new Array<number>(width);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      ) {
        value = Math.min(value, (before[j - 2] ?? 0) + 1);
      }
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length] ?? limit + 1;
}

/** Edits allowed between two spellings of one word of this length. */
export function allowedEdits(length: number): number {
  return length >= 9 ? 2 : 1;
}

/** Whether two tokens may be compared by edit distance at all. */
export function fuzzyEligible(token: string): boolean {
  return token.length >= 5 && !/\d/.test(token) && !isKoreanSyllable(token);
}

/** Similarity of two tokens: 1 same spelling, 0.95 same variant key, ≤ 0.95 close spelling, else 0. */
export function tokenSimilarity(a: NameToken, b: NameToken, strict: boolean): number {
  if (a.raw === b.raw) return 1;
  if (a.numeric || b.numeric) return 0;
  if (a.key === b.key) return VARIANT_SIMILARITY;
  if (strict || !a.fuzzy || !b.fuzzy) return 0;
  const longest = Math.max(a.raw.length, b.raw.length);
  const limit = allowedEdits(longest);
  const distance = Math.min(boundedLevenshtein(a.raw, b.raw, limit), boundedLevenshtein(a.key, b.key, limit));
  if (distance > limit) return 0;
  const similarity = 1 - distance / longest;
  return similarity >= MIN_FUZZY_SIMILARITY ? similarity * FUZZY_DAMPING : 0;
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

/** A legal form present on one side only (Co., Ltd. added or dropped) costs half its weight. */
function owed(t: NameToken, sim: number): number {
  return sim || t.weight > LEGAL_WEIGHT ? t.weight : t.weight / 2;
}

function emptyComponents(rule: MatchRule): ScoreComponents {
  return {
    rule,
    listedCoverage: 0,
    queryCoverage: 0,
    exactTokens: 0,
    variantTokens: 0,
    joinedTokens: 0,
    fuzzyTokens: 0,
    numberFactor: 1,
    commonOnlyFactor: 1,
    orderFactor: 1,
  };
}

/**
 * Scores a normalised query against a listed name.
 * @example scoreName(normalizeName('Kim Jong-un'), comparable('KIM, Jong Un')).score // 1
 */
export function scoreName(
  query: NormalizedName,
  listed: ComparableName,
  /** per query token, fuzzy similarities already computed against listed spellings (reused across names) */
  memo?: Map<string, number>[],
): NameScore {
  if (listed.exactOnly) {
    const equal = exactKeyOf(query) === listed.exactKey;
    const components = emptyComponents('exact-only');
    if (equal) {
      components.listedCoverage = 1;
      components.queryCoverage = 1;
      components.exactTokens = query.tokens.length;
    }
    return { score: equal ? 1 : 0, components };
  }
  const q = query.tokens;
  const c = listed.norm.tokens;
  const components = emptyComponents('tokens');
  if (q.length === 0 || c.length === 0) return { score: 0, components };
  const qSim = new Array<number>(q.length).fill(0);
  const cSim = new Array<number>(c.length).fill(0);
  const qPartner = new Array<number>(q.length).fill(-1);

  // Pass 1: exact or variant one-to-one, best pairs first.
  const pairs: [number, number, number][] = [];
  for (let i = 0; i < q.length; i++) {
    for (let j = 0; j < c.length; j++) {
      const qi = q[i] as NameToken;
      const cj = c[j] as NameToken;
      if (qi.raw === cj.raw) pairs.push([1, i, j]);
      else if (!qi.numeric && !cj.numeric && qi.key === cj.key) pairs.push([VARIANT_SIMILARITY, i, j]);
    }
  }
  pairs.sort((x, y) => y[0] - x[0] || x[1] - y[1] || x[2] - y[2]);
  for (const [sim, i, j] of pairs) {
    if (qSim[i] || cSim[j]) continue;
    qSim[i] = sim;
    cSim[j] = sim;
    qPartner[i] = j;
    if (sim === 1) components.exactTokens++;
    else components.variantTokens++;
  }

  // Pass 2: one token against adjacent unmatched tokens written together, both ways.
  joinRuns(q, qSim, c, cSim, components);
  joinRuns(c, cSim, q, qSim, components);

  // Pass 3: fuzzy one-to-one among what is left.
  if (!listed.strict) {
    const fuzzy: [number, number, number][] = [];
    for (let i = 0; i < q.length; i++) {
      if (qSim[i]) continue;
      for (let j = 0; j < c.length; j++) {
        if (cSim[j]) continue;
        const qi = q[i] as NameToken;
        const cj = c[j] as NameToken;
        if (!qi.fuzzy || !cj.fuzzy || Math.abs(qi.raw.length - cj.raw.length) > 2) continue;
        let sim: number;
        const known = memo?.[i];
        if (known) {
          sim = known.get(cj.raw) ?? -1;
          if (sim < 0) {
            sim = tokenSimilarity(qi, cj, false);
            known.set(cj.raw, sim);
          }
        } else sim = tokenSimilarity(qi, cj, false);
        if (sim > 0) fuzzy.push([sim, i, j]);
      }
    }
    fuzzy.sort((x, y) => y[0] - x[0] || x[1] - y[1] || x[2] - y[2]);
    for (const [sim, i, j] of fuzzy) {
      if (qSim[i] || cSim[j]) continue;
      qSim[i] = sim;
      cSim[j] = sim;
      qPartner[i] = j;
      components.fuzzyTokens++;
    }
  }

  let qWeight = 0;
  let qMatched = 0;
  for (let i = 0; i < q.length; i++) {
    const t = q[i] as NameToken;
    qWeight += owed(t, qSim[i] ?? 0);
    qMatched += t.weight * (qSim[i] ?? 0);
  }
  let cWeight = 0;
  let cMatched = 0;
  let distinctiveListed = false;
  let distinctiveMatched = false;
  let numbersAgree = true;
  for (let j = 0; j < c.length; j++) {
    const t = c[j] as NameToken;
    cWeight += owed(t, cSim[j] ?? 0);
    cMatched += t.weight * (cSim[j] ?? 0);
    if (t.weight === 1) {
      distinctiveListed = true;
      if (cSim[j]) distinctiveMatched = true;
    }
    if (t.numeric && !cSim[j]) numbersAgree = false;
  }
  for (let i = 0; i < q.length; i++) if ((q[i] as NameToken).numeric && !qSim[i]) numbersAgree = false;

  components.listedCoverage = round(cMatched / cWeight);
  components.queryCoverage = round(qMatched / qWeight);
  if (!numbersAgree) components.numberFactor = PENALTY.numbers;
  if (distinctiveListed && !distinctiveMatched) components.commonOnlyFactor = PENALTY.commonOnly;
  let last = -1;
  for (const j of qPartner) {
    if (j < 0) continue;
    if (j < last) {
      components.orderFactor = PENALTY.order;
      break;
    }
    last = j;
  }
  const base = LISTED_SHARE * (cMatched / cWeight) + (1 - LISTED_SHARE) * (qMatched / qWeight);
  const score = base * components.numberFactor * components.commonOnlyFactor * components.orderFactor;
  return { score: round(score), components };
}

/** Matches each unmatched token of `a` against 2–3 adjacent unmatched tokens of `b` joined. */
function joinRuns(
  a: readonly NameToken[],
  aSim: number[],
  b: readonly NameToken[],
  bSim: number[],
  components: ScoreComponents,
): void {
  for (let i = 0; i < a.length; i++) {
    if (aSim[i]) continue;
    const token = a[i] as NameToken;
    if (token.raw.length < 3) continue;
    for (let count = 2; count <= 3 && !aSim[i]; count++) {
      for (let j = 0; j + count <= b.length; j++) {
        // The run must begin like the token (by spelling or by key) before anything is joined.
        const head = b[j] as NameToken;
        if (bSim[j] || head.raw.length >= token.raw.length) continue;
        if (
          token.raw.charCodeAt(0) !== head.raw.charCodeAt(0) &&
          token.key.charCodeAt(0) !== head.key.charCodeAt(0)
        )
          continue;
        if (!token.raw.startsWith(head.raw) && !token.key.startsWith(head.key)) continue;
        let free = true;
        let raw = '';
        for (let k = j; k < j + count; k++) {
          if (bSim[k]) free = false;
          raw += b[k]?.raw ?? '';
        }
        // Variant spellings change length by a few letters at most (CHEOL / CHOL).
        if (!free || Math.abs(raw.length - token.raw.length) > 3) continue;
        const sim = raw === token.raw ? 1 : joinedKey(b, j, count) === token.key ? VARIANT_SIMILARITY : 0;
        if (!sim) continue;
        aSim[i] = sim;
        for (let k = j; k < j + count; k++) bSim[k] = sim;
        components.joinedTokens++;
        break;
      }
    }
  }
}
