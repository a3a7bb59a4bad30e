import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkHeaderValidity,
  encodeParams,
  getEncodingFromHeaders,
  getEncodingsFromContent,
  getEnvironProxies,
  guessEncoding,
  parseHeaderLinks,
  prepareUrl,
  selectProxy,
  shouldBypassProxies,
} from '../../../core/requests/utils.ts';
import { CaseInsensitiveDict } from '../../../core/requests/structures.ts';
import { InvalidHeader, InvalidURL, MissingSchema } from '../../../core/requests/exceptions.ts';

describe('URL preparation', () => {
  test('missing scheme → MissingSchema suggesting https', () => {
    assert.throws(() => prepareUrl('example.com/path'), (e: unknown) => e instanceof MissingSchema && /Perhaps you meant https:\/\/example\.com\/path\?/.test(e.message));
    assert.throws(() => prepareUrl('localhost:8080/x'), MissingSchema);
  });

  test('no host or a bad port → InvalidURL naming the URL', () => {
    assert.throws(() => prepareUrl('http://'), (e: unknown) => e instanceof InvalidURL && /No host supplied/.test(e.message));
    assert.throws(() => prepareUrl('http:///path'), InvalidURL);
    assert.throws(() => prepareUrl('http://example.com:99999/'), (e: unknown) => e instanceof InvalidURL && /99999/.test(e.message));
    assert.throws(() => prepareUrl('http://exa mple.com/'), InvalidURL);
  });

  test('IDN hosts become punycode; unsafe characters are quoted, existing escapes kept', () => {
    assert.equal(prepareUrl('http://☃.net/'), 'http://xn--n3h.net/');
    assert.equal(prepareUrl('https://bücher.example/a b/%41?q=ä'), 'https://xn--bcher-kva.example/a%20b/%41?q=%C3%A4');
  });

  test('params are appended to an existing query; the fragment stays at the end', () => {
    assert.equal(prepareUrl('http://h/p?a=1#frag', { b: ['2', '3'], c: 'x y', d: null }), 'http://h/p?a=1&b=2&b=3&c=x+y#frag');
    assert.equal(prepareUrl('http://h/', [['k', 'v'], ['k', 'w']]), 'http://h/?k=v&k=w');
    assert.equal(prepareUrl('http://h/', 'raw=1&x'), 'http://h/?raw=1&x');
  });

  test('CR, LF or tab inside a URL → InvalidURL (WHATWG would drop them silently)', () => {
    assert.throws(() => prepareUrl('http://h/a\r\nX-Injected: 1'), (e: unknown) => e instanceof InvalidURL && /control character.*position 10/.test(e.message));
    assert.throws(() => prepareUrl('http://h/a\tb'), InvalidURL);
    assert.equal(prepareUrl('  http://h/a\n'), 'http://h/a', 'surrounding whitespace is trimmed');
  });

  test('non-http schemes are left for the adapter lookup', () => {
    assert.equal(prepareUrl('ftp://files.example/x'), 'ftp://files.example/x');
    assert.equal(prepareUrl('mailto:a@b.c'), 'mailto:a@b.c');
  });

  test('form encoding is Python quote_plus', () => {
    assert.equal(encodeParams({ 'a b': "it's (fine)*!~" }), "a+b=it%27s+%28fine%29%2A%21~");
  });
});

describe('header validation', () => {
  test('CR/LF, leading whitespace and non-strings are InvalidHeader naming the header', () => {
    assert.throws(
      () => checkHeaderValidity('Authorization', 'Bearer s3cret\r\nInjected: 1'),
      (e: unknown) => e instanceof InvalidHeader && /header 'Authorization'.*line break \(CR\) at position 13/.test(e.message) && !e.message.includes('s3cret'),
      'names the header and the problem, never the (possibly secret) value',
    );
    assert.throws(() => checkHeaderValidity('X-A', ' leading'), InvalidHeader);
    assert.throws(() => checkHeaderValidity('X-A', 5), (e: unknown) => e instanceof InvalidHeader && /must be a string, not number/.test(e.message));
    assert.throws(() => checkHeaderValidity(' X', 'v'), InvalidHeader);
    assert.throws(() => checkHeaderValidity('X:Y', 'v'), InvalidHeader);
    assert.doesNotThrow(() => checkHeaderValidity('X-Empty', ''));
    assert.doesNotThrow(() => checkHeaderValidity('X-A', 'trailing ok '));
  });
});

describe('encodings', () => {
  test('charset from headers; text/* defaults to ISO-8859-1, JSON to utf-8', () => {
    assert.equal(getEncodingFromHeaders(new CaseInsensitiveDict({ 'Content-Type': 'text/html; charset="UTF-8"' })), 'UTF-8');
    assert.equal(getEncodingFromHeaders(new CaseInsensitiveDict({ 'Content-Type': 'text/plain' })), 'ISO-8859-1');
    assert.equal(getEncodingFromHeaders(new CaseInsensitiveDict({ 'Content-Type': 'application/json' })), 'utf-8');
    assert.equal(getEncodingFromHeaders(new CaseInsensitiveDict({ 'Content-Type': 'image/png' })), undefined);
    assert.equal(getEncodingFromHeaders(new CaseInsensitiveDict()), undefined);
  });

  test('charsets declared in documents', () => {
    assert.deepEqual(getEncodingsFromContent('<meta charset="utf-8">'), ['utf-8']);
    assert.deepEqual(getEncodingsFromContent('<meta http-equiv="Content-type" content="text/html;charset=ISO-8859-1">'), ['ISO-8859-1']);
    assert.deepEqual(getEncodingsFromContent('<?xml version="1.0" encoding="UTF-8"?>'), ['UTF-8']);
  });

  test('guessEncoding: BOM, ascii, utf-8, else windows-1252', () => {
    assert.equal(guessEncoding(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])), 'utf-8');
    assert.equal(guessEncoding(Buffer.from('plain')), 'ascii');
    assert.equal(guessEncoding(Buffer.from('héllo')), 'utf-8');
    assert.equal(guessEncoding(Buffer.from('héllo', 'latin1')), 'windows-1252');
  });
});

test('parseHeaderLinks', () => {
  assert.deepEqual(parseHeaderLinks('<http://.../front.jpeg>; rel=front; type="image/jpeg",<http://.../back.jpeg>; rel=back'), [
    { url: 'http://.../front.jpeg', rel: 'front', type: 'image/jpeg' },
    { url: 'http://.../back.jpeg', rel: 'back' },
  ]);
  assert.deepEqual(parseHeaderLinks(''), []);
});

describe('proxies', () => {
  test('selectProxy: scheme://host, scheme, all://host, all — most specific first', () => {
    const proxies = { 'http://a.example': 'p1', http: 'p2', 'all://b.example': 'p3', all: 'p4' };
    assert.equal(selectProxy('http://a.example/x', proxies), 'p1');
    assert.equal(selectProxy('http://c.example/x', proxies), 'p2');
    assert.equal(selectProxy('https://b.example/x', proxies), 'p3');
    assert.equal(selectProxy('https://c.example/x', proxies), 'p4');
    assert.equal(selectProxy('https://c.example/x', {}), undefined);
    assert.equal(selectProxy('https://c.example/x', null), undefined);
  });

  test('environment: both cases, lower case wins; ALL_PROXY', () => {
    const env = { HTTP_PROXY: 'http://upper:1', http_proxy: 'http://lower:1', HTTPS_PROXY: 'http://secure:2', ALL_PROXY: 'http://all:3' };
    assert.deepEqual(getEnvironProxies('http://x.example/', undefined, env), { http: 'http://lower:1', https: 'http://secure:2', all: 'http://all:3' });
  });

  test('NO_PROXY: hosts on domain boundaries, wildcards, ports, IPs, CIDR (v4 and v6)', () => {
    const env = { NO_PROXY: 'example.com, .internal, *.corp, only.port:8080, 10.0.0.0/8, 192.168.1.5, ::1, fd00::/8' };
    const bypass = (url: string) => shouldBypassProxies(url, undefined, env);
    assert.equal(bypass('http://example.com/'), true);
    assert.equal(bypass('http://api.example.com/'), true);
    assert.equal(bypass('http://notexample.com/'), false, 'no partial-label match');
    assert.equal(bypass('http://svc.internal/'), true);
    assert.equal(bypass('http://internal/'), true);
    assert.equal(bypass('http://x.corp/'), true);
    assert.equal(bypass('http://only.port:8080/'), true);
    assert.equal(bypass('http://only.port:9090/'), false);
    assert.equal(bypass('http://10.20.30.40/'), true);
    assert.equal(bypass('http://11.0.0.1/'), false);
    assert.equal(bypass('http://192.168.1.5:8000/'), true);
    assert.equal(bypass('http://192.168.1.6/'), false);
    assert.equal(bypass('http://[::1]:8080/'), true);
    assert.equal(bypass('http://[fd00::1]/'), true);
    assert.equal(bypass('http://[fe80::1]/'), false);
    assert.equal(shouldBypassProxies('http://anything/', '*', {}), true);
    assert.equal(shouldBypassProxies('http://anything/', undefined, { no_proxy: 'anything' }), true);
    assert.deepEqual(getEnvironProxies('http://api.example.com/', undefined, { ...env, HTTP_PROXY: 'http://p:1' }), {});
  });

  test('an explicit noProxy argument wins over the environment', () => {
    assert.equal(shouldBypassProxies('http://a.example/', 'b.example', { NO_PROXY: 'a.example' }), false);
  });
});
