import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCurl, CurlParseError, splitShellWords, isCmdStyle } from '../../../core/language/curl.ts';

test('shell quoting: single, double, $-quotes, escapes and continuations', () => {
  const words = (s: string) => splitShellWords(s).map((t) => t.value);
  assert.deepEqual(words(`curl 'a b' "c \\"d\\" \\$e" $'f\\ng\\x41\\'' h\\ i`), ['curl', 'a b', 'c "d" $e', "f\ngA'", 'h i']);
  assert.deepEqual(words('curl \\\n  -L \\\r\n  x'), ['curl', '-L', 'x']);
  assert.deepEqual(words('curl ^\n  -L ^\r\n  x'), ['curl', '-L', 'x'], 'Windows ^ continuations');
  assert.deepEqual(words(`curl it"'"s`), ['curl', "it's"]);
  assert.deepEqual(words(`curl $'\\u263a \\U0001F600 \\U7fffffff \\101'`), ['curl', '☺ 😀 \ufffd A'], 'out-of-range code points do not throw');
  const [, second] = splitShellWords(`curl   'x'`);
  assert.deepEqual([second!.start, second!.end], [7, 10]);
});

test('a browser "copy as cURL" command becomes a RequestSpec', () => {
  const spec = parseCurl(`curl 'https://api.example.com/items?page=2' \\
    -H 'accept: application/json' \\
    -H 'authorization: Bearer abc' \\
    -b 'session=xyz; theme=dark' \\
    --data-raw '{"name":"Ada"}' \\
    --compressed`);
  assert.deepEqual(spec, {
    method: 'POST',
    url: 'https://api.example.com/items?page=2',
    headers: [
      ['accept', 'application/json'],
      ['authorization', 'Bearer abc'],
      ['Cookie', 'session=xyz; theme=dark'],
      ['Content-Type', 'application/x-www-form-urlencoded'],
    ],
    body: { kind: 'text', text: '{"name":"Ada"}' },
    followRedirects: false,
    compressed: true,
  });
});

test('short options cluster and take attached values', () => {
  const spec = parseCurl(`curl -sSLk -XPUT -H'X-A: 1' -uada:pw -A agent/1 -e http://ref/ -m 1.5 example.com/x`);
  assert.equal(spec.method, 'PUT');
  assert.equal(spec.url, 'http://example.com/x', 'curl assumes http:// without a scheme');
  assert.deepEqual(spec.headers, [['X-A', '1'], ['User-Agent', 'agent/1'], ['Referer', 'http://ref/']]);
  assert.deepEqual(spec.auth, ['ada', 'pw']);
  assert.equal(spec.followRedirects, true);
  assert.equal(spec.verify, false);
  assert.equal(spec.timeout, 1500);
});

test('-I is HEAD, -G moves data into the query, --url and -x', () => {
  assert.equal(parseCurl('curl -I http://h/').method, 'HEAD');
  const g = parseCurl(`curl -G http://h/search -d q=one --data-urlencode 'tag=a b&c'`);
  assert.equal(g.method, 'GET');
  assert.equal(g.url, 'http://h/search?q=one&tag=a%20b%26c');
  assert.equal(g.body, undefined);
  const u = parseCurl('curl --url http://h/a --proxy 10.0.0.1:3128');
  assert.equal(u.url, 'http://h/a');
  assert.equal(u.proxy, 'http://10.0.0.1:3128');
});

test('data options: joined with &, urlencode forms, --json', () => {
  assert.deepEqual(parseCurl('curl http://h -d a=1 --data b=2').body, { kind: 'text', text: 'a=1&b=2' });
  assert.deepEqual(parseCurl(`curl http://h --data-urlencode 'q=x y' --data-urlencode 'r=é'`).body, {
    kind: 'form',
    fields: [['q', 'x y'], ['r', 'é']],
  });
  const j = parseCurl(`curl --json '{"a":1}' http://h`);
  assert.equal(j.method, 'POST');
  assert.deepEqual(j.body, { kind: 'text', text: '{"a":1}' });
  assert.deepEqual(j.headers, [['Content-Type', 'application/json'], ['Accept', 'application/json']]);
  const explicit = parseCurl(`curl http://h -H 'Content-Type: text/plain' -d hi`);
  assert.deepEqual(explicit.headers, [['Content-Type', 'text/plain']]);
  const removed = parseCurl(`curl http://h -H 'Content-Type:' -d hi`);
  assert.deepEqual(removed.headers, [], '"Name:" stops curl adding that header');
});

test('-d @file and --data-binary @file are resolved against cwd', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ricochet-curl-'));
  fs.writeFileSync(path.join(dir, 'body.txt'), 'a=1\nb=2\n');
  assert.deepEqual(parseCurl('curl http://h -d @body.txt', { cwd: dir }).body, { kind: 'text', text: 'a=1b=2' }, 'curl -d strips newlines');
  assert.deepEqual(parseCurl('curl http://h --data-binary @body.txt', { cwd: dir }).body, { kind: 'file', path: path.join(dir, 'body.txt') });
  assert.throws(() => parseCurl('curl http://h -d @missing.txt', { cwd: dir }), /cannot read .*missing\.txt: ENOENT/);
});

test('-F builds multipart parts with files, types and filenames', () => {
  const spec = parseCurl(`curl http://h/upload -F 'title=Hello' -F 'doc=@"my;file.pdf";type=application/pdf;filename=report.pdf' --form-string 'raw=@literal'`, { cwd: '/data' });
  assert.equal(spec.method, 'POST');
  assert.deepEqual(spec.body, {
    kind: 'multipart',
    parts: [
      { name: 'title', value: 'Hello' },
      { name: 'doc', path: '/data/my;file.pdf', contentType: 'application/pdf', filename: 'report.pdf' },
      { name: 'raw', value: '@literal' },
    ],
  });
});

test('errors name the problem and the offset of the offending token', () => {
  const bad = (cmd: string, re: RegExp, offset?: number) => {
    try {
      parseCurl(cmd);
      assert.fail(`expected ${cmd} to throw`);
    } catch (e) {
      assert.ok(e instanceof CurlParseError, String(e));
      assert.match(e.message, re);
      if (offset !== undefined) assert.equal(e.offset, offset);
    }
  };
  bad('wget http://h', /not a curl command/, 0);
  bad('curl http://h --frobnicate', /unknown option --frobnicate/, 14);
  bad('curl http://h -Z', /unknown option -Z/, 14);
  bad(`curl http://h -H 'X: 1'"`, /unclosed double quote/, 23);
  bad(`curl http://h -H $'X: a\\r\\nEvil: 1'`, /header injection/, 14);
  bad('curl -X POST', /no URL/);
  bad('curl http://a http://b', /more than one URL/, 14);
  bad('curl http://h -H', /-H needs a value/, 14);
  bad('curl http://h -b cookies.txt', /cookie file/);
});

test('Windows cmd commands (Chrome "Copy as cURL (cmd)") with ^ escapes', () => {
  const cmd = [
    'curl ^"https://api.example.com/items?a=1^&b=2^" ^',
    '  -H ^"accept: application/json^" ^',
    "  -H ^\"user-agent: Mozilla/5.0 (it's me)^\" ^",
    '  --data-raw ^"^{^\\^"name^\\^":^\\^"Ada 100^%^\\^"^}^" ^',
    '  --compressed',
  ].join('\r\n');
  const spec = parseCurl(cmd);
  assert.equal(spec.url, 'https://api.example.com/items?a=1&b=2');
  assert.deepEqual(spec.headers.slice(0, 2), [['accept', 'application/json'], ['user-agent', "Mozilla/5.0 (it's me)"]]);
  assert.deepEqual(spec.body, { kind: 'text', text: '{"name":"Ada 100%"}' });
  assert.equal(spec.compressed, true);
});

test('cmd style is only assumed for cmd commands', () => {
  assert.equal(isCmdStyle('curl ^"https://h/^"'), true);
  assert.equal(isCmdStyle('curl "https://h/" ^\n  -H "a: b"'), true);
  assert.equal(isCmdStyle(`curl https://h/ --data-raw 'x ^"y" ^\n'`), false);
  assert.deepEqual(parseCurl(`curl https://h/ --data-raw 'a ^"b" ^\nc'`).body, { kind: 'text', text: 'a ^"b" ^\nc' });
  assert.equal(parseCurl('curl "https://h/x" ^\n  -H "a: b"').headers[0]![1], 'b');
});

test('any input either parses or fails with a CurlParseError (fuzz)', async () => {
  const fc = (await import('fast-check')).default;
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ricochet-curl-fuzz-'));
  const pieces = fc.constantFrom('-X', '-H', '-d', '-F', '-u', '-b', '-L', '-k', '-G', '-I', '--json', '--url', '-x', '--data-urlencode', '-sSL',
    "'", '"', "$'", '\\', '^', '\n', ' ', '=', '@', ';', 'a: b', 'http://h/', 'name=@x', '^"', '\\\n');
  const command = fc.array(fc.oneof(pieces, fc.string({ maxLength: 6 })), { maxLength: 12 }).map((parts) => 'curl ' + parts.join(' '));
  fc.assert(
    fc.property(command, (cmd) => {
      try {
        const spec = parseCurl(cmd, { cwd });
        assert.equal(typeof spec.url, 'string');
      } catch (e) {
        if (!(e instanceof CurlParseError)) throw e;
        assert.ok(e.offset >= 0 && e.offset <= cmd.length, `offset ${e.offset} inside the command`);
      }
    }),
    { numRuns: Number(process.env.RICOCHET_FUZZ_RUNS ?? 3000) },
  );
});
