// TLS: verification on by default, CA bundles, client certificates, SSLError saying why, TLS facts
// on the Response, and pools never shared across TLS settings (CVE-2024-35195).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCertificates, type Certs } from '../../servers/certs.ts';
import { startTlsServer } from '../../servers/tls.ts';
import type { RunningServer } from '../../../core/httpbin/server.ts';
import { HTTPAdapter, type SendOptions } from '../../../core/requests/adapters.ts';
import { Request } from '../../../core/requests/models.ts';
import { ConnectionError, RequestException, SSLError } from '../../../core/requests/exceptions.ts';

let certs: Certs;
let valid: RunningServer;
let expired: RunningServer;
let wrongHost: RunningServer;
let selfSigned: RunningServer;
let mutual: RunningServer;
const adapter = new HTTPAdapter();

before(async () => {
  certs = await makeCertificates();
  [valid, expired, wrongHost, selfSigned, mutual] = await Promise.all([
    startTlsServer({ cert: certs.valid.cert, key: certs.valid.key }),
    startTlsServer({ cert: certs.expired.cert, key: certs.expired.key }),
    startTlsServer({ cert: certs.wrongHost.cert, key: certs.wrongHost.key }),
    startTlsServer({ cert: certs.selfSigned.cert, key: certs.selfSigned.key }),
    startTlsServer({ cert: certs.valid.cert, key: certs.valid.key, ca: certs.ca.cert, requestCert: true }),
  ]);
});

after(async () => {
  await adapter.close();
  await Promise.all([valid, expired, wrongHost, selfSigned, mutual].map((s) => s?.close()));
});

function get(url: string, options: SendOptions = {}, a = adapter) {
  return a.send(new Request({ method: 'GET', url }).prepare(), { timeout: 10_000, ...options });
}

async function sslError(url: string, options: SendOptions = {}): Promise<SSLError> {
  const err = await get(url, options).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof SSLError, `expected SSLError, got ${String(err)}`);
  assert.ok(err instanceof ConnectionError);
  return err;
}

describe('TLS verification', () => {
  test('verify is on by default: an unknown CA is refused', async () => {
    const err = await sslError(`${valid.url}/get`);
    assert.match(err.message, /certificate verify failed: unable to get local issuer certificate/);
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${valid.port}`));
  });

  test('a CA bundle path makes the server trusted, and the Response carries TLS facts', async () => {
    const r = await get(`${valid.url}/get`, { verify: certs.ca.certPath });
    assert.equal(r.statusCode, 200);
    assert.ok(r.tls, 'tls info present');
    assert.match(r.tls.protocol ?? '', /^TLSv1\.[23]$/);
    assert.ok(r.tls.cipher);
    assert.equal(r.tls.authorized, true);
    assert.match(r.tls.peerCertificate?.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.ok(r.tls.peerCertificate?.validTo);
    assert.match(r.tls.peerCertificate?.fingerprint256 ?? '', /^[0-9A-F:]+$/);
    assert.ok(r.timings.tls > 0, 'a new connection spent time in the TLS handshake');
  });

  test('verify may name a directory of CA certificates', async () => {
    const caDir = mkdtempSync(join(tmpdir(), 'ricochet-ca-'));
    copyFileSync(certs.ca.certPath, join(caDir, 'test-ca.pem'));
    const r = await get(`${valid.url}/get`, { verify: caDir });
    assert.equal(r.tls?.authorized, true);
  });

  test('expired certificate → SSLError "certificate has expired"', async () => {
    const err = await sslError(`${expired.url}/get`, { verify: certs.ca.certPath });
    assert.match(err.message, /certificate has expired/);
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${expired.port}`));
  });

  test('wrong host → SSLError "hostname mismatch"', async () => {
    const err = await sslError(`${wrongHost.url}/get`, { verify: certs.ca.certPath });
    assert.match(err.message, /hostname mismatch, certificate is not valid for '127\.0\.0\.1'/);
  });

  test('self-signed certificate → SSLError "self-signed certificate"', async () => {
    const err = await sslError(`${selfSigned.url}/get`);
    assert.match(err.message, /self-signed certificate/);
  });

  test('verify: false accepts any certificate and reports it as not authorized', async () => {
    const r = await get(`${selfSigned.url}/get`, { verify: false });
    assert.equal(r.statusCode, 200);
    assert.equal(r.tls?.authorized, false);
  });

  test('a missing CA bundle path is a clear error naming the path', async () => {
    await assert.rejects(() => get(`${valid.url}/get`, { verify: '/nonexistent/ca.pem' }), (e: unknown) => {
      assert.ok(e instanceof RequestException);
      assert.match(e.message, /CA bundle.*\/nonexistent\/ca\.pem/);
      return true;
    });
  });

  test('client certificate required: refused without one, accepted with [cert, key] or one PEM', async () => {
    const err = await get(`${mutual.url}/tls`, { verify: certs.ca.certPath }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof SSLError, String(err));
    assert.match((err as Error).message, new RegExp(`127\\.0\\.0\\.1:${mutual.port}.*requires a client certificate`));
    const r = await get(`${mutual.url}/tls`, { verify: certs.ca.certPath, cert: [certs.client.certPath, certs.client.keyPath] });
    assert.equal(r.statusCode, 200);
    assert.ok((r.json() as { clientCertificate?: unknown }).clientCertificate);
    const combined = join(certs.dir, 'client-combined.pem');
    writeFileSync(combined, certs.client.cert + '\n' + certs.client.key);
    const one = await get(`${mutual.url}/tls`, { verify: certs.ca.certPath, cert: combined });
    assert.equal(one.statusCode, 200);
  });

  test('CVE-2024-35195: a verify=false connection is never reused for a verifying request', async () => {
    const a = new HTTPAdapter();
    try {
      const insecure = await get(`${selfSigned.url}/get`, { verify: false }, a);
      assert.equal(insecure.statusCode, 200);
      // Same origin, verify back on: must not ride the pooled unverified connection.
      const err = await get(`${selfSigned.url}/get`, {}, a).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof SSLError, `expected SSLError, got ${String(err)}`);
      // Likewise across CA bundles and client certificates: a new handshake each time.
      const withCa = await get(`${valid.url}/get`, { verify: certs.ca.certPath }, a);
      assert.ok(withCa.timings.tls > 0);
      const handshakes: number[] = [];
      for (let i = 0; i < 4; i++) handshakes.push((await get(`${valid.url}/get`, { verify: certs.ca.certPath }, a)).timings.tls);
      assert.ok(handshakes.includes(0), `same settings reuse a pooled connection (tls ms: ${handshakes.join(', ')})`);
      const noCa = await get(`${valid.url}/get`, {}, a).then(() => undefined, (e: unknown) => e);
      assert.ok(noCa instanceof SSLError, 'the default trust store does not inherit a pooled CA-bundle connection');
    } finally {
      await a.close();
    }
  });
});
