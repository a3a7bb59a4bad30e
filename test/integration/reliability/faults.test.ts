// The fault matrix, through a Session (what users call): every misbehaving server of issue 8
// maps to the documented Requests exception, with a message naming host:port and the cause in
// words, and the same Session then completes a normal request. The Runner turns each fault into
// an Exchange with `error` (never a throw), and `ricochet run` against a dead server prints
// `file:line` and exits 1. Adapter-level detail (retries, streaming, AbortSignal) lives in
// test/integration/requests/adapter-faults.test.ts; this file is the user's view of the same.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeResponse, type RawServer } from '../../servers/raw.ts';
import { startFaultServer, type FaultRoute } from '../../servers/faults.ts';
import { makeCertificates, type Certs } from '../../servers/certs.ts';
import { startTlsServer } from '../../servers/tls.ts';
import type { RunningServer } from '../../../core/httpbin/server.ts';
import { Session, type RequestOptions } from '../../../core/requests/sessions.ts';
import { Runner } from '../../../core/language/runner.ts';
import {
  ChunkedEncodingError,
  ConnectionError,
  ContentDecodingError,
  ReadTimeout,
  RequestException,
  SSLError,
  Timeout,
  TooManyRedirects,
} from '../../../core/requests/exceptions.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let raw: RawServer;
let certs: Certs;
let tls: Record<'expired' | 'wrongHost' | 'selfSigned' | 'mutual', RunningServer>;
let deadPort: number;
let dir: string;
const session = new Session();
session.env = {}; // no proxies, netrc or CA variables from the machine running the tests
session.maxRedirects = 5;

// Beyond the shared catalogue (test/servers/faults.ts): what only the Session matrix needs.
const extraRoutes: Record<string, FaultRoute> = {
  // The extra bytes stay on a keep-alive socket: they must neither join this body nor poison the next response.
  '/long-body': (s) => void s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 666 Smuggled\r\nContent-Length: 0\r\n\r\n'),
  '/loop': (s) => void writeResponse(s, { status: 302, reason: 'Found', headers: { Location: '/loop' } }),
};

/** Every fd this process has open (sockets of both ends, since the servers live here too). */
const openFds = (): number => fs.readdirSync('/proc/self/fd').length;

before(async () => {
  certs = await makeCertificates();
  raw = await startFaultServer(extraRoutes);
  const [expired, wrongHost, selfSigned, mutual] = await Promise.all([
    startTlsServer({ cert: certs.expired.cert, key: certs.expired.key }),
    startTlsServer({ cert: certs.wrongHost.cert, key: certs.wrongHost.key }),
    startTlsServer({ cert: certs.selfSigned.cert, key: certs.selfSigned.key }),
    startTlsServer({ cert: certs.valid.cert, key: certs.valid.key, ca: certs.ca.cert, requestCert: true }),
  ]);
  tls = { expired: expired!, wrongHost: wrongHost!, selfSigned: selfSigned!, mutual: mutual! };
  // A port that was just free: nothing listens there.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  deadPort = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ricochet-faults-'));
});

after(async () => {
  await session.close();
  await raw.close();
  await Promise.all(Object.values(tls).map((s) => s.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

type ErrorClass = abstract new (...args: never[]) => RequestException;

interface FaultRow {
  fault: string;
  url: () => string;
  options?: RequestOptions;
  /** The documented exception; a successful response is checked by `response` instead. */
  expect?: ErrorClass;
  /** The error message says what went wrong, in words. */
  cause?: RegExp;
  /** For faults whose right outcome is a response (extra bytes after the body). */
  response?: (r: { statusCode: number; text: string }) => void;
  /** host:port (or host) the message must name. */
  host?: () => string;
  /** Runner option for the row; `false` where a .http request cannot express the option. */
  runner?: { timeout?: number } | false;
  /** Set when the library maps the fault wrongly: reported, kept visible, not failing the suite. */
  todo?: string;
}

const local = (p: string) => () => `${raw.url}${p}`;
const rawHost = () => `127.0.0.1:${raw.port}`;
const ca = () => certs.ca.certPath;

const rows: FaultRow[] = [
  { fault: 'connection reset mid-body', url: local('/reset-mid-body'), expect: ChunkedEncodingError, cause: /reset|closed|terminated|ended/i },
  { fault: 'truncated chunked encoding', url: local('/truncated-chunked'), expect: ChunkedEncodingError, cause: /chunk|ended|incomplete|closed/i },
  { fault: 'invalid gzip data', url: local('/bad-gzip'), expect: ContentDecodingError, cause: /content-encoding: gzip/ },
  { fault: 'invalid br data', url: local('/bad-br'), expect: ContentDecodingError, cause: /content-encoding: br/ },
  { fault: 'invalid zstd data', url: local('/bad-zstd'), expect: ContentDecodingError, cause: /content-encoding: zstd/ },
  { fault: 'body shorter than Content-Length', url: local('/short-body'), expect: ChunkedEncodingError, cause: /IncompleteRead\(20 bytes read, 30 more expected\)/ },
  {
    fault: 'body longer than Content-Length',
    url: local('/long-body'),
    // Like curl and http.client: the declared length is the body; the excess is dropped with the connection.
    response: (r) => {
      assert.equal(r.statusCode, 200);
      assert.equal(r.text, 'hello');
    },
  },
  {
    fault: 'conflicting Content-Length headers',
    url: local('/conflicting-length'),
    expect: ConnectionError,
    // The cause is two Content-Length values that disagree, not a body of the wrong length.
    cause: /conflicting Content-Length headers/i,
  },
  {
    fault: 'drip past the read timeout',
    url: local('/drip'),
    options: { timeout: { connect: 5000, read: 400 } },
    runner: { timeout: 400 },
    expect: ReadTimeout,
    cause: /read timeout=400 ms/,
  },
  {
    fault: 'total deadline on a slow, steady body',
    url: local('/slow-steady'),
    options: { timeout: { connect: 5000, read: 5000, total: 500 } },
    runner: false, // .http files and the Runner have a per-read timeout only
    expect: ReadTimeout,
    cause: /total timeout=500 ms/,
  },
  { fault: 'redirect loop', url: local('/loop'), expect: TooManyRedirects, cause: /Exceeded 5 redirects/ },
  { fault: 'garbage status line', url: local('/garbage-status'), expect: ConnectionError, cause: /bad response|status/i },
  { fault: 'oversized response headers', url: local('/oversized-headers'), expect: ConnectionError, cause: /too large|overflow/i },
  {
    fault: 'connection refused',
    url: () => `http://127.0.0.1:${deadPort}/`,
    host: () => `127.0.0.1:${deadPort}`,
    expect: ConnectionError,
    cause: /refused/i,
  },
  {
    fault: 'unresolvable host',
    url: () => 'http://no-such-host.invalid:8080/',
    host: () => 'no-such-host.invalid',
    options: { timeout: 5000 },
    expect: ConnectionError,
    cause: /Failed to resolve 'no-such-host\.invalid'/,
  },
  {
    fault: 'TLS: expired certificate',
    url: () => `${tls.expired.url}/get`,
    host: () => `127.0.0.1:${tls.expired.port}`,
    options: { verify: '' },
    expect: SSLError,
    cause: /certificate has expired/,
  },
  {
    fault: 'TLS: wrong host',
    url: () => `${tls.wrongHost.url}/get`,
    host: () => `127.0.0.1:${tls.wrongHost.port}`,
    options: { verify: '' },
    expect: SSLError,
    cause: /hostname mismatch/,
  },
  {
    fault: 'TLS: self-signed certificate',
    url: () => `${tls.selfSigned.url}/get`,
    host: () => `127.0.0.1:${tls.selfSigned.port}`,
    expect: SSLError,
    cause: /self-signed certificate/,
  },
  {
    fault: 'TLS: client certificate required',
    url: () => `${tls.mutual.url}/get`,
    host: () => `127.0.0.1:${tls.mutual.port}`,
    options: { verify: '' },
    expect: SSLError,
    cause: /requires a client certificate/,
  },
];

/** `verify: ''` in a row stands for "the test CA bundle" (its path exists only once `before` ran). */
function optionsOf(row: FaultRow): RequestOptions {
  const options: RequestOptions = { timeout: 10_000, ...row.options };
  if (options.verify === '') options.verify = ca();
  return options;
}

async function stillUsable(): Promise<void> {
  const r = await session.get(`${raw.url}/ok`, { timeout: 5000 });
  assert.equal(r.statusCode, 200);
  assert.equal(r.text, 'fine');
}

/** The exception each row raised, for the cross-row checks and the optional report. */
const seen = new Map<string, RequestException>();

describe('fault matrix through one Session', () => {
  let fdsBefore = 0;
  before(async () => {
    await stillUsable(); // the pool holds its keep-alive socket before counting
    fdsBefore = openFds();
  });

  for (const row of rows) {
    test(`${row.fault} → ${row.expect?.name ?? 'response'}`, { ...(row.todo ? { todo: row.todo } : {}) }, async () => {
      const outcome = await session.get(row.url(), optionsOf(row)).then(
        (r) => ({ r }),
        (e: unknown) => ({ e }),
      );
      if (row.response) {
        assert.ok('r' in outcome, `expected a response, got ${'e' in outcome ? String(outcome.e) : ''}`);
        row.response(outcome.r);
      } else {
        assert.ok('e' in outcome, `expected ${row.expect!.name}, got a ${'r' in outcome ? outcome.r.statusCode : ''} response`);
        const err = outcome.e;
        assert.ok(err instanceof row.expect!, `expected ${row.expect!.name}, got ${String(err)}`);
        seen.set(row.fault, err);
        assert.ok(err.message.includes((row.host ?? rawHost)()), `message names ${(row.host ?? rawHost)()}: ${err.message}`);
        assert.match(err.message, row.cause!);
      }
      await stillUsable();
    });
  }

  test('every fault exception carries the request it was about', () => {
    const missing = [...seen].filter(([, err]) => (err.request as { url?: string } | undefined)?.url === undefined).map(([fault, err]) => `${fault} (${err.name})`);
    assert.deepEqual(missing, []);
  });

  test('ReadTimeout of the deadline rows is also a Timeout', async () => {
    const err = await session.get(`${raw.url}/slow-steady`, { timeout: { read: 5000, total: 300 } }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof Timeout, String(err));
  });

  after(() => {
    // RICOCHET_FAULT_REPORT=file writes each row's exception and message (for bench/results/reliability.md).
    const out = process.env.RICOCHET_FAULT_REPORT;
    if (!out) return;
    const lines = ['| fault | exception | message |', '|---|---|---|'];
    for (const row of rows) {
      const err = seen.get(row.fault);
      const message = err ? err.message.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT').replace(/\|/g, '\\|') : '(response, see test)';
      lines.push(`| ${row.fault} | ${err?.name ?? '—'} | ${message} |`);
    }
    fs.writeFileSync(out, lines.join('\n') + '\n');
  });

  test('no socket leaked across the whole matrix', async () => {
    await stillUsable();
    // Give sockets closed by the faults a moment to be released by the kernel/libuv.
    let now = openFds();
    for (let i = 0; i < 20 && now > fdsBefore + 2; i++) {
      await sleep(100);
      now = openFds();
    }
    assert.ok(now <= fdsBefore + 2, `open fds ${fdsBefore} before the matrix, ${now} after`);
  });
});

describe('the Runner records each fault as an Exchange with error', () => {
  for (const row of rows) {
    if (row.runner === false || row.response) continue;
    test(`${row.fault} → Exchange.error ${row.expect!.name}`, { ...(row.todo ? { todo: row.todo } : {}) }, async () => {
      const file = path.join(dir, 'faults.http');
      const text = `# a comment line\nGET ${row.url()}\n`;
      const runner = new Runner({ session, verify: row.options?.verify === '' ? ca() : true, timeout: (row.runner || undefined)?.timeout ?? 10_000 });
      const exchange = await runner.runRequest({ path: file, text }, 0);
      await runner.close(); // does not close a Session it was given
      assert.ok(exchange.error, 'the exchange records an error');
      assert.equal(exchange.error.name, row.expect!.name);
      assert.match(exchange.error.message, row.cause!);
      assert.deepEqual(exchange.source, { file, line: 1 });
      assert.ok(exchange.hops.length >= 1);
      assert.equal(exchange.hops[0]!.request.url, row.url());
      await stillUsable();
    });
  }
});

test('ricochet run against a dead server: file:line context on the failed request, exit 1', async () => {
  const file = path.join(dir, 'dead.http');
  fs.writeFileSync(file, `### fine\nGET ${raw.url}/ok\n\n### dead\n# @name dead\nGET http://127.0.0.1:${deadPort}/nothing\n`);
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'core/cli/main.ts'), 'run', 'dead.http'],
      { cwd: dir, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
  assert.equal(result.code, 1, result.stdout + result.stderr);
  const out = result.stdout + result.stderr;
  assert.match(out, new RegExp(`✔ +GET +${raw.url.replace(/[.]/g, '\\.')}/ok.*\\(dead\\.http:2\\)`));
  assert.match(out, new RegExp(`✘ +GET +http://127\\.0\\.0\\.1:${deadPort}/nothing +ConnectionError.*dead \\(dead\\.http:6\\)`));
  assert.match(out, new RegExp(`ConnectionError: .*127\\.0\\.0\\.1:${deadPort}.*refused`, 'i'));
});
