// Proxies: http through absolute-form forwarding, https through CONNECT, proxy credentials sent
// to the proxy only (CVE-2023-32681, the adapter's half), and ProxyError when the proxy refuses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startHttpbin, type RunningHttpbin, type RunningServer } from '../../../core/httpbin/server.ts';
import { makeCertificates, type Certs } from '../../servers/certs.ts';
import { startTlsServer } from '../../servers/tls.ts';
import { startProxy, type RunningProxy } from '../../servers/proxy.ts';
import { HTTPAdapter, type SendOptions } from '../../../core/requests/adapters.ts';
import { Request } from '../../../core/requests/models.ts';
import { HTTPProxyAuth } from '../../../core/requests/auth.ts';
import { InvalidProxyURL, ProxyError } from '../../../core/requests/exceptions.ts';

let certs: Certs;
let origin: RunningHttpbin;
let secureOrigin: RunningServer;
let open: RunningProxy;
let guarded: RunningProxy;
const adapter = new HTTPAdapter();

before(async () => {
  certs = await makeCertificates();
  [origin, secureOrigin, open, guarded] = await Promise.all([
    startHttpbin(),
    startTlsServer({ cert: certs.valid.cert, key: certs.valid.key }),
    startProxy(),
    startProxy({ auth: ['pxuser', 'px pass'] }),
  ]);
});

after(async () => {
  await adapter.close();
  await Promise.all([origin, secureOrigin, open, guarded].map((s) => s?.close()));
});

const withAuth = (proxy: RunningProxy, user = 'pxuser', pass = 'px%20pass') => proxy.url.replace('://', `://${user}:${pass}@`);
const expectedProxyAuth = `Basic ${Buffer.from('pxuser:px pass').toString('base64')}`;

function get(url: string, options: SendOptions = {}, auth?: HTTPProxyAuth) {
  return adapter.send(new Request({ method: 'GET', url, ...(auth ? { auth } : {}) }).prepare(), { timeout: 10_000, ...options });
}

function echoedHeaders(body: unknown): Record<string, string> {
  const headers = (body as { headers: Record<string, string> }).headers;
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

describe('proxies', () => {
  test('http goes to the proxy in absolute form', async () => {
    const before = open.seen.length;
    const r = await get(`${origin.url}/get?x=1`, { proxies: { http: open.url } });
    assert.equal(r.statusCode, 200);
    const seen = open.seen.slice(before);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.method, 'GET');
    assert.equal(seen[0]!.target, `${origin.url}/get?x=1`);
  });

  test('https goes through a CONNECT tunnel; TLS is verified against the origin', async () => {
    const before = open.seen.length;
    const r = await get(`${secureOrigin.url}/get`, { proxies: { https: open.url }, verify: certs.ca.certPath });
    assert.equal(r.statusCode, 200);
    assert.equal(r.tls?.authorized, true);
    assert.ok(r.timings.connect > 0, 'tunnel setup is reported as connect time');
    assert.deepEqual(open.seen.slice(before).map((s) => [s.method, s.target]), [['CONNECT', `127.0.0.1:${secureOrigin.port}`]]);
  });

  test('proxy URL userinfo → Proxy-Authorization to the proxy (http forwarding)', async () => {
    const before = guarded.seen.length;
    const r = await get(`${origin.url}/headers`, { proxies: { http: withAuth(guarded) } });
    assert.equal(r.statusCode, 200);
    assert.equal(guarded.seen[before]!.headers['proxy-authorization'], expectedProxyAuth);
  });

  test('CVE-2023-32681: proxy credentials go in CONNECT only, never through the tunnel to the origin', async () => {
    const before = guarded.seen.length;
    const r = await get(`${secureOrigin.url}/headers`, { proxies: { https: withAuth(guarded) }, verify: certs.ca.certPath });
    assert.equal(r.statusCode, 200);
    assert.equal(guarded.seen[before]!.method, 'CONNECT');
    assert.equal(guarded.seen[before]!.headers['proxy-authorization'], expectedProxyAuth);
    assert.equal(echoedHeaders(r.json())['proxy-authorization'], undefined, 'origin never sees proxy credentials');
    assert.ok(!r.requestAsSent.headers.some(([n]) => n.toLowerCase() === 'proxy-authorization'));
  });

  test('HTTPProxyAuth header is used for the proxy and not forwarded to the origin', async () => {
    const before = guarded.seen.length;
    const r = await get(`${secureOrigin.url}/headers`, { proxies: { https: guarded.url }, verify: certs.ca.certPath }, new HTTPProxyAuth('pxuser', 'px pass'));
    assert.equal(r.statusCode, 200);
    assert.equal(guarded.seen[before]!.headers['proxy-authorization'], expectedProxyAuth);
    assert.equal(echoedHeaders(r.json())['proxy-authorization'], undefined);
    // Without any proxy, a Proxy-Authorization header is not sent to the origin either.
    const direct = await get(`${origin.url}/headers`, {}, new HTTPProxyAuth('pxuser', 'px pass'));
    assert.equal(echoedHeaders(direct.json())['proxy-authorization'], undefined);
  });

  test('407 from the proxy → ProxyError (http and CONNECT), adapter still usable', async () => {
    await assert.rejects(() => get(`${origin.url}/get`, { proxies: { http: guarded.url } }), (e: unknown) => {
      assert.ok(e instanceof ProxyError, String(e));
      assert.match(e.message, /407/);
      return true;
    });
    await assert.rejects(() => get(`${secureOrigin.url}/get`, { proxies: { https: guarded.url }, verify: certs.ca.certPath }), (e: unknown) => {
      assert.ok(e instanceof ProxyError, String(e));
      assert.match(e.message, new RegExp(`407.*127\\.0\\.0\\.1:${secureOrigin.port}`));
      return true;
    });
    const r = await get(`${origin.url}/get`, { proxies: { http: withAuth(guarded) } });
    assert.equal(r.statusCode, 200);
  });

  test('CONNECT refused by the proxy (upstream down) → ProxyError', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await assert.rejects(() => get(`https://127.0.0.1:${port}/`, { proxies: { https: open.url } }), ProxyError);
  });

  test('unreachable proxy → ProxyError naming the proxy', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await assert.rejects(() => get(`${origin.url}/get`, { proxies: { http: `http://127.0.0.1:${port}` } }), (e: unknown) => {
      assert.ok(e instanceof ProxyError, String(e));
      assert.match(e.message, new RegExp(`proxy 127\\.0\\.0\\.1:${port}`));
      return true;
    });
  });

  test('a proxy URL without a host → InvalidProxyURL before any I/O', async () => {
    await assert.rejects(() => get(`${origin.url}/get`, { proxies: { http: 'http://' } }), InvalidProxyURL);
  });

  test('a proxy URL without a scheme is taken as http://', async () => {
    const r = await get(`${origin.url}/get`, { proxies: { http: open.url.replace('http://', '') } });
    assert.equal(r.statusCode, 200);
  });
});
