/**
 * Where embargo keeps its data on this machine. Resolved once: flag, then environment
 * (`EMBARGO_HOME`), then XDG_DATA_HOME/embargo, then ~/.local/share/embargo.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = flag
    ? resolve(flag)
    : env.EMBARGO_HOME
      ? resolve(env.EMBARGO_HOME)
      : join(env.XDG_DATA_HOME ? resolve(env.XDG_DATA_HOME) : join(homedir(), '.local', 'share'), 'embargo');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The repository root (regimes/, examples/, the default lists and datasets ship here). */
export const PROJECT_ROOT = new URL('../../', import.meta.url).pathname;
