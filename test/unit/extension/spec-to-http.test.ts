import { test } from 'node:test';
import assert from 'node:assert/strict';
import { specToHttp } from '../../../extension/spec-to-http.ts';
import { parseHttpFile } from '../../../core/language/parser.ts';
import { parseCurl } from '../../../core/language/curl.ts';
import { resolveRequest } from '../../../core/language/resolver.ts';

test('a pasted curl command becomes a request block the parser reads back the same', () => {
  const spec = parseCurl(`curl -X PUT 'http://127.0.0.1:8080/items/1' -H 'Accept: application/json' -H 'Content-Type: application/json' --data-raw '{"a":1}'`);
  const text = specToHttp(spec);
  // curl follows no redirects without -L, so the block says so.
  assert.equal(text, '# @no-redirect\nPUT http://127.0.0.1:8080/items/1\nAccept: application/json\nContent-Type: application/json\n\n{"a":1}\n');
  const [request] = parseHttpFile(text).requests;
  assert.equal(request?.method, 'PUT');
  assert.equal(request?.url.text, 'http://127.0.0.1:8080/items/1');
  assert.deepEqual(request?.headers.map((h) => h.name), ['Accept', 'Content-Type']);
});

test('-u, -k, no -L and form fields become header, metadata and & lines', () => {
  const text = specToHttp({
    method: 'POST', url: 'http://h/login', headers: [], auth: ['ann', 'p w'], verify: false, followRedirects: false,
    body: { kind: 'form', fields: [['user', 'ann'], ['q', 'a b&c']] },
  });
  assert.equal(text, [
    '# @no-redirect', '# @no-reject-unauthorized', 'POST http://h/login',
    `Authorization: Basic ${Buffer.from('ann:p w').toString('base64')}`,
    'Content-Type: application/x-www-form-urlencoded', '', 'user=ann', '&q=a+b%26c', '',
  ].join('\n'));
});

test('multipart file parts are written as "< path" parts', () => {
  const text = specToHttp({ method: 'POST', url: 'http://h/up', headers: [['Content-Type', 'multipart/form-data']],
    body: { kind: 'multipart', parts: [{ name: 'note', value: 'hi' }, { name: 'f', path: '/tmp/a.png', contentType: 'image/png' }] } });
  assert.match(text, /Content-Type: multipart\/form-data; boundary=RicochetFormBoundary\n\n--RicochetFormBoundary\nContent-Disposition: form-data; name="note"\n\nhi\n/);
  assert.match(text, /name="f"; filename="a.png"\nContent-Type: image\/png\n\n< \/tmp\/a.png\n--RicochetFormBoundary--\n$/);
  assert.equal(text.match(/Content-Type: multipart/g)?.length, 1, 'the boundary-less Content-Type is replaced');
});

test('curl --digest becomes REST Client\'s "Digest user pass" line, which resolves back to Digest auth', async () => {
  const text = specToHttp(parseCurl(`curl -L --digest -u 'bob:s3cret pass' http://127.0.0.1:8080/digest`));
  assert.equal(text, 'GET http://127.0.0.1:8080/digest\nAuthorization: Digest bob s3cret pass\n');
  const file = parseHttpFile(text);
  const spec = await resolveRequest(file, file.requests[0]!);
  assert.deepEqual(spec.digestAuth, ['bob', 's3cret pass']);
  assert.ok(!spec.headers.some(([name]) => name.toLowerCase() === 'authorization'), 'the shorthand is not sent literally');
});
