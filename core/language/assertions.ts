/**
 * Declarative assertions written after a request:
 *
 *   ?? status == 200
 *   ?? header content-type includes json
 *   ?? body $.id == 5
 *   ?? body $.items exists
 *   ?? duration < 500
 *   ?? body matches /"ok":\s*true/
 *   ?? body //user/name == Ada        (XPath, for XML bodies)
 *
 * `parseAssertion` turns one line into an `Assertion`; `evaluateAssertion` checks it against an
 * `Exchange` and returns a `TestResult` carrying what was expected and what was found.
 */
import { JSONPath } from 'jsonpath-plus';
import { finalHop, totalTime } from '../requests/exchange.ts';
import { xpathValue } from './request-variables.ts';
import type { Exchange, TestResult } from '../requests/exchange.ts';

export const OPERATORS = ['==', '!=', '<=', '>=', '<', '>', 'includes', 'startsWith', 'endsWith', 'matches', 'exists'] as const;
export type AssertionOperator = (typeof OPERATORS)[number];

export type AssertionSubject =
  | { kind: 'status' }
  | { kind: 'duration' }
  | { kind: 'header'; name: string }
  /** The whole body as text, or the value at a JSONPath (`$…`) or an XPath (`/…`). */
  | { kind: 'body'; path?: string };

export interface Assertion {
  subject: AssertionSubject;
  operator: AssertionOperator;
  /** The right-hand side as written (quotes removed); absent for `exists`. */
  expected?: string;
  /** The assertion as written, without the leading `??`. */
  text: string;
  /** Zero-based line in the source file, copied onto the result. */
  line?: number;
}

export interface AssertionParseError {
  message: string;
  /** Offsets into the text handed to `parseAssertion`. */
  start: number;
  end: number;
}

interface Token {
  text: string;
  start: number;
  end: number;
}

function tokenize(text: string, from: number): Token[] {
  const tokens: Token[] = [];
  const re = /\S+/g;
  re.lastIndex = from;
  for (let m = re.exec(text); m; m = re.exec(text)) tokens.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  return tokens;
}

const operatorSet: ReadonlySet<string> = new Set(OPERATORS);

/** Parses `?? subject operator [value]` (the `??` is optional). Never throws. */
export function parseAssertion(text: string): { assertion?: Assertion; error?: AssertionParseError } {
  let from = 0;
  const lead = /^\s*(\?\?)?\s*/.exec(text);
  if (lead) from = lead[0].length;
  const tokens = tokenize(text, from);
  const body = text.slice(from).trimEnd();
  const whole = { start: from, end: Math.max(from, text.trimEnd().length) };
  if (tokens.length === 0) return { error: { message: 'empty assertion: expected e.g. "?? status == 200"', ...whole } };

  const first = tokens[0]!;
  const kind = first.text.toLowerCase();
  let subject: AssertionSubject;
  let opIndex: number;
  if (kind === 'status' || kind === 'duration') {
    subject = { kind };
    opIndex = 1;
  } else if (kind === 'header' || kind === 'headers') {
    const name = tokens[1];
    if (!name || operatorSet.has(name.text)) {
      return { error: { message: 'header assertion needs a header name: "?? header content-type includes json"', start: first.start, end: first.end } };
    }
    subject = { kind: 'header', name: name.text };
    opIndex = 2;
  } else if (kind === 'body') {
    // A JSONPath may contain spaces (filters), so it runs up to the first operator word.
    // Operator words inside a filter's brackets (`$.items[?(@.n > 1)]`) belong to the path.
    opIndex = tokens.length;
    let depth = 0;
    for (let i = 1; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (depth === 0 && operatorSet.has(t.text)) {
        opIndex = i;
        break;
      }
      for (const ch of t.text) depth += ch === '[' || ch === '(' ? 1 : ch === ']' || ch === ')' ? -1 : 0;
    }
    const path = opIndex > 1 ? text.slice(tokens[1]!.start, tokens[opIndex - 1]!.end) : undefined;
    if (path !== undefined && !path.startsWith('$') && !path.startsWith('/')) {
      return { error: { message: `body path must be a JSONPath ("$.id") or an XPath ("//id"), got "${path}"`, start: tokens[1]!.start, end: tokens[opIndex - 1]!.end } };
    }
    subject = path === undefined ? { kind: 'body' } : { kind: 'body', path };
  } else {
    return { error: { message: `unknown assertion subject "${first.text}": use status, header NAME, body [$.path] or duration`, start: first.start, end: first.end } };
  }

  const opToken = tokens[opIndex];
  if (!opToken) {
    const at = tokens[opIndex - 1]!.end;
    return { error: { message: `missing operator: expected one of ${OPERATORS.join(' ')}`, start: at, end: at } };
  }
  if (!operatorSet.has(opToken.text)) {
    return { error: { message: `unknown operator "${opToken.text}": expected one of ${OPERATORS.join(' ')}`, start: opToken.start, end: opToken.end } };
  }
  const operator = opToken.text as AssertionOperator;
  const rest = text.slice(opToken.end).trim();
  const assertion: Assertion = { subject, operator, text: body };
  if (operator === 'exists') {
    if (rest) return { error: { message: '"exists" takes no value', start: tokens[opIndex + 1]!.start, end: whole.end } };
    return { assertion };
  }
  if (!rest) return { error: { message: `"${operator}" needs a value after it`, start: opToken.end, end: opToken.end } };
  if (operator === 'matches') {
    try {
      toRegExp(rest);
    } catch (e) {
      return { error: { message: `invalid regular expression: ${(e as Error).message}`, start: tokens[opIndex + 1]!.start, end: whole.end } };
    }
  }
  if (['<', '<=', '>', '>='].includes(operator) && !isNumeric(unquote(rest))) {
    return { error: { message: `"${operator}" compares numbers, "${rest}" is not a number`, start: tokens[opIndex + 1]!.start, end: whole.end } };
  }
  assertion.expected = unquote(rest);
  return { assertion };
}

function unquote(s: string): string {
  if (s.length >= 2 && ((s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'")))) {
    if (s.startsWith('"')) {
      try {
        const v: unknown = JSON.parse(s);
        if (typeof v === 'string') return v;
      } catch {
        /* fall through to a plain strip */
      }
    }
    return s.slice(1, -1);
  }
  return s;
}

function isNumeric(s: string): boolean {
  return s.trim() !== '' && Number.isFinite(Number(s));
}

function toRegExp(s: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(s);
  return m ? new RegExp(m[1]!, m[2]) : new RegExp(s);
}

/** Decodes the Exchange's body with the charset it was received with. */
export function bodyText(exchange: Exchange): string {
  const body = exchange.body;
  if (!body) return '';
  try {
    return new TextDecoder(body.charset || 'utf-8').decode(body.bytes);
  } catch {
    return new TextDecoder('utf-8').decode(body.bytes);
  }
}

const MISSING = Symbol('missing');
type Actual = unknown | typeof MISSING;

function show(v: Actual): string {
  if (v === MISSING) return '(missing)';
  if (typeof v === 'string') return v;
  return JSON.stringify(v) ?? String(v);
}

function actualValue(a: Assertion, exchange: Exchange): { value: Actual; problem?: string } {
  const hop = finalHop(exchange);
  const response = hop.response;
  switch (a.subject.kind) {
    case 'duration':
      return { value: Math.round(totalTime(exchange)) };
    case 'status':
      return response ? { value: response.statusCode } : { value: MISSING };
    case 'header': {
      const wanted = a.subject.name.toLowerCase();
      const values = (response?.headers ?? []).filter(([n]) => n.toLowerCase() === wanted).map(([, v]) => v);
      return { value: values.length ? values.join(', ') : MISSING };
    }
    case 'body': {
      if (!exchange.body) return { value: MISSING };
      const text = bodyText(exchange);
      if (a.subject.path === undefined) return { value: text };
      if (a.subject.path.startsWith('/')) {
        try {
          return { value: xpathValue(text, a.subject.path, `body ${a.subject.path}`) };
        } catch (e) {
          const message = (e as Error).message;
          // "matched nothing" is an answer (the value is missing), anything else is a problem.
          if (/matched nothing/.test(message)) return { value: MISSING };
          const problem = (e as Error).name === 'VariableError' ? message.replace(/^\{\{[^}]*\}\}: /, '') : `the body is not XML: ${message}`;
          return { value: MISSING, problem };
        }
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return { value: MISSING, problem: 'body is not JSON' };
      }
      let found: unknown[];
      try {
        found = JSONPath({ path: a.subject.path, json: json as object, wrap: true, eval: 'safe' }) as unknown[];
      } catch (e) {
        return { value: MISSING, problem: `JSONPath ${a.subject.path}: ${(e as Error).message}` };
      }
      if (!Array.isArray(found) || found.length === 0) return { value: MISSING };
      return { value: found.length === 1 ? found[0] : found };
    }
  }
}

function parsedExpected(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function sameValue(actual: unknown, raw: string): boolean {
  if (typeof actual === 'number' && isNumeric(raw)) return actual === Number(raw);
  if (typeof actual === 'string') {
    if (actual === raw) return true;
    return isNumeric(actual) && isNumeric(raw) && Number(actual) === Number(raw);
  }
  return JSON.stringify(actual) === JSON.stringify(parsedExpected(raw));
}

function compare(op: AssertionOperator, actual: Actual, raw: string | undefined): { passed: boolean; message?: string } {
  if (op === 'exists') return { passed: actual !== MISSING };
  if (actual === MISSING) return { passed: false, message: 'value is missing' };
  const expected = raw ?? '';
  switch (op) {
    case '==':
      return { passed: sameValue(actual, expected) };
    case '!=':
      return { passed: !sameValue(actual, expected) };
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const a = typeof actual === 'number' ? actual : typeof actual === 'string' && isNumeric(actual) ? Number(actual) : NaN;
      if (Number.isNaN(a)) return { passed: false, message: `"${show(actual)}" is not a number` };
      const b = Number(expected);
      const passed = op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
      return { passed };
    }
    case 'includes':
      if (Array.isArray(actual)) return { passed: actual.some((item) => sameValue(item, expected)) };
      return { passed: show(actual).includes(expected) };
    case 'startsWith':
      return { passed: show(actual).startsWith(expected) };
    case 'endsWith':
      return { passed: show(actual).endsWith(expected) };
    case 'matches':
      try {
        return { passed: toRegExp(expected).test(show(actual)) };
      } catch (e) {
        return { passed: false, message: `invalid regular expression: ${(e as Error).message}` };
      }
  }
}

/** Checks one assertion against a finished exchange. */
export function evaluateAssertion(a: Assertion, exchange: Exchange): TestResult {
  const result: TestResult = { name: a.text, passed: false };
  if (a.line !== undefined) result.line = a.line;
  if (a.expected !== undefined) result.expected = a.expected;
  else if (a.operator === 'exists') result.expected = 'exists';
  const hop = finalHop(exchange);
  if (!hop.response && a.subject.kind !== 'duration') {
    result.message = exchange.error ? `no response: ${exchange.error.name}: ${exchange.error.message}` : 'no response';
    result.actual = '(no response)';
    return result;
  }
  const { value, problem } = actualValue(a, exchange);
  result.actual = show(value);
  const { passed, message } = compare(a.operator, value, a.expected);
  result.passed = passed && !problem;
  if (problem || message) result.message = problem ?? message;
  else if (!passed) result.message = `expected ${describeSubject(a)} ${a.operator}${a.expected !== undefined ? ` ${a.expected}` : ''}, got ${result.actual}`;
  return result;
}

function describeSubject(a: Assertion): string {
  switch (a.subject.kind) {
    case 'header':
      return `header ${a.subject.name}`;
    case 'body':
      return a.subject.path ? `body ${a.subject.path}` : 'body';
    default:
      return a.subject.kind;
  }
}

export function evaluateAssertions(list: readonly Assertion[], exchange: Exchange): TestResult[] {
  return list.map((a) => evaluateAssertion(a, exchange));
}
