import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHar } from '../../../core/language/har.ts';
import { harProblems } from './har-check.ts';
import { makeExchange } from './make-exchange.ts';

test('every hop is an entry; redirects, timings and bodies mapped', () => {
  const e = makeExchange({
    url: 'http://127.0.0.1:1/get?a=1&b=two',
    redirects: [{ url: 'http://127.0.0.1:1/redirect/1', status: 302, location: '/get?a=1&b=two' }],
    headers: [['Content-Type', 'application/json'], ['Content-Length', '9']],
    body: '{"ok":true}',
    total: 20,
    name: 'login',
    file: 'api.http',
    line: 3,
  });
  const har = toHar([e], { name: 'ricochet', version: '1.2.3' });
  assert.deepEqual(harProblems(har), []);
  assert.equal(har.log.version, '1.2');
  assert.deepEqual(har.log.creator, { name: 'ricochet', version: '1.2.3' });
  const [hop1, hop2] = har.log.entries;
  assert.equal(har.log.entries.length, 2);
  assert.equal(hop1!.response.status, 302);
  assert.equal(hop1!.response.redirectURL, '/get?a=1&b=two');
  assert.equal(hop2!.request.url, 'http://127.0.0.1:1/get?a=1&b=two');
  assert.deepEqual(hop2!.request.queryString, [{ name: 'a', value: '1' }, { name: 'b', value: 'two' }]);
  assert.equal(hop2!.response.content.text, '{"ok":true}');
  assert.equal(hop2!.response.content.mimeType, 'application/json');
  assert.equal(hop2!.timings.wait, 16);
  assert.equal(hop2!.timings.dns, 1);
  assert.equal(hop2!.time, 20);
  assert.equal(Date.parse(hop2!.startedDateTime) - Date.parse(hop1!.startedDateTime), 5, 'second hop starts when the first ended');
  assert.equal(hop2!.comment, 'login · api.http:4 · hop 2 of 2');
  assert.equal(hop2!.serverIPAddress, '127.0.0.1');
});

test('binary bodies are base64, form posts list their params', () => {
  const png = makeExchange({
    method: 'POST',
    requestHeaders: [['Content-Type', 'application/x-www-form-urlencoded']],
    requestBody: 'a=1&b=x+y',
    contentType: 'image/png',
    body: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0xff]),
  });
  const [entry] = toHar([png]).log.entries;
  assert.equal(entry!.response.content.encoding, 'base64');
  assert.equal(Buffer.from(entry!.response.content.text!, 'base64').toString('hex'), '89504e47ff');
  assert.deepEqual(entry!.request.postData!.params, [{ name: 'a', value: '1' }, { name: 'b', value: 'x y' }]);
  assert.equal(entry!.request.bodySize, 9);
});

test('a failed request is still a valid entry carrying the error', () => {
  const har = toHar([makeExchange({ error: { name: 'ConnectionError', message: 'ECONNREFUSED 127.0.0.1:9' } })]);
  assert.deepEqual(harProblems(har), []);
  const r = har.log.entries[0]!.response;
  assert.equal(r.status, 0);
  assert.equal(r._error, 'ConnectionError: ECONNREFUSED 127.0.0.1:9');
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(har)));
});
