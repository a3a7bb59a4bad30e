import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../../core/requests/sessions.ts';
import { AuthBase, HTTPBasicAuth, HTTPDigestAuth } from '../../../core/requests/auth.ts';
import type { PreparedRequest } from '../../../core/requests/models.ts';
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

test('Basic auth from a tuple and from HTTPBasicAuth', async () => {
  assert.equal((await requests.get(`${bin.url}/basic-auth/user/pass`, { auth: ['user', 'pass'] })).statusCode, 200);
  assert.equal((await requests.get(`${bin.url}/basic-auth/user/pass`, { auth: new HTTPBasicAuth('user', 'pass') })).statusCode, 200);
  assert.equal((await requests.get(`${bin.url}/basic-auth/user/pass`, { auth: ['user', 'wrong'] })).statusCode, 401);
});

test('Basic auth encodes non-ASCII credentials as UTF-8', async () => {
  const r = await requests.get(`${bin.url}/headers`, { auth: ['jörg', 'pässwörd'] });
  const header = (r.json() as { headers: Record<string, string> }).headers.Authorization ?? '';
  assert.equal(Buffer.from(header.replace(/^Basic /, ''), 'base64').toString('utf8'), 'jörg:pässwörd');
});

test('credentials in the URL become Basic auth and leave the URL', async () => {
  const u = new URL(`${bin.url}/basic-auth/user/pass`);
  u.username = 'user';
  u.password = 'pass';
  const r = await requests.get(u.href);
  assert.equal(r.statusCode, 200);
  assert.equal(r.url, `${bin.url}/basic-auth/user/pass`);
});

for (const algorithm of ['MD5', 'MD5-sess', 'SHA-256', 'SHA-512', 'SHA-256-sess', 'SHA-512-sess']) {
  test(`Digest ${algorithm} with qop=auth succeeds after one challenge`, async () => {
    const r = await requests.get(`${bin.url}/digest-auth/auth/user/pass/${algorithm}`, { auth: new HTTPDigestAuth('user', 'pass') });
    assert.equal(r.statusCode, 200);
    assert.equal(r.history.length, 1);
    assert.equal(r.history[0]!.statusCode, 401);
    assert.match(r.request.headers.get('Authorization') ?? '', /^Digest .*nc=00000001/);
  });
}

test('Digest with a wrong password gives 401 after exactly one retry', async () => {
  const r = await requests.get(`${bin.url}/digest-auth/auth/user/pass/SHA-256`, { auth: new HTTPDigestAuth('user', 'nope') });
  assert.equal(r.statusCode, 401);
  assert.equal(r.history.length, 1);
  assert.equal(r.history[0]!.statusCode, 401);
});

test('Digest keeps the challenge cookies for the retry and replays the body', async () => {
  const r = await requests.post(`${bin.url}/digest-auth/auth/user/pass/MD5?require-cookie=1`, {
    auth: new HTTPDigestAuth('user', 'pass'),
    data: 'body to replay',
  });
  assert.equal(r.statusCode, 200);
  assert.match(r.request.headers.get('Cookie') ?? '', /fake=fake_value/);
});

test('a Digest session reuses the nonce: the second request counts nc=2 without a new challenge', async () => {
  await using s = new Session();
  s.auth = new HTTPDigestAuth('user', 'pass');
  const first = await s.get(`${bin.url}/digest-auth/auth/user/pass/MD5`);
  assert.equal(first.statusCode, 200);
  const second = await s.get(`${bin.url}/digest-auth/auth/user/pass/MD5`);
  assert.equal(second.statusCode, 200);
  assert.match(second.request.headers.get('Authorization') ?? '', /nc=00000002/);
});

test('a custom AuthBase sets what it likes on the request', async () => {
  class TokenAuth extends AuthBase {
    apply(request: PreparedRequest): PreparedRequest {
      request.headers.set('X-Token', 'abc');
      return request;
    }
  }
  const r = await requests.get(`${bin.url}/headers`, { auth: new TokenAuth() });
  assert.equal((r.json() as { headers: Record<string, string> }).headers['X-Token'], 'abc');
});

test('a stale nonce is answered with the fresh challenge, once', async () => {
  await using s = new Session();
  s.auth = new HTTPDigestAuth('user', 'pass');
  const url = `${bin.url}/digest-auth/auth/user/pass/SHA-256/1`;
  assert.equal((await s.get(url)).statusCode, 200);
  const second = await s.get(url);
  assert.equal(second.statusCode, 200);
  assert.equal(second.history.length, 1);
  assert.match(second.history[0]!.headers.get('www-authenticate') ?? '', /stale=TRUE/i);
});
