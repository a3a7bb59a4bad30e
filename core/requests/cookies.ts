/**
 * Cookies: a dict-like jar over tough-cookie, like Requests' `RequestsCookieJar`.
 *
 *   const jar = new RequestsCookieJar();
 *   jar.set('token', 'abc', { domain: 'example.com' });
 *   jar.get('token');          // 'abc'
 *
 * Cookies that arrive in Set-Cookie headers go through tough-cookie's RFC 6265 storage rules
 * (public suffixes rejected, host-only stays host-only, Secure never sent over http). Cookies set
 * by hand without a domain are, as in Requests, sent to every host; they are kept under the empty
 * domain in the same store so the dict interface sees them alongside the others.
 */
import { Cookie, CookieJar, MemoryCookieStore, canonicalDomain, cookieCompare, pathMatch } from 'tough-cookie';
import type { SerializedCookie } from 'tough-cookie';
import { CookieConflictError } from './exceptions.ts';

export { Cookie };

/** Attributes accepted by `RequestsCookieJar.set`. */
export interface CookieOptions {
  /** Omit for a cookie sent to every host (Requests' behaviour for hand-set cookies). */
  domain?: string;
  path?: string;
  expires?: Date | string | number;
  /** Seconds. */
  maxAge?: number;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: string;
}

/** Narrows a lookup to cookies with exactly this domain and/or path. */
export interface CookieFilter {
  domain?: string;
  path?: string;
}

export interface SerializedRequestsCookieJar {
  version: 1;
  cookies: SerializedCookie[];
}

/** The key the empty-domain cookies ("any host") live under in the store. */
const ANY_HOST = '';

function normaliseDomain(domain: string | undefined | null): string {
  if (!domain) return ANY_HOST;
  return canonicalDomain(domain.replace(/^\./, '')) ?? ANY_HOST;
}

function sameDomain(cookie: Cookie, domain: string | undefined): boolean {
  return domain === undefined || (cookie.domain ?? ANY_HOST) === normaliseDomain(domain);
}

function samePath(cookie: Cookie, path: string | undefined): boolean {
  return path === undefined || (cookie.path ?? '/') === path;
}

/** Runs one of MemoryCookieStore's callback methods, which call back synchronously. */
function now<T>(run: (callback: (error: Error | null, result?: T) => void) => void): T {
  let out: { error: Error | null; result?: T } | undefined;
  run((error, result) => {
    out = { error, result };
  });
  if (!out) throw new Error('cookie store answered asynchronously; RequestsCookieJar needs MemoryCookieStore');
  if (out.error) throw out.error;
  return out.result as T;
}

export class RequestsCookieJar implements Iterable<Cookie> {
  readonly store: MemoryCookieStore;
  /** The tough-cookie jar that applies RFC 6265 to Set-Cookie headers and outgoing requests. */
  readonly jar: CookieJar;

  constructor() {
    this.store = new MemoryCookieStore();
    this.jar = new CookieJar(this.store, {
      rejectPublicSuffixes: true,
      looseMode: true,
      // "Secure never sent over http", including to localhost.
      allowSecureOnLocal: false,
    });
  }

  /** Every unexpired cookie, oldest first (expired ones are dropped as they are found). */
  all(): Cookie[] {
    const cookies = now<Cookie[]>((cb) => this.store.getAllCookies(cb));
    const live = cookies.filter((c) => !expired(c));
    if (live.length !== cookies.length) for (const c of cookies) if (expired(c)) this.#remove(c);
    return live;
  }

  [Symbol.iterator](): Iterator<Cookie> {
    return this.all()[Symbol.iterator]();
  }

  get size(): number {
    return this.all().length;
  }

  /** Cookies named `name`, optionally narrowed by exact domain and path. */
  find(name: string | undefined, filter: CookieFilter = {}): Cookie[] {
    return this.all().filter(
      (c) => (name === undefined || c.key === name) && sameDomain(c, filter.domain) && samePath(c, filter.path),
    );
  }

  /**
   * The value of the cookie called `name`, or `undefined`. Throws CookieConflictError when several
   * cookies match (narrow it with `{ domain, path }`).
   */
  get(name: string, filter: CookieFilter = {}): string | undefined {
    const found = this.find(name, filter);
    if (found.length > 1) {
      const where = found.map((c) => `${c.domain || '(any host)'}${c.path ?? ''}`).join(', ');
      throw new CookieConflictError(`There are multiple cookies with name '${name}' (${where}); pass { domain, path }`);
    }
    return found[0]?.value;
  }

  has(name: string, filter: CookieFilter = {}): boolean {
    return this.find(name, filter).length > 0;
  }

  /** Sets a cookie; a `null` value removes the matching cookies instead. */
  set(name: string, value: string | null, options: CookieOptions = {}): this {
    if (value === null) {
      this.delete(name, options);
      return this;
    }
    if (typeof name !== 'string' || name === '' || /[\s;,=]/.test(name)) {
      throw new TypeError(`cookie name ${JSON.stringify(name)} is not a valid token`);
    }
    const domain = normaliseDomain(options.domain);
    const cookie = new Cookie({
      key: name,
      value: String(value),
      domain,
      path: options.path ?? '/',
      secure: options.secure ?? false,
      httpOnly: options.httpOnly ?? false,
      // A hand-set domain covers its subdomains too, as a Domain attribute would.
      hostOnly: false,
      sameSite: options.sameSite,
      creation: new Date(),
    });
    if (options.expires !== undefined) cookie.setExpires(new Date(options.expires));
    if (options.maxAge !== undefined) cookie.setMaxAge(options.maxAge);
    this.setCookie(cookie);
    return this;
  }

  /** Stores a tough-cookie `Cookie` as is (replacing one with the same domain, path and name). */
  setCookie(cookie: Cookie): this {
    const copy = cookie.clone() ?? cookie;
    copy.domain = copy.domain ?? ANY_HOST;
    copy.path = copy.path ?? '/';
    now<void>((cb) => this.store.putCookie(copy, cb));
    return this;
  }

  /** Removes the cookies named `name` (narrowed by domain/path); true when any was removed. */
  delete(name: string, filter: CookieFilter = {}): boolean {
    const found = this.find(name, filter);
    for (const c of found) this.#remove(c);
    return found.length > 0;
  }

  #remove(cookie: Cookie): void {
    now<void>((cb) => this.store.removeCookie(cookie.domain ?? ANY_HOST, cookie.path ?? '/', cookie.key, cb));
  }

  /** `{ name: value }` of the cookies (optionally only those with this exact domain/path). */
  getDict(domain?: string, path?: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const c of this.find(undefined, { domain, path })) out[c.key] = c.value;
    return out;
  }

  keys(): string[] {
    return this.all().map((c) => c.key);
  }

  values(): string[] {
    return this.all().map((c) => c.value);
  }

  items(): Array<[string, string]> {
    return this.all().map((c) => [c.key, c.value]);
  }

  listDomains(): string[] {
    return [...new Set(this.all().map((c) => c.domain ?? ANY_HOST))];
  }

  listPaths(): string[] {
    return [...new Set(this.all().map((c) => c.path ?? '/'))];
  }

  /** True when the jar holds cookies for more than one domain. */
  multipleDomains(): boolean {
    return this.listDomains().length > 1;
  }

  /** Removes every cookie, or those matching the given domain, path and name. */
  clear(domain?: string, path?: string, name?: string): void {
    for (const c of this.find(name, { domain, path })) this.#remove(c);
  }

  clearExpiredCookies(at: Date = new Date()): void {
    for (const c of now<Cookie[]>((cb) => this.store.getAllCookies(cb))) {
      const expiry = c.expiryTime();
      if (expiry !== undefined && expiry <= at.getTime()) this.#remove(c);
    }
  }

  /** Removes the cookies that have no expiry (they would end with a browser session). */
  clearSessionCookies(): void {
    for (const c of this.all()) if (!c.isPersistent()) this.#remove(c);
  }

  /** Adds every cookie of `other` (a jar or `{ name: value }`), replacing same-named ones in place. */
  update(other: RequestsCookieJar | Record<string, string> | Iterable<Cookie>): this {
    if (other instanceof RequestsCookieJar || Symbol.iterator in Object(other)) {
      for (const c of other as Iterable<Cookie>) this.setCookie(c);
    } else {
      for (const [k, v] of Object.entries(other as Record<string, string>)) this.set(k, v);
    }
    return this;
  }

  copy(): RequestsCookieJar {
    return new RequestsCookieJar().update(this);
  }

  toJSON(): SerializedRequestsCookieJar {
    return { version: 1, cookies: this.all().map((c) => c.toJSON()) };
  }

  static fromJSON(data: string | SerializedRequestsCookieJar): RequestsCookieJar {
    const parsed: unknown = typeof data === 'string' ? JSON.parse(data) : data;
    const list = (parsed as Partial<SerializedRequestsCookieJar> | null)?.cookies;
    if (!Array.isArray(list)) throw new TypeError('not a serialised cookie jar: expected { cookies: [...] }');
    const jar = new RequestsCookieJar();
    list.forEach((entry, i) => {
      const cookie = Cookie.fromJSON(entry);
      if (!cookie) throw new TypeError(`serialised cookie jar: cookies[${i}] is not a cookie`);
      if (cookie.domain == null) cookie.domain = ANY_HOST;
      jar.setCookie(cookie);
    });
    return jar;
  }

  /** The cookies to send to `url`, in RFC 6265 order (longest path first, then oldest). */
  cookiesFor(url: string): Cookie[] {
    // Most jars are empty: skip tough-cookie's URL parsing and domain permutations for them.
    if (this.#isEmpty()) return [];
    const matched = this.jar.getCookiesSync(url, { http: true });
    const anyHostIndex = this.store.idx[ANY_HOST];
    if (!anyHostIndex) return matched.sort(cookieCompare);
    const target = new URL(url);
    const secure = target.protocol === 'https:' || target.protocol === 'wss:';
    const anyHost = this.find(undefined, { domain: ANY_HOST }).filter(
      (c) => pathMatch(target.pathname || '/', c.path ?? '/') && (secure || !c.secure) && !expired(c),
    );
    return (anyHost.length === 0 ? matched : [...matched, ...anyHost]).sort(cookieCompare);
  }

  /** True when the store holds no cookie (without listing and sorting them all). */
  #isEmpty(): boolean {
    // for…in rather than Object.values: asked on every request, it should allocate nothing.
    const idx = this.store.idx;
    for (const domain in idx) {
      const paths = idx[domain]!;
      for (const path in paths) for (const _ in paths[path]) return false;
    }
    return true;
  }

  /** Stores cookies from Set-Cookie header values received for `url`; invalid ones are ignored. */
  extract(url: string, setCookieHeaders: Iterable<string>): Cookie[] {
    const stored: Cookie[] = [];
    for (const header of setCookieHeaders) {
      const cookie = this.jar.setCookieSync(header, url, { ignoreError: true, http: true, loose: true });
      if (cookie) stored.push(cookie);
    }
    return stored;
  }
}

function expired(cookie: Cookie): boolean {
  const expiry = cookie.expiryTime();
  return expiry !== undefined && expiry <= Date.now();
}

/**
 * A jar holding `dict`'s cookies (into `jar` when given). With `overwrite: false`, names already
 * in the jar are kept.
 */
export function cookiejarFromDict(
  dict: Record<string, string> | null | undefined,
  jar: RequestsCookieJar = new RequestsCookieJar(),
  overwrite = true,
): RequestsCookieJar {
  if (!dict) return jar;
  const existing = new Set(jar.keys());
  for (const [name, value] of Object.entries(dict)) {
    if (overwrite || !existing.has(name)) jar.set(name, value);
  }
  return jar;
}

export function addDictToCookiejar(jar: RequestsCookieJar, dict: Record<string, string>): RequestsCookieJar {
  return cookiejarFromDict(dict, jar);
}

export function dictFromCookiejar(jar: RequestsCookieJar): Record<string, string> {
  return jar.getDict();
}

/** The Cookie header value `jar` gives a request to `request.url`, or undefined when none apply. */
export function getCookieHeader(jar: RequestsCookieJar, request: { url: string }): string | undefined {
  const cookies = jar.cookiesFor(request.url);
  if (cookies.length === 0) return undefined;
  return cookies.map((c) => c.cookieString()).join('; ');
}

/** Stores the cookies of a response's Set-Cookie headers, scoped to the URL that set them. */
export function extractCookiesToJar(jar: RequestsCookieJar, request: { url: string }, setCookieHeaders: string[]): void {
  jar.extract(request.url, setCookieHeaders);
}

/**
 * Adds `cookies` to `jar`. Unlike Requests (where a session cookie of the same name wins), a
 * per-request cookie replaces same-named ones: the request's settings take precedence.
 */
export function mergeCookies(
  jar: RequestsCookieJar,
  cookies: Record<string, string> | RequestsCookieJar | undefined | null,
): RequestsCookieJar {
  if (!cookies) return jar;
  if (cookies instanceof RequestsCookieJar) {
    const incoming = cookies.all();
    for (const name of new Set(incoming.map((c) => c.key))) jar.delete(name);
    for (const c of incoming) jar.setCookie(c);
    return jar;
  }
  for (const [name, value] of Object.entries(cookies)) {
    jar.delete(name);
    jar.set(name, value);
  }
  return jar;
}
