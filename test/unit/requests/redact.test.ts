import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Exchange } from '../../../core/requests/exchange.ts';
import { REDACTED, credentialValues, redactExchange, redactHeaders } from '../../../core/requests/redact.ts';

const timings = { dns: 0, connect: 0, tls: 0, ttfb: 1, download: 1, total: 2 };

function echoExchange(): Exchange {
  const echoed = JSON.stringify({ headers: { Authorization: 'Bearer tok-123456', Cookie: 'sid=cookie-abcdef' } });
  return {
    id: 'x',
    startedAt: new Date(0).toISOString(),
    hops: [
      {
        request: {
          method: 'GET',
          url: 'http://127.0.0.1/anything',
          headers: [['Authorization', 'Bearer tok-123456'], ['Cookie', 'sid=cookie-abcdef'], ['Accept', '*/*']],
        },
        response: { statusCode: 200, reason: 'OK', httpVersion: '1.1', headers: [['Set-Cookie', 'next=set-value-99; Path=/; HttpOnly']] },
        timings,
        cookiesSent: [{ name: 'sid', value: 'cookie-abcdef' }],
        cookiesSet: [{ name: 'next', value: 'set-value-99', path: '/', httpOnly: true }],
      },
    ],
    body: { bytes: new TextEncoder().encode(echoed), size: echoed.length, truncated: false, wireSize: -1, contentEncoding: [] },
    tests: [],
    notices: [],
  };
}

test('credential headers keep their scheme and cookie names, lose their values', () => {
  assert.deepEqual(
    redactHeaders([
      ['Authorization', 'Bearer abc'],
      ['Proxy-Authorization', 'Basic dXNlcjpwYXNz'],
      ['Cookie', 'a=1; b=2'],
      ['Set-Cookie', 'sid=xyz; Path=/; Secure'],
      ['Accept', 'application/json'],
    ]),
    [
      ['Authorization', `Bearer ${REDACTED}`],
      ['Proxy-Authorization', `Basic ${REDACTED}`],
      ['Cookie', `a=${REDACTED}; b=${REDACTED}`],
      ['Set-Cookie', `sid=${REDACTED}; Path=/; Secure`],
      ['Accept', 'application/json'],
    ],
  );
});

test('values a server echoes into the body are scrubbed too, the original is untouched', () => {
  const exchange = echoExchange();
  assert.deepEqual(credentialValues(exchange).sort(), ['cookie-abcdef', 'set-value-99', 'tok-123456']);
  const safe = redactExchange(exchange, { secrets: ['127.0.0.1/anything'] });
  const text = new TextDecoder().decode(safe.body!.bytes);
  for (const leaked of ['tok-123456', 'cookie-abcdef']) assert.ok(!text.includes(leaked), `${leaked} in body`);
  assert.ok(!JSON.stringify(safe.hops).includes('set-value-99'));
  assert.equal(safe.hops[0]!.request.url, `http://${REDACTED}`, 'declared secrets are scrubbed from strings');
  assert.equal(safe.hops[0]!.request.headers[2]![1], '*/*');
  assert.ok(new TextDecoder().decode(exchange.body!.bytes).includes('tok-123456'), 'input not mutated');
});
