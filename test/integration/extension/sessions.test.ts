import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHttpbin } from '../../../core/httpbin/server.ts';
import type { RunningHttpbin } from '../../../core/httpbin/server.ts';
import { SessionRegistry } from '../../../extension/sessions.ts';

let server: RunningHttpbin;
before(async () => {
  server = await startHttpbin();
});
after(async () => {
  await server.close();
});

const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'ricochet-sessions-'));

test('a cookie set by one request is sent by the next, and survives a reload of the window', async () => {
  const dir = tempDir();
  const registry = new SessionRegistry({ dir });
  const dev = await registry.get('dev');
  await dev.get(`${server.url}/cookies/set?flavor=ginger`);
  assert.equal(await registry.get('dev'), dev, 'same Session for the same environment');
  const r = await dev.get(`${server.url}/cookies`);
  assert.deepEqual((r.json() as { cookies: Record<string, string> }).cookies, { flavor: 'ginger' });
  await registry.save('dev');
  await registry.dispose();

  const reloaded = new SessionRegistry({ dir });
  const again = await (await reloaded.get('dev')).get(`${server.url}/cookies`);
  assert.deepEqual((again.json() as { cookies: Record<string, string> }).cookies, { flavor: 'ginger' });
  await reloaded.dispose();
});

test('each environment has its own jar; clearCookies forgets them on disk too', async () => {
  const dir = tempDir();
  const registry = new SessionRegistry({ dir });
  await (await registry.get('dev')).get(`${server.url}/cookies/set?who=dev`);
  await registry.save('dev');
  const prod = await (await registry.get('prod')).get(`${server.url}/cookies`);
  assert.deepEqual((prod.json() as { cookies: Record<string, string> }).cookies, {});
  await registry.clearCookies();
  const r = await (await registry.get('dev')).get(`${server.url}/cookies`);
  assert.deepEqual((r.json() as { cookies: Record<string, string> }).cookies, {});
  await registry.dispose();
  const reloaded = new SessionRegistry({ dir });
  assert.equal([...(await reloaded.get('dev')).cookies].length, 0);
  await reloaded.dispose();
});

test('with rememberCookies off nothing is kept or written', async () => {
  const dir = tempDir();
  const registry = new SessionRegistry({ dir, rememberCookies: () => false });
  const s = await registry.get(undefined);
  await s.get(`${server.url}/cookies/set?a=1`);
  await registry.save(undefined);
  const r = await s.get(`${server.url}/cookies`);
  assert.deepEqual((r.json() as { cookies: Record<string, string> }).cookies, {});
  assert.equal(fs.existsSync(path.join(dir, 'cookies')), false);
  await registry.dispose();
});

test('a corrupt cookie file is moved aside with a warning', async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'cookies'));
  fs.writeFileSync(path.join(dir, 'cookies', 'dev.json'), '{"version":1,"cook');
  const warnings: string[] = [];
  const registry = new SessionRegistry({ dir, onWarning: (m) => warnings.push(m) });
  await registry.get('dev');
  assert.equal(warnings.length, 1);
  assert.ok(fs.readdirSync(path.join(dir, 'cookies')).some((n) => n.startsWith('dev.json.corrupt-')));
  await registry.dispose();
});
