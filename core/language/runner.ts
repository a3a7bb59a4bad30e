/**
 * The Runner sends requests from `.http` files: one request, a whole file, or folders, in file
 * order, on one Session per run (cookies flow between requests). Every result is an `Exchange`
 * — failures too (unresolved variable, refused connection, …): the Runner only throws for
 * caller mistakes (no such request, unknown environment).
 *
 *   const runner = new Runner({ envName: 'dev' });
 *   const exchanges = await runner.runFile({ path: 'api.http' });
 *   await runner.close();
 */
import { existsSync, openAsBlob, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { HttpFile, HttpRequestNode, ScriptNode } from './ast.ts';
import { requestAtLine } from './ast.ts';
import { parseHttpFile } from './parser.ts';
import type { RequestSpec } from './request-spec.ts';
import { createResolver, resolveRequest, ResolveError } from './resolver.ts';
import { VariableError, type VariableResolver } from './variables.ts';
import { environmentsFor, loadDotenv, mergeEnvironmentSets, selectEnvironment, SHARED } from './environments.ts';
import { parseAssertion, evaluateAssertion } from './assertions.ts';
import { runPreRequestScript, runResponseHandler, type ScriptContext } from './scripts.ts';
import { Session } from '../requests/sessions.ts';
import { Request, type Response } from '../requests/models.ts';
import type { FileSpec } from '../requests/multipart.ts';
import { RequestsCookieJar } from '../requests/cookies.ts';
import { HTTPDigestAuth } from '../requests/auth.ts';
import { errorExchange, toExchange } from '../requests/record.ts';
import type { Exchange, ExchangeSource, HeaderList, TestResult } from '../requests/exchange.ts';

export interface RunnerOptions {
  /** Default: a new Session owned (and closed) by the runner. */
  session?: Session;
  /** Environment to use. */
  envName?: string;
  /** REST Client settings shape, incl. `$shared`; wins over `http-client.env.json` files. */
  environments?: Record<string, Record<string, string>>;
  /** Caller overrides (CLI --var): above the environment, below file and request variables. */
  variables?: Record<string, string>;
  /** Default true; false → scripts skipped with a notice on the Exchange. */
  allowScripts?: boolean;
  /** Default true; false → $processEnv/$dotenv/file bodies refused. */
  allowFileAccess?: boolean;
  prompt?: (name: string, description: string | undefined, isSecret: boolean) => Promise<string | undefined>;
  /** For `@note`: false → the request is not sent. Without it, the request is sent with a notice. */
  confirm?: (message: string) => Promise<boolean>;
  signal?: AbortSignal;
  /** Default true; false = --insecure. A string is a CA bundle path. */
  verify?: boolean | string;
  /** Default per-request timeout in ms. */
  timeout?: number;
  followRedirects?: boolean;
  maxRedirects?: number;
  defaultHeaders?: Record<string, string>;
  /** After each request (incl. dependencies sent first). */
  onExchange?: (exchange: Exchange) => void;
  onRequestStart?: (info: { file: string; name?: string; title?: string; line: number; method: string; url: string }) => void;
  /** Response body bytes kept in the Exchange; the rest is counted, not kept. Default 50 MiB. */
  maxBodyBytes?: number;
  /** Download progress of the response body (for progress bars). */
  onProgress?: (info: { file: string; line: number; received: number; total?: number }) => void;
  /** Environment files are looked for from the .http file's folder up to here (default: filesystem root). */
  workspaceRoot?: string;
  /** Time limit of each handler script in ms (default: scripts.ts's). */
  scriptTimeout?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 50 * 1024 * 1024;
const HTTP_EXTENSIONS = new Set(['.http', '.rest']);

interface LoadedFile {
  path: string;
  file: HttpFile;
  environment: Record<string, string>;
  shared: Record<string, string>;
  dotenv?: Record<string, string>;
}

/** A run cancelled by the caller's signal. */
function cancelled(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function sourceOf(loaded: LoadedFile, request: HttpRequestNode): ExchangeSource {
  const source: ExchangeSource = {
    file: loaded.path,
    line: request.requestLine?.range.start.line ?? request.curl?.range.start.line ?? request.range.start.line,
  };
  if (request.name) source.name = request.name;
  if (request.title) source.title = request.title;
  return source;
}

function joinHeaders(headers: HeaderList): Array<[string, string]> {
  // Duplicate header lines become one (Cookie joins with "; ", others with ", ").
  const out = new Map<string, [string, string]>();
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    const prev = out.get(key);
    if (prev) prev[1] = `${prev[1]}${key === 'cookie' ? '; ' : ', '}${value}`;
    else out.set(key, [name, value]);
  }
  return [...out.values()];
}

/** A `RequestSpec` as a core `Request`. */
async function toRequest(spec: RequestSpec, defaults: Record<string, string> | undefined): Promise<Request> {
  const headers = joinHeaders(spec.headers);
  for (const [name, value] of Object.entries(defaults ?? {})) {
    if (!headers.some(([n]) => n.toLowerCase() === name.toLowerCase())) headers.push([name, value]);
  }
  const init: ConstructorParameters<typeof Request>[0] = { method: spec.method, url: spec.url, headers };
  const body = spec.body;
  if (body) {
    switch (body.kind) {
      case 'text':
        init.data = body.encoding === 'latin1' ? new Uint8Array(Buffer.from(body.text, 'latin1')) : body.text;
        break;
      case 'bytes':
        init.data = body.bytes;
        break;
      case 'file':
        // A Blob has a known size (Content-Length) and can be re-sent on a 307/308.
        init.data = await openAsBlob(body.path);
        break;
      case 'form':
        init.data = body.fields.map(([k, v]) => [k, v] as [string, string]);
        break;
      case 'multipart': {
        const data: Array<[string, string]> = [];
        const files: Array<[string, FileSpec]> = [];
        for (const part of body.parts) {
          if (part.path === undefined && part.filename === undefined) {
            data.push([part.name, part.value ?? '']);
            continue;
          }
          const file: FileSpec = { content: part.path !== undefined ? { path: part.path } : (part.value ?? '') };
          if (part.filename !== undefined) file.filename = part.filename;
          if (part.contentType !== undefined) file.contentType = part.contentType;
          files.push([part.name, file]);
        }
        if (data.length) init.data = data;
        init.files = files;
        break;
      }
    }
  }
  if (spec.digestAuth) init.auth = new HTTPDigestAuth(spec.digestAuth[0], spec.digestAuth[1]);
  else if (spec.auth) init.auth = spec.auth;
  return new Request(init);
}

function listHttpFiles(path: string, out: string[]): void {
  const stat = statSync(path);
  if (stat.isDirectory()) {
    const entries = readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = join(path, entry.name);
      if (entry.isDirectory()) listHttpFiles(full, out);
      else if (HTTP_EXTENSIONS.has(extname(entry.name).toLowerCase())) out.push(full);
    }
  } else {
    out.push(path);
  }
}

export class Runner {
  readonly options: RunnerOptions;
  readonly session: Session;
  readonly #ownsSession: boolean;
  /** JetBrains `client.global`, shared by every request of the run. */
  readonly globals = new Map<string, string>();
  /** Last Exchange of each named request, per file. */
  readonly #named = new Map<string, Map<string, Exchange>>();
  /** Requests being sent (file#name), to report dependency cycles. */
  readonly #inFlight: string[] = [];
  readonly #promptValues = new Map<string, string>();
  #closed = false;

  constructor(options: RunnerOptions = {}) {
    this.options = options;
    this.#ownsSession = !options.session;
    this.session = options.session ?? new Session();
    if (options.maxRedirects !== undefined) this.session.maxRedirects = options.maxRedirects;
  }

  /** One request of a file: by index, by a line inside its block, or by `@name`. */
  async runRequest(source: { path: string; text?: string }, which: number | { line: number } | { name: string }): Promise<Exchange> {
    const loaded = this.#load(source);
    let request: HttpRequestNode | undefined;
    if (typeof which === 'number') request = loaded.file.requests[which];
    else if ('line' in which) request = requestAtLine(loaded.file, which.line);
    else request = loaded.file.requests.find((r) => r.name === which.name);
    if (!request) {
      const what = typeof which === 'number' ? `number ${which}` : 'line' in which ? `at line ${which.line + 1}` : `named "${which.name}"`;
      throw new RangeError(`${loaded.path}: there is no request ${what}`);
    }
    return this.#run(loaded, request, new Set());
  }

  /** Every request of a file, in file order. A request already sent as a dependency in this call is not sent again. */
  async runFile(source: { path: string; text?: string }, filter?: { name?: string }): Promise<Exchange[]> {
    const loaded = this.#load(source);
    const results: Exchange[] = [];
    const sentNow = new Set<HttpRequestNode>();
    const collect = (exchange: Exchange): void => {
      results.push(exchange);
    };
    for (const request of loaded.file.requests) {
      if (cancelled(this.options.signal)) break;
      if (filter?.name !== undefined && request.name !== filter.name) continue;
      if (sentNow.has(request)) continue;
      await this.#run(loaded, request, sentNow, collect);
    }
    return results;
  }

  /** Files and folders (`*.http`, `*.rest`, sorted, recursive), one after another on the same Session. */
  async runPaths(paths: string[], filter?: { name?: string }): Promise<Exchange[]> {
    const files: string[] = [];
    for (const p of paths) listHttpFiles(resolve(p), files);
    const results: Exchange[] = [];
    for (const path of files) {
      if (cancelled(this.options.signal)) break;
      results.push(...(await this.runFile({ path }, filter)));
    }
    return results;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsSession) await this.session.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #load(source: { path: string; text?: string }): LoadedFile {
    const path = resolve(source.path);
    // A byte-order mark is not part of the first line (editors hide it too).
    const text = (source.text ?? readFileSync(path, 'utf8')).replace(/^\ufeff/, '');
    const file = parseHttpFile(text, { uri: path });
    // Environment files are workspace content like the .http file itself, so they are read in restricted mode too.
    const set = mergeEnvironmentSets(environmentsFor(path, this.options.workspaceRoot).set, this.options.environments);
    const environment = selectEnvironment(set, this.options.envName);
    return { path, file, environment, shared: set[SHARED] ?? {} };
  }

  #namedExchanges(loaded: LoadedFile): Map<string, Exchange> {
    let map = this.#named.get(loaded.path);
    if (!map) {
      map = new Map();
      this.#named.set(loaded.path, map);
    }
    return map;
  }

  /** Send `name` first unless it was already sent in this Runner; a cycle is an error naming the chain. */
  async #dependency(loaded: LoadedFile, name: string, sentNow: Set<HttpRequestNode>, collect?: (e: Exchange) => void): Promise<Exchange> {
    const key = `${loaded.path}#${name}`;
    if (this.#inFlight.includes(key)) {
      const chain = [...this.#inFlight.slice(this.#inFlight.indexOf(key)), key].map((k) => k.slice(k.lastIndexOf('#') + 1));
      throw new VariableError(name, `requests depend on each other in a cycle: ${chain.join(' → ')}`);
    }
    const done = this.#namedExchanges(loaded).get(name);
    if (done) return done;
    const request = loaded.file.requests.find((r) => r.name === name);
    if (!request) throw new VariableError(name, `no request named "${name}" in ${basename(loaded.path)} (add # @name ${name} above it)`);
    if (cancelled(this.options.signal)) throw new VariableError(name, `run cancelled before "${name}" was sent`);
    return this.#run(loaded, request, sentNow, collect);
  }

  async #run(loaded: LoadedFile, request: HttpRequestNode, sentNow: Set<HttpRequestNode>, collect?: (e: Exchange) => void): Promise<Exchange> {
    const key = request.name ? `${loaded.path}#${request.name}` : `${loaded.path}#${request.index}`;
    this.#inFlight.push(key);
    let exchange: Exchange;
    try {
      exchange = await this.#send(loaded, request, sentNow, collect);
    } finally {
      this.#inFlight.pop();
    }
    sentNow.add(request);
    if (request.name) this.#namedExchanges(loaded).set(request.name, exchange);
    collect?.(exchange);
    this.options.onExchange?.(exchange);
    return exchange;
  }

  #scriptCode(loaded: LoadedFile, script: ScriptNode): string {
    if (script.kind === 'inline') return script.code ?? '';
    if (this.options.allowFileAccess === false) throw new Error(`reading script file ${script.path} is not allowed in restricted mode`);
    const path = resolve(dirname(loaded.path), script.path ?? '');
    if (!existsSync(path)) throw new Error(`script file not found: ${script.path} (looked for ${path})`);
    return readFileSync(path, 'utf8');
  }

  /** Run handler scripts (or note that they are not allowed); results go into `tests` and `notices`. */
  #runScripts(
    what: 'pre-request script' | 'response handler',
    scripts: ScriptNode[],
    loaded: LoadedFile,
    requestScoped: Map<string, string>,
    tests: TestResult[],
    notices: string[],
    prepare: (ctx: ScriptContext) => void,
  ): void {
    if (scripts.length === 0) return;
    if (this.options.allowScripts === false) {
      notices.push(`${what} not run: scripts are not allowed here (untrusted workspace)`);
      return;
    }
    const run = what === 'pre-request script' ? runPreRequestScript : runResponseHandler;
    for (const script of scripts) {
      const line = script.range.start.line;
      try {
        const ctx: ScriptContext = {
          globals: this.globals,
          variables: requestScoped,
          environment: loaded.environment,
          filename: `${basename(loaded.path)}:${line + 1}`,
        };
        if (this.options.scriptTimeout !== undefined) ctx.timeout = this.options.scriptTimeout;
        prepare(ctx);
        const result = run(this.#scriptCode(loaded, script), ctx);
        tests.push(...result.tests.map((t) => ({ ...t, line: t.line ?? line })));
        notices.push(...result.logs.map((l) => `log: ${l}`));
        if (result.error) notices.push(`${what} failed (line ${line + 1}): ${result.error}`);
      } catch (error) {
        notices.push(`${what} failed (line ${line + 1}): ${(error as Error).message}`);
      }
    }
  }

  async #send(loaded: LoadedFile, request: HttpRequestNode, sentNow: Set<HttpRequestNode>, collect?: (e: Exchange) => void): Promise<Exchange> {
    const options = this.options;
    const source = sourceOf(loaded, request);
    const notices: string[] = [];
    const tests: TestResult[] = [];
    const requestScoped = new Map<string, string>();
    const failed = (error: unknown, spec?: RequestSpec): Exchange => {
      const exchange = errorExchange(error, undefined, { source, notices, tests });
      const hop = exchange.hops[0];
      if (hop) {
        hop.request.method = spec?.method ?? request.method;
        hop.request.url = spec?.url ?? request.url.text;
        if (spec) hop.request.headers = [...spec.headers];
      }
      return exchange;
    };

    // Problems the parser found inside this request stop it: sending a half-understood request would mislead.
    const problems = loaded.file.diagnostics.filter(
      (d) => d.severity === 'error' && d.range.start.line >= request.range.start.line && d.range.start.line <= request.range.end.line,
    );
    if (problems.length) {
      const first = problems[0]!;
      const error = new ResolveError(first.message, loaded.path, first.range.start);
      error.name = 'ParseError';
      return failed(error);
    }

    // Directives that are recognised but not implemented are said on the result, not dropped silently.
    for (const d of loaded.file.diagnostics) {
      if (d.code === 'unsupported-metadata' && d.range.start.line >= request.range.start.line && d.range.start.line <= request.range.end.line) {
        notices.push(`line ${d.range.start.line + 1}: ${d.message}`);
      }
    }

    // Pre-request scripts (JetBrains `< {% … %}`) run before variables are resolved.
    this.#runScripts('pre-request script', request.preRequestScripts, loaded, requestScoped, tests, notices, (ctx) => {
      ctx.request = { method: request.method, url: request.url.text, headers: request.headers.map((h) => [h.name, h.value.text]) };
      if (request.body) ctx.request.body = request.body.text.text;
    });

    const scope = {
      filePath: loaded.path,
      environment: loaded.environment,
      shared: loaded.shared,
      overrides: options.variables ?? {},
      requestScoped,
      globals: this.globals,
      allowFileAccess: options.allowFileAccess !== false,
      dotenv: () => (loaded.dotenv ??= loadDotenv(dirname(loaded.path))),
      promptValues: this.#promptValues,
      getExchange: (name: string) => this.#dependency(loaded, name, sentNow, collect),
      ...(options.envName !== undefined ? { environmentName: options.envName } : {}),
      ...(options.prompt ? { prompt: options.prompt } : {}),
    };
    const resolver: VariableResolver = createResolver(loaded.file, request, scope);
    let spec: RequestSpec;
    try {
      spec = await resolveRequest(loaded.file, request, scope, resolver);
    } catch (error) {
      if (error instanceof VariableError || error instanceof ResolveError) return failed(error);
      throw error;
    }

    const note = request.metadata.find((m) => m.keyword === 'note');
    if (note) {
      const message = `Send ${spec.method} ${spec.url}?${note.value ? ` ${note.value}` : ''}`;
      if (options.confirm) {
        if (!(await options.confirm(message))) {
          const error = new Error('not sent: the @note confirmation was declined');
          error.name = 'NotConfirmed';
          return failed(error, spec);
        }
      } else {
        notices.push(`@note${note.value ? `: ${note.value}` : ''} (sent without confirmation)`);
      }
    }

    options.onRequestStart?.({
      file: loaded.path,
      ...(request.name !== undefined ? { name: request.name } : {}),
      ...(request.title !== undefined ? { title: request.title } : {}),
      line: source.line ?? 0,
      method: spec.method,
      url: spec.url,
    });

    let exchange: Exchange;
    let prepared;
    try {
      const req = await toRequest(spec, options.defaultHeaders);
      const session = this.session;
      const savedJar = session.cookies;
      if (spec.useCookieJar === false) session.cookies = new RequestsCookieJar();
      try {
        prepared = session.prepareRequest(req);
        const proxies = spec.proxy ? { http: spec.proxy, https: spec.proxy } : {};
        const verify = spec.verify === false ? false : (options.verify ?? undefined);
        const settings = session.mergeEnvironmentSettings(prepared.url ?? spec.url, proxies, true, verify, undefined);
        const timeout = spec.timeout ?? options.timeout;
        const response = await session.send(prepared, {
          ...settings,
          stream: true,
          allowRedirects: spec.followRedirects ?? options.followRedirects ?? true,
          ...(timeout !== undefined ? { timeout } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        exchange = await this.#record(response, loaded, source, notices, tests);
      } finally {
        if (spec.useCookieJar === false) session.cookies = savedJar;
      }
    } catch (error) {
      if (error instanceof TypeError && !(error as { request?: unknown }).request && /is not a function|Cannot read properties/.test(error.message)) throw error;
      exchange = errorExchange(error, prepared, { source, notices, tests });
      if (!prepared && exchange.hops[0]) {
        exchange.hops[0].request.method = spec.method;
        exchange.hops[0].request.url = spec.url;
      }
      return exchange;
    }

    // Assertions (`?? …`) — variables in them are resolved like the request's.
    for (const node of request.assertions) {
      const line = node.range.start.line;
      let text: string;
      try {
        text = await resolver.substitute(node.text, { node: { text: node.text, range: node.textRange, variables: node.variables } });
      } catch (error) {
        tests.push({ name: node.text, passed: false, message: (error as Error).message, line });
        continue;
      }
      const parsed = parseAssertion(text);
      if (!parsed.assertion) {
        tests.push({ name: node.text, passed: false, message: `invalid assertion: ${parsed.error?.message ?? 'cannot read it'}`, line });
        continue;
      }
      parsed.assertion.line = line;
      tests.push({ ...evaluateAssertion(parsed.assertion, exchange), line });
    }

    // Response handlers (`> {% … %}`); their client.test results count as assertions.
    this.#runScripts('response handler', request.responseHandlers, loaded, requestScoped, tests, notices, (ctx) => {
      ctx.exchange = exchange;
    });

    if (request.responseRedirect && exchange.body) {
      try {
        const written = await resolver.substitute(request.responseRedirect.path.text, { node: request.responseRedirect.path });
        if (options.allowFileAccess === false) throw new Error('writing files is not allowed in restricted mode');
        let target = resolve(dirname(loaded.path), written);
        if (!request.responseRedirect.overwrite) {
          const ext = extname(target);
          const stem = target.slice(0, target.length - ext.length);
          for (let n = 1; existsSync(target); n++) target = `${stem}-${n}${ext}`;
        }
        writeFileSync(target, exchange.body.bytes);
        notices.push(`response saved to ${target}`);
      } catch (error) {
        notices.push(`response not saved: ${(error as Error).message}`);
      }
    }
    exchange.tests = tests;
    exchange.notices = notices;
    return exchange;
  }

  /** Read the streamed body (keeping at most maxBodyBytes) and build the Exchange. */
  async #record(response: Response, loaded: LoadedFile, source: ExchangeSource, notices: string[], tests: TestResult[]): Promise<Exchange> {
    const limit = this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const lengthHeader = Number(response.headers.get('content-length'));
    const total = Number.isFinite(lengthHeader) && lengthHeader >= 0 && response.contentEncoding.length === 0 ? lengthHeader : undefined;
    const progress = this.options.onProgress;
    if (total !== undefined && total <= limit && !progress) {
      await response.read();
      return toExchange(response, { source, notices, tests });
    }
    const chunks: Uint8Array[] = [];
    let kept = 0;
    let received = 0;
    for await (const chunk of response.iterContent(64 * 1024)) {
      received += chunk.length;
      if (kept < limit) {
        const piece = chunk.length > limit - kept ? chunk.subarray(0, limit - kept) : chunk;
        chunks.push(piece);
        kept += piece.length;
      }
      progress?.({ file: loaded.path, line: source.line ?? 0, received, ...(total !== undefined ? { total } : {}) });
    }
    const exchange = toExchange(response, { source, notices, tests });
    const charset = response.encoding;
    exchange.body = {
      bytes: new Uint8Array(Buffer.concat(chunks, kept)),
      size: received,
      truncated: received > kept,
      wireSize: typeof response.wireSize === 'number' ? response.wireSize : -1,
      contentEncoding: [...(response.contentEncoding ?? [])],
      ...(response.headers.get('content-type') ? { contentType: response.headers.get('content-type') as string } : {}),
      ...(charset ? { charset } : {}),
    };
    if (received > kept) notices.push(`response body is ${received} bytes; the first ${kept} are kept`);
    return exchange;
  }
}
