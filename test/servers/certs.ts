/**
 * Test certificates made at test time with the `openssl` CLI (EC P-256, fast), once per process:
 * a test CA and leaf certificates with exactly one property each.
 *
 *   const certs = await makeCertificates();
 *   startTlsServer({ cert: certs.valid.cert, key: certs.valid.key });
 *   requests.get(url, { verify: certs.ca.certPath });
 *
 * - `valid`: signed by the CA, SAN IP:127.0.0.1 + DNS:localhost, serverAuth.
 * - `expired`: like `valid`, but its validity ended in 2020.
 * - `wrongHost`: signed by the CA, SAN DNS:wrong.example only.
 * - `selfSigned`: SAN IP:127.0.0.1 + DNS:localhost, signed by itself (not by the CA).
 * - `client`: signed by the CA, clientAuth (for servers that require a client certificate).
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertFiles {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

export interface Certs {
  /** The temp directory holding every file (removed when the process exits). */
  dir: string;
  ca: CertFiles;
  valid: CertFiles;
  expired: CertFiles;
  wrongHost: CertFiles;
  selfSigned: CertFiles;
  client: CertFiles;
}

let cached: Promise<Certs> | undefined;

/** Creates the certificates on first call; later calls in the same process get the same ones. */
export function makeCertificates(): Promise<Certs> {
  cached ??= create();
  return cached;
}

const REQ_CONFIG = `
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ self_signed ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
`;

const EXTENSIONS = `
[ server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
authorityKeyIdentifier = keyid
[ wrong_host ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
authorityKeyIdentifier = keyid
[ client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`;

// `openssl ca` is the one way OpenSSL 3.0 sets explicit validity dates (x509 -not_before is 3.4+).
const CA_CONFIG = `
[ ca ]
default_ca = test_ca
[ test_ca ]
database = index.txt
new_certs_dir = .
serial = serial.txt
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[ any ]
commonName = supplied
`;

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function create(): Promise<Certs> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ricochet-certs-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name: string) => path.join(dir, name);
  fs.writeFileSync(file('req.cnf'), REQ_CONFIG);
  fs.writeFileSync(file('ext.cnf'), EXTENSIONS);
  fs.writeFileSync(file('ca.cnf'), CA_CONFIG);
  fs.writeFileSync(file('index.txt'), '');
  fs.writeFileSync(file('serial.txt'), '1000\n');
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  const read = (name: string): CertFiles => ({
    certPath: file(`${name}.pem`),
    keyPath: file(`${name}.key`),
    cert: fs.readFileSync(file(`${name}.pem`), 'utf8'),
    key: fs.readFileSync(file(`${name}.key`), 'utf8'),
  });
  const selfSigned = (name: string, cn: string, extensions: string) =>
    openssl('req', '-x509', '-config', 'req.cnf', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj', `/CN=${cn}`, '-days', '3650', '-extensions', extensions);
  const request = (name: string, cn: string) =>
    openssl('req', '-new', '-config', 'req.cnf', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
  const sign = async (name: string, cn: string, extensions: string) => {
    await request(name, cn);
    await openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', `0x${crypto.randomBytes(8).toString('hex')}`, '-days', '3650', '-sha256', '-extfile', 'ext.cnf', '-extensions', extensions, '-out', `${name}.pem`);
  };

  await Promise.all([
    selfSigned('ca', 'Ricochet Test CA', 'v3_ca'),
    selfSigned('self-signed', 'Ricochet Self-Signed', 'self_signed'),
    request('expired', 'Ricochet Expired'),
  ]);
  await Promise.all([
    sign('valid', 'localhost', 'server'),
    sign('wrong-host', 'wrong.example', 'wrong_host'),
    sign('client', 'Ricochet Test Client', 'client'),
    openssl('ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', 'expired.csr', '-out', 'expired.pem', '-notext', '-startdate', '20200101000000Z', '-enddate', '20200201000000Z', '-extfile', 'ext.cnf', '-extensions', 'server'),
  ]);
  return {
    dir,
    ca: read('ca'),
    valid: read('valid'),
    expired: read('expired'),
    wrongHost: read('wrong-host'),
    selfSigned: read('self-signed'),
    client: read('client'),
  };
}
