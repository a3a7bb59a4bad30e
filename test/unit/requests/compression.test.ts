import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { decodeBody, decodeStream, parseContentEncoding } from '../../../core/requests/compression.ts';
import { ContentDecodingError } from '../../../core/requests/exceptions.ts';

test('parseContentEncoding: known layers in header order; identity dropped; any unknown layer means leave it alone', () => {
  assert.deepEqual(parseContentEncoding('gzip'), ['gzip']);
  assert.deepEqual(parseContentEncoding(' GZIP , br '), ['gzip', 'br']);
  assert.deepEqual(parseContentEncoding('identity'), []);
  assert.deepEqual(parseContentEncoding('gzip, compress'), []);
  assert.deepEqual(parseContentEncoding(undefined), []);
});

test('stacked codings are undone in reverse order, buffered and streamed', async () => {
  const text = 'stacked '.repeat(1000);
  // "Content-Encoding: gzip, br": gzip was applied first, then br.
  const wire = zlib.brotliCompressSync(zlib.gzipSync(text));
  assert.equal(Buffer.from(decodeBody(wire, ['gzip', 'br'])).toString(), text);
  const chunks: Buffer[] = [];
  for await (const c of decodeStream(Readable.from([wire.subarray(0, 10), wire.subarray(10)]), ['gzip', 'br'])) chunks.push(c as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), text);
});

test('empty bodies stay empty; broken data names the coding', () => {
  assert.equal(decodeBody(new Uint8Array(0), ['gzip']).length, 0);
  assert.throws(() => decodeBody(Buffer.from('nope'), ['gzip'], ' (from h:1)'), (e: unknown) => e instanceof ContentDecodingError && /content-encoding: gzip.*\(from h:1\)/.test(e.message));
});

test('a truncated gzip stream yields what it has instead of failing (as browsers do)', () => {
  const full = zlib.gzipSync('a'.repeat(5000));
  const out = decodeBody(full.subarray(0, full.length - 8), ['gzip']);
  assert.equal(Buffer.from(out).toString(), 'a'.repeat(5000));
});
