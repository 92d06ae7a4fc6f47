/**
 * The jurisdictions a regime speaks for, apart from the regime file schema (measure-schema.ts) so
 * that modules needing only this list (the compiler, `embargo screen`, its worker threads) do not
 * load zod: ~220 modules and ~14 MB per isolate (docs/decisions.md S19).
 */
export const JURISDICTIONS = ['UN', 'CN'] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];
