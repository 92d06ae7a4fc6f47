/**
 * The CLI as plain JavaScript: the TypeScript sources under src/ bundled by esbuild (one module per
 * command, loaded lazily as the sources load them) and cached under node_modules/.cache/embargo,
 * keyed by a hash of the sources' contents and location. A start then costs a hash of the sources (~5 ms) instead
 * of tsx transpiling every module it loads (~1 s), and no tsx loader thread is running beside the
 * command. Works from a fresh clone after `npm ci` (the first start builds, ~0.3 s); any edit to a
 * source file makes the next start build again.
 *
 * Each module keeps its own `import.meta.url` (the source file's URL, replaced at build time), so
 * paths resolved against it (regimes/, lists/, worker modules) are those of the sources.
 *
 * Returns undefined when the bundle cannot be built (a syntax error mid-edit, esbuild missing): the
 * caller then runs the sources through tsx, which reports the problem as before.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');
const CACHE = join(ROOT, 'node_modules', '.cache', 'embargo');
/** bundles older than this that are not the current one are removed */
const KEEP_MS = 10 * 60 * 1000;

/** Files a bundle may include (modules and JSON; tests, benchmarks and fixtures never are). */
function sources(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sources(path, out);
    else if (
      /\.(ts|js|mjs|json)$/.test(entry.name) &&
      !entry.name.endsWith('.test.ts') &&
      !entry.name.endsWith('.bench.ts') &&
      !entry.name.endsWith('.fixtures.ts')
    )
      out.push(path);
  }
  return out;
}

function sourceHash() {
  const hash = createHash('sha256');
  // the bundle holds the sources' absolute URLs: a checkout moved elsewhere builds its own
  hash.update(ROOT);
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  hash.update(readFileSync(join(ROOT, 'package-lock.json')));
  for (const file of sources(SRC).sort()) {
    hash.update(file);
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

async function build(dir) {
  const { build } = await import('esbuild');
  const temp = `${dir}.${process.pid}.tmp`;
  rmSync(temp, { recursive: true, force: true });
  await build({
    // the screening worker too: the parallel path then starts it from here, without loading
    // esbuild into the command (~16 MB) to bundle it at run time
    entryPoints: {
      main: join(SRC, 'cli', 'main.ts'),
      'screen-worker': join(SRC, 'cli', 'screen-workers', 'screen-worker.ts'),
    },
    define: {
      __EMBARGO_SCREEN_WORKER__: JSON.stringify(pathToFileURL(join(dir, 'screen-worker.mjs')).href),
    },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    // the names tsx keeps too: error messages and stack traces read the same on either path
    keepNames: true,
    outdir: temp,
    // stack traces name the sources when source maps are on (EMBARGO_DEBUG, bin/embargo.js)
    sourcemap: 'linked',
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
    plugins: [
      {
        name: 'source-import-meta-url',
        setup(b) {
          b.onLoad({ filter: /\.ts$/ }, (args) => {
            const text = readFileSync(args.path, 'utf8');
            const url = JSON.stringify(pathToFileURL(args.path).href);
            return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
          });
        },
      },
    ],
  });
  try {
    renameSync(temp, dir);
  } catch (error) {
    // another process built the same sources first: use its copy
    rmSync(temp, { recursive: true, force: true });
    if (!existsSync(join(dir, 'main.mjs'))) throw error;
  }
}

function removeStale(current) {
  const now = Date.now();
  for (const name of readdirSync(CACHE)) {
    if (!name.startsWith('cli-') || join(CACHE, name) === current) continue;
    try {
      if (now - statSync(join(CACHE, name)).mtimeMs > KEEP_MS)
        rmSync(join(CACHE, name), { recursive: true, force: true });
    } catch {
      // removed by another process meanwhile
    }
  }
}

/** The bundled `src/cli/main.ts` module, or undefined (then run the sources through tsx). */
export async function loadBundledCli() {
  if (process.env.EMBARGO_NO_BUNDLE) return undefined;
  let dir;
  try {
    dir = join(CACHE, `cli-${sourceHash()}`);
    if (!existsSync(join(dir, 'main.mjs'))) {
      mkdirSync(CACHE, { recursive: true });
      await build(dir);
      removeStale(dir);
    }
  } catch {
    return undefined;
  }
  return import(pathToFileURL(join(dir, 'main.mjs')).href);
}
