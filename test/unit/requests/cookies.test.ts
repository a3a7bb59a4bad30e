import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  RequestsCookieJar,
  cookiejarFromDict,
  addDictToCookiejar,
  dictFromCookiejar,
  getCookieHeader,
  extractCookiesToJar,
  mergeCookies,
} from '../../../core/requests/cookies.ts';
import { CookieConflictError } from '../../../core/requests/exceptions.ts';

test('a hand-set cookie without a domain is sent to every host, like Requests', () => {
  const jar = new RequestsCookieJar();
  jar.set('token', 'abc');
  assert.equal(getCookieHeader(jar, { url: 'http://127.0.0.1:1234/any/path' }), 'token=abc');
  assert.equal(getCookieHeader(jar, { url: 'https://example.org/' }), 'token=abc');
});

test('get returns undefined for a missing name and the value otherwise', () => {
  const jar = cookiejarFromDict({ a: '1', b: '2' });
  assert.equal(jar.get('a'), '1');
  assert.equal(jar.get('missing'), undefined);
  assert.deepEqual(dictFromCookiejar(jar), { a: '1', b: '2' });
  assert.deepEqual(jar.keys(), ['a', 'b']);
  assert.deepEqual(jar.values(), ['1', '2']);
  assert.deepEqual(jar.items(), [['a', '1'], ['b', '2']]);
});

test('a name on two domains raises CookieConflictError unless narrowed by domain', () => {
  const jar = new RequestsCookieJar();
  jar.set('sid', 'one', { domain: 'a.example' });
  jar.set('sid', 'two', { domain: 'b.example' });
  assert.throws(() => jar.get('sid'), CookieConflictError);
  assert.equal(jar.get('sid', { domain: 'b.example' }), 'two');
  assert.equal(jar.multipleDomains(), true);
  assert.deepEqual(jar.listDomains().sort(), ['a.example', 'b.example']);
  assert.deepEqual(jar.getDict('a.example'), { sid: 'one' });
});

test('Set-Cookie is scoped to the host that set it; host-only stays host-only', () => {
  const jar = new RequestsCookieJar();
  extractCookiesToJar(jar, { url: 'http://api.example.com/login' }, ['host=1; Path=/', 'dom=2; Domain=example.com; Path=/']);
  assert.equal(getCookieHeader(jar, { url: 'http://api.example.com/' }), 'host=1; dom=2');
  assert.equal(getCookieHeader(jar, { url: 'http://www.example.com/' }), 'dom=2');
  assert.equal(getCookieHeader(jar, { url: 'http://evil.test/' }), undefined);
});

test('a cookie for a public suffix is rejected', () => {
  const jar = new RequestsCookieJar();
  extractCookiesToJar(jar, { url: 'http://shop.example.co.uk/' }, ['wide=1; Domain=co.uk']);
  assert.equal(jar.size, 0);
});

test('a Secure cookie is never sent over http, even to 127.0.0.1', () => {
  const jar = new RequestsCookieJar();
  extractCookiesToJar(jar, { url: 'https://127.0.0.1/' }, ['s=1; Secure; Path=/']);
  jar.set('hand', 'x', { secure: true });
  assert.equal(getCookieHeader(jar, { url: 'http://127.0.0.1/' }), undefined);
  assert.equal(getCookieHeader(jar, { url: 'https://127.0.0.1/' }), 's=1; hand=x');
});

test('path-scoped cookies go only under their path, longest path first', () => {
  const jar = new RequestsCookieJar();
  jar.set('root', 'r', { domain: 'example.com', path: '/' });
  jar.set('deep', 'd', { domain: 'example.com', path: '/api' });
  assert.equal(getCookieHeader(jar, { url: 'http://example.com/api/users' }), 'deep=d; root=r');
  assert.equal(getCookieHeader(jar, { url: 'http://example.com/other' }), 'root=r');
  assert.deepEqual(jar.listPaths().sort(), ['/', '/api']);
});

test('set(name, null), delete and clear remove cookies', () => {
  const jar = cookiejarFromDict({ a: '1', b: '2', c: '3' });
  jar.set('a', null);
  assert.equal(jar.get('a'), undefined);
  assert.equal(jar.delete('b'), true);
  assert.equal(jar.delete('b'), false);
  jar.set('x', '1', { domain: 'example.com' });
  jar.clear('example.com');
  assert.deepEqual(jar.keys(), ['c']);
  jar.clear();
  assert.equal(jar.size, 0);
});

test('expired and session cookies can be cleared; expired ones are never sent', () => {
  const jar = new RequestsCookieJar();
  jar.set('old', '1', { domain: 'example.com', expires: new Date(Date.now() - 60_000) });
  jar.set('keep', '2', { domain: 'example.com', maxAge: 3600 });
  jar.set('session', '3', { domain: 'example.com' });
  assert.equal(getCookieHeader(jar, { url: 'http://example.com/' }), 'keep=2; session=3');
  jar.clearExpiredCookies();
  assert.deepEqual(jar.keys().sort(), ['keep', 'session']);
  jar.clearSessionCookies();
  assert.deepEqual(jar.keys(), ['keep']);
});

test('copy is independent; update and addDictToCookiejar add cookies', () => {
  const jar = cookiejarFromDict({ a: '1' });
  const copy = jar.copy();
  copy.set('b', '2');
  assert.equal(jar.get('b'), undefined);
  jar.update(copy);
  addDictToCookiejar(jar, { c: '3' });
  assert.deepEqual(jar.getDict(), { a: '1', b: '2', c: '3' });
});

test('cookiejarFromDict with overwrite false keeps existing names', () => {
  const jar = cookiejarFromDict({ a: 'old' });
  cookiejarFromDict({ a: 'new', b: '2' }, jar, false);
  assert.deepEqual(jar.getDict(), { a: 'old', b: '2' });
});

test('mergeCookies: per-request cookies replace same-named session cookies', () => {
  const session = new RequestsCookieJar();
  extractCookiesToJar(session, { url: 'http://example.com/' }, ['a=session; Path=/', 'b=kept; Path=/']);
  const merged = mergeCookies(session.copy(), { a: 'request' });
  assert.equal(getCookieHeader(merged, { url: 'http://example.com/' }), 'b=kept; a=request');
  assert.equal(session.get('a'), 'session');
});

test('toJSON / fromJSON round-trip keeps domain, path, expiry and flags', () => {
  const jar = new RequestsCookieJar();
  extractCookiesToJar(jar, { url: 'https://example.com/x' }, ['a=1; Path=/x; Secure; HttpOnly; Max-Age=3600']);
  jar.set('any', 'host');
  const back = RequestsCookieJar.fromJSON(JSON.stringify(jar));
  assert.equal(getCookieHeader(back, { url: 'https://example.com/x/y' }), 'a=1; any=host');
  assert.equal(getCookieHeader(back, { url: 'http://example.com/x/y' }), 'any=host');
  assert.throws(() => RequestsCookieJar.fromJSON('{"nope":1}'), /expected \{ cookies/);
});

test('invalid cookie names are refused with a clear error', () => {
  assert.throws(() => new RequestsCookieJar().set('bad name', 'v'), /cookie name "bad name"/);
});

test('property: a jar survives JSON and copy with the same Cookie header for any URL', () => {
  const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/);
  const value = fc.stringMatching(/^[A-Za-z0-9%._-]{0,10}$/);
  const host = fc.constantFrom('example.com', 'a.example.com', '127.0.0.1', 'other.test');
  const path = fc.constantFrom('/', '/a', '/a/b');
  fc.assert(
    fc.property(
      fc.array(fc.record({ name, value, host, path, secure: fc.boolean(), anyHost: fc.boolean() }), { maxLength: 8 }),
      host,
      path,
      fc.boolean(),
      (cookies, urlHost, urlPath, https) => {
        const jar = new RequestsCookieJar();
        for (const c of cookies) {
          if (c.anyHost) jar.set(c.name, c.value, { path: c.path, secure: c.secure });
          else extractCookiesToJar(jar, { url: `https://${c.host}${c.path}` }, [`${c.name}=${c.value}; Path=${c.path}${c.secure ? '; Secure' : ''}`]);
        }
        const url = `${https ? 'https' : 'http'}://${urlHost}${urlPath}`;
        const header = getCookieHeader(jar, { url });
        assert.equal(getCookieHeader(RequestsCookieJar.fromJSON(JSON.stringify(jar)), { url }), header);
        assert.equal(getCookieHeader(jar.copy(), { url }), header);
        if (!https) assert.ok(!cookies.some((c) => c.secure && header?.split('; ').includes(`${c.name}=${c.value}`) && !cookies.some((d) => !d.secure && d.name === c.name && d.value === c.value)));
      },
    ),
    { numRuns: 200 },
  );
});
