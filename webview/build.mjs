// Builds the response panel into dist/webview/:
//   panel.js / panel.css   – the UI (vscode-elements, Monaco) as one classic script, so it loads
//                            with a nonce under script-src 'nonce-…' and needs no module chunks
//   editor.worker.js       – Monaco's base worker (diff computation, word ranges)
//   json.worker.js         – the JSON language worker (folding ranges, validation)
//   codicons/codicon.css   – the codicon font for <vscode-icon>
//   *.ttf                  – fonts referenced by the CSS (Monaco's codicons)
// Runs in Node (called by esbuild.mjs); this file is the only one in webview/ that does.
import fs from 'node:fs';
import path from 'node:path';

/**
 * @param {{ root: string, production: boolean, esbuild: typeof import('esbuild'), outdir?: string }} options
 *   outdir defaults to <root>/dist/webview; the browser tests build a private copy elsewhere so
 *   a concurrent `npm run build` cannot pull files from under a running test.
 */
export async function buildWebview({ root, production, esbuild, outdir = path.join(root, 'dist/webview') }) {
  fs.rmSync(outdir, { recursive: true, force: true });
  const common = {
    absWorkingDir: root,
    bundle: true,
    minify: production,
    sourcemap: production ? false : 'linked',
    target: ['chrome120'],
    platform: 'browser',
    format: 'iife',
    logLevel: 'warning',
    legalComments: 'none',
  };
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: { panel: 'webview/main.ts' },
      outdir,
      loader: { '.ttf': 'file' },
      assetNames: '[name]',
    }),
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
