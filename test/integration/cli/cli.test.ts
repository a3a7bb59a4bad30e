/**
 * The `ricochet` CLI end to end: bundled as `npm run build` bundles it (so the shipped file is
 * what runs, and each spawn starts fast), then spawned with this Node against the built-in
 * httpbin on 127.0.0.1.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMParser } from '@xmldom/xmldom';
import { startHttpbin } from '../../../core/httpbin/server.ts';
import type { Har } from '../../../core/language/har.ts';
import { harProblems } from '../../unit/language/har-check.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let main: string;
let bin: Awaited<ReturnType<typeof startHttpbin>>;
let dir: string;
let buildDir: string;

before(async () => {
  bin = await startHttpbin();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ricochet-cli-'));
  // <tmp>/dist/cli.js next to <tmp>/examples, the layout the package ships with.
  buildDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ricochet-cli-build-'));
  fs.symlinkSync(path.join(root, 'examples'), path.join(buildDir, 'examples'));
  main = path.join(buildDir, 'dist', 'cli.js');
  const esbuild = await import('esbuild');
  // The same options as esbuild.mjs's `cli` bundle.
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['core/cli/main.ts'],
    outfile: main,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    logLevel: 'error',
    banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
  });
});
after(async () => {
  await bin.close();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(buildDir, { recursive: true, force: true });
});

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], colour = false): Promise<Result> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  if (colour) env.FORCE_COLOR = '1';
  else env.NO_COLOR = '1';
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { cwd: dir, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

test('a passing file: one line per request and exit 0', async () => {
  write('ok.http', `### fetch
GET ${bin.url}/get?x=1

?? status == 200
?? body $.args.x == 1

###
POST ${bin.url}/post
Content-Type: application/json

{"a": 1}

?? body $.json.a == 1
`);
  const r = await cli(['run', 'ok.http']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, new RegExp(`^✔  GET  ${bin.url}/get\\?x=1  200 OK  \\d+ ms  \\d+ B  2/2 assertions  fetch \\(ok\\.http:2\\)$`));
  assert.match(lines[1]!, /^✔  POST  .*\/post  200 OK .* 1\/1 assertions/);
  assert.match(r.stdout, /2 requests: 2 passed · 3 assertions · \d+ ms/);
  assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour when not on a TTY');
});

test('a failed assertion prints expected and actual and exits 1', async () => {
  write('fail.http', `GET ${bin.url}/status/418\n\n?? status == 200\n?? status >= 400\n`);
  const r = await cli(['run', 'fail.http']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /✘  GET  .*\/status\/418  418 I'm a teapot .* 1\/2 assertions/i);
  assert.match(r.stdout, /✘ status == 200  expected 200  actual 418  \(fail\.http:3\)/);
  assert.match(r.stdout, /1 request: 0 passed, 1 failed · 2 assertions, 1 failed/);
});

test('an HTTP error with no assertions fails; FORCE_COLOR colours the output', async () => {
  write('err500.http', `GET ${bin.url}/status/500\n`);
  const r = await cli(['run', 'err500.http'], true);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /\x1b\[31m500 Internal Server Error\x1b\[39m/);
});

test('a bad file gets file:line:col: message and is not run', async () => {
  write('bad.http', `GET ${bin.url}/get\n\n###\nGET ${bin.url}/get?v={{broken\n`);
  const r = await cli(['run', 'bad.http']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^bad\.http:4:\d+: error: variable is not closed/m);
  assert.doesNotMatch(r.stdout, /✔/);
});

test('an unresolved variable is an error naming it and where it is', async () => {
  write('unresolved.http', `GET ${bin.url}/get?v={{nowhere}}\n`);
  const r = await cli(['run', 'unresolved.http']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /nowhere/);
  assert.match(r.stdout, /unresolved\.http:1:\d+/);
});

test('--env and --var: environment files next to the file, --var wins over the environment', async () => {
  write('envdir/http-client.env.json', JSON.stringify({ $shared: { who: 'shared' }, dev: { base: 'http://127.0.0.1:1', tag: 'dev' } }));
  write('envdir/env.http', `GET {{base}}/anything?tag={{tag}}&who={{who}}\n\n?? body $.args.tag == cli\n?? body $.args.who == shared\n`);
  const r = await cli(['run', 'envdir', '--env', 'dev', '--var', `base=${bin.url}`, '--var', 'tag=cli']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /2\/2 assertions/);
});

test('--junit writes well-formed XML with failures counted; --har a valid HAR with every hop', async () => {
  write('report.http', `### good
GET ${bin.url}/redirect/2

?? status == 200

### bad
GET ${bin.url}/get

?? status == 201
`);
  const r = await cli(['run', 'report.http', '--junit', 'out/junit.xml', '--har', 'out/run.har']);
  assert.equal(r.code, 1);
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, msg) => { if (level !== 'warning') errors.push(msg); } }).parseFromString(fs.readFileSync(path.join(dir, 'out/junit.xml'), 'utf8'), 'text/xml');
  assert.deepEqual(errors, []);
  const suite = doc.getElementsByTagName('testsuite')[0]!;
  assert.equal(suite.getAttribute('name'), 'report.http');
  assert.equal(suite.getAttribute('tests'), '2');
  assert.equal(suite.getAttribute('failures'), '1');
  assert.equal(doc.getElementsByTagName('failure').length, 1);
  const har = JSON.parse(fs.readFileSync(path.join(dir, 'out/run.har'), 'utf8')) as Har;
  assert.deepEqual(harProblems(har), []);
  assert.equal(har.log.entries.length, 4, 'two redirect hops + final + second request');
  assert.deepEqual(har.log.entries.map((e) => e.response.status), [302, 302, 200, 200]);
  assert.match(r.stderr, /JUnit XML written to out\/junit\.xml/);
});

test('--bail stops at the first failure', async () => {
  write('bail.http', `GET ${bin.url}/status/500\n\n?? status == 200\n\n###\nGET ${bin.url}/get\n`);
  const all = await cli(['run', 'bail.http']);
  assert.match(all.stdout, /2 requests/);
  const r = await cli(['run', 'bail.http', '--bail']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /1 request: 0 passed, 1 failed/);
  assert.match(r.stderr, /--bail: stopped at the first failure/);
});

test('--name runs one request (and what it depends on); --verbose shows hops', async () => {
  write('named.http', `# @name first\nGET ${bin.url}/get?n=1\n\n###\n# @name second\nGET ${bin.url}/get?n={{first.response.body.$.args.n}}2\n\n?? body $.args.n == 12\n`);
  const r = await cli(['run', 'named.http', '--name', 'second', '--verbose']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /2 requests: 2 passed/);
  assert.match(r.stdout, /  > GET .*\/get\?n=12/);
  assert.match(r.stdout, /  < HTTP\/1\.1 200 OK/);
  const none = await cli(['run', 'named.http', '--name', 'third']);
  assert.equal(none.code, 1);
});

test('a usage error exits 2 with a hint; --version', async () => {
  const [usage, version] = await Promise.all([cli(['run', 'missing.http']), cli(['--version'])]);
  assert.equal(usage.code, 2, usage.stderr);
  assert.match(usage.stderr, /ricochet: no such file or directory: missing\.http\nRun "ricochet --help" for usage\./);
  assert.equal(version.code, 0);
  assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+/);
});

test('ricochet curl runs a curl command: body on stdout, status on stderr', async () => {
  const r = await cli(['curl', `curl -X POST ${bin.url}/post -H 'X-Test: yes' --data-raw '{"k":"v"}' -H 'Content-Type: application/json'`]);
  assert.equal(r.code, 0, r.stderr);
  const body = JSON.parse(r.stdout) as { json: unknown; headers: Record<string, string> };
  assert.deepEqual(body.json, { k: 'v' });
  assert.equal(body.headers['X-Test'], 'yes');
  assert.match(r.stderr, /✔  POST  .*\/post  200 OK/);
  const words = await cli(['curl', '-i', '-L', `${bin.url}/redirect/1`]);
  assert.equal(words.code, 0, words.stderr);
  assert.match(words.stdout, /^HTTP\/1\.1 200 OK\n/);
  const bytes = await new Promise<Buffer>((resolve) => {
    execFile(process.execPath, [main, 'curl', `curl ${bin.url}/bytes/256?seed=7`], { cwd: dir, encoding: 'buffer', env: { ...process.env, NO_COLOR: '1' } }, (_e, out) => resolve(out));
  });
  assert.equal(bytes.length, 256, 'binary bodies reach stdout byte for byte');
  const bad = await cli(['curl', `curl ${bin.url} --frobnicate`]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown option --frobnicate/);
  const refused = await cli(['curl', 'curl http://127.0.0.1:1/']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /ConnectionError/);
});

test('ricochet serve starts the server and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, [main, 'serve', '--port', '0'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  const res = await fetch(`${url}/get`);
  assert.equal(res.status, 200);
  const code = await new Promise<number | null>((resolve) => {
    child.on('exit', (c) => resolve(c));
    child.kill('SIGTERM');
  });
  assert.equal(code, 0);
});

test('ricochet demo runs examples/*.http against its own server and passes', async () => {
  const r = await cli(['demo']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /demo server on http:\/\/127\.0\.0\.1:\d+/);
  assert.match(r.stdout, /requests: \d+ passed · \d+ assertions/);
  assert.match(r.stdout, /POST .*\/login  200 OK/);
  assert.match(r.stdout, /GET .*\/me  200 OK/);
});

test('Ctrl-C stops a run in flight: exit 130, the rest not sent', async () => {
  const http = await import('node:http');
  let arrived: () => void = () => {};
  const firstRequest = new Promise<void>((resolve) => (arrived = resolve));
  const seen: string[] = [];
  const hanging = http.createServer((req) => {
    seen.push(req.url ?? '');
    arrived(); // and never answer
  });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  const { port } = hanging.address() as { port: number };
  write('hang.http', `GET http://127.0.0.1:${port}/slow\n\n###\nGET http://127.0.0.1:${port}/never\n`);
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const child = spawn(process.execPath, [main, 'run', 'hang.http'], { cwd: dir, env });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  await firstRequest;
  const started = Date.now();
  const code = await new Promise<number | null>((resolve) => {
    child.on('exit', (c) => resolve(c));
    child.kill('SIGINT');
  });
  hanging.closeAllConnections();
  hanging.close();
  assert.equal(code, 130);
  assert.ok(Date.now() - started < 10_000);
  assert.deepEqual(seen, ['/slow']);
  assert.match(stdout, /✘  GET  .*\/slow/);
});
