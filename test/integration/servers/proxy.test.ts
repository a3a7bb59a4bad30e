// The forward proxy relays absolute-form requests, tunnels CONNECT to TLS servers, insists on
// credentials when configured, and never leaves the machine.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { ProxyAgent, request } from 'undici';
import { startHttpbin, type RunningHttpbin } from '../../../core/httpbin/server.ts';
import { makeCertificates } from '../../servers/certs.ts';
import { startProxy } from '../../servers/proxy.ts';
import { startTlsServer } from '../../servers/tls.ts';

let bin: RunningHttpbin;
before(async () => {
  bin = await startHttpbin();
});
after(async () => {
  await bin.close();
});

/** A proxy-style request over node:http: absolute-form target sent to the proxy. */
function viaProxy(proxyUrl: string, target: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const proxy = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    http
      .get({ host: proxy.hostname, port: proxy.port, path: target, headers, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

test('forwards an absolute-form request and records it; hop-by-hop proxy headers do not reach the origin', async () => {
  const proxy = await startProxy();
  try {
    const r = await viaProxy(proxy.url, `${bin.url}/headers`, { 'x-mine': '1', 'proxy-authorization': basic('a', 'b') });
    assert.equal(r.status, 200);
    const headers = (JSON.parse(r.body) as { headers: Record<string, string> }).headers;
    assert.equal(headers['X-Mine'], '1');
    assert.equal(headers['Proxy-Authorization'], undefined);
    assert.equal(headers.Via, '1.1 ricochet-test-proxy');
    assert.deepEqual(proxy.seen.map((s) => [s.method, s.target]), [['GET', `${bin.url}/headers`]]);
    assert.equal(proxy.seen[0]?.headers['x-mine'], '1');
  } finally {
    await proxy.close();
  }
});

test('with auth: 407 + Proxy-Authenticate without or with wrong credentials, forwarded with the right ones', async () => {
  const proxy = await startProxy({ auth: ['user', 'pass'] });
  try {
    const missing = await viaProxy(proxy.url, `${bin.url}/get`);
    assert.equal(missing.status, 407);
    assert.match(String(missing.headers['proxy-authenticate']), /^Basic realm=/);
    assert.equal((await viaProxy(proxy.url, `${bin.url}/get`, { 'proxy-authorization': basic('user', 'nope') })).status, 407);
    assert.equal((await viaProxy(proxy.url, `${bin.url}/get`, { 'proxy-authorization': basic('user', 'pass') })).status, 200);
    assert.equal(proxy.seen.length, 3);
  } finally {
    await proxy.close();
  }
});

test('CONNECT tunnels to an https server (undici ProxyAgent), with and without proxy auth', async () => {
  const certs = await makeCertificates();
  const tlsServer = await startTlsServer({ cert: certs.valid.cert, key: certs.valid.key });
  const open = await startProxy();
  const guarded = await startProxy({ auth: ['user', 'pass'] });
  try {
    const agent = new ProxyAgent({ uri: open.url, requestTls: { ca: certs.ca.cert } });
    const r = await request(`${tlsServer.url}/get`, { dispatcher: agent });
    assert.equal(r.statusCode, 200);
    assert.equal(((await r.body.json()) as { url: string }).url, `${tlsServer.url}/get`);
    assert.deepEqual(open.seen.map((s) => [s.method, s.target]), [['CONNECT', `127.0.0.1:${tlsServer.port}`]]);
    await agent.close();

    const noCredentials = new ProxyAgent({ uri: guarded.url, requestTls: { ca: certs.ca.cert } });
    await assert.rejects(request(`${tlsServer.url}/get`, { dispatcher: noCredentials }), /407|Proxy/i);
    await noCredentials.close();
    const withCredentials = new ProxyAgent({ uri: guarded.url, token: basic('user', 'pass'), requestTls: { ca: certs.ca.cert } });
    const ok = await request(`${tlsServer.url}/get`, { dispatcher: withCredentials });
    assert.equal(ok.statusCode, 200);
    await ok.body.dump();
    await withCredentials.close();
  } finally {
    await Promise.all([open.close(), guarded.close(), tlsServer.close()]);
  }
});

test('non-loopback targets get 502 and are never contacted', async () => {
  const proxy = await startProxy();
  try {
    const r = await viaProxy(proxy.url, 'http://example.invalid/get');
    assert.equal(r.status, 502);
    assert.match(r.body, /loopback targets only/);
    const agent = new ProxyAgent({ uri: proxy.url });
    await assert.rejects(request('https://example.invalid/', { dispatcher: agent }));
    await agent.close();
    assert.deepEqual(proxy.seen.map((s) => s.method), ['GET', 'CONNECT']);
  } finally {
    await proxy.close();
  }
});

test('hosts maps made-up domains to a loopback port (for cookie-scoping tests), keeping the Host header', async () => {
  const proxy = await startProxy({ hosts: { 'shop.example.com': bin.port } });
  try {
    const r = await viaProxy(proxy.url, 'http://shop.example.com/headers');
    assert.equal(r.status, 200);
    assert.equal((JSON.parse(r.body) as { headers: Record<string, string> }).headers.Host, 'shop.example.com');
    assert.equal((await viaProxy(proxy.url, 'http://other.example.com/headers')).status, 502);
  } finally {
    await proxy.close();
  }
});
