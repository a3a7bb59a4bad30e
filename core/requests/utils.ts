/**
 * Small pure helpers shared by the models, the adapter and the session, named after Requests'
 * `requests.utils`: charset detection, Link headers, URL and header validation, and proxy
 * selection from explicit settings and the environment.
 *
 *   selectProxy('https://api.example/x', { https: 'http://proxy:3128' }) // 'http://proxy:3128'
 */
import { BlockList, isIP } from 'node:net';
import type { CaseInsensitiveDict } from './structures.ts';
import { InvalidHeader, InvalidURL, MissingSchema } from './exceptions.ts';

// ---------------------------------------------------------------------------------------------
// Encodings

const CHARSET_META = /<meta[^>]*?charset=["']*([^\s"'>/;]+)/gi;
const PRAGMA_META = /<meta[^>]*?content=["']*;?charset=(.+?)["'>]/gi;
const XML_DECL = /^<\?xml[^>]*?encoding=["']*(.+?)["'>]/g;

/** Charsets declared inside an HTML/XML document (meta charset, http-equiv, XML declaration). */
export function getEncodingsFromContent(content: string): string[] {
  const found: string[] = [];
  for (const re of [CHARSET_META, PRAGMA_META, XML_DECL]) {
    for (const m of content.matchAll(re)) if (m[1]) found.push(m[1]);
  }
  return found;
}

/** Splits `text/html; charset="utf-8"` into the media type and its lower-cased parameters. */
export function parseContentTypeHeader(value: string): [string, Record<string, string>] {
  const [type = '', ...rest] = value.split(';');
  const params: Record<string, string> = {};
  for (const part of rest) {
    const eq = part.indexOf('=');
    const key = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase().replace(/^["' ]+|["' ]+$/g, '');
    if (!key) continue;
    params[key] = eq === -1 ? '' : part.slice(eq + 1).trim().replace(/^["' ]+|["' ]+$/g, '');
  }
  return [type.trim(), params];
}

/**
 * The charset a response's headers declare. Like Requests, `text/*` without one means
 * ISO-8859-1 and JSON means UTF-8; anything else gives `undefined`.
 */
export function getEncodingFromHeaders(headers: { get(name: string): string | undefined }): string | undefined {
  const contentType = headers.get('content-type');
  if (!contentType) return undefined;
  const [type, params] = parseContentTypeHeader(contentType);
  if (params.charset) return params.charset;
  if (type.toLowerCase().startsWith('text')) return 'ISO-8859-1';
  if (type.toLowerCase() === 'application/json') return 'utf-8';
  return undefined;
}

/** Decodes bytes with a charset label, falling back to UTF-8 for labels TextDecoder doesn't know. */
export function decodeText(bytes: Uint8Array, encoding: string | undefined): string {
  const label = encoding ?? 'utf-8';
  // A non-streaming decode keeps no state, so one decoder per label serves every response.
  let decoder = decoders.get(label);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(label);
    } catch {
      decoder = new TextDecoder('utf-8');
    }
    if (decoders.size >= 64) decoders.clear();
    decoders.set(label, decoder);
  }
  return decoder.decode(bytes);
}

const decoders = new Map<string, TextDecoder>();

/** The response's text decoded with its declared encoding (Requests' `get_unicode_from_response`). */
export function getUnicodeFromResponse(response: { content: Uint8Array; headers: CaseInsensitiveDict<string> }): string {
  return decodeText(response.content, getEncodingFromHeaders(response.headers));
}

/**
 * A best guess at the charset of bytes with no declared one: a BOM, else 'ascii' when every byte is
 * 7-bit, else 'utf-8' when the bytes are valid UTF-8, else 'windows-1252'.
 */
export function guessEncoding(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return 'ascii';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

// ---------------------------------------------------------------------------------------------
// Link headers

/** Parses a `Link` header into `[{ url, rel, … }]` as Requests' `parse_header_links`. */
export function parseHeaderLinks(value: string): Array<Record<string, string>> {
  const links: Array<Record<string, string>> = [];
  const replaceChars = /^[ '"]+|[ '"]+$/g;
  const trimmed = value.replace(replaceChars, '');
  if (!trimmed) return links;
  for (const val of trimmed.split(/, *</)) {
    const semi = val.indexOf(';');
    const url = semi === -1 ? val : val.slice(0, semi);
    const params = semi === -1 ? '' : val.slice(semi + 1);
    const link: Record<string, string> = { url: url.replace(/^[<> '"]+|[<> '"]+$/g, '') };
    for (const param of params.split(';')) {
      const eq = param.indexOf('=');
      if (eq === -1) break;
      link[param.slice(0, eq).replace(replaceChars, '')] = param.slice(eq + 1).replace(replaceChars, '');
    }
    links.push(link);
  }
  return links;
}

// ---------------------------------------------------------------------------------------------
// URLs

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/** Python's `quote_plus` for one form/query component: spaces become '+', `!'()*` are escaped. */
export function quotePlus(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, '+');
}

export type ParamValue = string | number | boolean | bigint | null | undefined;
/** Query or form data: an object (array values repeat the key), pairs, or an already encoded string. */
export type ParamsInit =
  | Record<string, ParamValue | readonly ParamValue[]>
  | ReadonlyArray<readonly [string, ParamValue]>
  | URLSearchParams
  | string;

/** Flattens params/form data to ordered pairs; `null`/`undefined` values are dropped (as Requests drops None). */
export function toPairs(data: Exclude<ParamsInit, string>): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const entries: Iterable<readonly [string, unknown]> =
    Array.isArray(data) || data instanceof URLSearchParams
      ? (data as Iterable<readonly [string, unknown]>)
      : Object.entries(data);
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 2) {
      throw new TypeError(`params/data pairs must be [key, value], got ${JSON.stringify(entry)}`);
    }
    const [key, value] = entry as [string, unknown];
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (v === null || v === undefined) continue;
      pairs.push([String(key), String(v)]);
    }
  }
  return pairs;
}

/** Encodes params/form data as `a=1&b=2&b=3` (order kept, repeated keys kept); strings pass as is. */
export function encodeParams(data: ParamsInit): string {
  if (typeof data === 'string') return data;
  return toPairs(data)
    .map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`)
    .join('&');
}

/**
 * Validates and normalises an http(s) URL before any I/O, like Requests' `prepare_url`:
 * MissingSchema without a scheme, InvalidURL without a host or with a bad host/port; IDN hosts
 * become punycode, unsafe characters are percent-encoded (existing escapes are kept), params are
 * appended to the query. Non-http schemes are returned untouched (the adapter lookup rejects them).
 */
export function prepareUrl(url: string, params?: ParamsInit | null): string {
  if (typeof url !== 'string') throw new InvalidURL(`Invalid URL ${String(url)}: the URL must be a string`);
  // A Session calls this for every request, mostly with the same few URLs and no params.
  const plain = isEmptyParams(params);
  const known = plain ? preparedUrls.get(url) : undefined;
  if (known !== undefined) return known;
  const prepared = prepareUrlUncached(url, params);
  if (plain) {
    if (preparedUrls.size >= PREPARED_URLS_MAX) preparedUrls.clear();
    preparedUrls.set(url, prepared);
  }
  return prepared;
}

const PREPARED_URLS_MAX = 512;
const preparedUrls = new Map<string, string>();

/** No params at all (conservatively: a URLSearchParams or class instance counts as some). */
export function isEmptyParams(params: ParamsInit | null | undefined): boolean {
  if (params === null || params === undefined || params === '') return true;
  if (Array.isArray(params)) return params.length === 0;
  if (typeof params !== 'object' || params instanceof URLSearchParams) return false;
  if (Object.getPrototypeOf(params) !== Object.prototype) return false;
  for (const _ in params) return false;
  return true;
}

function prepareUrlUncached(url: string, params?: ParamsInit | null): string {
  url = url.trim();
  // WHATWG URL would silently drop CR, LF and tab; a line break inside a URL is an injection attempt or a typo.
  const control = url.search(/[\r\n\t]/);
  if (control !== -1) {
    throw new InvalidURL(`Invalid URL '${JSON.stringify(url).slice(1, -1)}': control character (CR, LF or tab) at position ${control}`);
  }
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https' && !/^[^/]*:\d/.test(url)) {
    return url;
  }
  if (scheme === undefined || (scheme !== 'http' && scheme !== 'https')) {
    throw new MissingSchema(`Invalid URL '${url}': No scheme supplied. Perhaps you meant https://${url}?`);
  }
  if (/^https?:\/*$/i.test(url) || /^https?:\/\/[/?#]/i.test(url) || /^https?:\/\/[^/?#]*@[/?#]?$/i.test(url)) {
    throw new InvalidURL(`Invalid URL '${url}': No host supplied`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new InvalidURL(`Invalid URL '${url}': ${describeUrlProblem(url)}`, { cause });
  }
  if (!parsed.hostname) throw new InvalidURL(`Invalid URL '${url}': No host supplied`);
  if (params !== undefined && params !== null) {
    const encoded = encodeParams(params);
    if (encoded) {
      // Keep the fragment where it belongs: the WHATWG setter would re-encode the query, so splice by hand.
      const query = parsed.search ? `${parsed.search}&${encoded}` : `?${encoded}`;
      parsed.search = query;
    }
  }
  return parsed.href;
}

function describeUrlProblem(url: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url)?.[1] ?? '';
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const port = /:([^\]]*)$/.exec(hostPort)?.[1];
  if (port !== undefined && port !== '' && !/^\d{1,5}$/.test(port)) return `invalid port '${port}'`;
  if (port !== undefined && Number(port) > 65535) return `port ${port} is out of range`;
  return `invalid host '${hostPort.replace(/:\d*$/, '')}'`;
}

/** `user` and `password` from a URL's userinfo, percent-decoded; `['', '']` when there are none. */
export function getAuthFromUrl(url: string): [string, string] {
  // Userinfo always comes with an '@'.
  if (!url.includes('@')) return ['', ''];
  try {
    const u = new URL(url);
    return [decodeURIComponent(u.username), decodeURIComponent(u.password)];
  } catch {
    return ['', ''];
  }
}

/** The URL without its fragment and userinfo (what may be shown or sent as a Referer). */
export function urldefragauth(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  u.hash = '';
  return u.href;
}

// ---------------------------------------------------------------------------------------------
// Headers

const HEADER_NAME = /^[^:\s][^:\r\n]*$/;
const HEADER_VALUE = /^\S[^\r\n]*$|^$/;

/**
 * Rejects a header that would corrupt the request or smuggle another one: a non-string name or
 * value, CR/LF anywhere, a leading space in the value, whitespace or ':' in the name.
 */
export function checkHeaderValidity(name: unknown, value: unknown): void {
  if (typeof name !== 'string') {
    throw new InvalidHeader(`Header name ${JSON.stringify(name)} must be a string, not ${typeOf(name)}`);
  }
  if (typeof value !== 'string') {
    throw new InvalidHeader(`Header '${name}' value ${safeJson(value)} must be a string, not ${typeOf(value)}`);
  }
  if (!HEADER_NAME.test(name)) {
    throw new InvalidHeader(`Invalid leading whitespace, reserved character(s), or return character(s) in header name: ${JSON.stringify(name)}`);
  }
  if (!HEADER_VALUE.test(value)) {
    // The value itself is not quoted: header values are often credentials, and messages end up in logs.
    const at = value.search(/[\r\n]/);
    const what = at !== -1 ? `a line break (${value[at] === '\r' ? 'CR' : 'LF'}) at position ${at}` : 'leading whitespace';
    throw new InvalidHeader(
      `Invalid leading whitespace, reserved character(s), or return character(s) in the value of header '${name}': ${what} (${value.length} characters; value not shown)`,
    );
  }
}

/**
 * checkHeaderValidity for an entry of a CaseInsensitiveDict. Entries are frozen and shared by
 * copies, so a Session's headers are checked once rather than twice per request; the set holds
 * them weakly, so no header value outlives its dict here.
 */
export function checkHeaderEntry(entry: readonly [string, unknown]): void {
  if (checkedEntries.has(entry)) return;
  checkHeaderValidity(entry[0], entry[1]);
  checkedEntries.add(entry);
}

const checkedEntries = new WeakSet<readonly [string, unknown]>();

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

// ---------------------------------------------------------------------------------------------
// Proxies

export type Env = Record<string, string | undefined>;

/** Reads `name` from the environment, the lower-case spelling first (as curl and urllib do). */
function envVar(env: Env, name: string): string | undefined {
  const lower = env[name.toLowerCase()];
  if (lower !== undefined && lower !== '') return lower;
  const upper = env[name.toUpperCase()];
  return upper !== undefined && upper !== '' ? upper : undefined;
}

function hostOf(url: string): { hostname: string; port: string; scheme: string } | undefined {
  try {
    const u = new URL(url);
    const hostname = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const scheme = u.protocol.slice(0, -1);
    const port = u.port || (scheme === 'https' ? '443' : scheme === 'http' ? '80' : '');
    return { hostname, port, scheme };
  } catch {
    return undefined;
  }
}

/**
 * Whether `url` must bypass proxies per `noProxy` (or NO_PROXY/no_proxy): `*` matches all;
 * `example.com` / `.example.com` / `*.example.com` match that domain and its subdomains on a label
 * boundary (not `notexample.com`); `host:port` matches only that port; IPs and CIDR blocks (v4 and
 * v6) match addresses.
 */
export function shouldBypassProxies(url: string, noProxy?: string | null, env: Env = process.env): boolean {
  // Cheapest first: most requests have no NO_PROXY at all, and parsing the URL costs.
  const list = noProxy ?? envVar(env, 'no_proxy');
  if (!list) return !/^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#]*@)?[^/?#:@]/i.test(url);
  const target = hostOf(url);
  if (!target || !target.hostname) return true;
  const ipVersion = isIP(target.hostname);
  for (let entry of list.split(/[\s,]+/)) {
    entry = entry.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    let entryPort: string | undefined;
    const portMatch = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (portMatch) {
      entry = portMatch[1]!;
      entryPort = portMatch[2];
    }
    entry = entry.replace(/^\[|\]$/g, '');
    if (entryPort !== undefined && entryPort !== target.port) continue;
    if (ipVersion) {
      if (entry.includes('/')) {
        const [base, bits] = entry.split('/');
        const baseVersion = isIP(base ?? '');
        if (baseVersion !== ipVersion || !/^\d+$/.test(bits ?? '')) continue;
        const block = new BlockList();
        try {
          block.addSubnet(base!, Number(bits), ipVersion === 4 ? 'ipv4' : 'ipv6');
        } catch {
          continue;
        }
        if (block.check(target.hostname, ipVersion === 4 ? 'ipv4' : 'ipv6')) return true;
      } else if (isIP(entry) && normaliseIp(entry) === normaliseIp(target.hostname)) {
        return true;
      }
      continue;
    }
    const domain = entry.replace(/^\*?\./, '');
    if (target.hostname === domain || target.hostname.endsWith('.' + domain)) return true;
  }
  return false;
}

function normaliseIp(ip: string): string {
  return isIP(ip) === 6 ? new URL(`http://[${ip}]/`).hostname : ip;
}

/**
 * Proxies from the environment for `url` (`{ http, https, all }` from HTTP_PROXY, HTTPS_PROXY,
 * ALL_PROXY in either case), or `{}` when NO_PROXY says to bypass.
 */
export function getEnvironProxies(url: string, noProxy?: string | null, env: Env = process.env): Record<string, string> {
  if (shouldBypassProxies(url, noProxy, env)) return {};
  const proxies: Record<string, string> = {};
  for (const scheme of ['http', 'https', 'all']) {
    const value = envVar(env, `${scheme}_proxy`);
    if (value) proxies[scheme] = value;
  }
  return proxies;
}

/**
 * The proxy for `url` from a proxies map, most specific key first:
 * `scheme://host`, `scheme`, `all://host`, `all`.
 */
export function selectProxy(url: string, proxies: Record<string, string | null | undefined> | null | undefined): string | undefined {
  if (!proxies) return undefined;
  let any = false;
  for (const key in proxies) {
    if (proxies[key]) {
      any = true;
      break;
    }
  }
  if (!any) return undefined;
  const target = hostOf(url);
  const pick = (key: string): string | undefined => {
    const v = proxies[key];
    return v ? v : undefined;
  };
  if (!target || !target.hostname) return pick(target?.scheme ?? '') ?? pick('all');
  const host = isIP(target.hostname) === 6 ? `[${target.hostname}]` : target.hostname;
  for (const key of [`${target.scheme}://${host}`, target.scheme, `all://${host}`, 'all']) {
    const v = pick(key);
    if (v) return v;
  }
  return undefined;
}

/**
 * Parses a proxy URL, adding `http://` when it has no scheme (as Requests does). Throws
 * InvalidProxyURL when it has no host.
 */
export function prependSchemeIfNeeded(url: string, scheme = 'http'): string {
  return SCHEME.test(url) && /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `${scheme}://${url.replace(/^\/\//, '')}`;
}
