// Each generated certificate has exactly the property it is named for, as node:tls sees it, and
// the TLS server serves httpbin (and requires a client certificate when asked to).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import https from 'node:https';
import { after, before, test } from 'node:test';
import { makeCertificates, type Certs } from '../../servers/certs.ts';
import { startTlsServer } from '../../servers/tls.ts';

let certs: Certs;
before(async () => {
  certs = await makeCertificates();
});

const servers: Array<{ close(): Promise<void> }> = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(opts: Parameters<typeof startTlsServer>[0]): Promise<string> {
  const srv = await startTlsServer(opts);
  servers.push(srv);
  return srv.url;
}

interface Outcome {
  status?: number;
  body?: string;
  code?: string;
}

/** GET with node:https (agent-less), trusting only `ca`. */
function get(url: string, options: https.RequestOptions = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    https
      .get(url, { ca: certs.ca.cert, agent: false, ...options }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      })
      .on('error', (error: NodeJS.ErrnoException) => resolve({ code: error.code ?? error.message }));
  });
}

test('makeCertificates is quick and cached per process', async () => {
  const started = performance.now();
  const again = await makeCertificates();
  assert.equal(again, certs);
  assert.ok(performance.now() - started < 50);
  const ca = new crypto.X509Certificate(certs.ca.cert);
  assert.equal(ca.ca, true);
  assert.equal(new crypto.X509Certificate(certs.valid.cert).verify(ca.publicKey), true);
});

test('valid: trusted through the CA for 127.0.0.1 and localhost, and serves httpbin', async () => {
  const url = await serve({ cert: certs.valid.cert, key: certs.valid.key });
  const r = await get(`${url}/get?x=1`);
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body ?? '').args, { x: '1' });
  assert.equal(JSON.parse(r.body ?? '').url, `${url}/get?x=1`);
  assert.equal((await get(url.replace('127.0.0.1', 'localhost') + '/get')).status, 200);
  assert.equal((await get(`${url}/get`, { ca: undefined })).code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
});

test('expired: signed by the CA but refused as expired', async () => {
  const x509 = new crypto.X509Certificate(certs.expired.cert);
  assert.ok(new Date(x509.validTo) < new Date());
  const url = await serve({ cert: certs.expired.cert, key: certs.expired.key });
  assert.equal((await get(`${url}/get`)).code, 'CERT_HAS_EXPIRED');
});

test('wrongHost: signed by the CA but for wrong.example only', async () => {
  const url = await serve({ cert: certs.wrongHost.cert, key: certs.wrongHost.key });
  assert.equal((await get(`${url}/get`)).code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  assert.equal((await get(`${url}/get`, { servername: 'wrong.example', checkServerIdentity: () => undefined })).status, 200);
});

test('selfSigned: refused as self-signed even when the test CA is trusted', async () => {
  const url = await serve({ cert: certs.selfSigned.cert, key: certs.selfSigned.key });
  assert.equal((await get(`${url}/get`)).code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  assert.equal((await get(`${url}/get`, { ca: certs.selfSigned.cert })).status, 200);
});

test('requestCert: the handshake fails without a client certificate and succeeds with the CA-signed client cert', async () => {
  const url = await serve({ cert: certs.valid.cert, key: certs.valid.key, ca: certs.ca.cert, requestCert: true });
  const refused = await get(`${url}/tls`);
  assert.equal(refused.status, undefined);
  assert.ok(refused.code, 'expected a TLS or socket error');
  const withOther = await get(`${url}/tls`, { cert: certs.selfSigned.cert, key: certs.selfSigned.key });
  assert.equal(withOther.status, undefined);
  const accepted = await get(`${url}/tls`, { cert: certs.client.cert, key: certs.client.key });
  assert.equal(accepted.status, 200);
  const info = JSON.parse(accepted.body ?? '') as { authorized: boolean; clientCertificate: { subject: string } };
  assert.equal(info.authorized, true);
  assert.equal(info.clientCertificate.subject, 'Ricochet Test Client');
});

test('a custom handler replaces httpbin', async () => {
  const url = await serve({ cert: certs.valid.cert, key: certs.valid.key, handler: (_req, res) => res.end('custom') });
  assert.equal((await get(url)).body, 'custom');
});
