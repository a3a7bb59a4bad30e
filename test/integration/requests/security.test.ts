/**
 * Regression tests for the Requests security advisories that concern the Session: each test is
 * named after its CVE and fails if the leak it describes comes back.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../../../core/requests/sessions.ts';
import { HTTPProxyAuth } from '../../../core/requests/auth.ts';
import { toExchange } from '../../../core/requests/record.ts';
import { listen, startHttpbin } from '../../../core/httpbin/server.ts';
import type { RunningHttpbin } from '../../../core/httpbin/server.ts';
import { makeCertificates } from '../../../test/servers/certs.ts';
import type { Certs } from '../../../test/servers/certs.ts';
import { startTlsServer } from '../../../test/servers/tls.ts';
import { startProxy } from '../../../test/servers/proxy.ts';

let bin: RunningHttpbin;
let certs: Certs;
let setter: { url: string; close(): Promise<void> };

before(async () => {
  bin = await startHttpbin();
  certs = await makeCertificates();
  // Sets a cookie and redirects to the same httpbin under another host name (localhost).
  const server = http.createServer((req, res) => {
    res.writeHead(302, { 'Set-Cookie': 'secret=from-127; Path=/', Location: `http://localhost:${bin.port}/cookies` });
    res.end();
  });
  setter = await listen(server, 'http');
});
after(async () => {
  await bin.close();
  await setter.close();
});

function isolatedSession(env: Record<string, string> = {}): Session {
  const s = new Session();
  s.env = env; // no proxies or netrc from the machine running the tests
  return s;
}

function headersOf(r: { json(): unknown }): Record<string, string> {
  return (r.json() as { headers: Record<string, string> }).headers;
}

const otherHost = (url: string): string => url.replace('127.0.0.1', 'localhost');

test('CVE-2014-1829: Authorization is not sent to another host after a redirect', async () => {
  await using s = isolatedSession();
  const target = `${otherHost(bin.url)}/headers`;
  const r = await s.get(`${bin.url}/redirect-to?url=${encodeURIComponent(target)}`, { auth: ['user', 'secret'] });
  assert.equal(r.url, target);
  assert.equal(headersOf(r).Authorization, undefined);
  assert.ok(r.history[0]!.request.headers.get('Authorization'), 'the first hop did carry it');
  assert.equal(toExchange(r).hops[1]!.authorizationDropped, 'host changed from 127.0.0.1 to localhost');

  // Same host: kept.
  const same = await s.get(`${bin.url}/redirect-to?url=/headers`, { auth: ['user', 'secret'] });
  assert.match(headersOf(same).Authorization ?? '', /^Basic /);
  assert.equal(toExchange(same).hops[1]!.authorizationDropped, undefined);
});

test('CVE-2014-1830: Proxy-Authorization is not forwarded on a redirect', async () => {
  await using s = isolatedSession();
  const target = `${otherHost(bin.url)}/headers`;
  for (const options of [{ auth: new HTTPProxyAuth('proxyuser', 'proxypass') }, { headers: { 'Proxy-Authorization': 'Basic c2VjcmV0' } }]) {
    const r = await s.get(`${bin.url}/redirect-to?url=${encodeURIComponent(target)}`, options);
    assert.equal(r.statusCode, 200);
    assert.equal(headersOf(r)['Proxy-Authorization'], undefined);
    assert.equal(r.request.headers.get('Proxy-Authorization'), undefined);
  }
});

test('CVE-2015-2296: a cookie set by a redirect response stays with the host that set it', async () => {
  await using s = isolatedSession();
  const r = await s.get(`${setter.url}/`);
  assert.equal(new URL(r.url).hostname, 'localhost');
  assert.deepEqual((r.json() as { cookies: Record<string, string> }).cookies, {});
  // The session keeps it for 127.0.0.1 only.
  assert.equal(s.cookies.get('secret'), 'from-127');
  const back = await s.get(`${bin.url}/cookies`);
  assert.deepEqual((back.json() as { cookies: Record<string, string> }).cookies, { secret: 'from-127' });
  const elsewhere = await s.get(`${otherHost(bin.url)}/cookies`);
  assert.deepEqual((elsewhere.json() as { cookies: Record<string, string> }).cookies, {});
});

test('CVE-2018-18074: Authorization is stripped on a redirect from https to http', async () => {
  const tlsServer = await startTlsServer({
    ...certs.valid,
    handler: (_req, res) => {
      res.writeHead(302, { Location: `${bin.url}/headers` });
      res.end();
    },
  });
  try {
    await using s = isolatedSession();
    const r = await s.get(`${tlsServer.url}/`, { auth: ['user', 'secret'], verify: certs.ca.certPath });
    assert.equal(r.url, `${bin.url}/headers`);
    assert.equal(headersOf(r).Authorization, undefined);
    assert.equal(toExchange(r).hops[1]!.authorizationDropped, 'https → http');
  } finally {
    await tlsServer.close();
  }
  // The default-port rules, which real sockets on port 0 cannot reach.
  const s = isolatedSession();
  assert.equal(s.shouldStripAuth('https://example.com/a', 'http://example.com/b'), true);
  assert.equal(s.shouldStripAuth('http://example.com/a', 'https://example.com/b'), false);
  assert.equal(s.shouldStripAuth('http://example.com:80/a', 'https://example.com:443/b'), false);
  assert.equal(s.shouldStripAuth('http://example.com:8080/a', 'https://example.com/b'), true);
  assert.equal(s.shouldStripAuth('https://example.com/a', 'https://example.com:8443/b'), true);
  assert.equal(s.shouldStripAuth('http://example.com/a', 'http://example.com:80/b'), false);
  await s.close();
});

test('CVE-2023-32681: Proxy-Authorization never reaches the origin through a tunnel after an https redirect', async () => {
  const origin = await startTlsServer({ ...certs.valid });
  const proxy = await startProxy({ auth: ['puser', 'ppass'] });
  try {
    await using s = isolatedSession();
    const proxyUrl = proxy.url.replace('://', '://puser:ppass@');
    const target = `${otherHost(origin.url)}/headers`;
    const r = await s.get(`${origin.url}/redirect-to?url=${encodeURIComponent(target)}`, {
      proxies: { http: proxyUrl, https: proxyUrl },
      verify: certs.ca.certPath,
    });
    assert.equal(r.statusCode, 200);
    assert.equal(r.url, target);
    assert.equal(headersOf(r)['Proxy-Authorization'], undefined, 'the origin must not see proxy credentials');
    const connects = proxy.seen.filter((seen) => seen.method === 'CONNECT');
    assert.ok(connects.length >= 1, 'the request went through the proxy');
    assert.ok(connects.every((seen) => typeof seen.headers['proxy-authorization'] === 'string'), 'the proxy got its credentials');
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('CVE-2024-47081: .netrc credentials go only to the URL\'s real host', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'netrc-'));
  const netrc = join(dir, 'netrc');
  writeFileSync(netrc, 'machine example.com login alice password stolen\nmachine 127.0.0.1 login bob password pw\n');
  await using s = isolatedSession({ NETRC: netrc });

  // userinfo spelling another host must not pick that host's entry.
  const tricky = `http://example.com:@127.0.0.1:${bin.port}/headers`;
  const r = await s.get(tricky);
  const sent = headersOf(r).Authorization ?? '';
  assert.ok(!Buffer.from(sent.replace(/^Basic /, ''), 'base64').toString().includes('stolen'), `sent ${sent}`);

  // The real host's entry is used when no auth is given...
  const own = await s.get(`${bin.url}/basic-auth/bob/pw`);
  assert.equal(own.statusCode, 200);
  // ...not when auth is given, and not after a redirect to another host.
  assert.equal((await s.get(`${bin.url}/basic-auth/bob/pw`, { auth: ['x', 'y'] })).statusCode, 401);
  const moved = await s.get(`${bin.url}/redirect-to?url=${encodeURIComponent(`${otherHost(bin.url)}/headers`)}`);
  assert.equal(headersOf(moved).Authorization, undefined);
});
