/**
 * The party index: built once from any number of lists, then queried for every party of every
 * declaration. Candidate generation avoids scoring the whole list:
 * - postings from each token's variant key, and from the keys of 2–3 adjacent tokens written
 *   together (so `JONGUN` finds `JONG UN` and the reverse);
 * - a trigram index over the vocabulary of long tokens, for misspellings (edit distance verified);
 * - an exact map of sorted-token identities (weak aliases, acronyms);
 * - an IMO map for vessels.
 * Only distinctive tokens feed candidates when the query has any, so "COMPANY" or "KOREA" never
 * drag thousands of names into scoring.
 */
import type { ListVersion } from '../screening/party-check.js';
import { tokenWeight } from './company-names.js';
import { syllableKey } from './korean-syllables.js';
import {
  exactKeyOf,
  joinedKey,
  type NameToken,
  type NormalizedName,
  normalizeName,
} from './name-normalizer.js';
import {
  allowedEdits,
  boundedLevenshtein,
  type ComparableName,
  DEFAULT_THRESHOLDS,
  fuzzyEligible,
  isKoreanSyllable,
  type MatchThresholds,
  type ScoreComponents,
  scoreName,
} from './party-matcher.js';
import type { NameKind, PartyAction, PartyEntity, PartyList, PartyType } from './party-model.js';
import { primaryName } from './party-model.js';

export const HIT_STATUSES = ['match', 'review'] as const;
export type HitStatus = (typeof HIT_STATUSES)[number];

/** A hit explains itself: which list entry, which of its names, both normalised forms, the score. */
export interface PartyHit {
  list: ListVersion;
  entityId: string;
  reference: string;
  type: PartyType;
  primaryName: string;
  programs: string[];
  listedOn?: string;
  action: PartyAction;
  matched: {
    name: string;
    kind: NameKind;
    from?: string;
    to?: string;
    normalized: string;
  };
  query: { text: string; normalized: string };
  score: number;
  /** `match` at or above the match threshold, `review` between review and match */
  status: HitStatus;
  components: ScoreComponents;
}

export interface SearchOptions {
  type?: PartyType;
  /** lowest score returned; defaults to the review threshold */
  threshold?: number;
  /** most hits returned (one per list entry); default 10 */
  limit?: number;
}

interface IndexedName extends ComparableName {
  entity: number;
  name: number;
}

interface IndexedEntity {
  entity: PartyEntity;
  list: ListVersion;
}

/** Most names scored per query (by evidence: shared keys, joined keys, close spellings). */
const MAX_CANDIDATES = 200;
/** Postings above this many names make a key common (see candidates). */
const COMMON_KEY_POSTINGS = 1500;
/** Share of the best candidate's evidence a name needs to be scored at all. */
const EVIDENCE_SHARE = 0.5;

function push(map: Map<string, number[]>, key: string, id: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [id]);
  else if (list[list.length - 1] !== id) list.push(id);
}

function rare(ids: readonly number[] | undefined): boolean {
  return !ids || ids.length <= COMMON_KEY_POSTINGS;
}

function syllableRun(tokens: readonly NameToken[], from: number, count: number): boolean {
  for (let i = from; i < from + count; i++) {
    const raw = tokens[i]?.raw ?? '';
    if (raw.length > 4 && !isKoreanSyllable(raw)) return false;
  }
  return true;
}

function trigrams(token: string): string[] {
  const grams: string[] = [];
  for (let i = 0; i + 3 <= token.length; i++) grams.push(token.slice(i, i + 3));
  return grams;
}

/** Normalises an IMO number: digits only, 7 of them; anything else is not an IMO number. */
export function normalizeImo(value: string): string | undefined {
  const digits = value.replace(/^\s*IMO[\s:.-]*/i, '').replace(/[\s-]/g, '');
  return /^\d{7}$/.test(digits) ? digits : undefined;
}

export class PartyIndex {
  readonly lists: readonly ListVersion[];
  readonly thresholds: Readonly<MatchThresholds>;
  private readonly entities: IndexedEntity[] = [];
  private readonly names: IndexedName[] = [];
  private readonly postings = new Map<string, number[]>();
  private readonly exact = new Map<string, number[]>();
  private readonly imo = new Map<string, number[]>();
  /** first indexed name of each entity (IMO hits point at it) */
  private readonly firstName = new Map<number, number>();
  private readonly vocabulary: string[] = [];
  private readonly vocabularyIds = new Map<string, number>();
  private readonly trigramIndex = new Map<string, number[]>();

  constructor(lists: readonly PartyList[], thresholds: MatchThresholds = DEFAULT_THRESHOLDS) {
    if (!(thresholds.review > 0 && thresholds.review <= thresholds.match && thresholds.match <= 1)) {
      throw new RangeError(
        `thresholds must satisfy 0 < review <= match <= 1 (got review ${thresholds.review}, match ${thresholds.match})`,
      );
    }
    this.thresholds = Object.freeze({ ...thresholds });
    this.lists = lists.map((l) => l.version);
    for (const list of lists) for (const entity of list.entities) this.addEntity(entity, list.version);
  }

  get size(): { entities: number; names: number; keys: number } {
    return { entities: this.entities.length, names: this.names.length, keys: this.postings.size };
  }

  private addEntity(entity: PartyEntity, list: ListVersion): void {
    const entityId = this.entities.length;
    this.entities.push({ entity, list });
    if (entity.imo) {
      const imo = normalizeImo(entity.imo);
      if (imo) push(this.imo, imo, entityId);
    }
    entity.names.forEach((name, nameIndex) => {
      const norm = normalizeName(name.name);
      if (norm.tokens.length === 0) return;
      const id = this.names.length;
      if (!this.firstName.has(entityId)) this.firstName.set(entityId, id);
      const single = norm.tokens.length === 1 ? (norm.tokens[0]?.raw ?? '') : '';
      // A bare acronym (KKBC, RGB, MID) is as unsafe to match loosely as a weak alias.
      const exactOnly = name.kind === 'weak-alias' || (single.length > 0 && single.length <= 5);
      const indexed: IndexedName = {
        entity: entityId,
        name: nameIndex,
        norm,
        exactKey: exactKeyOf(norm),
        exactOnly,
        strict: entity.type === 'vessel',
      };
      this.names.push(indexed);
      push(this.exact, indexed.exactKey, id);
      if (exactOnly) return;
      const tokens = norm.tokens;
      for (let i = 0; i < tokens.length; i++) {
        const token = tokens[i];
        if (!token) continue;
        push(this.postings, token.key, id);
        // Written-together runs are a habit of romanised syllables (JONG UN ~ JONGUN); indexing
        // runs of long words too would double the build time for no match.
        for (let count = 2; count <= 3 && i + count <= tokens.length; count++) {
          if (!syllableRun(tokens, i, count)) break;
          push(this.postings, joinedKey(tokens, i, count), id);
        }
        if (fuzzyEligible(token.raw) && !this.vocabularyIds.has(token.raw)) {
          const vocabId = this.vocabulary.length;
          this.vocabulary.push(token.raw);
          this.vocabularyIds.set(token.raw, vocabId);
          for (const gram of new Set(trigrams(token.raw))) push(this.trigramIndex, gram, vocabId);
        }
      }
    });
  }

  /**
   * Scratch counters reused by every query (the index is queried from one thread): typed arrays
   * with a list of touched slots instead of a Map per query, so screening makes little garbage.
   */
  private evidence = new Float64Array(0);
  private evidenceTouched: number[] = [];
  private trigramHits = new Uint16Array(0);
  private trigramTouched: number[] = [];
  /** set by `candidates` when a query word was a near-miss of a common word (DEVELOPMNT) */
  private nearCommonWord = false;

  /** Inverse document frequency, 1 for a key every name has: rare shared keys are better evidence. */
  private rarity(ids: readonly number[] | undefined): number {
    return 1 + Math.log10(this.names.length / Math.max(1, ids?.length ?? 1));
  }

  /** Adds evidence to every name of a postings list (a bound method: no closure per query). */
  private readonly addEvidence = (ids: readonly number[] | undefined, weight: number): void => {
    if (!ids) return;
    const evidence = this.evidence;
    for (const id of ids) {
      if (evidence[id] === 0) this.evidenceTouched.push(id);
      evidence[id] = (evidence[id] ?? 0) + weight;
    }
  };

  /** Candidate name ids for a normalised query, each with a rough evidence count. */
  private candidates(query: NormalizedName, inclusive = false): [number, number][] {
    if (this.evidence.length < this.names.length) this.evidence = new Float64Array(this.names.length);
    const evidence = this.evidence;
    const touched = this.evidenceTouched;
    const add = this.addEvidence;
    add(this.exact.get(exactKeyOf(query)), 10);
    const tokens = query.tokens;
    const hasDistinctive = !inclusive && tokens.some((t) => t.weight === 1);
    // A key shared by thousands of names (COMPANY, KOREA, a misspelt SHIPPING) says little and
    // costs much; it only feeds candidates when the query has nothing rarer.
    const rareTokens = tokens.filter((t) => t.weight === 1 && rare(this.postings.get(t.key))).length;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      if (!token) continue;
      if (hasDistinctive && token.weight < 1) continue;
      const postings = this.postings.get(token.key);
      if (rare(postings) || rareTokens === 0) add(postings, token.weight * this.rarity(postings));
      for (let count = 2; count <= 3 && i + count <= tokens.length; count++) {
        const joined = this.postings.get(joinedKey(tokens, i, count));
        add(joined, this.rarity(joined));
      }
      if (fuzzyEligible(token.raw)) {
        for (const vocabId of this.similarVocabulary(token.raw)) {
          const word = this.vocabulary[vocabId];
          if (!word) continue;
          if (!inclusive && tokenWeight(word) < 1) {
            this.nearCommonWord = true;
            continue;
          }
          const similar = this.postings.get(syllableKey(word));
          if (rare(similar) || tokens.length === 1) add(similar, 0.8 * this.rarity(similar));
        }
      }
    }
    const out: [number, number][] = touched.map((id) => [id, evidence[id] ?? 0]);
    for (const id of touched) evidence[id] = 0;
    touched.length = 0;
    return out;
  }

  /** Vocabulary words within the allowed edit distance, found through shared trigrams. */
  private similarVocabulary(word: string): number[] {
    const grams = [...new Set(trigrams(word))];
    const limit = allowedEdits(word.length);
    // q-gram lemma: an edit destroys at most 3 trigrams, a transposition 4.
    const needed = Math.max(1, grams.length - 4 * limit);
    if (this.trigramHits.length < this.vocabulary.length)
      this.trigramHits = new Uint16Array(this.vocabulary.length);
    const hits = this.trigramHits;
    const touched = this.trigramTouched;
    for (const gram of grams) {
      for (const id of this.trigramIndex.get(gram) ?? []) {
        if (hits[id] === 0) touched.push(id);
        hits[id] = (hits[id] ?? 0) + 1;
      }
    }
    const out: number[] = [];
    for (const id of touched) {
      const count = hits[id] ?? 0;
      hits[id] = 0;
      if (count < needed) continue;
      const candidate = this.vocabulary[id] ?? '';
      if (candidate === word) continue;
      const candidateLimit = allowedEdits(Math.max(candidate.length, word.length));
      if (boundedLevenshtein(word, candidate, candidateLimit) <= candidateLimit) out.push(id);
    }
    touched.length = 0;
    return out;
  }

  /**
   * Finds listed parties whose names resemble `text`, best first, one hit per list entry.
   * @example index.search('Kim Jong-un')[0]?.matched.name // 'KIM, Jong Un'
   */
  search(text: string, options: SearchOptions = {}): PartyHit[] {
    const query = normalizeName(text);
    if (query.tokens.length === 0) return [];
    const threshold = options.threshold ?? this.thresholds.review;
    const limit = options.limit ?? 10;
    this.nearCommonWord = false;
    let candidates = this.candidates(query);
    // Nothing shares a distinctive word, and one of them is a misspelt common word (DEVELOPMNT):
    // look again with every word.
    if (candidates.length === 0 && this.nearCommonWord) candidates = this.candidates(query, true);
    // Names with less than half the best evidence share too few query words to reach the review
    // band; dropping them keeps scoring to a handful of names even for "KIM" or "U".
    let most = 0;
    for (const [, evidence] of candidates) if (evidence > most) most = evidence;
    candidates = candidates.filter(([, evidence]) => evidence >= most * EVIDENCE_SHARE);
    if (candidates.length > MAX_CANDIDATES) {
      candidates.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      candidates = candidates.slice(0, MAX_CANDIDATES);
    }
    const best = new Map<number, { nameId: number; score: number; components: ScoreComponents }>();
    const memo = query.tokens.map(() => new Map<string, number>());
    for (const [nameId] of candidates) {
      const name = this.names[nameId];
      if (!name) continue;
      const owner = this.entities[name.entity];
      if (!owner || (options.type && owner.entity.type !== options.type)) continue;
      const { score, components } = scoreName(query, name, memo);
      if (score < threshold) continue;
      const previous = best.get(name.entity);
      // On a tie, the name written exactly as queried explains the hit best (리병철 over Ri Pyong Chol).
      if (
        !previous ||
        score > previous.score ||
        (score === previous.score &&
          this.nameText(nameId) === text.trim() &&
          this.nameText(previous.nameId) !== text.trim())
      ) {
        best.set(name.entity, { nameId, score, components });
      }
    }
    const hits = [...best.values()].map((b) => this.hit(b.nameId, b.score, b.components, text, query.text));
    hits.sort(compareHits);
    return hits.slice(0, limit);
  }

  private nameText(nameId: number): string {
    const name = this.names[nameId];
    if (!name) return '';
    return this.entities[name.entity]?.entity.names[name.name]?.name ?? '';
  }

  /** Vessels (and companies) carrying this IMO number: an IMO match is decisive (score 1). */
  searchImo(value: string): PartyHit[] {
    const imo = normalizeImo(value);
    if (!imo) return [];
    const hits: PartyHit[] = [];
    for (const entityId of this.imo.get(imo) ?? []) {
      const nameId = this.firstName.get(entityId);
      if (nameId === undefined) continue;
      const components: ScoreComponents = {
        rule: 'imo',
        listedCoverage: 1,
        queryCoverage: 1,
        exactTokens: 0,
        variantTokens: 0,
        joinedTokens: 0,
        fuzzyTokens: 0,
        numberFactor: 1,
        commonOnlyFactor: 1,
        orderFactor: 1,
      };
      const hit = this.hit(nameId, 1, components, value, imo);
      hit.matched = { ...hit.matched, name: `IMO ${imo}`, normalized: imo };
      hits.push(hit);
    }
    return hits.sort(compareHits);
  }

  private hit(
    nameId: number,
    score: number,
    components: ScoreComponents,
    text: string,
    normalized: string,
  ): PartyHit {
    const name = this.names[nameId] as IndexedName;
    const { entity, list } = this.entities[name.entity] as IndexedEntity;
    const listed = entity.names[name.name];
    return {
      list,
      entityId: entity.id,
      reference: entity.reference,
      type: entity.type,
      primaryName: primaryName(entity),
      programs: entity.programs,
      ...(entity.listedOn ? { listedOn: entity.listedOn } : {}),
      action: entity.action ?? 'designated',
      matched: {
        name: listed?.name ?? '',
        kind: listed?.kind ?? 'primary',
        ...(listed?.from ? { from: listed.from } : {}),
        ...(listed?.to ? { to: listed.to } : {}),
        normalized: name.norm.text,
      },
      query: { text, normalized },
      score,
      status: score >= this.thresholds.match ? 'match' : 'review',
      components,
    };
  }

  /** Every entry of the loaded lists with this reference or id (e.g. `KPe.001`, `OFAC-9345`). */
  findReference(reference: string): { entity: PartyEntity; list: ListVersion }[] {
    const wanted = reference.trim().toLowerCase();
    return this.entities
      .filter((e) => e.entity.reference.toLowerCase() === wanted || e.entity.id.toLowerCase() === wanted)
      .map((e) => ({ entity: e.entity, list: e.list }));
  }
}

function compareHits(a: PartyHit, b: PartyHit): number {
  return (
    b.score - a.score ||
    a.list.id.localeCompare(b.list.id) ||
    a.entityId.localeCompare(b.entityId, 'en', { numeric: true })
  );
}

/**
 * Builds the index once; reuse it for every declaration.
 * @example buildPartyIndex([defaultList]).search('리병철')
 */
export function buildPartyIndex(lists: readonly PartyList[], thresholds?: MatchThresholds): PartyIndex {
  return new PartyIndex(lists, thresholds);
}
