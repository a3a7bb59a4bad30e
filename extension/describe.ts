/**
 * Words for an Exchange: the one-line summary (CodeLens, history, notifications), an error
 * message that says what happened and what to do, the text shown in the read-only response
 * editor, and the lines logged to the "Ricochet" output channel. Pure, no `vscode`.
 */
import { basename } from 'node:path';
import { finalHop, totalTime } from '../core/requests/exchange.ts';
import type { Exchange, HeaderList } from '../core/requests/exchange.ts';
import { redactExchange } from '../core/requests/redact.ts';

export function formatBytes(n: number): string {
  if (n < 0) return '? B';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** "200 OK · 12 ms · 1.2 KB", or "failed: <what happened>". */
export function summaryLine(exchange: Exchange): string {
  const hop = finalHop(exchange);
  if (isCancelled(exchange)) return 'cancelled';
  if (exchange.error || !hop.response) return `failed: ${exchange.error?.name ?? 'no response'}`;
  const parts = [`${hop.response.statusCode} ${hop.response.reason}`.trim(), formatMs(totalTime(exchange))];
  if (exchange.body) parts.push(formatBytes(exchange.body.size));
  if (exchange.hops.length > 1) parts.push(`${exchange.hops.length - 1} redirect${exchange.hops.length > 2 ? 's' : ''}`);
  const failed = exchange.tests.filter((t) => !t.passed).length;
  if (exchange.tests.length) parts.push(failed ? `${failed}/${exchange.tests.length} tests failed` : `${exchange.tests.length} tests passed`);
  return parts.join(' · ');
}

export function isCancelled(exchange: Exchange): boolean {
  const e = exchange.error;
  return !!e && (e.name === 'AbortError' || e.name === 'CancelledError' || /\b(abort|cancel)(ed|led)?\b/i.test(e.message));
}

/** What went wrong and what to do about it, naming the host and the request's line. */
export function describeError(exchange: Exchange): string | undefined {
  const error = exchange.error;
  if (!error) return undefined;
  const hop = finalHop(exchange);
  let where = hop.request.url;
  try {
    const u = new URL(hop.request.url);
    where = `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    /* keep the raw URL */
  }
  const at = exchange.source?.line !== undefined ? ` (line ${exchange.source.line + 1})` : '';
  // The file's full path (a temp or deep workspace folder) buries the message; its name and line are enough.
  const file = exchange.source?.file;
  const msg = (file ? error.message.split(file).join(basename(file)) : error.message).replace(/\.$/, '');
  if (isCancelled(exchange)) return `Request cancelled${at}.`;
  switch (error.name) {
    case 'SSLError': {
      const reason = /certificate has expired|self[- ]signed certificate(?: in certificate chain)?|self[- ]signed|unable to (get|verify)[^,;]*|hostname[^,;]*|altnames[^,;]*/i.exec(msg)?.[0] ?? msg;
      return `TLS: ${reason} for ${where}${at} — set ricochet.verify or add the CA with ricochet.caBundle.`;
    }
    case 'ConnectTimeout':
      return `Timed out connecting to ${where}${at} — check the host is reachable, or raise ricochet.timeout.`;
    case 'ReadTimeout':
    case 'Timeout':
      return `No response from ${where} in time${at} — raise ricochet.timeout or add "# @timeout 60s" above the request.`;
    case 'ProxyError':
      return `Proxy failed for ${where}${at}: ${msg} — check the http.proxy setting.`;
    case 'TooManyRedirects':
      return `Too many redirects from ${where}${at} — raise ricochet.maxRedirects or add "# @no-redirect".`;
    case 'MissingSchema':
    case 'InvalidSchema':
    case 'InvalidURL':
    case 'URLRequired':
      return `Bad URL${at}: ${msg} — URLs start with http:// or https://.`;
    case 'ConnectionError':
      if (/ECONNREFUSED|refused/i.test(msg)) return `Connection refused by ${where}${at} — is the server running on that port?`;
      if (/ENOTFOUND|EAI_AGAIN|getaddrinfo/i.test(msg)) return `Host not found: ${where}${at} — check the URL or your DNS.`;
      return `Connection to ${where} failed${at}: ${msg}.`;
    case 'VariableError':
    case 'ResolveError':
    case 'EnvironmentError':
      // These already name file:line:col.
      if (/restricted mode|untrusted/i.test(msg)) {
        return `${msg}. This workspace is in Restricted Mode, where $processEnv, $dotenv and request bodies from files are off — trust the folder to use them.`;
      }
      return `${msg}.`;
    default:
      return `${error.name}${at}: ${msg}.`;
  }
}

/** Decodes a body for display with its charset (UTF-8 when unknown); JSON is pretty-printed. */
export function bodyText(exchange: Exchange): string {
  const body = exchange.body;
  if (!body) return '';
  let text: string;
  try {
    text = new TextDecoder(body.charset ?? 'utf-8').decode(body.bytes);
  } catch {
    text = new TextDecoder('utf-8').decode(body.bytes);
  }
  if (/\bjson\b/i.test(body.contentType ?? '') && !body.truncated) {
    try {
      text = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      /* not valid JSON after all: show as sent */
    }
  }
  return text;
}

/** A language id VS Code knows for the body's content type. */
export function bodyLanguage(contentType: string | undefined): string {
  const ct = (contentType ?? '').toLowerCase();
  if (/json/.test(ct)) return 'json';
  if (/html/.test(ct)) return 'html';
  if (/xml/.test(ct)) return 'xml';
  if (/javascript|ecmascript/.test(ct)) return 'javascript';
  if (/css/.test(ct)) return 'css';
  if (/yaml/.test(ct)) return 'yaml';
  return 'plaintext';
}

/** File extension for "Save Response Body". */
export function bodyExtension(contentType: string | undefined): string {
  const ct = (contentType ?? '').toLowerCase();
  const known: Array<[RegExp, string]> = [[/json/, 'json'], [/html/, 'html'], [/xml/, 'xml'], [/javascript/, 'js'], [/css/, 'css'],
    [/png/, 'png'], [/jpe?g/, 'jpg'], [/gif/, 'gif'], [/svg/, 'svg'], [/webp/, 'webp'], [/pdf/, 'pdf'], [/zip/, 'zip'], [/^text\//, 'txt']];
  return known.find(([re]) => re.test(ct))?.[1] ?? 'bin';
}

function headerLines(headers: HeaderList): string[] {
  return headers.map(([n, v]) => `${n}: ${v}`);
}

/** The response as an HTTP message, for the read-only response editor. */
export function exchangeAsText(exchange: Exchange): string {
  const hop = finalHop(exchange);
  const lines: string[] = [];
  if (exchange.error) lines.push(`# ${describeError(exchange) ?? exchange.error.message}`, '');
  for (const [i, h] of exchange.hops.entries()) {
    if (i < exchange.hops.length - 1 && h.response) lines.push(`# redirect ${i + 1}: ${h.response.statusCode} ${h.request.method} ${h.request.url}`);
  }
  if (hop.response) {
    lines.push(`HTTP/${hop.response.httpVersion} ${hop.response.statusCode} ${hop.response.reason}`, ...headerLines(hop.response.headers), '');
    lines.push(bodyText(exchange));
    if (exchange.body?.truncated) lines.push('', `# … body truncated: ${formatBytes(exchange.body.bytes.length)} of ${formatBytes(exchange.body.size)} shown`);
  }
  for (const t of exchange.tests) lines.push(`# ${t.passed ? 'PASS' : 'FAIL'} ${t.name}${t.passed ? '' : ` (expected ${t.expected ?? '?'}, got ${t.actual ?? '?'})`}`);
  for (const n of exchange.notices) lines.push(`# note: ${n}`);
  return lines.join('\n');
}

/**
 * Lines for the output channel: what was sent (every hop) and what came back. Credentials are
 * masked (the channel is as public as a log file); secrets must be scrubbed by the caller.
 */
export function logLines(exchange: Exchange): string[] {
  exchange = redactExchange(exchange);
  const lines: string[] = [];
  const src = exchange.source?.file ? ` (${exchange.source.file}:${(exchange.source.line ?? 0) + 1})` : '';
  lines.push(`[${exchange.startedAt}] ${exchange.source?.name ?? exchange.source?.title ?? 'request'}${src}`);
  for (const hop of exchange.hops) {
    lines.push(`→ ${hop.request.method} ${hop.request.url}`, ...headerLines(hop.request.headers).map((l) => `  ${l}`));
    if (hop.request.body) lines.push(`  (${formatBytes(hop.request.body.size)} body)`);
    if (hop.response) lines.push(`← ${hop.response.statusCode} ${hop.response.reason} in ${formatMs(hop.timings.total)}`);
  }
  if (exchange.error) lines.push(`✖ ${describeError(exchange)}`);
  for (const n of exchange.notices) lines.push(`! ${n}`);
  return lines;
}
