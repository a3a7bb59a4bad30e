import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replayPlan, replayText } from '../../../extension/replay.ts';
import { REDACTED } from '../../../extension/history.ts';
import { parseHttpFile } from '../../../core/language/parser.ts';
import type { Exchange } from '../../../core/requests/exchange.ts';

const recorded: Exchange = {
  id: 'r', startedAt: '2026-01-01T00:00:00Z', tests: [], notices: [],
  hops: [{
    request: {
      method: 'POST', url: 'http://127.0.0.1:1/items',
      headers: [['Host', '127.0.0.1:1'], ['Content-Length', '9'], ['Authorization', `Bearer ${REDACTED}`], ['Cookie', `a=${REDACTED}`], ['X-Trace', '7']],
      body: { bytes: new TextEncoder().encode('{"t":"{{x}}"}'), size: 13, truncated: false },
    },
    timings: { dns: 0, connect: 0, tls: 0, ttfb: 0, download: 0, total: 1 }, cookiesSent: [], cookiesSet: [],
  }],
};

test('replay resends method, URL, body and real headers; redacted and per-hop headers are left out and named', () => {
  const plan = replayPlan(recorded);
  assert.deepEqual(plan.spec.headers, [['X-Trace', '7']]);
  assert.deepEqual(plan.dropped, ['Authorization']);
  const [request] = parseHttpFile(replayText(plan)).requests;
  assert.equal(request?.method, 'POST');
  assert.equal(request?.url.text, 'http://127.0.0.1:1/items');
  assert.deepEqual(request?.variableReferences, [], 'recorded "{{" is data, not a variable');
});
