import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as requests from '../../../core/requests/api.ts';

// A server sending SIZE bytes in 64 KiB writes, remembering when each connection closes.
const SIZE = 8 * 1024 * 1024;
let server: http.Server;
let url: string;
const closed: Array<Promise<void>> = [];

before(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/small') return void res.end('hello');
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(SIZE) });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const pump = () => {
      while (sent < SIZE) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  // Idle connections stay open on the server's side: only the client closing them ends them.
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => closed.push(new Promise((resolve) => socket.once('close', () => resolve()))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('one-shot get with stream: true reads to the end through iterContent, then lets its connection go', { timeout: 30_000 }, async () => {
  const before = closed.length;
  const r = await requests.get(url, { stream: true });
  let size = 0;
  for await (const chunk of r.iterContent(64 * 1024)) size += chunk.length;
  assert.equal(size, SIZE);
  assert.equal(closed.length, before + 1, 'one connection was opened');
  // The throwaway Session closes once the body ends: its keep-alive socket is shut.
  await closed[before];
});

test('one-shot get with stream: true closed unread lets its connection go', { timeout: 30_000 }, async () => {
  const before = closed.length;
  const r = await requests.get(url, { stream: true });
  await r.close();
  await closed[before];
  assert.throws(() => r.content, /consumed|not read/);
});

test('one-shot get without stream still returns the whole body', { timeout: 30_000 }, async () => {
  const r = await requests.get(url);
  assert.equal(r.content.length, SIZE);
});

test('one-shot get with stream: true left unread lets its connection go once the body is received', { timeout: 30_000 }, async () => {
  const before = closed.length;
  const r = await requests.get(`${url}small`, { stream: true });
  // Not read, not closed: the throwaway Session must still not hold the connection (or the process).
  await closed[before];
  assert.equal(new TextDecoder().decode(await r.read()), 'hello');
});
