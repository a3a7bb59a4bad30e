import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../../core/requests/sessions.ts';
import { Request } from '../../../core/requests/models.ts';
import { HTTPAdapter } from '../../../core/requests/adapters.ts';
import { InvalidSchema, SSLError } from '../../../core/requests/exceptions.ts';
import { makeCertificates } from '../../../test/servers/certs.ts';
import { startTlsServer } from '../../../test/servers/tls.ts';
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

interface Echo {
  args: Record<string, string | string[]>;
  headers: Record<string, string>;
}

test('the seven functions reach the server with their method', async () => {
  const r = await requests.get(`${bin.url}/get`, { params: { q: 'x' } });
  assert.equal(r.statusCode, 200);
  assert.deepEqual((r.json() as Echo).args, { q: 'x' });
  for (const [fn, method] of [
    [requests.post, 'POST'],
    [requests.put, 'PUT'],
    [requests.patch, 'PATCH'],
    [requests.delete, 'DELETE'],
  ] as const) {
    const res = await fn(`${bin.url}/anything`);
    assert.equal((res.json() as { method: string }).method, method);
  }
  assert.equal((await requests.head(`${bin.url}/get`)).statusCode, 200);
  assert.equal((await requests.options(`${bin.url}/get`)).statusCode < 500, true);
  assert.equal(((await requests.request('patch', `${bin.url}/anything`)).json() as { method: string }).method, 'PATCH');
});

test('session headers are sent; a request header overrides and null removes one', async () => {
  await using s = new Session();
  s.headers.set('X-Team', 'core');
  s.headers.set('X-Drop', 'me');
  const r = await s.get(`${bin.url}/headers`, { headers: { 'x-team': 'override', 'X-Drop': null, 'X-New': '1' } });
  const headers = (r.json() as Echo).headers;
  assert.equal(headers['X-Team'], 'override');
  assert.equal(headers['X-Drop'], undefined);
  assert.equal(headers['X-New'], '1');
  assert.match(headers['User-Agent'] ?? '', /^ricochet\//);
  // The session itself is unchanged.
  assert.equal(s.headers.get('X-Drop'), 'me');
});

test('session params merge with request params', async () => {
  await using s = new Session();
  s.params = { a: '1', b: '2' };
  const r = await s.get(`${bin.url}/get`, { params: { b: 'request', c: '3' } });
  assert.deepEqual((r.json() as Echo).args, { a: '1', b: 'request', c: '3' });
});

test('cookies set by the server persist in the session jar and are sent back', async () => {
  await using s = new Session();
  const r = await s.get(`${bin.url}/cookies/set?a=1&b=2`);
  assert.deepEqual((r.json() as { cookies: Record<string, string> }).cookies, { a: '1', b: '2' });
  assert.equal(s.cookies.get('a'), '1');
  const again = await s.get(`${bin.url}/cookies`);
  assert.deepEqual((again.json() as { cookies: Record<string, string> }).cookies, { a: '1', b: '2' });
  await s.get(`${bin.url}/cookies/delete?a`);
  assert.equal(s.cookies.get('a'), undefined);
});

test('per-request cookies are sent (also after a redirect) but never stored in the session', async () => {
  await using s = new Session();
  s.cookies.set('session', 'yes');
  const r = await s.get(`${bin.url}/redirect-to?url=/cookies`, { cookies: { once: 'only' } });
  assert.deepEqual((r.json() as { cookies: Record<string, string> }).cookies, { session: 'yes', once: 'only' });
  assert.equal(s.cookies.get('once'), undefined);
  const later = await s.get(`${bin.url}/cookies`);
  assert.deepEqual((later.json() as { cookies: Record<string, string> }).cookies, { session: 'yes' });
});

test('session auth is used; request auth overrides it', async () => {
  await using s = new Session();
  s.auth = ['user', 'pass'];
  assert.equal((await s.get(`${bin.url}/basic-auth/user/pass`)).statusCode, 200);
  assert.equal((await s.get(`${bin.url}/basic-auth/other/pw`, { auth: ['other', 'pw'] })).statusCode, 200);
  assert.equal((await s.get(`${bin.url}/basic-auth/other/pw`)).statusCode, 401);
});

test('response hooks run, may replace the response (sync or async), session and request hooks', async () => {
  await using s = new Session();
  const seen: number[] = [];
  s.hooks.response.push((r) => {
    seen.push(r.statusCode);
  });
  await s.get(`${bin.url}/status/201`);
  assert.deepEqual(seen, [201]);
  const replacement = await requests.get(`${bin.url}/status/202`);
  const r = await s.get(`${bin.url}/status/204`, {
    hooks: { response: [async () => replacement, (res) => void seen.push(res.statusCode * 10)] },
  });
  assert.equal(r.statusCode, 202);
  assert.deepEqual(seen, [201, 2020]);
});

test('prepareRequest + send: the prepared request carries merged settings', async () => {
  await using s = new Session();
  s.headers.set('X-Session', '1');
  const prep = s.prepareRequest(new Request({ method: 'post', url: `${bin.url}/post`, data: { k: 'v' } }));
  assert.equal(prep.method, 'POST');
  assert.equal(prep.headers.get('X-Session'), '1');
  const r = await s.send(prep);
  assert.deepEqual((r.json() as { form: Record<string, string> }).form, { k: 'v' });
});

test('mount / getAdapter pick the longest prefix, an unknown scheme is InvalidSchema', async () => {
  await using s = new Session();
  const special = new HTTPAdapter();
  s.mount(`${bin.url}/special`, special);
  assert.equal(s.getAdapter(`${bin.url}/special/x`), special);
  assert.notEqual(s.getAdapter(`${bin.url}/other`), special);
  assert.throws(() => s.getAdapter('ftp://example.com/'), InvalidSchema);
  await assert.rejects(s.get('ftp://127.0.0.1/'), InvalidSchema);
});

test('HEAD follows redirects by default (a documented departure); allowRedirects false stops', async () => {
  await using s = new Session();
  const r = await s.head(`${bin.url}/redirect/2`);
  assert.equal(r.statusCode, 200);
  assert.equal(r.history.length, 2);
  const stopped = await s.get(`${bin.url}/redirect/2`, { allowRedirects: false });
  assert.equal(stopped.statusCode, 302);
  assert.equal(stopped.history.length, 0);
});

test('an aborted signal cancels the request', async () => {
  await using s = new Session();
  const controller = new AbortController();
  const pending = s.get(`${bin.url}/delay/5`, { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(pending);
});

test('REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE verify TLS when no bundle is given; explicit settings win', async () => {
  const certs = await makeCertificates();
  const server = await startTlsServer({ ...certs.valid });
  try {
    for (const name of ['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE']) {
      await using s = new Session();
      s.env = { [name]: certs.ca.certPath };
      assert.equal((await s.get(`${server.url}/get`)).statusCode, 200, name);
    }
    await using plain = new Session();
    plain.env = {};
    await assert.rejects(plain.get(`${server.url}/get`), SSLError);
    await using off = new Session();
    off.env = { REQUESTS_CA_BUNDLE: '/nonexistent/ca.pem' };
    off.verify = false;
    assert.equal((await off.get(`${server.url}/get`)).statusCode, 200, 'session verify=false beats the environment');
  } finally {
    await server.close();
  }
});
