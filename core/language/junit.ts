/**
 * JUnit XML for CI: `toJUnit(exchanges)` — one `<testsuite>` per `.http` file, one `<testcase>`
 * per request; a transport error is an `<error>`, failed assertions/`client.test`s a `<failure>`.
 */
import { finalHop, totalTime } from '../requests/exchange.ts';
import type { Exchange, TestResult } from '../requests/exchange.ts';

export type Outcome = 'passed' | 'failed' | 'error';

/**
 * Whether a request passed: it got a response, and every test passed. With no tests at all,
 * an HTTP status of 400 or above counts as a failure (CI should not go green on a 500).
 */
export function exchangeOutcome(exchange: Exchange): Outcome {
  if (exchange.error) return 'error';
  if (exchange.tests.some((t) => !t.passed)) return 'failed';
  const status = finalHop(exchange).response?.statusCode;
  if (status === undefined) return 'error';
  if (exchange.tests.length === 0 && status >= 400) return 'failed';
  return 'passed';
}

/** Escapes text for XML content and attribute values, dropping characters XML 1.0 forbids. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '\ufffd')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** The display name of a request: its @name, its ### title, or METHOD URL. */
export function requestLabel(exchange: Exchange): string {
  const first = exchange.hops[0]!.request;
  return exchange.source?.name ?? exchange.source?.title ?? `${first.method} ${first.url}`;
}

function describeTest(t: TestResult): string {
  let line = `${t.passed ? 'passed' : 'FAILED'}: ${t.name}`;
  if (!t.passed) {
    if (t.expected !== undefined) line += ` (expected ${t.expected}, actual ${t.actual ?? '(none)'})`;
    if (t.message) line += ` — ${t.message}`;
  }
  if (t.line !== undefined) line += ` [line ${t.line + 1}]`;
  return line;
}

export interface JUnitOptions {
  /** Suite name for exchanges without a source file. Default 'requests'. */
  defaultSuite?: string;
  /** Rewrites a source file path for display (e.g. relative to the working directory). */
  displayPath?: (file: string) => string;
  /** Timestamp on each suite. Default: the first exchange's start. */
  timestamp?: string;
}

/** JUnit XML: one testsuite per file, one testcase per request. */
export function toJUnit(exchanges: readonly Exchange[], options: JUnitOptions = {}): string {
  const suites = new Map<string, Exchange[]>();
  for (const e of exchanges) {
    const file = e.source?.file !== undefined ? (options.displayPath ?? ((f: string) => f))(e.source.file) : (options.defaultSuite ?? 'requests');
    const list = suites.get(file) ?? [];
    list.push(e);
    suites.set(file, list);
  }
  const seconds = (e: Exchange) => (totalTime(e) / 1000).toFixed(3);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  let total = 0;
  let failures = 0;
  let errors = 0;
  let time = 0;
  const body: string[] = [];
  for (const [file, list] of suites) {
    const outcomes = list.map(exchangeOutcome);
    const f = outcomes.filter((o) => o === 'failed').length;
    const err = outcomes.filter((o) => o === 'error').length;
    const suiteTime = list.reduce((s, e) => s + totalTime(e), 0) / 1000;
    total += list.length;
    failures += f;
    errors += err;
    time += suiteTime;
    const stamp = (options.timestamp ?? list[0]!.startedAt).replace(/\.\d+Z$/, '').replace(/Z$/, '');
    body.push(
      `  <testsuite name="${xmlEscape(file)}" tests="${list.length}" failures="${f}" errors="${err}" skipped="0" time="${suiteTime.toFixed(3)}" timestamp="${xmlEscape(stamp)}">`,
    );
    list.forEach((e, i) => {
      const label = requestLabel(e);
      const line = e.source?.line !== undefined ? `:${e.source.line + 1}` : '';
      const open = `    <testcase name="${xmlEscape(label)}" classname="${xmlEscape(file)}" time="${seconds(e)}" file="${xmlEscape(file)}"${line ? ` line="${e.source!.line! + 1}"` : ''}`;
      const details = e.tests.map(describeTest);
      const status = finalHop(e).response;
      const summary = status ? `${status.statusCode} ${status.reason}` : 'no response';
      const out = `${finalHop(e).request.method} ${finalHop(e).request.url} → ${summary}`;
      const notices = e.notices.map((n) => `notice: ${n}`);
      const systemOut = `      <system-out>${xmlEscape([out, ...details, ...notices].join('\n'))}</system-out>`;
      if (outcomes[i] === 'error') {
        const err = e.error ?? { name: 'Error', message: 'no response' };
        body.push(`${open}>`, `      <error type="${xmlEscape(err.name)}" message="${xmlEscape(err.message)}">${xmlEscape(`${err.name}: ${err.message}`)}</error>`, systemOut, '    </testcase>');
      } else if (outcomes[i] === 'failed') {
        const failed = e.tests.filter((t) => !t.passed);
        const message = failed.length
          ? failed.map((t) => (t.expected !== undefined ? `${t.name}: expected ${t.expected}, actual ${t.actual ?? '(none)'}` : t.message ? `${t.name}: ${t.message}` : t.name)).join('; ')
          : `HTTP ${summary}`;
        const text = failed.length ? failed.map(describeTest).join('\n') : `${out} (no assertions; status 400 or above)`;
        body.push(`${open}>`, `      <failure type="AssertionError" message="${xmlEscape(message)}">${xmlEscape(text)}</failure>`, systemOut, '    </testcase>');
      } else {
        body.push(`${open}>`, systemOut, '    </testcase>');
      }
    });
    body.push('  </testsuite>');
  }
  lines.push(`<testsuites name="ricochet" tests="${total}" failures="${failures}" errors="${errors}" time="${time.toFixed(3)}">`, ...body, '</testsuites>', '');
  return lines.join('\n');
}
