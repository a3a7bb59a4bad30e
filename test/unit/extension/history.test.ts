import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HistoryStore, REDACTED } from '../../../extension/history.ts';
import type { Exchange } from '../../../core/requests/exchange.ts';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ricochet-history-'));
}

function exchange(id: string, extra: Partial<Exchange> = {}): Exchange {
  return {
    id,
    startedAt: '2026-01-01T00:00:00.000Z',
    hops: [
      {
        request: {
          method: 'GET',
          url: `http://127.0.0.1:1/${id}?token=s3cr3t-value`,
          headers: [['Authorization', 'Bearer abc.def'], ['Cookie', 'sid=42; theme=dark'], ['Accept', '*/*']],
          body: { bytes: new TextEncoder().encode('{"password":"s3cr3t-value"}'), size: 27, truncated: false },
        },
        response: { statusCode: 200, reason: 'OK', httpVersion: '1.1', headers: [['Set-Cookie', 'sid=43; Path=/; HttpOnly'], ['Content-Type', 'text/plain']] },
        timings: { dns: 0, connect: 1, tls: 0, ttfb: 2, download: 1, total: 4 },
        cookiesSent: [{ name: 'sid', value: '42' }],
        cookiesSet: [{ name: 'sid', value: '43', path: '/' }],
      },
    ],
    body: { bytes: new TextEncoder().encode('hello'), size: 5, truncated: false, wireSize: 5, contentEncoding: [] },
    tests: [],
    notices: [],
    ...extra,
  };
}

test('history survives a reload, newest first, and is capped', async () => {
  const dir = tempDir();
  const store = new HistoryStore({ dir, maxEntries: 3 });
  await store.load();
  for (const id of ['a', 'b', 'c', 'd']) await store.add(exchange(id));
  const again = new HistoryStore({ dir, maxEntries: 3 });
  const entries = await again.load();
  assert.deepEqual(entries.map((e) => e.id), ['d', 'c', 'b']);
  assert.equal(new TextDecoder().decode(entries[0]?.body?.bytes), 'hello');
});

test('credentials are redacted by default, scheme and cookie names kept', async () => {
  const dir = tempDir();
  const store = new HistoryStore({ dir, maxEntries: 10 });
  await store.add(exchange('x'));
  const onDisk = fs.readFileSync(path.join(dir, 'history.json'), 'utf8');
  assert.ok(!onDisk.includes('abc.def'), 'bearer token must not be on disk');
  assert.ok(!onDisk.includes('sid=42') && !onDisk.includes('"43"'), 'cookie values must not be on disk');
  const [hop] = (await new HistoryStore({ dir, maxEntries: 10 }).load())[0]!.hops;
  assert.deepEqual(hop!.request.headers, [['Authorization', `Bearer ${REDACTED}`], ['Cookie', `sid=${REDACTED}; theme=${REDACTED}`], ['Accept', '*/*']]);
  assert.deepEqual(hop!.response!.headers[0], ['Set-Cookie', `sid=${REDACTED}; Path=/; HttpOnly`]);
});

test('a token the server echoed in its body is scrubbed too', async () => {
  const dir = tempDir();
  const store = new HistoryStore({ dir, maxEntries: 10 });
  const echoed = new TextEncoder().encode('{"headers":{"Authorization":"Bearer abc.def"}}');
  await store.add(exchange('echo', { body: { bytes: echoed, size: echoed.length, truncated: false, wireSize: echoed.length, contentEncoding: [] } }));
  assert.ok(!fs.readFileSync(path.join(dir, 'history.json'), 'utf8').includes('abc.def'));
  const loaded = (await new HistoryStore({ dir, maxEntries: 10 }).load())[0]!;
  assert.match(new TextDecoder().decode(loaded.body!.bytes), /Bearer ••••••/);
});

test('keepCredentials keeps them, but secrets are scrubbed everywhere regardless', async () => {
  const dir = tempDir();
  const store = new HistoryStore({ dir, maxEntries: 10, keepCredentials: true, secrets: () => ['s3cr3t-value'] });
  await store.add(exchange('x'));
  const onDisk = fs.readFileSync(path.join(dir, 'history.json'), 'utf8');
  assert.ok(onDisk.includes('abc.def'));
  assert.ok(!onDisk.includes('s3cr3t-value'), 'secret must not appear in URL');
  const loaded = (await new HistoryStore({ dir, maxEntries: 10 }).load())[0]!;
  assert.ok(!new TextDecoder().decode(loaded.hops[0]!.request.body!.bytes).includes('s3cr3t-value'), 'secret must not appear in the body');
  assert.match(loaded.hops[0]!.request.url, /token=••••••/);
});

test('a crash mid-write (leftover temp file) loses nothing that was saved', async () => {
  const dir = tempDir();
  const store = new HistoryStore({ dir, maxEntries: 10 });
  await store.add(exchange('saved'));
  // What a crash between "write temp" and "rename" leaves: a half-written temp beside the real file.
  fs.writeFileSync(path.join(dir, `history.json.tmp-999-1-0`), '{"version":1,"entries":[{"id":"half');
  const reloaded = new HistoryStore({ dir, maxEntries: 10 });
  assert.deepEqual((await reloaded.load()).map((e) => e.id), ['saved']);
  assert.deepEqual(fs.readdirSync(dir), ['history.json'], 'the stale temp file is cleaned up');
});

test('a truncated history file is moved aside, never silently emptied, and the user is warned', async () => {
  const dir = tempDir();
  const store = new HistoryStore({ dir, maxEntries: 10 });
  await store.add(exchange('one'));
  const full = fs.readFileSync(path.join(dir, 'history.json'), 'utf8');
  fs.writeFileSync(path.join(dir, 'history.json'), full.slice(0, full.length / 2));
  const warnings: string[] = [];
  const reloaded = new HistoryStore({ dir, maxEntries: 10, onWarning: (m) => warnings.push(m) });
  assert.deepEqual(await reloaded.load(), []);
  assert.equal(warnings.length, 1);
  const aside = fs.readdirSync(dir).filter((n) => n.startsWith('history.json.corrupt-'));
  assert.equal(aside.length, 1);
  assert.match(warnings[0]!, /moved to .*history\.json\.corrupt-/);
  assert.equal(fs.readFileSync(path.join(dir, aside[0]!), 'utf8'), full.slice(0, full.length / 2), 'the damaged data is kept for the user');
  await reloaded.add(exchange('two'));
  assert.deepEqual((await new HistoryStore({ dir, maxEntries: 10 }).load()).map((e) => e.id), ['two']);
});

test('bodies held in Node Buffers are stored as bytes, not as {type: Buffer}', async () => {
  const dir = tempDir();
  const store = new HistoryStore({ dir, maxEntries: 10 });
  const body = { bytes: Buffer.from('buffered'), size: 8, truncated: false, wireSize: 8, contentEncoding: [] };
  await store.add(exchange('buf', { body }));
  const loaded = (await new HistoryStore({ dir, maxEntries: 10 }).load())[0]!;
  assert.equal(new TextDecoder().decode(loaded.body!.bytes), 'buffered');
});

test('concurrent adds all land, in order', async () => {
  const dir = tempDir();
  const store = new HistoryStore({ dir, maxEntries: 100 });
  await Promise.all(Array.from({ length: 20 }, (_, i) => store.add(exchange(`e${i}`))));
  const loaded = await new HistoryStore({ dir, maxEntries: 100 }).load();
  assert.equal(loaded.length, 20);
  assert.equal(loaded[0]!.id, 'e19');
});

test('large bodies are capped in history and marked truncated; clear empties the file', async () => {
  const dir = tempDir();
  const store = new HistoryStore({ dir, maxEntries: 10, maxBodyBytes: 10 });
  const big = new Uint8Array(1000).fill(65);
  await store.add(exchange('big', { body: { bytes: big, size: 1000, truncated: false, wireSize: 1000, contentEncoding: [] } }));
  const loaded = (await new HistoryStore({ dir, maxEntries: 10 }).load())[0]!;
  assert.equal(loaded.body!.bytes.length, 10);
  assert.equal(loaded.body!.truncated, true);
  assert.equal(loaded.body!.size, 1000);
  await store.clear();
  assert.deepEqual(await new HistoryStore({ dir, maxEntries: 10 }).load(), []);
});
