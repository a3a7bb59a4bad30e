import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session, mergeHeaders, mergeHooks, mergeParams } from '../../../core/requests/sessions.ts';
import { CaseInsensitiveDict } from '../../../core/requests/structures.ts';
import { encodeParams } from '../../../core/requests/utils.ts';
import { responseFrom, PreparedRequest, Request } from '../../../core/requests/models.ts';

test('mergeParams: request keys replace session keys, order and repeats kept, null removes', () => {
  const merged = mergeParams({ b: '2', c: ['x', 'y'], drop: null }, { a: '1', b: 'old', drop: 'me' });
  assert.equal(encodeParams(merged), 'a=1&b=2&c=x&c=y');
  assert.equal(encodeParams(mergeParams([['k', '1'], ['k', '2']], new URLSearchParams('s=1'))), 's=1&k=1&k=2');
  assert.equal(encodeParams(mergeParams('raw=1', { a: '1' })), 'raw=1');
  assert.equal(encodeParams(mergeParams(null, { a: '1' })), 'a=1');
});

test('mergeHeaders: case-insensitive override, null removes, session untouched', () => {
  const session = new CaseInsensitiveDict<string>({ Accept: '*/*', 'X-Gone': '1' });
  const merged = mergeHeaders(new Map<string, string | null>([['accept', 'application/json'], ['x-gone', null]]), session);
  assert.deepEqual([...merged.entries()], [['accept', 'application/json']]);
  assert.equal(session.get('X-Gone'), '1');
});

test('mergeHooks: an event the request names replaces the session list, as in Requests', () => {
  const a = () => undefined;
  const b = () => undefined;
  assert.deepEqual(mergeHooks({ response: b }, { response: [a] }).response, [b]);
  assert.deepEqual(mergeHooks(undefined, { response: [a] }).response, [a]);
  assert.throws(() => mergeHooks({ request: a } as never, { response: [] }), /unknown hook event "request"/);
});

test('getRedirectTarget re-decodes UTF-8 bytes that arrived as latin1, leaves real text alone', async () => {
  await using s = new Session();
  const latin1 = Buffer.from('/café?q=ü', 'utf8').toString('latin1');
  const r = responseFrom({ statusCode: 302, headers: { Location: latin1 } });
  assert.equal(s.getRedirectTarget(r), '/café?q=ü');
  // Not valid UTF-8 as bytes: kept as given.
  assert.equal(s.getRedirectTarget(responseFrom({ statusCode: 301, headers: { Location: '/caf\u00e9' } })), '/caf\u00e9');
  assert.equal(s.getRedirectTarget(responseFrom({ statusCode: 200, headers: { Location: '/x' } })), undefined);
});

test('rebuildMethod: 303 → GET except HEAD; 301/302 → GET for POST only; 307/308 keep', async () => {
  await using s = new Session();
  const cases: Array<[number, string, string]> = [
    [303, 'POST', 'GET'], [303, 'PUT', 'GET'], [303, 'HEAD', 'HEAD'],
    [302, 'POST', 'GET'], [301, 'POST', 'GET'], [302, 'PUT', 'PUT'], [301, 'DELETE', 'DELETE'],
    [307, 'POST', 'POST'], [308, 'PUT', 'PUT'],
  ];
  for (const [status, method, expected] of cases) {
    const p = new PreparedRequest();
    p.prepare({ method, url: 'http://example.com/' });
    s.rebuildMethod(p, responseFrom({ statusCode: status, headers: { Location: '/' } }));
    assert.equal(p.method, expected, `${method} after ${status}`);
  }
});

test('authStripReason names why Authorization is dropped', async () => {
  await using s = new Session();
  assert.equal(s.authStripReason('http://a.test/', 'http://b.test/'), 'host changed from a.test to b.test');
  assert.equal(s.authStripReason('https://a.test/', 'http://a.test/'), 'https → http');
  assert.equal(s.authStripReason('http://a.test:8080/', 'http://a.test:9090/'), 'port changed from 8080 to 9090');
  assert.equal(s.authStripReason('http://a.test/x', 'http://a.test/y'), undefined);
});

test('process.env is read when the Session is made and when env is assigned; a plain object is read live', async () => {
  const names = ['HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'];
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  const settings = (s: Session) => s.mergeEnvironmentSettings('https://a.test/', null, undefined, undefined, undefined);
  try {
    for (const name of names) delete process.env[name];
    process.env.HTTPS_PROXY = 'http://first:3128';
    process.env.REQUESTS_CA_BUNDLE = '/first/ca.pem';
    await using s = new Session();
    process.env.HTTPS_PROXY = 'http://second:3128';
    process.env.REQUESTS_CA_BUNDLE = '/second/ca.pem';
    assert.deepEqual([settings(s).proxies, settings(s).verify], [{ https: 'http://first:3128' }, '/first/ca.pem']);
    s.env = process.env;
    assert.deepEqual([settings(s).proxies, settings(s).verify], [{ https: 'http://second:3128' }, '/second/ca.pem']);
    assert.equal(s.env, process.env, 'env still reads back as what was assigned');
    const own: Record<string, string | undefined> = {};
    s.env = own;
    own.HTTPS_PROXY = 'http://live:1';
    assert.deepEqual(settings(s).proxies, { https: 'http://live:1' });
  } finally {
    for (const name of names) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
});

test('mergeEnvironmentSettings: request, then session, then environment', async () => {
  await using s = new Session();
  s.env = { HTTPS_PROXY: 'http://env-proxy:3128', REQUESTS_CA_BUNDLE: '/env/ca.pem', NO_PROXY: 'direct.test' };
  assert.deepEqual(s.mergeEnvironmentSettings('https://a.test/', null, undefined, undefined, undefined), {
    proxies: { https: 'http://env-proxy:3128' },
    stream: false,
    verify: '/env/ca.pem',
    cert: undefined,
  });
  s.proxies = { https: 'http://session-proxy:1' };
  s.verify = '/session/ca.pem';
  s.stream = true;
  const merged = s.mergeEnvironmentSettings('https://a.test/', { https: 'http://request-proxy:2' }, false, false, 'c.pem');
  assert.deepEqual(merged, { proxies: { https: 'http://request-proxy:2' }, stream: false, verify: false, cert: 'c.pem' });
  assert.deepEqual(s.mergeEnvironmentSettings('https://direct.test/', null, undefined, undefined, undefined).proxies, {
    https: 'http://session-proxy:1',
  });
  s.proxies = {};
  assert.deepEqual(s.mergeEnvironmentSettings('https://direct.test/', null, undefined, undefined, undefined).proxies, {});
});

test('options a subclass adds (even under a symbol) reach the adapter on every hop of a redirect', async () => {
  const MARK = Symbol('mark');
  const seen: Array<[string, unknown]> = [];
  await using s = new Session();
  s.env = {};
  s.mount('http://', {
    async send(request: PreparedRequest, options: Record<PropertyKey, unknown> = {}) {
      seen.push([request.url, options[MARK]]);
      const redirect = request.url.endsWith('/first');
      return responseFrom({ statusCode: redirect ? 302 : 200, headers: redirect ? { Location: '/second' } : {}, url: request.url, request });
    },
    async close() {},
  });
  const prepared = s.prepareRequest(new Request({ method: 'GET', url: 'http://a.test/first' }));
  const r = await s.send(prepared, { [MARK]: 'kept' } as Parameters<Session['send']>[1]);
  assert.equal(r.statusCode, 200);
  assert.deepEqual(seen, [['http://a.test/first', 'kept'], ['http://a.test/second', 'kept']]);
});
