// The editor's settings reach the core as a user expects: VS Code's http.proxy, a CA bundle,
// client certificates per host, and a TLS failure explained with what to do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHttpbin } from '../../../core/httpbin/server.ts';
import type { RunningHttpbin } from '../../../core/httpbin/server.ts';
import { Runner } from '../../../core/language/runner.ts';
import { makeCertificates } from '../../servers/certs.ts';
import type { Certs } from '../../servers/certs.ts';
import { startTlsServer } from '../../servers/tls.ts';
import { startProxy } from '../../servers/proxy.ts';
import { readSettings, runnerOptionsFrom } from '../../../extension/settings.ts';
import { SessionRegistry, applySettings } from '../../../extension/sessions.ts';
import { describeError } from '../../../extension/describe.ts';

let httpbin: RunningHttpbin;
let certs: Certs;
before(async () => {
  httpbin = await startHttpbin();
  certs = await makeCertificates();
});
after(async () => {
  await httpbin.close();
});

/** Sends one request the way the extension does: settings → session + runner options. */
async function send(values: Record<string, unknown>, url: string) {
  const { settings, problems } = readSettings((key) => values[key]);
  assert.deepEqual(problems, []);
  const registry = new SessionRegistry({ dir: fs.mkdtempSync(path.join(os.tmpdir(), 'ricochet-settings-')), configure: (s) => applySettings(s, settings) });
  const runner = new Runner({ ...runnerOptionsFrom(settings), session: await registry.get(undefined) });
  try {
    return await runner.runRequest({ path: path.join(os.tmpdir(), 'settings.http'), text: `GET ${url}\n` }, 0);
  } finally {
    await runner.close();
    await registry.dispose();
  }
}

test('VS Code http.proxy is used for requests', async () => {
  const proxy = await startProxy({ hosts: { 'shop.example.test': httpbin.port } });
  try {
    const exchange = await send({ 'http.proxy': proxy.url }, 'http://shop.example.test/get');
    assert.equal(exchange.error, undefined);
    assert.equal(exchange.hops.at(-1)?.response?.statusCode, 200);
    assert.ok(proxy.seen.some((r) => r.target.startsWith('http://shop.example.test/get')), 'the proxy saw the request');
  } finally {
    await proxy.close();
  }
});

test('ricochet.caBundle trusts a private CA and ricochet.certificates sends the client certificate for that host only', async () => {
  const server = await startTlsServer({ cert: certs.valid.cert, key: certs.valid.key, ca: certs.ca.cert, requestCert: true });
  try {
    const withCert = await send({
      'ricochet.caBundle': certs.ca.certPath,
      'ricochet.certificates': { [`127.0.0.1:${server.port}`]: { cert: certs.client.certPath, key: certs.client.keyPath } },
    }, `${server.url}/tls`);
    assert.equal(withCert.error, undefined, withCert.error?.message);
    const body = JSON.parse(new TextDecoder().decode(withCert.body!.bytes)) as { clientCertificate?: unknown };
    assert.ok(body.clientCertificate, 'the server saw the client certificate');

    const otherHost = await send({ 'ricochet.caBundle': certs.ca.certPath, 'ricochet.certificates': { 'localhost:1': { cert: certs.client.certPath, key: certs.client.keyPath } } }, `${server.url}/tls`);
    assert.ok(otherHost.error, 'without its certificate the handshake is refused');
  } finally {
    await server.close();
  }
});

test('an expired certificate fails with a message that says what to do', async () => {
  const server = await startTlsServer({ cert: certs.expired.cert, key: certs.expired.key });
  try {
    const exchange = await send({ 'ricochet.caBundle': certs.ca.certPath }, `${server.url}/get`);
    assert.equal(exchange.error?.name, 'SSLError');
    assert.equal(describeError(exchange), `TLS: certificate has expired for 127.0.0.1:${server.port} (line 1) — set ricochet.verify or add the CA with ricochet.caBundle.`);
    const insecure = await send({ 'ricochet.verify': false }, `${server.url}/get`);
    assert.equal(insecure.hops.at(-1)?.response?.statusCode, 200, 'ricochet.verify=false lets the user through');
  } finally {
    await server.close();
  }
});

test('http.proxyStrictSSL: false skips certificate checks for requests through http.proxy only', async () => {
  // A proxy that re-signs TLS (here: a self-signed server behind the proxy's pretend DNS).
  const server = await startTlsServer({ cert: certs.selfSigned.cert, key: certs.selfSigned.key });
  const proxy = await startProxy({ hosts: { 'secure.example.test': server.port } });
  try {
    const url = `https://secure.example.test:${server.port}/get`;
    const strict = await send({ 'http.proxy': proxy.url }, url);
    assert.equal(strict.error?.name, 'SSLError', 'by default the certificate is checked through the proxy too');

    const relaxed = await send({ 'http.proxy': proxy.url, 'http.proxyStrictSSL': false }, url);
    assert.equal(relaxed.error, undefined, relaxed.error?.message);
    assert.equal(relaxed.hops.at(-1)?.response?.statusCode, 200);
    assert.ok(proxy.seen.some((r) => r.method === 'CONNECT' && r.target.startsWith('secure.example.test')), 'it went through the proxy');

    const direct = await send({ 'http.proxyStrictSSL': false }, `${server.url}/get`);
    assert.equal(direct.error?.name, 'SSLError', 'a request that goes direct is still verified');
  } finally {
    await proxy.close();
    await server.close();
  }
});

test('http.proxyStrictSSL: false does not leak to a redirect hop that leaves the proxy', async () => {
  // The proxy is set for http only: the first hop goes through it, the https hop it redirects to goes direct.
  const server = await startTlsServer({ cert: certs.selfSigned.cert, key: certs.selfSigned.key });
  const proxy = await startProxy({ hosts: { 'open.example.test': httpbin.port } });
  try {
    const target = encodeURIComponent(`${server.url}/get`);
    const { settings } = readSettings((key) => (key === 'http.proxyStrictSSL' ? false : undefined));
    const registry = new SessionRegistry({ dir: fs.mkdtempSync(path.join(os.tmpdir(), 'ricochet-settings-')), configure: (s) => applySettings(s, settings) });
    const session = await registry.get(undefined);
    session.proxies = { http: proxy.url };
    const runner = new Runner({ ...runnerOptionsFrom(settings), session });
    try {
      const exchange = await runner.runRequest({ path: path.join(os.tmpdir(), 'settings.http'), text: `GET http://open.example.test/redirect-to?url=${target}\n` }, 0);
      assert.ok(proxy.seen.some((r) => r.target.startsWith('http://open.example.test/')), 'the first hop went through the proxy');
      assert.equal(exchange.error?.name, 'SSLError', 'the direct https hop was verified');
    } finally {
      await runner.close();
      await registry.dispose();
    }
  } finally {
    await proxy.close();
    await server.close();
  }
});

test('http.noProxy: a listed host goes direct, others still through http.proxy', async () => {
  const proxy = await startProxy({ hosts: { 'shop.example.test': httpbin.port } });
  try {
    const settings = { 'http.proxy': proxy.url, 'http.noProxy': ['127.0.0.1'] };
    const direct = await send(settings, `${httpbin.url}/get`);
    assert.equal(direct.hops.at(-1)?.response?.statusCode, 200);
    assert.equal(proxy.seen.length, 0, 'the listed host did not go through the proxy');
    const proxied = await send(settings, 'http://shop.example.test/get');
    assert.equal(proxied.hops.at(-1)?.response?.statusCode, 200);
    assert.ok(proxy.seen.some((r) => r.target.startsWith('http://shop.example.test/get')), 'an unlisted host did');
  } finally {
    await proxy.close();
  }
});
