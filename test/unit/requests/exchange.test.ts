import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exchangeFromJSON, exchangeToJSON, type Exchange } from '../../../core/requests/exchange.ts';

const timings = { dns: 0, connect: 0, tls: 0, ttfb: 0, download: 0, total: 0 };

test('exchangeToJSON/FromJSON round-trip body bytes, Node Buffers included', () => {
  const exchange: Exchange = {
    id: 'a',
    startedAt: new Date(0).toISOString(),
    hops: [{ request: { method: 'POST', url: 'http://h/', headers: [], body: { bytes: Buffer.from('req-body'), size: 8, truncated: false } }, timings, cookiesSent: [], cookiesSet: [] }],
    body: { bytes: new Uint8Array([0, 255, 10]), size: 3, truncated: false, wireSize: 3, contentEncoding: [] },
    tests: [],
    notices: [],
  };
  const json = JSON.stringify(exchangeToJSON(exchange));
  assert.ok(!json.includes('"type":"Buffer"'), 'a Buffer is not stored as a list of numbers');
  const back = exchangeFromJSON(JSON.parse(json));
  assert.deepEqual([...back.body!.bytes], [0, 255, 10]);
  assert.equal(new TextDecoder().decode(back.hops[0]!.request.body!.bytes), 'req-body');
});

test('exchangeFromJSON refuses data that is not an Exchange, saying what is missing', () => {
  assert.throws(() => exchangeFromJSON({ id: 'x', hops: [] }), /at least one hop/);
  assert.throws(() => exchangeFromJSON(null), /not an Exchange/);
});
