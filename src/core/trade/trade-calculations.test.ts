import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  annualise,
  changePct,
  impliedBase,
  impliedCurrent,
  priceVolume,
  sharePct,
  tradeBalance,
  unitValue,
  yearToDate,
} from './trade-calculations.js';

describe("the founding document's own arithmetic", () => {
  it('annualises Jan–Apr 2016 bilateral trade of about US$1.597 bn to about US$4.791 bn', () => {
    expect(annualise(1.597e9, 4)).toBeCloseTo(4.791e9, -6);
  });

  it('puts a Jan–Apr deficit of about US$127 m at about US$381 m a year', () => {
    const deficit = tradeBalance(862e6, 735e6);
    expect(deficit).toBe(127e6);
    expect(annualise(deficit, 4)).toBeCloseTo(381e6, -5);
  });

  it('finds the coal decline from US$116.6 m to US$72.2 m to be about −38%', () => {
    const pct = changePct(72.2e6, 116.6e6);
    expect(pct).toBeCloseTo(-38.08, 2);
    expect(Math.round(pct ?? 0)).toBe(-38);
  });

  it('implies the April 2015 base of a reported "−22.35% to US$161.38 million"', () => {
    expect(impliedBase(161.38e6, -22.35)).toBeCloseTo(207.83e6, -4);
  });

  it('implies May 2015 imports of about US$200.9 m from "−12.59% to US$175.6 m", as Yonhap printed', () => {
    expect(impliedBase(175.6e6, -12.59)).toBeCloseTo(200.9e6, -5);
  });
});

describe('trade calculations', () => {
  it('gives no change, share or unit value against a zero or missing base', () => {
    expect(changePct(5, 0)).toBeUndefined();
    expect(sharePct(1, 0)).toBeUndefined();
    expect(sharePct(2, 1)).toBeUndefined();
    expect(unitValue(5, 0)).toBeUndefined();
    expect(annualise(5, 0)).toBeUndefined();
    expect(annualise(5, 13)).toBeUndefined();
    expect(impliedBase(5, -100)).toBeUndefined();
  });

  it('refuses a year-to-date total with a missing month and names the month', () => {
    expect(yearToDate([1, 2, 3])).toEqual({ total: 6, missing: [] });
    expect(yearToDate([1, undefined, 3])).toEqual({ total: undefined, missing: [1] });
  });

  it('splits a fall in coal value into falling prices and rising volume', () => {
    const split = priceVolume({ value: 100, quantity: 10 }, { value: 90, quantity: 12 });
    expect(split?.valueChange).toBe(-10);
    expect(split?.volumeEffect).toBeCloseTo(17.5);
    expect(split?.priceEffect).toBeCloseTo(-27.5);
    expect(priceVolume({ value: 1, quantity: 0 }, { value: 1, quantity: 1 })).toBeUndefined();
  });

  const positive = fc.double({ min: 1e-3, max: 1e12, noNaN: true });
  const pct = fc.double({ min: -99, max: 1000, noNaN: true });

  it('price and volume effects always add up to the value change', () => {
    fc.assert(
      fc.property(positive, positive, positive, positive, (v0, q0, v1, q1) => {
        const s = priceVolume({ value: v0, quantity: q0 }, { value: v1, quantity: q1 });
        expect(s).toBeDefined();
        const sum = (s?.priceEffect ?? 0) + (s?.volumeEffect ?? 0);
        const scale = Math.max(v0, v1, Math.abs(s?.priceEffect ?? 0), Math.abs(s?.volumeEffect ?? 0));
        expect(Math.abs(sum - (v1 - v0))).toBeLessThanOrEqual(1e-9 * scale);
      }),
    );
  });

  it('implied base and implied current are inverse of each other and of changePct', () => {
    fc.assert(
      fc.property(positive, pct, (level, p) => {
        const base = impliedBase(level, p);
        expect(base).toBeDefined();
        expect((impliedCurrent(base ?? 0, p) ?? 0) / level).toBeCloseTo(1, 9);
        expect(changePct(level, base ?? 1)).toBeCloseTo(p, 6);
      }),
    );
  });

  it('annualising a whole year changes nothing', () => {
    fc.assert(
      fc.property(positive, (v) => {
        expect((annualise(v, 12) ?? 0) / v).toBeCloseTo(1, 12);
      }),
    );
  });

  it('a share is always between 0 and 100 when defined', () => {
    fc.assert(
      fc.property(fc.double({ min: -10, max: 1e9, noNaN: true }), positive, (part, total) => {
        const s = sharePct(part, total);
        if (s !== undefined) expect(s >= 0 && s <= 100).toBe(true);
      }),
    );
  });
});
