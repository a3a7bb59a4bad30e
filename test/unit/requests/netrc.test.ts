import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getNetrcAuth, parseNetrc } from '../../../core/requests/netrc.ts';

function netrcEnv(text: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'netrc-'));
  const file = join(dir, 'netrc');
  writeFileSync(file, text);
  return { NETRC: file };
}

const NETRC = `
# work
machine example.com login alice password "s3cret pass"
machine api.test
  login bob
  password hunter2
macdef init
cd /pub
ls

default login anon password guest
`;

test('credentials come from the machine entry for the URL host', () => {
  const env = netrcEnv(NETRC);
  assert.deepEqual(getNetrcAuth('https://example.com/path', false, env), ['alice', 's3cret pass']);
  assert.deepEqual(getNetrcAuth('http://API.test:8080/', false, env), ['bob', 'hunter2']);
});

test('an unknown host falls back to the default entry; no file means no auth', () => {
  assert.deepEqual(getNetrcAuth('http://other.test/', false, netrcEnv(NETRC)), ['anon', 'guest']);
  assert.equal(getNetrcAuth('http://other.test/', false, { NETRC: '/nonexistent/netrc' }), undefined);
  assert.equal(getNetrcAuth('http://other.test/', false, netrcEnv('machine example.com login a password b\n')), undefined);
});

test('CVE-2024-47081: userinfo that spells another host never gets its credentials', () => {
  const env = netrcEnv('machine example.com login alice password secret\n');
  assert.equal(getNetrcAuth('http://example.com:@evil.test/', false, env), undefined);
  assert.equal(getNetrcAuth('http://example.com@evil.test/', false, env), undefined);
  assert.equal(getNetrcAuth('http://evil.test\\@example.com/', false, env), undefined);
  assert.equal(getNetrcAuth('http://example.com%3a80@evil.test/', false, env), undefined);
});

test('a malformed netrc names the file and line, and is ignored unless asked', () => {
  assert.throws(() => parseNetrc('machine a login x\nbogus y\n', '/home/u/.netrc'), /\/home\/u\/\.netrc:2: .*bogus/);
  const env = netrcEnv('machine a.test login x\nbogus y\n');
  assert.equal(getNetrcAuth('http://a.test/', false, env), undefined);
  assert.throws(() => getNetrcAuth('http://a.test/', true, env), SyntaxError);
});
