import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactKeyOf, normalizeName, normalizeText, tokensOf } from './name-normalizer.js';

describe('name normalisation', () => {
  it('writes every spelling of Kim Jong Un the same way except run-together syllables', () => {
    for (const name of ['Kim Jong Un', 'Kim Jong-un', 'KIM, Jong Un', 'kim  jong   un', 'KIM JONG-UN']) {
      expect(normalizeText(name)).toBe('KIM JONG UN');
    }
    expect(normalizeText('Kim Jongun')).toBe('KIM JONGUN');
  });

  it("drops McCune–Reischauer breves, aspiration apostrophes and the lists' O'", () => {
    expect(normalizeText('Ch’oe Ch’un-yo’ng')).toBe('CHOE CHUN YONG');
    expect(normalizeText("KO CH'O'L-CHAE")).toBe('KO CHOL CHAE');
    expect(normalizeText('P’yŏngyang Ch’ŏngnyŏn')).toBe('PYONGYANG CHONGNYON');
    expect(normalizeText('Hamhŭng')).toBe('HAMHUNG');
  });

  it('romanises Hangul and splits Hanzi into one token per character', () => {
    expect(normalizeText('김정은')).toBe('KIM JONG UN');
    expect(normalizeText('金铁三')).toBe('金 铁 三');
  });

  it('expands abbreviations and turns CJK legal forms into the English words', () => {
    expect(normalizeText('Korea Ryonbong Gen. Corp.')).toBe('KOREA RYONBONG GENERAL CORPORATION');
    expect(normalizeText('Chongchongang Shipping Co LTD')).toBe('CHONGCHONGANG SHIPPING COMPANY LIMITED');
    expect(normalizeText('Ryenha Machinery J/V Corp')).toBe('RYENHA MACHINERY JOINT VENTURE CORPORATION');
    expect(normalizeText('長安海連技術有限公司')).toBe('長 安 海 連 技 術 COMPANY LIMITED');
    expect(normalizeText('Chang An Shipping & Technology')).toBe('CHANG AN SHIPPING AND TECHNOLOGY');
  });

  it('weighs legal forms and common words less without deleting them', () => {
    const tokens = tokensOf(normalizeText('Korea Taesong Trading Company'));
    expect(tokens.map((t) => [t.raw, t.weight])).toEqual([
      ['KOREA', 0.5],
      ['TAESONG', 1],
      ['TRADING', 0.5],
      ['COMPANY', 0.25],
    ]);
  });

  it('marks tokens with digits so numbers must agree', () => {
    expect(normalizeName('SAM JONG 2').tokens.map((t) => t.numeric)).toEqual([false, false, true]);
  });

  it('gives one exact key to the same tokens in any order', () => {
    expect(exactKeyOf(normalizeName('Jong Un Kim'))).toBe(exactKeyOf(normalizeName('KIM, Jong-Un')));
  });

  it('is idempotent on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        const once = normalizeText(text);
        expect(normalizeText(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent on Korean, Chinese and accented names (property)', () => {
    const alphabet = [..."김정은리병철박최 金铁三有限公司 ŏŭéÉ’'-, ABCdef0123&/"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 30 }), (chars) => {
        const once = normalizeText(chars.join(''));
        expect(normalizeText(once)).toBe(once);
        expect(once).not.toMatch(/^\s|\s$|\s\s/);
      }),
      { numRuns: 2000 },
    );
  });
});
