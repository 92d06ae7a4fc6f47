/**
 * The shipped regime as a Screener, for re-screening inside the store (attaching a document to a
 * case). Loaded and compiled once per process.
 */
import { compileRegime } from '../core/regime/compile.js';
import type { Jurisdiction } from '../core/regime/measure-schema.js';
import type { PartyCheck } from '../core/screening/party-check.js';
import { screenDeclaration } from '../core/screening/screen.js';
import { loadRegime } from '../ingest/regime-loader.js';
import type { Screener } from './screening-service.js';

const compiled = new Map<string, ReturnType<typeof compileRegime>>();

export function regimeScreener(options: {
  jurisdiction: Jurisdiction;
  regimeDir?: string;
  asOf?: string;
  /** party screening, as `embargo screen` does it (without it, party reasons are not re-checked) */
  parties?: PartyCheck;
}): Screener {
  const key = options.regimeDir ?? '';
  let regime = compiled.get(key);
  if (!regime) {
    regime = compileRegime(options.regimeDir ? loadRegime(options.regimeDir) : loadRegime());
    compiled.set(key, regime);
  }
  const ready = regime;
  return {
    screen: (declaration) =>
      screenDeclaration(ready, declaration, {
        jurisdiction: options.jurisdiction,
        asOf: options.asOf,
        parties: options.parties,
      }),
  };
}
