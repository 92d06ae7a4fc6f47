/**
 * Tests and benchmarks read real public data from `../shared` beside the repository (CI clones the
 * repository with `shared/` next to it). Nothing from there is copied into the repository.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = new URL('../', import.meta.url).pathname;
export const SHARED_ROOT = join(REPO_ROOT, '..', 'shared');

export function sharedPath(...parts: string[]): string {
  const path = join(SHARED_ROOT, ...parts);
  if (!existsSync(path)) {
    throw new Error(`shared data missing: ${path} (clone the repository with ../shared beside it)`);
  }
  return path;
}
