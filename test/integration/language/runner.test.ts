import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpbin } from '../../../core/httpbin/server.ts';
import { Runner } from '../../../core/language/runner.ts';
import type { Exchange } from '../../../core/requests/exchange.ts';

let server: { url: string; close(): Promise<void> };
let dir: string;

before(async () => {
  server = await startHttpbin();
  dir = mkdtempSync(join(tmpdir(), 'ricochet-runner-'));
});
after(async () => {
  await server.close();
});

function json(exchange: Exchange | undefined): Record<string, unknown> {
  assert.ok(exchange?.body, `exchange has a body (error: ${exchange?.error?.message})`);
  return JSON.parse(new TextDecoder().decode(exchange.body.bytes)) as Record<string, unknown>;
}

function status(exchange: Exchange | undefined): number | undefined {
  return exchange?.hops.at(-1)?.response?.statusCode;
}

async function run(text: string, options: ConstructorParameters<typeof Runner>[0] = {}, name = 'api.http'): Promise<Exchange[]> {
  const runner = new Runner(options);
  try {
    return await runner.runFile({ path: join(dir, name), text: text.replaceAll('HOST', server.url) });
  } finally {
    await runner.close();
  }
}

test('cookies flow between the requests of a run (one Session)', async () => {
  const results = await run('GET HOST/cookies/set?flavour=oat\n\n###\nGET HOST/cookies\n');
  assert.equal(results.length, 2);
  assert.deepEqual(json(results[1]).cookies, { flavour: 'oat' });
});

test('a login token is chained into a later request; the named request is sent first, once', async () => {
  const text = [
    '### Who am I',
    'GET HOST/me',
    'Authorization: Bearer {{login.response.body.$.token}}',
    '',
    '?? status == 200',
    '?? body $.username == demo',
    '',
    '### Log in',
    '# @name login',
    'POST HOST/login',
    'Content-Type: application/json',
    '',
    '{"username": "demo", "password": "secret"}',
  ].join('\n');
  const seen: string[] = [];
  const results = await run(text, { onExchange: (e) => seen.push(e.source?.title ?? '?') });
  assert.deepEqual(seen, ['Log in', 'Who am I']);
  assert.deepEqual(results.map((e) => e.source?.title), ['Log in', 'Who am I']);
  assert.equal(status(results[1]), 200);
  assert.deepEqual(results[1]?.tests.map((t) => [t.name, t.passed]), [
    ['status == 200', true],
    ['body $.username == demo', true],
  ]);
  assert.equal(results[1]?.tests[0]?.line, 4);
  assert.equal(results[1]?.source?.line, 1);
});

test('a dependency cycle is an error naming the chain, and nothing literal is sent', async () => {
  const text = '# @name a\nGET HOST/anything/{{b.response.body.$.url}}\n\n###\n# @name b\nGET HOST/anything/{{a.response.body.$.url}}\n';
  const results = await run(text);
  assert.ok(results.length >= 1);
  const first = results.find((e) => e.source?.name === 'a');
  assert.equal(first?.error?.name, 'VariableError');
  assert.match(first?.error?.message ?? '', /cycle: a → b → a/);
  assert.equal(first?.hops[0]?.response, undefined);
});

test('an unresolved variable fails the request with its name and file:line:col', async () => {
  const results = await run('GET HOST/get\n\n###\nGET HOST/anything?x={{nowhere}}\n');
  assert.equal(status(results[0]), 200);
  assert.equal(results[1]?.error?.name, 'VariableError');
  const column = `GET ${server.url}/anything?x=`.length + 1;
  assert.equal(results[1]?.error?.message, `${join(dir, 'api.http')}:4:${column}: {{nowhere}} is not defined: not a file variable (@nowhere = …), not in any environment (none selected)`);
  assert.equal(results[1]?.hops[0]?.response, undefined);
});

test('cancelling stops the in-flight request and the rest of the run', async () => {
  const controller = new AbortController();
  const started = Date.now();
  const promise = run('GET HOST/delay/10\n\n###\nGET HOST/get\n', {
    signal: controller.signal,
    onRequestStart: () => setTimeout(() => controller.abort(), 100),
  });
  const results = await promise;
  assert.ok(Date.now() - started < 8000, 'returned well before the 10 s delay');
  assert.equal(results.length, 1);
  assert.ok(results[0]?.error, 'the aborted request is an Exchange with an error');
});

test('environments from http-client.env.json (+ private, $shared) and caller overrides', async () => {
  const envDir = join(dir, 'envs');
  mkdirSync(envDir, { recursive: true });
  writeFileSync(join(envDir, 'http-client.env.json'), JSON.stringify({ $shared: { path: 'anything' }, dev: { base: server.url, who: 'dev' } }));
  writeFileSync(join(envDir, 'http-client.private.env.json'), JSON.stringify({ dev: { secret: 'p' } }));
  const runner = new Runner({ envName: 'dev', variables: { extra: 'x' } });
  try {
    const [e] = await runner.runFile({ path: join(envDir, 'e.http'), text: 'GET {{base}}/{{path}}?who={{who}}&s={{secret}}&e={{extra}}\n' });
    assert.deepEqual(json(e).args, { who: 'dev', s: 'p', e: 'x' });
  } finally {
    await runner.close();
  }
  const bad = new Runner({ envName: 'nope' });
  await assert.rejects(bad.runFile({ path: join(envDir, 'e.http'), text: 'GET http://127.0.0.1/\n' }), /unknown environment "nope"; available: dev/);
  await bad.close();
});

test('metadata: @no-redirect keeps the 302, @no-cookie-jar sends no session cookies', async () => {
  const text = [
    'GET HOST/cookies/set?k=v',
    '',
    '###',
    '# @no-redirect',
    'GET HOST/redirect-to?url=/get',
    '',
    '###',
    '# @no-cookie-jar',
    'GET HOST/cookies',
  ].join('\n');
  const results = await run(text);
  assert.equal(results[1]?.hops.length, 1);
  assert.equal(status(results[1]), 302);
  assert.deepEqual(json(results[2]).cookies, {});
});

test('handler scripts: client.test results count, globals flow; refused scripts leave a notice', async () => {
  const text = [
    'GET HOST/json',
    '',
    '> {%',
    '  client.test("has slideshow", () => client.assert(response.body.slideshow !== undefined, "missing"));',
    '  client.global.set("author", response.body.slideshow.author);',
    '%}',
    '',
    '###',
    'GET HOST/anything?author={{author}}',
  ].join('\n');
  const results = await run(text);
  assert.deepEqual(results[0]?.tests.map((t) => [t.name, t.passed]), [['has slideshow', true]]);
  assert.equal((json(results[1]).args as Record<string, string>).author, 'Yours Truly');
  const refused = await run('GET HOST/get\n\n> {% client.test("x", () => {}) %}\n', { allowScripts: false });
  assert.deepEqual(refused[0]?.tests, []);
  assert.match(refused[0]?.notices.join('\n') ?? '', /not run: scripts are not allowed/);
  assert.equal(status(refused[0]), 200);
});

test('multipart upload with a file part, and file bodies refused in restricted mode', async () => {
  writeFileSync(join(dir, 'hello.txt'), 'hello file');
  const text = [
    'POST HOST/post',
    'Content-Type: multipart/form-data; boundary=XYZ',
    '',
    '--XYZ',
    'Content-Disposition: form-data; name="field"',
    '',
    'value',
    '--XYZ',
    'Content-Disposition: form-data; name="upload"; filename="hello.txt"',
    'Content-Type: text/plain',
    '',
    '< ./hello.txt',
    '--XYZ--',
  ].join('\n');
  const [e] = await run(text);
  const body = json(e);
  assert.deepEqual(body.form, { field: 'value' });
  assert.deepEqual(body.files, { upload: 'hello file' });
  const [refused] = await run('POST HOST/post\n\n< ./hello.txt\n', { allowFileAccess: false });
  assert.match(refused?.error?.message ?? '', /not allowed in restricted mode/);
});

test('large bodies are kept truncated at maxBodyBytes', async () => {
  const [e] = await run('GET HOST/bytes/5000\n', { maxBodyBytes: 1000 });
  assert.equal(e?.body?.bytes.length, 1000);
  assert.equal(e?.body?.size, 5000);
  assert.equal(e?.body?.truncated, true);
});

test('runPaths: folders recursively in sorted order, and a name filter; runRequest by line and name', async () => {
  const tree = join(dir, 'tree');
  mkdirSync(join(tree, 'b'), { recursive: true });
  writeFileSync(join(tree, 'b', 'two.http'), `# @name two\nGET ${server.url}/anything/two\n`);
  writeFileSync(join(tree, 'a.rest'), `# @name one\nGET ${server.url}/anything/one\n\n###\nGET ${server.url}/anything/one-b\n`);
  writeFileSync(join(tree, 'notes.txt'), 'GET http://127.0.0.1:1/\n');
  const runner = new Runner();
  try {
    const all = await runner.runPaths([tree]);
    assert.deepEqual(all.map((e) => (json(e).url as string).replace(server.url, '')), ['/anything/one', '/anything/one-b', '/anything/two']);
    const only = await runner.runPaths([tree], { name: 'two' });
    assert.deepEqual(only.map((e) => e.source?.name), ['two']);
    const byLine = await runner.runRequest({ path: join(tree, 'a.rest') }, { line: 4 });
    assert.match(json(byLine).url as string, /one-b$/);
    const byName = await runner.runRequest({ path: join(tree, 'a.rest') }, { name: 'one' });
    assert.match(json(byName).url as string, /one$/);
    await assert.rejects(runner.runRequest({ path: join(tree, 'a.rest') }, { name: 'zzz' }), /no request named "zzz"/);
  } finally {
    await runner.close();
  }
});

test('@note asks for confirmation; declining does not send', async () => {
  const asked: string[] = [];
  const [e] = await run('# @note deletes everything\nDELETE HOST/delete\n', {
    confirm: async (message) => {
      asked.push(message);
      return false;
    },
  });
  assert.equal(asked.length, 1);
  assert.match(asked[0] ?? '', /DELETE .*\/delete\? deletes everything/);
  assert.equal(e?.error?.name, 'NotConfirmed');
  assert.equal(e?.hops[0]?.response, undefined);
});

test('a request with a parse error is not sent and names the problem', async () => {
  const results = await run('GET HOST/get\nnot a header\n\n###\nGET HOST/get\n');
  assert.equal(results[0]?.error?.name, 'ParseError');
  assert.match(results[0]?.error?.message ?? '', /api\.http:2:1: "not a header" is not a header/);
  assert.equal(status(results[1]), 200);
});

test('the JetBrains fixture runs unchanged: pre-request script, handler globals, handler file, >> output', async () => {
  const { cpSync, readFileSync, existsSync } = await import('node:fs');
  const copy = join(dir, 'jetbrains');
  cpSync(join(import.meta.dirname, '../../fixtures/http/jetbrains'), copy, { recursive: true });
  // The fixture's own environment points nowhere; the caller's settings win over the file.
  const runner = new Runner({ envName: 'dev', environments: { dev: { host: server.url } } });
  try {
    const results = await runner.runFile({ path: join(copy, 'requests.http') });
    assert.equal(results.length, 3);
    assert.deepEqual(results.map((e) => e.error), [undefined, undefined, undefined]);
    const created = json(results[0]);
    assert.match((created.json as { name: string }).name, /^user-42$/);
    assert.ok(Number((created.json as { n: number }).n) >= 1);
    assert.deepEqual(results[0]?.tests.map((t) => [t.name, t.passed]), [['created', true]]);
    assert.equal((json(results[1]).args as Record<string, string>).name, 'user-42');
    assert.deepEqual(results[1]?.tests.map((t) => [t.name, t.passed]), [['read back', true]]);
    assert.ok(existsSync(join(copy, 'out.json')), '>> wrote the response');
    assert.equal(JSON.parse(readFileSync(join(copy, 'out.json'), 'utf8')).args.name, 'user-42');
    assert.deepEqual(results[2]?.tests.map((t) => t.passed), [true, true]);
  } finally {
    await runner.close();
  }
});
