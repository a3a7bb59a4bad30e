import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Session } from '../../../core/requests/sessions.ts';
import { InvalidURL, TooManyRedirects, UnrewindableBodyError } from '../../../core/requests/exceptions.ts';
import { listen, startHttpbin } from '../../../core/httpbin/server.ts';
import type { RunningHttpbin } from '../../../core/httpbin/server.ts';

let bin: RunningHttpbin;
// A scripted server: GET /go?status=…&to=… redirects; anything else echoes method, headers and body.
let scripted: { url: string; close(): Promise<void> };

before(async () => {
  bin = await startHttpbin();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (url.pathname === '/go') {
        const to = url.searchParams.get('to') ?? '/echo';
        res.writeHead(Number(url.searchParams.get('status') ?? 302), { Location: to, 'Content-Length': '0' });
        return res.end();
      }
      if (url.pathname === '/utf8') {
        // Location bytes in UTF-8, as real servers send them.
        res.writeHead(302, [['Location', Buffer.from('/echo/café', 'utf8').toString('latin1')], ['Content-Length', '0']]);
        return res.end();
      }
      if (url.pathname === '/loop') {
        res.writeHead(302, { Location: '/loop', 'Content-Length': '0' });
        return res.end();
      }
      const body = JSON.stringify({
        method: req.method,
        path: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body);
    });
  });
  scripted = await listen(server, 'http');
});
after(async () => {
  await bin.close();
  await scripted.close();
});

interface Echoed {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

test('/redirect/3 gives 3 history entries with the right URLs, each with the hops before it', async () => {
  await using s = new Session();
  const r = await s.get(`${bin.url}/redirect/3`);
  assert.equal(r.statusCode, 200);
  assert.equal(r.url, `${bin.url}/get`);
  assert.deepEqual(
    r.history.map((h) => h.url),
    [`${bin.url}/redirect/3`, `${bin.url}/relative-redirect/2`, `${bin.url}/relative-redirect/1`],
  );
  assert.deepEqual(r.history.map((h) => h.statusCode), [302, 302, 302]);
  r.history.forEach((hop, i) => assert.equal(hop.history.length, i, `hop ${i} history`));
  assert.equal(r.history[2]!.history[1], r.history[1]);
});

test('absolute redirects are followed too', async () => {
  await using s = new Session();
  const r = await s.get(`${bin.url}/absolute-redirect/2`);
  assert.equal(r.url, `${bin.url}/get`);
  assert.equal(r.history.length, 2);
});

test('more than maxRedirects raises TooManyRedirects naming the count and URL', async () => {
  await using s = new Session();
  s.maxRedirects = 5;
  await assert.rejects(s.get(`${scripted.url}/loop`), (e: unknown) => {
    assert.ok(e instanceof TooManyRedirects);
    assert.match(e.message, /Exceeded 5 redirects/);
    assert.match(e.message, /\/loop/);
    return true;
  });
  s.maxRedirects = 3;
  assert.equal((await s.get(`${bin.url}/redirect/3`)).statusCode, 200);
  await assert.rejects(s.get(`${bin.url}/redirect/4`), TooManyRedirects);
});

test('303 turns POST into GET and drops the body and its headers', async () => {
  await using s = new Session();
  const r = await s.post(`${scripted.url}/go?status=303&to=/echo`, { data: 'payload', headers: { 'Content-Type': 'text/plain' } });
  const echoed = r.json() as Echoed;
  assert.equal(echoed.method, 'GET');
  assert.equal(echoed.body, '');
  assert.equal(echoed.headers['content-type'], undefined);
  assert.equal(echoed.headers['content-length'], undefined);
});

test('301 and 302 turn POST into GET; other methods keep going', async () => {
  await using s = new Session();
  for (const status of [301, 302]) {
    const r = await s.post(`${scripted.url}/go?status=${status}&to=/echo`, { data: { a: '1' } });
    assert.equal((r.json() as Echoed).method, 'GET', `POST after ${status}`);
  }
  const put = await s.put(`${scripted.url}/go?status=302&to=/echo`, { data: 'x' });
  assert.equal((put.json() as Echoed).method, 'PUT');
});

test('HEAD stays HEAD after a 303', async () => {
  await using s = new Session();
  const r = await s.head(`${scripted.url}/go?status=303&to=/echo`);
  assert.equal(r.statusCode, 200);
  assert.equal(r.request.method, 'HEAD');
});

test('307 and 308 keep the method and re-send the body', async () => {
  await using s = new Session();
  for (const status of [307, 308]) {
    const r = await s.post(`${scripted.url}/go?status=${status}&to=/echo`, { data: 'keep me', headers: { 'Content-Type': 'text/plain' } });
    const echoed = r.json() as Echoed;
    assert.equal(echoed.method, 'POST');
    assert.equal(echoed.body, 'keep me');
    assert.equal(echoed.headers['content-type'], 'text/plain');
  }
});

test('scheme-relative Location, fragment carried over', async () => {
  await using s = new Session();
  const host = new URL(scripted.url).host;
  const r = await s.get(`${scripted.url}/go?to=${encodeURIComponent(`//${host}/echo?x=1`)}#section`);
  assert.equal(r.url, `${scripted.url}/echo?x=1#section`);
});

test('a Location that is not a URL → InvalidURL naming it and the URL that sent it', async () => {
  await using s = new Session();
  const from = `${scripted.url}/go?to=${encodeURIComponent('http://[bad/x')}`;
  const err = await s.get(from).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof InvalidURL, `InvalidURL, got ${String(err)}`);
  assert.match(err.message, /Location 'http:\/\/\[bad\/x'/);
  assert.ok(err.message.includes(from), err.message);
  assert.equal((err.response as { statusCode?: number } | undefined)?.statusCode, 302);
  assert.equal((err.request as { url?: string } | undefined)?.url, from);
  // The same redirect again: a remembered answer must not hide the error.
  await assert.rejects(() => s.get(from), InvalidURL);
});

test('the same redirect followed twice with different fragments keeps each fragment', async () => {
  await using s = new Session();
  const go = `${scripted.url}/go?to=${encodeURIComponent('/echo?y=2')}`;
  assert.equal((await s.get(`${go}#one`)).url, `${scripted.url}/echo?y=2#one`);
  assert.equal((await s.get(`${go}#two`)).url, `${scripted.url}/echo?y=2#two`);
  assert.equal((await s.get(go)).url, `${scripted.url}/echo?y=2`);
});

test('a non-ASCII Location sent as UTF-8 bytes is followed to the right path', async () => {
  await using s = new Session();
  const r = await s.get(`${scripted.url}/utf8`);
  assert.equal((r.json() as Echoed).path, '/echo/caf%C3%A9');
});

test('the Cookie header is rebuilt from the jar at each hop', async () => {
  await using s = new Session();
  const r = await s.get(`${bin.url}/cookies/set?first=1`);
  assert.deepEqual((r.json() as { cookies: Record<string, string> }).cookies, { first: '1' });
  assert.equal(r.history[0]!.request.headers.get('Cookie'), undefined);
  assert.equal(r.request.headers.get('Cookie'), 'first=1');
});

test('a streamed body cannot be re-sent on 307: UnrewindableBodyError', async () => {
  await using s = new Session();
  async function* body(): AsyncGenerator<Uint8Array> {
    yield new TextEncoder().encode('once');
  }
  await assert.rejects(s.post(`${scripted.url}/go?status=307&to=/echo`, { data: body() }), UnrewindableBodyError);
});

test('an abort during the redirect chain stops it', async () => {
  await using s = new Session();
  const controller = new AbortController();
  s.hooks.response.push((r) => {
    if (r.statusCode === 302) controller.abort();
  });
  await assert.rejects(s.get(`${bin.url}/redirect/3`, { signal: controller.signal }), (e: unknown) => e instanceof Error);
});

test('with allowRedirects false, response.next is the request the redirect leads to', async () => {
  await using s = new Session();
  const r = await s.post(`${scripted.url}/go?status=303&to=/echo`, { data: 'x', allowRedirects: false });
  assert.equal(r.statusCode, 303);
  assert.equal(r.next?.url, `${scripted.url}/echo`);
  assert.equal(r.next?.method, 'GET');
  const followed = await s.send(r.next!);
  assert.equal((followed.json() as Echoed).method, 'GET');
});
