// The httpbin-like server answers each endpoint family the way httpbin.org does, so the library's
// tests (and `ricochet serve` users) can rely on the same shapes offline.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { DEMO_USERS, startHttpbin, type RunningHttpbin } from '../../../core/httpbin/server.ts';

let bin: RunningHttpbin;
before(async () => {
  bin = await startHttpbin();
});
after(async () => {
  await bin.close();
});

interface RawResponse {
  status: number;
  reason: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json(): Record<string, unknown>;
}

/** One request over node:http: no redirects followed, no decompression, headers sent as given. */
function raw(path: string, options: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    // node:http sends no Content-Length for a DELETE body by itself, so always frame bodies.
    const headers = { ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}), ...options.headers };
    const req = http.request(`${bin.url}${path}`, { method: options.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          reason: res.statusMessage ?? '',
          headers: res.headers,
          body,
          text: body.toString('utf8'),
          json: () => JSON.parse(body.toString('utf8')) as Record<string, unknown>,
        });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('echo endpoints', () => {
  test('/get echoes args (repeats as arrays), Title-Case headers, origin and the full url', async () => {
    const r = await raw('/get?a=1&a=2&b=x%20y', { headers: { 'x-custom-thing': 'v' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    const body = r.json();
    assert.deepEqual(body.args, { a: ['1', '2'], b: 'x y' });
    assert.equal((body.headers as Record<string, string>)['X-Custom-Thing'], 'v');
    assert.equal(body.origin, '127.0.0.1');
    assert.equal(body.url, `${bin.url}/get?a=1&a=2&b=x%20y`);
  });

  test('/post parses JSON into json and keeps the raw text in data', async () => {
    const r = await raw('/post', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":[1,2]}' });
    const body = r.json();
    assert.equal(body.data, '{"a":[1,2]}');
    assert.deepEqual(body.json, { a: [1, 2] });
    assert.deepEqual(body.form, {});
  });

  test('/put parses url-encoded forms, /patch shows binary data as a base64 data URL', async () => {
    const form = (await raw('/put', { method: 'PUT', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'k=v+w&k=2&z=%C3%A9' })).json();
    assert.deepEqual(form.form, { k: ['v w', '2'], z: 'é' });
    assert.equal(form.data, '');
    const binary = (await raw('/patch', { method: 'PATCH', body: Buffer.from([0xff, 0x00, 0xfe]) })).json();
    assert.equal(binary.data, `data:application/octet-stream;base64,${Buffer.from([0xff, 0x00, 0xfe]).toString('base64')}`);
    assert.equal(binary.json, null);
  });

  test('/delete and /anything/* take multipart uploads: fields in form, files in files, and report the method', async () => {
    const boundary = 'XyZ123';
    const body = [
      `--${boundary}`, 'Content-Disposition: form-data; name="field"', '', 'value',
      `--${boundary}`, 'Content-Disposition: form-data; name="upload"; filename="a.txt"', 'Content-Type: text/plain', '', 'file contents',
      `--${boundary}--`, '',
    ].join('\r\n');
    const headers = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    const r = (await raw('/anything/deep/path?q=1', { method: 'DELETE', headers, body })).json();
    assert.deepEqual(r.form, { field: 'value' });
    assert.deepEqual(r.files, { upload: 'file contents' });
    assert.equal(r.method, 'DELETE');
    assert.equal(r.url, `${bin.url}/anything/deep/path?q=1`);
    assert.equal((await raw('/delete', { method: 'DELETE', headers, body })).json().files instanceof Object, true);
  });

  test('/headers, /ip, /user-agent, /uuid', async () => {
    assert.equal(((await raw('/headers', { headers: { 'user-agent': 'ua/1' } })).json().headers as Record<string, string>)['User-Agent'], 'ua/1');
    assert.deepEqual((await raw('/ip')).json(), { origin: '127.0.0.1' });
    assert.deepEqual((await raw('/user-agent', { headers: { 'user-agent': 'ua/2' } })).json(), { 'user-agent': 'ua/2' });
    assert.match(String((await raw('/uuid')).json().uuid), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('a wrong method is 405 with Allow; an unknown path is 404 JSON; OPTIONS lists methods', async () => {
    const wrong = await raw('/get', { method: 'POST', body: 'x' });
    assert.equal(wrong.status, 405);
    assert.match(String(wrong.headers.allow), /GET/);
    const missing = await raw('/no/such/thing');
    assert.equal(missing.status, 404);
    assert.match(String(missing.json().error), /\/no\/such\/thing/);
    const options = await raw('/post', { method: 'OPTIONS' });
    assert.equal(options.status, 200);
    assert.match(String(options.headers.allow), /POST/);
  });

  test('/ lists the endpoints and the demo accounts', async () => {
    const index = (await raw('/')).json() as { endpoints: string[]; demo: { users: string[] } };
    assert.ok(index.endpoints.includes('GET /get'));
    assert.ok(index.endpoints.some((e) => /^GET\|.* \/digest-auth\/:qop\/:user\/:passwd\/:algorithm$/.test(e)));
    assert.deepEqual(index.demo.users, DEMO_USERS.map((u) => u.username));
  });

  test('HEAD gets the headers of GET without a body', async () => {
    const r = await raw('/json', { method: 'HEAD' });
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0);
    assert.ok(Number(r.headers['content-length']) > 0);
  });
});

describe('status and redirects', () => {
  test('/status/:code answers that code; a list picks one of them; 3xx points at /redirect/1', async () => {
    assert.equal((await raw('/status/204', { method: 'POST' })).status, 204);
    const teapot = await raw('/status/418');
    assert.equal(teapot.status, 418);
    assert.match(teapot.text, /teapot/);
    assert.equal((await raw('/status/401')).headers['www-authenticate'], 'Basic realm="Fake Realm"');
    const moved = await raw('/status/301');
    assert.equal(moved.headers.location, '/redirect/1');
    const seen = new Set<number>();
    for (let i = 0; i < 30; i++) seen.add((await raw('/status/500,502')).status);
    assert.ok([...seen].every((s) => s === 500 || s === 502));
    assert.equal((await raw('/status/200:0,503:1')).status, 503);
    assert.equal((await raw('/status/abc')).status, 400);
  });

  test('/redirect/:n chains relative redirects down to /get; ?absolute=true and /absolute-redirect give absolute URLs', async () => {
    assert.equal((await raw('/redirect/3')).headers.location, '/relative-redirect/2');
    assert.equal((await raw('/relative-redirect/2')).headers.location, '/relative-redirect/1');
    assert.equal((await raw('/relative-redirect/1')).headers.location, '/get');
    assert.equal((await raw('/redirect/2?absolute=true')).headers.location, `${bin.url}/absolute-redirect/1`);
    assert.equal((await raw('/absolute-redirect/1')).headers.location, `${bin.url}/get`);
    const followed = await fetch(`${bin.url}/redirect/4`);
    assert.equal(followed.url, `${bin.url}/get`);
  });

  test('/redirect-to sends Location with the given status for any method', async () => {
    const r = await raw(`/redirect-to?url=${encodeURIComponent('http://example.invalid/x')}&status_code=307`, { method: 'POST', body: 'b' });
    assert.equal(r.status, 307);
    assert.equal(r.headers.location, 'http://example.invalid/x');
    assert.equal((await raw('/redirect-to?url=/get')).status, 302);
    assert.equal((await raw('/redirect-to')).status, 400);
  });
});

describe('cookies', () => {
  test('/cookies/set sets cookies and redirects to /cookies, which echoes the Cookie header', async () => {
    const set = await raw('/cookies/set?a=1&b=two');
    assert.equal(set.status, 302);
    assert.equal(set.headers.location, '/cookies');
    assert.deepEqual(set.headers['set-cookie'], ['a=1; Path=/', 'b=two; Path=/']);
    assert.deepEqual((await raw('/cookies', { headers: { cookie: 'a=1; b=two' } })).json(), { cookies: { a: '1', b: 'two' } });
    assert.deepEqual((await raw('/cookies/set/n/v')).headers['set-cookie'], ['n=v; Path=/']);
  });

  test('/cookies/delete expires the cookie', async () => {
    const r = await raw('/cookies/delete?a');
    assert.equal(r.status, 302);
    assert.match(String(r.headers['set-cookie']), /^a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=\/$/);
  });

  test('/set-cookie sets one cookie with the requested attributes', async () => {
    const r = await raw('/set-cookie?name=sid&value=abc&path=/app&max_age=60&secure&httponly&samesite=Lax');
    assert.equal(r.status, 200);
    assert.deepEqual(r.headers['set-cookie'], ['sid=abc; Path=/app; Max-Age=60; SameSite=Lax; Secure; HttpOnly']);
    assert.equal((await raw('/set-cookie?value=x')).status, 400);
  });
});

describe('auth', () => {
  const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

  test('/basic-auth accepts the right credentials and challenges otherwise; hidden-basic-auth answers 404', async () => {
    assert.deepEqual((await raw('/basic-auth/u/p', { headers: { authorization: basic('u', 'p') } })).json(), { authenticated: true, user: 'u' });
    const denied = await raw('/basic-auth/u/p', { headers: { authorization: basic('u', 'wrong') } });
    assert.equal(denied.status, 401);
    assert.equal(denied.headers['www-authenticate'], 'Basic realm="Fake Realm"');
    assert.equal((await raw('/hidden-basic-auth/u/p')).status, 404);
    assert.equal((await raw('/hidden-basic-auth/u/p', { headers: { authorization: basic('u', 'p') } })).status, 200);
  });

  test('/bearer wants a bearer token', async () => {
    assert.equal((await raw('/bearer')).status, 401);
    assert.deepEqual((await raw('/bearer', { headers: { authorization: 'Bearer t0k' } })).json(), { authenticated: true, token: 't0k' });
  });

  /** An independent Digest client for the checks (RFC 7616). */
  function digestAnswer(challenge: string, opts: { user: string; pass: string; method: string; uri: string; nc: number; algorithm: string; qop?: string; body?: string }): string {
    const param = (name: string) => new RegExp(`${name}="?([^",]+)"?`).exec(challenge)?.[1] ?? '';
    const hashName = opts.algorithm.startsWith('SHA-512') ? 'sha512' : opts.algorithm.startsWith('SHA-256') ? 'sha256' : 'md5';
    const H = (s: string) => crypto.createHash(hashName).update(s).digest('hex');
    const realm = param('realm');
    const nonce = param('nonce');
    const cnonce = 'c0ffee';
    const nc = opts.nc.toString(16).padStart(8, '0');
    const qop = opts.qop ?? 'auth';
    let ha1 = H(`${opts.user}:${realm}:${opts.pass}`);
    if (opts.algorithm.endsWith('-sess')) ha1 = H(`${ha1}:${nonce}:${cnonce}`);
    const ha2 = qop === 'auth-int' ? H(`${opts.method}:${opts.uri}:${H(opts.body ?? '')}`) : H(`${opts.method}:${opts.uri}`);
    const response = H(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
    return `Digest username="${opts.user}", realm="${realm}", nonce="${nonce}", uri="${opts.uri}", algorithm=${opts.algorithm}, response="${response}", qop=${qop}, nc=${nc}, cnonce="${cnonce}", opaque="${param('opaque')}"`;
  }

  for (const algorithm of ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess', 'SHA-512', 'SHA-512-sess']) {
    test(`/digest-auth with ${algorithm}: challenge sets the fake cookie, a correct answer authenticates`, async () => {
      const uri = `/digest-auth/auth/user/pass/${algorithm}`;
      const challenged = await raw(uri);
      assert.equal(challenged.status, 401);
      const challenge = String(challenged.headers['www-authenticate']);
      assert.match(challenge, new RegExp(`^Digest realm="[^"]+", nonce="[0-9a-f]+", qop="auth", opaque="[0-9a-f]+", algorithm=${algorithm}, stale=FALSE$`));
      assert.ok(challenged.headers['set-cookie']?.includes('fake=fake_value; Path=/'));
      const ok = await raw(uri, { headers: { authorization: digestAnswer(challenge, { user: 'user', pass: 'pass', method: 'GET', uri, nc: 1, algorithm }) } });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.json(), { authenticated: true, user: 'user' });
    });
  }

  test('/digest-auth rejects a wrong password, a wrong uri, and a replayed nonce count (stale=TRUE)', async () => {
    const uri = '/digest-auth/auth/user/pass/SHA-256';
    const challenge = String((await raw(uri)).headers['www-authenticate']);
    const answer = (over: Partial<Parameters<typeof digestAnswer>[1]>) =>
      digestAnswer(challenge, { user: 'user', pass: 'pass', method: 'GET', uri, nc: 1, algorithm: 'SHA-256', ...over });
    assert.equal((await raw(uri, { headers: { authorization: answer({ pass: 'nope' }) } })).status, 401);
    assert.equal((await raw(uri, { headers: { authorization: answer({ uri: '/elsewhere' }) } })).status, 401);
    assert.equal((await raw(uri, { headers: { authorization: answer({}) } })).status, 200);
    assert.equal((await raw(uri, { headers: { authorization: answer({ nc: 2 }) } })).status, 200);
    const replay = await raw(uri, { headers: { authorization: answer({ nc: 2 }) } });
    assert.equal(replay.status, 401);
    assert.match(String(replay.headers['www-authenticate']), /stale=TRUE/);
  });

  test('/digest-auth with auth-int hashes the body; stale_after turns a nonce stale', async () => {
    const uri = '/digest-auth/auth-int/user/pass/MD5';
    const challenge = String((await raw(uri)).headers['www-authenticate']);
    const authorization = digestAnswer(challenge, { user: 'user', pass: 'pass', method: 'POST', uri, nc: 1, algorithm: 'MD5', qop: 'auth-int', body: 'payload' });
    assert.equal((await raw(uri, { method: 'POST', headers: { authorization }, body: 'payload' })).status, 200);

    const staleUri = '/digest-auth/auth/user/pass/MD5/1';
    const staleChallenge = String((await raw(staleUri)).headers['www-authenticate']);
    const first = digestAnswer(staleChallenge, { user: 'user', pass: 'pass', method: 'GET', uri: staleUri, nc: 1, algorithm: 'MD5' });
    assert.equal((await raw(staleUri, { headers: { authorization: first } })).status, 200);
    const second = digestAnswer(staleChallenge, { user: 'user', pass: 'pass', method: 'GET', uri: staleUri, nc: 2, algorithm: 'MD5' });
    const stale = await raw(staleUri, { headers: { authorization: second } });
    assert.equal(stale.status, 401);
    assert.match(String(stale.headers['www-authenticate']), /stale=TRUE/);
  });

  test('demo API: POST /login gives a token that GET /me accepts', async () => {
    const user = DEMO_USERS[0];
    assert.ok(user);
    const bad = await raw('/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user.username, password: 'x' }) });
    assert.equal(bad.status, 401);
    const login = await raw('/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user.username, password: user.password }) });
    assert.equal(login.status, 200);
    const token = String(login.json().token);
    assert.ok(token.length > 10);
    const me = await raw('/me', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.json().username, user.username);
    assert.equal((await raw('/me', { headers: { authorization: 'Bearer forged' } })).status, 401);
    assert.equal((await raw('/me')).status, 401);
  });
});

describe('content', () => {
  test('/gzip, /deflate, /brotli, /zstd send compressed JSON that decodes to a flag', async () => {
    const cases: Array<[string, string, string, (b: Buffer) => Buffer]> = [
      ['/gzip', 'gzip', 'gzipped', zlib.gunzipSync],
      ['/deflate', 'deflate', 'deflated', zlib.inflateSync],
      ['/brotli', 'br', 'brotli', zlib.brotliDecompressSync],
      ['/zstd', 'zstd', 'zstd', zlib.zstdDecompressSync],
    ];
    for (const [path, encoding, flag, decode] of cases) {
      const r = await raw(path);
      assert.equal(r.headers['content-encoding'], encoding, path);
      const body = JSON.parse(decode(r.body).toString('utf8')) as Record<string, unknown>;
      assert.equal(body[flag], true, path);
      assert.equal(body.method, 'GET');
    }
  });

  test('/stream/:n sends n JSON lines, chunked', async () => {
    const r = await raw('/stream/5');
    assert.equal(r.headers['transfer-encoding'], 'chunked');
    const lines = r.text.trimEnd().split('\n').map((l) => JSON.parse(l) as { id: number });
    assert.deepEqual(lines.map((l) => l.id), [0, 1, 2, 3, 4]);
  });

  test('/bytes/:n is n bytes, the same for the same seed; /stream-bytes is chunked', async () => {
    const a = await raw('/bytes/1000?seed=7');
    const b = await raw('/bytes/1000?seed=7');
    assert.equal(a.body.length, 1000);
    assert.ok(a.body.equals(b.body));
    assert.ok(!a.body.equals((await raw('/bytes/1000?seed=8')).body));
    const s = await raw('/stream-bytes/5000?chunk_size=100&seed=7');
    assert.equal(s.headers['transfer-encoding'], 'chunked');
    assert.equal(s.body.length, 5000);
  });

  test('/drip sends numbytes over duration after delay, with the requested code', async () => {
    const started = performance.now();
    const r = await raw('/drip?duration=0.3&numbytes=4&code=201&delay=0.2');
    const elapsed = performance.now() - started;
    assert.equal(r.status, 201);
    assert.equal(r.text, '****');
    assert.equal(r.headers['content-length'], '4');
    assert.ok(elapsed >= 350, `took ${elapsed} ms`);
  });

  test('/delay/:seconds waits (fractions allowed) then echoes', async () => {
    const started = performance.now();
    const r = await raw('/delay/0.25?x=1');
    assert.ok(performance.now() - started >= 240);
    assert.deepEqual(r.json().args, { x: '1' });
  });

  test('/response-headers sets the asked headers (repeats too) and lists them with the true Content-Length', async () => {
    const r = await raw('/response-headers?X-Thing=1&X-Thing=2&Server-Timing=db;dur=5');
    assert.equal(r.headers['x-thing'], '1, 2');
    assert.equal(r.headers['server-timing'], 'db;dur=5');
    const listed = r.json();
    assert.deepEqual(listed['X-Thing'], ['1', '2']);
    assert.equal(listed['Content-Length'], String(r.body.length));
  });

  test('/html, /json, /xml, /encoding/utf8, /image/png, /image/svg have their types and contents', async () => {
    assert.match((await raw('/html')).text, /Moby-Dick/);
    assert.equal((await raw('/json')).json().slideshow instanceof Object, true);
    const xml = await raw('/xml');
    assert.equal(xml.headers['content-type'], 'application/xml');
    assert.match(xml.text, /<slideshow/);
    const utf8 = await raw('/encoding/utf8');
    assert.equal(utf8.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(utf8.text, /∮ E⋅da = Q/);
    const png = await raw('/image/png');
    assert.equal(png.headers['content-type'], 'image/png');
    assert.deepEqual([...png.body.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.match((await raw('/image/svg')).text, /<svg/);
  });

  test('/links/:n/:offset is a page of n links with the current one unlinked', async () => {
    const r = await raw('/links/3/1');
    assert.equal(r.text, "<html><head><title>Links</title></head><body><a href='/links/3/0'>0</a> 1 <a href='/links/3/2'>2</a> </body></html>");
  });

  test('/range/:n serves byte ranges with 206 and 416', async () => {
    assert.equal((await raw('/range/26')).text, 'abcdefghijklmnopqrstuvwxyz');
    const part = await raw('/range/26', { headers: { range: 'bytes=3-5' } });
    assert.equal(part.status, 206);
    assert.equal(part.text, 'def');
    assert.equal(part.headers['content-range'], 'bytes 3-5/26');
    assert.equal((await raw('/range/26', { headers: { range: 'bytes=-2' } })).text, 'yz');
    assert.equal((await raw('/range/26', { headers: { range: 'bytes=30-' } })).status, 416);
  });
});

test('close() drops idle keep-alive connections and frees the port', async () => {
  const own = await startHttpbin();
  const agent = new http.Agent({ keepAlive: true });
  await new Promise<void>((resolve, reject) => {
    http.get(`${own.url}/get`, { agent }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
  const started = performance.now();
  await own.close();
  assert.ok(performance.now() - started < 1000);
  agent.destroy();
  await assert.rejects(fetch(`${own.url}/get`));
});
