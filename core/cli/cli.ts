/**
 * The `ricochet` command:
 *
 *   ricochet run <files|dirs…> [--env NAME] [--var k=v…] [--name REQUEST] [--junit FILE] [--har FILE] [--bail] [--insecure] [--verbose]
 *   ricochet curl '<curl command>'
 *   ricochet serve [--port N]
 *   ricochet demo
 *
 * `runCli` takes the arguments and the streams and returns the exit status: 0 when every request
 * and assertion passed, 1 when something failed, 2 for a usage error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Exchange } from '../requests/exchange.ts';
import { parseHttpFile } from '../language/parser.ts';
import { parseCurl, CurlParseError } from '../language/curl.ts';
import { shellQuote } from '../language/export.ts';
import { toHar } from '../language/har.ts';
import { toJUnit, exchangeOutcome } from '../language/junit.ts';
import { parseDuration } from '../language/resolver.ts';
import { colorEnabled, palette } from './colors.ts';
import type { Palette } from './colors.ts';
import { Progress } from './progress.ts';
import { formatExchange, formatSummary, formatVerbose, summarize } from './report.ts';

export interface OutStream {
  write(s: string | Uint8Array): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIO {
  stdout: OutStream;
  stderr: OutStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted on Ctrl-C: stops the run. */
  signal?: AbortSignal;
}

/** The part of core/language/runner.ts's RunnerOptions the CLI uses. */
export interface CliRunnerOptions {
  envName?: string;
  variables?: Record<string, string>;
  verify?: boolean;
  timeout?: number;
  signal?: AbortSignal;
  allowScripts?: boolean;
  onExchange?: (exchange: Exchange) => void;
  onRequestStart?: (info: { file: string; name?: string; title?: string; line: number; method: string; url: string }) => void;
  onProgress?: (info: { file: string; line: number; received: number; total?: number }) => void;
}

export interface CliRunner {
  runPaths(paths: string[], filter?: { name?: string }): Promise<Exchange[]>;
  runRequest(source: { path: string; text?: string }, which: number): Promise<Exchange>;
  close(): Promise<void>;
}

export interface CliDeps {
  createRunner(options: CliRunnerOptions): CliRunner;
  startServer(options: { port?: number; host?: string }): Promise<{ url: string; close(): Promise<void> }>;
  version: string;
  /** Extra lines for `ricochet serve` (e.g. the demo accounts). */
  serverNotes?: string[];
  /** Where `ricochet demo` finds its .http files by default. */
  examplesDir?: string;
}

export const USAGE = `Usage: ricochet <command> [options]

Commands:
  run <files|dirs…>     Run .http/.rest files (folders: every .http/.rest file inside, sorted)
      --env NAME          environment from http-client.env.json (+ private, $shared)
      --var k=v           set a variable (repeatable); beats the environment, not file variables
      --name REQUEST      run only the request with this @name (and what it depends on)
      --junit FILE        write JUnit XML
      --har FILE          write a HAR 1.2 log of every hop
      --bail              stop at the first failure
      --insecure, -k      do not verify TLS certificates
      --timeout T         default timeout per request: 5s, 500ms, 2m (a bare number is seconds)
      --verbose, -v       print each request as sent and each response head (credentials masked)
      --show-credentials  with --verbose: print Authorization and cookie values as sent
      --no-scripts        do not run JetBrains handler scripts
  curl '<command>'      Run a curl command line (body to stdout, status to stderr)
      -v, -k, -i          ricochet options, before the command: verbose, insecure, show headers
      --show-credentials  with -v: print Authorization and cookie values as sent
  serve [--port N]      Start the built-in httpbin-like server for trying requests offline
  demo [--port N]       Start the server and run examples/*.http against it

Options:
  --help, -h            Show this help
  --version             Show the version

Exit status: 0 when every request and assertion passed, 1 when something failed, 2 for usage errors.
`;

class UsageError extends Error {
  override name = 'UsageError';
}

function println(stream: OutStream, line = ''): void {
  stream.write(line + '\n');
}

/** Expands folders into their .http/.rest files (recursive, sorted); checks files exist. */
export function expandPaths(inputs: string[], cwd: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(http|rest)$/i.test(entry.name)) out.push(full);
    }
  };
  for (const input of inputs) {
    const full = path.resolve(cwd, input);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(full);
    } catch {
      throw new UsageError(`no such file or directory: ${input}`);
    }
    if (stat.isDirectory()) walk(full);
    else out.push(full);
  }
  return [...new Set(out)];
}

function displayPathFor(cwd: string): (file: string) => string {
  return (file) => {
    const rel = path.relative(cwd, file);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
  };
}

/** `file:line:col: severity: message` for every error in the files; returns the files that have none. */
function checkFiles(files: string[], io: CliIO, c: Palette): { ok: string[]; bad: number } {
  const ok: string[] = [];
  let bad = 0;
  const shown = displayPathFor(io.cwd);
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      println(io.stderr, `${shown(file)}: ${c.red('error')}: cannot read: ${(e as Error).message}`);
      bad++;
      continue;
    }
    const parsed = parseHttpFile(text, { uri: file });
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
    for (const d of errors) {
      println(io.stderr, `${shown(file)}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${c.red('error')}: ${d.message}`);
    }
    if (errors.length) bad++;
    else ok.push(file);
  }
  return { ok, bad };
}

function parseVars(list: string[] | undefined): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--var needs name=value, got "${item}"`);
    vars[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return vars;
}

function writeOutput(file: string, content: string, io: CliIO, what: string): void {
  const full = path.resolve(io.cwd, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, content);
  println(io.stderr, `${what} written to ${displayPathFor(io.cwd)(full)}`);
}

export interface RunOptions {
  paths: string[];
  env?: string;
  vars?: Record<string, string>;
  name?: string;
  junit?: string;
  har?: string;
  bail?: boolean;
  insecure?: boolean;
  verbose?: boolean;
  showCredentials?: boolean;
  scripts?: boolean;
  /** Milliseconds. */
  timeout?: number;
}

/** `ricochet run`: returns the exit status. */
export async function runCommand(opts: RunOptions, io: CliIO, deps: CliDeps): Promise<number> {
  const c = palette(colorEnabled(io.stdout, io.env));
  const files = expandPaths(opts.paths, io.cwd);
  if (files.length === 0) throw new UsageError(`no .http or .rest files in ${opts.paths.join(', ')}`);
  const { ok, bad } = checkFiles(files, io, c);
  const shown = displayPathFor(io.cwd);
  const report = { colors: c, displayPath: shown, showCredentials: opts.showCredentials === true };
  const progress = new Progress(io.stdout, { enabled: io.stdout.isTTY === true && c.enabled !== false && io.env.CI === undefined });
  const bail = new AbortController();
  const signal = io.signal ? AbortSignal.any([io.signal, bail.signal]) : bail.signal;
  const seen: Exchange[] = [];
  let failedEarly = false;
  const runner = deps.createRunner({
    ...(opts.env !== undefined ? { envName: opts.env } : {}),
    variables: opts.vars ?? {},
    ...(opts.insecure ? { verify: false } : {}),
    ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}),
    allowScripts: opts.scripts !== false,
    signal,
    onRequestStart: (info) => progress.start(`${info.method} ${info.url}`),
    onProgress: (info) => progress.update(info.received, info.total),
    onExchange: (exchange) => {
      progress.stop();
      seen.push(exchange);
      for (const line of formatExchange(exchange, report)) println(io.stdout, line);
      if (opts.verbose) for (const line of formatVerbose(exchange, report)) println(io.stdout, line);
      if (opts.bail && exchangeOutcome(exchange) !== 'passed' && !failedEarly) {
        failedEarly = true;
        bail.abort(new Error('--bail: stopping at the first failure'));
      }
    },
  });
  let runError: Error | undefined;
  let exchanges: Exchange[] = [];
  try {
    if (ok.length) exchanges = await runner.runPaths(ok, opts.name !== undefined ? { name: opts.name } : undefined);
  } catch (e) {
    runError = e as Error;
  } finally {
    progress.stop();
    await runner.close();
  }
  // The runner's own list is authoritative; exchanges only reported through onExchange still count.
  const all = exchanges.length >= seen.length ? exchanges : seen;
  for (const e of exchanges) {
    if (!seen.includes(e)) {
      seen.push(e);
      for (const line of formatExchange(e, report)) println(io.stdout, line);
      if (opts.verbose) for (const line of formatVerbose(e, report)) println(io.stdout, line);
    }
  }
  if (runError && !(failedEarly && signal.aborted)) {
    println(io.stderr, `${c.red('error')}: ${runError.message}`);
  }
  if (failedEarly) println(io.stderr, c.yellow('--bail: stopped at the first failure'));
  if (opts.name !== undefined && all.length === 0 && !runError && bad === 0) {
    println(io.stderr, `${c.red('error')}: no request named "${opts.name}" in ${opts.paths.join(', ')}`);
    runError = new Error('no request matched');
  }
  println(io.stdout);
  println(io.stdout, formatSummary(summarize(all), c) + (bad ? ` · ${c.red(`${bad} file${bad > 1 ? 's' : ''} with errors`)}` : ''));
  const creator = { name: 'ricochet', version: deps.version };
  if (opts.har) writeOutput(opts.har, JSON.stringify(toHar(all, creator), null, 2) + '\n', io, 'HAR');
  if (opts.junit) writeOutput(opts.junit, toJUnit(all, { displayPath: shown }), io, 'JUnit XML');
  const allPassed = all.every((e) => exchangeOutcome(e) === 'passed');
  if (io.signal?.aborted) return 130;
  return bad === 0 && !runError && !failedEarly && allPassed ? 0 : 1;
}

/** `ricochet curl '<command>'`: prints the body to stdout and a status line to stderr. */
export async function curlCommand(args: string[], io: CliIO, deps: CliDeps): Promise<number> {
  const c = palette(colorEnabled(io.stderr, io.env));
  let verbose = false;
  let insecure = false;
  let include = false;
  let showCredentials = false;
  let har: string | undefined;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-v' || a === '--verbose') verbose = true;
    else if (a === '-k' || a === '--insecure') insecure = true;
    else if (a === '-i' || a === '--include') include = true;
    else if (a === '--show-credentials') showCredentials = true;
    else if (a === '--har') har = args[++i];
    else break;
  }
  const rest = args.slice(i);
  if (rest.length === 0) throw new UsageError(`ricochet curl needs a curl command, e.g. ricochet curl 'curl https://example.com'`);
  // One argument is the whole command line; several are its words, already split by the shell.
  let command = rest.length === 1 ? rest[0]! : rest.map(shellQuote).join(' ');
  if (!/^\s*\S*curl(\.exe)?(\s|$)/i.test(command)) command = `curl ${command}`;
  let spec;
  try {
    spec = parseCurl(command, { cwd: io.cwd }); // check it here: a bad command is a usage error
  } catch (e) {
    if (e instanceof CurlParseError) {
      println(io.stderr, `${c.red('error')}: ${e.message}`);
      println(io.stderr, `  ${command.replace(/\s+/g, ' ')}`);
      return 2;
    }
    throw e;
  }
  // The Runner sends it, as it would a `curl …` request in a .http file (paths relative to cwd).
  const progress = new Progress(io.stderr);
  progress.start(`${spec.method} ${spec.url}`);
  const runner = deps.createRunner({
    ...(insecure ? { verify: false } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
    onProgress: (info) => progress.update(info.received, info.total),
  });
  let exchange: Exchange;
  try {
    exchange = await runner.runRequest({ path: path.join(io.cwd, 'command-line.http'), text: command }, 0);
  } finally {
    progress.stop();
    await runner.close();
  }
  const report = { colors: c, showCredentials };
  if (verbose) for (const line of formatVerbose({ ...exchange, body: undefined } as Exchange, report)) println(io.stderr, line);
  const last = exchange.hops.at(-1)!;
  if (include && last.response) {
    println(io.stdout, `HTTP/${last.response.httpVersion} ${last.response.statusCode} ${last.response.reason}`);
    for (const [n, v] of last.response.headers) println(io.stdout, `${n}: ${v}`);
    println(io.stdout);
  }
  if (exchange.body) io.stdout.write(exchange.body.bytes); // as received: binary bodies stay intact when redirected to a file
  if (exchange.body && exchange.body.size > 0 && io.stdout.isTTY) println(io.stdout);
  for (const line of formatExchange(exchange, report)) println(io.stderr, line);
  if (har) writeOutput(har, JSON.stringify(toHar([exchange], { name: 'ricochet', version: deps.version }), null, 2) + '\n', io, 'HAR');
  return exchangeOutcome(exchange) === 'passed' ? 0 : 1;
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be a number from 0 to 65535, got "${value}"`);
  return n;
}

function waitForAbort(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return; // runs until the process is killed
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Entry point: returns the exit status. */
export async function runCli(argv: string[], io: CliIO, deps: CliDeps): Promise<number> {
  const c = palette(colorEnabled(io.stderr, io.env));
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      (command === undefined ? io.stderr : io.stdout).write(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-V') {
      println(io.stdout, deps.version);
      return 0;
    }
    if (command === 'curl') return await curlCommand(rest, io, deps);
    if (command === 'run') {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          env: { type: 'string' },
          var: { type: 'string', multiple: true },
          name: { type: 'string' },
          junit: { type: 'string' },
          har: { type: 'string' },
          bail: { type: 'boolean' },
          insecure: { type: 'boolean', short: 'k' },
          verbose: { type: 'boolean', short: 'v' },
          'show-credentials': { type: 'boolean' },
          timeout: { type: 'string' },
          'no-scripts': { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help) {
        io.stdout.write(USAGE);
        return 0;
      }
      if (positionals.length === 0) throw new UsageError('ricochet run needs at least one .http file or folder');
      const opts: RunOptions = { paths: positionals, vars: parseVars(values.var) };
      if (values.env !== undefined) opts.env = values.env;
      if (values.name !== undefined) opts.name = values.name;
      if (values.junit !== undefined) opts.junit = values.junit;
      if (values.har !== undefined) opts.har = values.har;
      if (values.bail) opts.bail = true;
      if (values.insecure) opts.insecure = true;
      if (values.verbose) opts.verbose = true;
      if (values['show-credentials']) opts.showCredentials = true;
      if (values['no-scripts']) opts.scripts = false;
      if (values.timeout !== undefined) {
        const ms = parseDuration(values.timeout);
        if (ms === undefined || ms <= 0) throw new UsageError(`--timeout takes a duration like 5s or 500ms, got "${values.timeout}"`);
        opts.timeout = ms;
      }
      return await runCommand(opts, io, deps);
    }
    if (command === 'serve' || command === 'demo') {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: command === 'demo',
        options: { port: { type: 'string', short: 'p' }, host: { type: 'string' }, verbose: { type: 'boolean', short: 'v' }, help: { type: 'boolean', short: 'h' } },
      });
      if (values.help) {
        io.stdout.write(USAGE);
        return 0;
      }
      const port = parsePort(values.port);
      const server = await deps.startServer({ ...(port !== undefined ? { port } : {}), ...(values.host !== undefined ? { host: values.host } : {}) });
      if (command === 'serve') {
        println(io.stdout, `${c.green('ricochet serve')}: httpbin-like server on ${c.bold(server.url)}  (Ctrl-C to stop)`);
        for (const note of deps.serverNotes ?? []) println(io.stdout, `  ${note}`);
        await waitForAbort(io.signal);
        await server.close();
        return 0;
      }
      try {
        const dir = positionals[0] ?? deps.examplesDir;
        if (!dir) throw new UsageError('cannot find the examples folder; pass it: ricochet demo <dir>');
        println(io.stdout, c.dim(`demo server on ${server.url} · running ${displayPathFor(io.cwd)(path.resolve(io.cwd, dir))}`));
        println(io.stdout);
        return await runCommand({ paths: [dir], env: 'demo', vars: { baseUrl: server.url }, ...(values.verbose ? { verbose: true } : {}) }, io, deps);
      } finally {
        await server.close();
      }
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      println(io.stderr, `ricochet: ${(e as Error).message}`);
      println(io.stderr, `Run "ricochet --help" for usage.`);
      return 2;
    }
    throw e;
  }
}
