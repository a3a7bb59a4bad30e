import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHttpFile } from '../../../core/language/parser.ts';
import { resolveRequest, createResolver, ResolveError, parseDuration } from '../../../core/language/resolver.ts';
import { VariableError, findVariables } from '../../../core/language/variables.ts';
import { resolveSystemVariable, formatDate } from '../../../core/language/system-variables.ts';
import {
  environmentsFor,
  parseDotenv,
  selectEnvironment,
  mergeEnvironmentSets,
  EnvironmentError,
  toEnvironmentSet,
} from '../../../core/language/environments.ts';
import type { ResolveContext } from '../../../core/language/resolver.ts';
import type { Exchange } from '../../../core/requests/exchange.ts';

const fixtures = join(import.meta.dirname, '../../fixtures/http');

async function resolveFirst(text: string, ctx: ResolveContext = {}, index = 0) {
  const file = parseHttpFile(text);
  const request = file.requests[index];
  assert.ok(request, 'request exists');
  return resolveRequest(file, request, ctx);
}

function fakeExchange(body: string, contentType: string, headers: Array<[string, string]> = []): Exchange {
  return {
    id: 'x',
    startedAt: new Date().toISOString(),
    hops: [
      {
        request: { method: 'POST', url: 'http://127.0.0.1/', headers: [['X-Sent', 'yes']], body: { bytes: new TextEncoder().encode('{"user":"ann"}'), size: 14, truncated: false } },
        response: { statusCode: 200, reason: 'OK', httpVersion: '1.1', headers: [['Content-Type', contentType], ...headers] },
        timings: { dns: 0, connect: 0, tls: 0, ttfb: 0, download: 0, total: 1 },
        cookiesSent: [],
        cookiesSet: [],
      },
    ],
    body: { bytes: new TextEncoder().encode(body), size: body.length, truncated: false, wireSize: body.length, contentEncoding: [], contentType },
    tests: [],
    notices: [],
  };
}

test('precedence: request-scoped > file > overrides > environment', async () => {
  const text = '@a = file-a\n@b = file-b\n\nGET http://h/{{a}}/{{b}}/{{c}}/{{d}}\n';
  const spec = await resolveFirst(text, {
    requestScoped: new Map([['a', 'script-a']]),
    overrides: { b: 'override-b', c: 'override-c' },
    environment: { b: 'env-b', c: 'env-c', d: 'env-d' },
  });
  assert.equal(spec.url, 'http://h/script-a/file-b/override-c/env-d');
});

test('file variables reference other variables; the last definition wins', async () => {
  const text = '@host = http://{{domain}}\n@path = /v1\n@path = /v2\n@url = {{host}}{{path}}\n\nGET {{url}}/x\n';
  const spec = await resolveFirst(text, { environment: { domain: 'example.test' } });
  assert.equal(spec.url, 'http://example.test/v2/x');
});

test('an unresolved variable is an error naming it and its file:line:col', async () => {
  const text = '### one\nGET http://h/ok\n\n### two\nGET http://h/{{missing}}\n';
  const file = parseHttpFile(text);
  await assert.rejects(resolveRequest(file, file.requests[1]!, { filePath: '/w/api.http', environmentName: 'dev', environment: {} }), (error: unknown) => {
    assert.ok(error instanceof VariableError);
    assert.equal(error.variable, 'missing');
    assert.equal(error.line, 4);
    assert.equal(error.character, 13);
    assert.match(error.message, /^\/w\/api\.http:5:14: \{\{missing\}\} is not defined.*environment "dev"/);
    return true;
  });
});

test('an undefined variable inside a file variable points at the definition', async () => {
  const text = '@base = http://{{nope}}\n\nGET {{base}}/x\n';
  await assert.rejects(resolveFirst(text, { filePath: 'a.http' }), /a\.http:1:16: \{\{nope\}\}/);
});

test('a cycle between file variables is an error naming the chain', async () => {
  const text = '@a = {{b}}\n@b = {{a}}\n\nGET http://h/{{a}}\n';
  await assert.rejects(resolveFirst(text), /cycle: @a → @b → @a/);
});

test('{{%x}} percent-encodes the value', async () => {
  const spec = await resolveFirst('@q = a b&c/d\n\nGET http://h/?q={{%q}}&raw={{q}}\n');
  assert.equal(spec.url, 'http://h/?q=a%20b%26c%2Fd&raw=a b&c/d');
});

test('environment values may reference other variables and $shared', async () => {
  const set = toEnvironmentSet({ $shared: { root: 'example.test' }, dev: { host: 'http://{{$shared root}}', api: '{{host}}/api' } });
  const spec = await resolveFirst('GET {{api}}/x\n', { environment: selectEnvironment(set, 'dev'), shared: set.$shared! });
  assert.equal(spec.url, 'http://example.test/api/x');
});

test('system variables: guid, randomInt bounds, timestamp offsets, datetime formats', () => {
  const ctx = { allowFileAccess: true, now: () => new Date('2024-03-05T07:08:09.010Z') };
  assert.match(resolveSystemVariable('$guid', undefined, ctx), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  for (let i = 0; i < 50; i++) {
    const n = Number(resolveSystemVariable('$randomInt', '5 8', ctx));
    assert.ok(n >= 5 && n < 8, `${n} in [5, 8)`);
  }
  assert.equal(resolveSystemVariable('$timestamp', undefined, ctx), String(Date.UTC(2024, 2, 5, 7, 8, 9) / 1000));
  assert.equal(resolveSystemVariable('$timestamp', '-1 d', ctx), String(Date.UTC(2024, 2, 4, 7, 8, 9) / 1000));
  assert.equal(resolveSystemVariable('$isoTimestamp', undefined, ctx), '2024-03-05T07:08:09.010Z');
  assert.equal(resolveSystemVariable('$datetime', 'iso8601', ctx), '2024-03-05T07:08:09.010Z');
  assert.equal(resolveSystemVariable('$datetime', 'rfc1123 1 y', ctx), 'Wed, 05 Mar 2025 07:08:09 GMT');
  assert.equal(resolveSystemVariable('$datetime', '"DD-MM-YYYY [at] HH:mm"', ctx), '05-03-2024 at 07:08');
  assert.equal(formatDate(new Date('2024-12-31T23:00:00Z'), 'YYYY-MM-DD hh A', true), '2024-12-31 11 PM');
  assert.match(resolveSystemVariable('$random.alphabetic', '(12)', ctx), /^[A-Za-z]{12}$/);
  assert.match(resolveSystemVariable('$random.hexadecimal', '(7)', ctx), /^[0-9a-f]{7}$/);
  assert.match(resolveSystemVariable('$random.email', undefined, ctx), /^[a-z]+@[a-z]+\.com$/);
  const r = Number(resolveSystemVariable('$random.integer', '(10, 12)', ctx));
  assert.ok(r === 10 || r === 11);
  assert.throws(() => resolveSystemVariable('$nope', undefined, ctx), /unknown system variable \{\{\$nope\}\}/);
  assert.throws(() => resolveSystemVariable('$randomInt', '9 1', ctx), /min < max/);
  assert.throws(() => resolveSystemVariable('$timestamp', '3 parsecs', ctx), /unknown offset unit "parsecs"/);
});

test('$processEnv and $dotenv, including % indirection, and refusal in restricted mode', async () => {
  const ctx = { allowFileAccess: true, processEnv: { REAL_TOKEN: 't0k' }, dotenv: () => ({ DB: 'pg' }), lookupEnvironment: (n: string) => (n === 'which' ? 'REAL_TOKEN' : undefined) };
  assert.equal(resolveSystemVariable('$processEnv', 'REAL_TOKEN', ctx), 't0k');
  assert.equal(resolveSystemVariable('$processEnv', '%which', ctx), 't0k');
  assert.equal(resolveSystemVariable('$dotenv', 'DB', ctx), 'pg');
  assert.throws(() => resolveSystemVariable('$processEnv', 'NOT_SET_ANYWHERE', ctx), /process environment variable "NOT_SET_ANYWHERE" is not set/);
  assert.throws(() => resolveSystemVariable('$processEnv', 'REAL_TOKEN', { ...ctx, allowFileAccess: false }), /not allowed in restricted mode/);
  await assert.rejects(resolveFirst('GET http://h/{{$dotenv DB}}\n', { allowFileAccess: false, filePath: 'x.http' }), /x\.http:1:14: .*restricted mode/);
});

test('request variables: JSONPath, XPath, whole body, response and request headers', async () => {
  const text = [
    'GET http://h/{{login.response.body.$.token}}',
    'A: {{login.response.headers.X-Id}}',
    'B: {{login.request.headers.x-sent}}',
    'C: {{login.request.body.$.user}}',
    'D: {{xml.response.body.//item[@id="2"]/name}}',
    'E: {{login.response.body.*}}',
    'F: {{login.response.body.$.list[*]}}',
  ].join('\n');
  const exchanges: Record<string, Exchange> = {
    login: fakeExchange('{"token":"abc","list":[1,2]}', 'application/json', [['X-Id', '42']]),
    xml: fakeExchange('<items><item id="1"><name>one</name></item><item id="2"><name>two</name></item></items>', 'application/xml'),
  };
  const asked: string[] = [];
  const spec = await resolveFirst(text, {
    getExchange: async (name) => {
      asked.push(name);
      return exchanges[name]!;
    },
  });
  assert.equal(spec.url, 'http://h/abc');
  assert.deepEqual(spec.headers, [
    ['A', '42'],
    ['B', 'yes'],
    ['C', 'ann'],
    ['D', 'two'],
    ['E', '{"token":"abc","list":[1,2]}'],
    ['F', '[1,2]'],
  ]);
  assert.deepEqual([...new Set(asked)].sort(), ['login', 'xml']);
  await assert.rejects(
    resolveFirst('GET http://h/{{login.response.body.$.nothing}}\n', { getExchange: async () => exchanges.login! }),
    /1:14: \{\{login\.response\.body\.\$\.nothing\}\}: JSONPath \$\.nothing matched nothing/,
  );
});

test('prompt variables ask the caller once; overrides answer them without asking', async () => {
  const text = '# @prompt password Your password\n# @prompt user\nGET http://h/{{user}}/{{password}}/{{password}}\n';
  const asked: Array<[string, string | undefined, boolean]> = [];
  const spec = await resolveFirst(text, {
    overrides: { user: 'ann' },
    promptValues: new Map(),
    prompt: async (name, description, isSecret) => {
      asked.push([name, description, isSecret]);
      return 'pw';
    },
  });
  assert.equal(spec.url, 'http://h/ann/pw/pw');
  assert.deepEqual(asked, [['password', 'Your password', true]]);
  await assert.rejects(resolveFirst(text, { overrides: { user: 'ann' }, prompt: async () => undefined }), /no value was given for \{\{password\}\}/);
});

test('bodies from files: raw as a file part, <@ substituted, relative to the .http file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ricochet-vars-'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'raw.bin'), 'raw {{notSubstituted}}');
  writeFileSync(join(dir, 'data', 'tpl.json'), '{\n  "n": "{{name}}"\n}');
  writeFileSync(join(dir, 'data', 'bad.json'), '{\n  "n": "{{nobody}}"\n}');
  const filePath = join(dir, 'api.http');
  const raw = await resolveFirst('POST http://h/\n\n< ./data/raw.bin\n', { filePath });
  assert.deepEqual(raw.body, { kind: 'file', path: join(dir, 'data', 'raw.bin') });
  const tpl = await resolveFirst('@name = ann\nPOST http://h/\n\n<@ ./data/tpl.json\n', { filePath });
  assert.deepEqual(tpl.body, { kind: 'text', text: '{\n  "n": "ann"\n}' });
  await assert.rejects(resolveFirst('POST http://h/\n\n<@ ./data/bad.json\n', { filePath }), (e: unknown) => {
    assert.ok(e instanceof VariableError);
    assert.equal(e.file, join(dir, 'data', 'bad.json'));
    assert.equal(e.line, 1);
    return true;
  });
  await assert.rejects(resolveFirst('POST http://h/\n\n< ./nope.txt\n', { filePath }), (e: unknown) => e instanceof ResolveError && /3:3: body file not found: \.\/nope\.txt/.test(e.message));
  await assert.rejects(resolveFirst('POST http://h/\n\n< ./data/raw.bin\n', { filePath, allowFileAccess: false }), /not allowed in restricted mode/);
});

test('REST Client fixture resolves: multipart file parts, form, GraphQL, metadata', async () => {
  const filePath = join(fixtures, 'rest-client/requests.http');
  const { readFileSync } = await import('node:fs');
  const file = parseHttpFile(readFileSync(filePath, 'utf8'));
  const ctx: ResolveContext = {
    filePath,
    environment: { host: 'http://127.0.0.1:9' },
    prompt: async () => '123456',
    getExchange: async () => fakeExchange('{"token":"T"}', 'application/json'),
  };
  const [login, items, upload, form, graphql, raw] = await Promise.all(file.requests.map((r) => resolveRequest(file, r, ctx)));
  assert.equal(login!.url, 'http://127.0.0.1:9/api/login');
  assert.equal(login!.httpVersion, 'HTTP/1.1');
  assert.match((login!.body as { text: string }).text, /"user": "alice smith"/);
  assert.equal(items!.url, 'http://127.0.0.1:9/api/items?page=2&q=alice%20smith');
  assert.deepEqual(items!.headers, [['Authorization', 'Bearer T']]);
  assert.equal(items!.followRedirects, false);
  assert.deepEqual(upload!.body, {
    kind: 'multipart',
    parts: [
      { name: 'text', value: 'hello alice smith' },
      { name: 'file', filename: 'data.json', contentType: 'application/json', path: join(fixtures, 'rest-client/data.json') },
    ],
  });
  assert.deepEqual(upload!.headers, []);
  assert.deepEqual(form!.body, { kind: 'text', text: 'name=foo&password=bar' });
  const gql = JSON.parse((graphql!.body as { text: string }).text);
  assert.equal(gql.operationName, 'Items');
  assert.deepEqual(gql.variables, { first: 10 });
  assert.match(gql.query, /items\(first: \$first\)/);
  assert.equal(raw!.timeout, 5000);
  assert.equal(raw!.url, 'http://127.0.0.1:9/api/raw?otp=123456');
  assert.deepEqual(raw!.body, { kind: 'text', text: '{ "name": "alice smith" }\n' });
});

test('metadata maps onto spec options; a curl request resolves through parseCurl', async () => {
  const spec = await resolveFirst('# @no-cookie-jar\n# @no-reject-unauthorized\n# @timeout 250ms\nGET https://h/\n');
  assert.equal(spec.useCookieJar, false);
  assert.equal(spec.verify, false);
  assert.equal(spec.timeout, 250);
  const curl = await resolveFirst('@h = http://127.0.0.1:9\n# @no-redirect\ncurl -X PUT {{h}}/put -H "A: b" -d x=1\n');
  assert.equal(curl.method, 'PUT');
  assert.equal(curl.url, 'http://127.0.0.1:9/put');
  assert.equal(curl.followRedirects, false);
  assert.equal(parseDuration('5'), 5000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('2m'), 120000);
});

test('environments: env.json + private.env.json with $shared, found above the .http file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ricochet-env-'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'http-client.env.json'), JSON.stringify({ $shared: { a: 'shared', port: 1 }, dev: { host: 'dev-host', secret: 'public' } }));
  writeFileSync(join(dir, 'http-client.private.env.json'), JSON.stringify({ dev: { secret: 'private' } }));
  const { set, files } = environmentsFor(join(dir, 'sub', 'x.http'), dir);
  assert.equal(files.length, 2);
  assert.deepEqual(selectEnvironment(set, 'dev'), { a: 'shared', port: '1', host: 'dev-host', secret: 'private' });
  assert.deepEqual(selectEnvironment(set), { a: 'shared', port: '1' });
  assert.throws(() => selectEnvironment(set, 'prod'), (e: unknown) => e instanceof EnvironmentError && /unknown environment "prod"; available: dev/.test(e.message));
  const merged = mergeEnvironmentSets(set, { dev: { host: 'settings-host' } });
  assert.equal(selectEnvironment(merged, 'dev').host, 'settings-host');
  writeFileSync(join(dir, 'http-client.env.json'), '{\n  "dev": { "a": 1, }\n}');
  assert.throws(() => environmentsFor(join(dir, 'x.http'), dir), /http-client\.env\.json:2:\d+: invalid JSON/);
  const fixture = environmentsFor(join(fixtures, 'jetbrains/requests.http'), fixtures);
  assert.equal(selectEnvironment(fixture.set, 'dev').password, 's3cret');
});

test('.env parsing: quotes, export, comments', () => {
  assert.deepEqual(parseDotenv('# c\nexport A=1\nB = "two\\nlines"\nC=\'x # y\'\nD=plain # comment\n\nbad line\n'), {
    A: '1',
    B: 'two\nlines',
    C: 'x # y',
    D: 'plain',
  });
});

test('findVariables scans like the parser', () => {
  assert.deepEqual(findVariables('a {{ x }} {{%y}} {{}} {{ {{z}}'), [
    { start: 2, end: 9, expression: 'x', percentEncode: false },
    { start: 10, end: 16, expression: 'y', percentEncode: true },
    { start: 25, end: 30, expression: 'z', percentEncode: false },
  ]);
  const file = parseHttpFile('GET http://h/{{a}}\n');
  const resolver = createResolver(file, file.requests[0]!, { environment: { a: '1' } });
  return resolver.substitute('{{a}}-{{a}}').then((v) => assert.equal(v, '1-1'));
});

test('whole-line comments in a body are left out; trailing comments are not body', async () => {
  const text = 'POST http://h/\nContent-Type: application/json\n\n{\n  // the id\n  "id": {{id}}\n  # another\n}\n\n# about the next request\n@later = 1\n\n###\nGET http://h/\n';
  const file = parseHttpFile(text);
  assert.equal(file.requests[0]?.body?.text.text, '{\n  // the id\n  "id": {{id}}\n  # another\n}');
  assert.deepEqual(file.requests[0]?.comments.map((c) => c.text), ['# about the next request']);
  assert.deepEqual(file.fileVariables.map((v) => v.name), ['later']);
  const spec = await resolveRequest(file, file.requests[0]!, { environment: { id: '7' } });
  assert.deepEqual(spec.body, { kind: 'text', text: '{\n  "id": 7\n}' });
  await assert.rejects(resolveRequest(file, file.requests[0]!, { filePath: 'c.http' }), /c\.http:6:9: \{\{id\}\}/);
});
