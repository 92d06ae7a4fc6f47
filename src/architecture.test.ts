import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('.', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map(
    (m) => m[1] ?? '',
  );

describe('architecture', () => {
  const coreFiles = sourceFiles(join(root, 'core')).filter(
    (f) => !f.endsWith('.test.ts') && !f.endsWith('.bench.ts'),
  );

  it('keeps src/core free of I/O: no node:* modules, no database or HTTP packages', () => {
    const forbidden = /^(node:|fs$|path$|http|better-sqlite3|pg$|kysely|fastify|commander)/;
    const offenders = coreFiles.flatMap((f) =>
      importsOf(f)
        .filter((spec) => forbidden.test(spec))
        .map((spec) => `${relative(root, f)} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps imports pointing inward: core never imports an edge', () => {
    const offenders = coreFiles.flatMap((f) =>
      importsOf(f)
        .filter(
          (spec) =>
            /\/(ingest|store|cli|api)\//.test(spec) || /^\.\.\/\.\.\/(ingest|store|cli|api)/.test(spec),
        )
        .map((spec) => `${relative(root, f)} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });
});
