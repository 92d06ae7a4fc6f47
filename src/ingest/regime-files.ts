/**
 * Where the shipped regime lives and which files of a regime directory the loader reads besides
 * its YAML measures, apart from the loader (regime-loader.ts) so that `embargo screen`, whose
 * regime usually comes from the validated cache, loads YAML and zod only when it has to validate
 * (docs/decisions.md S19).
 */
import { join } from 'node:path';

/** `<repo>/regimes`: the regime embargo ships. */
export const DEFAULT_REGIME_DIR = new URL('../../regimes', import.meta.url).pathname;
/** Relative to a regime directory: the unit-conversion table caps use. */
export const UNITS_FILE = join('conversions', 'units.yaml');
