/**
 * `embargo screen` and its worker threads start without YAML or zod (docs/decisions.md S19): the
 * validated regime normally comes from the cache (S14), and loading those packages cost ~20 MB of
 * resident memory and ~0.1 s per isolate. The loader is imported only when the cache cannot serve.
 * Checked on the static import graph (dynamic imports are where loading is deferred to).
 */
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../config.js';

/** Packages reached from `entry` through static imports only. */
async function staticPackages(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, entry)],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outdir: join(PROJECT_ROOT, 'node_modules', '.cache', 'startup-imports-test'),
    logLevel: 'silent',
  });
  const inputs: Metafile['inputs'] = result.metafile.inputs;
  const packages = new Set<string>();
  const seen = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of inputs[file]?.imports ?? []) {
      if (i.kind !== 'import-statement') continue;
      if (i.external) {
        if (!i.path.startsWith('node:')) packages.add(i.path);
      } else walk(i.path);
    }
  };
  walk(entry);
  return [...packages].sort();
}

describe('start-up of embargo screen', () => {
  it('loads neither YAML nor zod statically, on the main thread or in a screening worker', async () => {
    const command = await staticPackages('src/cli/commands/screen.ts');
    expect(command).not.toContain('yaml');
    expect(command).not.toContain('zod');
    expect(await staticPackages('src/cli/screen-workers/screen-worker.ts')).toEqual([]);
  });
});
