// The panel's pure helpers: what a user reads in the summary line and the Body tab's views.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bodyKind, cssColorToHex, decodeText, diffHeaders, formatBytes, formatMs, headerValue, hexDump, looksBinary, parseForm, parseMultipart,
  prettyJson, prettyXml, reindentJson, statusClass,
} from '../../../webview/format.ts';

const enc = new TextEncoder();

test('sizes and durations read like VS Code shows them', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(50 * 1024 * 1024), '50 MB');
  assert.equal(formatBytes(-1), '?');
  assert.equal(formatMs(0.5), '0.50 ms');
  assert.equal(formatMs(42.4), '42 ms');
  assert.equal(formatMs(1530), '1.53 s');
});

test('status classes colour 1xx–5xx and a missing response', () => {
  assert.deepEqual([101, 204, 302, 404, 503, undefined].map(statusClass), ['info', 'success', 'redirect', 'client-error', 'server-error', 'none']);
});

test('body kind follows Content-Type and sniffs when it is missing', () => {
  const b = (s: string) => enc.encode(s);
  assert.equal(bodyKind('application/problem+json; charset=utf-8', b('{}')), 'json');
  assert.equal(bodyKind('image/svg+xml', b('<svg/>')), 'xml');
  assert.equal(bodyKind('image/png', new Uint8Array([0x89, 0x50])), 'image');
  assert.equal(bodyKind('text/html', b('<p>')), 'html');
  assert.equal(bodyKind('application/x-www-form-urlencoded', b('a=1')), 'form');
  assert.equal(bodyKind('multipart/form-data; boundary=x', b('--x')), 'multipart');
  assert.equal(bodyKind(undefined, b('  [1,2]')), 'json');
  assert.equal(bodyKind(undefined, b('<!DOCTYPE html><html>')), 'html');
  assert.equal(bodyKind('application/octet-stream', new Uint8Array([1, 0, 2])), 'binary');
  assert.equal(bodyKind('application/octet-stream', b('plain words')), 'text');
  assert.equal(bodyKind('text/plain', new Uint8Array()), 'empty');
  assert.equal(looksBinary(b('hello\nworld\t!')), false);
});

test('text decodes with the response charset, unknown labels fall back to UTF-8', () => {
  assert.deepEqual(decodeText(new Uint8Array([0x63, 0x61, 0x66, 0xe9]), 'ISO-8859-1'), { text: 'café', charset: 'iso-8859-1' });
  assert.equal(decodeText(enc.encode('ok'), 'no-such-charset').charset, 'utf-8');
});

test('pretty JSON and XML; broken JSON stays raw', () => {
  assert.equal(prettyJson('{"a":[1,2]}'), '{\n  "a": [\n    1,\n    2\n  ]\n}');
  assert.equal(prettyJson('{"a":'), undefined);
  assert.equal(prettyXml('<a><b>t</b><c/></a>'), '<a>\n  <b>t</b>\n  <c/>\n</a>');
});

test('a JSON body cut mid-way still re-indents, strings untouched; whole JSON matches JSON.stringify', () => {
  const whole = JSON.stringify({ a: [1, { b: 'x, y: {z}', c: [] }], d: {}, e: 'q\\"[' });
  assert.equal(reindentJson(whole), JSON.stringify(JSON.parse(whole), null, 2));
  assert.equal(reindentJson('[{"id":1,"s":"a,b"},{"id":2,"s'), '[\n  {\n    "id": 1,\n    "s": "a,b"\n  },\n  {\n    "id": 2,\n    "s');
});

test('hex dump: offset, 16 bytes, printable ASCII; long bodies cut at the limit', () => {
  const bytes = enc.encode('Hello, hex view!\x00\x01');
  assert.deepEqual(hexDump(bytes).split('\n'), [
    '00000000  48 65 6c 6c 6f 2c 20 68  65 78 20 76 69 65 77 21  |Hello, hex view!|',
    '00000010  00 01                                             |..|',
  ]);
  assert.equal(hexDump(new Uint8Array(1000), 64).split('\n').length, 4);
});

test('form bodies become ordered name/value pairs with duplicates kept', () => {
  assert.deepEqual(parseForm('a=1&b=x+y&a=%3C2%3E'), [['a', '1'], ['b', 'x y'], ['a', '<2>']]);
});

test('multipart parts: names, filenames, types and exact body bytes', () => {
  const body = enc.encode('--B\r\nContent-Disposition: form-data; name="t"\r\n\r\nhi\r\n--B\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\r\n--B--\r\n');
  const parts = parseMultipart(body, 'multipart/form-data; boundary="B"');
  assert.equal(parts.length, 2);
  assert.equal(parts[0]!.name, 't');
  assert.equal(new TextDecoder().decode(parts[0]!.body), 'hi');
  assert.equal(parts[1]!.filename, 'a.bin');
  assert.equal(parts[1]!.contentType, 'application/octet-stream');
  assert.deepEqual([...parts[1]!.body], [0, 1]);
  assert.deepEqual(parseMultipart(body, 'multipart/form-data'), [], 'no boundary, no parts');
});

test('header comparison lists only what differs, case-insensitively', () => {
  assert.deepEqual(diffHeaders([['Content-Type', 'a'], ['X-Id', '1'], ['Same', 's']], [['content-type', 'a'], ['x-id', '2'], ['Same', 's'], ['New', 'n']]),
    [{ name: 'new', b: 'n' }, { name: 'x-id', a: '1', b: '2' }]);
  assert.equal(headerValue([['Location', '/x']], 'location'), '/x');
});

test('theme colours convert to the hex Monaco needs', () => {
  assert.equal(cssColorToHex(' #1f1f1f'), '#1f1f1f');
  assert.equal(cssColorToHex('#abc'), '#aabbcc');
  assert.equal(cssColorToHex('rgba(255, 0, 0, 0.5)'), '#ff000080');
  assert.equal(cssColorToHex('rgb(0 128 255)'), '#0080ff');
  assert.equal(cssColorToHex('var(--x)'), undefined);
});
