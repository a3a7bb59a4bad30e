import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PreparedRequest, Request, Response, responseFrom } from '../../../core/requests/models.ts';
import { AuthBase } from '../../../core/requests/auth.ts';
import { RequestsCookieJar } from '../../../core/requests/cookies.ts';
import { InvalidHeader, InvalidJSONError, MissingSchema } from '../../../core/requests/exceptions.ts';
import { CaseInsensitiveDict } from '../../../core/requests/structures.ts';

const prep = (init: ConstructorParameters<typeof Request>[0]) => new Request(init).prepare();

describe('PreparedRequest', () => {
  test('method upper-cased; URL validated before any I/O', () => {
    assert.equal(prep({ method: 'patch', url: 'http://h/' }).method, 'PATCH');
    assert.throws(() => prep({ method: 'GET', url: 'h/no-scheme' }), MissingSchema);
  });

  test('Content-Length rules as Requests', () => {
    assert.equal(prep({ method: 'GET', url: 'http://h/' }).headers.get('content-length'), undefined);
    assert.equal(prep({ method: 'HEAD', url: 'http://h/' }).headers.get('content-length'), undefined);
    for (const method of ['POST', 'PUT', 'PATCH', 'OPTIONS', 'DELETE']) {
      assert.equal(prep({ method, url: 'http://h/' }).headers.get('content-length'), '0', method);
    }
    assert.equal(prep({ method: 'POST', url: 'http://h/', data: 'héllo' }).headers.get('content-length'), '6');
    const streamed = prep({ method: 'POST', url: 'http://h/', data: (async function* () {})() });
    assert.equal(streamed.headers.get('transfer-encoding'), 'chunked');
    assert.equal(streamed.headers.get('content-length'), undefined);
  });

  test('an explicit Content-Type is kept over the body default', () => {
    const p = prep({ method: 'POST', url: 'http://h/', headers: { 'content-type': 'application/vnd.x+json' }, json: { a: 1 } });
    assert.equal(p.headers.get('Content-Type'), 'application/vnd.x+json');
    assert.equal(Buffer.from(p.body as Uint8Array).toString(), '{"a":1}');
  });

  test('json that cannot be serialised → InvalidJSONError', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    assert.throws(() => prep({ method: 'POST', url: 'http://h/', json: circular }), InvalidJSONError);
    assert.throws(() => prep({ method: 'POST', url: 'http://h/', json: 10n }), InvalidJSONError);
  });

  test('headers are validated (InvalidHeader) and null values dropped', () => {
    assert.throws(() => prep({ method: 'GET', url: 'http://h/', headers: { 'X-A': 'a\nb' } }), InvalidHeader);
    assert.throws(() => prep({ method: 'GET', url: 'http://h/', headers: { 'X-A': 1 as unknown as string } }), InvalidHeader);
    const p = prep({ method: 'GET', url: 'http://h/', headers: new Map([['X-Keep', 'v'], ['X-Drop', null]]) });
    assert.deepEqual([...p.headers], [['X-Keep', 'v']]);
  });

  test('a header dict (a Session\'s) is checked too, each time it changes; null values dropped', () => {
    const shared = new CaseInsensitiveDict<string>({ 'X-Keep': 'v' });
    shared.set('X-Drop', null as unknown as string);
    const p = prep({ method: 'GET', url: 'http://h/', headers: shared });
    assert.deepEqual([...p.headers], [['X-Keep', 'v']]);
    assert.deepEqual([...shared], [['X-Keep', 'v'], ['X-Drop', null]], 'the source dict is left alone');
    shared.set('X-Keep', 'a\r\nInjected: yes');
    assert.throws(() => prep({ method: 'GET', url: 'http://h/', headers: shared }), InvalidHeader);
  });

  test('a tuple becomes Basic auth (UTF-8); URL userinfo is used and stripped when no auth is given', () => {
    assert.equal(prep({ method: 'GET', url: 'http://h/', auth: ['üser', 'päss'] }).headers.get('authorization'), `Basic ${Buffer.from('üser:päss').toString('base64')}`);
    const fromUrl = prep({ method: 'GET', url: 'http://us%40er:p%3Ass@h/x' });
    assert.equal(fromUrl.headers.get('authorization'), `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`);
    assert.equal(fromUrl.url, 'http://h/x');
  });

  test('a custom AuthBase may sign the body; an async one is awaited through `ready`', async () => {
    class Signer extends AuthBase {
      apply(r: PreparedRequest) {
        r.headers.set('X-Sig', String(typeof r.body === 'string' ? r.body.length : 0));
        return r;
      }
    }
    assert.equal(prep({ method: 'POST', url: 'http://h/', data: 'abc', auth: new Signer() }).headers.get('x-sig'), '3');
    class Later extends AuthBase {
      async apply(r: PreparedRequest) {
        await new Promise((res) => setTimeout(res, 5));
        r.headers.set('Authorization', 'Token later');
      }
    }
    const p = prep({ method: 'GET', url: 'http://h/', auth: new Later() });
    await p.ready;
    assert.equal(p.headers.get('authorization'), 'Token later');
  });

  test('cookies: dict or jar → Cookie header; an explicit Cookie header wins', () => {
    assert.equal(prep({ method: 'GET', url: 'http://h/', cookies: { a: '1', b: '2' } }).headers.get('cookie'), 'a=1; b=2');
    const jar = new RequestsCookieJar();
    jar.set('j', 'v');
    const p = prep({ method: 'GET', url: 'http://h/', cookies: jar });
    assert.equal(p.headers.get('cookie'), 'j=v');
    assert.equal(p.cookies, jar);
    assert.equal(prep({ method: 'GET', url: 'http://h/', headers: { Cookie: 'mine=1' }, cookies: { a: '1' } }).headers.get('cookie'), 'mine=1');
  });

  test('pathUrl drops the fragment; copy() is independent', () => {
    const p = prep({ method: 'GET', url: 'http://h/a/b?x=1#frag', hooks: { response: () => undefined } });
    assert.equal(p.pathUrl, '/a/b?x=1');
    assert.equal(prep({ method: 'GET', url: 'http://h' }).pathUrl, '/');
    const c = p.copy();
    c.headers.set('X', 'y');
    c.deregisterHook('response', c.hooks.response[0]!);
    assert.equal(p.headers.has('X'), false);
    assert.equal(p.hooks.response.length, 1);
  });

  test('files with data must have form data, not a string', () => {
    assert.throws(() => prep({ method: 'POST', url: 'http://h/', data: 'x=1', files: { f: 'c' } }), /data must be an object/);
    assert.throws(() => prep({ method: 'POST', url: 'http://h/', files: { f: { path: '/no/such/file' } } }), /files\.f: cannot read '\/no\/such\/file'/);
  });
});

describe('Response without a network', () => {
  test('raiseForStatus messages, ok, redirects', () => {
    const r = responseFrom({ statusCode: 404, reason: 'NOT FOUND', url: 'http://h/x' });
    assert.throws(() => r.raiseForStatus(), { message: '404 Client Error: NOT FOUND for url: http://h/x' });
    assert.throws(() => responseFrom({ statusCode: 503, reason: 'Busy', url: 'u' }).raiseForStatus(), { message: '503 Server Error: Busy for url: u' });
    const redirect = responseFrom({ statusCode: 308, headers: { Location: '/y' } });
    assert.equal(redirect.isRedirect, true);
    assert.equal(redirect.isPermanentRedirect, true);
    assert.equal(responseFrom({ statusCode: 302 }).isRedirect, false, 'no Location, no redirect');
    assert.equal(new Response().ok, true);
  });

  test('text uses the declared charset, else the apparent encoding (computed once)', () => {
    const latin = responseFrom({ statusCode: 200, headers: { 'Content-Type': 'text/plain' }, body: Buffer.from('café', 'latin1') });
    assert.equal(latin.text, 'café');
    const utf = responseFrom({ statusCode: 200, body: 'naïve ☃' });
    assert.equal(utf.encoding, undefined);
    assert.equal(utf.apparentEncoding, 'utf-8');
    assert.equal(utf.text, 'naïve ☃');
  });

  test('iterContent and iterLines over a read body', async () => {
    const r = responseFrom({ statusCode: 200, body: 'a\r\nb\n\nc' });
    const lines: string[] = [];
    for await (const l of r.iterLines(2, true)) lines.push(l);
    assert.deepEqual(lines, ['a', 'b', '', 'c']);
    const custom: string[] = [];
    for await (const l of responseFrom({ statusCode: 200, body: 'x|y|z' }).iterLines(null, true, '|')) custom.push(l);
    assert.deepEqual(custom, ['x', 'y', 'z']);
    await assert.rejects(async () => {
      for await (const _ of r.iterContent(0)) void _;
    }, TypeError);
  });
});

test('raiseForStatus falls back to the standard reason when the server sent none', () => {
  assert.throws(() => responseFrom({ statusCode: 404, url: 'u' }).raiseForStatus(), { message: '404 Client Error: Not Found for url: u' });
});

test('a Response is async-iterable over its body', async () => {
  const parts: string[] = [];
  for await (const chunk of responseFrom({ statusCode: 200, body: 'whole body' })) parts.push(Buffer.from(chunk).toString());
  assert.deepEqual(parts, ['whole body']);
});
