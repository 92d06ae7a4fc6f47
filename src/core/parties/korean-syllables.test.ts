import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hangulSyllableTable,
  romanizeHangul,
  romanizeSyllable,
  SYLLABLE_VARIANT_GROUPS,
  syllableKey,
} from './korean-syllables.js';

describe('Hangul romanisation, list style', () => {
  it('romanises the issue names as the lists spell them', () => {
    expect(romanizeHangul('김정은')).toBe('KIM JONG UN');
    expect(romanizeHangul('리병철')).toBe('RI PYONG CHOL');
    expect(romanizeHangul('김여정')).toBe('KIM YO JONG');
    expect(romanizeHangul('최룡해')).toBe('CHOE RYONG HAE');
    expect(romanizeHangul('애국복합미생물센터')).toBe('AE KUK POK HAP MI SAENG MUL SEN TO');
  });

  it('covers all 11,172 precomposed syllables with plain upper-case letters', () => {
    const table = hangulSyllableTable();
    expect(table).toHaveLength(11_172);
    for (const roman of table) expect(roman).toMatch(/^[A-Z]+$/);
  });

  it('romanises compound vowels and finals', () => {
    expect(romanizeSyllable('괜')).toBe('KWAEN');
    expect(romanizeSyllable('값')).toBe('KAP');
    expect(romanizeSyllable('의')).toBe('UI');
    expect(romanizeSyllable('A')).toBeUndefined();
  });

  it('keeps non-Hangul characters and separates syllables by spaces', () => {
    expect(romanizeHangul('제810군부대')).toBe('JE 810 KUN PU TAE');
  });
});

describe('syllable variant keys', () => {
  it('folds every spelling group of the issue to one key', () => {
    for (const group of SYLLABLE_VARIANT_GROUPS) {
      const keys = new Set(group.map(syllableKey));
      expect(keys.size, group.join('/')).toBe(1);
    }
  });

  it('keeps different groups apart (UN, MAN, YO, JONG stay different syllables)', () => {
    const keys = SYLLABLE_VARIANT_GROUPS.map((g) => syllableKey(g[0] as string));
    expect(new Set(keys).size).toBe(keys.length);
    expect(syllableKey('UN')).not.toBe(syllableKey('MAN'));
    expect(syllableKey('YU')).not.toBe(syllableKey('YO'));
    expect(syllableKey('SIK')).not.toBe(syllableKey('SOK'));
  });

  it('is idempotent on any upper-case word', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z]{1,12}$/), (word) => {
        expect(syllableKey(syllableKey(word))).toBe(syllableKey(word));
      }),
    );
  });
});
