/**
 * JetBrains HTTP Client handler scripts, run in a `node:vm` context with a time limit:
 *
 *   < {% request.variables.set('id', '42') %}                  pre-request script
 *   > {% client.test('ok', () => client.assert(response.status === 200, 'status')) %}
 *
 * The documented objects are provided: `client` (`global`, `test`, `assert`, `log`, `exit`),
 * `request` (`variables`, `environment`, `method`, `url`, `headers`, `body`) and, in response
 * handlers, `response` (`status`, `headers.valueOf/valuesOf`, `body`, `contentType`).
 *
 * The script never sees a host object: the API is built inside the context and talks to the
 * host through one function hidden in a closure, exchanging JSON strings. So `require`,
 * `process` and host constructors are out of reach (node:vm is not a hard security boundary,
 * which is why callers only run scripts in trusted workspaces).
 */
import vm from 'node:vm';
import { finalHop } from '../requests/exchange.ts';
import type { Exchange, HeaderList, TestResult } from '../requests/exchange.ts';
import { bodyText } from './assertions.ts';

export interface ScriptRequest {
  method: string;
  url: string;
  headers: HeaderList;
  body?: string;
}

export interface ScriptContext {
  /** `client.global` storage; the Runner keeps one per run so values flow between requests. */
  globals: Map<string, string>;
  /** Request variables: `request.variables.get/set`. Pre-request scripts set values used in the request. */
  variables?: Map<string, string>;
  /** The selected environment, for `request.environment.get`. */
  environment?: Record<string, string> | ((name: string) => string | undefined);
  /** The request as written/resolved; for response handlers it defaults to the Exchange's final request. */
  request?: ScriptRequest;
  /** The finished exchange (response handlers). */
  exchange?: Exchange;
  /** Time limit in ms for the whole script. Default 2000. */
  timeout?: number;
  /** Shown in error messages and stack traces, e.g. `api.http:12` or `./handler.js`. */
  filename?: string;
}

export interface ScriptResult {
  tests: TestResult[];
  logs: string[];
  /** Why the script stopped early (syntax error, uncaught exception, time limit). */
  error?: string;
}

export const DEFAULT_SCRIPT_TIMEOUT = 2000;

interface Payload {
  request: { method: string; url: string; headers: HeaderList; body: string | null };
  response: null | {
    status: number;
    headers: HeaderList;
    body: unknown;
    contentType: { mimeType: string; charset: string };
  };
}

/** Built inside the context; `host` is the only bridge and is never reachable from the script. */
const BOOTSTRAP = String.raw`(function (host, payloadJson) {
  'use strict';
  const call = (op, ...args) => {
    const out = host(op, JSON.stringify(args));
    return out === undefined ? undefined : JSON.parse(out);
  };
  const payload = JSON.parse(payloadJson);
  const show = (v) => {
    if (typeof v === 'string') return v;
    try { const s = JSON.stringify(v); return s === undefined ? String(v) : s; } catch { return String(v); }
  };
  const EXIT = {};
  const client = Object.freeze({
    global: Object.freeze({
      set: (name, value) => { call('global.set', String(name), value === undefined || value === null ? '' : typeof value === 'string' ? value : show(value)); },
      get: (name) => call('global.get', String(name)),
      isEmpty: () => call('global.isEmpty'),
      clear: (name) => { call('global.clear', String(name)); },
      clearAll: () => { call('global.clearAll'); },
    }),
    test: (name, fn) => {
      try {
        if (typeof fn === 'function') fn();
        call('test', String(name), true, null);
      } catch (e) {
        if (e === EXIT) throw e;
        call('test', String(name), false, e && typeof e === 'object' && 'message' in e ? String(e.message) : String(e));
      }
    },
    assert: (condition, message) => {
      if (!condition) throw new Error(message === undefined ? 'Assertion failed' : String(message));
    },
    log: (...args) => { call('log', args.map(show).join(' ')); },
    exit: () => { throw EXIT; },
  });
  const headerObjects = (list) => list.map(([name, value]) => Object.freeze({
    name, value, getRawValue: () => value, tryGetSubstitutedValue: () => value,
  }));
  const textThing = (text) => Object.freeze({
    getRaw: () => text, tryGetSubstituted: () => text, toString: () => text === null ? '' : text,
  });
  const request = Object.freeze({
    method: payload.request.method,
    url: textThing(payload.request.url),
    body: textThing(payload.request.body),
    headers: Object.freeze({
      all: () => headerObjects(payload.request.headers),
      findByName: (name) => headerObjects(payload.request.headers).find((h) => h.name.toLowerCase() === String(name).toLowerCase()) ?? null,
    }),
    variables: Object.freeze({
      get: (name) => call('var.get', String(name)),
      set: (name, value) => { call('var.set', String(name), value === undefined || value === null ? '' : typeof value === 'string' ? value : show(value)); },
    }),
    environment: Object.freeze({ get: (name) => call('env.get', String(name)) }),
  });
  let response;
  if (payload.response) {
    const r = payload.response;
    const values = (name) => r.headers.filter(([n]) => n.toLowerCase() === String(name).toLowerCase()).map(([, v]) => v);
    response = Object.freeze({
      status: r.status,
      body: r.body,
      contentType: Object.freeze(r.contentType),
      headers: Object.freeze({ valueOf: (name) => values(name)[0] ?? null, valuesOf: (name) => values(name) }),
    });
  }
  const consoleShim = Object.freeze({ log: client.log, info: client.log, warn: client.log, error: client.log, debug: client.log });
  return { client, request, response, console: consoleShim, exitMarker: EXIT };
})`;

function environmentLookup(env: ScriptContext['environment'], name: string): string | undefined {
  if (!env) return undefined;
  return typeof env === 'function' ? env(name) : Object.hasOwn(env, name) ? env[name] : undefined;
}

function responsePayload(exchange: Exchange): Payload['response'] {
  const head = finalHop(exchange).response;
  if (!head) return null;
  const contentType = head.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? exchange.body?.contentType ?? '';
  const mimeType = contentType.split(';')[0]!.trim().toLowerCase();
  const charset = exchange.body?.charset ?? /charset\s*=\s*"?([^";]+)/i.exec(contentType)?.[1] ?? 'utf-8';
  const text = bodyText(exchange);
  let body: unknown = text;
  if (/^application\/(.+\+)?json$|\/json$/.test(mimeType) || mimeType.endsWith('+json')) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text; // a JSON content type with a broken body: hand over the text
    }
  }
  return { status: head.statusCode, headers: head.headers, body, contentType: { mimeType, charset } };
}

function requestPayload(ctx: ScriptContext): Payload['request'] {
  if (ctx.request) return { ...ctx.request, body: ctx.request.body ?? null };
  if (ctx.exchange) {
    const sent = finalHop(ctx.exchange).request;
    const body = sent.body ? new TextDecoder().decode(sent.body.bytes) : null;
    return { method: sent.method, url: sent.url, headers: sent.headers, body };
  }
  return { method: 'GET', url: '', headers: [], body: null };
}

function describeError(e: unknown, timeout: number): string {
  if (e && typeof e === 'object') {
    const err = e as { code?: unknown; name?: unknown; message?: unknown };
    if (err.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return `script timed out after ${timeout} ms (an endless loop?)`;
    if (typeof err.message === 'string') return `${typeof err.name === 'string' ? err.name : 'Error'}: ${err.message}`;
  }
  return `script threw ${String(e)}`;
}

function run(code: string, ctx: ScriptContext, withResponse: boolean): ScriptResult {
  const tests: TestResult[] = [];
  const logs: string[] = [];
  const timeout = ctx.timeout ?? DEFAULT_SCRIPT_TIMEOUT;
  const variables = ctx.variables ?? new Map<string, string>();
  const host = (op: string, argsJson: string): string | undefined => {
    const args = JSON.parse(argsJson) as unknown[];
    const name = String(args[0] ?? '');
    switch (op) {
      case 'log':
        logs.push(name);
        return undefined;
      case 'global.set':
        ctx.globals.set(name, String(args[1]));
        return undefined;
      case 'global.get':
        return JSON.stringify(ctx.globals.get(name) ?? null);
      case 'global.isEmpty':
        return JSON.stringify(ctx.globals.size === 0);
      case 'global.clear':
        ctx.globals.delete(name);
        return undefined;
      case 'global.clearAll':
        ctx.globals.clear();
        return undefined;
      case 'test': {
        const result: TestResult = { name, passed: args[1] === true };
        if (typeof args[2] === 'string') result.message = args[2];
        tests.push(result);
        return undefined;
      }
      case 'var.get':
        return JSON.stringify(variables.get(name) ?? ctx.globals.get(name) ?? environmentLookup(ctx.environment, name) ?? null);
      case 'var.set':
        variables.set(name, String(args[1]));
        return undefined;
      case 'env.get':
        return JSON.stringify(environmentLookup(ctx.environment, name) ?? null);
      default:
        throw new Error(`unknown script bridge call ${op}`);
    }
  };
  const payload: Payload = {
    request: requestPayload(ctx),
    response: withResponse && ctx.exchange ? responsePayload(ctx.exchange) : null,
  };
  const filename = ctx.filename ?? (withResponse ? 'response-handler.js' : 'pre-request.js');
  const context = vm.createContext(Object.create(null) as object, {
    name: filename,
    codeGeneration: { strings: false, wasm: false },
    microtaskMode: 'afterEvaluate',
  });
  // The host function must never throw into the context: a host Error would hand the script
  // the host's Function constructor through `e.constructor.constructor`.
  const safeHost = (op: string, argsJson: string): string | undefined => {
    try {
      return host(op, argsJson);
    } catch {
      return 'null';
    }
  };
  try {
    const g = context as Record<string, unknown>;
    g.__ricochetHost = safeHost;
    const install = `(() => {
      const api = ${BOOTSTRAP}(globalThis.__ricochetHost, ${JSON.stringify(JSON.stringify(payload))});
      delete globalThis.__ricochetHost;
      for (const name of ['client', 'request', 'console'${withResponse ? ", 'response'" : ''}]) {
        Object.defineProperty(globalThis, name, { value: api[name], writable: false, enumerable: false, configurable: false });
      }
      Object.defineProperty(globalThis, '__ricochetExit', { value: api.exitMarker, writable: false, enumerable: false, configurable: false });
    })()`;
    vm.runInContext(install, context, { timeout, filename: 'ricochet-script-api.js' });
    // The body runs in a function so `return` works; `client.exit()` unwinds to here.
    const wrapped = `try { (function () {\n${code}\n})(); } catch (e) { if (e !== globalThis.__ricochetExit) throw e; }`;
    const script = new vm.Script(wrapped, { filename, lineOffset: -1 });
    script.runInContext(context, { timeout });
    return { tests, logs };
  } catch (e) {
    // An uncaught error (a top-level client.assert, a typo, the time limit) fails the request
    // like a failed test would, so CI notices it; `error` says why.
    const error = describeError(e, timeout);
    tests.push({ name: withResponse ? 'response handler' : 'pre-request script', passed: false, message: error });
    return { tests, logs, error };
  }
}

/** Runs a `< {% … %}` script before the request is resolved; `request.variables.set` feeds the request. */
export function runPreRequestScript(code: string, ctx: ScriptContext): ScriptResult {
  return run(code, ctx, false);
}

/** Runs a `> {% … %}` handler after the response; its `client.test` results count as assertions. */
export function runResponseHandler(code: string, ctx: ScriptContext): ScriptResult {
  return run(code, ctx, true);
}
