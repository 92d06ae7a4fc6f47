/**
 * The validated-regime cache of `embargo screen` (docs/decisions.md S13): a cached regime equals the
 * freshly loaded one (plain data, frozen, measures sharing their instrument objects), is keyed by
 * the files' contents, and never hides a file that changed or no longer validates.
 */
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DEFAULT_REGIME_DIR, loadRegime } from '../../ingest/regime-loader.js';
import { loadRegimeCached } from '../commands/screen.js';

describe('loadRegimeCached', () => {
  it('returns the validated regime from the cache, equal to the loaded one, and reloads files that changed', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'embargo-regime-cache-'));
    const dir = join(cache, 'regimes');
    cpSync(DEFAULT_REGIME_DIR, dir, { recursive: true });
    const fresh = loadRegime(dir);

    const first = await loadRegimeCached(dir, cache);
    expect(isDeepStrictEqual(first, fresh)).toBe(true);
    const files = readdirSync(cache).filter((f) => f.startsWith('regime-'));
    expect(files).toHaveLength(1);

    const second = await loadRegimeCached(dir, cache);
    expect(second).not.toBe(first);
    expect(isDeepStrictEqual(second, fresh)).toBe(true);
    expect(Object.isFrozen(second) && Object.isFrozen(second.measures[0]!.measure)).toBe(true);
    for (const m of second.measures) expect(second.instruments).toContain(m.instrument);

    // it is the cache that answers: a marked cache file comes back as is
    const path = join(cache, files[0]!);
    const marked = JSON.parse(readFileSync(path, 'utf8'));
    marked.version = 'sha256:from-cache';
    writeFileSync(path, JSON.stringify(marked));
    expect((await loadRegimeCached(dir, cache)).version).toBe('sha256:from-cache');

    // a changed file is loaded and validated again, under a new key
    const yaml = readdirSync(dir).find((f) => f.endsWith('.yaml'))!;
    appendFileSync(join(dir, yaml), '\n# a comment changes the version\n');
    const changed = await loadRegimeCached(dir, cache);
    expect(changed.version).toBe(loadRegime(dir).version);
    expect(changed.version).not.toBe(fresh.version);
    expect(readdirSync(cache).filter((f) => f.startsWith('regime-'))).toHaveLength(2);

    // a file that no longer validates fails as the loader fails, whatever was cached before
    appendFileSync(join(dir, yaml), 'measures: [not: valid\n');
    expect(() => loadRegime(dir)).toThrow();
    await expect(loadRegimeCached(dir, cache)).rejects.toThrow();
    // without a cache directory (the sources under tsx) it is the loader itself
    expect(isDeepStrictEqual(await loadRegimeCached(DEFAULT_REGIME_DIR, undefined), loadRegime())).toBe(true);
  });
});
