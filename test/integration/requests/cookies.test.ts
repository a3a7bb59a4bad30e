import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../../core/requests/sessions.ts';
import { RequestsCookieJar } from '../../../core/requests/cookies.ts';
import * as requests from '../../../core/requests/api.ts';
import { startHttpbin } from '../../../core/httpbin/server.ts';
import type { RunningHttpbin } from '../../../core/httpbin/server.ts';

let bin: RunningHttpbin;
before(async () => {
  bin = await startHttpbin();
});
after(async () => {
  await bin.close();
});

const cookiesOf = (r: { json(): unknown }): Record<string, string> => (r.json() as { cookies: Record<string, string> }).cookies;

test('a response exposes the cookies it set; the session keeps them across requests', async () => {
  await using s = new Session();
  const r = await s.get(`${bin.url}/set-cookie?name=flavour&value=oat`);
  assert.equal(r.cookies.get('flavour'), 'oat');
  assert.deepEqual(cookiesOf(await s.get(`${bin.url}/cookies`)), { flavour: 'oat' });
});

test('a cookie set by hand on the session jar is sent', async () => {
  await using s = new Session();
  s.cookies.set('manual', 'yes');
  assert.deepEqual(cookiesOf(await s.get(`${bin.url}/cookies`)), { manual: 'yes' });
});

test('a per-request jar is sent as well', async () => {
  const jar = new RequestsCookieJar();
  jar.set('from', 'jar');
  assert.deepEqual(cookiesOf(await requests.get(`${bin.url}/cookies`, { cookies: jar })), { from: 'jar' });
});

test('a Secure cookie offered over plain http is neither stored nor sent', async () => {
  await using s = new Session();
  await s.get(`${bin.url}/set-cookie?name=s&value=1&secure`);
  assert.equal(s.cookies.get('s'), undefined);
  assert.deepEqual(cookiesOf(await s.get(`${bin.url}/cookies`)), {});
});

test('a path-scoped cookie is only sent under its path', async () => {
  await using s = new Session();
  await s.get(`${bin.url}/set-cookie?name=p&value=1&path=/cookies`);
  assert.deepEqual(cookiesOf(await s.get(`${bin.url}/cookies`)), { p: '1' });
  const other = await s.get(`${bin.url}/headers`);
  assert.equal((other.json() as { headers: Record<string, string> }).headers.Cookie, undefined);
});

test('a Max-Age=0 cookie deletes the stored one', async () => {
  await using s = new Session();
  await s.get(`${bin.url}/cookies/set?a=1&b=2`);
  const r = await s.get(`${bin.url}/cookies/delete?a`);
  assert.deepEqual(cookiesOf(r), { b: '2' });
  assert.deepEqual(s.cookies.keys(), ['b']);
});

test('the session jar round-trips through JSON', async () => {
  await using s = new Session();
  await s.get(`${bin.url}/cookies/set?keep=me`);
  await using t = new Session();
  t.cookies = RequestsCookieJar.fromJSON(JSON.stringify(s.cookies));
  assert.deepEqual(cookiesOf(await t.get(`${bin.url}/cookies`)), { keep: 'me' });
});
