/**
 * The analysts' arithmetic as plain functions over numbers. Every function returns `undefined`
 * rather than a misleading number when its inputs cannot give a meaningful answer (a zero base,
 * a missing quantity): an unreported figure is not zero.
 */

/**
 * Percentage change from `base` to `current`.
 * @example changePct(72.2, 116.6) // ≈ -38.08
 */
export function changePct(current: number, base: number): number | undefined {
  if (!Number.isFinite(current) || !Number.isFinite(base) || base === 0) return undefined;
  return ((current - base) / Math.abs(base)) * 100;
}

/**
 * The figure a year (or month) earlier implied by a level and the percentage change reported
 * with it. A reported "−22.35% to US$161.38 million" implies about US$207.83 million a year before.
 * @example impliedBase(161.38e6, -22.35) // ≈ 207.83e6
 */
export function impliedBase(current: number, pct: number): number | undefined {
  const factor = 1 + pct / 100;
  if (!Number.isFinite(current) || !Number.isFinite(pct) || factor <= 0) return undefined;
  return current / factor;
}

/**
 * The level implied by a base and a percentage change.
 * @example impliedCurrent(116.6e6, -38.2) // ≈ 72.06e6
 */
export function impliedCurrent(base: number, pct: number): number | undefined {
  if (!Number.isFinite(base) || !Number.isFinite(pct)) return undefined;
  return base * (1 + pct / 100);
}

/**
 * Annual rate of a figure covering `months` months: the founding document's "$1.597 billion
 * Jan–April ($4.791 annualized)".
 * @example annualise(1.597e9, 4) // 4.791e9
 */
export function annualise(total: number, months: number): number | undefined {
  if (!Number.isFinite(total) || !Number.isInteger(months) || months <= 0 || months > 12) return undefined;
  return (total * 12) / months;
}

/**
 * Trade balance from the reporter's point of view (positive = reporter surplus). China's
 * Jan–Apr 2016 exports of $862m and imports of $735m give a China surplus (DPRK deficit) of $127m.
 * @example tradeBalance(862e6, 735e6) // 127e6
 */
export function tradeBalance(exports: number, imports: number): number {
  return exports - imports;
}

/**
 * A part's share of a total in percent; undefined when the total is zero or the part exceeds it
 * (that is an inconsistency, reported by the consistency checks, not a share).
 * @example sharePct(74.7e6, 175.6e6) // ≈ 42.5
 */
export function sharePct(part: number, total: number): number | undefined {
  if (!Number.isFinite(part) || !Number.isFinite(total) || total <= 0 || part < 0 || part > total) {
    return undefined;
  }
  return (part / total) * 100;
}

/**
 * Value per unit of quantity; with quantities in kg or t the caller states the scale.
 * @example unitValue(88e6, 1.8e6) // ≈ 48.9 (US$ per tonne)
 */
export function unitValue(value: number, quantity: number): number | undefined {
  if (!Number.isFinite(value) || !Number.isFinite(quantity) || quantity <= 0) return undefined;
  return value / quantity;
}

/**
 * Sum of monthly figures when every month is present; otherwise the months missing, because a
 * year-to-date total with a hole in it is not a year-to-date total.
 * @example yearToDate([10, 20, undefined]) // { missing: [2] }
 */
export function yearToDate(
  months: readonly (number | undefined)[],
): { total: number; missing: [] } | { total: undefined; missing: number[] } {
  const missing: number[] = [];
  let total = 0;
  months.forEach((v, i) => {
    if (v === undefined || !Number.isFinite(v)) missing.push(i);
    else total += v;
  });
  return missing.length ? { total: undefined, missing } : { total, missing: [] };
}

export interface PriceVolumeSplit {
  /** current minus base value */
  valueChange: number;
  /** part of the change due to quantity, valued at the average unit value of both periods */
  volumeEffect: number;
  /** part of the change due to unit value, weighted by the average quantity of both periods */
  priceEffect: number;
  baseUnitValue: number;
  currentUnitValue: number;
  valueChangePct: number | undefined;
  volumeChangePct: number | undefined;
  unitValueChangePct: number | undefined;
}

/**
 * Splits a change in value into a volume effect and a price effect. The midpoint (Marshall–
 * Edgeworth) split is used because it is symmetric and the two effects add up to the value change
 * exactly, with no residual "interaction" term for a reader to puzzle over.
 * Returns undefined when either quantity is missing or not positive.
 * @example priceVolume({ value: 100, quantity: 10 }, { value: 90, quantity: 12 })
 *   // volumeEffect ≈ 17.5, priceEffect ≈ -27.5, valueChange -10
 */
export function priceVolume(
  base: { value: number; quantity: number },
  current: { value: number; quantity: number },
): PriceVolumeSplit | undefined {
  const p0 = unitValue(base.value, base.quantity);
  const p1 = unitValue(current.value, current.quantity);
  if (p0 === undefined || p1 === undefined) return undefined;
  const volumeEffect = ((current.quantity - base.quantity) * (p0 + p1)) / 2;
  const priceEffect = ((p1 - p0) * (base.quantity + current.quantity)) / 2;
  return {
    valueChange: current.value - base.value,
    volumeEffect,
    priceEffect,
    baseUnitValue: p0,
    currentUnitValue: p1,
    valueChangePct: changePct(current.value, base.value),
    volumeChangePct: changePct(current.quantity, base.quantity),
    unitValueChangePct: changePct(p1, p0),
  };
}

/** Relative difference of two figures against the larger magnitude (0 = identical). */
export function relativeDifference(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return scale === 0 ? 0 : Math.abs(a - b) / scale;
}
