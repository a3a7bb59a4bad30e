// The shortcuts the Session's hot path takes (caches, shared jar, lazy cookies) must not change
// what a user sees.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../../../core/requests/sessions.ts';
import { responseFrom } from '../../../core/requests/models.ts';
import { prepareUrl } from '../../../core/requests/utils.ts';
import { getNetrcAuth } from '../../../core/requests/netrc.ts';
import { startHttpbin } from '../../../core/httpbin/server.ts';
import type { RunningHttpbin } from '../../../core/httpbin/server.ts';

let bin: RunningHttpbin;
before(async () => {
  bin = await startHttpbin();
});
after(() => bin.close());

test('prepareUrl: a remembered URL never carries params into a later call without them', () => {
  const url = 'http://example.com/search';
  assert.equal(prepareUrl(url), 'http://example.com/search');
  assert.equal(prepareUrl(url, { q: 'a b' }), 'http://example.com/search?q=a+b');
  assert.equal(prepareUrl(url), 'http://example.com/search');
  assert.equal(prepareUrl(url, {}), 'http://example.com/search');
  assert.throws(() => prepareUrl('example.com/no-scheme'), /No scheme supplied/);
  assert.throws(() => prepareUrl('example.com/no-scheme'), /No scheme supplied/);
});

test('per-request cookies are sent but never stored in the session jar', async () => {
  await using s = new Session();
  const r = await s.get(`${bin.url}/cookies`, { cookies: { once: '1' } });
  assert.deepEqual((r.json() as { cookies: Record<string, string> }).cookies, { once: '1' });
  assert.equal(s.cookies.get('once'), undefined);
  const again = await s.get(`${bin.url}/cookies`);
  assert.deepEqual((again.json() as { cookies: Record<string, string> }).cookies, {});
});

test('a cookie set by a redirect hop is kept by the session and sent to the target', async () => {
  await using s = new Session();
  const r = await s.get(`${bin.url}/cookies/set?flavour=oat`);
  assert.equal(r.history.length, 1);
  assert.deepEqual((r.json() as { cookies: Record<string, string> }).cookies, { flavour: 'oat' });
  assert.equal(s.cookies.get('flavour'), 'oat');
  assert.equal(r.history[0]!.cookies.get('flavour'), 'oat', 'the hop that set it reports it');
  assert.equal(r.cookies.size, 0, 'the target set none');
});

test('Response.cookies are read from its Set-Cookie lines', () => {
  const r = responseFrom({ statusCode: 200, url: 'http://example.com/', headers: [['Set-Cookie', 'a=1; Path=/']] });
  assert.equal(r.cookies.get('a'), '1');
});

test('netrc: a different NETRC file is read at once, and an edited one is re-read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netrc-hot-'));
  const one = join(dir, 'one');
  const two = join(dir, 'two');
  writeFileSync(one, 'machine example.com login alice password a');
  writeFileSync(two, 'machine example.com login bob password b');
  assert.deepEqual(getNetrcAuth('https://example.com/', false, { NETRC: one }), ['alice', 'a']);
  assert.deepEqual(getNetrcAuth('https://example.com/', false, { NETRC: two }), ['bob', 'b']);
  writeFileSync(one, 'machine example.com login carol password longer-password');
  assert.deepEqual(getNetrcAuth('https://example.com/', false, { NETRC: one }), ['carol', 'longer-password']);
});
