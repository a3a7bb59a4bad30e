/**
 * HAR 1.2 export of a run: `toHar(exchanges, { name: 'ricochet', version })`. Every hop of every
 * exchange is one entry (redirects included), so the file replays exactly what went over the wire.
 */
import type { Exchange, ExchangeCookie, ExchangeHop, HeaderList } from '../requests/exchange.ts';
import { bodyText } from './assertions.ts';

export interface HarNameValue {
  name: string;
  value: string;
}

export interface HarCookie extends HarNameValue {
  path?: string;
  domain?: string;
  expires?: string;
  httpOnly?: boolean;
  secure?: boolean;
}

export interface HarPostData {
  mimeType: string;
  params: HarNameValue[];
  text: string;
  /** Not in HAR 1.2; set to 'base64' when `text` holds base64 (as browsers do). */
  encoding?: 'base64';
}

export interface HarRequest {
  method: string;
  url: string;
  httpVersion: string;
  cookies: HarCookie[];
  headers: HarNameValue[];
  queryString: HarNameValue[];
  postData?: HarPostData;
  headersSize: number;
  bodySize: number;
}

export interface HarContent {
  size: number;
  compression?: number;
  mimeType: string;
  text?: string;
  encoding?: 'base64';
}

export interface HarResponse {
  status: number;
  statusText: string;
  httpVersion: string;
  cookies: HarCookie[];
  headers: HarNameValue[];
  content: HarContent;
  redirectURL: string;
  headersSize: number;
  bodySize: number;
  _error?: string;
}

export interface HarTimings {
  blocked: number;
  dns: number;
  connect: number;
  send: number;
  wait: number;
  receive: number;
  ssl: number;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: HarRequest;
  response: HarResponse;
  cache: Record<string, never>;
  timings: HarTimings;
  serverIPAddress?: string;
  connection?: string;
  comment?: string;
}

export interface Har {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    entries: HarEntry[];
  };
}

const TEXTUAL = /^(text\/|application\/(json|xml|javascript|ecmascript|x-www-form-urlencoded|graphql)|[^;]*\+(json|xml))|^image\/svg\+xml/i;

/** Whether a body of this media type is text to show as is (else it is binary). */
export function isTextual(mimeType: string): boolean {
  return mimeType === '' || TEXTUAL.test(mimeType);
}

function nameValues(headers: HeaderList): HarNameValue[] {
  return headers.map(([name, value]) => ({ name, value }));
}

function header(headers: HeaderList, name: string): string | undefined {
  return headers.find(([n]) => n.toLowerCase() === name)?.[1];
}

function cookies(list: ExchangeCookie[]): HarCookie[] {
  return list.map((c) => {
    const out: HarCookie = { name: c.name, value: c.value };
    if (c.path !== undefined) out.path = c.path;
    if (c.domain !== undefined) out.domain = c.domain;
    if (c.expires !== undefined) out.expires = c.expires;
    if (c.httpOnly !== undefined) out.httpOnly = c.httpOnly;
    if (c.secure !== undefined) out.secure = c.secure;
    return out;
  });
}

function queryString(url: string): HarNameValue[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

/** Text when the bytes are valid UTF-8, else base64. */
function textOrBase64(bytes: Uint8Array): { text: string; encoding?: 'base64' } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { text: Buffer.from(bytes).toString('base64'), encoding: 'base64' };
  }
}

/** Size of a header block as it would appear on the wire (HTTP/1.1 framing). */
function headBytes(firstLine: string, headers: HeaderList): number {
  let size = firstLine.length + 2;
  for (const [n, v] of headers) size += Buffer.byteLength(n) + 2 + Buffer.byteLength(v) + 2;
  return size + 2;
}

const ms = (n: number) => Math.round(n * 1000) / 1000;

function entryFor(exchange: Exchange, hop: ExchangeHop, index: number, started: number): HarEntry {
  const isLast = index === exchange.hops.length - 1;
  const sent = hop.request;
  const httpVersion = hop.response ? `HTTP/${hop.response.httpVersion.replace(/^HTTP\//i, '')}` : 'HTTP/1.1';
  const request: HarRequest = {
    method: sent.method,
    url: sent.url,
    httpVersion,
    cookies: cookies(hop.cookiesSent),
    headers: nameValues(sent.headers),
    queryString: queryString(sent.url),
    headersSize: -1,
    bodySize: sent.body ? sent.body.size : 0,
  };
  if (sent.body && sent.body.size !== 0) {
    const mimeType = header(sent.headers, 'content-type') ?? 'application/octet-stream';
    const body = textOrBase64(sent.body.bytes);
    const postData: HarPostData = { mimeType, params: [], text: body.text };
    if (body.encoding) postData.encoding = body.encoding;
    if (!body.encoding && /^application\/x-www-form-urlencoded/i.test(mimeType)) {
      postData.params = [...new URLSearchParams(body.text)].map(([name, value]) => ({ name, value }));
    }
    request.postData = postData;
  }

  const head = hop.response;
  const mimeType = (head && header(head.headers, 'content-type')) ?? (isLast ? exchange.body?.contentType : undefined) ?? '';
  const content: HarContent = { size: 0, mimeType };
  let bodySize = 0;
  if (isLast && exchange.body) {
    const b = exchange.body;
    content.size = b.size;
    if (b.wireSize >= 0) {
      bodySize = b.wireSize;
      if (b.wireSize !== b.size && b.size >= 0) content.compression = b.size - b.wireSize;
    } else bodySize = -1;
    if (isTextual(mimeType)) {
      const decoded = textOrBase64(b.bytes);
      content.text = decoded.encoding ? decoded.text : bodyText(exchange);
      if (decoded.encoding) content.encoding = 'base64';
    } else {
      content.text = Buffer.from(b.bytes).toString('base64');
      content.encoding = 'base64';
    }
  } else if (head) {
    bodySize = Number(header(head.headers, 'content-length') ?? 0) || 0;
  }
  const response: HarResponse = {
    status: head?.statusCode ?? 0,
    statusText: head?.reason ?? '',
    httpVersion: head ? httpVersion : '',
    cookies: cookies(hop.cookiesSet),
    headers: nameValues(head?.headers ?? []),
    content,
    redirectURL: (head && header(head.headers, 'location')) ?? '',
    headersSize: head ? headBytes(`HTTP/${head.httpVersion} ${head.statusCode} ${head.reason}`, head.headers) : -1,
    bodySize: head ? bodySize : -1,
  };
  if (!head && exchange.error && isLast) response._error = `${exchange.error.name}: ${exchange.error.message}`;

  const t = hop.timings;
  const timings: HarTimings = {
    blocked: -1,
    dns: t.dns > 0 ? ms(t.dns) : -1,
    // HAR counts the TLS handshake inside connect and repeats it in ssl.
    connect: t.connect + t.tls > 0 ? ms(t.connect + t.tls) : -1,
    send: 0,
    wait: ms(t.ttfb),
    receive: ms(t.download),
    ssl: t.tls > 0 ? ms(t.tls) : -1,
  };
  const time = ms(Math.max(t.total, [timings.dns, timings.connect, timings.send, timings.wait, timings.receive].reduce((s, v) => s + (v > 0 ? v : 0), 0)));
  const entry: HarEntry = {
    startedDateTime: new Date(started).toISOString(),
    time,
    request,
    response,
    cache: {},
    timings,
  };
  if (hop.remoteAddress) entry.serverIPAddress = hop.remoteAddress;
  if (hop.remotePort !== undefined) entry.connection = String(hop.remotePort);
  const label = exchange.source?.name ?? exchange.source?.title;
  const where = exchange.source?.file !== undefined ? `${exchange.source.file}${exchange.source.line !== undefined ? `:${exchange.source.line + 1}` : ''}` : undefined;
  const comment = [label, where, exchange.hops.length > 1 ? `hop ${index + 1} of ${exchange.hops.length}` : undefined].filter(Boolean).join(' · ');
  if (comment) entry.comment = comment;
  return entry;
}

/** HAR 1.2 log of every hop of every exchange, in order. */
export function toHar(exchanges: readonly Exchange[], creator: { name: string; version: string } = { name: 'ricochet', version: '0' }): Har {
  const entries: HarEntry[] = [];
  for (const exchange of exchanges) {
    let started = Date.parse(exchange.startedAt);
    if (Number.isNaN(started)) started = Date.now();
    exchange.hops.forEach((hop, i) => {
      entries.push(entryFor(exchange, hop, i, started));
      started += hop.timings.total;
    });
  }
  return { log: { version: '1.2', creator: { name: creator.name, version: creator.version }, entries } };
}
