/**
 * The benchmark target, run in its own process so client and server do not share an event loop.
 * Prints `{"port": N}` on stdout once listening. Responses are prebuilt so the server costs as
 * little as possible per request.
 *
 *   /small          ≈100 B JSON
 *   /big?size=N     N bytes (default 1 MiB), Content-Length
 *   /stream?size=N  N bytes written in 256 KiB chunks with back-pressure, Content-Length
 *   /redirect       302 → /small
 *   /cookie         Set-Cookie c=<counter>; body says whether the request carried a c cookie
 */
import http from 'node:http';

const SMALL = Buffer.from(JSON.stringify({ id: 1, name: 'ricochet', tags: ['http', 'bench'], ok: true, value: 3.14159, note: 'small JSON body' }));
const MIB = 1024 * 1024;
const CHUNK = Buffer.alloc(256 * 1024, 0x61);
let big = Buffer.alloc(MIB, 0x62);
let cookieCounter = 0;

function sizeParam(url: string, fallback: number): number {
  const match = /[?&]size=(\d+)/.exec(url);
  return match?.[1] ? Number(match[1]) : fallback;
}

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  const path = url.split('?')[0];
  switch (path) {
    case '/small':
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': SMALL.length });
      return void res.end(SMALL);
    case '/big': {
      const size = sizeParam(url, MIB);
      if (big.length < size) big = Buffer.alloc(size, 0x62);
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size });
      return void res.end(big.subarray(0, size));
    }
    case '/stream': {
      let remaining = sizeParam(url, 2 * 1024 * MIB);
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': remaining });
      const pump = () => {
        while (remaining > 0) {
          const piece = remaining >= CHUNK.length ? CHUNK : CHUNK.subarray(0, remaining);
          remaining -= piece.length;
          if (!res.write(piece)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (remaining = 0));
      return pump();
    }
    case '/redirect':
      res.writeHead(302, { Location: '/small', 'Content-Length': 0 });
      return void res.end();
    case '/cookie': {
      const carried = /(?:^|;\s*)c=\d+/.test(req.headers.cookie ?? '');
      const body = carried ? '{"cookie":true}' : '{"cookie":false}';
      cookieCounter += 1;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length, 'Set-Cookie': `c=${cookieCounter}; Path=/` });
      return void res.end(body);
    }
    default:
      res.writeHead(404, { 'Content-Length': 0 });
      return void res.end();
  }
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
