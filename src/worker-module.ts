/**
 * The module a worker thread runs (screening, store writer, trade reader). From the TypeScript
 * sources, the worker and what it imports are bundled into one ES module (esbuild) cached under
 * node_modules/.cache/embargo: a worker does not inherit the main thread's tsx hooks, and
 * registering tsx in a worker costs a hooks thread and about a second of start-up. A manifest beside the bundle
 * records the size and modification time of every source file the bundle was built from, so a
 * start with unchanged sources takes the cached bundle without running esbuild (about 50–100 ms of
 * a child process on the machine's cores). A built copy (.js) starts its worker directly.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));
const CACHE = join(PROJECT_ROOT, 'node_modules', '.cache', 'embargo');

interface Manifest {
  file: string;
  /** source path (relative to the project root) → `size:mtimeMs` */
  inputs: Record<string, string>;
}

function signature(relative: string): string | undefined {
  try {
    const s = statSync(join(PROJECT_ROOT, relative));
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return undefined;
  }
}

function cached(manifest: string): URL | undefined {
  try {
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as Manifest;
    const file = join(CACHE, m.file);
    if (!existsSync(file)) return undefined;
    for (const [path, sig] of Object.entries(m.inputs)) if (signature(path) !== sig) return undefined;
    return pathToFileURL(file);
  } catch {
    return undefined;
  }
}

function writeAtomically(path: string, content: string | Uint8Array): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, path);
}

/**
 * The module of the worker `relative` (without extension) beside the caller (`from`: its
 * import.meta.url); `name` names its bundle and manifest in the cache.
 */
export async function workerModule(from: string, relative: string, name: string): Promise<URL> {
  if (!from.endsWith('.ts')) return new URL(`${relative}.js`, from);
  const entry = new URL(`${relative}.ts`, from);
  const manifest = join(CACHE, `${name}.json`);
  const hit = cached(manifest);
  if (hit) return hit;
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: [fileURLToPath(entry)],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.contents;
  const bundle = `${name}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`;
  mkdirSync(CACHE, { recursive: true });
  const file = join(CACHE, bundle);
  if (!existsSync(file)) writeAtomically(file, code);
  const inputs: Record<string, string> = {};
  for (const path of Object.keys(out.metafile.inputs)) {
    const sig = signature(path);
    if (sig) inputs[path] = sig;
  }
  writeAtomically(manifest, JSON.stringify({ file: bundle, inputs } satisfies Manifest));
  removeStale(name, bundle);
  return pathToFileURL(file);
}

/** Bundles built from older sources, not used for ten minutes (a process may still be starting one). */
function removeStale(name: string, current: string): void {
  const before = Date.now() - 10 * 60 * 1000;
  for (const file of readdirSync(CACHE)) {
    if (file === current || !isBundleOf(name, file)) continue;
    try {
      const path = join(CACHE, file);
      if (statSync(path).mtimeMs < before) rmSync(path, { force: true });
    } catch {
      // another process removed it first
    }
  }
}

function isBundleOf(name: string, file: string): boolean {
  return file.startsWith(`${name}-`) && /^[0-9a-f]{16}\.mjs$/.test(file.slice(name.length + 1));
}
