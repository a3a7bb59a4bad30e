/** The CLI's argument handling, report and exit codes, in process with a stand-in Runner. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../../core/cli/cli.ts';
import type { CliDeps, CliRunnerOptions, OutStream } from '../../../core/cli/cli.ts';
import { formatExchange, formatVerbose, formatSummary, summarize, formatBytes, formatDuration, oneLine } from '../../../core/cli/report.ts';
import { palette, colorEnabled } from '../../../core/cli/colors.ts';
import { progressBar, Progress } from '../../../core/cli/progress.ts';
import type { Exchange } from '../../../core/requests/exchange.ts';
import { makeExchange } from '../language/make-exchange.ts';

function sink(isTTY = false): OutStream & { text: string } {
  return { text: '', isTTY, columns: 80, write(s: string | Uint8Array) { this.text += typeof s === 'string' ? s : Buffer.from(s).toString('utf8'); return true; } };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ricochet-cli-unit-'));
fs.writeFileSync(path.join(dir, 'a.http'), 'GET http://127.0.0.1:1/a\n\n###\nGET http://127.0.0.1:1/b\n');
fs.mkdirSync(path.join(dir, 'sub'));
fs.writeFileSync(path.join(dir, 'sub', 'b.rest'), 'GET http://127.0.0.1:1/c\n');
fs.writeFileSync(path.join(dir, 'sub', 'notes.txt'), 'not a request');

function fakeDeps(results: Exchange[], seen: { options?: CliRunnerOptions; paths?: string[]; filter?: { name?: string } } = {}): CliDeps {
  return {
    version: '9.8.7',
    startServer: async () => ({ url: 'http://127.0.0.1:9', close: async () => {} }),
    createRunner: (options) => {
      seen.options = options;
      return {
        runPaths: async (paths, filter) => {
          seen.paths = paths;
          if (filter) seen.filter = filter;
          const out: Exchange[] = [];
          for (const e of results) {
            if (options.signal?.aborted) break;
            options.onExchange?.(e);
            out.push(e);
          }
          return out;
        },
        runRequest: async () => results[0]!,
        close: async () => {},
      };
    },
  };
}

async function run(argv: string[], deps: CliDeps) {
  const stdout = sink();
  const stderr = sink();
  const code = await runCli(argv, { stdout, stderr, env: { NO_COLOR: '1' }, cwd: dir }, deps);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const ok = makeExchange({ url: 'http://127.0.0.1:1/a', tests: [{ name: 'status == 200', passed: true }], file: path.join(dir, 'a.http'), line: 0 });
const bad = makeExchange({ url: 'http://127.0.0.1:1/b', tests: [{ name: 'status == 201', passed: false, expected: '201', actual: '200' }], file: path.join(dir, 'a.http'), line: 3 });

test('run: options reach the runner; folders expand to .http/.rest files in order', async () => {
  const seen: Parameters<typeof fakeDeps>[1] = {};
  const r = await run(['run', '.', '--env', 'dev', '--var', 'a=1', '--var', 'b=x=y', '--name', 'login', '-k', '--timeout', '1.5s'], fakeDeps([ok], seen));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(seen.paths, [path.join(dir, 'a.http'), path.join(dir, 'sub', 'b.rest')]);
  assert.deepEqual(seen.filter, { name: 'login' });
  assert.equal(seen.options?.envName, 'dev');
  assert.deepEqual(seen.options?.variables, { a: '1', b: 'x=y' });
  assert.equal(seen.options?.verify, false);
  assert.equal(seen.options?.timeout, 1500);
  assert.equal(seen.options?.allowScripts, true);
  assert.match(r.stdout, /✔  GET  http:\/\/127\.0\.0\.1:1\/a  200 OK  12 ms  1\/1 assertions  \(a\.http:1\)/);
});

test('run: exit 1 when an assertion fails, 0 only when all pass; --bail stops the runner', async () => {
  const r = await run(['run', 'a.http'], fakeDeps([bad, ok]));
  assert.equal(r.code, 1);
  assert.match(r.stdout, /2 requests: 1 passed, 1 failed · 2 assertions, 1 failed/);
  const bail = await run(['run', 'a.http', '--bail'], fakeDeps([bad, ok]));
  assert.equal(bail.code, 1);
  assert.match(bail.stdout, /1 request: 0 passed, 1 failed/);
});

test('usage errors exit 2 with a hint', async () => {
  const deps = fakeDeps([]);
  for (const argv of [['frobnicate'], ['run'], ['run', 'missing.http'], ['run', 'a.http', '--var', 'novalue'], ['run', '--nope', 'a.http'], [], ['serve', '--port', 'x'], ['curl'], ['run', 'a.http', '--timeout', 'soon']]) {
    const r = await run(argv, deps);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.length > 0);
  }
  assert.match((await run(['run', 'a.http', '--var', 'novalue'], deps)).stderr, /--var needs name=value, got "novalue"/);
  assert.match((await run(['frobnicate'], deps)).stderr, /unknown command "frobnicate"\nRun "ricochet --help" for usage\./);
  const version = await run(['--version'], deps);
  assert.deepEqual([version.code, version.stdout], [0, '9.8.7\n']);
  const help = await run(['--help'], deps);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /run <files\|dirs…>.*\n.*--env NAME/);
});

test('--junit and --har are written even when requests fail', async () => {
  const r = await run(['run', 'a.http', '--junit', 'o/j.xml', '--har', 'o/r.har'], fakeDeps([ok, bad]));
  assert.equal(r.code, 1);
  assert.match(fs.readFileSync(path.join(dir, 'o/j.xml'), 'utf8'), /<testsuite name="a\.http" tests="2" failures="1" errors="0"/);
  const har = JSON.parse(fs.readFileSync(path.join(dir, 'o/r.har'), 'utf8')) as { log: { creator: { version: string }; entries: unknown[] } };
  assert.equal(har.log.creator.version, '9.8.7');
  assert.equal(har.log.entries.length, 2);
});

test('report line: redirects, errors, notices; colours only when enabled', () => {
  const redirected = makeExchange({ redirects: [{ url: 'http://h/r', status: 302, location: '/get' }], body: 'x'.repeat(2048), name: 'r' });
  const plain = formatExchange(redirected, { colors: palette(false) });
  assert.match(plain[0]!, /^✔  GET  http:\/\/h\/r  200 OK  17 ms  2\.0 KB  1 redirect  r$/);
  const failed = makeExchange({ error: { name: 'ConnectTimeout', message: 'connect timed out after 10 ms' } });
  failed.notices.push('log: hello', 'script not run');
  const lines = formatExchange(failed, { colors: palette(false) });
  assert.match(lines[0]!, /^✘  GET  .*  ConnectTimeout/);
  assert.deepEqual(lines.slice(1), ['    ConnectTimeout: connect timed out after 10 ms', '    log: hello', '    ! script not run']);
  const coloured = formatExchange(redirected, { colors: palette(true) })[0]!;
  assert.match(coloured, /\x1b\[32m✔\x1b\[39m/);
  assert.equal(formatSummary(summarize([redirected, failed]), palette(false)), '2 requests: 1 passed, 1 failed · 0 assertions · 29 ms');
});

test('long or multi-line values are shown on one shortened line', () => {
  assert.equal(oneLine('{\n  "a": 1\n}'), '{ ⏎ "a": 1 ⏎ }');
  assert.equal(oneLine('x'.repeat(200)).length, 120);
  const e = makeExchange({ tests: [{ name: 'body == x', passed: false, expected: 'x', actual: 'line one\nline two' }] });
  assert.match(formatExchange(e, { colors: palette(false) })[1]!, /expected x  actual line one ⏎ line two$/);
});

test('verbose: every hop as sent and received; binary bodies summarised, text shown', () => {
  const e = makeExchange({
    redirects: [{ url: 'http://h/start', status: 302, location: '/get' }],
    url: 'http://h/get', headers: [['Content-Type', 'image/png']], contentType: 'image/png', body: new Uint8Array([0x89, 0x50, 0, 1]),
  });
  const lines = formatVerbose(e, { colors: palette(false) });
  assert.ok(lines.includes('  > GET http://h/start'));
  assert.ok(lines.includes('  < HTTP/1.1 302 Found'));
  assert.ok(lines.includes('  < Location: /get'));
  assert.ok(lines.includes('  (image/png body, 4 B)'));
  const text = formatVerbose(makeExchange({ contentType: 'application/json', body: '{"a":1}' }), { colors: palette(false) });
  assert.ok(text.includes('  {"a":1}'));
});

test('colour rules: TTY only, NO_COLOR wins, FORCE_COLOR forces', () => {
  assert.equal(colorEnabled({ isTTY: true }, {}), true);
  assert.equal(colorEnabled({ isTTY: false }, {}), false);
  assert.equal(colorEnabled({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' }), true);
  assert.equal(colorEnabled({ isTTY: true }, { TERM: 'dumb' }), false);
});

test('sizes, durations and the progress bar', async () => {
  assert.deepEqual([formatBytes(512), formatBytes(1536), formatBytes(5 * 1024 * 1024)], ['512 B', '1.5 KB', '5.0 MB']);
  assert.deepEqual([formatDuration(12.4), formatDuration(1500), formatDuration(61_000)], ['12 ms', '1.50 s', '1 m 1 s']);
  assert.equal(progressBar(0.5, 10), '[====>     ]  50%');
  assert.equal(progressBar(1, 10), '[==========] 100%');
  const tty = sink(true);
  const p = new Progress(tty, { delay: 0 });
  p.start('GET http://h/big');
  p.update(512 * 1024, 1024 * 1024);
  await new Promise((r) => setTimeout(r, 250));
  p.stop();
  assert.match(tty.text, /\d+ ms  \[=+>? *\]  50%  512\.0 KB \/ 1\.0 MB  GET http:\/\/h\/big/);
  assert.ok(tty.text.endsWith('\r\x1b[2K'), 'the line is erased before other output');
  const piped = sink(false);
  const q = new Progress(piped, { delay: 0 });
  q.start('x');
  await new Promise((r) => setTimeout(r, 150));
  q.stop();
  assert.equal(piped.text, '', 'nothing on a pipe');
});
