// Each fault the adapter maps: the right exception, the host and cause in the message, and the
// adapter still usable afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import zlib from 'node:zlib';
import { writeResponse, type RawServer } from '../../servers/raw.ts';
import { startFaultServer, type FaultRoute } from '../../servers/faults.ts';
import { HTTPAdapter, type SendOptions } from '../../../core/requests/adapters.ts';
import { Request } from '../../../core/requests/models.ts';
import {
  ChunkedEncodingError,
  ConnectTimeout,
  ConnectionError,
  ContentDecodingError,
  ReadTimeout,
  RetryError,
  Timeout,
} from '../../../core/requests/exceptions.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: RawServer;
const adapter = new HTTPAdapter();

// Beyond the shared catalogue: what only the adapter tests need.
const extraRoutes: Record<string, FaultRoute> = {
  '/raw-deflate': (s) =>
    void writeResponse(s, { headers: { 'Content-Encoding': 'deflate' }, body: zlib.deflateRawSync('raw deflate body') }),
  '/big': (s) => void writeResponse(s, { body: Buffer.alloc(2 * 1024 * 1024, 120) }),
  '/no-headers': async () => {
    // Never answer.
  },
};

before(async () => {
  server = await startFaultServer(extraRoutes);
});

after(async () => {
  await adapter.close();
  await server.close();
});

function send(path: string, options: SendOptions = {}, method = 'GET') {
  return adapter.send(new Request({ method, url: server.url + path }).prepare(), options);
}

async function stillUsable(): Promise<void> {
  const r = await send('/ok', { timeout: 5000 });
  assert.equal(r.text, 'fine');
}

function hostIn(message: string): void {
  assert.match(message, new RegExp(`127\\.0\\.0\\.1:${server.port}`), `message names host:port: ${message}`);
}

/** Sends to `path`, expects a `Kind` error naming this server's host:port, and returns it. */
async function fault<T extends Error>(path: string, Kind: abstract new (...args: never[]) => T, options: SendOptions = {}): Promise<T> {
  const err = await send(path, options).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof Kind, `expected ${Kind.name}, got ${String(err)}`);
  hostIn(err.message);
  return err;
}

describe('adapter faults → exceptions', () => {
  test('connection reset mid-body → ChunkedEncodingError naming the host', async () => {
    const err = await fault('/reset-mid-body', ChunkedEncodingError);
    await stillUsable();
  });

  test('truncated chunked body → ChunkedEncodingError', async () => {
    const err = await fault('/truncated-chunked', ChunkedEncodingError);
    await stillUsable();
  });

  test('body shorter than Content-Length → ChunkedEncodingError with IncompleteRead', async () => {
    const err = await fault('/short-body', ChunkedEncodingError);
    assert.match(err.message, /IncompleteRead\(20 bytes read, 30 more expected\)/);
    await stillUsable();
  });

  test('a large body shorter than its Content-Length → ChunkedEncodingError, not a half-filled body', async () => {
    const err = await fault('/short-large-body', ChunkedEncodingError);
    assert.match(err.message, /IncompleteRead\(100000 bytes read, 100000 more expected\)/);
    await stillUsable();
  });

  test('streamed body cut short fails while iterating, not before', async () => {
    const r = await send('/short-body', { stream: true });
    assert.equal(r.statusCode, 200);
    await assert.rejects(async () => {
      for await (const _ of r.iterContent()) void _;
    }, ChunkedEncodingError);
    await stillUsable();
  });

  test('conflicting Content-Length → ConnectionError', async () => {
    const err = await fault('/conflicting-length', ConnectionError);
    assert.match(err.message, /conflicting Content-Length headers/);
    await stillUsable();
  });

  test('garbage status line → ConnectionError "bad response"', async () => {
    const err = await fault('/garbage-status', ConnectionError);
    assert.match(err.message, /bad response/);
    await stillUsable();
  });

  test('oversized response headers → ConnectionError "too large"', async () => {
    const err = await fault('/oversized-headers', ConnectionError);
    assert.match(err.message, /too large/);
    await stillUsable();
  });

  for (const [path, coding] of [['/bad-gzip', 'gzip'], ['/bad-br', 'br'], ['/bad-zstd', 'zstd']] as const) {
    test(`invalid ${coding} body → ContentDecodingError naming ${coding}`, async () => {
      const err = await fault(path, ContentDecodingError);
      assert.match(err.message, new RegExp(`content-encoding: ${coding}`));
      assert.equal((err.request as { url?: string }).url, server.url + path, 'the error carries its request');
      const streamed = await send(path, { stream: true });
      await assert.rejects(() => streamed.read(), (e: unknown) => e instanceof ContentDecodingError && e.request === streamed.request);
      await stillUsable();
    });
  }

  test('raw (headerless) deflate is decoded like zlib deflate', async () => {
    const r = await send('/raw-deflate');
    assert.equal(r.text, 'raw deflate body');
    const s = await send('/raw-deflate', { stream: true });
    assert.equal(Buffer.from(await s.read()).toString(), 'raw deflate body');
  });

  test('drip that stalls past the read timeout → ReadTimeout naming host and limit', async () => {
    const err = await fault('/drip', ReadTimeout, { timeout: { connect: 5000, read: 400 } });
    assert.ok(err instanceof Timeout);
    assert.match(err.message, /read timeout=400 ms/);
    await stillUsable();
  });

  test('read timeout is idle time between bytes: a slow but steady body succeeds', async () => {
    const r = await send('/slow-steady', { timeout: { read: 1000 } });
    assert.equal(r.text, 'xxxxxxxxxx');
  });

  test('no response head within the read timeout → ReadTimeout, on time', async () => {
    const started = performance.now();
    await assert.rejects(() => send('/no-headers', { timeout: 200 }), ReadTimeout);
    assert.ok(performance.now() - started < 900, 'fires near the limit, not on a coarse 1 s tick');
    await stillUsable();
  });

  test('requests waiting together each time out at their own read timeout', async () => {
    const started = performance.now();
    const rejectedAfter = (timeout: number) =>
      send('/no-headers', { timeout }).then(
        () => assert.fail('a silent server cannot answer'),
        (e: unknown) => {
          assert.ok(e instanceof ReadTimeout, `ReadTimeout, got ${String(e)}`);
          assert.match(e.message, new RegExp(`read timeout=${timeout} ms`));
          return performance.now() - started;
        },
      );
    // The long one first: the shorter limit that follows must not wait for it, nor take it along.
    const [long, short] = await Promise.all([rejectedAfter(900), rejectedAfter(250)]);
    assert.ok(short >= 240 && short < 700, `the 250 ms limit fired after ${Math.round(short)} ms`);
    assert.ok(long >= 890 && long < 1600, `the 900 ms limit fired after ${Math.round(long)} ms`);
    await stillUsable();
  });

  test('a slow reader of a streamed body is not a read timeout', async () => {
    const r = await send('/big', { stream: true, timeout: { read: 200 } });
    let size = 0;
    let chunks = 0;
    for await (const chunk of r.iterContent()) {
      size += chunk.length;
      if (chunks++ < 3) await sleep(400);
    }
    assert.equal(size, 2 * 1024 * 1024);
  });

  test('total deadline cuts a steady body → ReadTimeout naming the deadline', async () => {
    const started = performance.now();
    const err = await fault('/slow-steady', ReadTimeout, { timeout: { read: 5000, total: 500 } });
    assert.match(err.message, /total timeout=500 ms/);
    assert.ok(performance.now() - started < 1400, 'gave up near the deadline');
    await stillUsable();
  });

  test('AbortSignal cancels a request in flight with the signal reason', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(() => send('/no-headers', { signal: controller.signal }), { name: 'AbortError' });
    await assert.rejects(() => send('/ok', { signal: AbortSignal.abort() }), { name: 'AbortError' });
    await stillUsable();
  });

  test('connection refused → ConnectionError naming host:port, retried then RetryError', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const url = `http://127.0.0.1:${port}/`;
    const err = await adapter.send(new Request({ method: 'GET', url }).prepare()).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ConnectionError, String(err));
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));

    const retrying = new HTTPAdapter({ maxRetries: 2 });
    try {
      const e2 = await retrying.send(new Request({ method: 'GET', url }).prepare()).then(() => undefined, (e: unknown) => e);
      assert.ok(e2 instanceof RetryError, String(e2));
      assert.match(e2.message, /Max retries exceeded with url: \/ \(Caused by ConnectionError/);
      // POST is not idempotent: no retry, the plain ConnectionError.
      const e3 = await retrying.send(new Request({ method: 'POST', url, data: 'x' }).prepare()).then(() => undefined, (e: unknown) => e);
      assert.ok(e3 instanceof ConnectionError && !(e3 instanceof RetryError), String(e3));
    } finally {
      await retrying.close();
    }
    await stillUsable();
  });

  test('unresolvable host → ConnectionError "Failed to resolve"', async () => {
    const err = await adapter
      .send(new Request({ method: 'GET', url: 'http://no-such-host.invalid/' }).prepare(), { timeout: 5000 })
      .then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ConnectionError, String(err));
    assert.match(err.message, /Failed to resolve 'no-such-host\.invalid'/);
  });

  test('connect timeout → ConnectTimeout that is both a ConnectionError and a Timeout', async () => {
    // TCP is accepted but the TLS handshake never answers: the connection is never established.
    const silent = net.createServer((socket) => socket.on('error', () => {}));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const started = performance.now();
      const err = await adapter
        .send(new Request({ method: 'GET', url: `https://127.0.0.1:${port}/` }).prepare(), { timeout: { connect: 300, read: 5000 } })
        .then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof ConnectTimeout, String(err));
      assert.ok(err instanceof ConnectionError);
      assert.ok(err instanceof Timeout);
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port} timed out\\. \\(connect timeout=300 ms\\)`));
      assert.ok(performance.now() - started < 3000);
    } finally {
      silent.close();
    }
    await stillUsable();
  });
});
