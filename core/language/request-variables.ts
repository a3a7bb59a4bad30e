/**
 * Request variables: `{{login.response.body.$.token}}` (JSONPath), `{{login.response.body.//id}}`
 * (XPath), `{{login.response.body.*}}` (the whole body), `{{login.response.headers.X-Id}}`,
 * `{{login.request.body.*}}`, `{{login.request.headers.Name}}` — read from the `Exchange` of the
 * request named `login`.
 */
import { JSONPath } from 'jsonpath-plus';
import { DOMParser } from '@xmldom/xmldom';
import xpath from 'xpath';
import type { Exchange, ExchangeBody, HeaderList } from '../requests/exchange.ts';
import { VariableError } from './system-variables.ts';

export interface RequestVariablePath {
  /** The `@name` of the request. */
  request: string;
  part: 'response' | 'request';
  where: 'body' | 'headers';
  /** `*`, a JSONPath (`$…`), an XPath (`/…`), or a header name. */
  path: string;
}

const SHAPE = /^([\w-]+)\.(response|request)\.(body|headers)(?:\.(.*))?$/s;

/** Split `login.response.body.$.token`; undefined when it is not a request variable. */
export function parseRequestVariable(name: string): RequestVariablePath | undefined {
  const m = SHAPE.exec(name.trim());
  if (!m) return undefined;
  return {
    request: m[1] as string,
    part: m[2] as 'response' | 'request',
    where: m[3] as 'body' | 'headers',
    path: (m[4] ?? '').trim(),
  };
}

function headerValue(headers: HeaderList, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const values = headers.filter(([n]) => n.toLowerCase() === wanted).map(([, v]) => v);
  return values.length ? values.join(', ') : undefined;
}

function decode(body: ExchangeBody | undefined, charset?: string): string {
  if (!body) return '';
  try {
    return new TextDecoder(charset || 'utf-8').decode(body.bytes);
  } catch {
    return new TextDecoder('utf-8').decode(body.bytes);
  }
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Value of a JSONPath (`$.a.b`) in JSON text; several matches become a JSON array. */
export function jsonPathValue(text: string, path: string, variable: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new VariableError(variable, `{{${variable}}}: the body is not JSON, so JSONPath ${path} cannot apply`);
  }
  let found: unknown[];
  try {
    found = JSONPath({ path, json: json as object, wrap: true, eval: 'safe' }) as unknown[];
  } catch (error) {
    throw new VariableError(variable, `{{${variable}}}: invalid JSONPath ${path}: ${(error as Error).message}`);
  }
  if (!found || found.length === 0) throw new VariableError(variable, `{{${variable}}}: JSONPath ${path} matched nothing in the body`);
  return found.length === 1 ? asText(found[0]) : JSON.stringify(found);
}

/** Value of an XPath in XML text: a node's text content, or a string/number/boolean result. */
export function xpathValue(text: string, path: string, variable: string): string {
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') errors.push(message);
    },
  }).parseFromString(text, 'text/xml');
  if (errors.length || !doc.documentElement) {
    throw new VariableError(variable, `{{${variable}}}: the body is not XML, so XPath ${path} cannot apply${errors[0] ? ` (${errors[0]})` : ''}`);
  }
  let result: unknown;
  try {
    result = xpath.select(path, doc as unknown as Node);
  } catch (error) {
    throw new VariableError(variable, `{{${variable}}}: invalid XPath ${path}: ${(error as Error).message}`);
  }
  if (Array.isArray(result)) {
    const first = result[0] as { nodeValue?: string | null; textContent?: string | null } | undefined;
    if (!first) throw new VariableError(variable, `{{${variable}}}: XPath ${path} matched nothing in the body`);
    return first.textContent ?? first.nodeValue ?? '';
  }
  return String(result);
}

/** Resolve a parsed request variable against the named request's Exchange. */
export function requestVariableValue(variable: string, ref: RequestVariablePath, exchange: Exchange): string {
  const first = exchange.hops[0];
  const last = exchange.hops.at(-1);
  if (ref.part === 'response' && !last?.response) {
    const why = exchange.error ? `: ${exchange.error.message}` : '';
    throw new VariableError(variable, `{{${variable}}}: request "${ref.request}" got no response${why}`);
  }
  if (ref.where === 'headers') {
    if (!ref.path) throw new VariableError(variable, `{{${variable}}}: name the header, e.g. ${ref.request}.${ref.part}.headers.Content-Type`);
    const headers = ref.part === 'response' ? (last?.response?.headers ?? []) : (first?.request.headers ?? []);
    const value = headerValue(headers, ref.path);
    if (value === undefined) throw new VariableError(variable, `{{${variable}}}: the ${ref.part} of "${ref.request}" has no header ${ref.path}`);
    return value;
  }
  const text =
    ref.part === 'response'
      ? decode(exchange.body, exchange.body?.charset)
      : decode(first?.request.body);
  const path = ref.path;
  if (path === '' || path === '*') return text;
  if (path.startsWith('$')) return jsonPathValue(text, path, variable);
  if (path.startsWith('/') || path.startsWith('(')) return xpathValue(text, path, variable);
  // REST Client hands `body.token` to JSONPath as a relative path when the body is JSON.
  if (isJson(text)) return jsonPathValue(text, path.startsWith('[') ? `$${path}` : `$.${path}`, variable);
  throw new VariableError(variable, `{{${variable}}}: body path must be *, a JSONPath ($.…) or an XPath (//…), got "${path}"`);
}
