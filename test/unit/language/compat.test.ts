// Compatibility sweep: .http files written the way REST Client and JetBrains users write them
// (test/fixtures/http/compat/) parse without errors and send what those tools would send.
// Each file runs through the Runner against a local echo server that records every request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpSync, mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHttpFile } from '../../../core/language/parser.ts';
import { resolveRequest } from '../../../core/language/resolver.ts';
import { Runner } from '../../../core/language/runner.ts';
import type { Exchange } from '../../../core/requests/exchange.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/http/compat');

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let origin: string;
let received: Received[] = [];
let dir: string;

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Request-Id', 'rid-1');
      res.end(JSON.stringify({ token: 'tok-1', refresh: 'ref-1' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A copy, so `>>!` response files land in a temp folder, not in the repo.
  dir = mkdtempSync(join(tmpdir(), 'ricochet-compat-'));
  cpSync(FIXTURES, dir, { recursive: true });
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function runFixture(name: string): Promise<{ exchanges: Exchange[]; sent: Received[] }> {
  received = [];
  const runner = new Runner({ envName: 'dev', workspaceRoot: dir, variables: { host: origin, apiHost: origin.slice('http://'.length) } });
  try {
    const exchanges = await runner.runFile({ path: join(dir, name) });
    return { exchanges, sent: received };
  } finally {
    await runner.close();
  }
}

function errorsOf(name: string): string[] {
  const file = parseHttpFile(readFileSync(join(FIXTURES, name), 'utf8'), { uri: name });
  return file.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.range.start.line + 1}: ${d.message}`);
}

test('the compat fixtures parse without error diagnostics', () => {
  for (const name of ['rest-client.http', 'jetbrains.http']) assert.deepEqual(errorsOf(name), [], name);
});

test('REST Client file: every request is sent as REST Client sends it', async () => {
  const { exchanges, sent } = await runFixture('rest-client.http');
  assert.deepEqual(exchanges.map((e) => e.error?.message), new Array(11).fill(undefined), 'no request failed');
  assert.equal(sent.length, 11);
  const [login, me, search, form, basic, basicColon, digest, system, graphql, multipart, fromFile] = sent as Received[] & { length: 11 };

  // 1: file variables nest ({{baseUrl}} → {{host}}), $dotenv, `### title ###`, HTTP/1.1 suffix.
  assert.equal(login.method, 'POST');
  assert.equal(login.url, '/api/login');
  assert.equal(login.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(login.body), { user: 'ada', password: 'from-dotenv' });
  assert.equal(exchanges[0]?.source?.name, 'login');

  // 2: `// @name`, JSONPath `$.token`, REST Client's relative path `body.refresh`, a response header.
  assert.equal(me.headers.authorization, 'Bearer tok-1');
  assert.equal(me.headers['x-refresh'], 'ref-1');
  assert.equal(me.headers['x-request-id'], 'rid-1');
  assert.equal(exchanges[1]?.source?.name, 'me');

  // 3: `?` / `&` continuation lines; a relative URL completed from Host.
  assert.equal(search.url, '/search?q=rest%20client&page=2');

  // 4: form fields on `&` lines joined without whitespace; {{%secret}} percent-encoded; what may
  // not stand in a URL is encoded as REST Client does by default, %25 written by hand is kept.
  assert.equal(form.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.equal(form.body, 'grant_type=password&username=ada&password=s3%20cret&scope=read%20write&note=50%25%20off,%20Z%C3%BCrich');

  // 5, 6: Basic shorthands are base64-encoded (the password may hold a space; after the first colon, more colons).
  assert.equal(basic.headers.authorization, `Basic ${Buffer.from('ada:s3 cret').toString('base64')}`);
  assert.equal(basicColon.headers.authorization, `Basic ${Buffer.from('ada:pa55:word').toString('base64')}`);

  // 7: Digest credentials never go on the wire as written; they answer a challenge (none here).
  assert.equal(digest.headers.authorization, undefined);

  // 8: system variables and metadata.
  const url = new URL(system.url, origin);
  const ts = Number(url.searchParams.get('ts'));
  assert.ok(Math.abs(ts - Date.now() / 1000) < 120, `$timestamp is now in seconds: ${ts}`);
  assert.ok(Math.abs(ts - 86_400 - Number(url.searchParams.get('yesterday'))) <= 1, '$timestamp -1 d is a day earlier');
  assert.match(String(system.headers['x-date']), /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  assert.equal(system.headers['x-home'], process.env.HOME);
  const event = JSON.parse(system.body) as Record<string, unknown>;
  assert.match(String(event.id), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(Number.isInteger(event.n) && (event.n as number) >= 5 && (event.n as number) < 10);
  assert.ok(Math.abs(Date.parse(String(event.when)) - Date.now() - 86_400_000) < 120_000, '$datetime iso8601 1 d is tomorrow');
  assert.match(String(event.day), /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(event.shared, 'hello');

  // 9: GraphQL: query + variables as one JSON body, operationName from the query; the
  // X-Request-Type marker stays in the editor.
  assert.equal(graphql.headers['x-request-type'], undefined);
  assert.equal(graphql.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(graphql.body), {
    query: 'query Book($id: ID!) {\n  book(id: $id) { title }\n}',
    operationName: 'Book',
    variables: { id: 'ada' },
  });

  // 10: multipart: a text part with variables and the `< ./notes.txt` file part with its bytes.
  const boundary = /boundary=(.+)$/.exec(String(multipart.headers['content-type']))?.[1] ?? '';
  assert.ok(boundary, 'multipart/form-data with a boundary');
  const parts = multipart.body.split(`--${boundary}`).slice(1, -1);
  assert.equal(parts.length, 2);
  assert.match(parts[0] as string, /name="title"\r\n\r\nNotes of ada\r\n$/);
  assert.match(parts[1] as string, /name="file"; filename="notes\.txt"\r\nContent-Type: text\/plain\r\n\r\nline one\nline two\n\r\n$/);

  // 11: `<@ file` substitutes variables in the file.
  assert.deepEqual(JSON.parse(fromFile.body), { owner: 'ada' });
});

test('JetBrains file: scripts, globals, dynamic variables, indented URL lines, multipart, HTTP/2, >>!', async () => {
  const { exchanges, sent } = await runFixture('jetbrains.http');
  assert.deepEqual(exchanges.map((e) => e.error?.message), new Array(8).fill(undefined), 'no request failed');
  const [token, items, search, upload, report, graphql, create, h2c] = sent as Received[] & { length: 8 };

  // Pre-request script variable, private env file value, $random.uuid / $random.integer(1, 10).
  assert.equal(token.headers['x-api-key'], 'private-key');
  const body = JSON.parse(token.body) as Record<string, unknown>;
  assert.equal(body.client, 'cli-7');
  assert.match(String(body.nonce), /^[0-9a-f-]{36}$/);
  assert.ok(Number.isInteger(body.n) && (body.n as number) >= 1 && (body.n as number) <= 10);

  // client.global.set in the response handler feeds the next request.
  assert.equal(items.headers.authorization, 'Bearer tok-1');
  const q = new URL(items.url, origin).searchParams;
  assert.ok(Math.abs(Date.parse(q.get('at') ?? '') - Date.now()) < 120_000, '$isoTimestamp');
  assert.match(q.get('ts') ?? '', /^\d{10}$/);
  assert.match(q.get('id') ?? '', /^[0-9a-f-]{36}$/);
  assert.match(q.get('code') ?? '', /^\w{8}$/);

  // Indented continuation lines make one URL.
  assert.match(search.url, /^\/api\/items\/search\?q=[A-Za-z]{5}&limit=10$/);

  // A text part with its own Content-Type: sent as written, boundary and all, like JetBrains does.
  assert.equal(upload.headers['content-type'], 'multipart/form-data; boundary=WebAppBoundary');
  const boundary = 'WebAppBoundary';
  assert.match(upload.body, new RegExp(`name="element-name"\\r\\nContent-Type: text/plain\\r\\n\\r\\nName\\r\\n--${boundary}`));
  assert.match(upload.body, /name="data"; filename="data\.json"\r\nContent-Type: application\/json\r\n\r\n\{"owner": "\{\{user\}\}"\}\n/, '`<` sends the file as is');

  assert.equal(report.url, '/report');
  assert.ok(existsSync(join(dir, 'report.csv')), '>>! wrote the response');

  // `GRAPHQL url` is a POST of {query, operationName, variables} as JSON.
  assert.equal(graphql.method, 'POST');
  assert.equal(graphql.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(graphql.body), {
    query: 'query Items($first: Int) {\n  items(first: $first) { id }\n}',
    operationName: 'Items',
    variables: { first: 3 },
  });

  // `# @name = create` names the request; a handler directly after the body is not body.
  assert.equal(exchanges[6]?.source?.name, 'create');
  const created = JSON.parse(create.body) as Record<string, string>;
  assert.match(created.name ?? '', /^[A-Za-z]{6}$/);
  assert.match(created.email ?? '', /^[a-z]+@[a-z]+\.com$/);
  assert.deepEqual(exchanges[6]?.tests?.map((t) => [t.name, t.passed]), [['created', true]]);

  // `HTTP/2 (Prior Knowledge)` is not part of the URL; the result says it was not honoured.
  assert.equal(h2c.url, '/h2c');
  assert.match(exchanges[7]?.notices?.join('\n') ?? '', /HTTP\/2 with prior knowledge is not supported/);
});

test('unsupported features: each names itself, and the request is not sent', async () => {
  const file = parseHttpFile(readFileSync(join(FIXTURES, 'unsupported.http'), 'utf8'), { uri: 'unsupported.http' });
  assert.deepEqual(
    file.diagnostics.map((d) => [d.range.start.line + 1, d.severity, d.message]),
    [
      [16, 'warning', '@no-auto-encoding is not supported: the URL is percent-encoded as usual (JetBrains sends it as written)'],
      [24, 'error', 'not supported: JetBrains WebSocket requests (WEBSOCKET); only HTTP requests are sent'],
      [27, 'error', `JetBrains' "run" (runs requests of this or another file) is not supported`],
    ],
  );
  const { exchanges, sent } = await runFixture('unsupported.http');
  const errors = exchanges.map((e) => e.error?.message ?? '');
  assert.match(errors[0] as string, /unsupported\.http:3:16: \{\{\$aadToken\}\}: REST Client's Azure Active Directory token is not supported/);
  assert.match(errors[1] as string, /unsupported\.http:7:16: REST Client's AWS Signature v4 auth .* is not supported/);
  assert.match(errors[2] as string, /unsupported\.http:13:11: \{\{\$random\.address\.city\}\}: JetBrains' generated test data .* is not supported/);
  assert.deepEqual(exchanges[3]?.notices, ['line 16: @no-auto-encoding is not supported: the URL is percent-encoded as usual (JetBrains sends it as written)']);
  assert.match(errors[4] as string, /unsupported\.http:21:23: \{\{\$auth\.token\}\}: JetBrains' OAuth 2\.0 token .* is not supported/);
  assert.match(errors[5] as string, /unsupported\.http:24:1: not supported: JetBrains WebSocket requests/);
  assert.match(errors[6] as string, /unsupported\.http:27:1: JetBrains' "run" .* is not supported/);
  assert.match(errors[7] as string, /unsupported\.http:33:3: \{\{\$projectRoot\}\}: JetBrains' project folder is not supported/);
  assert.deepEqual(sent.map((r) => r.url), ['/a%2Fb?q=x'], 'only the request with a mere warning was sent');
});

test('a request name written without its comment marker says how to write it', () => {
  const file = parseHttpFile('@name login\nPOST http://127.0.0.1/login\n', { uri: 'slip.http' });
  assert.deepEqual(
    file.diagnostics.map((d) => [d.range.start.line, d.severity, d.message]),
    [[0, 'error', 'to name the request write "# @name login"; a variable definition looks like @name = value']],
  );
});

test('a relative URL with Host: port 443 or 8443 means https, as in REST Client', async () => {
  const file = parseHttpFile('GET /a\nHost: api.test:8443\n\n###\nGET /b\nHost: api.test:443\n\n###\nGET /c\nHost: api.test:8080\n', { uri: 'hosts.http' });
  const urls = await Promise.all(file.requests.map(async (r) => (await resolveRequest(file, r)).url));
  assert.deepEqual(urls, ['https://api.test:8443/a', 'https://api.test:443/b', 'http://api.test:8080/c']);
});

test('indented URL lines: variables keep their own positions; indented headers stay headers', () => {
  const file = parseHttpFile('GET http://127.0.0.1/api/\n    items?\n    id={{id}}&\n  Accept: text/plain\n', { uri: 'long.http' });
  const request = file.requests[0]!;
  assert.equal(request.url.text, 'http://127.0.0.1/api/items?id={{id}}&');
  assert.deepEqual(request.url.variables.map((v) => [v.name, v.range.start]), [['id', { line: 2, character: 7 }]]);
  assert.deepEqual(request.headers.map((h) => [h.name, h.value.text]), [['Accept', 'text/plain']]);
  assert.deepEqual(file.diagnostics, []);
});
