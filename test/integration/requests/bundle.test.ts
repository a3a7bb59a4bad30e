/**
 * The library as Node users get it: dist/core/index.js, built here with the options `npm run
 * build` uses. Exceptions name themselves after their class, so a bundler rename (or a minifier)
 * would turn `ConnectionError` into something no user or explanation recognises.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const { coreBundle } = (await import(path.join(ROOT, 'esbuild.mjs'))) as { coreBundle: (outfile: string) => esbuild.BuildOptions };

test('the built library keeps every exported name, and errors carry their class name', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ricochet-core-bundle-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const outfile = path.join(dir, 'index.js');
  await esbuild.build({ ...coreBundle(outfile), absWorkingDir: ROOT, sourcemap: false, logLevel: 'silent' });
  // Bare imports (undici, tough-cookie…) resolve from the repository's node_modules.
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');

  const source = fs.readFileSync(outfile, 'utf8');
  assert.doesNotMatch(source, /__name\(/, 'keepNames helpers run on every request; the library needs none');
  const built = (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
  const renamed = Object.entries(built)
    .filter(([, value]) => typeof value === 'function' && /^[A-Z]/.test((value as { name: string }).name || 'x'))
    .filter(([name, value]) => (value as { name: string }).name !== name)
    .map(([name, value]) => `${name} → ${(value as { name: string }).name}`);
  assert.deepEqual(renamed, []);
  const ConnectionError = built.ConnectionError as new (message: string) => Error;
  const ReadTimeout = built.ReadTimeout as new (message: string) => Error;
  assert.equal(new ConnectionError('refused').name, 'ConnectionError');
  assert.equal(new ReadTimeout('slow').name, 'ReadTimeout');
});
