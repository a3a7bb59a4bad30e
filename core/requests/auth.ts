/**
 * Authentication handlers, like Requests' `requests.auth`.
 *
 *   await requests.get(url, { auth: ['user', 'pass'] });                       // Basic
 *   await requests.get(url, { auth: new HTTPDigestAuth('user', 'pass') });    // Digest
 *
 * A handler's `apply(request)` sets headers on the prepared request (and may register a
 * response hook, as Digest does to answer the server's challenge).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { PreparedRequest, Response } from './models.ts';
import type { SendOptions } from './adapters.ts';
import { getCookieHeader } from './cookies.ts';

export abstract class AuthBase {
  /** Adds credentials to `request` (in place, or by returning a replacement). */
  abstract apply(request: PreparedRequest): PreparedRequest | void | Promise<PreparedRequest | void>;
}

/** `[user, pass]` for Basic, or any AuthBase. */
export type AuthLike = [string, string] | readonly [string, string] | AuthBase;

function checkCredential(value: unknown, what: string): string {
  if (typeof value !== 'string') {
    throw new TypeError(`${what} must be a string, got ${value === null ? 'null' : typeof value}`);
  }
  return value;
}

/** `Basic base64(user:pass)`, the credentials encoded as UTF-8. */
export function basicAuthStr(username: string, password: string): string {
  const user = checkCredential(username, 'Basic auth username');
  const pass = checkCredential(password, 'Basic auth password');
  return `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`;
}

export class HTTPBasicAuth extends AuthBase {
  username: string;
  password: string;

  constructor(username: string, password: string) {
    super();
    this.username = checkCredential(username, 'Basic auth username');
    this.password = checkCredential(password, 'Basic auth password');
  }

  apply(request: PreparedRequest): PreparedRequest {
    request.headers.set('Authorization', basicAuthStr(this.username, this.password));
    return request;
  }
}

/** Basic credentials for the proxy (`Proxy-Authorization`), not the origin. */
export class HTTPProxyAuth extends HTTPBasicAuth {
  override apply(request: PreparedRequest): PreparedRequest {
    request.headers.set('Proxy-Authorization', basicAuthStr(this.username, this.password));
    return request;
  }
}

/** Turns what callers pass as `auth` into a handler; undefined for none. */
export function toAuth(auth: AuthLike | null | undefined): AuthBase | undefined {
  if (auth == null) return undefined;
  if (auth instanceof AuthBase) return auth;
  if (Array.isArray(auth) && auth.length === 2) return new HTTPBasicAuth(auth[0], auth[1]);
  throw new TypeError('auth must be [user, password] or an AuthBase instance');
}

/** Parses `a=1, b="two, three"` (an auth challenge's parameters) into a record with lower-cased keys. */
export function parseDictHeader(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /\s*([^\s=,]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*)))?\s*(?:,|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value)) !== null && m[0] !== '') {
    const quoted = m[2];
    out[m[1]!.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (m[3] ?? '').trim();
  }
  return out;
}

const DIGEST_HASHES: Record<string, string> = {
  MD5: 'md5',
  SHA: 'sha1',
  'SHA-256': 'sha256',
  'SHA-512': 'sha512',
  'SHA-512-256': 'sha512-256',
};

export interface DigestParams {
  /** MD5, SHA-256, SHA-512, SHA (and the `-sess` forms); case-insensitive. */
  algorithm: string;
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  /** The request target: path and query. */
  uri: string;
  /** The server's qop list (undefined for RFC 2069 digests). */
  qop?: string;
  nc: string;
  cnonce: string;
}

/** The `response=` value of a Digest Authorization (RFC 7616 §3.4.1); undefined when not computable. */
export function digestResponse(p: DigestParams): string | undefined {
  const algo = p.algorithm.toUpperCase();
  const sess = algo.endsWith('-SESS');
  const hashName = DIGEST_HASHES[sess ? algo.slice(0, -5) : algo];
  if (!hashName) return undefined;
  const H = (s: string): string => createHash(hashName).update(s, 'utf8').digest('hex');
  let ha1 = H(`${p.username}:${p.realm}:${p.password}`);
  if (sess) ha1 = H(`${ha1}:${p.nonce}:${p.cnonce}`);
  const ha2 = H(`${p.method}:${p.uri}`);
  if (!p.qop) return H(`${ha1}:${p.nonce}:${ha2}`);
  if (!p.qop.split(',').map((q) => q.trim()).includes('auth')) return undefined; // auth-int only, like Requests
  return H(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
}

interface DigestState {
  lastNonce: string;
  nonceCount: number;
  challenge: Record<string, string> | undefined;
  num401Calls: number;
}

/**
 * Digest access authentication (RFC 7616): MD5, SHA-256, SHA-512 (and their `-sess` forms), with
 * `qop=auth`, nonce counting and a fresh cnonce per request. It answers at most one challenge per
 * request; a second 401 is returned to the caller as is.
 */
export class HTTPDigestAuth extends AuthBase {
  username: string;
  password: string;
  // One state per instance, as Requests keeps one per thread.
  #state: DigestState = { lastNonce: '', nonceCount: 0, challenge: undefined, num401Calls: 1 };

  constructor(username: string, password: string) {
    super();
    this.username = checkCredential(username, 'Digest auth username');
    this.password = checkCredential(password, 'Digest auth password');
  }

  /** The `Authorization` value for `method url` under the last challenge; undefined when it cannot be answered. */
  buildDigestHeader(method: string, url: string): string | undefined {
    const chal = this.#state.challenge;
    if (!chal) return undefined;
    const realm = chal.realm ?? '';
    const nonce = chal.nonce ?? '';
    const qop = chal.qop;
    const algorithm = chal.algorithm;
    const opaque = chal.opaque;
    const algo = (algorithm ?? 'MD5').toUpperCase();
    if (!DIGEST_HASHES[algo.replace(/-SESS$/, '')]) return undefined;

    const parsed = new URL(url);
    const path = (parsed.pathname || '/') + parsed.search;

    if (nonce === this.#state.lastNonce) this.#state.nonceCount += 1;
    else this.#state.nonceCount = 1;
    const nc = this.#state.nonceCount.toString(16).padStart(8, '0');
    const cnonce = createHash('sha1')
      .update(`${this.#state.nonceCount}${nonce}${Date.now()}`)
      .update(randomBytes(8))
      .digest('hex')
      .slice(0, 16);

    const response = digestResponse({
      algorithm: algo,
      username: this.username,
      password: this.password,
      realm,
      nonce,
      method,
      uri: path,
      qop,
      nc,
      cnonce,
    });
    if (response === undefined) return undefined;
    this.#state.lastNonce = nonce;

    let header =
      `username="${this.username}", realm="${realm}", nonce="${nonce}", uri="${path}", response="${response}"`;
    if (opaque) header += `, opaque="${opaque}"`;
    if (algorithm) header += `, algorithm="${algorithm}"`;
    if (qop) header += `, qop="auth", nc=${nc}, cnonce="${cnonce}"`;
    return `Digest ${header}`;
  }

  /** A redirect resets the challenge budget: the next host may challenge once. */
  handleRedirect = (response: Response): void => {
    if (response.isRedirect) this.#state.num401Calls = 1;
  };

  /** Answers a Digest challenge once, re-sending the request (body and challenge cookies included). */
  handle401 = async (response: Response, options: SendOptions & Record<string, unknown>): Promise<Response> => {
    if (response.statusCode < 400 || response.statusCode >= 500) {
      this.#state.num401Calls = 1;
      return response;
    }
    const challenge = response.headers.get('www-authenticate') ?? '';
    const at = challenge.search(/digest\s/i);
    if (at === -1 || this.#state.num401Calls >= 2 || !response.connection) {
      this.#state.num401Calls = 1;
      return response;
    }
    this.#state.num401Calls += 1;
    this.#state.challenge = parseDictHeader(challenge.slice(at).replace(/^digest\s+/i, ''));

    // Drain and release the challenge so its connection can be reused.
    await response.read().catch(() => undefined);
    await response.close();

    const retry = response.request.copy();
    retry.cookies?.update(response.cookies);
    keepChallengeCookies(retry, response);
    const header = this.buildDigestHeader(retry.method, retry.url);
    if (!header) return response;
    retry.headers.set('Authorization', header);
    // The body goes again; a stream that was already sent cannot (UnrewindableBodyError).
    if (retry.body != null) retry.rewindBody();
    const next = await response.connection.send(retry, pickSendOptions(options));
    next.history.push(response);
    next.request = retry;
    return next;
  };

  apply(request: PreparedRequest): PreparedRequest {
    if (this.#state.lastNonce) {
      const header = this.buildDigestHeader(request.method, request.url);
      if (header) request.headers.set('Authorization', header);
    }
    request.registerHook('response', this.handle401);
    request.registerHook('response', this.handleRedirect);
    this.#state.num401Calls = 1;
    return request;
  }
}

/** Adds the cookies the challenge response set to the retry's Cookie header (replacing same names). */
function keepChallengeCookies(retry: PreparedRequest, challenge: Response): void {
  const fresh = getCookieHeader(challenge.cookies, { url: retry.url });
  if (!fresh) return;
  const pairs = new Map<string, string>();
  for (const part of [retry.headers.get('Cookie') ?? '', fresh].join(';').split(';')) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const eq = trimmed.indexOf('=');
    pairs.set(eq === -1 ? trimmed : trimmed.slice(0, eq), trimmed);
  }
  retry.headers.set('Cookie', [...pairs.values()].join('; '));
}

function pickSendOptions(options: SendOptions & Record<string, unknown>): SendOptions {
  const { stream, timeout, verify, cert, proxies, signal } = options;
  return { stream, timeout, verify, cert, proxies, signal };
}
