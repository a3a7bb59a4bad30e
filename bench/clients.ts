/**
 * The HTTP clients the benchmark compares, each behind the same small interface and each used
 * the way its documentation suggests (keep-alive on, bodies fully read, JSON parsed). Libraries
 * are imported lazily so a cold-start process loads only the one it measures.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchClient {
  /** GET and parse a JSON body. */
  json(url: string): Promise<unknown>;
  /** GET following one redirect, parse the JSON body of the target. */
  redirect(url: string): Promise<unknown>;
  /** GET and buffer the body; resolves with its size. */
  bytes(url: string): Promise<number>;
  /** GET and consume the body chunk by chunk without keeping it; resolves with its size. */
  stream(url: string): Promise<number>;
  /** GET through a cookie jar (Set-Cookie stored, Cookie sent next time); parse the JSON body. */
  cookie?(url: string): Promise<unknown>;
  close(): Promise<void>;
}

/** The repository root (set by bench/run.ts for the bundled worker, which lives elsewhere). */
export const ROOT = process.env.RICOCHET_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where Ricochet's library is loaded from: the built bundle when fresh, else the source. */
export function ricochetEntry(): string | undefined {
  const built = path.join(ROOT, 'dist/core/index.js');
  const source = path.join(ROOT, 'core/index.ts');
  if (process.env.RICOCHET_BENCH_SOURCE !== '1' && fs.existsSync(built)) return built;
  return fs.existsSync(source) ? source : undefined;
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<number> {
  let size = 0;
  for await (const chunk of body) size += chunk.byteLength;
  return size;
}

/** tough-cookie by hand, as a user of a client without a jar would write it. */
async function cookieJar() {
  const { CookieJar } = await import('tough-cookie');
  const jar = new CookieJar();
  return {
    header: (url: string) => jar.getCookieString(url),
    store: async (url: string, setCookie: string | string[] | undefined | null) => {
      for (const line of setCookie === undefined || setCookie === null ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]) {
        await jar.setCookie(line, url);
      }
    },
  };
}

async function undiciClient(): Promise<BenchClient> {
  const undici = await import('undici');
  const agent = new undici.Agent();
  const redirecting = new undici.Agent().compose(undici.interceptors.redirect({ maxRedirections: 5 }));
  const jar = await cookieJar();
  return {
    json: async (url) => (await undici.request(url, { dispatcher: agent })).body.json(),
    redirect: async (url) => (await undici.request(url, { dispatcher: redirecting })).body.json(),
    bytes: async (url) => (await (await undici.request(url, { dispatcher: agent })).body.arrayBuffer()).byteLength,
    stream: async (url) => drain((await undici.request(url, { dispatcher: agent })).body),
    cookie: async (url) => {
      const cookie = await jar.header(url);
      const res = await undici.request(url, { dispatcher: agent, headers: cookie ? { cookie } : {} });
      await jar.store(url, res.headers['set-cookie']);
      return res.body.json();
    },
    close: async () => {
      await agent.close();
      await redirecting.close();
    },
  };
}

async function fetchClient(): Promise<BenchClient> {
  const jar = await cookieJar();
  return {
    json: async (url) => (await fetch(url)).json(),
    redirect: async (url) => (await fetch(url)).json(),
    bytes: async (url) => (await (await fetch(url)).arrayBuffer()).byteLength,
    stream: async (url) => {
      const res = await fetch(url);
      return res.body ? drain(res.body) : 0;
    },
    cookie: async (url) => {
      const cookie = await jar.header(url);
      const res = await fetch(url, { headers: cookie ? { cookie } : {} });
      await jar.store(url, res.headers.getSetCookie());
      return res.json();
    },
    close: async () => {},
  };
}

async function nodeHttpClient(): Promise<BenchClient> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const jar = await cookieJar();
  const get = (url: string, headers: http.OutgoingHttpHeaders = {}) =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(url, { agent, headers }, resolve).on('error', reject);
    });
  const buffer = async (res: http.IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  const json = async (res: http.IncomingMessage) => JSON.parse((await buffer(res)).toString('utf8')) as unknown;
  return {
    json: async (url) => json(await get(url)),
    redirect: async (url) => {
      let res = await get(url);
      const location = res.headers.location;
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
        res.resume();
        res = await get(new URL(location, url).href);
      }
      return json(res);
    },
    bytes: async (url) => (await buffer(await get(url))).length,
    stream: async (url) => drain(await get(url)),
    cookie: async (url) => {
      const cookie = await jar.header(url);
      const res = await get(url, cookie ? { cookie } : {});
      await jar.store(url, res.headers['set-cookie']);
      return json(res);
    },
    close: async () => agent.destroy(),
  };
}

async function gotClient(): Promise<BenchClient> {
  const { default: got } = await import('got');
  const { CookieJar } = await import('tough-cookie');
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const client = got.extend({ agent: { http: agent }, retry: { limit: 0 } });
  const jar = new CookieJar();
  return {
    json: (url) => client(url).json(),
    redirect: (url) => client(url).json(),
    bytes: async (url) => (await client(url).buffer()).length,
    stream: (url) => drain(client.stream(url)),
    cookie: (url) => client(url, { cookieJar: jar }).json(),
    close: async () => agent.destroy(),
  };
}

async function axiosClient(): Promise<BenchClient> {
  const { default: axios } = await import('axios');
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const client = axios.create({ httpAgent: agent, maxRedirects: 5 });
  const jar = await cookieJar();
  return {
    json: async (url) => (await client.get(url)).data as unknown,
    redirect: async (url) => (await client.get(url)).data as unknown,
    bytes: async (url) => ((await client.get(url, { responseType: 'arraybuffer' })).data as ArrayBuffer).byteLength,
    stream: async (url) => drain((await client.get(url, { responseType: 'stream' })).data as AsyncIterable<Uint8Array>),
    cookie: async (url) => {
      const cookie = await jar.header(url);
      const res = await client.get(url, { headers: cookie ? { Cookie: cookie } : {} });
      await jar.store(url, res.headers['set-cookie']);
      return res.data as unknown;
    },
    close: async () => agent.destroy(),
  };
}

/** The part of Ricochet's public API the benchmark uses (CORE-API.md). */
interface RicochetResponse {
  content: Uint8Array;
  json(): unknown;
  iterContent(chunkSize?: number | null): AsyncIterable<Uint8Array>;
  close?(): unknown;
}
interface RicochetSession {
  get(url: string, options?: { stream?: boolean }): Promise<RicochetResponse>;
  close(): Promise<void>;
}
interface RicochetModule {
  get(url: string, options?: { stream?: boolean }): Promise<RicochetResponse>;
  Session: new () => RicochetSession;
}

export async function loadRicochet(): Promise<RicochetModule | undefined> {
  const entry = ricochetEntry();
  if (!entry) return undefined;
  const mod = (await import(entry)) as Partial<RicochetModule>;
  return typeof mod.get === 'function' && typeof mod.Session === 'function' ? (mod as RicochetModule) : undefined;
}

const STREAM_CHUNK = 64 * 1024;

async function ricochetSessionClient(): Promise<BenchClient> {
  const ricochet = await loadRicochet();
  if (!ricochet) throw new Error('core/index.ts does not export get and Session yet');
  const session = new ricochet.Session();
  return {
    json: async (url) => (await session.get(url)).json(),
    redirect: async (url) => (await session.get(url)).json(),
    bytes: async (url) => (await session.get(url)).content.byteLength,
    stream: async (url) => drain((await session.get(url, { stream: true })).iterContent(STREAM_CHUNK)),
    cookie: async (url) => (await session.get(url)).json(),
    close: () => session.close(),
  };
}

async function ricochetGetClient(): Promise<BenchClient> {
  const ricochet = await loadRicochet();
  if (!ricochet) throw new Error('core/index.ts does not export get and Session yet');
  return {
    json: async (url) => (await ricochet.get(url)).json(),
    redirect: async (url) => (await ricochet.get(url)).json(),
    bytes: async (url) => (await ricochet.get(url)).content.byteLength,
    stream: async (url) => drain((await ricochet.get(url, { stream: true })).iterContent(STREAM_CHUNK)),
    // A one-shot get has no jar that outlives the call: not comparable, so not measured.
    close: async () => {},
  };
}

export const BASELINE = 'undici.request';

export const CLIENTS: Record<string, () => Promise<BenchClient>> = {
  [BASELINE]: undiciClient,
  fetch: fetchClient,
  'node:http': nodeHttpClient,
  got: gotClient,
  axios: axiosClient,
  'ricochet get': ricochetGetClient,
  'ricochet Session': ricochetSessionClient,
};

export const RICOCHET_CLIENTS = ['ricochet get', 'ricochet Session'];

/**
 * References for the stream scenario rather than clients. The first is undici's own dispatcher
 * with a handler that only counts bytes: the ceiling of any client built on undici. The TCP-only
 * readers parse no HTTP beyond finding the end of the head, so no client built on Node sockets can
 * beat them; the second reads into one reused buffer (net's `onread`), allocating nothing per read.
 */
export const STREAM_REFERENCES: Record<string, (url: string) => Promise<number>> = {
  'undici dispatch, counting handler (reference)': dispatchCounting,
  'TCP socket only (reference)': (url) => readSocket(url, false),
  'TCP socket, reused buffer (reference)': (url) => readSocket(url, true),
};

async function dispatchCounting(url: string): Promise<number> {
  const { Agent } = await import('undici');
  const agent = new Agent();
  const target = new URL(url);
  try {
    return await new Promise<number>((resolve, reject) => {
      let size = 0;
      agent.dispatch({ origin: target.origin, path: target.pathname + target.search, method: 'GET' }, {
        // undici checks that a handler of its new API has every method, even those with nothing to do.
        onRequestStart: () => {},
        onResponseStart: () => {},
        onResponseData: (_controller, chunk) => { size += chunk.length; },
        onResponseEnd: () => resolve(size),
        onResponseError: (_controller, error) => reject(error),
      });
    });
  } finally {
    await agent.close();
  }
}

function readSocket(url: string, reuseBuffer: boolean): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    let expected = -1;
    let body = 0;
    const onBytes = (bytes: Uint8Array): void => {
      if (expected < 0) {
        head = Buffer.concat([head, bytes]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = /content-length:\s*(\d+)/i.exec(head.subarray(0, end).toString('latin1'));
        if (!length?.[1]) return void socket.destroy(new Error('no Content-Length in the response head'));
        expected = Number(length[1]);
        body = head.length - end - 4;
      } else body += bytes.length;
      if (body >= expected) {
        socket.destroy();
        resolve(body);
      }
    };
    const reused = Buffer.allocUnsafe(256 * 1024);
    const options: net.NetConnectOpts = { host: target.hostname, port: Number(target.port) };
    const callback = (n: number, buf: Uint8Array): boolean => {
      onBytes(buf.subarray(0, n));
      return true;
    };
    if (reuseBuffer) options.onread = { buffer: reused, callback };
    const socket = net.connect(options);
    if (!reuseBuffer) socket.on('data', onBytes);
    socket.on('error', reject);
    socket.on('close', () => {
      if (expected < 0 || body < expected) reject(new Error(`connection closed after ${body} body bytes`));
    });
    socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\n\r\n`);
  });
}
