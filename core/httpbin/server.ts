/**
 * Starts the httpbin-like server (`ricochet serve`, `npm run demo`, and the tests' target).
 *
 *   const bin = await startHttpbin();            // http://127.0.0.1:<free port>
 *   await requests.get(`${bin.url}/get`);
 *   await bin.close();
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { createHttpbinApp } from './app.ts';

export { createHttpbinApp, DEMO_USERS } from './app.ts';

export interface HttpbinOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface RunningServer {
  /** Origin without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** Stops listening and drops every open connection (keep-alive ones too). */
  close(): Promise<void>;
}

export interface RunningHttpbin extends RunningServer {
  server: http.Server;
}

/** Listens on `host:port` and resolves with the URL once the server accepts connections. */
export async function listen(server: net.Server, scheme: 'http' | 'https', host = '127.0.0.1', port = 0): Promise<RunningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`server at ${host}:${port} has no TCP address`);
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${scheme}://${shownHost}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server && typeof server.closeAllConnections === 'function') server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function startHttpbin(opts: HttpbinOptions = {}): Promise<RunningHttpbin> {
  const app = createHttpbinApp();
  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, app) : http.createServer(app);
  const running = await listen(server, opts.tls ? 'https' : 'http', opts.host, opts.port);
  return { ...running, server };
}
