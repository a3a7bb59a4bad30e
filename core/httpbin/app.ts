/**
 * The httpbin-like request listener: httpbin.org's endpoints and JSON shapes, plus a tiny demo
 * API (`POST /login`, `GET /me`, `/set-cookie`). One instance keeps its own state (issued
 * tokens, digest nonces); mount it on any `node:http` / `node:https` server.
 *
 *   http.createServer(createHttpbinApp()).listen(0, '127.0.0.1');
 */
import crypto from 'node:crypto';
import type http from 'node:http';
import zlib from 'node:zlib';
import { HTML_PAGE, JSON_DOCUMENT, SVG_IMAGE, TEAPOT, UTF8_PAGE, XML_DOCUMENT, pngImage } from './content.ts';
import { DIGEST_ALGORITHMS, DigestAuthority, isDigestAlgorithm } from './digest.ts';
import {
  BodyTooLargeError,
  type FieldMap,
  echoHeaders,
  fieldsFrom,
  fullUrl,
  lastField,
  origin,
  parseBody,
  readBody,
} from './echo.ts';

/** Accounts `POST /login` accepts (the demo API; `ricochet serve` documents them). */
export const DEMO_USERS: ReadonlyArray<{ username: string; password: string; name: string; email: string }> = [
  { username: 'demo', password: 'secret', name: 'Demo User', email: 'demo@example.com' },
  { username: 'alice', password: 'wonderland', name: 'Alice Liddell', email: 'alice@example.com' },
];

/** Upper bounds that keep a shared server responsive. */
const LIMITS = { delaySeconds: 60, dripSeconds: 60, bytes: 100 * 1024 * 1024, streamLines: 100_000, range: 10 * 1024 * 1024 };

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];

interface Context {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  /** Captured path segments, already percent-decoded. */
  params: string[];
  url: URL;
  args: FieldMap;
  body(): Promise<Buffer>;
}

type Handler = (ctx: Context) => void | Promise<void>;

interface Route {
  path: string;
  pattern: RegExp;
  methods: readonly string[];
  handler: Handler;
}

class HttpError extends Error {
  status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function sortKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function send(res: http.ServerResponse, status: number, body: string | Buffer, headers: http.OutgoingHttpHeaders = {}): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...headers, 'Content-Length': bytes.length });
  res.end(bytes);
}

function sendJson(res: http.ServerResponse, value: unknown, status = 200, headers: http.OutgoingHttpHeaders = {}): void {
  send(res, status, `${JSON.stringify(value, null, 2)}\n`, { 'Content-Type': 'application/json', ...headers });
}

function intParam(text: string | undefined, what: string, min = 0): number {
  const value = Number(text);
  if (text === undefined || text === '' || !Number.isInteger(value) || value < min) {
    throw new HttpError(400, `${what} must be an integer ≥ ${min}, got "${text ?? ''}"`);
  }
  return value;
}

function numberParam(text: string | undefined, fallback: number, what: string): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new HttpError(400, `${what} must be a non-negative number, got "${text}"`);
  return value;
}

function baseUrl(req: http.IncomingMessage): string {
  return new URL(fullUrl(req)).origin;
}

/** Cookies the request carried, as httpbin's `/cookies` shows them. */
function requestCookies(req: http.IncomingMessage): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name) cookies[name] = value;
  }
  return cookies;
}

function basicCredentials(req: http.IncomingMessage): [string, string] | undefined {
  const match = /^\s*Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

function bearerToken(req: http.IncomingMessage): string | undefined {
  return /^\s*Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
}

/** Deterministic bytes for `?seed=` (mulberry32), or random bytes without a seed. */
function byteSource(seed: string | undefined): (size: number) => Buffer {
  if (seed === undefined || seed === '') return (size) => crypto.randomBytes(size);
  let state = Number.parseInt(seed, 10) >>> 0;
  return (size) => {
    const out = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i++) {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
    }
    return out;
  };
}

/** Waits `ms`, or rejects early when the client goes away. */
function sleep(res: http.ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (res.destroyed || res.writableEnded) return resolve(false);
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(true);
    }, ms);
    res.once('close', onClose);
  });
}

/** Writes with back-pressure; false when the client went away. */
function write(res: http.ServerResponse, chunk: Buffer | string): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

function setCookieHeader(name: string, value: string, attributes: string[] = ['Path=/']): string {
  return [`${name}=${value}`, ...attributes].join('; ');
}

const EXPIRED = 'Expires=Thu, 01 Jan 1970 00:00:00 GMT';

/** Creates the request listener. Each call has its own tokens and digest nonces. */
export function createHttpbinApp(): http.RequestListener {
  const digest = new DigestAuthority();
  const tokens = new Map<string, (typeof DEMO_USERS)[number]>();

  const echo = async (ctx: Context, withBody: boolean, withMethod: boolean): Promise<Record<string, unknown>> => {
    const out: Record<string, unknown> = {
      args: ctx.args,
      headers: echoHeaders(ctx.req),
      origin: origin(ctx.req),
      url: fullUrl(ctx.req),
    };
    if (withBody) Object.assign(out, parseBody(await ctx.body(), ctx.req.headers['content-type']));
    if (withMethod) out.method = ctx.req.method;
    return sortKeys(out);
  };

  const statusResponse = (ctx: Context, code: number): void => {
    const { res } = ctx;
    if (code === 304) return void res.writeHead(304).end();
    if (code >= 300 && code < 400) return send(res, code, '', { Location: '/redirect/1' });
    switch (code) {
      case 401:
        return send(res, 401, '', { 'WWW-Authenticate': 'Basic realm="Fake Realm"' });
      case 402:
        return send(res, 402, 'Payment required.', { 'X-More-Info': 'http://vimeo.com/22053820' });
      case 406:
        return sendJson(res, { message: 'Client did not request a supported media type.', accept: ['image/webp', 'image/svg+xml', 'image/jpeg', 'image/png', 'image/*'] }, 406);
      case 407:
        return send(res, 407, '', { 'Proxy-Authenticate': 'Basic realm="Fake Realm"' });
      case 418:
        return send(res, 418, TEAPOT, { 'X-More-Info': 'http://tools.ietf.org/html/rfc2324' });
      default:
        return send(res, code, '', { 'Content-Type': 'text/html; charset=utf-8' });
    }
  };

  const compressed = (encoding: string, flag: string, compress: (data: Buffer) => Buffer): Handler => async (ctx) => {
    const body = { ...(await echo(ctx, false, true)), [flag]: true };
    delete body.args;
    delete body.url;
    const bytes = compress(Buffer.from(`${JSON.stringify(sortKeys(body), null, 2)}\n`));
    send(ctx.res, 200, bytes, { 'Content-Type': 'application/json', 'Content-Encoding': encoding });
  };

  const redirect = (ctx: Context, absolute: boolean): void => {
    const n = intParam(ctx.params[0], 'redirect count', 1);
    const base = absolute ? baseUrl(ctx.req) : '';
    const kind = absolute ? 'absolute-redirect' : 'relative-redirect';
    send(ctx.res, 302, '', { Location: n === 1 ? `${base}/get` : `${base}/${kind}/${n - 1}` });
  };

  const basicAuth = (hidden: boolean): Handler => (ctx) => {
    const [user, password] = ctx.params;
    const given = basicCredentials(ctx.req);
    if (given && given[0] === user && given[1] === password) return sendJson(ctx.res, { authenticated: true, user });
    if (hidden) return sendJson(ctx.res, { error: 'Not Found' }, 404);
    sendJson(ctx.res, { authenticated: false }, 401, { 'WWW-Authenticate': 'Basic realm="Fake Realm"' });
  };

  const digestAuth: Handler = async (ctx) => {
    const [qop = 'auth', user = '', password = '', algorithmParam = 'MD5', staleAfterParam = 'never'] = ctx.params;
    const algorithm = DIGEST_ALGORITHMS.find((a) => a.toUpperCase() === algorithmParam.toUpperCase()) ?? algorithmParam;
    if (!isDigestAlgorithm(algorithm)) {
      throw new HttpError(400, `unsupported digest algorithm "${algorithmParam}"; use one of ${DIGEST_ALGORITHMS.join(', ')}`);
    }
    const staleAfter = staleAfterParam === 'never' ? undefined : intParam(staleAfterParam, 'stale_after', 0);
    const challengeCookies = [setCookieHeader('stale_after', staleAfterParam), setCookieHeader('fake', 'fake_value')];
    const challenge = (stale: boolean) =>
      sendJson(ctx.res, { authenticated: false }, 401, {
        'WWW-Authenticate': digest.challenge(qop, algorithm, stale),
        'Set-Cookie': challengeCookies,
      });
    const authorization = ctx.req.headers.authorization;
    if (!authorization || !/^\s*Digest\s/i.test(authorization)) return challenge(false);
    const requireCookie = ['1', 't', 'true'].includes((lastField(ctx.args, 'require-cookie') ?? '').toLowerCase());
    if (requireCookie && requestCookies(ctx.req).fake !== 'fake_value') {
      return sendJson(ctx.res, { errors: ['missing cookie set on challenge'] }, 403, { 'Set-Cookie': setCookieHeader('fake', 'fake_value') });
    }
    const verdict = digest.verify(authorization, {
      method: ctx.req.method ?? 'GET',
      target: ctx.req.url ?? '/',
      body: await ctx.body(),
      qop,
      user,
      password,
      algorithm,
      ...(staleAfter !== undefined ? { staleAfter } : {}),
    });
    if (verdict !== 'ok') return challenge(verdict === 'stale');
    sendJson(ctx.res, { authenticated: true, user }, 200, { 'Set-Cookie': setCookieHeader('fake', 'fake_value') });
  };

  const drip: Handler = async (ctx) => {
    const duration = numberParam(lastField(ctx.args, 'duration'), 2, 'duration');
    const numbytes = intParam(lastField(ctx.args, 'numbytes') ?? '10', 'numbytes', 1);
    const code = intParam(lastField(ctx.args, 'code') ?? '200', 'code', 200);
    const delay = numberParam(lastField(ctx.args, 'delay'), 0, 'delay');
    if (duration + delay > LIMITS.dripSeconds) throw new HttpError(400, `duration + delay must be ≤ ${LIMITS.dripSeconds} s`);
    if (numbytes > LIMITS.bytes) throw new HttpError(400, `numbytes must be ≤ ${LIMITS.bytes}`);
    if (delay > 0 && !(await sleep(ctx.res, delay * 1000))) return;
    ctx.res.writeHead(code, { 'Content-Type': 'application/octet-stream', 'Content-Length': numbytes });
    const pause = (duration * 1000) / numbytes;
    for (let i = 0; i < numbytes; i++) {
      if (!(await write(ctx.res, '*'))) return;
      if (i < numbytes - 1 && pause > 0 && !(await sleep(ctx.res, pause))) return;
    }
    ctx.res.end();
  };

  const range: Handler = (ctx) => {
    const n = intParam(ctx.params[0], 'byte count', 1);
    if (n > LIMITS.range) throw new HttpError(400, `byte count must be ≤ ${LIMITS.range}`);
    const all = Buffer.alloc(n);
    for (let i = 0; i < n; i++) all[i] = 97 + (i % 26);
    const common = { ETag: `range${n}`, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' };
    const header = ctx.req.headers.range;
    if (!header) return send(ctx.res, 200, all, common);
    const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
    let first = match?.[1] ? Number(match[1]) : undefined;
    let last = match?.[2] ? Number(match[2]) : undefined;
    if (first === undefined && last !== undefined) {
      first = Math.max(0, n - last); // suffix range: the last N bytes
      last = n - 1;
    }
    if (!match || first === undefined || first >= n || (last !== undefined && last < first)) {
      return send(ctx.res, 416, '', { ...common, 'Content-Range': `bytes */${n}` });
    }
    const end = Math.min(last ?? n - 1, n - 1);
    send(ctx.res, 206, all.subarray(first, end + 1), { ...common, 'Content-Range': `bytes ${first}-${end}/${n}` });
  };

  const login: Handler = async (ctx) => {
    const parsed = parseBody(await ctx.body(), ctx.req.headers['content-type']);
    const source = (parsed.json && typeof parsed.json === 'object' ? parsed.json : parsed.form) as Record<string, unknown>;
    const user = DEMO_USERS.find((u) => u.username === source.username && u.password === source.password);
    if (!user) return sendJson(ctx.res, { error: 'invalid username or password' }, 401);
    const token = crypto.randomBytes(24).toString('base64url');
    tokens.set(token, user);
    sendJson(ctx.res, { token });
  };

  const me: Handler = (ctx) => {
    const user = tokens.get(bearerToken(ctx.req) ?? '');
    if (!user) {
      return sendJson(ctx.res, { error: 'missing or invalid bearer token; POST /login first' }, 401, { 'WWW-Authenticate': 'Bearer realm="ricochet"' });
    }
    sendJson(ctx.res, { username: user.username, name: user.name, email: user.email });
  };

  const routes: Route[] = [];
  const route = (path: string, methods: readonly string[], handler: Handler) => {
    // ':name' matches one segment; a trailing '*' matches the rest of the path.
    const source = path.replace(/:[a-z_]+/g, '([^/]+)').replace(/\/\*$/, '(?:/.*)?');
    routes.push({ path, pattern: new RegExp(`^${source}$`), methods, handler });
  };
  const GET = ['GET', 'HEAD'];
  const WITH_BODY = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'TRACE'];

  route('/', GET, (ctx) =>
    sendJson(ctx.res, {
      name: 'Ricochet httpbin',
      endpoints: routes.filter((r) => r.path !== '/').map((r) => `${r.methods.filter((m) => m !== 'HEAD').join('|')} ${r.path}`),
      demo: { login: 'POST /login {"username","password"} → {token}; GET /me with Authorization: Bearer <token>', users: DEMO_USERS.map((u) => u.username) },
    }),
  );
  route('/get', GET, async (ctx) => sendJson(ctx.res, await echo(ctx, false, false)));
  for (const method of ['post', 'put', 'patch', 'delete']) {
    route(`/${method}`, [method.toUpperCase()], async (ctx) => sendJson(ctx.res, await echo(ctx, true, false)));
  }
  route('/anything/*', ALL_METHODS, async (ctx) => sendJson(ctx.res, await echo(ctx, true, true)));
  route('/headers', GET, (ctx) => sendJson(ctx.res, { headers: echoHeaders(ctx.req) }));
  route('/ip', GET, (ctx) => sendJson(ctx.res, { origin: origin(ctx.req) }));
  route('/user-agent', GET, (ctx) => sendJson(ctx.res, { 'user-agent': ctx.req.headers['user-agent'] ?? null }));
  route('/uuid', GET, (ctx) => sendJson(ctx.res, { uuid: crypto.randomUUID() }));

  route('/status/:codes', ALL_METHODS, (ctx) => {
    const choices = (ctx.params[0] ?? '').split(',').map((item) => {
      const [code = '', weight = '1'] = item.split(':');
      const status = Number(code.trim());
      const w = Number(weight);
      if (!Number.isInteger(status) || status < 200 || status > 999 || !Number.isFinite(w) || w < 0) {
        throw new HttpError(400, `Invalid status code "${item}"`);
      }
      return { status, weight: w };
    });
    const total = choices.reduce((sum, c) => sum + c.weight, 0);
    let pick = Math.random() * total;
    const chosen = choices.find((c) => (pick -= c.weight) < 0) ?? choices.at(-1);
    statusResponse(ctx, chosen?.status ?? 200);
  });

  route('/redirect/:n', GET, (ctx) => redirect(ctx, lastField(ctx.args, 'absolute')?.toLowerCase() === 'true'));
  route('/relative-redirect/:n', GET, (ctx) => redirect(ctx, false));
  route('/absolute-redirect/:n', GET, (ctx) => redirect(ctx, true));
  route('/redirect-to', WITH_BODY, async (ctx) => {
    const fields = { ...parseBody(ctx.req.method === 'GET' || ctx.req.method === 'HEAD' ? Buffer.alloc(0) : await ctx.body(), ctx.req.headers['content-type']).form, ...ctx.args };
    const target = lastField(fields, 'url');
    if (!target) throw new HttpError(400, 'redirect-to needs a url parameter');
    const code = Number(lastField(fields, 'status_code') ?? 302);
    send(ctx.res, Number.isInteger(code) && code >= 300 && code < 400 ? code : 302, '', { Location: target });
  });

  route('/cookies', GET, (ctx) => sendJson(ctx.res, { cookies: requestCookies(ctx.req) }));
  route('/cookies/set', GET, (ctx) => {
    const cookies = Object.entries(ctx.args).map(([name, value]) => setCookieHeader(name, Array.isArray(value) ? (value.at(-1) ?? '') : value));
    send(ctx.res, 302, '', { Location: '/cookies', 'Set-Cookie': cookies });
  });
  route('/cookies/set/:name/:value', GET, (ctx) => {
    send(ctx.res, 302, '', { Location: '/cookies', 'Set-Cookie': setCookieHeader(ctx.params[0] ?? '', ctx.params[1] ?? '') });
  });
  route('/cookies/delete', GET, (ctx) => {
    const cookies = Object.keys(ctx.args).map((name) => setCookieHeader(name, '', [EXPIRED, 'Max-Age=0', 'Path=/']));
    send(ctx.res, 302, '', { Location: '/cookies', 'Set-Cookie': cookies });
  });
  route('/set-cookie', GET, (ctx) => {
    const name = lastField(ctx.args, 'name');
    if (!name) throw new HttpError(400, 'set-cookie needs a name parameter');
    const attributes: string[] = [`Path=${lastField(ctx.args, 'path') ?? '/'}`];
    const optional: Array<[string, string]> = [['domain', 'Domain'], ['max_age', 'Max-Age'], ['expires', 'Expires'], ['samesite', 'SameSite']];
    for (const [arg, attribute] of optional) {
      const value = lastField(ctx.args, arg);
      if (value !== undefined) attributes.push(`${attribute}=${value}`);
    }
    if ('secure' in ctx.args) attributes.push('Secure');
    if ('httponly' in ctx.args) attributes.push('HttpOnly');
    const header = setCookieHeader(name, lastField(ctx.args, 'value') ?? '', attributes);
    sendJson(ctx.res, { 'set-cookie': header }, 200, { 'Set-Cookie': header });
  });

  route('/basic-auth/:user/:passwd', GET, basicAuth(false));
  route('/hidden-basic-auth/:user/:passwd', GET, basicAuth(true));
  route('/bearer', GET, (ctx) => {
    const token = bearerToken(ctx.req);
    if (!token) return sendJson(ctx.res, { authenticated: false }, 401, { 'WWW-Authenticate': 'Bearer' });
    sendJson(ctx.res, { authenticated: true, token });
  });
  route('/digest-auth/:qop/:user/:passwd', WITH_BODY, digestAuth);
  route('/digest-auth/:qop/:user/:passwd/:algorithm', WITH_BODY, digestAuth);
  route('/digest-auth/:qop/:user/:passwd/:algorithm/:stale_after', WITH_BODY, digestAuth);

  route('/gzip', GET, compressed('gzip', 'gzipped', (b) => zlib.gzipSync(b)));
  route('/deflate', GET, compressed('deflate', 'deflated', (b) => zlib.deflateSync(b)));
  route('/brotli', GET, compressed('br', 'brotli', (b) => zlib.brotliCompressSync(b)));
  route('/zstd', GET, compressed('zstd', 'zstd', (b) => {
    if (typeof zlib.zstdCompressSync !== 'function') throw new HttpError(501, 'zstd needs Node ≥ 22.15');
    return zlib.zstdCompressSync(b);
  }));

  route('/stream/:n', GET, async (ctx) => {
    const n = Math.min(intParam(ctx.params[0], 'line count', 0), LIMITS.streamLines);
    const base = { url: fullUrl(ctx.req), args: ctx.args, headers: echoHeaders(ctx.req), origin: origin(ctx.req) };
    ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
    for (let id = 0; id < n; id++) {
      if (!(await write(ctx.res, `${JSON.stringify({ ...base, id })}\n`))) return;
    }
    ctx.res.end();
  });
  route('/bytes/:n', GET, (ctx) => {
    const n = intParam(ctx.params[0], 'byte count', 0);
    if (n > LIMITS.bytes) throw new HttpError(400, `byte count must be ≤ ${LIMITS.bytes}`);
    send(ctx.res, 200, byteSource(lastField(ctx.args, 'seed'))(n), { 'Content-Type': 'application/octet-stream' });
  });
  route('/stream-bytes/:n', GET, async (ctx) => {
    let remaining = intParam(ctx.params[0], 'byte count', 0);
    const chunkSize = intParam(lastField(ctx.args, 'chunk_size') ?? '10240', 'chunk_size', 1);
    const next = byteSource(lastField(ctx.args, 'seed'));
    ctx.res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    while (remaining > 0) {
      const size = Math.min(chunkSize, remaining);
      remaining -= size;
      if (!(await write(ctx.res, next(size)))) return;
    }
    ctx.res.end();
  });
  route('/drip', GET, drip);
  route('/delay/:seconds', WITH_BODY, async (ctx) => {
    const seconds = numberParam(ctx.params[0], 0, 'delay');
    if (seconds > LIMITS.delaySeconds) throw new HttpError(400, `delay must be ≤ ${LIMITS.delaySeconds} s`);
    if (!(await sleep(ctx.res, seconds * 1000))) return;
    sendJson(ctx.res, await echo(ctx, true, false));
  });
  route('/range/:n', GET, range);

  route('/encoding/utf8', GET, (ctx) => send(ctx.res, 200, UTF8_PAGE, { 'Content-Type': 'text/html; charset=utf-8' }));
  route('/response-headers', ['GET', 'HEAD', 'POST'], (ctx) => {
    const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json' };
    for (const [name, value] of Object.entries(ctx.args)) headers[name] = value;
    // The body lists the headers including Content-Length, so iterate until the length is stable.
    const render = (length: number) => `${JSON.stringify({ ...headers, 'Content-Length': String(length) }, null, 2)}\n`;
    let body = render(0);
    for (let i = 0; i < 5 && Buffer.byteLength(body) !== Number(JSON.parse(body)['Content-Length']); i++) {
      body = render(Buffer.byteLength(body));
    }
    send(ctx.res, 200, body, headers);
  });
  route('/html', GET, (ctx) => send(ctx.res, 200, HTML_PAGE, { 'Content-Type': 'text/html; charset=utf-8' }));
  route('/json', GET, (ctx) => sendJson(ctx.res, JSON_DOCUMENT));
  route('/xml', GET, (ctx) => send(ctx.res, 200, XML_DOCUMENT, { 'Content-Type': 'application/xml' }));
  route('/robots.txt', GET, (ctx) => send(ctx.res, 200, 'User-agent: *\nDisallow: /deny\n', { 'Content-Type': 'text/plain' }));
  route('/image', GET, (ctx) => {
    const accept = ctx.req.headers.accept ?? '';
    if (accept.includes('image/svg')) return send(ctx.res, 200, SVG_IMAGE, { 'Content-Type': 'image/svg+xml' });
    if (accept === '' || accept.includes('image/png') || accept.includes('image/*') || accept.includes('*/*')) {
      return send(ctx.res, 200, pngImage(), { 'Content-Type': 'image/png' });
    }
    statusResponse(ctx, 406);
  });
  route('/image/png', GET, (ctx) => send(ctx.res, 200, pngImage(), { 'Content-Type': 'image/png' }));
  route('/image/svg', GET, (ctx) => send(ctx.res, 200, SVG_IMAGE, { 'Content-Type': 'image/svg+xml' }));
  route('/links/:n', GET, (ctx) => send(ctx.res, 302, '', { Location: `/links/${ctx.params[0]}/0` }));
  route('/links/:n/:offset', GET, (ctx) => {
    const n = Math.min(intParam(ctx.params[0], 'link count', 0), 200);
    const offset = intParam(ctx.params[1], 'offset', 0);
    const links = Array.from({ length: n }, (_, i) => (i === offset ? `${i} ` : `<a href='/links/${n}/${i}'>${i}</a> `));
    send(ctx.res, 200, `<html><head><title>Links</title></head><body>${links.join('')}</body></html>`, { 'Content-Type': 'text/html; charset=utf-8' });
  });

  route('/login', ['POST'], login);
  route('/me', GET, me);

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.setHeader('Access-Control-Allow-Origin', String(req.headers.origin ?? '*'));
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    const method = req.method ?? 'GET';
    let bodyPromise: Promise<Buffer> | undefined;
    let matched: Route | undefined;
    let params: string[] = [];
    const allowed = new Set<string>();
    for (const candidate of routes) {
      const match = candidate.pattern.exec(url.pathname);
      if (!match) continue;
      candidate.methods.forEach((m) => allowed.add(m));
      if (!matched && candidate.methods.includes(method)) {
        matched = candidate;
        params = match.slice(1).map((segment) => decodeURIComponent(segment));
      }
    }
    const fail = (status: number, message: string) => {
      if (res.headersSent) return void res.destroy();
      sendJson(res, { error: message, status }, status);
    };
    if (!matched) {
      req.resume();
      if (allowed.size === 0) return fail(404, `Not Found: no endpoint ${url.pathname}`);
      const allow = [...allowed, 'OPTIONS'].join(', ');
      if (method === 'OPTIONS') {
        return send(res, 200, '', { Allow: allow, 'Access-Control-Allow-Methods': allow, 'Access-Control-Max-Age': '3600' });
      }
      res.setHeader('Allow', allow);
      return fail(405, `Method Not Allowed: ${method} ${url.pathname} (allowed: ${allow})`);
    }
    const ctx: Context = {
      req,
      res,
      params,
      url,
      args: fieldsFrom(url.searchParams),
      body: () => (bodyPromise ??= readBody(req)),
    };
    Promise.resolve()
      .then(() => matched.handler(ctx))
      .catch((error: unknown) => {
        if (error instanceof HttpError) return fail(error.status, error.message);
        if (error instanceof BodyTooLargeError) return fail(413, error.message);
        if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_INVALID')) {
          return fail(400, error.message); // e.g. a header value with CR/LF asked for by the client
        }
        fail(500, error instanceof Error ? error.message : String(error));
      })
      .finally(() => {
        // Drain an unread request body so keep-alive connections stay usable.
        if (!bodyPromise && !req.complete) req.resume();
      });
  };
}

