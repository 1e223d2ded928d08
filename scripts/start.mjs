#!/usr/bin/env node
/**
 * `npm start`: bundles the server's TypeScript into one file with esbuild (what tsx does file by
 * file, done once, in about 0.1 s) and runs it with plain Node. Packages stay external. The
 * per-module loader hooks are what made a cold start slow (Node 20 runs them in a worker); this
 * opens the desk about a second sooner. The bundle sits at dist/server/ so paths the sources
 * derive from their own location (web/, models/, package files) resolve as from src/<area>/.
 * Everything else (`earshot`, tests, benches) runs the sources through tsx as before.
 */
import { build, stop } from 'esbuild';
import { fileURLToPath } from 'node:url';

const outfile = fileURLToPath(new URL('../dist/server/cli.mjs', import.meta.url));
await build({
  entryPoints: [fileURLToPath(new URL('../src/cli.ts', import.meta.url))],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile,
  sourcemap: true,
  logLevel: 'warning',
});
// The esbuild service process is not needed once the bundle is written.
await stop();
// Stack traces point at the TypeScript sources.
process.setSourceMapsEnabled(true);
await import(new URL(`file://${outfile}`).href);
