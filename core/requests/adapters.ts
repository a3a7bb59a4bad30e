/**
 * Transport adapters, as Requests' `requests.adapters`: an adapter sends ONE prepared request
 * and returns its Response. No redirects, no auth challenges, no cookie jar: the Session does those.
 *
 *   const adapter = new HTTPAdapter({ maxRetries: 2 });
 *   const r = await adapter.send(new Request({ method: 'GET', url }).prepare(), { timeout: 5000 });
 *   await adapter.close();
 *
 * HTTPAdapter runs on undici with keep-alive pools: one pool set per TLS setting (verify, CA
 * bundle, client certificate) and per proxy, so connections are never shared across them.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { Agent, ProxyAgent, buildConnector, type Dispatcher } from 'undici';
import { CaseInsensitiveDict } from './structures.ts';
import { Deadlines, type DeadlineHolder } from './deadlines.ts';
import {
  ChunkedEncodingError,
  ConnectTimeout,
  ConnectionError,
  InvalidHeader,
  InvalidProxyURL,
  InvalidSchema,
  InvalidURL,
  ProxyError,
  ReadTimeout,
  RequestException,
  RetryError,
  SSLError,
} from './exceptions.ts';
import { MultipartBody, Response, bodyLength, type BodyStream, isRewindable, snapshotBody, type Body, type PreparedRequest } from './models.ts';
import { checkHeaderEntry, prependSchemeIfNeeded, selectProxy } from './utils.ts';
import { decodeBody, decodeStream, parseContentEncoding } from './compression.ts';
import { describeTlsError, tlsInfo, tlsKey, tlsOptions } from './tls.ts';
import type { HeaderList, Timings } from './exchange.ts';

/** Milliseconds; `null` = no limit. A number sets connect and read alike. */
export type TimeoutSpec = number | { connect?: number | null; read?: number | null; total?: number | null } | null;

/** Used when no timeout is given: never "hang forever". */
export const DEFAULT_TIMEOUT = Object.freeze({ connect: 10_000, read: 60_000, total: null });

export interface SendOptions {
  /** Return after the headers; the body is read through the Response. */
  stream?: boolean;
  timeout?: TimeoutSpec;
  /** `true` (default) verifies TLS, `false` does not, a string is a CA bundle path. */
  verify?: boolean | string;
  /** Client certificate: a PEM path holding cert and key, or `[certPath, keyPath]`. */
  cert?: string | [string, string] | readonly [string, string];
  proxies?: Record<string, string | null | undefined> | null;
  signal?: AbortSignal;
}

export abstract class BaseAdapter {
  abstract send(request: PreparedRequest, options?: SendOptions): Promise<Response>;
  abstract close(): Promise<void>;
}

export interface HTTPAdapterOptions {
  /** Kept for Requests compatibility: undici keeps one pool per origin without a cap. */
  poolConnections?: number;
  /** Connections per origin when `poolBlock` is true. */
  poolMaxsize?: number;
  /** Retries of idempotent requests whose connection failed before a response; RetryError when exhausted. */
  maxRetries?: number;
  /** Wait for a free connection (at most `poolMaxsize` per origin) instead of opening more. */
  poolBlock?: boolean;
}

interface Limits {
  connect: number | null;
  read: number | null;
  total: number | null;
}

/** Normalises a TimeoutSpec; throws a TypeError naming a bad value. */
export function normaliseTimeout(timeout: TimeoutSpec | undefined): Limits {
  const check = (v: unknown, what: string): number | null => {
    if (v === null) return null;
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
      throw new TypeError(`timeout${what} must be a non-negative number of milliseconds or null, got ${String(v)}`);
    }
    return v;
  };
  if (timeout === undefined) return { ...DEFAULT_TIMEOUT };
  if (timeout === null) return { connect: null, read: null, total: null };
  if (typeof timeout === 'number') {
    const ms = check(timeout, '');
    return { connect: ms, read: ms, total: null };
  }
  if (typeof timeout !== 'object') throw new TypeError(`timeout must be a number, an object or null, got ${typeof timeout}`);
  return {
    connect: timeout.connect === undefined ? DEFAULT_TIMEOUT.connect : check(timeout.connect, '.connect'),
    read: timeout.read === undefined ? DEFAULT_TIMEOUT.read : check(timeout.read, '.read'),
    total: timeout.total === undefined ? null : check(timeout.total, '.total'),
  };
}

// ---------------------------------------------------------------------------------------------
// Connection facts: which socket a request went out on, and how long that socket took to open.

interface SocketFacts {
  dns: number;
  connect: number;
  tls: number;
  used: boolean;
}

const socketFacts = new WeakMap<Socket, SocketFacts>();
/** Errors thrown by callers' body streams: they reach the caller unchanged, not as ConnectionError. */
const bodyErrors = new WeakSet<object>();
let writingHop: Hop | undefined;

// undici publishes the exact request head and its socket right after `onRequestStart`, in the
// same synchronous call; `writingHop` pairs the two.
subscribe('undici:client:sendHeaders', (message) => {
  const hop = writingHop;
  if (!hop) return;
  writingHop = undefined;
  const { headers, socket } = message as { headers: string; socket: Socket };
  // Another undici in the process (Node's own fetch) publishes here too: only take our request line.
  if (hop.owns(headers)) hop.onWire(headers, socket);
});

type Connector = ReturnType<typeof buildConnector>;

/** undici's connector, timing DNS, TCP connect and the TLS handshake of each new socket. */
function timedConnector(options: buildConnector.BuildOptions): Connector {
  const base = buildConnector(options);
  return ((opts: buildConnector.Options, callback: buildConnector.Callback) => {
    const start = performance.now();
    let looked = start;
    let connected = start;
    const socket = base(opts, (err, sock) => {
      if (sock) {
        const now = performance.now();
        const secure = opts.protocol === 'https:';
        socketFacts.set(sock as Socket, {
          dns: looked - start,
          connect: (secure ? connected : now) - looked,
          tls: secure ? now - connected : 0,
          used: false,
        });
      }
      (callback as (e: Error | null, s: unknown) => void)(err, sock);
    }) as unknown as Socket | undefined;
    socket?.once?.('lookup', () => {
      looked = performance.now();
    });
    socket?.once?.('connect', () => {
      connected = performance.now();
    });
    return socket as never;
  }) as Connector;
}

// ---------------------------------------------------------------------------------------------

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);
/** Methods for which undici writes `content-length: 0` on an empty body. */
const EXPECTS_PAYLOAD = new Set(['PUT', 'POST', 'PATCH', 'QUERY', 'PROPFIND', 'PROPPATCH']);
/** Headers undici manages itself or refuses; never forwarded from the prepared request. */
const HOP_BY_HOP = new Set(['transfer-encoding', 'keep-alive', 'upgrade', 'proxy-authorization', 'content-length', 'expect']);

interface Target {
  host: string;
  port: string;
  origin: string;
  label: string;
}

/**
 * The default adapter: HTTP/1.1 over undici keep-alive pools.
 * `close()` (or `await using`) shuts every pool.
 */
export class HTTPAdapter extends BaseAdapter {
  readonly poolConnections: number;
  readonly poolMaxsize: number;
  readonly maxRetries: number;
  readonly poolBlock: boolean;
  #dispatchers = new Map<string, Dispatcher>();
  #lastDirect: { verify: SendOptions['verify']; cert: SendOptions['cert']; connect: number | null; dispatcher: Dispatcher } | undefined;
  #closed = false;

  constructor(options: HTTPAdapterOptions = {}) {
    super();
    this.poolConnections = options.poolConnections ?? 10;
    this.poolMaxsize = options.poolMaxsize ?? 10;
    this.maxRetries = options.maxRetries ?? 0;
    this.poolBlock = options.poolBlock ?? false;
    if (!Number.isInteger(this.maxRetries) || this.maxRetries < 0) {
      throw new TypeError(`maxRetries must be a non-negative integer, got ${String(options.maxRetries)}`);
    }
  }

  async send(request: PreparedRequest, options: SendOptions = {}): Promise<Response> {
    if (this.#closed) throw new RequestException('This adapter is closed', { request });
    if (request.ready) await request.ready;
    const target = checkRequest(request);
    const limits = normaliseTimeout(options.timeout);
    const proxy = pickProxy(request, options.proxies);
    const dispatcher = this.#dispatcherFor(request, options, limits, proxy);
    let attempt = 0;
    let sent = false;
    let staleRetried = false;
    for (;;) {
      if (sent) request.rewindBody();
      sent = true;
      try {
        return await new Hop(this, request, options, limits, target, proxy).run(dispatcher);
      } catch (err) {
        const flags = err as { beforeResponse?: boolean; staleConnection?: boolean };
        const resendable = IDEMPOTENT.has(request.method) && isRewindable(request.body) && !options.signal?.aborted;
        // A pooled connection the server had already dropped: resend once on a fresh one, as browsers do.
        if (flags.staleConnection === true && resendable && !staleRetried) {
          staleRetried = true;
          continue;
        }
        const retryable = err instanceof ConnectionError && flags.beforeResponse === true && resendable;
        if (retryable && attempt < this.maxRetries) {
          attempt++;
          continue;
        }
        if (retryable && attempt > 0) {
          const e = err as Error;
          throw new RetryError(`Max retries exceeded with url: ${request.pathUrl} (Caused by ${e.name}: ${e.message})`, {
            request,
            cause: err,
          });
        }
        throw err;
      }
    }
  }

  #dispatcherFor(request: PreparedRequest, options: SendOptions, limits: Limits, proxy: ProxyChoice | undefined): Dispatcher {
    // A Session sends with the same settings over and over: the last direct pool is remembered.
    const last = this.#lastDirect;
    if (!proxy && last && last.verify === options.verify && last.cert === options.cert && last.connect === limits.connect) {
      return last.dispatcher;
    }
    const key = `${tlsKey(options.verify, options.cert)}\0${limits.connect ?? 0}${proxy ? `\0${proxy.url}\0${proxy.token ?? ''}\0${proxy.tunnel}` : ''}`;
    let dispatcher = this.#dispatchers.get(key);
    if (dispatcher && !proxy) this.#lastDirect = { verify: options.verify, cert: options.cert, connect: limits.connect, dispatcher };
    if (dispatcher) return dispatcher;
    let tls;
    try {
      tls = tlsOptions(options.verify, options.cert);
    } catch (err) {
      if (err instanceof RequestException) err.request = request;
      throw err;
    }
    const connections = this.poolBlock ? this.poolMaxsize : null;
    const timeout = limits.connect ?? 0;
    if (proxy) {
      dispatcher = new ProxyAgent({
        uri: proxy.url,
        ...(proxy.token ? { token: proxy.token } : {}),
        proxyTunnel: proxy.tunnel,
        requestTls: tls,
        proxyTls: { rejectUnauthorized: tls.rejectUnauthorized, ...(tls.ca ? { ca: tls.ca } : {}) },
        connectTimeout: timeout,
        connections,
        allowH2: false,
      });
    } else {
      dispatcher = new Agent({ connect: timedConnector({ ...tls, timeout, allowH2: false }), connections, allowH2: false });
    }
    this.#dispatchers.set(key, dispatcher);
    return dispatcher;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#lastDirect = undefined;
    const all = [...this.#dispatchers.values()];
    this.#dispatchers.clear();
    await Promise.all(all.map((d) => d.close().catch(() => d.destroy())));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Validates what must be right before any I/O: scheme, host, headers. */
function checkRequest(request: PreparedRequest): Target {
  if (!request.url) throw new InvalidURL('Invalid URL: no URL was given (prepare the request first)', { request });
  // A Session sends to the same few URLs over and over: parse each once.
  let target = targets.get(request.url);
  if (target === undefined) {
    target = parseTarget(request);
    if (targets.size >= TARGETS_MAX) targets.clear();
    targets.set(request.url, target);
  }
  for (const entry of request.headers) checkHeaderEntry(entry);
  return target;
}

/** Every request's read timeout, on one timer. */
const readDeadlines = new Deadlines();

const TARGETS_MAX = 512;
const targets = new Map<string, Target>();

function parseTarget(request: PreparedRequest): Target {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch (cause) {
    throw new InvalidURL(`Invalid URL '${request.url}'`, { request, cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidSchema(`No connection adapters were found for '${request.url}'`, { request });
  }
  if (!url.hostname) throw new InvalidURL(`Invalid URL '${request.url}': No host supplied`, { request });
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return { host, port, origin: url.origin, label: `${url.hostname}:${port}` };
}

interface ProxyChoice {
  url: string;
  label: string;
  token: string | undefined;
  /** CONNECT tunnel (https targets) rather than absolute-form forwarding (http targets). */
  tunnel: boolean;
}

function pickProxy(request: PreparedRequest, proxies: SendOptions['proxies']): ProxyChoice | undefined {
  const chosen = selectProxy(request.url, proxies);
  if (!chosen) return undefined;
  const withScheme = prependSchemeIfNeeded(chosen);
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (cause) {
    throw new InvalidProxyURL(`Please check proxy URL. It is malformed and could be missing the host: '${chosen}'`, { request, cause });
  }
  if (!url.hostname) {
    throw new InvalidProxyURL(`Please check proxy URL. It is malformed and could be missing the host: '${chosen}'`, { request });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidSchema(`Unsupported proxy scheme '${url.protocol.slice(0, -1)}' in '${chosen}' (use http:// or https://)`, { request });
  }
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return {
    url: url.href,
    label: `${url.hostname}:${port}`,
    token: request.headers.get('proxy-authorization'),
    tunnel: new URL(request.url).protocol === 'https:',
  };
}

// ---------------------------------------------------------------------------------------------

type Controller = Dispatcher.DispatchController;

/** One request on the wire: an undici dispatch handler that builds the Response. */
class Hop implements Dispatcher.DispatchHandler, DeadlineHolder {
  readonly #adapter: HTTPAdapter;
  readonly #request: PreparedRequest;
  readonly #options: SendOptions;
  readonly #limits: Limits;
  readonly #target: Target;
  readonly #proxy: ProxyChoice | undefined;
  readonly #response = new Response();
  #controller: Controller | undefined;
  #resolve!: (r: Response) => void;
  #reject!: (e: unknown) => void;
  #settled = false;
  #abortReason: Error | undefined;
  #headersAt = 0;
  #startedAt = 0;
  #sentAt = 0;
  #wire = 0;
  #chunks: Buffer[] = [];
  /** A buffered body of announced length is copied into one buffer as it arrives. */
  #body: Buffer | undefined;
  #filled = 0;
  #stream: Readable | BodyQueue | undefined;
  #codings: string[] = [];
  #timers: NodeJS.Timeout[] = [];
  // Kept by readDeadlines: when the read timeout expires, and where this hop is in its list.
  deadline = 0;
  slot = -1;
  #onAbort: (() => void) | undefined;
  #sentBody: Body | null;
  #bodyBuffer: Uint8Array | undefined;
  #chunked = false;
  /** The request went out on a TLS connection opened for it (no request had used it yet). */
  #freshTls = false;
  /** The request went out on a pooled connection an earlier request had used. */
  #reused = false;

  constructor(adapter: HTTPAdapter, request: PreparedRequest, options: SendOptions, limits: Limits, target: Target, proxy: ProxyChoice | undefined) {
    this.#adapter = adapter;
    this.#request = request;
    this.#options = options;
    this.#limits = limits;
    this.#target = target;
    this.#proxy = proxy;
    this.#sentBody = request.body;
  }

  run(dispatcher: Dispatcher): Promise<Response> {
    const promise = new Promise<Response>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#startedAt = performance.now();
    const signal = this.#options.signal;
    if (signal?.aborted) {
      this.#fail(abortError(signal));
      return promise;
    }
    if (signal) {
      this.#onAbort = () => this.#abort(abortError(signal));
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
    const { total } = this.#limits;
    if (total !== null) {
      this.#timers.push(
        setTimeout(() => {
          const Kind = this.#controller ? ReadTimeout : ConnectTimeout;
          this.#abort(new Kind(`${this.#target.label} did not complete within the total deadline (total timeout=${total} ms)`, { request: this.#request }));
        }, total),
      );
    }
    let opts: Dispatcher.DispatchOptions;
    try {
      opts = this.#dispatchOptions();
    } catch (err) {
      this.#fail(err);
      return promise;
    }
    try {
      dispatcher.dispatch(opts, this);
    } catch (err) {
      this.#fail(this.#map(err));
    }
    return promise;
  }

  #dispatchOptions(): Dispatcher.DispatchOptions {
    const request = this.#request;
    const headers: string[] = [];
    let expectContinue = false;
    for (const [name, value] of request.headers) {
      const lower = name.toLowerCase();
      if (HOP_BY_HOP.has(lower)) {
        if (lower === 'expect' && value.trim().toLowerCase() === '100-continue') expectContinue = true;
        continue;
      }
      headers.push(name, value);
    }
    const body = request.body;
    let payload: Dispatcher.DispatchOptions['body'] = null;
    const length = bodyLength(body);
    if (typeof body === 'string') {
      this.#bodyBuffer = Buffer.from(body, 'utf8');
      payload = this.#bodyBuffer as Buffer;
    } else if (body instanceof Uint8Array) {
      this.#bodyBuffer = body;
      payload = body;
    } else if (body instanceof Blob) {
      payload = Readable.from(oneShot(body.stream(), bodyErrors));
    } else if (body !== null) {
      if (request.bodyConsumed && !(body instanceof MultipartBody)) {
        throw request.rewindBody(); // throws UnrewindableBodyError
      }
      if (!(body instanceof MultipartBody)) request.bodyConsumed = true;
      payload = Readable.from(oneShot(body as AsyncIterable<Uint8Array>, bodyErrors));
    }
    // Tell undici the length we know (so it sends Content-Length, not chunked).
    if (length !== undefined && length > 0) headers.push('Content-Length', String(length));
    else if (length === undefined) this.#chunked = true;
    // undici only sends `content-length: 0` for methods that expect a payload (RFC 9110 §8.6).
    else if (EXPECTS_PAYLOAD.has(request.method)) headers.push('Content-Length', '0');
    return {
      origin: this.#target.origin,
      path: request.pathUrl,
      method: request.method,
      headers,
      body: payload === null || (length === 0 && this.#bodyBuffer) ? null : payload,
      // Our own idle timer (#armIdle) is exact; undici's are coarse (±1 s), so theirs only back it up.
      headersTimeout: this.#limits.read === null ? 0 : this.#limits.read + 2000,
      bodyTimeout: this.#limits.read === null ? 0 : this.#limits.read + 2000,
      expectContinue,
    } as Dispatcher.DispatchOptions;
  }

  // --- undici handler -------------------------------------------------------------------------

  onRequestStart(controller: Controller): void {
    this.#controller = controller;
    if (this.#abortReason) {
      controller.abort(this.#abortReason);
      return;
    }
    this.#armIdle();
    writingHop = this;
  }

  /** Whether `head` is this hop's request head (method and path on the request line). */
  owns(head: string): boolean {
    const request = this.#request;
    return head.startsWith(request.method) && head.charCodeAt(request.method.length) === 32 && head.includes(request.pathUrl);
  }

  /** Called (via diagnostics) with the head undici is writing and its socket. */
  onWire(head: string, socket: Socket): void {
    this.#sentAt = performance.now();
    const r = this.#response;
    const request = this.#request;
    const sentBody = this.#bodyBuffer ? snapshotBody(this.#bodyBuffer) : snapshotBody(this.#sentBody);
    const length = bodyLength(this.#sentBody);
    const framing: [string, string] | undefined = this.#chunked
      ? ['transfer-encoding', 'chunked']
      : length && length > 0
        ? ['content-length', String(length)]
        : EXPECTS_PAYLOAD.has(request.method)
          ? ['content-length', '0']
          : undefined;
    const method = request.method;
    const url = request.url;
    // Parsed from the head only when someone looks (the panel, history, --verbose): most never do.
    r.deferRequestAsSent(() => {
      const lines = head.split('\r\n');
      const list: HeaderList = [];
      for (let i = 1; i < lines.length; i++) {
        const line = lines[i]!;
        if (!line) continue;
        const colon = line.indexOf(':');
        list.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
      }
      if (framing) list.push(framing);
      return { method, url, headers: list, ...(sentBody ? { body: sentBody } : {}) };
    });
    r.remoteAddress = socket.remoteAddress;
    r.remotePort = socket.remotePort;
    r.tls = tlsInfo(socket);
    const facts = socketFacts.get(socket);
    if (!facts) {
      // Proxied sockets are opened by undici's ProxyAgent, out of our connector's sight: the
      // whole setup (proxy connect, CONNECT, TLS) is reported as `connect`.
      socketFacts.set(socket, { dns: 0, connect: 0, tls: 0, used: true });
      r.timings.connect = this.#sentAt - this.#startedAt;
      this.#freshTls = r.tls !== undefined;
    } else if (facts.used) {
      this.#reused = true;
    } else {
      facts.used = true;
      this.#freshTls = r.tls !== undefined;
      r.timings.dns = facts.dns;
      r.timings.connect = facts.connect;
      r.timings.tls = facts.tls;
    }
  }

  onResponseStart(controller: Controller, statusCode: number, _headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    if (this.#settled) return;
    this.#headersAt = performance.now();
    this.#armIdle();
    if (writingHop === this) writingHop = undefined;
    const r = this.#response;
    const request = this.#request;
    r.statusCode = statusCode;
    r.reason = statusMessage ?? '';
    const raw = (controller as Controller & { rawHeaders?: Buffer[] | null }).rawHeaders ?? [];
    const list: HeaderList = [];
    const headers = new CaseInsensitiveDict<string>();
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toString('latin1');
      const value = raw[i + 1]!.toString('latin1');
      list.push([name, value]);
      const prev = headers.get(name);
      headers.set(name, prev === undefined ? value : `${prev}, ${value}`);
    }
    r.rawHeaders = list;
    r.headers = headers;
    // Two different Content-Length values make the framing ambiguous (a smuggling vector): refuse.
    const lengths = headers.get('content-length');
    if (lengths !== undefined && lengths.includes(',')) {
      const values = new Set(lengths.split(',').map((v) => v.trim()));
      if (values.size > 1) {
        const err = new ConnectionError(
          `Connection aborted: bad response from ${this.#target.label}: conflicting Content-Length headers (${[...values].join(', ')})`,
          { request, response: r },
        );
        this.#fail(err);
        controller.abort(err);
        return;
      }
    }
    r.url = request.url;
    r.request = request;
    r.connection = this.#adapter;
    r.elapsed = this.#headersAt - this.#startedAt;
    const from = this.#sentAt || this.#startedAt;
    r.timings.ttfb = this.#headersAt - from;
    // No head seen on the wire (onWire did not run): the prepared request is the best account.
    if (!this.#sentAt) r.requestAsSent = { method: request.method, url: request.url, headers: [...request.headers] };
    // r.cookies is read from the Set-Cookie lines on first use.
    this.#codings = request.method === 'HEAD' ? [] : parseContentEncoding(headers.get('content-encoding'));
    r.contentEncoding = [...this.#codings].reverse(); // outermost (last applied) first

    if (!this.#options.stream) {
      const announced = lengths === undefined ? NaN : Number(lengths);
      if (announced >= PREALLOCATE_FROM && announced <= PREALLOCATE_UP_TO) this.#body = Buffer.allocUnsafe(announced);
    } else {
      const end = (): void => {
        const now = performance.now();
        r.timings.download = now - this.#headersAt;
        r.timings.total = now - this.#startedAt;
      };
      const pull = (): void => {
        // The reader wants more: the server is on the clock again.
        if (controller.paused && !this.#settled) {
          this.#armIdle();
          controller.resume();
        }
      };
      const cancel = (err: Error | undefined): void => {
        if (!this.#settled) {
          this.#settled = true;
          controller.abort(err ?? new Error('response closed'));
        }
        this.#cleanup();
      };
      if (this.#codings.length === 0) {
        // The common case: socket chunks go straight to the reader, no Node stream in between.
        const queue = new BodyQueue(pull, cancel, end);
        this.#stream = queue;
        r.setStream(queue);
        r.timings.total = this.#headersAt - this.#startedAt;
        this.#resolve(r);
        return;
      }
      const wire = new Readable({
        // Room for a few socket reads: at 64 KiB the socket paused and resumed on every chunk.
        highWaterMark: 256 * 1024,
        read: () => {
          pull();
          controller.resume();
        },
        destroy: (err, cb) => {
          if (!wire.readableEnded) cancel(err ?? undefined);
          else this.#cleanup();
          cb(err);
        },
      });
      this.#stream = wire;
      const decoded = decodeStream(wire, this.#codings, ` (from ${this.#target.label})`, { request, response: r });
      decoded.once('end', end);
      decoded.once('close', () => {
        if (!decoded.readableEnded) wire.destroy();
      });
      r.setStream(decoded);
      r.timings.total = this.#headersAt - this.#startedAt;
      this.#resolve(r);
    }
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    this.#wire += chunk.length;
    this.#armIdle();
    if (this.#stream) {
      if (!this.#stream.push(chunk)) {
        // A slow reader is not a slow server: no read timeout while we hold the socket back.
        controller.pause();
        this.#disarmIdle();
      }
    } else if (!this.#settled) {
      const body = this.#body;
      // Copied while the chunk is fresh in cache, and the chunk can go; no concat at the end.
      if (body !== undefined && this.#chunks.length === 0 && this.#filled + chunk.length <= body.length) {
        body.set(chunk, this.#filled);
        this.#filled += chunk.length;
      } else this.#chunks.push(chunk);
    }
  }

  onResponseEnd(): void {
    const r = this.#response;
    const end = performance.now();
    r.wireSize = this.#wire;
    r.timings.download = end - this.#headersAt;
    r.timings.total = end - this.#startedAt;
    if (this.#stream) {
      this.#settled = true;
      this.#stream.push(null);
      this.#cleanup();
      return;
    }
    if (this.#settled) return;
    try {
      const bytes = this.#bufferedBody();
      this.#chunks = [];
      this.#body = undefined;
      r.setContent(this.#codings.length ? decodeBody(bytes, this.#codings, ` (from ${this.#target.label})`) : bytes);
    } catch (err) {
      if (err instanceof RequestException) {
        err.request = this.#request;
        err.response = r;
      }
      this.#fail(err);
      return;
    }
    this.#settled = true;
    this.#cleanup();
    this.#resolve(r);
  }

  /** The buffered body: the preallocated buffer when the announced length arrived, else the chunks joined. */
  #bufferedBody(): Uint8Array {
    const body = this.#body;
    let joined: Buffer;
    if (body !== undefined) {
      // A body longer than announced went to #chunks after the buffer filled (undici refuses
      // that, but the bytes are kept rather than lost); a shorter one uses what came.
      const filled = this.#filled === body.length ? body : body.subarray(0, this.#filled);
      joined = this.#chunks.length === 0 ? filled : Buffer.concat([filled, ...this.#chunks]);
    } else if (this.#chunks.length === 0) {
      return NO_BYTES; // a redirect, a 204: nothing to join or view
    } else {
      joined = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#wire);
    }
    return new Uint8Array(joined.buffer, joined.byteOffset, joined.length);
  }

  onResponseError(_controller: Controller, error: Error): void {
    if (writingHop === this) writingHop = undefined;
    const mapped = this.#abortReason ?? this.#map(error);
    if (this.#stream && this.#headersAt) {
      this.#settled = true;
      this.#stream.destroy(mapped);
      this.#cleanup();
      return;
    }
    this.#fail(mapped);
  }

  // --- endings --------------------------------------------------------------------------------

  #abort(reason: Error): void {
    if (this.#settled && !this.#stream) return;
    this.#abortReason = reason;
    if (this.#controller) this.#controller.abort(reason);
    if (this.#stream) this.#stream.destroy(reason);
    else this.#fail(reason);
  }

  #fail(err: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#cleanup();
    this.#reject(err);
  }

  /** (Re)starts the read timeout: the longest the server may stay silent. */
  #armIdle(): void {
    const read = this.#limits.read;
    if (read === null || this.#settled && !this.#stream) return;
    readDeadlines.arm(this, read);
  }

  #disarmIdle(): void {
    readDeadlines.disarm(this);
  }

  /** The read timeout passed (called by readDeadlines). */
  expire(): void {
    this.#abort(new ReadTimeout(`Read timed out from ${this.#target.label}. (read timeout=${this.#limits.read} ms)`, { request: this.#request }));
  }

  #cleanup(): void {
    this.#disarmIdle();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
    if (this.#onAbort) this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#onAbort = undefined;
  }

  /** Turns an undici/Node error into the Requests exception that says what went wrong and where. */
  #map(error: unknown): Error {
    if (error instanceof RequestException) return error;
    if (typeof error === 'object' && error !== null && bodyErrors.has(error)) return error as Error;
    const err = (error ?? {}) as Error & { code?: string; cause?: unknown; errors?: unknown[] };
    const request = this.#request;
    const target = this.#target.label;
    const proxy = this.#proxy;
    const ctx = { request, cause: error };
    const inner = (err.cause ?? err.errors?.[0] ?? {}) as Error & { code?: string };
    const code = err.code ?? inner.code ?? '';
    const message = err.message || inner.message || String(error);
    const beforeResponse = this.#headersAt === 0;
    const connectionError = (Kind: typeof ConnectionError, text: string): Error => {
      const e = new Kind(text, ctx);
      if (beforeResponse && !this.#sentAt) Object.assign(e, { beforeResponse: true });
      if (beforeResponse && this.#reused && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE')) {
        Object.assign(e, { staleConnection: true });
      }
      return e;
    };

    if (code === 'UND_ERR_CONNECT_TIMEOUT') {
      if (proxy && !this.#controller) return connectionError(ProxyError, `Connection to proxy ${proxy.label} timed out. (connect timeout=${this.#limits.connect} ms)`);
      return connectionError(ConnectTimeout, `Connection to ${target} timed out. (connect timeout=${this.#limits.connect} ms)`);
    }
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new ReadTimeout(`Read timed out from ${target}. (read timeout=${this.#limits.read} ms)`, ctx);
    }
    if (code === 'UND_ERR_ABORTED' || err.name === 'AbortError') {
      if (this.#options.signal?.aborted) return abortError(this.#options.signal);
      if (proxy && /Proxy response \((\d+)\)/.test(message)) {
        const status = /Proxy response \((\d+)\)/.exec(message)![1];
        return connectionError(ProxyError, `Tunnel connection failed: proxy ${proxy.label} answered ${status} to CONNECT ${target}`);
      }
    }
    if (proxy && /Proxy Authentication Required/.test(message)) {
      return connectionError(ProxyError, `Proxy ${proxy.label} refused the request: 407 Proxy Authentication Required`);
    }
    if (proxy && (code === 'UND_ERR_PRX_TLS' || err.name === 'SecureProxyConnectionError' || err.name === 'ProxyConnectionError')) {
      return connectionError(ProxyError, `Cannot connect to proxy ${proxy.label}: ${inner.message || message}`);
    }
    if (this.#freshTls && beforeResponse && !this.#options.cert && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET')) {
      // TLS 1.3 servers refuse a missing client certificate after the handshake, by closing.
      return connectionError(
        SSLError,
        `[SSL] ${target} closed the new TLS connection before answering: it probably requires a client certificate (pass cert) (${message})`,
      );
    }
    const tlsText = describeTlsError({ code, message, reason: (err as { reason?: unknown }).reason ?? (inner as { reason?: unknown }).reason }, this.#target.host, this.#target.port);
    if (tlsText) return connectionError(SSLError, tlsText);
    if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
      if (proxy && !this.#controller) return connectionError(ProxyError, `Unable to connect to proxy ${proxy.label}: [${code}] ${message}`);
      return connectionError(ConnectionError, `Failed to establish a new connection to ${target}: [${code}] ${message}`);
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NONAME') {
      if (proxy && !this.#controller) return connectionError(ProxyError, `Unable to resolve proxy ${proxy.label}: [${code}] ${message}`);
      return connectionError(ConnectionError, `Failed to resolve '${this.#target.host}' ([${code}] ${message})`);
    }
    if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' && beforeResponse) {
      // The parser refused the head itself: only repeated, differing Content-Length values do that.
      return connectionError(ConnectionError, `Connection aborted: bad response from ${target}: conflicting Content-Length headers (${code})`);
    }
    if (code === 'UND_ERR_HEADERS_OVERFLOW') {
      return connectionError(ConnectionError, `Response headers from ${target} are too large: ${message}`);
    }
    if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') {
      return /header/i.test(message)
        ? new InvalidHeader(`Invalid header for ${target}: ${message}`, ctx)
        : new RequestException(`Invalid request for ${target}: ${message}`, ctx);
    }
    if (!beforeResponse) {
      const got = `${this.#wire} bytes read`;
      const expected = this.#response.headers.get('content-length');
      const detail = expected && !this.#response.headers.get('transfer-encoding')
        ? `IncompleteRead(${got}, ${Math.max(0, Number(expected) - this.#wire)} more expected)`
        : `${message} after ${got}`;
      return new ChunkedEncodingError(`Connection broken: ${detail} (${target}${code ? `, ${code}` : ''})`, { ...ctx, response: this.#response });
    }
    if (code.startsWith('HPE_') || err.name === 'HTTPParserError') {
      return connectionError(ConnectionError, `Connection aborted: bad response from ${target}: ${message}${code ? ` (${code})` : ''}`);
    }
    if (proxy && !this.#controller) {
      return connectionError(ProxyError, `Cannot connect to proxy ${proxy.label}: ${message}${code ? ` (${code})` : ''}`);
    }
    return connectionError(ConnectionError, `Connection aborted by ${target}: ${message}${code ? ` (${code})` : ''}`);
  }
}

/** The signal's reason (an AbortError DOMException unless the caller gave one). */
function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException(String(reason ?? 'This operation was aborted'), 'AbortError');
}

/** Shared by every empty body: a zero-length view cannot be written to. */
const NO_BYTES = new Uint8Array(0);
/** Buffered bodies announced at this size or more are copied into one buffer as they arrive. */
const PREALLOCATE_FROM = 64 * 1024;
/** …up to this size: a larger Content-Length is not trusted with an allocation before the bytes come. */
const PREALLOCATE_UP_TO = 256 * 1024 * 1024;

/** Bytes a streamed body may hold unread before the socket is paused; it resumes below half. */
const QUEUE_HIGH = 1024 * 1024;

/**
 * A streamed body between undici and its one reader: socket chunks handed over as they came,
 * with back-pressure (`push` says false above QUEUE_HIGH). Cheaper than a Readable, which
 * copies buffered chunks together on every read.
 */
class BodyQueue implements BodyStream {
  #chunks: Buffer[] = [];
  #size = 0;
  #ended = false;
  #error: Error | undefined;
  #finished = false;
  #wake: (() => void) | undefined;
  readonly #pull: () => void;
  readonly #cancel: (err: Error | undefined) => void;
  readonly #onEnd: () => void;

  constructor(pull: () => void, cancel: (err: Error | undefined) => void, onEnd: () => void) {
    this.#pull = pull;
    this.#cancel = cancel;
    this.#onEnd = onEnd;
  }

  /** Queues a chunk (`null`: the body is complete); false when the reader is behind. */
  push(chunk: Buffer | null): boolean {
    if (this.#finished) return false;
    if (chunk === null) this.#ended = true;
    else {
      this.#chunks.push(chunk);
      this.#size += chunk.length;
    }
    this.#wakeReader();
    return this.#size < QUEUE_HIGH;
  }

  /** Ends the body: with an error the reader gets it next; without, the transfer is cancelled. */
  destroy(error?: Error): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#error = error ?? new Error('The response body was closed before it was read');
    this.#chunks = [];
    this.#size = 0;
    this.#wakeReader();
    this.#cancel(error);
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  // A plain iterator, not an async generator: one settled promise per chunk instead of a
  // generator's queue and awaits, which showed in the CPU profile of a 2 GiB download.
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => this.#next(),
      // The reader stopped early (break, or an exception in its loop): drop the rest.
      return: () => {
        if (!this.#finished) this.destroy();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  #next(): Promise<IteratorResult<Uint8Array>> {
    const chunk = this.#chunks.shift();
    if (chunk !== undefined) {
      this.#size -= chunk.length;
      if (this.#size < QUEUE_HIGH / 2) this.#pull();
      return Promise.resolve({ done: false, value: chunk });
    }
    const error = this.#error;
    if (error) {
      this.#error = undefined; // reported once; the body is over after it
      this.#ended = true;
      return Promise.reject(error);
    }
    if (this.#ended) {
      if (!this.#finished) {
        this.#finished = true;
        this.#onEnd();
      }
      return Promise.resolve({ done: true, value: undefined });
    }
    this.#pull();
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
    }).then(() => this.#next());
  }
}

/** Chunks as Buffers, as undici writes them; the body's own failures are remembered in `errors`. */
async function* oneShot(source: AsyncIterable<Uint8Array>, errors: WeakSet<object>): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of source) {
      if (typeof chunk === 'string') yield Buffer.from(chunk, 'utf8');
      else yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
  } catch (err) {
    if (typeof err === 'object' && err !== null) errors.add(err);
    throw err;
  }
}
