// Secrets never reach history or logs: real requests through the Runner carrying Authorization
// (Bearer, Basic, URL userinfo), Cookie, Proxy-Authorization, server-set cookies and a
// `$secret`-style environment value, stored with the extension's HistoryStore — then the file on
// disk (body bytes decoded too) and the log lines are searched for every secret string.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRawServer, writeResponse, type RawServer } from '../../servers/raw.ts';
import { Runner } from '../../../core/language/runner.ts';
import type { Exchange } from '../../../core/requests/exchange.ts';
import { HistoryStore } from '../../../extension/history.ts';
import { logLines } from '../../../extension/describe.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

// Each secret is distinct, so a hit says exactly which path leaked.
const TOKEN = 'tok-5ecret-bearer-1'; // a `$secret` environment value (SecretStorage in the extension)
const COOKIE = 'ck-5ecret-cookie-2';
const PROXY_PAIR = 'proxyuser:px-5ecret-3';
const BASIC_PASS = 'pw-5ecret-basic-4';
const USERINFO_PASS = 'ui-5ecret-userinfo-5';
const SERVER_COOKIE = 'srv-5ecret-setcookie-6';
const b64 = (s: string) => Buffer.from(s).toString('base64');

let raw: RawServer;
let dir: string;
let deadPort: number;

before(async () => {
  raw = await startRawServer((socket, req) => {
    const route = req.path.split('?')[0];
    if (route === '/login') {
      writeResponse(socket, { headers: [['Set-Cookie', `session=${SERVER_COOKIE}; Path=/; HttpOnly`]], body: 'welcome' });
    } else if (route === '/echo') {
      // Like httpbin's /anything: the request head comes back in the body.
      writeResponse(socket, { headers: { 'Content-Type': 'text/plain' }, body: req.head });
    } else {
      writeResponse(socket, { status: 204, reason: 'No Content' });
    }
  });
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  deadPort = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ricochet-secrets-'));
});

after(async () => {
  await raw.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The persisted history as text, with every base64 body decoded in place, so a search sees everything on disk. */
function persisted(store: HistoryStore): string {
  const text = fs.readFileSync(store.file, 'utf8');
  const bodies = [...text.matchAll(/"\$base64":"([^"]*)"/g)].map((m) => Buffer.from(m[1]!, 'base64').toString('latin1'));
  return [text, ...bodies].join('\n');
}

function leaks(haystack: string, secrets: string[]): string[] {
  return secrets.filter((s) => haystack.includes(s));
}

async function run(text: string, options: ConstructorParameters<typeof Runner>[0] = {}): Promise<Exchange[]> {
  const runner = new Runner({ environments: { dev: { token: TOKEN } }, envName: 'dev', timeout: 5000, ...options });
  try {
    return await runner.runFile({ path: path.join(dir, 'api.http'), text });
  } finally {
    await runner.close();
  }
}

async function storeAll(exchanges: Exchange[], secrets: string[] = [TOKEN]): Promise<HistoryStore> {
  const store = new HistoryStore({ dir: fs.mkdtempSync(path.join(dir, 'history-')), maxEntries: 100, secrets: () => secrets });
  await store.load();
  for (const e of exchanges) await store.add(e);
  await store.flush();
  return store;
}

const file = () => `### bearer from the environment, also in the query
GET ${raw.url}/api?api_key={{token}}
Authorization: Bearer {{token}}
Cookie: sid=${COOKIE}
Proxy-Authorization: Basic ${b64(PROXY_PAIR)}

### REST Client style Basic
GET ${raw.url}/basic
Authorization: Basic admin ${BASIC_PASS}

### credentials in the URL
GET http://admin:${USERINFO_PASS}@127.0.0.1:${raw.port}/userinfo

### the server sets a cookie, the next request sends it
GET ${raw.url}/login

###
GET ${raw.url}/after-login
`;

const ALL = [TOKEN, COOKIE, b64(PROXY_PAIR), PROXY_PAIR, BASIC_PASS, b64(`admin:${BASIC_PASS}`), USERINFO_PASS, b64(`admin:${USERINFO_PASS}`), SERVER_COOKIE];

describe('history', () => {
  test('the requests really carried every secret (so the searches below can fail)', async () => {
    const exchanges = await run(file());
    assert.deepEqual(exchanges.map((e) => e.error?.message), [undefined, undefined, undefined, undefined, undefined]);
    const sent = raw.requests.slice(-5).map((r) => r.head).join('\n');
    assert.deepEqual(leaks(sent, [TOKEN, COOKIE, b64(`admin:${USERINFO_PASS}`), SERVER_COOKIE]).length, 4, sent);
    assert.ok(sent.includes(BASIC_PASS) || sent.includes(b64(`admin:${BASIC_PASS}`)), sent);
    // Proxy-Authorization is for a proxy: it is not handed to an origin server.
    assert.ok(!sent.includes(b64(PROXY_PAIR)), sent);
  });

  test('the history file holds none of them: headers, cookies, URLs, query and bodies', async () => {
    const store = await storeAll(await run(file()));
    const onDisk = persisted(store);
    assert.deepEqual(leaks(onDisk, ALL), []);
    // Still useful: the schemes and cookie names remain.
    assert.match(onDisk, /"Authorization","Bearer ••••••"/);
    assert.match(onDisk, /"Authorization","Basic ••••••"/);
    assert.match(onDisk, /sid=••••••/);
    assert.match(onDisk, /session=••••••/);
    // A reload reads the same redacted entries back.
    const again = new HistoryStore({ dir: path.dirname(store.file), maxEntries: 100 });
    assert.equal((await again.load()).length, 5);
  });

  test('a failed request (server down) is stored redacted too', async () => {
    const exchanges = await run(`GET http://127.0.0.1:${deadPort}/down\nAuthorization: Bearer {{token}}\nCookie: sid=${COOKIE}\n`);
    assert.equal(exchanges[0]?.error?.name, 'ConnectionError');
    assert.deepEqual(leaks(persisted(await storeAll(exchanges, [])), [TOKEN, COOKIE]), []);
  });

  test('a declared secret is scrubbed even where the server echoes it back in the body', async () => {
    const exchanges = await run(`GET ${raw.url}/echo\nAuthorization: Bearer {{token}}\n`);
    assert.ok(Buffer.from(exchanges[0]!.body!.bytes).toString().includes(TOKEN), 'the echo did carry the token');
    assert.deepEqual(leaks(persisted(await storeAll(exchanges)), [TOKEN]), []);
  });

  test('credentials that are not declared secrets are scrubbed from echoed bodies too', async () => {
    const exchanges = await run(`GET ${raw.url}/echo\nCookie: sid=${COOKIE}\nAuthorization: Basic ${b64(PROXY_PAIR)}\n`);
    assert.deepEqual(leaks(persisted(await storeAll(exchanges, [])), [COOKIE, b64(PROXY_PAIR)]), []);
  });

  test('a token with a stray line break: the error message does not put it on disk', async () => {
    const exchanges = await run(`GET ${raw.url}/nl\nAuthorization: Bearer {{nl}}\n`, { variables: { nl: `${TOKEN}\n` } });
    assert.equal(exchanges[0]?.error?.name, 'VariableError');
    assert.deepEqual(leaks(persisted(await storeAll(exchanges, [])), [TOKEN]), []);
  });

  test('…but when it is a declared secret, the message is scrubbed', async () => {
    const exchanges = await run(`GET ${raw.url}/nl\nAuthorization: Bearer {{nl}}\n`, { variables: { nl: `${TOKEN}\n` } });
    assert.deepEqual(leaks(persisted(await storeAll(exchanges, [TOKEN])), [TOKEN]), []);
  });
});

describe('logs', () => {
  test('the extension output channel lines (logLines) carry no credential values', async () => {
    const exchanges = await run(file());
    const log = exchanges.flatMap(logLines).join('\n');
    assert.deepEqual(leaks(log, [TOKEN, COOKIE, b64(PROXY_PAIR), b64(`admin:${BASIC_PASS}`)]), []);
  });

  function cli(args: string[]): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [path.join(root, 'core/cli/main.ts'), ...args],
        { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, out: stdout + stderr }),
      );
    });
  }

  test('ricochet run (not verbose) prints no header secret, passing or failing', async () => {
    fs.writeFileSync(
      path.join(dir, 'ci.http'),
      `GET ${raw.url}/ci\nAuthorization: Bearer {{token}}\nCookie: sid=${COOKIE}\n\n###\nGET http://127.0.0.1:${deadPort}/down\nAuthorization: Bearer {{token}}\n`,
    );
    const result = await cli(['run', 'ci.http', '--var', `token=${TOKEN}`]);
    assert.equal(result.code, 1, result.out);
    assert.match(result.out, /ConnectionError/);
    assert.deepEqual(leaks(result.out, [TOKEN, COOKIE]), []);
  });

  test('ricochet run --verbose redacts Authorization and Cookie values', async () => {
    fs.writeFileSync(path.join(dir, 'verbose.http'), `GET ${raw.url}/v\nAuthorization: Bearer {{token}}\nCookie: sid=${COOKIE}\n`);
    const result = await cli(['run', 'verbose.http', '--verbose', '--var', `token=${TOKEN}`]);
    assert.equal(result.code, 0, result.out);
    assert.match(result.out, /> Authorization: Bearer/);
    assert.deepEqual(leaks(result.out, [TOKEN, COOKIE]), []);
  });

  test('ricochet run --verbose --show-credentials prints them as sent, when asked', async () => {
    fs.writeFileSync(path.join(dir, 'verbose.http'), `GET ${raw.url}/v\nAuthorization: Bearer {{token}}\nCookie: sid=${COOKIE}\n`);
    const result = await cli(['run', 'verbose.http', '--verbose', '--show-credentials', '--var', `token=${TOKEN}`]);
    assert.equal(result.code, 0, result.out);
    assert.match(result.out, new RegExp(`> Authorization: Bearer ${TOKEN}`));
  });
});
