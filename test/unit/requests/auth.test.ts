import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HTTPBasicAuth, HTTPDigestAuth, HTTPProxyAuth, basicAuthStr, digestResponse, parseDictHeader, toAuth } from '../../../core/requests/auth.ts';
import { PreparedRequest } from '../../../core/requests/models.ts';

function prepared(url = 'http://example.com/dir/index.html?x=1'): PreparedRequest {
  const p = new PreparedRequest();
  p.prepare({ method: 'GET', url });
  return p;
}

test('Basic: the Authorization header is base64 of UTF-8 user:pass', () => {
  assert.equal(basicAuthStr('Aladdin', 'open sesame'), 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==');
  const p = prepared();
  new HTTPBasicAuth('ü', 'ß').apply(p);
  assert.equal(p.headers.get('Authorization'), `Basic ${Buffer.from('ü:ß').toString('base64')}`);
});

test('Proxy auth sets Proxy-Authorization and leaves Authorization alone', () => {
  const p = prepared();
  new HTTPProxyAuth('u', 'p').apply(p);
  assert.equal(p.headers.get('Proxy-Authorization'), 'Basic dTpw');
  assert.equal(p.headers.get('Authorization'), undefined);
});

test('non-string credentials and malformed auth are refused with a clear error', () => {
  assert.throws(() => new HTTPBasicAuth(1 as unknown as string, 'x'), /username must be a string, got number/);
  assert.throws(() => toAuth(['only-one'] as unknown as [string, string]), /auth must be \[user, password\]/);
  assert.ok(toAuth(['a', 'b']) instanceof HTTPBasicAuth);
  assert.equal(toAuth(null), undefined);
});

test('challenge parameters parse with quotes, commas inside quotes and bare tokens', () => {
  assert.deepEqual(parseDictHeader('realm="a, b", nonce="n\\"1", qop="auth,auth-int", algorithm=SHA-256, stale=FALSE'), {
    realm: 'a, b',
    nonce: 'n"1',
    qop: 'auth,auth-int',
    algorithm: 'SHA-256',
    stale: 'FALSE',
  });
});

// RFC 7616 §3.9.1: the same request digested with MD5 and with SHA-256.
const RFC7616 = {
  username: 'Mufasa',
  password: 'Circle of Life',
  realm: 'http-auth@example.org',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  method: 'GET',
  uri: '/dir/index.html',
  qop: 'auth, auth-int',
  nc: '00000001',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
};

test('Digest response values match the RFC 7616 examples (MD5 and SHA-256)', () => {
  assert.equal(digestResponse({ ...RFC7616, algorithm: 'MD5' }), '8ca523f5e9506fed4657c9700eebdbec');
  assert.equal(
    digestResponse({ ...RFC7616, algorithm: 'SHA-256' }),
    '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
  );
  assert.equal(digestResponse({ ...RFC7616, algorithm: 'SHA-256', qop: 'auth-int' }), undefined);
  assert.equal(digestResponse({ ...RFC7616, algorithm: 'WHIRLPOOL' }), undefined);
});

test('Digest sends nothing before the first challenge and registers its response hooks', () => {
  const auth = new HTTPDigestAuth('u', 'p');
  const p = prepared();
  auth.apply(p);
  assert.equal(p.headers.get('Authorization'), undefined);
  assert.equal(p.hooks.response.length, 2);
});
