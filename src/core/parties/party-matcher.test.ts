import { describe, expect, it } from 'vitest';
import { exactKeyOf, normalizeName } from './name-normalizer.js';
import {
  boundedLevenshtein,
  type ComparableName,
  DEFAULT_THRESHOLDS,
  isKoreanSyllable,
  scoreName,
  tokenSimilarity,
} from './party-matcher.js';

function listed(name: string, options: { exactOnly?: boolean; strict?: boolean } = {}): ComparableName {
  const norm = normalizeName(name);
  return {
    norm,
    exactKey: exactKeyOf(norm),
    exactOnly: options.exactOnly ?? false,
    strict: options.strict ?? false,
  };
}
const score = (query: string, name: string, options?: { exactOnly?: boolean; strict?: boolean }) =>
  scoreName(normalizeName(query), listed(name, options)).score;

describe('party name scoring', () => {
  it('scores every spelling of Kim Jong Un as a match against the OFAC entry', () => {
    for (const query of [
      'Kim Jong Un',
      'Kim Jong-un',
      'Kim Jongun',
      'KIM, Jong Un',
      '김정은',
      'Gim Jeong-eun',
      'Kim Jung Eun',
    ]) {
      expect(score(query, 'KIM, Jong Un'), query).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS.match);
    }
  });

  it('does not let the short syllable UN vanish or match anything: JONG MAN and YO JONG score far lower', () => {
    const self = score('KIM JONG UN', 'KIM JONG UN');
    expect(self).toBe(1);
    expect(score('KIM JONG UN', 'KIM JONG MAN')).toBeLessThan(DEFAULT_THRESHOLDS.review);
    expect(score('KIM JONG UN', 'KIM YO JONG')).toBeLessThan(DEFAULT_THRESHOLDS.review);
    expect(score('KIM JONG UN', 'KIM JONG')).toBeLessThan(DEFAULT_THRESHOLDS.match);
  });

  it('never matches one Korean syllable to another by edit distance (JONG is not YONG)', () => {
    expect(score('KIM JONG CHOL', 'KIM YONG CHOL')).toBeLessThan(DEFAULT_THRESHOLDS.review);
    expect(isKoreanSyllable('KYONG')).toBe(true);
    expect(isKoreanSyllable('RYONBONG')).toBe(false);
  });

  it('tolerates a typo in a long word', () => {
    expect(
      score('Korea Ryonbonk General Corporation', 'KOREA RYONBONG GENERAL CORPORATION'),
    ).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS.match);
  });

  it('lets company legal forms weigh less but keeps distinctive words decisive', () => {
    expect(score('Chongchongang Shipping', 'CHONGCHONGANG SHIPPING COMPANY')).toBeGreaterThanOrEqual(
      DEFAULT_THRESHOLDS.match,
    );
    expect(score('Korea Kumsan Trading Corporation', 'KOREA KUMRYONG TRADING CORPORATION')).toBeLessThan(
      DEFAULT_THRESHOLDS.review,
    );
    expect(score('Korea Trading Corporation', 'KOREA KUMRYONG TRADING CORPORATION')).toBeLessThan(
      DEFAULT_THRESHOLDS.review,
    );
  });

  it('requires numbers to agree: Vessel 1 is not Vessel 2', () => {
    expect(score('SAM JONG 1', 'SAM JONG 2', { strict: true })).toBeLessThan(DEFAULT_THRESHOLDS.review);
    expect(score('SAM JONG 2', 'SAM JONG 2', { strict: true })).toBe(1);
    expect(score('MI RIM', 'MI RIM 2', { strict: true })).toBeLessThan(DEFAULT_THRESHOLDS.review);
  });

  it('compares vessel names strictly: no fuzzy tokens', () => {
    expect(score('PATRIOX', 'PATRIOT', { strict: true })).toBe(0);
    expect(score('BAEK MA', 'PAEK MA', { strict: true })).toBeGreaterThanOrEqual(0.95);
    expect(score('PATRIOX', 'PATRIOT')).toBeGreaterThan(0);
  });

  it('matches weak aliases only exactly', () => {
    expect(score('KOMID', 'KOMID', { exactOnly: true })).toBe(1);
    expect(score('KOMID TRADING', 'KOMID', { exactOnly: true })).toBe(0);
    expect(score('KOMIT', 'KOMID', { exactOnly: true })).toBe(0);
  });

  it('joins run-together syllables both ways', () => {
    expect(score('CHONG CHON GANG', 'CHONGCHONGANG')).toBeGreaterThanOrEqual(0.95);
    expect(score('KIM JONGUN', 'KIM JONG UN')).toBe(1);
  });

  it('explains itself with components', () => {
    const { components } = scoreName(normalizeName('Kim Jong Eun'), listed('KIM, Jong Un'));
    expect(components).toMatchObject({ rule: 'tokens', exactTokens: 2, variantTokens: 1, fuzzyTokens: 0 });
    expect(components.listedCoverage).toBeGreaterThan(0.95);
  });

  it('penalises name order only slightly', () => {
    const swapped = score('Jong Un Kim', 'KIM JONG UN');
    expect(swapped).toBeLessThan(1);
    expect(swapped).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS.match);
  });

  it('computes bounded edit distance', () => {
    expect(boundedLevenshtein('KITTEN', 'SITTING', 3)).toBe(3);
    expect(boundedLevenshtein('KITTEN', 'SITTING', 1)).toBe(2);
    expect(tokenSimilarity(normalizeName('A1').tokens[0]!, normalizeName('A2').tokens[0]!, false)).toBe(0);
  });
});
