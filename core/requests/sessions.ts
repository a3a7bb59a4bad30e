/**
 * Session: settings that persist across requests (headers, cookies, auth, proxies, adapters),
 * redirects and hooks, like Requests' `requests.Session`.
 *
 *   await using s = new Session();
 *   s.headers.set('Accept', 'application/json');
 *   const r = await s.get('https://example.com/api', { params: { page: 2 } });
 *
 * Settings precedence: request, then session, then environment (a departure from Requests, where
 * environment proxies and CA variables beat explicit session settings).
 */
import { CaseInsensitiveDict } from './structures.ts';
import { InvalidSchema, InvalidURL, TooManyRedirects } from './exceptions.ts';
import { RequestsCookieJar, cookiejarFromDict, extractCookiesToJar, mergeCookies } from './cookies.ts';
import { toAuth } from './auth.ts';
import type { AuthLike } from './auth.ts';
import { defaultHooks, dispatchHook, normaliseHooks } from './hooks.ts';
import type { Hooks, HooksInit } from './hooks.ts';
import { getNetrcAuth } from './netrc.ts';
import { getEnvironProxies, isEmptyParams, selectProxy, shouldBypassProxies } from './utils.ts';
import type { Env, ParamsInit } from './utils.ts';
import { Request, PreparedRequest, headerEntries } from './models.ts';
import type { HeadersInit, RequestInit, Response } from './models.ts';
import { HTTPAdapter } from './adapters.ts';
import type { BaseAdapter, SendOptions, TimeoutSpec } from './adapters.ts';
import { noteAuthorizationDropped, noteHistory } from './record.ts';

export type ProxiesInit = Record<string, string | null | undefined>;

/** Options of `session.request(method, url, options)` and the seven functions. */
export interface RequestOptions {
  params?: ParamsInit | null;
  data?: RequestInit['data'];
  json?: unknown;
  files?: RequestInit['files'];
  /** A `null` value removes a session header. */
  headers?: HeadersInit;
  /** Sent on this request and its redirect hops, never stored in the session jar. */
  cookies?: Record<string, string> | RequestsCookieJar | null;
  auth?: AuthLike | null;
  timeout?: TimeoutSpec;
  /** Default true, also for HEAD (a departure from Requests). */
  allowRedirects?: boolean;
  proxies?: ProxiesInit | null;
  hooks?: HooksInit | null;
  stream?: boolean;
  verify?: boolean | string;
  cert?: string | [string, string];
  signal?: AbortSignal;
}

/** Options of `session.send(prepared, options)`. */
export interface SessionSendOptions extends SendOptions {
  allowRedirects?: boolean;
}

export const DEFAULT_REDIRECT_LIMIT = 30;
// Marks the sends resolveRedirects makes, which need no `next`.
const FOLLOWING = Symbol('following redirects');
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

export function defaultUserAgent(): string {
  return 'ricochet/0.1.0';
}

export function defaultHeaders(): CaseInsensitiveDict<string> {
  return new CaseInsensitiveDict<string>({
    'User-Agent': defaultUserAgent(),
    'Accept-Encoding': 'gzip, deflate, br, zstd',
    Accept: '*/*',
    Connection: 'keep-alive',
  });
}

/** Session headers overlaid with request headers; a `null` request value removes the header. */
export function mergeHeaders(
  requestHeaders: HeadersInit | null | undefined,
  sessionHeaders: CaseInsensitiveDict<string>,
): CaseInsensitiveDict<string> {
  const merged = sessionHeaders.copy();
  for (const [name, value] of headerEntries(requestHeaders)) {
    if (value === null || value === undefined) merged.delete(name);
    else merged.set(name, value as string);
  }
  return merged;
}

/** Session params overlaid with request params (as pairs; a `null` request value removes a key). */
export function mergeParams(requestParams: ParamsInit | null | undefined, sessionParams: ParamsInit | null | undefined): ParamsInit {
  if (typeof requestParams === 'string') return requestParams;
  // The usual case, neither has any: nothing to merge.
  if (isEmptyParams(sessionParams)) return requestParams ?? {};
  if (!sessionParams || typeof sessionParams === 'string') return requestParams ?? sessionParams ?? {};
  const toEntries = (p: Exclude<ParamsInit, string>): Array<[string, unknown]> =>
    Array.isArray(p) || p instanceof URLSearchParams
      ? [...(p as Iterable<[string, unknown]>)]
      : Object.entries(p as Record<string, unknown>);
  const req = requestParams ? toEntries(requestParams) : [];
  const names = new Set(req.map(([k]) => k));
  const out: Array<[string, unknown]> = toEntries(sessionParams).filter(([k]) => !names.has(k));
  for (const [k, v] of req) if (v !== null) out.push([k, v]);
  return out as ParamsInit;
}

/** The variables a Session reads (proxies for any scheme go through ALL_PROXY beyond these). */
const ENV_NAMES = ['http', 'https', 'all', 'no'].flatMap((name) => [`${name}_proxy`, `${name.toUpperCase()}_PROXY`]).concat([
  'REQUESTS_CA_BUNDLE',
  'CURL_CA_BUNDLE',
  'NETRC',
]);

/** `env` as a plain object of the variables a Session reads; a plain object is used as it is. */
function readEnvironment(env: Env): Env {
  if (env !== process.env) return env;
  const out: Env = {};
  for (const name of ENV_NAMES) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Effective port of a parsed URL ('' → the scheme's default). */
function portOf(url: URL): string {
  return url.port || DEFAULT_PORTS[url.protocol] || '';
}

export class Session implements AsyncDisposable {
  headers: CaseInsensitiveDict<string> = defaultHeaders();
  auth: AuthLike | null | undefined = undefined;
  proxies: ProxiesInit = {};
  hooks: Hooks = defaultHooks();
  params: ParamsInit = {};
  stream = false;
  verify: boolean | string = true;
  cert: string | [string, string] | undefined = undefined;
  maxRedirects = DEFAULT_REDIRECT_LIMIT;
  trustEnv = true;
  cookies: RequestsCookieJar = new RequestsCookieJar();
  #envSource: Env = process.env;
  #env: Env = readEnvironment(process.env);
  adapters = new Map<string, BaseAdapter>();

  constructor() {
    this.mount('https://', new HTTPAdapter());
    this.mount('http://', new HTTPAdapter());
  }

  /**
   * The environment proxies (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY), CA bundles
   * (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE) and NETRC come from: process.env unless replaced. They are
   * read when the Session is made and whenever this is assigned (`s.env = process.env` picks up
   * later changes), not on every request: each read of process.env is a call into C++.
   */
  get env(): Env {
    return this.#envSource;
  }

  set env(value: Env) {
    this.#envSource = value;
    this.#env = readEnvironment(value);
  }

  /** Sends `method url` with `options` merged over the session's settings. */
  request(method: string, url: string, options: RequestOptions = {}): Promise<Response> {
    // Not async: an async function returning send()'s promise settles two ticks later.
    let prep: PreparedRequest;
    try {
      prep = this.prepareRequest(
        new Request({
          method: method.toUpperCase(),
          url,
          headers: options.headers ?? null,
          files: options.files,
          data: options.data,
          json: options.json,
          params: options.params ?? {},
          auth: options.auth ?? undefined,
          cookies: options.cookies ?? undefined,
          hooks: options.hooks ?? undefined,
        }),
      );
    } catch (err) {
      return Promise.reject(err);
    }
    // mergeEnvironmentSettings without its proxies: send() resolves those per hop anyway.
    return this.send(prep, {
      timeout: options.timeout,
      allowRedirects: options.allowRedirects ?? true,
      signal: options.signal,
      stream: options.stream ?? this.stream,
      verify: this.#verifyFor(options.verify),
      cert: options.cert ?? this.cert,
      // Explicit proxies only: the environment's are resolved per hop, for each hop's URL.
      proxies: options.proxies ? { ...this.proxies, ...options.proxies } : this.proxies,
    });
  }

  get(url: string, options?: RequestOptions): Promise<Response> {
    return this.request('GET', url, options);
  }
  head(url: string, options?: RequestOptions): Promise<Response> {
    return this.request('HEAD', url, options);
  }
  options(url: string, options?: RequestOptions): Promise<Response> {
    return this.request('OPTIONS', url, options);
  }
  post(url: string, options?: RequestOptions): Promise<Response> {
    return this.request('POST', url, options);
  }
  put(url: string, options?: RequestOptions): Promise<Response> {
    return this.request('PUT', url, options);
  }
  patch(url: string, options?: RequestOptions): Promise<Response> {
    return this.request('PATCH', url, options);
  }
  delete(url: string, options?: RequestOptions): Promise<Response> {
    return this.request('DELETE', url, options);
  }

  /**
   * A PreparedRequest from `request` merged with the session: headers, params, auth (falling
   * back to .netrc when neither gives any), cookies and hooks.
   */
  prepareRequest(request: Request): PreparedRequest {
    const requestCookies = request.cookies;
    // Copying the session jar costs a tough-cookie jar per request: only when the request adds cookies.
    const jar = requestCookies
      ? mergeCookies(
          this.cookies.copy(),
          requestCookies instanceof RequestsCookieJar ? requestCookies : cookiejarFromDict(requestCookies),
        )
      : this.cookies;
    let auth: AuthLike | null | undefined = request.auth ?? this.auth;
    if (this.trustEnv && !auth) auth = getNetrcAuth(request.url, false, this.#env);
    const p = new PreparedRequest();
    p.prepare({
      method: (request.method || 'GET').toUpperCase(),
      url: request.url,
      files: request.files,
      data: request.data,
      json: request.json,
      // prepareHeaders copies into a fresh dict anyway: merge only when the request brings headers.
      headers: hasEntries(request.headers) ? mergeHeaders(request.headers, this.headers) : this.headers,
      params: mergeParams(request.params, this.params),
      auth: toAuth(auth),
      cookies: jar,
      hooks: mergeHooks(request.hooks, this.hooks),
    });
    return p;
  }

  /**
   * Sends a PreparedRequest: response hooks, cookies into `session.cookies`, then redirects
   * (unless `allowRedirects: false`) with `history` filled in.
   */
  async send(request: PreparedRequest, options: SessionSendOptions = {}): Promise<Response> {
    if (!(request instanceof PreparedRequest)) {
      throw new TypeError('Session.send needs a PreparedRequest; use session.prepareRequest(new Request(…)) first');
    }
    const allowRedirects = options.allowRedirects ?? true;
    const following = (options as { [FOLLOWING]?: boolean })[FOLLOWING] === true;
    const explicitProxies = options.proxies ?? this.proxies;
    // A spread rather than an object rest (slow, and this runs for every hop); options a subclass
    // or adapter added (even under a symbol) travel on to the adapter and the redirect hops.
    const sendOptions: SendOptions = {
      ...options,
      stream: options.stream ?? this.stream,
      verify: options.verify ?? this.verify,
      cert: options.cert ?? this.cert,
      proxies: this.resolveProxies(request, explicitProxies),
    };
    options.signal?.throwIfAborted();
    const adapter = this.getAdapter(request.url);
    let r = await adapter.send(request, sendOptions);
    if (request.hooks.response.length > 0) r = await dispatchHook('response', request.hooks, r, { ...sendOptions });
    for (const earlier of r.history) this.#keepCookies(earlier);
    this.#keepCookies(r);

    if (!allowRedirects) {
      // Like Requests' `next`: the request a redirect would lead to, ready to send.
      const target = following ? undefined : this.getRedirectTarget(r);
      if (target !== undefined) r.next = this.#redirectRequest(r, request, target, safeHash(request.url), explicitProxies);
    } else if (this.getRedirectTarget(r) !== undefined) {
      const chain: Response[] = [];
      try {
        for await (const hop of this.resolveRedirects(r, request, { ...sendOptions, proxies: explicitProxies })) chain.push(hop);
      } catch (error) {
        noteHistory(error, [...r.history, r, ...chain]);
        throw error;
      }
      if (chain.length > 0) {
        const all = [...r.history, r, ...chain];
        const last = all.pop()!;
        last.history = all;
        r = last;
      }
    }
    return r;
  }

  /** Stores the cookies a response set (deletions included) in the session jar, scoped to its URL. */
  #keepCookies(response: Response): void {
    const setCookies = response.getSetCookie();
    if (setCookies.length > 0) extractCookiesToJar(this.cookies, response.request, setCookies);
  }

  /** The Location of a redirect response (non-ASCII bytes re-decoded as UTF-8), or undefined. */
  getRedirectTarget(response: Response): string | undefined {
    if (!response.isRedirect) return undefined;
    const location = response.headers.get('location');
    if (location === undefined) return undefined;
    // undici gives header bytes as latin1 characters; servers send UTF-8.
    if (/^[\x00-\xff]*$/.test(location) && /[\x80-\xff]/.test(location)) {
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(location, 'latin1'));
      } catch {
        return location;
      }
    }
    return location;
  }

  /** Why Authorization must not follow a redirect from `oldUrl` to `newUrl`, or undefined to keep it. */
  authStripReason(oldUrl: string, newUrl: string): string | undefined {
    const a = new URL(oldUrl);
    const b = new URL(newUrl);
    if (a.hostname !== b.hostname) return `host changed from ${a.hostname} to ${b.hostname}`;
    // http → https on the default ports is an upgrade, not a change of party.
    if (a.protocol === 'http:' && portOf(a) === '80' && b.protocol === 'https:' && portOf(b) === '443') return undefined;
    if (a.protocol !== b.protocol) return `${a.protocol.slice(0, -1)} → ${b.protocol.slice(0, -1)}`;
    if (portOf(a) !== portOf(b)) return `port changed from ${portOf(a)} to ${portOf(b)}`;
    return undefined;
  }

  shouldStripAuth(oldUrl: string, newUrl: string): boolean {
    return this.authStripReason(oldUrl, newUrl) !== undefined;
  }

  /** Drops Authorization when the redirect leaves the party it was for; re-applies .netrc for the new host. */
  rebuildAuth(prepared: PreparedRequest, response: Response): void {
    const url = prepared.url;
    if (prepared.headers.has('Authorization')) {
      const reason = this.authStripReason(response.request.url, url);
      if (reason) {
        prepared.headers.delete('Authorization');
        noteAuthorizationDropped(prepared, reason);
      }
    }
    const netrc = this.trustEnv ? getNetrcAuth(url, false, this.#env) : undefined;
    if (netrc) prepared.prepareAuth(netrc, url);
  }

  /** The method for the next hop: 303 → GET (HEAD stays HEAD); 301/302 → GET for POST only. */
  rebuildMethod(prepared: PreparedRequest, response: Response): void {
    let method = prepared.method;
    if (response.statusCode === 303 && method !== 'HEAD') method = 'GET';
    if ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST') method = 'GET';
    prepared.method = method;
  }

  /**
   * Proxies for `request`'s URL: the explicit ones; when none of them applies to the URL, the
   * environment's (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY) unless NO_PROXY says to go direct.
   */
  resolveProxies(request: PreparedRequest, proxies: ProxiesInit | null | undefined): ProxiesInit {
    const url = request.url;
    const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
    const out: ProxiesInit = { ...(proxies ?? {}) };
    // Parsing the URL for NO_PROXY costs: only when the environment names a proxy at all.
    if (!this.trustEnv || !this.#envProxyFor(scheme)) return out;
    const noProxy = out.no_proxy ?? undefined;
    if (selectProxy(url, out) === undefined && !shouldBypassProxies(url, noProxy, this.#env)) {
      const env = getEnvironProxies(url, noProxy, this.#env);
      const proxy = env[scheme] ?? env.all;
      if (proxy && !(scheme in out)) out[scheme] = proxy;
    }
    return out;
  }

  /** Whether the environment names a proxy for `scheme` (or for all schemes). */
  #envProxyFor(scheme: string): boolean {
    const env = this.#env;
    return Boolean(env[`${scheme}_proxy`] || env[`${scheme.toUpperCase()}_PROXY`] || env.all_proxy || env.ALL_PROXY);
  }

  /**
   * Proxies for the next hop, re-resolved for its URL. Any Proxy-Authorization header is removed:
   * the adapter adds it from the proxy URL, and only ever to the proxy (CVE-2023-32681).
   */
  rebuildProxies(prepared: PreparedRequest, proxies: ProxiesInit | null | undefined): ProxiesInit {
    const resolved = this.resolveProxies(prepared, proxies);
    prepared.headers.delete('Proxy-Authorization');
    return resolved;
  }

  /**
   * Yields the response of each redirect hop after `response`. Each hop's `history` is the hops
   * before it; more than `maxRedirects` hops raises TooManyRedirects.
   */
  async *resolveRedirects(response: Response, request: PreparedRequest, options: SendOptions = {}): AsyncGenerator<Response> {
    const hist: Response[] = [...response.history];
    let resp = response;
    let req = request;
    let target = this.getRedirectTarget(resp);
    let previousFragment = safeHash(req.url);
    while (target !== undefined) {
      hist.push(resp);
      resp.history = hist.slice(0, -1);
      // Release the connection: the body of a redirect is not needed.
      await resp.close();
      if (hist.length - response.history.length > this.maxRedirects) {
        throw new TooManyRedirects(`Exceeded ${this.maxRedirects} redirects (last: ${resp.url} → ${target})`, {
          request: req,
          response: resp,
        });
      }
      options.signal?.throwIfAborted();

      const prepared = this.#redirectRequest(resp, req, target, previousFragment, options.proxies);
      previousFragment = safeHash(prepared.url);
      if (prepared.body != null) prepared.rewindBody();
      req = prepared;
      resp = await this.send(req, { ...options, allowRedirects: false, [FOLLOWING]: true } as SessionSendOptions);
      target = this.getRedirectTarget(resp);
      if (target === undefined) resp.history = [...hist];
      yield resp;
    }
  }

  /** The request for the hop after redirect `resp` of `req` to `target` (not sent). */
  #redirectRequest(
    resp: Response,
    req: PreparedRequest,
    target: string,
    previousFragment: string,
    proxies: ProxiesInit | null | undefined,
  ): PreparedRequest {
    let nextUrl: string;
    try {
      nextUrl = resolveLocation(target, resp.url);
    } catch (cause) {
      throw new InvalidURL(`Invalid redirect: ${resp.url} answered ${resp.statusCode} with Location '${target}', which is not a URL`, {
        request: req,
        response: resp,
        cause,
      });
    }
    // A Location without a fragment inherits the request's (RFC 9110 §10.2.2).
    if (previousFragment) {
      const next = new URL(nextUrl);
      if (!next.hash) next.hash = previousFragment;
      nextUrl = next.href;
    }

    // copy() copies the request's jar; the session's own jar is shared instead (this hop's cookies
    // are already in it), which spares a tough-cookie jar per redirect.
    const shared = req.cookies === this.cookies;
    if (shared) req.cookies = null;
    const prepared = req.copy();
    if (shared) req.cookies = prepared.cookies = this.cookies;
    prepared.url = nextUrl;
    const before = prepared.method;
    this.rebuildMethod(prepared, resp);
    const keepsBody = resp.statusCode === 307 || resp.statusCode === 308 || prepared.method === before;
    if (!keepsBody || prepared.method === 'GET' || prepared.method === 'HEAD') {
      for (const h of ['Content-Length', 'Content-Type', 'Transfer-Encoding']) prepared.headers.delete(h);
      prepared.body = null;
    }
    prepared.headers.delete('Cookie');

    // The request's jar: what it had, what this hop set (scoped to its host), and the session's.
    const jar = prepared.cookies ?? new RequestsCookieJar();
    if (jar !== this.cookies) {
      extractCookiesToJar(jar, resp.request, resp.getSetCookie());
      jar.update(this.cookies);
    }
    prepared.prepareCookies(jar);

    // The explicit proxies travel on; send() adds the environment's for the new URL.
    this.rebuildProxies(prepared, proxies);
    this.rebuildAuth(prepared, resp);
    return prepared;
  }

  /**
   * Settings for a request to `url`: request, then session, then environment (HTTP(S)_PROXY and
   * friends, REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE when verification is on without a bundle).
   */
  mergeEnvironmentSettings(
    url: string,
    proxies: ProxiesInit | null | undefined,
    stream: boolean | undefined,
    verify: boolean | string | undefined,
    cert: string | [string, string] | undefined,
  ): { proxies: ProxiesInit; stream: boolean; verify: boolean | string; cert: string | [string, string] | undefined } {
    return {
      proxies: this.resolveProxies({ url } as PreparedRequest, { ...this.proxies, ...(proxies ?? {}) }),
      stream: stream ?? this.stream,
      verify: this.#verifyFor(verify),
      cert: cert ?? this.cert,
    };
  }

  /** The request's verify, else the session's; a CA bundle from the environment when that is `true`. */
  #verifyFor(verify: boolean | string | undefined): boolean | string {
    const effective = verify ?? this.verify;
    if (this.trustEnv && effective === true) return this.#env.REQUESTS_CA_BUNDLE || this.#env.CURL_CA_BUNDLE || true;
    return effective;
  }

  /** The adapter whose prefix is the longest match for `url` (case-insensitive). */
  getAdapter(url: string): BaseAdapter {
    let best: BaseAdapter | undefined;
    let bestLength = -1;
    for (const [prefix, adapter] of this.adapters) {
      if (prefix.length > bestLength && startsWithIgnoringCase(url, prefix)) {
        best = adapter;
        bestLength = prefix.length;
      }
    }
    if (!best) throw new InvalidSchema(`No connection adapters were found for '${url}'`);
    return best;
  }

  mount(prefix: string, adapter: BaseAdapter): void {
    this.adapters.set(prefix, adapter);
  }

  async close(): Promise<void> {
    await Promise.all([...new Set(this.adapters.values())].map((a) => a.close()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * A redirect's Location resolved against the URL that sent it. A client meets the same few
 * redirects again and again (a login, http → https, a missing slash), and parsing a URL against a
 * base is the costliest step of following one: the answers are kept.
 */
function resolveLocation(location: string, base: string): string {
  let forBase = resolvedLocations.get(base);
  let href = forBase?.get(location);
  if (href !== undefined) return href;
  href = new URL(location, base).href;
  if (forBase === undefined) {
    if (resolvedLocations.size >= RESOLVED_LOCATIONS_MAX) resolvedLocations.clear();
    forBase = new Map();
    resolvedLocations.set(base, forBase);
  }
  if (forBase.size >= RESOLVED_LOCATIONS_MAX) forBase.clear();
  forBase.set(location, href);
  return href;
}

const RESOLVED_LOCATIONS_MAX = 128;
const resolvedLocations = new Map<string, Map<string, string>>();

/** Case-insensitive `startsWith`; prepared URLs and mount prefixes are usually lower case already. */
function startsWithIgnoringCase(text: string, prefix: string): boolean {
  if (text.startsWith(prefix)) return true;
  return text.length >= prefix.length && text.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase();
}

function safeHash(url: string): string {
  if (!url.includes('#')) return '';
  try {
    return new URL(url).hash;
  } catch {
    return '';
  }
}

/** Whether a headers init holds anything (an empty object, list or dict does not). */
function hasEntries(init: HeadersInit | null | undefined): boolean {
  if (!init) return false;
  if (init instanceof CaseInsensitiveDict || init instanceof Map) return init.size > 0;
  if (Array.isArray(init)) return init.length > 0;
  if (Symbol.iterator in Object(init)) return true;
  for (const _ in init) return true;
  return false;
}

/**
 * Request hooks over session hooks, as Requests merges them: an event the request names replaces
 * the session's list for that event.
 */
export function mergeHooks(requestHooks: HooksInit | Hooks | null | undefined, sessionHooks: Hooks): Hooks {
  // Most requests bring no hooks of their own: the session's (as Requests; prepareHooks copies
  // and checks them).
  if (!requestHooks) return sessionHooks;
  const req = normaliseHooks(requestHooks);
  const ses = normaliseHooks(sessionHooks);
  return { response: req.response.length > 0 ? req.response : ses.response };
}
