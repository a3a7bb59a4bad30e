/**
 * `Exchange` is the one plain-data record of a request and everything that came back: every
 * hop as actually sent, each response head, timings, TLS facts, cookies, the final body and the
 * test results. The CLI report, history, HAR export and the response panel all read it; none of
 * them re-derives these facts from live objects.
 *
 * It is structured-clone safe (it crosses `postMessage` into the webview as is). For JSON
 * (history files) use `exchangeToJSON` / `exchangeFromJSON`, which carry body bytes as base64.
 */

/** Header lines in the order they were sent or received; duplicates kept. */
export type HeaderList = Array<[name: string, value: string]>;

/** Durations in milliseconds of each phase; 0 for a phase that did not happen (reused socket). */
export interface Timings {
  /** Looking up the host name. */
  dns: number;
  /** TCP connect. */
  connect: number;
  /** TLS handshake. */
  tls: number;
  /** From the request being written to the first byte of the response. */
  ttfb: number;
  /** From the first byte of the response to the last byte of the body. */
  download: number;
  /** Whole hop, start to end. */
  total: number;
}

export interface PeerCertificate {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  subjectAltName?: string;
  fingerprint256?: string;
}

export interface TlsInfo {
  protocol: string | null;
  cipher: string | null;
  /** Whether the peer certificate verified against the trusted CAs. */
  authorized: boolean;
  authorizationError?: string;
  peerCertificate?: PeerCertificate;
}

/** A cookie as seen on the wire, with the attributes Set-Cookie gave it. */
export interface ExchangeCookie {
  name: string;
  value: string;
  domain?: string;
  path?: string;
  /** ISO date, or absent for a session cookie. */
  expires?: string;
  maxAge?: number;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: string;
  hostOnly?: boolean;
}

/** A body snapshot. `bytes` may hold only the first `bytes.length` of `size` bytes. */
export interface ExchangeBody {
  bytes: Uint8Array;
  /** Full size in bytes of the (decoded) body; `-1` when unknown (e.g. a streamed upload). */
  size: number;
  /** True when `bytes` is only the first part of the body. */
  truncated: boolean;
}

export interface SentRequest {
  method: string;
  url: string;
  /** Headers exactly as sent, after auth and cookies were applied. */
  headers: HeaderList;
  body?: ExchangeBody;
}

export interface ReceivedHead {
  statusCode: number;
  /** The reason phrase as the server sent it. */
  reason: string;
  httpVersion: string;
  headers: HeaderList;
}

export interface ExchangeHop {
  request: SentRequest;
  /** Absent when the hop failed before a response head arrived. */
  response?: ReceivedHead;
  timings: Timings;
  remoteAddress?: string;
  remotePort?: number;
  tls?: TlsInfo;
  /** Cookies sent with this hop's request. */
  cookiesSent: ExchangeCookie[];
  /** Cookies this hop's response set. */
  cookiesSet: ExchangeCookie[];
  /** Why an Authorization header the previous hop had was not sent on this one. */
  authorizationDropped?: string;
}

export interface ExchangeResponseBody extends ExchangeBody {
  /** Bytes received on the wire before content decoding; `-1` when unknown. */
  wireSize: number;
  contentType?: string;
  /** The charset the text view was decoded with. */
  charset?: string;
  /** Content-Encoding layers that were decoded, outermost first (e.g. ['gzip']). */
  contentEncoding: string[];
}

/** One assertion (`?? …`) or handler-script `client.test` result. */
export interface TestResult {
  name: string;
  passed: boolean;
  expected?: string;
  actual?: string;
  message?: string;
  /** Zero-based line in the source file, when it came from one. */
  line?: number;
}

export interface ExchangeError {
  /** Exception class name, e.g. 'SSLError', 'ReadTimeout'. */
  name: string;
  message: string;
}

export interface ExchangeSource {
  file?: string;
  /** Zero-based line of the request line. */
  line?: number;
  name?: string;
  title?: string;
}

export interface Exchange {
  id: string;
  /** ISO timestamp of the start of the first hop. */
  startedAt: string;
  /** Every hop in order; the last one's response is the final response. Never empty. */
  hops: ExchangeHop[];
  /** The final response's body; absent when there was no response or it was not read. */
  body?: ExchangeResponseBody;
  error?: ExchangeError;
  tests: TestResult[];
  /** Things the user should know that are not errors (e.g. "scripts not run: untrusted workspace"). */
  notices: string[];
  source?: ExchangeSource;
}

/** The hop whose response is the final one. */
export function finalHop(exchange: Exchange): ExchangeHop {
  const hop = exchange.hops.at(-1);
  if (!hop) throw new Error('Exchange has no hops');
  return hop;
}

/** Total time across every hop, in ms. */
export function totalTime(exchange: Exchange): number {
  return exchange.hops.reduce((sum, hop) => sum + hop.timings.total, 0);
}

/** JSON-safe form: every `Uint8Array` (Node Buffers included) becomes `{ $base64: '…' }`. */
export function exchangeToJSON(exchange: Exchange): unknown {
  return JSON.parse(
    JSON.stringify(exchange, function (this: Record<string, unknown>, key: string, value: unknown) {
      // A Buffer's own toJSON has already run by the time the replacer sees `value`, so look at
      // the holder's original property.
      const original = this[key];
      return original instanceof Uint8Array ? { $base64: Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64') } : value;
    }),
  );
}

/** Inverse of `exchangeToJSON`. Throws a TypeError when the data is not an Exchange. */
export function exchangeFromJSON(data: unknown): Exchange {
  const revived = JSON.parse(JSON.stringify(data), (_key, value: unknown) => {
    if (value && typeof value === 'object' && '$base64' in value && typeof value.$base64 === 'string') {
      return new Uint8Array(Buffer.from(value.$base64, 'base64'));
    }
    return value;
  }) as Partial<Exchange> | null;
  if (!revived || typeof revived.id !== 'string' || !Array.isArray(revived.hops) || revived.hops.length === 0) {
    throw new TypeError('not an Exchange record: needs an id and at least one hop');
  }
  return { tests: [], notices: [], ...revived } as Exchange;
}
