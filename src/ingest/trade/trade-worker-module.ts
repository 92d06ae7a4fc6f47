/**
 * The module a trade reader worker runs. From the TypeScript sources, the worker and what it
 * imports are bundled into one ES module (esbuild, cached by content under
 * node_modules/.cache/embargo), as the screening workers are: a worker does not inherit the main
 * thread's tsx hooks, and registering tsx in a worker costs a hooks thread and about a second of
 * start-up. A built copy (.js) starts its worker directly.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export async function tradeWorkerModule(): Promise<URL> {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new URL('./trade-worker.js', self);
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: [fileURLToPath(new URL('./trade-worker.ts', self))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.contents;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const dir = join(PROJECT_ROOT, 'node_modules', '.cache', 'embargo');
  const file = join(dir, `trade-worker-${hash}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, code);
    renameSync(temp, file);
  }
  return pathToFileURL(file);
}
