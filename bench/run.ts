/**
 * `npm run bench [-- <filter>]`: runs every `src/**\/*.bench.ts` in its own Node process (so peak
 * RSS and JIT state are per benchmark), one after the other, and prints what each reports.
 * Each benchmark prints its own Markdown section; paste it into docs/benchmarks.md.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function benchFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? benchFiles(path) : path.endsWith('.bench.ts') ? [path] : [];
    });
}

const filter = process.argv[2];
const files = benchFiles(join(root, 'src')).filter((f) => !filter || f.includes(filter));
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `# embargo benchmarks — ${new Date().toISOString()} — Node ${process.version}, ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB\n`,
);
let failed = 0;
for (const file of files) {
  console.log(`\n<!-- ${relative(root, file)} -->`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(root, 'bin/run-ts.js'), file], {
    stdio: 'inherit',
    cwd: root,
  });
  if (result.status !== 0) {
    failed++;
    console.error(`benchmark ${relative(root, file)} failed with exit code ${result.status}`);
  }
}
process.exitCode = failed ? 1 : 0;
