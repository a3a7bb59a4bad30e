/**
 * A forward HTTP proxy for tests: absolute-form requests are forwarded, CONNECT opens a tunnel
 * (for https targets). With `auth` it answers 407 + `Proxy-Authenticate: Basic` until the right
 * `Proxy-Authorization` comes. It only ever connects to loopback targets (127.0.0.1, localhost);
 * anything else gets 502, as if unreachable — tests never leave the machine.
 *
 *   const proxy = await startProxy({ auth: ['user', 'pass'] });
 *   await requests.get(`${bin.url}/get`, { proxies: { http: proxy.url } });
 *   proxy.seen; // [{ method: 'GET', target: 'http://127.0.0.1:…/get', headers: {…} }]
 */
import http from 'node:http';
import net from 'node:net';
import { listen } from '../../core/httpbin/server.ts';

export interface SeenRequest {
  method: string;
  /** Absolute URL for forwarded requests, `host:port` for CONNECT. */
  target: string;
  headers: http.IncomingHttpHeaders;
}

export interface RunningProxy {
  url: string;
  port: number;
  /** Every request the proxy received, refused ones included, in order. */
  seen: SeenRequest[];
  close(): Promise<void>;
}

export interface ProxyOptions {
  auth?: [user: string, pass: string];
  /**
   * Pretend DNS: requests (and CONNECT tunnels) for these host names go to this port on
   * 127.0.0.1, whatever port the URL names — so tests can use real-looking domains
   * (`shop.example.com`) for cookie scoping while never leaving the machine.
   */
  hosts?: Record<string, number>;
}

const REALM = 'ricochet-test-proxy';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
// Headers that describe one connection and must not be forwarded (RFC 9110 §7.6.1).
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'upgrade', 'transfer-encoding'];

function authorized(headers: http.IncomingHttpHeaders, auth: [string, string] | undefined): boolean {
  if (!auth) return true;
  const expected = `Basic ${Buffer.from(`${auth[0]}:${auth[1]}`).toString('base64')}`;
  return headers['proxy-authorization'] === expected;
}

function rawReply(socket: net.Socket, status: string, headers: string[] = [], body = ''): void {
  const lines = [`HTTP/1.1 ${status}`, ...headers, `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close'];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

export async function startProxy(opts: ProxyOptions = {}): Promise<RunningProxy> {
  const seen: SeenRequest[] = [];
  const tunnels = new Set<net.Socket>();
  const upstreamAgent = new http.Agent({ keepAlive: true });

  const server = http.createServer((req, res) => {
    const target = req.url ?? '';
    seen.push({ method: req.method ?? '', target, headers: req.headers });
    const refuse = (status: number, message: string, headers: http.OutgoingHttpHeaders = {}) => {
      req.resume();
      res.writeHead(status, { 'Content-Type': 'text/plain', ...headers });
      res.end(`${message}\n`);
    };
    if (!authorized(req.headers, opts.auth)) {
      return refuse(407, 'proxy authentication required', { 'Proxy-Authenticate': `Basic realm="${REALM}"` });
    }
    let url: URL;
    try {
      url = new URL(target);
      if (url.protocol !== 'http:') throw new Error('not http');
    } catch {
      return refuse(400, `a forward proxy needs an absolute http:// target, got "${target}"`);
    }
    const mappedPort = opts.hosts?.[url.hostname.toLowerCase()];
    if (mappedPort === undefined && !LOOPBACK.has(url.hostname)) return refuse(502, `test proxy: cannot reach ${url.host} (loopback targets only)`);

    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.includes(name) && value !== undefined) headers[name] = value;
    }
    headers.host = url.host; // RFC 9112 §3.2.2: the absolute-form target wins over a received Host
    headers.via = '1.1 ricochet-test-proxy';
    const upstream = http.request(
      { host: mappedPort !== undefined || url.hostname === 'localhost' ? '127.0.0.1' : url.hostname, port: mappedPort ?? (url.port || 80), method: req.method, path: `${url.pathname}${url.search}`, headers, agent: upstreamAgent },
      (upstreamRes) => {
        const responseHeaders = { ...upstreamRes.headers };
        for (const name of HOP_BY_HOP) delete responseHeaders[name];
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, responseHeaders);
        upstreamRes.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (res.headersSent) return void res.destroy();
      refuse(502, `test proxy: upstream ${url.host} failed: ${error.message}`);
    });
    req.pipe(upstream);
  });

  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    seen.push({ method: 'CONNECT', target, headers: req.headers });
    client.on('error', () => {});
    if (!authorized(req.headers, opts.auth)) {
      return rawReply(client, '407 Proxy Authentication Required', [`Proxy-Authenticate: Basic realm="${REALM}"`]);
    }
    const colon = target.lastIndexOf(':');
    const host = target.slice(0, colon);
    const port = Number(target.slice(colon + 1));
    if (colon <= 0 || !Number.isInteger(port) || port <= 0) return rawReply(client, '400 Bad Request', [], `bad CONNECT target "${target}"\n`);
    const mappedPort = opts.hosts?.[host.toLowerCase()];
    if (mappedPort === undefined && !LOOPBACK.has(host)) return rawReply(client, '502 Bad Gateway', [], `test proxy: cannot reach ${target} (loopback targets only)\n`);
    const upstream = mappedPort !== undefined ? net.connect(mappedPort, '127.0.0.1') : net.connect(port, host === 'localhost' ? '127.0.0.1' : host.replace(/^\[|\]$/g, ''));
    tunnels.add(client);
    tunnels.add(upstream);
    const forget = () => {
      tunnels.delete(client);
      tunnels.delete(upstream);
    };
    let established = false;
    upstream.on('connect', () => {
      established = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', (error) => {
      if (!established && client.writable) rawReply(client, '502 Bad Gateway', [], `test proxy: ${target} failed: ${error.message}\n`);
      else client.destroy();
    });
    client.on('close', () => {
      upstream.destroy();
      forget();
    });
    upstream.on('close', () => {
      client.destroy();
      forget();
    });
  });

  const running = await listen(server, 'http');
  return {
    url: running.url,
    port: running.port,
    seen,
    close: async () => {
      for (const socket of tunnels) socket.destroy();
      upstreamAgent.destroy();
      await running.close();
    },
  };
}
