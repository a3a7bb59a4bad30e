// Bodies going out and coming back, through the HTTPAdapter against our httpbin: encodings,
// Content-Length rules, chunked uploads, multipart from disk, decompression, streaming reads,
// and the request as it was actually sent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpbin, type RunningHttpbin } from '../../../core/httpbin/server.ts';
import { startRawServer, type RawServer } from '../../servers/raw.ts';
import { HTTPAdapter, type SendOptions } from '../../../core/requests/adapters.ts';
import { Request, type RequestInit } from '../../../core/requests/models.ts';
import { HTTPError, JSONDecodeError, RequestException, StreamConsumedError, UnrewindableBodyError } from '../../../core/requests/exceptions.ts';

let hb: RunningHttpbin;
let raw: RawServer;
const adapter = new HTTPAdapter();
const dir = mkdtempSync(join(tmpdir(), 'ricochet-bodies-'));

before(async () => {
  hb = await startHttpbin();
  // Sends a body in the exact pieces given, with a pause between them, so chunk boundaries are real.
  raw = await startRawServer(async (socket, req) => {
    const pieces: string[] = JSON.parse(decodeURIComponent(req.path.slice(req.path.indexOf('?') + 1)));
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (const p of pieces) {
      const b = Buffer.from(p, 'utf8');
      socket.write(`${b.length.toString(16)}\r\n`);
      socket.write(b);
      socket.write('\r\n');
      await new Promise((r) => setTimeout(r, 15));
    }
    socket.write('0\r\n\r\n');
  });
});

after(async () => {
  await adapter.close();
  await hb.close();
  await raw.close();
});

function send(init: RequestInit, options: SendOptions = {}) {
  return adapter.send(new Request({ method: 'GET', ...init, url: hb.url + init.url }).prepare(), { timeout: 10_000, ...options });
}

type Echo = { data: string; form: Record<string, string | string[]>; files: Record<string, string>; json: unknown; headers: Record<string, string> };
const echo = (r: { json(): unknown }) => r.json() as Echo;
const header = (e: Echo, name: string) => Object.entries(e.headers).find(([k]) => k.toLowerCase() === name)?.[1];

describe('request bodies on the wire', () => {
  test('form data: order and repeated keys kept, urlencoded, Content-Length set', async () => {
    const r = await send({ method: 'POST', url: '/post', data: [['b', '2'], ['a', 'x y'], ['b', '3']] });
    const e = echo(r);
    assert.deepEqual(e.form, { b: ['2', '3'], a: 'x y' });
    assert.equal(header(e, 'content-type'), 'application/x-www-form-urlencoded');
    assert.equal(Buffer.from(r.requestAsSent.body!.bytes).toString(), 'b=2&a=x+y&b=3');
    assert.ok(r.requestAsSent.headers.some(([n, v]) => n.toLowerCase() === 'content-length' && v === '13'));
  });

  test('json body with Content-Type application/json; data wins over json', async () => {
    const r = await send({ method: 'POST', url: '/post', json: { ü: [1, 2] } });
    assert.deepEqual(echo(r).json, { ü: [1, 2] });
    assert.equal(header(echo(r), 'content-type'), 'application/json');
    const both = await send({ method: 'POST', url: '/post', json: { a: 1 }, data: 'raw' });
    assert.equal(echo(both).data, 'raw');
  });

  test('POST without a body sends Content-Length: 0; GET sends none', async () => {
    const post = await send({ method: 'POST', url: '/post' });
    assert.equal(header(echo(post), 'content-length'), '0');
    const get = await send({ url: '/get' });
    assert.equal(header(echo(get), 'content-length'), undefined);
    assert.ok(!get.requestAsSent.headers.some(([n]) => n.toLowerCase() === 'content-length'));
  });

  test('AsyncIterable and ReadableStream bodies go chunked; a sent stream cannot be replayed', async () => {
    async function* gen() {
      yield new TextEncoder().encode('hello ');
      yield new TextEncoder().encode('stream');
    }
    const prep = new Request({ method: 'PUT', url: hb.url + '/put', data: gen() }).prepare();
    const r = await adapter.send(prep);
    assert.equal(echo(r).data, 'hello stream');
    assert.equal(header(echo(r), 'transfer-encoding'), 'chunked');
    assert.deepEqual(r.requestAsSent.body, { bytes: new Uint8Array(0), size: -1, truncated: true });
    await assert.rejects(() => adapter.send(prep), UnrewindableBodyError);

    const web = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('web '));
        c.enqueue(new TextEncoder().encode('stream'));
        c.close();
      },
    });
    const w = await send({ method: 'POST', url: '/post', data: web });
    assert.equal(echo(w).data, 'web stream');
  });

  test('an error thrown by the body stream reaches the caller unchanged', async () => {
    const boom = new Error('disk on fire');
    async function* failing() {
      yield new TextEncoder().encode('start');
      throw boom;
    }
    await assert.rejects(() => send({ method: 'POST', url: '/post', data: failing() }), (e: unknown) => e === boom);
    const ok = await send({ url: '/get' });
    assert.equal(ok.statusCode, 200);
  });

  test('a web FormData is sent as multipart (fields and files)', async () => {
    const form = new FormData();
    form.append('name', 'value');
    form.append('upload', new File(['file text'], 'a.txt', { type: 'text/plain' }));
    const e = echo(await send({ method: 'POST', url: '/post', data: form }));
    assert.deepEqual(e.form, { name: 'value' });
    assert.equal(e.files.upload, 'file text');
  });

  test('bytes, strings and Blobs are sent as is (strings as UTF-8)', async () => {
    const bytes = await send({ method: 'POST', url: '/post', data: new Uint8Array([104, 105]) });
    assert.equal(echo(bytes).data, 'hi');
    const text = await send({ method: 'POST', url: '/post', data: 'héllo' });
    assert.equal(echo(text).data, 'héllo');
    assert.equal(header(echo(text), 'content-length'), '6');
    const blob = await send({ method: 'POST', url: '/post', data: new Blob(['blob body'], { type: 'text/x-blob' }) });
    assert.equal(echo(blob).data, 'blob body');
    assert.equal(header(echo(blob), 'content-type'), 'text/x-blob');
  });

  test('multipart: fields and files, a { path } file streamed from disk with a known length, replayable', async () => {
    const path = join(dir, 'upload.txt');
    writeFileSync(path, 'file on disk\n'.repeat(1000));
    const prep = new Request({
      method: 'POST',
      url: hb.url + '/post',
      data: { field: ['1', '2'] },
      files: { doc: { path }, note: { content: 'inline', filename: 'n.txt', contentType: 'text/plain' } },
    }).prepare();
    assert.match(prep.headers.get('content-type') ?? '', /^multipart\/form-data; boundary=[0-9a-f]{32}$/);
    for (let i = 0; i < 2; i++) {
      const r = await adapter.send(prep);
      const e = echo(r);
      assert.deepEqual(e.form, { field: ['1', '2'] });
      assert.equal(e.files.doc, 'file on disk\n'.repeat(1000));
      assert.equal(e.files.note, 'inline');
      assert.equal(header(e, 'content-length'), prep.headers.get('content-length'));
      prep.rewindBody(); // multipart bodies are re-iterable
    }
  });
});

describe('response bodies', () => {
  for (const [path, coding, key] of [['/gzip', 'gzip', 'gzipped'], ['/deflate', 'deflate', 'deflated'], ['/brotli', 'br', 'brotli'], ['/zstd', 'zstd', 'zstd']] as const) {
    test(`${coding} is decoded, buffered and streamed; wireSize is the encoded size`, async () => {
      const r = await send({ url: path });
      assert.deepEqual(r.contentEncoding, [coding]);
      assert.equal((r.json() as Record<string, unknown>)[key], true);
      assert.ok(r.wireSize > 0 && r.wireSize !== r.content.length);
      const s = await send({ url: path }, { stream: true });
      assert.equal((JSON.parse(Buffer.from(await s.read()).toString()) as Record<string, unknown>)[key], true);
    });
  }

  test('content/text/json are synchronous; streamed bodies throw until read()', async () => {
    const r = await send({ url: '/json' });
    assert.equal(typeof r.json(), 'object');
    const s = await send({ url: '/json' }, { stream: true });
    assert.throws(() => s.content, (e: unknown) => e instanceof RequestException && /await response\.read\(\)/.test(e.message));
    await s.read();
    assert.deepEqual(s.json(), r.json());
  });

  test('iterContent with a chunk size gives pieces of at most that size, all bytes in order; a consumed stream raises StreamConsumedError', async () => {
    // Pieces are slices of what arrived (Requests promises no exact length): never copied together.
    const pieces = ['abcdefghij', 'kl', 'mnopq', 'r'];
    const split = await adapter.send(new Request({ method: 'GET', url: `${raw.url}/?${encodeURIComponent(JSON.stringify(pieces))}` }).prepare(), { stream: true });
    const parts: string[] = [];
    for await (const chunk of split.iterContent(4)) parts.push(Buffer.from(chunk).toString());
    assert.equal(parts.join(''), 'abcdefghijklmnopqr');
    assert.ok(parts.every((part) => part.length > 0 && part.length <= 4), `pieces: ${JSON.stringify(parts)}`);
    assert.ok(parts.includes('abcd') && parts.includes('efgh'), 'a long arrival is cut into full-size pieces');

    const s = await send({ url: '/bytes/10000' }, { stream: true });
    const sizes: number[] = [];
    for await (const chunk of s.iterContent(4096)) sizes.push(chunk.length);
    assert.equal(sizes.reduce((a, b) => a + b, 0), 10000);
    assert.ok(sizes.every((size) => size <= 4096), `sizes: ${sizes.join(', ')}`);
    await assert.rejects(async () => {
      for await (const _ of s.iterContent()) void _;
    }, StreamConsumedError);
    assert.throws(() => s.content, StreamConsumedError);
  });

  test('iterLines: a CRLF split across chunks gives no spurious empty line; real empty lines stay', async () => {
    const pieces = ['one\r', '\ntwo\r\n\r\nthr', 'ee\nfour\r'];
    const s = await adapter.send(new Request({ method: 'GET', url: `${raw.url}/?${encodeURIComponent(JSON.stringify(pieces))}` }).prepare(), { stream: true });
    const lines: string[] = [];
    for await (const line of s.iterLines(null, true)) lines.push(line);
    assert.deepEqual(lines, ['one', 'two', '', 'three', 'four']);
    const b = await adapter.send(new Request({ method: 'GET', url: `${raw.url}/?${encodeURIComponent(JSON.stringify(pieces))}` }).prepare(), { stream: true });
    const bytes: string[] = [];
    for await (const line of b.iterLines()) bytes.push(Buffer.from(line).toString());
    assert.deepEqual(bytes, ['one', 'two', '', 'three', 'four']);
  });

  test('iterContent decodes text across split multi-byte characters', async () => {
    const s = await adapter.send(new Request({ method: 'GET', url: `${raw.url}/?${encodeURIComponent(JSON.stringify(['aé€', 'z']))}` }).prepare(), { stream: true });
    let text = '';
    for await (const part of s.iterContent(1, true)) text += part;
    assert.equal(text, 'aé€z');
  });

  test('encoding from headers, settable; apparentEncoding when none is declared', async () => {
    const r = await send({ url: '/encoding/utf8' });
    assert.equal(r.encoding, 'utf-8');
    assert.match(r.text, /∮ E⋅da = Q/);
    r.encoding = 'latin1';
    assert.doesNotMatch(r.text, /∮/);
    const bytes = await send({ url: '/bytes/16' });
    assert.equal(bytes.encoding, undefined);
    assert.ok(['windows-1252', 'utf-8', 'ascii'].includes(bytes.apparentEncoding));
  });

  test('raiseForStatus uses the reason as the server sent it', async () => {
    const r = await adapter.send(new Request({ method: 'GET', url: `${hb.url}/status/418` }).prepare());
    assert.equal(r.ok, false);
    assert.throws(() => r.raiseForStatus(), (e: unknown) => e instanceof HTTPError && e.message === `418 Client Error: ${r.reason} for url: ${hb.url}/status/418` && e.response === r);
    const ok = await send({ url: '/get' });
    assert.doesNotThrow(() => ok.raiseForStatus());
  });

  test('json() on a non-JSON body raises JSONDecodeError with the position', async () => {
    const r = await send({ url: '/html' });
    assert.throws(() => r.json(), (e: unknown) => e instanceof JSONDecodeError && e.pos >= 0 && e.doc.startsWith('<'));
  });

  test('links parse the Link header', async () => {
    const r = await send({ url: '/response-headers', params: { Link: '<https://a.example/?page=2>; rel="next", <https://a.example/?page=9>; rel="last"' } });
    assert.equal(r.links.next?.url, 'https://a.example/?page=2');
    assert.equal(r.links.last?.url, 'https://a.example/?page=9');
  });

  test('requestAsSent holds the exact header lines; keep-alive reuse gives zero connect timings', async () => {
    const r = await send({ url: '/get', headers: { 'X-Custom': 'v1' } });
    const names = r.requestAsSent.headers.map(([n]) => n.toLowerCase());
    assert.ok(names.includes('host') && names.includes('x-custom'));
    assert.equal(r.remoteAddress, '127.0.0.1');
    assert.equal(r.remotePort, hb.port);
    assert.ok(r.timings.total >= r.timings.ttfb && r.timings.ttfb > 0);
    const connects: number[] = [];
    for (let i = 0; i < 4; i++) connects.push((await send({ url: '/get' })).timings.connect);
    assert.ok(connects.includes(0), `pooled connection reused: ${connects.join(', ')}`);
  });

  test('HEAD has no body; 204 has no body', async () => {
    const h = await adapter.send(new Request({ method: 'HEAD', url: `${hb.url}/get` }).prepare());
    assert.equal(h.content.length, 0);
    const n = await adapter.send(new Request({ method: 'GET', url: `${hb.url}/status/204` }).prepare());
    assert.equal(n.text, '');
  });

  test('a large body is read whole, byte for byte the same as when streamed', async () => {
    const r = await send({ url: '/bytes/1000000?seed=3' });
    assert.equal(r.content.length, 1_000_000);
    const streamed = await send({ url: '/bytes/1000000?seed=3' }, { stream: true });
    await streamed.read();
    assert.ok(Buffer.from(r.content).equals(Buffer.from(streamed.content)), 'buffered and streamed bodies differ');
  });
});
