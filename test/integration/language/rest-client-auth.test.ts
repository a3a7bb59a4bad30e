// REST Client's Authorization shorthands, sent to the local httpbin: what arrives is what REST Client sends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpbin } from '../../../core/httpbin/server.ts';
import { Runner } from '../../../core/language/runner.ts';
import type { Exchange } from '../../../core/requests/exchange.ts';

let server: { url: string; close(): Promise<void> };
let dir: string;

before(async () => {
  server = await startHttpbin();
  dir = mkdtempSync(join(tmpdir(), 'ricochet-auth-'));
});
after(async () => {
  await server.close();
});

async function run(text: string): Promise<Exchange[]> {
  const runner = new Runner({ variables: { user: 'user', pass: 'pass' } });
  try {
    return await runner.runFile({ path: join(dir, 'auth.http'), text: text.replaceAll('HOST', server.url) });
  } finally {
    await runner.close();
  }
}

const status = (e: Exchange | undefined): number | undefined => e?.hops.at(-1)?.response?.statusCode;
const sentAuthorization = (e: Exchange | undefined): string | undefined =>
  e?.hops[0]?.request.headers.find(([n]) => n.toLowerCase() === 'authorization')?.[1];

test('Basic user:pass, Basic user pass, Basic {{user}} {{pass}} and Basic base64 all log in as user:pass', async () => {
  const results = await run(
    [
      'GET HOST/basic-auth/user/pass',
      'Authorization: Basic user:pass',
      '###',
      'GET HOST/basic-auth/user/pass',
      'Authorization: Basic user pass',
      '###',
      'GET HOST/basic-auth/user/pass',
      'Authorization: basic   {{user}} {{pass}}',
      '###',
      'GET HOST/basic-auth/user/pass',
      'Authorization: Basic dXNlcjpwYXNz',
    ].join('\n'),
  );
  assert.equal(results.length, 4);
  for (const [i, e] of results.entries()) {
    assert.equal(status(e), 200, `request ${i + 1}: ${e.error?.message ?? ''}`);
    assert.equal(sentAuthorization(e), 'Basic dXNlcjpwYXNz', `request ${i + 1}`);
  }
});

test('a Basic password with spaces keeps them (everything after the user name)', async () => {
  const [e] = await run('GET HOST/basic-auth/user/two%20words\nAuthorization: Basic user two words\n');
  assert.equal(status(e), 200);
  assert.equal(sentAuthorization(e), `Basic ${Buffer.from('user:two words').toString('base64')}`);
});

test('Digest user pass answers the server challenge (and a wrong password gets 401)', async () => {
  const results = await run(
    [
      'GET HOST/digest-auth/auth/user/pass/MD5',
      'Authorization: Digest user pass',
      '###',
      'GET HOST/digest-auth/auth/user/pass/SHA-256',
      'Authorization: Digest {{user}} {{pass}}',
      '###',
      'GET HOST/digest-auth/auth/user/pass/MD5',
      'Authorization: Digest user wrong',
    ].join('\n'),
  );
  assert.equal(status(results[0]), 200, results[0]?.error?.message);
  assert.equal(status(results[1]), 200, results[1]?.error?.message);
  assert.equal(status(results[2]), 401);
  // The literal "Digest user pass" never goes on the wire: the first hop carries no credentials,
  // the answer to the challenge carries a computed response.
  const hops = results[0]!.hops;
  assert.equal(sentAuthorization(results[0]), undefined);
  const answer = hops.at(-1)?.request.headers.find(([n]) => n.toLowerCase() === 'authorization')?.[1] ?? '';
  assert.match(answer, /^Digest username="user", realm="[^"]*", nonce="[^"]+", uri="\/digest-auth\/auth\/user\/pass\/MD5", response="[0-9a-f]{32}"/);
});
