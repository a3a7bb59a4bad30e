import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PreparedRequest, responseFrom } from '../../../core/requests/models.ts';
import { toExchange, errorExchange, noteAuthorizationDropped, noteHistory, parseSetCookie, parseCookieHeader } from '../../../core/requests/record.ts';
import { ConnectionError } from '../../../core/requests/exceptions.ts';
import { exchangeFromJSON, exchangeToJSON } from '../../../core/requests/exchange.ts';

function prep(url: string, headers: Record<string, string> = {}): PreparedRequest {
  const p = new PreparedRequest();
  p.prepare({ method: 'GET', url, headers });
  return p;
}

test('toExchange: one hop per response, history first, duplicate headers kept, cookies parsed', () => {
  const first = responseFrom({ statusCode: 302, reason: 'Found', headers: { Location: 'http://b.test/' }, url: 'http://a.test/', request: prep('http://a.test/', { Authorization: 'Basic eA==', Cookie: 'a=1; b=2' }) });
  first.rawHeaders = [['Location', 'http://b.test/'], ['Set-Cookie', 'x=1; Path=/; HttpOnly'], ['Set-Cookie', 'y=2; Domain=a.test; Max-Age=60; Secure; SameSite=Lax']];
  const secondRequest = prep('http://b.test/');
  noteAuthorizationDropped(secondRequest, 'host changed from a.test to b.test');
  const final = responseFrom({ statusCode: 200, reason: 'OK', headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: 'héllo', url: 'http://b.test/', request: secondRequest });
  final.history = [first];
  final.contentEncoding = ['gzip'];
  final.wireSize = 25;

  const ex = toExchange(final, { id: 'fixed', notices: ['n'] });
  assert.equal(ex.id, 'fixed');
  assert.equal(ex.hops.length, 2);
  assert.deepEqual(ex.hops.map((h) => h.response?.statusCode), [302, 200]);
  assert.deepEqual(ex.hops[0]!.response?.headers.filter(([n]) => n === 'Set-Cookie').length, 2);
  assert.deepEqual(ex.hops[0]!.cookiesSent, [{ name: 'a', value: '1' }, { name: 'b', value: '2' }]);
  assert.deepEqual(ex.hops[0]!.cookiesSet.map((c) => [c.name, c.httpOnly ?? false, c.secure ?? false, c.hostOnly]), [
    ['x', true, false, true],
    ['y', false, true, false],
  ]);
  assert.equal(ex.hops[0]!.authorizationDropped, undefined);
  assert.equal(ex.hops[1]!.authorizationDropped, 'host changed from a.test to b.test');
  assert.equal(new TextDecoder().decode(ex.body!.bytes), 'héllo');
  assert.equal(ex.body!.contentType, 'text/plain; charset=utf-8');
  assert.equal(ex.body!.charset, 'utf-8');
  assert.equal(ex.body!.wireSize, 25);
  assert.deepEqual(ex.body!.contentEncoding, ['gzip']);
  assert.deepEqual(ex.notices, ['n']);
  // It survives the JSON round trip history uses.
  assert.deepEqual(exchangeFromJSON(exchangeToJSON(ex)).body!.bytes, ex.body!.bytes);
});

test('errorExchange: hops before the failure, then the failed request without a response', () => {
  const request = prep('http://down.test/x', { Cookie: 'k=v' });
  const redirect = responseFrom({ statusCode: 301, headers: { Location: 'http://down.test/x' }, url: 'http://up.test/', request: prep('http://up.test/') });
  const error = new ConnectionError('connect ECONNREFUSED 127.0.0.1:1', { request });
  noteHistory(error, [redirect]);
  const ex = errorExchange(error, request);
  assert.deepEqual(ex.error, { name: 'ConnectionError', message: 'connect ECONNREFUSED 127.0.0.1:1' });
  assert.equal(ex.hops.length, 2);
  assert.equal(ex.hops[0]!.response?.statusCode, 301);
  assert.equal(ex.hops[1]!.response, undefined);
  assert.equal(ex.hops[1]!.request.url, 'http://down.test/x');
  assert.deepEqual(ex.hops[1]!.cookiesSent, [{ name: 'k', value: 'v' }]);
  assert.equal(ex.body, undefined);
});

test('cookie parsing helpers', () => {
  assert.deepEqual(parseCookieHeader('a=1;b=x=y; c'), [{ name: 'a', value: '1' }, { name: 'b', value: 'x=y' }, { name: '', value: 'c' }]);
  assert.equal(parseSetCookie('')?.name, undefined);
  assert.equal(parseSetCookie('id=7; Expires=Wed, 21 Oct 2037 07:28:00 GMT')?.expires, '2037-10-21T07:28:00.000Z');
});
