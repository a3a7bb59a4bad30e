/**
 * The objects of a request's life, as Requests' `requests.models`:
 *
 *   const prep = new Request({ method: 'POST', url, json: { a: 1 } }).prepare();
 *   const r = await adapter.send(prep);      // → Response
 *   r.statusCode; r.headers.get('content-type'); r.json();
 *
 * `Request` is what the caller asked for; `PreparedRequest` is exactly what will be sent
 * (validated URL, headers, encoded body, auth applied); `Response` is what came back, with the
 * facts an HTTP debugger shows (timings, TLS, the request as sent).
 */
import { CaseInsensitiveDict, type CaseInsensitiveInit } from './structures.ts';
import {
  HTTPError,
  InvalidJSONError,
  JSONDecodeError,
  RequestException,
  StreamConsumedError,
  UnrewindableBodyError,
} from './exceptions.ts';
import { RequestsCookieJar, cookiejarFromDict, extractCookiesToJar, getCookieHeader } from './cookies.ts';
import { AuthBase, HTTPBasicAuth, type AuthLike } from './auth.ts';
import { normaliseHooks, type Hooks, type HooksInit, type ResponseHook } from './hooks.ts';
import type { BaseAdapter } from './adapters.ts';
import type { HeaderList, SentRequest, Timings, TlsInfo } from './exchange.ts';
import {
  checkHeaderEntry,
  checkHeaderValidity,
  decodeText,
  encodeParams,
  getAuthFromUrl,
  getEncodingFromHeaders,
  guessEncoding,
  parseHeaderLinks,
  prepareUrl,
  type ParamsInit,
} from './utils.ts';
import { encodeMultipart, MultipartBody, type FileContent, type FileSpec, type FilesInit } from './multipart.ts';
import { REASONS } from './codes.ts';

export { MultipartBody };
export type { FileContent, FileSpec, FilesInit } from './multipart.ts';
export type { ParamsInit } from './utils.ts';

/** Statuses that redirect (Requests' `REDIRECT_STATI`). */
export const REDIRECT_STATI: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/** How much of a body `requestAsSent` and previews keep. */
export const BODY_SNAPSHOT_LIMIT = 64 * 1024;

/** What `data` may be: form fields (object/pairs/URLSearchParams) or a raw body. */
export type DataInit =
  | Exclude<ParamsInit, string>
  | string
  | Uint8Array
  | ArrayBuffer
  | ArrayBufferView
  | Blob
  | FormData
  | AsyncIterable<Uint8Array>
  | ReadableStream<Uint8Array>;

/** A prepared body: sent as is. Streams (AsyncIterable/ReadableStream) go chunked unless a length is known. */
export type Body = string | Uint8Array | Blob | MultipartBody | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/** Headers as callers give them; a `null` value means "remove" when merged over session headers. */
export type HeadersInit =
  | Record<string, string | null | undefined>
  | Iterable<readonly [string, string | null | undefined]>
  | CaseInsensitiveDict<string | null | undefined>
  | CaseInsensitiveDict<string>;

export interface RequestInit {
  method?: string;
  url?: string;
  headers?: HeadersInit | null;
  files?: FilesInit | null;
  data?: DataInit | null;
  json?: unknown;
  params?: ParamsInit | null;
  auth?: AuthLike | null;
  cookies?: Record<string, string> | RequestsCookieJar | null;
  hooks?: HooksInit | null;
}

/** The [name, value] pairs of any headers init, iterated as they are (no copy). */
export function headerEntries(headers: HeadersInit | null | undefined): Iterable<readonly [string, unknown]> {
  if (!headers) return [];
  if (typeof headers === 'object' && Symbol.iterator in headers) return headers as Iterable<readonly [string, unknown]>;
  return Object.entries(headers);
}

/**
 * A user-created request, not yet validated or encoded.
 *
 *   const req = new Request({ method: 'GET', url: 'https://example.org', params: { q: 'x' } });
 *   const prep = req.prepare();
 */
export class Request {
  method: string;
  url: string;
  headers: HeadersInit;
  files: FilesInit | null;
  data: DataInit | null;
  json: unknown;
  params: ParamsInit | null;
  auth: AuthLike | null;
  cookies: Record<string, string> | RequestsCookieJar | null;
  hooks: Hooks;

  constructor(init: RequestInit = {}) {
    this.method = init.method ?? '';
    this.url = init.url ?? '';
    this.headers = init.headers ?? {};
    this.files = init.files ?? null;
    this.data = init.data ?? null;
    this.json = init.json;
    this.params = init.params ?? null;
    this.auth = init.auth ?? null;
    this.cookies = init.cookies ?? null;
    this.hooks = normaliseHooks(init.hooks);
  }

  registerHook(event: 'response', hook: ResponseHook | ResponseHook[]): void {
    registerHook(this.hooks, event, hook);
  }

  deregisterHook(event: 'response', hook: ResponseHook): boolean {
    return deregisterHook(this.hooks, event, hook);
  }

  /** Validates and encodes this request into what will be sent. */
  prepare(): PreparedRequest {
    const p = new PreparedRequest();
    p.prepare({
      method: this.method,
      url: this.url,
      headers: this.headers,
      files: this.files,
      data: this.data,
      json: this.json,
      params: this.params,
      auth: this.auth,
      cookies: this.cookies,
      hooks: this.hooks,
    });
    return p;
  }
}

function registerHook(hooks: Hooks, event: string, hook: ResponseHook | ResponseHook[]): void {
  if (event !== 'response') throw new TypeError(`Unsupported event specified, with event name "${event}"`);
  for (const h of Array.isArray(hook) ? hook : [hook]) {
    if (typeof h !== 'function') throw new TypeError('a hook must be a function');
    hooks.response.push(h);
  }
}

function deregisterHook(hooks: Hooks, event: string, hook: ResponseHook): boolean {
  const list = event === 'response' ? hooks.response : [];
  const at = list.indexOf(hook);
  if (at === -1) return false;
  list.splice(at, 1);
  return true;
}

// A Session sends new PreparedRequests for the same few URLs: parse each URL's path once.
const PATH_URLS_MAX = 512;
const pathUrls = new Map<string, string>();

/** The path and query of `url` ('/' when empty or unparsable). */
function pathUrlOf(url: string): string {
  let path = pathUrls.get(url);
  if (path === undefined) {
    try {
      const u = new URL(url);
      path = (u.pathname || '/') + u.search;
    } catch {
      path = '/';
    }
    if (pathUrls.size >= PATH_URLS_MAX) pathUrls.clear();
    pathUrls.set(url, path);
  }
  return path;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof ReadableStream !== 'undefined' && value instanceof ReadableStream;
}

/** Bytes of a body whose content is in memory (string, bytes); undefined otherwise. */
export function bodyBytes(body: Body | null): Uint8Array | undefined {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  return undefined;
}

/** Length of a body when it is known without reading it; undefined for streams. */
export function bodyLength(body: Body | null): number | undefined {
  if (body === null) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body, 'utf8');
  if (body instanceof Uint8Array) return body.length;
  if (body instanceof Blob) return body.size;
  if (body instanceof MultipartBody) return body.length;
  return undefined;
}

/** Whether a body can be sent again (for a 307/308 or a retry). */
export function isRewindable(body: Body | null): boolean {
  return body === null || bodyLength(body) !== undefined;
}

/**
 * Exactly what will be sent: a validated URL, headers, an encoded body, auth and cookies applied.
 * Usually made by `Request.prepare()` or `Session.prepareRequest()`.
 */
export class PreparedRequest {
  /** Upper-case method; '' until `prepareMethod`. */
  method = '';
  /** Absolute URL; '' until `prepareUrl`. */
  url = '';
  headers: CaseInsensitiveDict<string> = new CaseInsensitiveDict<string>();
  body: Body | null = null;
  hooks: Hooks = normaliseHooks(undefined);
  /** The jar the Cookie header came from (Requests' `_cookies`); redirects rebuild the header from it. */
  cookies: RequestsCookieJar | null = null;
  /** Set by the adapter once a one-shot stream body has been handed to the socket. */
  bodyConsumed = false;
  /** A pending asynchronous `AuthBase.apply`, awaited by the adapter before sending. */
  ready: Promise<void> | undefined;

  /** Runs every prepare step in Requests' order (auth after body, so it can sign it). */
  prepare(init: RequestInit = {}): void {
    this.prepareMethod(init.method);
    this.prepareUrl(init.url ?? '', init.params);
    this.prepareHeaders(init.headers);
    this.prepareCookies(init.cookies);
    this.prepareBody(init.data, init.files, init.json);
    this.prepareAuth(init.auth, init.url);
    this.prepareHooks(init.hooks);
  }

  prepareMethod(method: string | null | undefined): void {
    this.method = (method ?? '').toUpperCase();
  }

  /** Validates the URL (MissingSchema, InvalidURL), punycodes IDN hosts, appends params. */
  prepareUrl(url: string, params?: ParamsInit | null): void {
    this.url = prepareUrl(url, params);
  }

  /** Validates every header (InvalidHeader); `null`/`undefined` values are left out. */
  prepareHeaders(headers: HeadersInit | null | undefined): void {
    if (headers instanceof CaseInsensitiveDict) {
      // A Session's dict, every request: share its entries rather than rebuild each one.
      this.headers = new CaseInsensitiveDict<string>(headers as CaseInsensitiveDict<string>);
      for (const entry of this.headers) {
        if (entry[1] === null || entry[1] === undefined) this.headers.delete(entry[0]);
        else checkHeaderEntry(entry);
      }
      return;
    }
    this.headers = new CaseInsensitiveDict<string>();
    for (const [name, value] of headerEntries(headers)) {
      if (value === null || value === undefined) continue;
      checkHeaderValidity(name, value);
      this.headers.set(name, value as string);
    }
  }

  /**
   * Encodes the body: `json` → JSON (only when no data/files), `files` → multipart, form
   * objects/pairs → urlencoded, strings/bytes/Blobs as is, streams chunked.
   */
  prepareBody(data: DataInit | null | undefined, files: FilesInit | null | undefined, json?: unknown): void {
    let body: Body | null = null;
    let contentType: string | undefined;
    const noData = data === null || data === undefined || (typeof data === 'string' && data === '');
    if (noData && !files && json !== undefined && json !== null) {
      let text: string | undefined;
      try {
        text = JSON.stringify(json);
      } catch (cause) {
        throw new InvalidJSONError(`json body cannot be serialised: ${(cause as Error).message}`, { request: this, cause });
      }
      if (text === undefined) throw new InvalidJSONError(`json body cannot be serialised: ${typeof json}`, { request: this });
      body = Buffer.from(text, 'utf8');
      contentType = 'application/json';
    } else if (typeof FormData !== 'undefined' && data instanceof FormData) {
      // A web FormData: strings are fields, Blobs/Files are file parts.
      const fields: Array<[string, string]> = [];
      const parts: Array<[string, FileSpec]> = [];
      for (const [name, value] of data) {
        if (typeof value === 'string') fields.push([name, value]);
        else parts.push([name, { content: value, filename: value.name || name, ...(value.type ? { contentType: value.type } : {}) }]);
      }
      const encoded = encodeMultipart(fields, [...parts, ...(files ? filesEntries(files) : [])]);
      body = encoded.body;
      contentType = encoded.contentType;
    } else if (files && (Array.isArray(files) ? files.length > 0 : Object.keys(files).length > 0)) {
      if (!noData && !isFormData(data)) {
        throw new TypeError('data must be an object or [key, value] pairs when files are given');
      }
      const encoded = encodeMultipart(noData ? null : (data as Exclude<ParamsInit, string>), files);
      body = encoded.body;
      contentType = encoded.contentType;
    } else if (!noData) {
      if (typeof data === 'string' || data instanceof Uint8Array) {
        body = data;
      } else if (data instanceof ArrayBuffer) {
        body = new Uint8Array(data);
      } else if (ArrayBuffer.isView(data)) {
        body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      } else if (data instanceof Blob) {
        body = data;
        if (data.type) contentType = data.type;
      } else if (isReadableStream(data) || isAsyncIterable(data)) {
        body = data;
      } else if (isFormData(data)) {
        const encoded = encodeParams(data);
        body = encoded === '' ? null : encoded;
        if (body !== null) contentType = 'application/x-www-form-urlencoded';
      } else {
        throw new TypeError(`data of type ${typeof data} cannot be a request body`);
      }
    }
    this.body = body;
    this.prepareContentLength(body);
    if (contentType && !this.headers.has('content-type')) this.headers.set('Content-Type', contentType);
  }

  /**
   * Content-Length as Requests: the body's length when known; `Transfer-Encoding: chunked` for
   * streams of unknown length; `0` for a bodiless request whose method is not GET or HEAD.
   */
  prepareContentLength(body: Body | null): void {
    const length = body === null ? undefined : bodyLength(body);
    if (body !== null && length === undefined) {
      this.headers.delete('content-length');
      this.headers.set('Transfer-Encoding', 'chunked');
    } else if (body !== null && length) {
      this.headers.delete('transfer-encoding');
      this.headers.set('Content-Length', String(length));
    } else if (this.method !== 'GET' && this.method !== 'HEAD' && !this.headers.has('content-length')) {
      this.headers.set('Content-Length', '0');
    }
  }

  /**
   * Applies auth: a `[user, pass]` tuple becomes HTTPBasicAuth; with no auth, credentials in the
   * URL's userinfo are used and removed from the URL.
   */
  prepareAuth(auth: AuthLike | null | undefined, _url?: string): void {
    let handler: AuthBase | undefined;
    if (auth === null || auth === undefined) {
      const [user, pass] = getAuthFromUrl(this.url);
      if (user || pass) {
        const u = new URL(this.url);
        u.username = '';
        u.password = '';
        this.url = u.href;
        handler = new HTTPBasicAuth(user, pass);
      }
    } else if (auth instanceof AuthBase) {
      handler = auth;
    } else if (Array.isArray(auth) && auth.length === 2) {
      handler = new HTTPBasicAuth(auth[0], auth[1]);
    } else if (typeof auth === 'object' && typeof (auth as { apply?: unknown }).apply === 'function') {
      handler = auth as unknown as AuthBase;
    } else {
      throw new TypeError('auth must be [user, password] or an AuthBase');
    }
    if (!handler) return;
    const result = handler.apply(this);
    if (result instanceof Promise) {
      this.ready = result.then((r) => {
        if (r && r !== this) this.#adopt(r);
        this.prepareContentLength(this.body);
      });
      return;
    }
    if (result && result !== this) this.#adopt(result);
    this.prepareContentLength(this.body);
  }

  #adopt(other: PreparedRequest): void {
    this.method = other.method;
    this.url = other.url;
    this.headers = other.headers;
    this.body = other.body;
    this.hooks = other.hooks;
    this.cookies = other.cookies;
  }

  /** Sets the Cookie header from `cookies` unless one was given explicitly (as Requests). */
  prepareCookies(cookies: Record<string, string> | RequestsCookieJar | null | undefined): void {
    if (cookies === null || cookies === undefined) {
      // Nothing to send; a jar is made lazily by whoever needs one (creating one costs per request).
      this.cookies = null;
      return;
    }
    this.cookies = cookies instanceof RequestsCookieJar ? cookies : cookiejarFromDict(cookies);
    if (this.headers.has('cookie')) return;
    const header = getCookieHeader(this.cookies, { url: this.url });
    if (header) this.headers.set('Cookie', header);
  }

  prepareHooks(hooks: HooksInit | Hooks | null | undefined): void {
    const normalised = normaliseHooks(hooks);
    for (const h of normalised.response) this.registerHook('response', h);
  }

  registerHook(event: 'response', hook: ResponseHook | ResponseHook[]): void {
    registerHook(this.hooks, event, hook);
  }

  deregisterHook(event: 'response', hook: ResponseHook): boolean {
    return deregisterHook(this.hooks, event, hook);
  }

  /** The path and query to put on the request line ('/' when empty); no fragment. */
  get pathUrl(): string {
    // Cached per URL: the adapter asks several times per send.
    if (this.#pathUrlOf !== this.url) {
      this.#pathUrlOf = this.url;
      this.#pathUrl = pathUrlOf(this.url);
    }
    return this.#pathUrl;
  }

  #pathUrlOf: string | undefined;
  #pathUrl = '/';

  /** A copy with its own headers, hooks and cookie jar (the body is shared). */
  copy(): PreparedRequest {
    const p = new PreparedRequest();
    p.method = this.method;
    p.url = this.url;
    p.headers = this.headers.copy();
    p.body = this.body;
    p.hooks = { response: [...this.hooks.response] };
    p.cookies = this.cookies ? this.cookies.copy() : null;
    p.bodyConsumed = this.bodyConsumed;
    return p;
  }

  /**
   * Makes the body sendable again (for 307/308 and retries). In-memory bodies, Blobs and multipart
   * bodies always are; a stream that was already sent is not: UnrewindableBodyError.
   */
  rewindBody(): void {
    if (this.bodyConsumed && !isRewindable(this.body)) {
      throw new UnrewindableBodyError('Unable to rewind request body for redirect: the body is a stream that was already sent', {
        request: this,
      });
    }
    this.bodyConsumed = false;
  }

  toString(): string {
    return `<PreparedRequest [${this.method}]>`;
  }
}

function filesEntries(files: FilesInit): Array<[string, FileContent | FileSpec]> {
  return Array.isArray(files) ? files.map(([k, v]) => [k, v]) : Object.entries(files);
}

function isFormData(data: unknown): data is Exclude<ParamsInit, string> {
  if (data instanceof URLSearchParams || Array.isArray(data)) return true;
  if (typeof data !== 'object' || data === null) return false;
  if (data instanceof Uint8Array || data instanceof Blob || ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return false;
  if (isAsyncIterable(data) || isReadableStream(data)) return false;
  const proto = Object.getPrototypeOf(data) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A snapshot of a body for `requestAsSent`: up to 64 KiB when in memory; size -1 for streams. */
export function snapshotBody(body: Body | null): SentRequest['body'] {
  if (body === null) return undefined;
  const bytes = bodyBytes(body);
  if (bytes) {
    const truncated = bytes.length > BODY_SNAPSHOT_LIMIT;
    return { bytes: truncated ? bytes.slice(0, BODY_SNAPSHOT_LIMIT) : bytes, size: bytes.length, truncated };
  }
  if (body instanceof MultipartBody) {
    const bytes = body.preview(BODY_SNAPSHOT_LIMIT);
    return { bytes, size: body.length, truncated: bytes.length < body.length };
  }
  if (body instanceof Blob) return { bytes: new Uint8Array(0), size: body.size, truncated: body.size > 0 };
  return { bytes: new Uint8Array(0), size: -1, truncated: true };
}

function emptyTimings(): Timings {
  return { dns: 0, connect: 0, tls: 0, ttfb: 0, download: 0, total: 0 };
}

function concat(chunks: Uint8Array[], size?: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const buf = Buffer.concat(chunks, size);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

/**
 * `chunk` in pieces of at most `size` bytes: slices of the chunk as it came, never copied together
 * (Requests promises no exact length either), so a large body costs no copies.
 */
function* pieces(chunk: Uint8Array, size: number | null | undefined): Generator<Uint8Array> {
  if (!size || chunk.length <= size) {
    yield chunk;
    return;
  }
  for (let at = 0; at < chunk.length; at += size) yield chunk.subarray(at, at + size);
}

/** A streamed body: its chunks in order, readable once; `destroy` drops the rest (and the connection). */
export interface BodyStream extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
}

/**
 * What came back for one hop. After a normal request the body is already read: `content`,
 * `text` and `json()` are synchronous. With `stream: true` read it with `iterContent`,
 * `iterLines` or `await read()`.
 */
export class Response {
  statusCode = 0;
  /** The reason phrase as the server sent it (e.g. 'NOT FOUND'). */
  reason = '';
  /** Response headers; repeated fields are joined with ', ' (see `rawHeaders` for each line). */
  headers: CaseInsensitiveDict<string> = new CaseInsensitiveDict<string>();
  /** Every header line as received, in order, duplicates kept (e.g. several Set-Cookie). */
  rawHeaders: HeaderList = [];
  url = '';
  /** Earlier hops, oldest first; each hop's own `history` holds the hops before it. */
  history: Response[] = [];
  #cookies: RequestsCookieJar | undefined;
  /** Milliseconds from sending the request to the response headers. */
  elapsed = 0;
  #request: PreparedRequest | undefined;
  /** The adapter that produced this response (Digest auth re-sends through it). */
  connection: BaseAdapter | undefined;
  /** The (decoded) body stream while it has not been consumed; null once it has. */
  raw: BodyStream | null = null;
  /** The request to follow when redirects were not (Requests' `next`). */
  next: PreparedRequest | undefined;
  httpVersion = '1.1';
  timings: Timings = emptyTimings();
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  tls: TlsInfo | undefined;
  /** Body bytes received on the wire, before content decoding; -1 until known. */
  wireSize = -1;
  /** Content-Encoding layers that were decoded, outermost first. */
  contentEncoding: string[] = [];
  #requestAsSent: SentRequest | (() => SentRequest) | undefined;

  /** The request of this hop exactly as handed to the socket. */
  get requestAsSent(): SentRequest {
    let known = this.#requestAsSent;
    if (typeof known === 'function') known = known();
    known ??= { method: '', url: '', headers: [] };
    this.#requestAsSent = known;
    return known;
  }

  set requestAsSent(value: SentRequest) {
    this.#requestAsSent = value;
  }

  /** Sets `requestAsSent` to be built on first read (the adapter: most responses are never asked). */
  deferRequestAsSent(build: () => SentRequest): void {
    this.#requestAsSent = build;
  }

  #encoding: string | undefined;
  #encodingSet = false;
  #apparentEncoding: string | undefined;
  #content: Uint8Array | undefined;
  #consumed = false;

  /** The request this response answers (an empty one for a Response built by hand). */
  get request(): PreparedRequest {
    this.#request ??= new PreparedRequest();
    return this.#request;
  }

  set request(request: PreparedRequest) {
    this.#request = request;
  }

  /** Cookies this response set, read from its Set-Cookie lines on first use (most callers never ask). */
  get cookies(): RequestsCookieJar {
    if (this.#cookies === undefined) {
      this.#cookies = new RequestsCookieJar();
      const setCookies = this.getSetCookie();
      if (setCookies.length > 0 && this.url) extractCookiesToJar(this.#cookies, { url: this.url }, setCookies);
    }
    return this.#cookies;
  }

  set cookies(jar: RequestsCookieJar) {
    this.#cookies = jar;
  }

  /** The charset `text` decodes with: set it to override; defaults to the headers' charset. */
  get encoding(): string | undefined {
    if (!this.#encodingSet) return getEncodingFromHeaders(this.headers);
    return this.#encoding;
  }

  set encoding(value: string | undefined) {
    this.#encoding = value;
    this.#encodingSet = true;
  }

  /** The charset guessed from the body (BOM, ASCII, valid UTF-8, else windows-1252); computed once. */
  get apparentEncoding(): string {
    this.#apparentEncoding ??= guessEncoding(this.content);
    return this.#apparentEncoding;
  }

  /** Adopts a fully read body (used by the adapter, and by tests and tools building responses). */
  setContent(bytes: Uint8Array): void {
    this.#content = bytes;
    this.#consumed = true;
    this.raw = null;
  }

  /** Hands a streamed body to this response (used by the adapter). */
  setStream(stream: BodyStream): void {
    this.#content = undefined;
    this.#consumed = false;
    this.raw = stream;
  }

  /** Whether the whole body is in memory. */
  get isRead(): boolean {
    return this.#content !== undefined;
  }

  /** The body bytes. Throws on a streamed response until `await read()`. */
  get content(): Uint8Array {
    if (this.#content !== undefined) return this.#content;
    if (this.#consumed) {
      throw new StreamConsumedError('The content for this response was already consumed by iterContent/iterLines', {
        response: this,
      });
    }
    throw new RequestException('The body of a streamed response is not read yet: call `await response.read()` first', {
      response: this,
    });
  }

  /** The body decoded with `encoding`, else `apparentEncoding`. */
  get text(): string {
    const content = this.content;
    if (content.length === 0) return '';
    return decodeText(content, this.encoding ?? this.apparentEncoding);
  }

  /** The body parsed as JSON; JSONDecodeError (with the position) when it is not JSON. */
  json(): unknown {
    let text = this.text;
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    try {
      return JSON.parse(text);
    } catch (cause) {
      const message = (cause as Error).message;
      const pos = Number(/position (\d+)/.exec(message)?.[1] ?? 0);
      throw new JSONDecodeError(`${message} (response from ${this.url})`, text, pos, { response: this, cause });
    }
  }

  /** Reads a streamed body into memory (no-op when already read) and returns it. */
  async read(): Promise<Uint8Array> {
    if (this.#content !== undefined) return this.#content;
    const chunks: Uint8Array[] = [];
    let size = 0;
    const source = this.#takeBody();
    try {
      for await (const chunk of source) {
        chunks.push(chunk);
        size += chunk.length;
      }
    } finally {
      this.raw = null;
    }
    this.#content = chunks.length === 0 ? new Uint8Array(0) : concat(chunks, size);
    return this.#content;
  }

  /** The body to iterate: what is in memory, else the stream, which only one reader may take. */
  #takeBody(): Iterable<Uint8Array> | AsyncIterable<Uint8Array> {
    if (this.#content !== undefined) return [this.#content];
    const raw = this.raw;
    if (this.#consumed || !raw) {
      throw new StreamConsumedError('The content for this response was already consumed', { response: this });
    }
    this.#consumed = true;
    return raw;
  }

  /**
   * The body in pieces of at most `chunkSize` bytes (as they arrive when omitted), decoded to
   * strings when `decodeUnicode` is true. Works on read and streamed responses; a stream only once.
   */
  iterContent(chunkSize?: number | null, decodeUnicode?: false): AsyncGenerator<Uint8Array>;
  iterContent(chunkSize: number | null | undefined, decodeUnicode: true): AsyncGenerator<string>;
  iterContent(chunkSize?: number | null, decodeUnicode?: boolean): AsyncGenerator<Uint8Array | string>;
  async *iterContent(chunkSize?: number | null, decodeUnicode = false): AsyncGenerator<Uint8Array | string> {
    if (chunkSize !== undefined && chunkSize !== null && (!Number.isInteger(chunkSize) || chunkSize < 1)) {
      throw new TypeError(`chunkSize must be a positive integer, got ${String(chunkSize)}`);
    }
    const decoder = decodeUnicode ? makeDecoder(this.encoding ?? (this.isRead ? this.apparentEncoding : 'utf-8')) : undefined;
    const source = this.#takeBody();
    // The stream is iterated right here, not through another generator: each layer costs
    // promises per chunk, and a large download has tens of thousands of chunks.
    try {
      for await (const chunk of source) {
        if (decoder) {
          for (const piece of pieces(chunk, chunkSize)) {
            const text = decoder.decode(piece, { stream: true });
            if (text !== '') yield text;
          }
        } else if (!chunkSize || chunk.length <= chunkSize) yield chunk;
        else yield* pieces(chunk, chunkSize);
      }
    } finally {
      if (source === this.raw) this.raw = null;
    }
    if (decoder) {
      const tail = decoder.decode();
      if (tail) yield tail;
    }
  }

  /**
   * The body line by line (split on `delimiter`, else on \n, \r\n or \r), without the line
   * endings. A CRLF split across two chunks gives one line break, not an extra empty line.
   */
  iterLines(chunkSize?: number | null, decodeUnicode?: false, delimiter?: string | Uint8Array): AsyncGenerator<Uint8Array>;
  iterLines(chunkSize: number | null | undefined, decodeUnicode: true, delimiter?: string): AsyncGenerator<string>;
  async *iterLines(
    chunkSize?: number | null,
    decodeUnicode = false,
    delimiter?: string | Uint8Array,
  ): AsyncGenerator<Uint8Array | string> {
    if (decodeUnicode) {
      const delim = typeof delimiter === 'string' ? delimiter : delimiter ? Buffer.from(delimiter).toString() : undefined;
      yield* splitLines(this.iterContent(chunkSize, true), delim);
      return;
    }
    const delim = typeof delimiter === 'string' ? delimiter : delimiter ? Buffer.from(delimiter).toString('latin1') : undefined;
    // Bytes are split as latin1 text (one char per byte) so no byte sequence is altered.
    async function* asLatin1(source: AsyncGenerator<Uint8Array>): AsyncGenerator<string> {
      for await (const chunk of source) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).toString('latin1');
    }
    for await (const line of splitLines(asLatin1(this.iterContent(chunkSize)), delim)) {
      const bytes = Buffer.from(line, 'latin1');
      yield new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    }
  }

  /** True for 1xx–3xx (Requests' `ok`). */
  get ok(): boolean {
    return this.statusCode < 400;
  }

  /** A redirect with a Location header. */
  get isRedirect(): boolean {
    return this.headers.has('location') && REDIRECT_STATI.has(this.statusCode);
  }

  /** 301 or 308 with a Location header. */
  get isPermanentRedirect(): boolean {
    return this.headers.has('location') && (this.statusCode === 301 || this.statusCode === 308);
  }

  /** The parsed Link header, keyed by `rel` (else by URL). */
  get links(): Record<string, Record<string, string>> {
    const header = this.headers.get('link');
    const out: Record<string, Record<string, string>> = {};
    if (!header) return out;
    for (const link of parseHeaderLinks(header)) out[link.rel ?? link.url ?? ''] = link;
    return out;
  }

  /** Throws HTTPError for 4xx/5xx: `404 Client Error: NOT FOUND for url: …`. */
  raiseForStatus(): void {
    let kind: string | undefined;
    if (this.statusCode >= 400 && this.statusCode < 500) kind = 'Client Error';
    else if (this.statusCode >= 500 && this.statusCode < 600) kind = 'Server Error';
    // The reason as the server sent it; the standard phrase only when it sent none.
    const reason = this.reason || REASONS[this.statusCode] || '';
    if (kind) throw new HTTPError(`${this.statusCode} ${kind}: ${reason} for url: ${this.url}`, { response: this });
  }

  /** The Set-Cookie header lines of this response, one per cookie. */
  getSetCookie(): string[] {
    const out: string[] = [];
    // Every response is asked (for the session jar): compare lengths before lower-casing names.
    for (const [name, value] of this.rawHeaders) if (name.length === 10 && name.toLowerCase() === 'set-cookie') out.push(value);
    return out;
  }

  /** Releases the connection: an unread stream is discarded (its socket is not reused). */
  async close(): Promise<void> {
    const raw = this.raw;
    if (raw && !this.#consumed) {
      this.#consumed = true;
      this.raw = null;
      raw.destroy();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** `for await (const chunk of response)`: the body as it arrives (Requests' `__iter__`). */
  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    return this.iterContent();
  }

  toString(): string {
    return `<Response [${this.statusCode}]>`;
  }
}

function makeDecoder(encoding: string): TextDecoder {
  try {
    return new TextDecoder(encoding);
  } catch {
    return new TextDecoder('utf-8');
  }
}

/** Splits a text stream into lines; carries a trailing '\r' over so a split CRLF stays one break. */
async function* splitLines(source: AsyncIterable<string>, delimiter: string | undefined): AsyncGenerator<string> {
  let pending = '';
  for await (const chunk of source) {
    pending += chunk;
    if (delimiter !== undefined) {
      const parts = pending.split(delimiter);
      pending = parts.pop() ?? '';
      yield* parts;
      continue;
    }
    // Hold a trailing '\r' back: its '\n' may start the next chunk.
    const holdCr = pending.endsWith('\r');
    const body = holdCr ? pending.slice(0, -1) : pending;
    const parts = body.split(/\r\n|\r|\n/);
    pending = (parts.pop() ?? '') + (holdCr ? '\r' : '');
    yield* parts;
  }
  if (delimiter === undefined && pending.endsWith('\r')) pending = pending.slice(0, -1);
  if (pending !== '') yield pending;
}

/** Builds a Response around a fully read body — handy for tests and tools. */
export function responseFrom(init: {
  statusCode: number;
  reason?: string;
  headers?: CaseInsensitiveInit<string>;
  body?: Uint8Array | string;
  url?: string;
  request?: PreparedRequest;
}): Response {
  const r = new Response();
  r.statusCode = init.statusCode;
  r.reason = init.reason ?? '';
  r.headers = new CaseInsensitiveDict<string>(init.headers);
  r.rawHeaders = [...r.headers.entries()];
  r.url = init.url ?? init.request?.url ?? '';
  if (init.request) r.request = init.request;
  const body = typeof init.body === 'string' ? new TextEncoder().encode(init.body) : (init.body ?? new Uint8Array(0));
  r.setContent(body);
  r.wireSize = body.length;
  return r;
}
