#!/usr/bin/env node
// Starts the CLI from a cached esbuild bundle of the sources (bin/cli-bundle.js), so `npx embargo`
// works right after `npm ci` without transpiling every module at each start; when no bundle can be
// built, runs the TypeScript sources directly through tsx.
import { loadBundledCli } from './cli-bundle.js';

// with EMBARGO_DEBUG, stack traces point into the sources rather than the bundle
if (process.env.EMBARGO_DEBUG) process.setSourceMapsEnabled(true);
let cli = await loadBundledCli();
if (!cli) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/cli/main.ts');
}
process.exitCode = await cli.main(process.argv.slice(2));
