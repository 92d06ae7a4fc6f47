/**
 * The unit-conversion table caps need (`regimes/conversions/units.yaml`). It is not a regime file
 * (it carries no measures), so it has its own small schema. Caps are written in the units of their
 * instrument (USD, t, bbl); declarations arrive in kg, t, l or bbl, and barrels↔tonnes depends on
 * the product, as in the 1718 Committee's conversion chart [1718-RPP].
 */
import { z } from 'zod';

export const ProductConversionSchema = z.strictObject({
  /** the value a cap's `product` names, e.g. `refined-petroleum`, `crude-oil` */
  id: z.string().regex(/^[a-z0-9-]+$/),
  label: z.string(),
  barrels_per_tonne: z.number().positive(),
  /** where the factor comes from, in words */
  basis: z.string(),
  confirmed: z.boolean(),
});
export type ProductConversion = z.infer<typeof ProductConversionSchema>;

export const UnitFactorSchema = z.strictObject({
  /** a declaration's unit, lower case: `kg`, `t`, `l`, `bbl`, … */
  unit: z.string(),
  /** the base unit it converts to: `t` (mass) or `bbl` (volume) */
  base: z.enum(['t', 'bbl']),
  /** multiply a quantity in `unit` by this to get the base unit */
  factor: z.number().positive(),
});
export type UnitFactor = z.infer<typeof UnitFactorSchema>;

export const UnitsFileSchema = z.strictObject({
  title: z.string(),
  citations: z
    .array(
      z.strictObject({ source: z.string(), url: z.string().url().optional(), note: z.string().optional() }),
    )
    .min(1),
  units: z.array(UnitFactorSchema).min(1),
  products: z.array(ProductConversionSchema).default([]),
});
export type UnitsFile = z.infer<typeof UnitsFileSchema>;
