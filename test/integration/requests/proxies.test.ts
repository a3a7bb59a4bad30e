import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../../core/requests/sessions.ts';
import { ProxyError } from '../../../core/requests/exceptions.ts';
import { startHttpbin } from '../../../core/httpbin/server.ts';
import type { RunningHttpbin } from '../../../core/httpbin/server.ts';
import { startProxy } from '../../../test/servers/proxy.ts';
import type { RunningProxy } from '../../../test/servers/proxy.ts';
import { makeCertificates } from '../../../test/servers/certs.ts';
import type { Certs } from '../../../test/servers/certs.ts';
import { startTlsServer } from '../../../test/servers/tls.ts';

let bin: RunningHttpbin;
let proxy: RunningProxy;
let other: RunningProxy;
let certs: Certs;

before(async () => {
  bin = await startHttpbin();
  proxy = await startProxy();
  other = await startProxy();
  certs = await makeCertificates();
});
after(async () => {
  await bin.close();
  await proxy.close();
  await other.close();
});

function sessionWithEnv(env: Record<string, string>): Session {
  const s = new Session();
  s.env = env;
  return s;
}

const through = (p: RunningProxy, url: string): boolean => p.seen.some((seen) => seen.target === url || url.includes(seen.target));

test('HTTP_PROXY from the environment is used (either case)', async () => {
  for (const name of ['HTTP_PROXY', 'http_proxy']) {
    await using s = sessionWithEnv({ [name]: proxy.url });
    const url = `${bin.url}/get?via=${name}`;
    const r = await s.get(url);
    assert.equal(r.statusCode, 200);
    assert.ok(through(proxy, url), `${name} was not used`);
  }
});

test('NO_PROXY bypasses the environment proxy', async () => {
  await using s = sessionWithEnv({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
  const url = `${bin.url}/get?via=no-proxy`;
  assert.equal((await s.get(url)).statusCode, 200);
  assert.ok(!through(proxy, url));
});

test('precedence: request proxies, then session proxies, then the environment', async () => {
  await using s = sessionWithEnv({ HTTP_PROXY: other.url });
  s.proxies = { http: proxy.url };
  const sessionUrl = `${bin.url}/get?via=session`;
  await s.get(sessionUrl);
  assert.ok(through(proxy, sessionUrl), 'session proxy beats the environment');
  assert.ok(!through(other, sessionUrl));
  const requestUrl = `${bin.url}/get?via=request`;
  await s.get(requestUrl, { proxies: { http: other.url } });
  assert.ok(through(other, requestUrl), 'request proxy beats the session');
});

test('trustEnv = false ignores environment proxies', async () => {
  await using s = sessionWithEnv({ HTTP_PROXY: proxy.url });
  s.trustEnv = false;
  const url = `${bin.url}/get?via=untrusted`;
  await s.get(url);
  assert.ok(!through(proxy, url));
});

test('a proxy needing auth gets it from the proxy URL', async () => {
  const guarded = await startProxy({ auth: ['pu', 'pp'] });
  try {
    await using s = sessionWithEnv({});
    const withCreds = guarded.url.replace('://', '://pu:pp@');
    assert.equal((await s.get(`${bin.url}/get`, { proxies: { http: withCreds } })).statusCode, 200);
    await assert.rejects(s.get(`${bin.url}/get`, { proxies: { http: guarded.url } }), ProxyError);
  } finally {
    await guarded.close();
  }
});

test('https goes through a CONNECT tunnel; env proxies are re-resolved on each redirect hop', async () => {
  const origin = await startTlsServer({ ...certs.valid });
  try {
    await using s = sessionWithEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost' });
    const target = `${origin.url.replace('127.0.0.1', 'localhost')}/get`;
    const r = await s.get(`${origin.url}/redirect-to?url=${encodeURIComponent(target)}`, { verify: certs.ca.certPath });
    assert.equal(r.statusCode, 200);
    const port = new URL(origin.url).port;
    assert.ok(proxy.seen.some((seen) => seen.method === 'CONNECT' && seen.target === `127.0.0.1:${port}`));
    assert.ok(!proxy.seen.some((seen) => seen.target === `localhost:${port}`), 'NO_PROXY host went direct');
  } finally {
    await origin.close();
  }
});
