import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { runPreRequestScript, runResponseHandler } from '../../../core/language/scripts.ts';
import { makeExchange } from './make-exchange.ts';

const exchange = makeExchange({
  status: 200,
  headers: [['Content-Type', 'application/json; charset=utf-8'], ['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2']],
  body: JSON.stringify({ token: 'abc123', user: { id: 7 } }),
  requestBody: '{"user":"ada"}',
  url: 'http://127.0.0.1:1/login',
  method: 'POST',
});

test('response handler: response object, client.test results and client.global', () => {
  const globals = new Map<string, string>();
  const r = runResponseHandler(
    `
    client.test('status is 200', () => client.assert(response.status === 200, 'want 200'));
    client.test('token present', function () { client.assert(response.body.token === 'abc123'); });
    client.test('fails with the message', () => { client.assert(response.body.user.id === 8, 'wrong user id'); });
    client.global.set('auth', response.body.token);
    client.global.set('count', 3);
    client.log('type', response.contentType.mimeType, response.contentType.charset, response.headers.valueOf('content-type'));
    client.log(response.headers.valuesOf('set-cookie'), response.headers.valueOf('x-missing'));
    console.log('request', request.method, String(request.url), request.body.getRaw());
  `,
    { globals, exchange },
  );
  assert.equal(r.error, undefined);
  assert.deepEqual(r.tests, [
    { name: 'status is 200', passed: true },
    { name: 'token present', passed: true },
    { name: 'fails with the message', passed: false, message: 'wrong user id' },
  ]);
  assert.equal(globals.get('auth'), 'abc123');
  assert.equal(globals.get('count'), '3');
  assert.deepEqual(r.logs, [
    'type application/json utf-8 application/json; charset=utf-8',
    '["a=1","b=2"] null',
    'request POST http://127.0.0.1:1/login {"user":"ada"}',
  ]);
});

test('globals flow from one script to the next; isEmpty, clear, clearAll', () => {
  const globals = new Map<string, string>();
  runResponseHandler(`client.global.set('x', 'one'); client.global.set('y', 'two')`, { globals, exchange });
  const r = runPreRequestScript(
    `client.log(client.global.get('x'), client.global.isEmpty());
     client.global.clear('x');
     client.log(client.global.get('x'));
     client.global.clearAll();
     client.log(client.global.isEmpty());`,
    { globals },
  );
  assert.deepEqual(r.logs, ['one false', 'null', 'true']);
  assert.equal(globals.size, 0);
});

test('pre-request script sets request variables and reads the environment', () => {
  const variables = new Map<string, string>([['given', 'g']]);
  const r = runPreRequestScript(
    `request.variables.set('stamp', 'v-' + request.variables.get('given'));
     request.variables.set('n', 5);
     client.log(request.environment.get('host'), request.environment.get('nope'));`,
    { globals: new Map(), variables, environment: { host: 'localhost' } },
  );
  assert.equal(r.error, undefined);
  assert.equal(variables.get('stamp'), 'v-g');
  assert.equal(variables.get('n'), '5');
  assert.deepEqual(r.logs, ['localhost null']);
});

test('a non-JSON body is handed over as text', () => {
  const html = makeExchange({ body: '<p>hi</p>', contentType: 'text/html' });
  const r = runResponseHandler(`client.log(typeof response.body, response.body)`, { globals: new Map(), exchange: html });
  assert.deepEqual(r.logs, ['string <p>hi</p>']);
});

test('an endless loop is stopped by the time limit with a clear error', () => {
  const started = Date.now();
  const r = runResponseHandler(`client.log('before'); while (true) {}`, { globals: new Map(), exchange, timeout: 200 });
  assert.match(r.error!, /timed out after 200 ms/);
  assert.deepEqual(r.logs, ['before']);
  assert.ok(Date.now() - started < 5000);
});

test('an endless loop in a promise callback is stopped too', () => {
  // Run in a child: Node's test runner wraps tests in async hooks, which a vm timeout inside a
  // microtask checkpoint upsets (a Node quirk, not seen in plain async code such as the CLI).
  const code = `import { runResponseHandler } from ${JSON.stringify(new URL('../../../core/language/scripts.ts', import.meta.url).href)};
    await new Promise((r) => setTimeout(r, 1));
    const r = runResponseHandler('Promise.resolve().then(() => { for (;;) {} })', { globals: new Map(), timeout: 200 });
    await new Promise((r) => setTimeout(r, 1));
    console.log(r.error);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 20_000 });
  assert.match(out, /script timed out after 200 ms/);
});

test('no require, process, eval or host constructors inside', () => {
  const probe = (code: string) => runResponseHandler(code, { globals: new Map(), exchange }).logs[0];
  assert.equal(probe(`client.log(typeof require, typeof process, typeof module, typeof globalThis.__ricochetHost)`), 'undefined undefined undefined undefined');
  const escaped = runResponseHandler(`client.log.constructor('return typeof process')()`, { globals: new Map(), exchange });
  assert.match(escaped.error!, /EvalError|Code generation/);
  // Every object the script can touch belongs to the context's realm, not the host's.
  assert.equal(
    probe(`client.log(response.body.constructor === Object, client.log instanceof Function, request.headers.all() instanceof Array, response.headers.valuesOf('set-cookie') instanceof Array)`),
    'true true true true',
  );
});

test('syntax errors, uncaught throws and client.exit', () => {
  const syntax = runResponseHandler(`client.log('a'`, { globals: new Map(), exchange, filename: 'api.http' });
  assert.match(syntax.error!, /SyntaxError/);
  const thrown = runResponseHandler(`client.test('ok', () => {}); client.assert(false, 'outside a test')`, { globals: new Map(), exchange });
  assert.equal(thrown.error, 'Error: outside a test');
  assert.deepEqual(thrown.tests, [
    { name: 'ok', passed: true },
    { name: 'response handler', passed: false, message: 'Error: outside a test' },
  ], 'an uncaught error counts as a failed test');
  const exit = runResponseHandler(`client.log('one'); client.exit(); client.log('two')`, { globals: new Map(), exchange });
  assert.equal(exit.error, undefined);
  assert.deepEqual(exit.logs, ['one']);
});
