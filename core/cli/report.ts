/**
 * What `ricochet run` prints: one line per request (outcome, method, URL, status, time, size,
 * assertions), failing assertions underneath, an optional verbose dump of every hop, and a
 * closing summary. Pure functions of `Exchange`s, so they are tested without a network.
 */
import { finalHop, totalTime } from '../requests/exchange.ts';
import type { Exchange, HeaderList } from '../requests/exchange.ts';
import { exchangeOutcome, requestLabel } from '../language/junit.ts';
import { isTextual } from '../language/har.ts';
import type { Palette } from './colors.ts';
import { redactExchange } from '../requests/redact.ts';

export function formatBytes(n: number): string {
  if (n < 0) return '?';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;
}

export interface ReportOptions {
  colors: Palette;
  /** Rewrites source file paths for display (relative to the working directory). */
  displayPath?: (file: string) => string;
  /** `--show-credentials`: print Authorization and cookie values as sent instead of masked. */
  showCredentials?: boolean;
}

function where(e: Exchange, opts: ReportOptions): string | undefined {
  const file = e.source?.file;
  if (file === undefined) return undefined;
  const shown = opts.displayPath ? opts.displayPath(file) : file;
  return e.source?.line !== undefined ? `${shown}:${e.source.line + 1}` : shown;
}

/** A value on one line, shortened: a whole body as "actual" must not flood the report. */
export function oneLine(text: string, max = 120): string {
  const flat = text.replace(/\s*\n\s*/g, ' ⏎ ').replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The one line for a request, then a line per failed test, error and notice. */
export function formatExchange(e: Exchange, opts: ReportOptions): string[] {
  const c = opts.colors;
  const outcome = exchangeOutcome(e);
  const first = e.hops[0]!.request;
  const last = finalHop(e);
  const mark = outcome === 'passed' ? c.green('✔') : c.red('✘');
  const parts = [mark, c.bold(first.method), first.url];
  if (last.response) {
    const { statusCode, reason } = last.response;
    const status = `${statusCode}${reason ? ` ${reason}` : ''}`;
    parts.push(statusCode >= 400 ? c.red(status) : statusCode >= 300 ? c.yellow(status) : c.green(status));
  } else {
    parts.push(c.red(e.error?.name ?? 'no response'));
  }
  parts.push(c.dim(formatDuration(totalTime(e))));
  if (e.body) parts.push(c.dim(formatBytes(e.body.size)));
  if (e.hops.length > 1) parts.push(c.dim(`${e.hops.length - 1} redirect${e.hops.length > 2 ? 's' : ''}`));
  if (e.tests.length) {
    const passed = e.tests.filter((t) => t.passed).length;
    const text = `${passed}/${e.tests.length} assertions`;
    parts.push(passed === e.tests.length ? c.green(text) : c.red(text));
  }
  const label = e.source?.name ?? e.source?.title;
  const place = where(e, opts);
  const tail = [label, place ? `(${place})` : undefined].filter(Boolean).join(' ');
  if (tail) parts.push(c.dim(tail));
  const lines = [parts.join('  ')];
  if (e.error) lines.push(`    ${c.red(`${e.error.name}: ${e.error.message}`)}`);
  for (const t of e.tests) {
    if (t.passed) continue;
    let line = `    ${c.red('✘')} ${t.name}`;
    if (t.expected !== undefined || t.actual !== undefined) line += `  ${c.dim('expected')} ${oneLine(t.expected ?? '')}  ${c.dim('actual')} ${oneLine(t.actual ?? '')}`;
    if (t.message && t.expected === undefined) line += `  ${c.dim(t.message)}`;
    if (t.line !== undefined && e.source?.file !== undefined) line += `  ${c.dim(`(${opts.displayPath ? opts.displayPath(e.source.file) : e.source.file}:${t.line + 1})`)}`;
    lines.push(line);
  }
  if (!e.error && !e.tests.length && outcome === 'failed') lines.push(`    ${c.red('✘')} ${c.dim('HTTP error status and no assertions to say it was expected')}`);
  for (const n of e.notices) lines.push(n.startsWith('log: ') ? `    ${c.dim(n)}` : `    ${c.yellow('!')} ${n}`);
  return lines;
}

function headerLines(headers: HeaderList, prefix: string): string[] {
  return headers.map(([n, v]) => `${prefix}${n}: ${v}`);
}

function preview(bytes: Uint8Array, size: number, limit = 2048): string {
  const text = new TextDecoder().decode(bytes.subarray(0, limit));
  const more = size > limit || size < 0 ? `\n… (${size < 0 ? 'streamed' : formatBytes(size)})` : '';
  return text + more;
}

/** Every hop as sent and as answered, curl -v style. */
export function formatVerbose(exchange: Exchange, opts: ReportOptions): string[] {
  const c = opts.colors;
  // Terminal output ends up in CI logs: credentials are masked unless asked for.
  const e = opts.showCredentials ? exchange : redactExchange(exchange);
  const lines: string[] = [];
  e.hops.forEach((hop, i) => {
    if (e.hops.length > 1) lines.push(c.dim(`  ── hop ${i + 1} of ${e.hops.length}${hop.remoteAddress ? ` · ${hop.remoteAddress}:${hop.remotePort ?? ''}` : ''}`));
    lines.push(c.cyan(`  > ${hop.request.method} ${hop.request.url}`));
    lines.push(...headerLines(hop.request.headers, '  > ').map((l) => c.cyan(l)));
    if (hop.request.body && hop.request.body.size !== 0) {
      lines.push(...preview(hop.request.body.bytes, hop.request.body.size).split('\n').map((l) => `  > ${l}`));
    }
    if (hop.response) {
      lines.push(`  < HTTP/${hop.response.httpVersion} ${hop.response.statusCode} ${hop.response.reason}`);
      lines.push(...headerLines(hop.response.headers, '  < '));
    }
    const t = hop.timings;
    lines.push(c.dim(`  · dns ${formatDuration(t.dns)} · connect ${formatDuration(t.connect)} · tls ${formatDuration(t.tls)} · ttfb ${formatDuration(t.ttfb)} · download ${formatDuration(t.download)}`));
    if (hop.authorizationDropped) lines.push(c.yellow(`  ! ${hop.authorizationDropped}`));
  });
  if (e.body && e.body.size !== 0) {
    const type = e.body.contentType ?? '';
    if (isTextual(type.split(';')[0]!.trim().toLowerCase())) {
      lines.push(...preview(e.body.bytes, e.body.truncated ? e.body.size : e.body.bytes.length).split('\n').map((l) => `  ${l}`));
    } else {
      lines.push(c.dim(`  (${type || 'binary'} body, ${formatBytes(e.body.size)})`));
    }
  }
  for (const t of e.tests) if (t.passed) lines.push(`    ${c.green('✔')} ${t.name}`);
  return lines;
}

export interface Summary {
  requests: number;
  passed: number;
  failed: number;
  assertions: number;
  assertionsPassed: number;
  time: number;
}

export function summarize(exchanges: readonly Exchange[]): Summary {
  const s: Summary = { requests: exchanges.length, passed: 0, failed: 0, assertions: 0, assertionsPassed: 0, time: 0 };
  for (const e of exchanges) {
    if (exchangeOutcome(e) === 'passed') s.passed++;
    else s.failed++;
    s.assertions += e.tests.length;
    s.assertionsPassed += e.tests.filter((t) => t.passed).length;
    s.time += totalTime(e);
  }
  return s;
}

export function formatSummary(s: Summary, c: Palette): string {
  const req = `${s.requests} request${s.requests === 1 ? '' : 's'}: ${c.green(`${s.passed} passed`)}${s.failed ? `, ${c.red(`${s.failed} failed`)}` : ''}`;
  const failedAssertions = s.assertions - s.assertionsPassed;
  const asr = `${s.assertions} assertion${s.assertions === 1 ? '' : 's'}${failedAssertions ? `, ${c.red(`${failedAssertions} failed`)}` : ''}`;
  return `${req} · ${asr} · ${formatDuration(s.time)}`;
}

export { requestLabel };
