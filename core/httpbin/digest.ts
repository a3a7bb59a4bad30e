/**
 * HTTP Digest authentication (RFC 7616) for `/digest-auth/:qop/:user/:passwd/:algorithm`:
 * issues challenges and verifies responses for real — the nonce must be one we issued, the nonce
 * count must grow (a replay gets a `stale=TRUE` challenge), the uri must be the request target.
 *
 *   const digest = new DigestAuthority();
 *   res.setHeader('WWW-Authenticate', digest.challenge('auth', 'SHA-256'));
 *   digest.verify(authorizationHeader, { method, target, body, qop, user, password, algorithm });
 */
import crypto from 'node:crypto';

export const DIGEST_REALM = 'me@kennethreitz.com';
export const DIGEST_ALGORITHMS = ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess', 'SHA-512', 'SHA-512-sess'] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

/** Nonces remembered at once; the oldest are forgotten first (a forgotten nonce reads as stale). */
const MAX_NONCES = 10_000;

export function isDigestAlgorithm(value: string): value is DigestAlgorithm {
  return (DIGEST_ALGORITHMS as readonly string[]).includes(value);
}

function hasher(algorithm: DigestAlgorithm): (text: string | Buffer) => string {
  const name = algorithm.startsWith('SHA-512') ? 'sha512' : algorithm.startsWith('SHA-256') ? 'sha256' : 'md5';
  return (text) => crypto.createHash(name).update(text).digest('hex');
}

/** Parses `Digest a=b, c="d, e"` into its parameters (names lower-cased). */
export function parseDigestHeader(header: string): Record<string, string> | undefined {
  const match = /^\s*Digest\s+/i.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const pattern = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,|$)/g;
  pattern.lastIndex = match[0].length;
  let part: RegExpExecArray | null;
  while ((part = pattern.exec(header)) !== null) {
    if (part[0] === '') break;
    const name = part[1]?.toLowerCase() ?? '';
    params[name] = part[2] !== undefined ? part[2].replace(/\\(.)/g, '$1') : (part[3] ?? '');
  }
  return params;
}

export interface DigestCheck {
  method: string;
  /** The request target as received (path and query). */
  target: string;
  body: Buffer;
  /** 'auth', 'auth-int', or anything else for the RFC 2069 form without qop. */
  qop: string;
  user: string;
  password: string;
  algorithm: DigestAlgorithm;
  /** Successful uses after which a nonce turns stale; undefined = never. */
  staleAfter?: number;
}

export type DigestVerdict = 'ok' | 'stale' | 'unauthorized';

interface NonceState {
  opaque: string;
  lastCount: number;
  uses: number;
}

export class DigestAuthority {
  #nonces = new Map<string, NonceState>();

  /** A `WWW-Authenticate` value with a fresh nonce. */
  challenge(qop: string, algorithm: DigestAlgorithm, stale = false): string {
    const nonce = crypto.randomBytes(16).toString('hex');
    const opaque = crypto.randomBytes(16).toString('hex');
    this.#nonces.set(nonce, { opaque, lastCount: 0, uses: 0 });
    if (this.#nonces.size > MAX_NONCES) {
      const oldest = this.#nonces.keys().next().value;
      if (oldest !== undefined) this.#nonces.delete(oldest);
    }
    const qopPart = qop === 'auth' || qop === 'auth-int' ? `qop="${qop}", ` : '';
    return `Digest realm="${DIGEST_REALM}", nonce="${nonce}", ${qopPart}opaque="${opaque}", algorithm=${algorithm}, stale=${stale ? 'TRUE' : 'FALSE'}`;
  }

  verify(authorization: string | undefined, check: DigestCheck): DigestVerdict {
    const params = authorization ? parseDigestHeader(authorization) : undefined;
    if (!params) return 'unauthorized';
    const { username, realm, nonce, uri, response, cnonce, nc, qop } = params;
    if (username !== check.user || realm !== DIGEST_REALM || !nonce || !uri || !response) return 'unauthorized';
    if ((params.algorithm ?? 'MD5').toUpperCase() !== check.algorithm.toUpperCase()) return 'unauthorized';
    if (uri !== check.target) return 'unauthorized';
    const wantsQop = check.qop === 'auth' || check.qop === 'auth-int';
    if (wantsQop && (qop !== check.qop || !cnonce || !nc || !/^[0-9a-f]{8}$/i.test(nc))) return 'unauthorized';

    const H = hasher(check.algorithm);
    let ha1 = H(`${check.user}:${DIGEST_REALM}:${check.password}`);
    if (check.algorithm.endsWith('-sess')) ha1 = H(`${ha1}:${nonce}:${cnonce ?? ''}`);
    const ha2 = check.qop === 'auth-int' ? H(`${check.method}:${uri}:${H(check.body)}`) : H(`${check.method}:${uri}`);
    const expected = wantsQop ? H(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : H(`${ha1}:${nonce}:${ha2}`);
    if (!safeEqual(expected, response.toLowerCase())) return 'unauthorized';

    // The password was right; now the nonce must be ours, unexpired, and not replayed.
    const state = this.#nonces.get(nonce);
    if (!state || (params.opaque !== undefined && params.opaque !== state.opaque)) return 'stale';
    const count = wantsQop ? Number.parseInt(nc ?? '0', 16) : state.lastCount + 1;
    if (count <= state.lastCount) return 'stale';
    if (check.staleAfter !== undefined && state.uses >= check.staleAfter) return 'stale';
    state.lastCount = count;
    state.uses += 1;
    return 'ok';
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}
