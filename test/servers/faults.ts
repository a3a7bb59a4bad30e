/**
 * A raw-socket server that misbehaves on purpose, one path a fault, for the tests that check how
 * each fault is reported (adapter level and through a Session):
 *
 *   const server = await startFaultServer({ '/extra': (s) => void s.end('…') });
 *   await session.get(`${server.url}/truncated-chunked`);   // → ChunkedEncodingError
 *
 * Unknown paths answer 404 "no route".
 */
import type net from 'node:net';
import { startRawServer, writeResponse, type RawServer } from './raw.ts';

export type FaultRoute = (socket: net.Socket) => void | Promise<void>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ten body bytes, each after `gapMs(i)` milliseconds. */
async function dripBody(socket: net.Socket, gapMs: (i: number) => number): Promise<void> {
  socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n');
  for (let i = 0; i < 10 && !socket.destroyed; i++) {
    await sleep(gapMs(i));
    if (!socket.destroyed) socket.write('x');
  }
}

export const FAULT_ROUTES: Readonly<Record<string, FaultRoute>> = {
  '/ok': (s) => void writeResponse(s, { body: 'fine' }),
  '/reset-mid-body': (s) => {
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
    setTimeout(() => s.resetAndDestroy(), 20);
  },
  '/truncated-chunked': (s) => void s.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n10\r\nshort'),
  '/short-body': (s) => void s.end('HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nonly twenty bytes!!!'),
  // Large enough that the client copies it into one buffer of the announced size as it arrives.
  '/short-large-body': (s) => void s.end(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n'), Buffer.alloc(100_000, 0x61)])),
  '/conflicting-length': (s) => void s.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello!!'),
  '/garbage-status': (s) => void s.end('HTPT/1.1 twohundred OK\r\n\r\n'),
  '/oversized-headers': (s) => void s.end(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(128 * 1024)}\r\nContent-Length: 0\r\n\r\n`),
  '/bad-gzip': (s) => void writeResponse(s, { headers: { 'Content-Encoding': 'gzip' }, body: 'this is not gzip at all' }),
  '/bad-br': (s) => void writeResponse(s, { headers: { 'Content-Encoding': 'br' }, body: Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]) }),
  '/bad-zstd': (s) => void writeResponse(s, { headers: { 'Content-Encoding': 'zstd' }, body: 'not zstd either' }),
  // A long silence after three bytes: past any short read timeout.
  '/drip': (s) => dripBody(s, (i) => (i === 3 ? 1500 : 10)),
  // Steady but slow: 1.5 s in all, never silent for long.
  '/slow-steady': (s) => dripBody(s, () => 150),
};

export function startFaultServer(extra: Record<string, FaultRoute> = {}): Promise<RawServer> {
  const routes: Record<string, FaultRoute> = { ...FAULT_ROUTES, ...extra };
  return startRawServer(async (socket, request) => {
    const route = routes[request.path.split('?')[0]!];
    if (route) await route(socket);
    else writeResponse(socket, { status: 404, reason: 'Nope', body: 'no route' });
  });
}
