// A variable holding CR/LF must not split a header or the request line: the error names the
// variable and where it was used, and nothing reaches the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseHttpFile } from '../../../core/language/parser.ts';
import { resolveRequest } from '../../../core/language/resolver.ts';
import { VariableError } from '../../../core/language/variables.ts';
import { Runner } from '../../../core/language/runner.ts';

async function resolveWith(text: string, variables: Record<string, string>, environment: Record<string, string> = {}) {
  const file = parseHttpFile(text, { uri: '/w/api.http' });
  return resolveRequest(file, file.requests[0]!, { filePath: '/w/api.http', overrides: variables, environment });
}

test('a header value variable with LF: the error names {{token}}, the header and file:line:col', async () => {
  const text = 'GET http://127.0.0.1/x\nAuthorization: Bearer {{token}}\n';
  await assert.rejects(resolveWith(text, { token: 'abc\nX-Evil: 1' }), (error: unknown) => {
    assert.ok(error instanceof VariableError);
    assert.equal(error.message, '/w/api.http:2:23: {{token}} contains a line break (LF) and cannot be used in header "Authorization"; the request was not sent');
    assert.equal(error.variable, 'token');
    return true;
  });
});

test('CR LF in the URL, in a header name, and through an environment value are all caught at the use site', async () => {
  await assert.rejects(resolveWith('GET http://127.0.0.1/{{path}}\n', { path: 'a\r\nHost: evil' }), /api\.http:1:22: \{\{path\}\} contains a line break \(CR LF\) and cannot be used in the request line \(URL\)/);
  await assert.rejects(resolveWith('GET http://127.0.0.1/\nX-{{h}}: 1\n', { h: 'a\rb' }), /api\.http:2:3: \{\{h\}\} contains a line break \(CR\) and cannot be used in the name of header "X-\{\{h\}\}"/);
  // `{{host}}` is fine itself; its value pulls in {{bad}} from the environment: the use site names {{auth}}.
  await assert.rejects(resolveWith('GET http://127.0.0.1/\nX-A: {{auth}}\n', {}, { auth: 'k {{bad}}', bad: '1\n2' }), /api\.http:2:6: \{\{auth\}\} contains a line break/);
});

test('line breaks stay allowed where they are harmless: the body, and percent-encoded {{%name}}', async () => {
  const spec = await resolveWith('POST http://127.0.0.1/?q={{%note}}\nContent-Type: text/plain\n\n{{note}}\n', { note: 'a\nb' });
  assert.equal(spec.url, 'http://127.0.0.1/?q=a%0Ab');
  assert.deepEqual(spec.body, { kind: 'text', text: 'a\nb' });
});

test('the runner sends nothing and reports the variable', async () => {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const runner = new Runner({ variables: { token: 'abc\r\nX-Injected: yes' } });
  try {
    const [exchange] = await runner.runFile({
      path: '/tmp/ricochet-line-breaks.http',
      text: `GET http://127.0.0.1:${port}/a\nX-Token: {{token}}\n\n###\nGET http://127.0.0.1:${port}/b\n`,
    });
    assert.match(exchange?.error?.message ?? '', /ricochet-line-breaks\.http:2:10: \{\{token\}\} contains a line break \(CR LF\)/);
    assert.equal(exchange?.hops[0]?.response, undefined);
    assert.equal(hits, 1, 'only the second request reached the server');
  } finally {
    await runner.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('in a curl command a line break is allowed inside the data only; elsewhere the error names the variable', async () => {
  const resolveCurl = (text: string, v: string) => resolveWith(text, { v });
  // Unquoted, the line break would end the URL and turn "-k" into an option (TLS verification off).
  await assert.rejects(
    resolveCurl('curl http://127.0.0.1/x{{v}}\n', 'a\n-k'),
    /api\.http:1:24: \{\{v\}\} contains a line break and is used outside the data of the curl command; the request was not sent/,
  );
  await assert.rejects(resolveCurl('curl -H "X-T: {{v}}" http://127.0.0.1/\n', 'a\r\nX-Evil: 1'), /api\.http:1:15: \{\{v\}\} contains a line break, which breaks the curl command/);
  const spec = await resolveCurl("curl -d '{\"note\": \"{{v}}\"}' http://127.0.0.1/\n", 'two\nlines');
  assert.deepEqual(spec.body, { kind: 'text', text: '{"note": "two\nlines"}' });
});
