// Keep-alive pools: connections are reused, poolBlock caps them, closing an unread stream frees
// its slot, a closed adapter refuses to send, and an idle session does not hold the process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRawServer, writeResponse, type RawServer } from '../../servers/raw.ts';
import { HTTPAdapter } from '../../../core/requests/adapters.ts';
import { Request } from '../../../core/requests/models.ts';
import { ConnectionError, InvalidHeader, InvalidSchema, RequestException } from '../../../core/requests/exceptions.ts';

let server: RawServer;

before(async () => {
  server = await startRawServer(async (socket, req) => {
    if (req.path === '/slow') await new Promise((r) => setTimeout(r, 150));
    if (req.path === '/big') {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${4 * 1024 * 1024}\r\n\r\n`);
      socket.write(Buffer.alloc(64 * 1024)); // the rest never comes unless read
      return;
    }
    writeResponse(socket, { body: `hello ${req.path}` });
  });
});

after(async () => {
  await server.close();
});

const get = (a: HTTPAdapter, path: string, stream = false) =>
  a.send(new Request({ method: 'GET', url: server.url + path }).prepare(), { stream, timeout: 10_000 });

test('sequential requests ride one keep-alive connection', async () => {
  const a = new HTTPAdapter();
  const before = server.connections();
  try {
    for (let i = 0; i < 10; i++) assert.equal((await get(a, `/n${i}`)).text, `hello /n${i}`);
    // undici may open a second socket while the first is still being released; never one per request.
    assert.ok(server.connections() - before <= 2, `connections opened: ${server.connections() - before}`);
  } finally {
    await a.close();
  }
});

test('poolBlock with poolMaxsize caps connections per origin; requests queue instead', async () => {
  const a = new HTTPAdapter({ poolBlock: true, poolMaxsize: 2 });
  const before = server.connections();
  try {
    const results = (await Promise.all(Array.from({ length: 6 }, () => get(a, '/slow')))).map((r) => r.statusCode);
    assert.deepEqual(results, [200, 200, 200, 200, 200, 200]);
    assert.equal(server.connections() - before, 2);
  } finally {
    await a.close();
  }
});

test('closing an unread streamed response frees its connection slot', async () => {
  const a = new HTTPAdapter({ poolBlock: true, poolMaxsize: 1 });
  try {
    const big = await get(a, '/big', true);
    assert.equal(big.statusCode, 200);
    await big.close();
    assert.equal(big.raw, null);
    const next = await get(a, '/after');
    assert.equal(next.text, 'hello /after');
  } finally {
    await a.close();
  }
});

test('leaving an iterContent loop early frees the connection slot and the stream', async () => {
  const a = new HTTPAdapter({ poolBlock: true, poolMaxsize: 1 });
  try {
    const big = await get(a, '/big', true);
    let seen = 0;
    for await (const piece of big.iterContent(1024)) {
      seen += piece.length;
      if (seen >= 4096) break;
    }
    assert.equal(seen, 4096);
    assert.equal(big.raw, null);
    await assert.rejects(async () => {
      for await (const piece of big.iterContent()) void piece;
    }, /already consumed/);
    // Not freed, the slot would only come back when the 10 s read timeout gave up on /big.
    const started = performance.now();
    const next = await get(a, '/after');
    assert.equal(next.text, 'hello /after');
    assert.ok(performance.now() - started < 2_000, `the next request waited ${Math.round(performance.now() - started)} ms for the slot`);
  } finally {
    await a.close();
  }
});

test('a closed adapter refuses to send', async () => {
  const a = new HTTPAdapter();
  await a.close();
  await assert.rejects(() => get(a, '/x'), (e: unknown) => e instanceof RequestException && /closed/.test(e.message));
});

test('the adapter validates before any I/O: scheme, headers set after prepare', async () => {
  const a = new HTTPAdapter();
  const before = server.requests.length;
  try {
    const ftp = new Request({ method: 'GET', url: 'ftp://files.example/x' }).prepare();
    await assert.rejects(() => a.send(ftp), (e: unknown) => e instanceof InvalidSchema && /No connection adapters were found for 'ftp:\/\/files\.example\/x'/.test(e.message));
    const p = new Request({ method: 'GET', url: server.url + '/x' }).prepare();
    p.headers.set('X-Smuggle', 'a\r\nInjected: yes');
    await assert.rejects(() => a.send(p), InvalidHeader);
    assert.equal(server.requests.length, before, 'nothing reached the server');
  } finally {
    await a.close();
  }
});

test("requestAsSent is this request's own head even while Node's fetch runs alongside", async () => {
  const a = new HTTPAdapter();
  try {
    const ours = Array.from({ length: 20 }, (_, i) =>
      a.send(new Request({ method: 'GET', url: `${server.url}/ours${i}`, headers: { 'X-Which': `ours-${i}` } }).prepare()),
    );
    const theirs = Array.from({ length: 20 }, (_, i) => fetch(`${server.url}/theirs${i}`, { headers: { 'X-Which': `theirs-${i}` } }).then((r) => r.text()));
    const [responses] = await Promise.all([Promise.all(ours), Promise.all(theirs)]);
    responses.forEach((r, i) => {
      const which = r.requestAsSent.headers.filter(([n]) => n.toLowerCase() === 'x-which').map(([, v]) => v);
      assert.deepEqual(which, [`ours-${i}`]);
      assert.equal(r.text, `hello /ours${i}`);
    });
  } finally {
    await a.close();
  }
});

test('a pooled connection the server dropped is resent once for idempotent methods, never for POST', async () => {
  // The server answers the first request on each connection and drops the connection on the second.
  const perSocket = new WeakMap<object, number>();
  const dropper = await startRawServer((socket, req) => {
    const n = (perSocket.get(socket) ?? 0) + 1;
    perSocket.set(socket, n);
    if (n >= 2) socket.destroy();
    else writeResponse(socket, { body: `ok ${req.method}` });
  });
  const a = new HTTPAdapter({ poolBlock: true, poolMaxsize: 1 }); // one connection at a time: reuse is certain
  try {
    const send = (method: string) => a.send(new Request({ method, url: `${dropper.url}/x` }).prepare(), { timeout: 5000 });
    assert.equal((await send('GET')).text, 'ok GET');
    assert.equal((await send('GET')).text, 'ok GET', 'resent on a fresh connection');
    assert.equal(dropper.requests.length, 3);
    const err = await send('POST').then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ConnectionError, `POST is not resent: ${String(err)}`);
  } finally {
    await a.close();
    await dropper.close();
  }
});

test('a script that sends a request and leaves the session open still exits when done', async () => {
  // Read timeouts share one timer; it must not hold the process for the 60 s default once idle.
  const { execFile } = await import('node:child_process');
  const sessions = new URL('../../../core/requests/sessions.ts', import.meta.url).href;
  const script = `const { Session } = await import(${JSON.stringify(sessions)});
    const r = await new Session().get(${JSON.stringify(server.url + '/bye')});
    console.log(r.text);`;
  const started = performance.now();
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    ),
  );
  assert.equal(out.trim(), 'hello /bye');
  assert.ok(performance.now() - started < 10_000, `exited after ${Math.round(performance.now() - started)} ms`);
});
