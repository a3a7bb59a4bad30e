import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { parseCurl, splitShellWords } from '../../../core/language/curl.ts';
import { toCurl, toFetch, toPythonRequests, shellQuote } from '../../../core/language/export.ts';
import type { RequestSpec } from '../../../core/language/request-spec.ts';

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,12}$/);
// Any text without NUL (a shell argument cannot hold one), including quotes, $, \, newlines, unicode.
const text = fc.string({ unit: fc.oneof(fc.constantFrom("'", '"', '$', '\\', '`', '\n', '\t', ' ', ';', '@', '&', '=', 'é', '☃', '\r', '\x1b'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 30 })
  .map((s) => s.replace(/\0/g, ''));
const headerValue = text.map((s) => s.replace(/[\r\n]/g, '').replace(/^[ \t]+/, '')).filter((s) => s !== '');
const url = fc.tuple(fc.constantFrom('http', 'https'), fc.stringMatching(/^[a-z0-9.-]{1,12}$/), fc.stringMatching(/^[A-Za-z0-9/_.~%?=&-]{0,20}$/))
  .map(([s, h, p]) => `${s}://${h}/${p}`);

const body = fc.oneof(
  text.map((t) => ({ kind: 'text' as const, text: t })),
  fc.array(fc.tuple(token, text), { minLength: 1, maxLength: 3 }).map((fields) => ({ kind: 'form' as const, fields })),
  fc.stringMatching(/^\/[a-z ;"]{1,10}$/).map((p) => ({ kind: 'file' as const, path: p })),
  fc.array(
    fc.oneof(
      fc.tuple(token, text).map(([name, value]) => ({ name, value })),
      fc.tuple(token, fc.stringMatching(/^\/[a-z ;",=]{1,10}$/), fc.option(fc.stringMatching(/^[a-z.; ]{1,8}$/), { nil: undefined }), fc.option(fc.constantFrom('text/plain', 'image/png'), { nil: undefined }))
        .map(([name, p, filename, contentType]) => ({ name, path: p, ...(filename !== undefined ? { filename } : {}), ...(contentType ? { contentType } : {}) })),
    ),
    { minLength: 1, maxLength: 3 },
  ).map((parts) => ({ kind: 'multipart' as const, parts })),
);

const spec: fc.Arbitrary<RequestSpec> = fc.record(
  {
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'PURGE'),
    url,
    headers: fc.array(fc.tuple(token, headerValue), { maxLength: 4 }),
    body,
    auth: fc.tuple(text.map((s) => s.replace(/:/g, '')), text),
    followRedirects: fc.boolean(),
    verify: fc.constant(false),
    timeout: fc.integer({ min: 1, max: 600_000 }),
    proxy: fc.constantFrom('http://127.0.0.1:3128', 'http://u:p@proxy:8080'),
    compressed: fc.constant(true),
    httpVersion: fc.constantFrom('HTTP/1.1', 'HTTP/2'),
  },
  { requiredKeys: ['method', 'url', 'headers', 'followRedirects'] },
);

test('parseCurl(toCurl(spec)) gives back the same request (property)', () => {
  fc.assert(
    fc.property(spec, (s) => {
      const back = parseCurl(toCurl(s), { cwd: '/' });
      assert.deepEqual(back, { ...s });
    }),
    { numRuns: Number(process.env.RICOCHET_FUZZ_RUNS ?? 1000) },
  );
});

test('shellQuote survives the shell splitter for any text', () => {
  fc.assert(
    fc.property(text, (s) => {
      const words = splitShellWords(`x ${shellQuote(s)}`);
      assert.deepEqual(words.map((w) => w.value), ['x', s]);
    }),
    { numRuns: 2000 },
  );
});

const example: RequestSpec = {
  method: 'POST',
  url: 'https://api.example.com/login',
  headers: [['Content-Type', 'application/json'], ['X-Note', "it's \"quoted\""]],
  body: { kind: 'text', text: '{"user":"ada","pass":"l\'amour\\n"}' },
  auth: ['ada', 'pw'],
  followRedirects: false,
  timeout: 5000,
};

test('toCurl prints a readable, multi-line command', () => {
  assert.equal(
    toCurl(example),
    [
      "curl https://api.example.com/login \\",
      "  -H 'Content-Type: application/json' \\",
      `  -H 'X-Note: it'\\''s "quoted"' \\`,
      '  -u ada:pw \\',
      `  --data-raw '{"user":"ada","pass":"l'\\''amour\\n"}' \\`,
      '  --max-time 5',
    ].join('\n'),
  );
  assert.equal(toCurl({ method: 'GET', url: 'http://h/', headers: [] }), 'curl http://h/ \\\n  -L');
  assert.equal(toCurl({ method: 'HEAD', url: 'http://h/', headers: [], followRedirects: false }), 'curl -I \\\n  http://h/');
});

test('toPythonRequests writes runnable Requests code with escaped literals', () => {
  const code = toPythonRequests(example);
  assert.match(code, /^import requests\n/);
  assert.match(code, /response = requests\.post\(\n    'https:\/\/api\.example\.com\/login',/);
  assert.match(code, /'X-Note': 'it\\'s "quoted"',/);
  assert.match(code, /data='\{"user":"ada","pass":"l\\'amour\\\\n"\}'\.encode\('utf-8'\),/);
  assert.match(code, /auth=\('ada', 'pw'\),/);
  assert.match(code, /allow_redirects=False,/);
  assert.match(code, /timeout=5,/);
  const multipart = toPythonRequests({
    method: 'POST', url: 'http://h/u', headers: [['Content-Type', 'multipart/form-data; boundary=old']],
    body: { kind: 'multipart', parts: [{ name: 'a', value: '1' }, { name: 'f', path: '/tmp/x.png', contentType: 'image/png' }] },
  });
  assert.doesNotMatch(multipart, /boundary=old/, 'Requests must make its own boundary');
  assert.match(multipart, /\('f', \('x\.png', open\('\/tmp\/x\.png', 'rb'\), 'image\/png'\)\),/);
  assert.match(toPythonRequests({ method: 'PURGE', url: 'http://h', headers: [] }), /requests\.request\('PURGE', /);
});

test('toFetch writes valid JavaScript with method, headers, auth, redirect and timeout', async () => {
  const code = toFetch(example);
  assert.match(code, /method: "POST",/);
  assert.match(code, /\["Authorization", "Basic YWRhOnB3"\],/);
  assert.match(code, /redirect: 'manual',/);
  assert.match(code, /signal: AbortSignal\.timeout\(5000\),/);
  // The generated code must at least be valid JavaScript: compile it as an async function body.
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...a: string[]) => unknown;
  assert.doesNotThrow(() => new AsyncFunction('fetch', code));
  const form = toFetch({ method: 'POST', url: 'http://h', headers: [], body: { kind: 'form', fields: [['a', '1 2']] } });
  assert.match(form, /new URLSearchParams\(\[\n    \["a", "1 2"\],/);
});

test('generated fetch code is valid JavaScript for any request (property)', () => {
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...a: string[]) => unknown;
  fc.assert(
    fc.property(spec, (s) => {
      // `import` lines are module syntax; the rest must compile as an async function body.
      const code = toFetch(s).replace(/^import .*$/m, '');
      new AsyncFunction('fetch', 'fs', code);
    }),
    { numRuns: 500 },
  );
});

test('generated Python is valid Python for any request (property, when python3 is installed)', (t) => {
  const probe = spawnSync('python3', ['-c', 'import ast'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    t.skip('python3 not installed');
    return;
  }
  const samples = fc.sample(spec, 300).map((s) => ({ ...s, body: s.body ?? { kind: 'bytes' as const, bytes: new Uint8Array([0, 39, 92, 255]) } }));
  const codes = samples.map((s) => toPythonRequests(s));
  const checker = 'import ast, json, sys\nfor i, code in enumerate(json.load(sys.stdin)):\n    try:\n        ast.parse(code)\n    except SyntaxError as e:\n        print(i, e)\n        sys.exit(1)\n';
  const r = spawnSync('python3', ['-c', checker], { input: JSON.stringify(codes), encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}\n${codes[Number(r.stdout.split(' ')[0])] ?? ''}`);
});

test('Digest credentials export as curl --digest -u, Python HTTPDigestAuth and a fetch note, and curl --digest imports back', () => {
  const digest: RequestSpec = { method: 'GET', url: 'http://h/secret', headers: [], digestAuth: ['ada', "p w'"], followRedirects: false };
  const curl = toCurl(digest);
  assert.match(curl, /--digest -u 'ada:p w'\\''/);
  assert.doesNotMatch(curl, /Authorization/);
  assert.deepEqual(parseCurl(curl, { cwd: '/' }), digest);
  assert.deepEqual(parseCurl("curl -u ada:pw https://h", { cwd: '/' }).auth, ['ada', 'pw'], 'without --digest it stays Basic');
  const py = toPythonRequests(digest);
  assert.match(py, /^import requests\nfrom requests\.auth import HTTPDigestAuth\n/);
  assert.match(py, /auth=HTTPDigestAuth\('ada', 'p w\\''\),/);
  const js = toFetch(digest);
  assert.match(js, /\/\/ Digest auth \(user "ada"\): fetch cannot answer the challenge/);
  assert.doesNotMatch(js, /Authorization/, 'no Basic header is made up for Digest credentials');
});
