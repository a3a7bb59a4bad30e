import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyText, describeError, exchangeAsText, logLines, summaryLine } from '../../../extension/describe.ts';
import type { Exchange } from '../../../core/requests/exchange.ts';

const enc = new TextEncoder();
function ex(partial: Partial<Exchange> & { status?: number }): Exchange {
  const { status, ...rest } = partial;
  return {
    id: '1', startedAt: '2026-01-01T00:00:00Z', tests: [], notices: [],
    hops: [{ request: { method: 'GET', url: 'https://127.0.0.1:8443/x', headers: [] },
      ...(status ? { response: { statusCode: status, reason: 'OK', httpVersion: '1.1', headers: [['Content-Type', 'application/json']] } } : {}),
      timings: { dns: 0, connect: 0, tls: 0, ttfb: 0, download: 0, total: 12 }, cookiesSent: [], cookiesSet: [] }],
    source: { file: '/w/a.http', line: 4 },
    ...rest,
  };
}

test('summary shows status, time, size and tests', () => {
  const e = ex({ status: 200, body: { bytes: enc.encode('{}'), size: 2048, truncated: false, wireSize: 2048, contentEncoding: [] },
    tests: [{ name: 'status', passed: true }, { name: 'body', passed: false }] });
  assert.equal(summaryLine(e), '200 OK · 12 ms · 2.0 KB · 1/2 tests failed');
});

test('an expired certificate says what happened, where, and what to do', () => {
  const msg = describeError(ex({ error: { name: 'SSLError', message: 'certificate has expired' } }));
  assert.equal(msg, 'TLS: certificate has expired for 127.0.0.1:8443 (line 5) — set ricochet.verify or add the CA with ricochet.caBundle.');
});

test('refused connections, timeouts and cancellation get their own advice', () => {
  assert.match(describeError(ex({ error: { name: 'ConnectionError', message: 'connect ECONNREFUSED 127.0.0.1:8443' } }))!, /^Connection refused by 127\.0\.0\.1:8443 \(line 5\) — is the server running/);
  assert.match(describeError(ex({ error: { name: 'ReadTimeout', message: 'read timed out' } }))!, /raise ricochet\.timeout/);
  assert.equal(describeError(ex({ error: { name: 'AbortError', message: 'This operation was aborted' } })), 'Request cancelled (line 5).');
  assert.equal(describeError(ex({ status: 200 })), undefined);
});

test('the response editor text is an HTTP message with pretty JSON', () => {
  const e = ex({ status: 200, body: { bytes: enc.encode('{"a":[1]}'), size: 9, truncated: false, wireSize: 9, contentEncoding: [], contentType: 'application/json' } });
  assert.equal(bodyText(e), '{\n  "a": [\n    1\n  ]\n}');
  assert.equal(exchangeAsText(e), 'HTTP/1.1 200 OK\nContent-Type: application/json\n\n{\n  "a": [\n    1\n  ]\n}');
});

test('a variable refused in Restricted Mode says why and what to do', () => {
  const msg = describeError(ex({ error: { name: 'VariableError', message: '/w/a.http:1:37: {{$processEnv HOME}}: reading the process environment variables is not allowed in restricted mode (untrusted workspace)' } }));
  assert.match(msg!, /^a\.http:1:37: \{\{\$processEnv HOME\}\}.*Restricted Mode.*trust the folder/);
});

test('output channel lines show what was sent, with credentials masked', () => {
  const e = ex({ status: 200 });
  e.hops[0]!.request.headers = [['Authorization', 'Bearer tok-123456'], ['Cookie', 'sid=abcdef'], ['Accept', '*/*']];
  const log = logLines(e).join('\n');
  assert.match(log, /→ GET https:\/\/127\.0\.0\.1:8443\/x/);
  assert.match(log, /Authorization: Bearer ••••••/);
  assert.match(log, /Accept: \*\/\*/);
  assert.ok(!log.includes('tok-123456') && !log.includes('abcdef'));
});

test('a variable error names the file, not its whole folder path', () => {
  const msg = describeError(ex({ error: { name: 'VariableError', message: '/w/a.http:5:5: {{bse}} is not defined: not a file variable (@bse = …), not in environment "prod"' } }));
  assert.equal(msg, 'a.http:5:5: {{bse}} is not defined: not a file variable (@bse = …), not in environment "prod".');
});

test('a self-signed certificate is called that, not just "self-signed"', () => {
  const msg = describeError(ex({ error: { name: 'SSLError', message: '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate connecting to 127.0.0.1:8443 (DEPTH_ZERO_SELF_SIGNED_CERT)' } }));
  assert.equal(msg, 'TLS: self-signed certificate for 127.0.0.1:8443 (line 5) — set ricochet.verify or add the CA with ricochet.caBundle.');
});
