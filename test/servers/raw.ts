/**
 * A scripted raw-socket HTTP server: it parses each request (head + body) and hands the socket to
 * the test, which writes exactly the bytes it wants — malformed status lines, bad framing, resets.
 * Keep-alive works: after the handler returns with the socket still open, the next request on
 * the same connection calls the handler again.
 *
 *   const srv = await startRawServer((socket, req) => {
 *     socket.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel'); // body shorter than declared
 *   });
 */
import net from 'node:net';
import tls from 'node:tls';

export interface RawRequest {
  method: string;
  /** The request target as sent (origin-form path, or absolute-form through a proxy). */
  path: string;
  httpVersion: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Header lines exactly as received: original case, order and duplicates. */
  rawHeaders: Array<[name: string, value: string]>;
  /** The request head as received, without the final blank line. */
  head: string;
  /** The body (Content-Length or de-chunked). */
  body: Buffer;
}

export type RawHandler = (socket: net.Socket, request: RawRequest) => void | Promise<void>;

export interface RawServer {
  url: string;
  port: number;
  /** Connections accepted so far (a keep-alive client reusing one connection keeps this at 1). */
  connections(): number;
  /** Connections open right now. */
  openConnections(): number;
  /** Every request parsed so far, in order. */
  requests: RawRequest[];
  close(): Promise<void>;
}

export interface RawServerOptions {
  tls?: { key: string | Buffer; cert: string | Buffer };
}

const HEAD_END = Buffer.from('\r\n\r\n');
/** Heads larger than this are refused (the socket is destroyed), like real servers do. */
const MAX_HEAD = 1024 * 1024;

/** Parses one request from the front of `buffer`; undefined until it is complete. */
export function parseRequest(buffer: Buffer): { request: RawRequest; rest: Buffer } | undefined {
  const headEnd = buffer.indexOf(HEAD_END);
  if (headEnd === -1) {
    if (buffer.length > MAX_HEAD) throw new Error(`request head larger than ${MAX_HEAD} bytes`);
    return undefined;
  }
  const head = buffer.subarray(0, headEnd).toString('latin1');
  const [requestLine = '', ...lines] = head.split('\r\n');
  const [method = '', path = '', httpVersion = ''] = requestLine.split(' ');
  const headers: Record<string, string> = {};
  const rawHeaders: Array<[string, string]> = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    rawHeaders.push([name, value]);
    const key = name.toLowerCase();
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  let cursor = headEnd + HEAD_END.length;
  let body: Buffer;
  if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) {
    const chunks: Buffer[] = [];
    for (;;) {
      const lineEnd = buffer.indexOf('\r\n', cursor);
      if (lineEnd === -1) return undefined;
      const size = Number.parseInt(buffer.subarray(cursor, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
      if (!Number.isFinite(size)) throw new Error('bad chunk size in request body');
      cursor = lineEnd + 2;
      if (size === 0) {
        // Trailers (if any) end with an empty line.
        const trailerEnd = buffer.indexOf('\r\n', cursor);
        if (trailerEnd === -1) return undefined;
        if (trailerEnd === cursor) {
          cursor += 2;
        } else {
          const end = buffer.indexOf(HEAD_END, cursor);
          if (end === -1) return undefined;
          cursor = end + 4;
        }
        break;
      }
      if (buffer.length < cursor + size + 2) return undefined;
      chunks.push(buffer.subarray(cursor, cursor + size));
      cursor += size + 2;
    }
    body = Buffer.concat(chunks);
  } else {
    const length = Number(headers['content-length'] ?? 0);
    if (buffer.length < cursor + length) return undefined;
    body = Buffer.from(buffer.subarray(cursor, cursor + length));
    cursor += length;
  }
  return { request: { method, path, httpVersion, headers, rawHeaders, head, body }, rest: buffer.subarray(cursor) };
}

/**
 * Writes a well-formed response (Content-Length framed) — for handlers that only break one thing.
 * Returns the bytes written.
 */
export function writeResponse(
  socket: net.Socket,
  response: { status?: number; reason?: string; headers?: Array<[string, string]> | Record<string, string>; body?: string | Buffer } = {},
): Buffer {
  const body = typeof response.body === 'string' ? Buffer.from(response.body) : (response.body ?? Buffer.alloc(0));
  const headers = Array.isArray(response.headers) ? response.headers : Object.entries(response.headers ?? {});
  const hasLength = headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name));
  const lines = [`HTTP/1.1 ${response.status ?? 200} ${response.reason ?? 'OK'}`, ...headers.map(([n, v]) => `${n}: ${v}`)];
  if (!hasLength) lines.push(`Content-Length: ${body.length}`);
  const bytes = Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
  socket.write(bytes);
  return bytes;
}

export async function startRawServer(handler: RawHandler, opts: RawServerOptions = {}): Promise<RawServer> {
  const open = new Set<net.Socket>();
  const requests: RawRequest[] = [];
  let accepted = 0;

  const serve = (socket: net.Socket) => {
    accepted += 1;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => {}); // clients resetting connections is normal in fault tests
    let buffer = Buffer.alloc(0);
    let busy = false;
    const pump = async () => {
      if (busy) return;
      busy = true;
      try {
        while (!socket.destroyed) {
          const parsed = parseRequest(buffer);
          if (!parsed) break;
          buffer = Buffer.from(parsed.rest);
          requests.push(parsed.request);
          await handler(socket, parsed.request);
          if (socket.writableEnded) break;
        }
      } catch (error) {
        console.error('[raw server] handler failed:', error);
        socket.destroy();
      } finally {
        busy = false;
      }
      // Data that arrived after the loop's last parse attempt.
      if (!socket.destroyed && !socket.writableEnded && buffer.length > 0 && parseRequest(buffer)) void pump();
    };
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      void pump();
    });
  };

  const server = opts.tls
    ? tls.createServer({ key: opts.tls.key, cert: opts.tls.cert }, serve)
    : net.createServer(serve);
  server.on('tlsClientError', () => {}); // failed handshakes are what TLS fault tests provoke
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${address.port}`,
    port: address.port,
    connections: () => accepted,
    openConnections: () => open.size,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
