/**
 * Builds the plain-data `Exchange` record from a Response (and its redirect history), or from a
 * request that failed. The CLI, history and the panel read only this record.
 *
 *   const r = await session.get(url);
 *   const exchange = toExchange(r);          // every hop as sent, heads, timings, cookies, body
 */
import { randomUUID } from 'node:crypto';
import { Cookie } from 'tough-cookie';
import type {
  Exchange,
  ExchangeCookie,
  ExchangeHop,
  ExchangeResponseBody,
  ExchangeSource,
  HeaderList,
  SentRequest,
  TestResult,
  Timings,
} from './exchange.ts';
import type { PreparedRequest, Response } from './models.ts';

export interface ExchangeExtras {
  id?: string;
  source?: ExchangeSource;
  tests?: TestResult[];
  notices?: string[];
}

// Why the Session removed Authorization from a hop's request (keyed by that PreparedRequest).
const authorizationDroppedNotes = new WeakMap<object, string>();
// The responses received before a request failed (keyed by the thrown error).
const historyNotes = new WeakMap<object, Response[]>();

export function noteAuthorizationDropped(request: PreparedRequest, reason: string): void {
  authorizationDroppedNotes.set(request, reason);
}

export function authorizationDroppedReason(request: PreparedRequest): string | undefined {
  return authorizationDroppedNotes.get(request);
}

/** Remembers the hops that completed before `error` was thrown, for `errorExchange`. */
export function noteHistory(error: unknown, responses: Response[]): void {
  if (typeof error === 'object' && error !== null && !historyNotes.has(error)) historyNotes.set(error, responses);
}

const NO_TIMINGS: Timings = { dns: 0, connect: 0, tls: 0, ttfb: 0, download: 0, total: 0 };

/** Parses a Cookie request header into name/value pairs. */
export function parseCookieHeader(value: string): ExchangeCookie[] {
  const out: ExchangeCookie[] = [];
  for (const part of value.split(';')) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const eq = trimmed.indexOf('=');
    out.push(eq === -1 ? { name: '', value: trimmed } : { name: trimmed.slice(0, eq), value: trimmed.slice(eq + 1) });
  }
  return out;
}

/** Parses one Set-Cookie header value with its attributes; undefined when it is not a cookie. */
export function parseSetCookie(value: string): ExchangeCookie | undefined {
  const cookie = Cookie.parse(value, { loose: true });
  if (!cookie) return undefined;
  const out: ExchangeCookie = { name: cookie.key, value: cookie.value };
  if (cookie.domain) out.domain = cookie.domain;
  if (cookie.path) out.path = cookie.path;
  if (cookie.expires instanceof Date) out.expires = cookie.expires.toISOString();
  if (typeof cookie.maxAge === 'number') out.maxAge = cookie.maxAge;
  if (cookie.secure) out.secure = true;
  if (cookie.httpOnly) out.httpOnly = true;
  if (cookie.sameSite) out.sameSite = cookie.sameSite;
  out.hostOnly = !cookie.domain;
  return out;
}

function headerValues(headers: HeaderList, name: string): string[] {
  const lower = name.toLowerCase();
  return headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/** The response's header lines as received (duplicates kept) when the model has them. */
function receivedHeaders(response: Response): HeaderList {
  const raw = (response as { rawHeaders?: HeaderList }).rawHeaders;
  if (Array.isArray(raw)) return raw.map(([n, v]) => [n, v]);
  const list: HeaderList = [];
  for (const [name, value] of response.headers.entries()) {
    if (name.toLowerCase() === 'set-cookie') {
      for (const v of value.split(/\n|,(?=\s*[^;,=\s]+=)/)) list.push([name, v.trim()]);
    } else {
      list.push([name, value]);
    }
  }
  return list;
}

/** What was sent for `request`, from the adapter's record or, failing that, the prepared request. */
function sentRequest(response: Response | undefined, request: PreparedRequest | undefined): SentRequest {
  const asSent = response?.requestAsSent;
  // A Response not made by an adapter (e.g. responseFrom) has an empty record.
  if (asSent && asSent.url) return asSent;
  const req = request ?? response?.request;
  const headers: HeaderList = req ? [...req.headers.entries()] : [];
  const sent: SentRequest = { method: req?.method ?? 'GET', url: req?.url ?? '', headers };
  const body = req?.body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    const limit = 64 * 1024;
    sent.body = { bytes: bytes.slice(0, limit), size: bytes.length, truncated: bytes.length > limit };
  } else if (body != null) {
    sent.body = { bytes: new Uint8Array(0), size: -1, truncated: true };
  }
  return sent;
}

function hopOf(response: Response): ExchangeHop {
  const request = sentRequest(response, response.request);
  const headers = receivedHeaders(response);
  const hop: ExchangeHop = {
    request,
    response: {
      statusCode: response.statusCode,
      reason: response.reason ?? '',
      httpVersion: response.httpVersion ?? '1.1',
      headers,
    },
    timings: response.timings ?? { ...NO_TIMINGS },
    cookiesSent: headerValues(request.headers, 'cookie').flatMap(parseCookieHeader),
    cookiesSet: headerValues(headers, 'set-cookie')
      .map(parseSetCookie)
      .filter((c): c is ExchangeCookie => c !== undefined),
  };
  if (response.remoteAddress) hop.remoteAddress = response.remoteAddress;
  if (response.remotePort) hop.remotePort = response.remotePort;
  if (response.tls) hop.tls = response.tls;
  const dropped = response.request ? authorizationDroppedNotes.get(response.request) : undefined;
  if (dropped) hop.authorizationDropped = dropped;
  return hop;
}

/** The final body, when it has been read (undefined for an unread stream). */
function bodyOf(response: Response): ExchangeResponseBody | undefined {
  let bytes: Uint8Array;
  try {
    bytes = response.content;
  } catch {
    return undefined;
  }
  if (!(bytes instanceof Uint8Array)) return undefined;
  const body: ExchangeResponseBody = {
    bytes,
    size: bytes.length,
    truncated: false,
    wireSize: typeof response.wireSize === 'number' ? response.wireSize : -1,
    contentEncoding: response.contentEncoding ? [...response.contentEncoding] : [],
  };
  const contentType = response.headers.get('content-type');
  if (contentType) body.contentType = contentType;
  const charset = response.encoding;
  if (charset) body.charset = charset;
  return body;
}

function startedAt(hops: ExchangeHop[]): string {
  const total = hops.reduce((sum, hop) => sum + hop.timings.total, 0);
  return new Date(Date.now() - total).toISOString();
}

/** The whole exchange that produced `response`: its history's hops, then its own, and its body. */
export function toExchange(response: Response, extras: ExchangeExtras = {}): Exchange {
  const hops = [...response.history, response].map(hopOf);
  const exchange: Exchange = {
    id: extras.id ?? randomUUID(),
    startedAt: startedAt(hops),
    hops,
    tests: extras.tests ?? [],
    notices: extras.notices ?? [],
  };
  const body = bodyOf(response);
  if (body) exchange.body = body;
  if (extras.source) exchange.source = extras.source;
  return exchange;
}

/**
 * An Exchange for a request that failed: the hops that completed before the failure, then the
 * failed hop (its request, no response), and `error`.
 */
export function errorExchange(error: unknown, request: PreparedRequest | undefined, extras: ExchangeExtras = {}): Exchange {
  const err = error instanceof Error ? error : new Error(String(error));
  const responses = historyNotes.get(err) ?? [];
  const hops = responses.map(hopOf);
  const failedRequest = (err as { request?: unknown }).request;
  const last = responses.at(-1);
  const failed = isPrepared(failedRequest) ? failedRequest : request;
  // The error's response is a completed hop (e.g. TooManyRedirects); otherwise the failed hop has no response.
  if (!last || (failed && last.request !== failed)) {
    const hop: ExchangeHop = {
      request: sentRequest(undefined, failed),
      timings: { ...NO_TIMINGS },
      cookiesSent: [],
      cookiesSet: [],
    };
    hop.cookiesSent = headerValues(hop.request.headers, 'cookie').flatMap(parseCookieHeader);
    const dropped = failed ? authorizationDroppedNotes.get(failed) : undefined;
    if (dropped) hop.authorizationDropped = dropped;
    hops.push(hop);
  }
  const exchange: Exchange = {
    id: extras.id ?? randomUUID(),
    startedAt: startedAt(hops),
    hops,
    error: { name: err.name, message: err.message },
    tests: extras.tests ?? [],
    notices: extras.notices ?? [],
  };
  if (extras.source) exchange.source = extras.source;
  return exchange;
}

function isPrepared(value: unknown): value is PreparedRequest {
  return typeof value === 'object' && value !== null && 'headers' in value && 'url' in value && 'method' in value;
}
