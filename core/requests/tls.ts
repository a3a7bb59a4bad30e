/**
 * TLS settings for the adapter's pools and the facts a debugger shows about a TLS connection.
 *
 *   tlsOptions(true, undefined)            // { rejectUnauthorized: true }
 *   tlsOptions('/etc/ca.pem', ['c.pem', 'k.pem'])
 *   tlsInfo(socket)                         // { protocol: 'TLSv1.3', cipher: …, peerCertificate: … }
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TlsInfo } from './exchange.ts';
import { RequestException } from './exceptions.ts';

export interface TlsSettings {
  rejectUnauthorized: boolean;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new RequestException(`Could not read the ${what} '${path}': ${(cause as Error).message}`, { cause });
  }
}

/** A CA bundle file, or a directory of PEM certificates (`*.pem`, `*.crt`) like Requests' ca_cert_dir. */
function readCaPath(path: string): Buffer {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // readPem below reports the missing path.
  }
  if (!isDir) return readPem(path, 'CA bundle (verify)');
  const files = readdirSync(path).filter((f) => /\.(pem|crt|cer)$/i.test(f)).sort();
  if (files.length === 0) throw new RequestException(`The CA directory (verify) '${path}' holds no .pem/.crt certificates`);
  return Buffer.concat(files.flatMap((f) => [readPem(join(path, f), 'CA certificate'), Buffer.from('\n')]));
}

/**
 * Node TLS options for `verify` (true, false, or a CA bundle file or directory) and `cert` (a PEM path holding
 * both certificate and key, or `[certPath, keyPath]`). Files are read here, once per pool.
 */
export function tlsOptions(
  verify: boolean | string | undefined,
  cert: string | readonly [string, string] | undefined,
): TlsSettings {
  const settings: TlsSettings = { rejectUnauthorized: verify !== false };
  if (typeof verify === 'string') settings.ca = readCaPath(verify);
  if (typeof cert === 'string') {
    const pem = readPem(cert, 'client certificate');
    settings.cert = pem;
    settings.key = pem;
  } else if (Array.isArray(cert)) {
    settings.cert = readPem(cert[0], 'client certificate');
    settings.key = readPem(cert[1], 'client certificate key');
  }
  return settings;
}

/** A key that differs whenever the TLS settings differ: pools are never shared across them. */
export function tlsKey(verify: boolean | string | undefined, cert: string | readonly [string, string] | undefined): string {
  // Built for every request, so plain concatenation; NUL cannot occur in a path.
  const trust = typeof verify === 'string' ? `ca:${verify}` : verify === false ? 'off' : 'on';
  return cert === undefined ? trust : `${trust}\0${typeof cert === 'string' ? cert : `${cert[0]}\0${cert[1]}`}`;
}

const infoCache = new WeakMap<Socket, TlsInfo>();

/** Protocol, cipher, verification result and the peer certificate summary; undefined for plain TCP. */
export function tlsInfo(socket: Socket): TlsInfo | undefined {
  const tls = socket as Partial<TLSSocket>;
  if (!tls.encrypted || typeof tls.getPeerCertificate !== 'function') return undefined;
  const cached = infoCache.get(socket);
  if (cached) return cached;
  const peer = tls.getPeerCertificate();
  const info: TlsInfo = {
    protocol: tls.getProtocol?.() ?? null,
    cipher: tls.getCipher?.()?.name ?? null,
    authorized: tls.authorized === true,
  };
  if (tls.authorizationError) info.authorizationError = String(tls.authorizationError);
  if (peer && Object.keys(peer).length > 0) {
    info.peerCertificate = {
      subject: distinguishedName(peer.subject),
      issuer: distinguishedName(peer.issuer),
      validFrom: peer.valid_from,
      validTo: peer.valid_to,
      ...(peer.subjectaltname ? { subjectAltName: peer.subjectaltname } : {}),
      ...(peer.fingerprint256 ? { fingerprint256: peer.fingerprint256 } : {}),
    };
  }
  infoCache.set(socket, info);
  return info;
}

function distinguishedName(dn: object | undefined): string {
  if (!dn) return '';
  return Object.entries(dn)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}

/** Why verification failed, in words, for the codes users meet. */
const VERIFY_REASONS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to get local issuer certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  UNABLE_TO_GET_ISSUER_CERT: 'unable to get issuer certificate',
  CERT_REVOKED: 'certificate revoked',
  CERT_UNTRUSTED: 'certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname mismatch',
};

/** The SSLError text for a TLS failure, or undefined when `err` is not about TLS. */
export function describeTlsError(err: { code?: unknown; message?: string; reason?: unknown }, host: string, port: string): string | undefined {
  const code = typeof err.code === 'string' ? err.code : '';
  const known = VERIFY_REASONS[code];
  if (known) {
    const detail = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? `, certificate is not valid for '${host}' (${String(err.reason ?? err.message)})` : '';
    return `[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${known}${detail} connecting to ${host}:${port} (${code})`;
  }
  if (/CERTIFICATE_REQUIRED/i.test(code) || /certificate required/i.test(err.message ?? '')) {
    return `[SSL] ${host}:${port} requires a client certificate (pass cert): ${err.message ?? code}`;
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO' || /\bSSL\b|TLS/.test(err.message ?? '')) {
    return `[SSL] TLS handshake with ${host}:${port} failed: ${err.message ?? code}`;
  }
  return undefined;
}
