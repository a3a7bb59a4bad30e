// Header CR/LF injection is refused from every entry point — library options, session headers,
// cookies, `.http` variables (including values a hostile server put in a response), cURL import
// and the `ricochet curl` command — before any byte is sent; URLs never carry a raw CR, LF or
// space onto the wire; and user-supplied Transfer-Encoding + Content-Length never go out as a
// conflicting (smuggling) pair.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRawServer, writeResponse, type RawRequest, type RawServer } from '../../servers/raw.ts';
import { Session, type RequestOptions } from '../../../core/requests/sessions.ts';
import { InvalidHeader, InvalidURL, RequestException } from '../../../core/requests/exceptions.ts';
import { Runner } from '../../../core/language/runner.ts';
import { CurlParseError, parseCurl } from '../../../core/language/curl.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const INJECTED = 'a\r\nX-Injected: 1';

let raw: RawServer;
let dir: string;
const session = new Session();
session.env = {};

before(async () => {
  raw = await startRawServer((socket, req) => {
    if (req.path === '/token') {
      // A hostile server hands out a "token" that would split the next request's header.
      writeResponse(socket, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: `abc${INJECTED}` }) });
    } else {
      writeResponse(socket, { body: 'ok' });
    }
  });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ricochet-injection-'));
});

after(async () => {
  await session.close();
  await raw.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Requests the server received while `fn` ran. */
async function received(fn: () => Promise<unknown>): Promise<RawRequest[]> {
  const before = raw.requests.length;
  await fn();
  return raw.requests.slice(before);
}

/** No header line that reached the server contains an injected header or a stray CR/LF. */
function assertClean(requests: RawRequest[]): void {
  for (const r of requests) {
    // A raw line break in the target or a header would have made "X-Injected" a header line of its own.
    assert.ok(!r.rawHeaders.some(([name]) => /x-injected/i.test(name)), `injected header reached the server:\n${r.head}`);
    for (const [name, value] of r.rawHeaders) assert.ok(!/[\r\n]/.test(name + value), `CR/LF inside ${name}`);
  }
}

async function rejectedBeforeIo(options: RequestOptions, Kind: typeof RequestException = InvalidHeader, url = `${raw.url}/x`, method = 'GET'): Promise<RequestException> {
  let error: unknown;
  const sent = await received(() => session.request(method, url, options).catch((e: unknown) => (error = e)));
  assert.ok(error instanceof Kind, `expected ${Kind.name}, got ${String(error)}`);
  assert.equal(sent.length, 0, 'nothing reached the server');
  return error;
}

describe('library options', () => {
  test('CR/LF in a header value → InvalidHeader naming the header, nothing sent', async () => {
    const err = await rejectedBeforeIo({ headers: { 'X-Note': INJECTED } });
    assert.match(err.message, /header 'X-Note'/);
    assert.match(err.message, /return character/);
    await rejectedBeforeIo({ headers: { 'X-Note': 'a\nX-Injected: 1' } }); // a bare LF too
    await rejectedBeforeIo({ headers: { 'X-Note': 'a\rX-Injected: 1' } }); // and a bare CR
  });

  test('CR/LF in a header name → InvalidHeader, nothing sent', async () => {
    const err = await rejectedBeforeIo({ headers: { 'X-Note\r\nX-Injected': '1' } });
    assert.match(err.message, /header name/);
  });

  test('a Map of headers and a NUL byte are refused too', async () => {
    await rejectedBeforeIo({ headers: new Map([['X-Note', INJECTED]]) });
    await rejectedBeforeIo({ headers: { 'X-Note': 'a\0b' } });
  });

  test('session headers with CR/LF → InvalidHeader on every request, nothing sent', async () => {
    const s = new Session();
    s.env = {};
    s.headers.set('X-Session', INJECTED);
    try {
      let error: unknown;
      const sent = await received(() => s.get(`${raw.url}/x`).catch((e: unknown) => (error = e)));
      assert.ok(error instanceof InvalidHeader, String(error));
      assert.match(error.message, /header 'X-Session'/);
      assert.equal(sent.length, 0);
    } finally {
      await s.close();
    }
  });

  test('a cookie value with CR/LF → InvalidHeader (Cookie), nothing sent', async () => {
    const err = await rejectedBeforeIo({ cookies: { sid: INJECTED } });
    assert.match(err.message, /header 'Cookie'/);
  });

  test('a method with CR/LF or a space is refused before I/O', async () => {
    await rejectedBeforeIo({}, RequestException, `${raw.url}/x`, 'GET /x HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET');
    await rejectedBeforeIo({}, RequestException, `${raw.url}/x`, 'GET /x');
  });

  test('params and Basic credentials with CR/LF are encoded, never raw on the wire', async () => {
    const sent = await received(async () => {
      await session.get(`${raw.url}/x`, { params: { q: INJECTED } });
      await session.get(`${raw.url}/x`, { auth: [INJECTED, 'pw'] });
    });
    assert.equal(sent.length, 2);
    assert.equal(sent[0]!.path, '/x?q=a%0D%0AX-Injected%3A+1');
    assert.equal(sent[1]!.headers.authorization, `Basic ${Buffer.from(`${INJECTED}:pw`).toString('base64')}`);
    assertClean(sent);
  });
});

describe('URLs', () => {
  test('a space in the URL is percent-encoded, never sent raw', async () => {
    const sent = await received(() => session.get(`${raw.url}/a b`));
    assert.equal(sent[0]?.path, '/a%20b');
  });

  test('CR/LF in the URL → InvalidURL, nothing sent', async () => {
    const err = await rejectedBeforeIo({}, InvalidURL, `${raw.url}/a${INJECTED}`);
    assert.match(err.message, /Invalid URL/);
  });

  test('CR/LF in the URL never reaches the wire raw (whatever the error)', async () => {
    const sent = await received(() => session.get(`${raw.url}/a${INJECTED}`).catch(() => undefined));
    assertClean(sent);
    for (const r of sent) assert.ok(!/[\r\n ]/.test(r.path), `raw control characters in the target: ${JSON.stringify(r.path)}`);
  });
});

describe('.http files', () => {
  const file = () => path.join(dir, 'api.http');

  test('an environment variable with CR/LF substituted into a header → error Exchange, nothing sent', async () => {
    const runner = new Runner({ session, environments: { dev: { token: INJECTED } }, envName: 'dev' });
    const text = `### call\nGET ${raw.url}/env\nAuthorization: Bearer {{token}}\n`;
    let exchange;
    const sent = await received(async () => (exchange = await runner.runRequest({ path: file(), text }, 0)));
    await runner.close();
    assert.equal(sent.length, 0, 'nothing reached the server');
    assert.equal(exchange!.error?.name, 'VariableError');
    assert.match(exchange!.error!.message, /\{\{token\}\} contains a line break .*header "Authorization"/);
    assert.match(exchange!.error!.message, /api\.http:3:\d+/, 'names file:line:col of the use');
    assert.equal(exchange!.source?.line, 1, 'the Exchange points at the request line');
  });

  test('the error names the variable that carried the line break', async () => {
    const runner = new Runner({ session, environments: { dev: { token: INJECTED } }, envName: 'dev' });
    const exchange = await runner.runRequest({ path: file(), text: `GET ${raw.url}/env\nAuthorization: Bearer {{token}}\n` }, 0);
    await runner.close();
    assert.match(exchange.error?.message ?? '', /\{\{token\}\}/);
    assert.ok(!exchange.error?.message.includes(INJECTED), 'the value itself is not repeated');
  });

  test('a --var override with CR/LF in a header is refused the same way', async () => {
    const runner = new Runner({ session, variables: { note: INJECTED } });
    let exchange;
    const sent = await received(async () => (exchange = await runner.runRequest({ path: file(), text: `GET ${raw.url}/var\nX-Note: {{note}}\n` }, 0)));
    await runner.close();
    assert.equal(sent.length, 0);
    assert.equal(exchange!.error?.name, 'VariableError');
    assert.match(exchange!.error!.message, /\{\{note\}\}.*header "X-Note"/);
  });

  test('a hostile server\'s response value chained into the next header → refused, nothing sent', async () => {
    const runner = new Runner({ session });
    const text = `# @name login\nGET ${raw.url}/token\n\n###\nGET ${raw.url}/me\nAuthorization: Bearer {{login.response.body.$.token}}\n`;
    let exchanges: Awaited<ReturnType<Runner['runFile']>> = [];
    const sent = await received(async () => (exchanges = await runner.runFile({ path: file(), text })));
    await runner.close();
    assert.deepEqual(sent.map((r) => r.path), ['/token'], 'only the login request was sent');
    assert.equal(exchanges[0]?.error, undefined);
    assert.equal(exchanges[1]?.error?.name, 'VariableError');
    assert.match(exchanges[1]!.error!.message, /\{\{login\.response\.body\.\$\.token\}\}/);
  });

  test('a variable with CR/LF in the URL → error naming it, nothing sent', async () => {
    const runner = new Runner({ session, variables: { path: INJECTED } });
    let exchange;
    const sent = await received(async () => (exchange = await runner.runRequest({ path: file(), text: `GET ${raw.url}/{{path}}\n` }, 0)));
    await runner.close();
    assert.equal(sent.length, 0);
    assert.equal(exchange!.error?.name, 'VariableError');
    assert.match(exchange!.error!.message, /\{\{path\}\}.*request line/);
  });

  test('a bare CR inside a header line never becomes part of a header on the wire', async () => {
    const runner = new Runner({ session });
    const sent = await received(() => runner.runRequest({ path: file(), text: `GET ${raw.url}/cr\nX-Note: a\rX-Other: 1\n` }, 0));
    await runner.close();
    for (const r of sent) for (const [name, value] of r.rawHeaders) assert.ok(!/[\r\n]/.test(name + value), `CR inside ${name}`);
  });
});

describe('cURL import', () => {
  test('parseCurl refuses a header with CR/LF, and a URL with a line break', () => {
    assert.throws(() => parseCurl(`curl -H $'X-Note: a\\r\\nX-Injected: 1' http://127.0.0.1/`), (e: unknown) => {
      assert.ok(e instanceof CurlParseError);
      assert.match(e.message, /line break.*injection/);
      return true;
    });
    assert.throws(() => parseCurl(`curl $'http://127.0.0.1/a\\r\\nX-Injected: 1'`), CurlParseError);
  });

  test('a curl command in a .http file with CR/LF → error Exchange naming file:line, nothing sent', async () => {
    const runner = new Runner({ session });
    const text = `### pasted\ncurl -H $'X-Note: a\\r\\nX-Injected: 1' ${raw.url}/curl\n`;
    let exchange;
    const sent = await received(async () => (exchange = await runner.runRequest({ path: path.join(dir, 'pasted.http'), text }, 0)));
    await runner.close();
    assert.equal(sent.length, 0);
    assert.ok(exchange!.error);
    assert.match(exchange!.error.message, /pasted\.http:2:1: header contains a line break \(header injection refused\)/);
  });

  test('ricochet curl with CR/LF in -H exits 2 with the reason, nothing sent', async () => {
    const before = raw.requests.length;
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.join(root, 'core/cli/main.ts'), 'curl', `curl -H $'X-Note: a\\r\\nX-Injected: 1' ${raw.url}/cli`],
        { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 },
        (error, _stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
      );
    });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /header injection refused/);
    assert.equal(raw.requests.length, before);
  });
});

describe('request smuggling: user-supplied framing headers', () => {
  function framing(r: RawRequest): string[] {
    return r.rawHeaders.filter(([n]) => /^(content-length|transfer-encoding)$/i.test(n)).map(([n, v]) => `${n.toLowerCase()}: ${v}`);
  }

  test('Transfer-Encoding + Content-Length from the caller never go out as a pair', async () => {
    const sent = await received(() =>
      session.post(`${raw.url}/smuggle`, { headers: { 'Transfer-Encoding': 'chunked', 'Content-Length': '5' }, data: 'hello' }),
    );
    assert.equal(sent.length, 1);
    const lines = framing(sent[0]!);
    assert.equal(lines.length, 1, `one framing header, got ${lines.join(' | ')}`);
    assert.equal(sent[0]!.body.toString(), 'hello');
  });

  test('a Content-Length that lies about the body is not sent as is', async () => {
    const sent = await received(() => session.post(`${raw.url}/smuggle`, { headers: { 'Content-Length': '2' }, data: 'hello' }).catch(() => undefined));
    for (const r of sent) {
      assert.deepEqual(framing(r), ['content-length: 5']);
      assert.equal(r.body.toString(), 'hello');
    }
    // The connection is not left holding "llo" as the start of a next request.
    const sentAfter = await received(() => session.get(`${raw.url}/after`));
    assert.deepEqual(sentAfter.map((r) => r.method + ' ' + r.path), ['GET /after']);
  });

  test('the same pair written in a .http file (and a duplicate Content-Length) → one framing header', async () => {
    const runner = new Runner({ session });
    const text = `POST ${raw.url}/smuggle-file\nTransfer-Encoding: chunked\nContent-Length: 5\nContent-Length: 6\n\nhello\n`;
    const sent = await received(() => runner.runRequest({ path: path.join(dir, 'smuggle.http'), text }, 0));
    await runner.close();
    for (const r of sent) {
      assert.equal(framing(r).length, 1, `one framing header, got ${framing(r).join(' | ')}`);
      assert.equal(r.body.toString(), 'hello');
    }
  });
});
