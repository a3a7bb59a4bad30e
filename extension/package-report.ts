/**
 * Size and load time of what the .vsix ships, printed by `npm run package` and callable from
 * `npm run bench`:
 *
 *   import { measureExtension } from '../extension/package-report.ts';
 *   const { bundles, loadMs } = measureExtension();
 *
 * `loadMs` is the time to evaluate `dist/extension.cjs` (with `vscode` stubbed) — the part of
 * activation the bundle controls; the real activation time is logged by the extension itself to
 * the "Ricochet" output channel ("Ricochet activated in … ms").
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

export interface ExtensionMeasurement {
  /** Bytes of each shipped bundle that exists (`dist/...`). */
  bundles: Record<string, number>;
  /** Median of a few fresh evaluations of the extension bundle, in ms. */
  loadMs: number;
}

export function measureExtension(root = ROOT, runs = 5): ExtensionMeasurement {
  const bundles: Record<string, number> = {};
  for (const rel of ['dist/extension.cjs', 'dist/server.cjs', 'dist/webview']) {
    const full = path.join(root, rel);
    if (fs.existsSync(full)) bundles[rel] = sizeOf(full);
  }
  const file = path.join(root, 'dist/extension.cjs');
  const code = fs.readFileSync(file, 'utf8');
  const realRequire = createRequire(file);
  // Every property of the stub is another stub, so top-level `vscode.X.Y` reads do not throw.
  const stub: unknown = new Proxy(function () {}, { get: (_t, key) => (key === Symbol.toPrimitive ? () => '' : stub), apply: () => stub, construct: () => stub as object });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const module = { exports: {} as Record<string, unknown> };
    const requireShim = (id: string): unknown => (id === 'vscode' ? stub : realRequire(id));
    const started = performance.now();
    new Function('exports', 'require', 'module', '__filename', '__dirname', code)(module.exports, requireShim, module, file, path.dirname(file));
    times.push(performance.now() - started);
    if (typeof module.exports.activate !== 'function') throw new Error('dist/extension.cjs does not export activate()');
  }
  times.sort((a, b) => a - b);
  return { bundles, loadMs: times[Math.floor(times.length / 2)] ?? 0 };
}

function sizeOf(p: string): number {
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.size;
  return fs.readdirSync(p).filter((n) => !n.endsWith('.map')).reduce((sum, n) => sum + sizeOf(path.join(p, n)), 0);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { bundles, loadMs } = measureExtension();
  for (const [name, bytes] of Object.entries(bundles)) console.log(`[package] ${name.padEnd(20)} ${(bytes / 1024).toFixed(0).padStart(7)} KB`);
  console.log(`[package] extension bundle load ${loadMs.toFixed(1)} ms (median of 5, vscode stubbed)`);
}
