// The raw-socket server hands each parsed request to the test and sends exactly the bytes the
// test writes, connection after connection and request after request (keep-alive).
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { test } from 'node:test';
import { makeCertificates } from '../../servers/certs.ts';
import { startRawServer, writeResponse, type RawRequest } from '../../servers/raw.ts';

/** Sends `bytes` on a fresh connection and collects everything until the server closes. */
function exchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    let received = '';
    socket.on('data', (c: Buffer) => (received += c.toString('latin1')));
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
  });
}

test('the handler sees method, target, headers (raw and lower-cased) and the Content-Length body; the client gets exactly the bytes written', async () => {
  const seen: RawRequest[] = [];
  const malformed = 'HTTP/1.1 2OO NOT A STATUS\r\nX: y\r\n\r\nbody';
  const srv = await startRawServer((socket, request) => {
    seen.push(request);
    socket.end(malformed);
  });
  try {
    const reply = await exchange(srv.port, 'POST /p?q=1 HTTP/1.1\r\nHost: h\r\nX-Dup: a\r\nx-dup: b\r\nContent-Length: 5\r\n\r\nhello');
    assert.equal(reply, malformed);
    const [request] = seen;
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/p?q=1');
    assert.equal(request.httpVersion, 'HTTP/1.1');
    assert.equal(request.headers['x-dup'], 'a, b');
    assert.deepEqual(request.rawHeaders, [['Host', 'h'], ['X-Dup', 'a'], ['x-dup', 'b'], ['Content-Length', '5']]);
    assert.equal(request.body.toString(), 'hello');
    assert.match(request.head, /^POST \/p\?q=1 HTTP\/1\.1\r\n/);
    assert.equal(srv.requests.length, 1);
  } finally {
    await srv.close();
  }
});

test('chunked request bodies arrive de-chunked, even when split across packets', async () => {
  let body = '';
  const srv = await startRawServer((socket, request) => {
    body = request.body.toString();
    writeResponse(socket, { body: 'ok' });
    socket.end();
  });
  try {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(srv.port, '127.0.0.1', async () => {
        socket.write('PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel');
        await new Promise((r) => setTimeout(r, 30));
        socket.write('lo\r\n6\r\n world\r\n0\r\n\r\n');
      });
      let received = '';
      socket.on('data', (c: Buffer) => (received += c));
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
    assert.equal(body, 'hello world');
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\nContent-Length: 2\r\n\r\nok$/);
  } finally {
    await srv.close();
  }
});

test('keep-alive: a second request on the same connection calls the handler again; connections() counts connections', async () => {
  const srv = await startRawServer((socket, request) => {
    writeResponse(socket, { headers: { 'Content-Type': 'text/plain' }, body: `you asked for ${request.path}` });
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (path: string) =>
    new Promise<string>((resolve, reject) => {
      http.get(`${srv.url}${path}`, { agent }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
  try {
    assert.equal(await get('/one'), 'you asked for /one');
    assert.equal(await get('/two'), 'you asked for /two');
    assert.equal(srv.connections(), 1);
    assert.equal(srv.openConnections(), 1);
    assert.deepEqual(srv.requests.map((r) => r.path), ['/one', '/two']);
  } finally {
    agent.destroy();
    await srv.close();
  }
});

test('an async handler can drip bytes and reset the connection mid-body', async () => {
  const srv = await startRawServer(async (socket) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
    await new Promise((r) => setTimeout(r, 20));
    socket.resetAndDestroy();
  });
  try {
    const error = await new Promise<Error>((resolve) => {
      http.get(srv.url, (res) => {
        res.on('data', () => {});
        res.on('error', resolve);
        res.on('aborted', () => resolve(new Error('aborted')));
      }).on('error', resolve);
    });
    assert.ok(error instanceof Error);
  } finally {
    await srv.close();
  }
});

test('with tls the same handler runs behind a TLS handshake', async () => {
  const certs = await makeCertificates();
  const srv = await startRawServer((socket) => void socket.end('HTTP/1.1 204 No Content\r\n\r\n'), { tls: { key: certs.valid.key, cert: certs.valid.cert } });
  try {
    assert.match(srv.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ port: srv.port, host: '127.0.0.1', ca: certs.ca.cert }, () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      let received = '';
      socket.on('data', (c: Buffer) => (received += c));
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
    assert.equal(reply, 'HTTP/1.1 204 No Content\r\n\r\n');
  } finally {
    await srv.close();
  }
});
