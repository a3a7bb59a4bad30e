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
import { fileURLToPath } from 'node:url';

const root = path.dirname(new URL(import.meta.url).pathname);
const production = process.env.NODE_ENV === 'production' || process.argv.includes('--production');

// keepNames: exceptions name themselves after their class (`this.name = new.target.name`), and the
// extension explains errors by that name (ConnectionError, SSLError…); minified, they were "Vr".
const node = { platform: 'node', target: 'node22', bundle: true, sourcemap: true, minify: production, keepNames: true, logLevel: 'warning' };

// The CLI says plainly when the Node running it is too old (the bundle would otherwise fail on a
// missing zlib constant), and gets a `require` for the CommonJS packages it bundles.
const CLI_BANNER = [
  '#!/usr/bin/env node',
  '{ const [major, minor] = process.versions.node.split(".").map(Number); if (major < 22 || (major === 22 && minor < 19)) { console.error(`ricochet needs Node.js 22.19 or newer; this is ${process.version}`); process.exit(2); } }',
  'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
].join('\n');

/**
 * The library for Node users. Never minified, so its names survive without keepNames, whose
 * __name() call on every closure a request creates costs the hot path (the bundle test checks
 * that every exported class still carries its name).
 * @param {string} outfile
 */
export function coreBundle(outfile) {
  return { ...node, minify: false, keepNames: false, format: 'esm', entryPoints: ['core/index.ts'], outfile, packages: 'external' };
}

/** @type {Record<string, () => Promise<unknown>>} */
const bundles = {
  core: () => build(coreBundle('dist/core/index.js')),
  cli: () => build({ ...node, format: 'esm', entryPoints: ['core/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: CLI_BANNER } }),
  extension: () => build({ ...node, format: 'cjs', entryPoints: ['extension/main.ts'], outfile: 'dist/extension.cjs', external: ['vscode'] }),
  server: () => build({ ...node, format: 'cjs', entryPoints: ['extension/server/main.ts'], outfile: 'dist/server.cjs' }),
  webview: () => buildWebview({ production }),
};

async function build(options) {
  const entry = options.entryPoints[0];
  if (!fs.existsSync(path.join(root, entry))) {
    console.log(`[esbuild] skip ${entry} (not present yet)`);
    return;
  }
  return esbuild.build({ absWorkingDir: root, ...options });
}

/**
 * The response panel into `outdir` (default dist/webview/):
 *   panel.js / panel.css   – the UI (vscode-elements, Monaco) as one classic script, so it loads
 *                            with a nonce under script-src 'nonce-…' and needs no module chunks
 *   editor.worker.js       – Monaco's base worker (diff computation, word ranges)
 *   json.worker.js         – the JSON language worker (folding ranges, validation)
 *   codicons/              – the codicon font and CSS for <vscode-icon>; *.ttf fonts the CSS names
 * The browser tests build a private copy elsewhere so a concurrent build cannot pull files from
 * under a running test.
 * @param {{ production?: boolean, outdir?: string }} [options]
 */
export async function buildWebview({ production: prod = production, outdir = path.join(root, 'dist/webview') } = {}) {
  fs.rmSync(outdir, { recursive: true, force: true });
  const common = {
    absWorkingDir: root,
    bundle: true,
    minify: prod,
    sourcemap: prod ? false : 'linked',
    target: ['chrome120'],
    platform: 'browser',
    format: 'iife',
    logLevel: 'warning',
    legalComments: 'none',
  };
  await Promise.all([
    esbuild.build({ ...common, entryPoints: { panel: 'webview/main.ts' }, outdir, loader: { '.ttf': 'file' }, assetNames: '[name]' }),
    esbuild.build({
      ...common,
      entryPoints: {
        'editor.worker': 'node_modules/monaco-editor/esm/vs/editor/editor.worker.js',
        'json.worker': 'node_modules/monaco-editor/esm/vs/language/json/json.worker.js',
      },
      outdir,
    }),
  ]);
  const codicons = path.join(root, 'node_modules/@vscode/codicons/dist');
  fs.mkdirSync(path.join(outdir, 'codicons'), { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(codicons, file), path.join(outdir, 'codicons', file));
}

// Run as a command (`node esbuild.mjs …`); importing this file (the browser tests do) builds nothing.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const names = wanted.length ? wanted : Object.keys(bundles);
  for (const name of names) {
    if (!bundles[name]) throw new Error(`unknown bundle "${name}"; known: ${Object.keys(bundles).join(', ')}`);
    const t0 = performance.now();
    await bundles[name]();
    console.log(`[esbuild] ${name} ${(performance.now() - t0).toFixed(0)} ms`);
  }
}
