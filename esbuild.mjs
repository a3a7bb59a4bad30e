// Builds every bundle Ricochet ships. `node esbuild.mjs [name…]` builds only the named ones.
//   core      – the library for Node users (package.json exports["./core"])
//   cli       – the `ricochet` command (package.json bin)
//   extension – the VS Code extension host bundle
//   server    – the .http language server
//   webview   – the response panel (JS, CSS, Monaco workers)
// A bundle whose entry file does not exist yet is skipped with a note, so parts can land one by one.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const root = path.dirname(new URL(import.meta.url).pathname);
const production = process.env.NODE_ENV === 'production' || process.argv.includes('--production');

// keepNames: exceptions name themselves after their class (`this.name = new.target.name`), and the
// extension explains errors by that name (ConnectionError, SSLError…); minified, they were "Vr".
const node = { platform: 'node', target: 'node22', bundle: true, sourcemap: true, minify: production, keepNames: true, logLevel: 'warning' };

/** @type {Record<string, () => Promise<unknown>>} */
const bundles = {
  core: () => build({ ...node, format: 'esm', entryPoints: ['core/index.ts'], outfile: 'dist/core/index.js', packages: 'external' }),
  cli: () => build({ ...node, format: 'esm', entryPoints: ['core/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node\nimport { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' } }),
  extension: () => build({ ...node, format: 'cjs', entryPoints: ['extension/main.ts'], outfile: 'dist/extension.cjs', external: ['vscode'] }),
  server: () => build({ ...node, format: 'cjs', entryPoints: ['extension/server/main.ts'], outfile: 'dist/server.cjs' }),
  webview: async () => (await import('./webview/build.mjs')).buildWebview({ root, production, esbuild }),
};

async function build(options) {
  const entry = options.entryPoints[0];
  if (!fs.existsSync(path.join(root, entry))) {
    console.log(`[esbuild] skip ${entry} (not present yet)`);
    return;
  }
  return esbuild.build({ absWorkingDir: root, ...options });
}

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const names = wanted.length ? wanted : Object.keys(bundles);
for (const name of names) {
  if (!bundles[name]) throw new Error(`unknown bundle "${name}"; known: ${Object.keys(bundles).join(', ')}`);
  if (name === 'webview' && !fs.existsSync(path.join(root, 'webview/build.mjs'))) {
    console.log('[esbuild] skip webview (not present yet)');
    continue;
  }
  const t0 = performance.now();
  await bundles[name]();
  console.log(`[esbuild] ${name} ${(performance.now() - t0).toFixed(0)} ms`);
}
