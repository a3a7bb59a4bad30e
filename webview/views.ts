/**
 * The summary line and the read-only tabs (Headers, Request, Redirects, Cookies, Timing, Tests),
 * each a function from plain data to DOM.
 */
import { finalHop, totalTime, type Exchange, type ExchangeCookie, type ExchangeHop, type HeaderList, type SentRequest } from '../core/requests/exchange.ts';
import type { JarCookie } from './protocol.ts';
import { h, icon, kvGrid, svg, table, type Child } from './dom.ts';
import { decodeText, formatBytes, formatMs, headerBytes, headerValue, prettyJson, statusClass } from './format.ts';

export function statusBadge(code: number | undefined, reason: string | undefined, attrs?: Record<string, string>): HTMLElement {
  return h('span', { class: `status status-${statusClass(code)}`, ...attrs }, code === undefined ? 'No response' : `${code} ${reason ?? ''}`.trim());
}

export interface SummaryActions {
  copyAsCurl(): void;
  replay(): void;
}

export function summary(exchange: Exchange, actions?: SummaryActions): HTMLElement {
  const first = exchange.hops[0]!;
  const last = finalHop(exchange);
  const res = last.response;
  const body = exchange.body;
  // Cancelling is the user's own doing: said plainly, not as a red failure.
  const cancelled = !res && !!exchange.error && (exchange.error.name === 'AbortError' || /\b(abort|cancel)(ed|led)?\b/i.test(exchange.error.message));
  const facts: Child[] = [];
  // A request that got no response has no timings: "0.00 ms" would be wrong, so no time at all.
  const time = totalTime(exchange);
  if (res || time > 0) facts.push(h('span', { class: 'fact', title: 'Total time across every hop', 'data-testid': 'total-time' }, icon('watch'), ' ', formatMs(time)));
  if (res) {
    const bodyText = body
      ? body.wireSize >= 0 && body.wireSize !== body.size
        ? `${formatBytes(body.size)} (${formatBytes(body.wireSize)} on the wire)`
        : formatBytes(body.size)
      : '0 B';
    facts.push(h('span', { class: 'fact', title: 'Response size: headers + body', 'data-testid': 'sizes' }, icon('file-binary'), ' ',
      `headers ${formatBytes(headerBytes(res.headers))} · body ${bodyText}`));
    facts.push(h('span', { class: 'fact', title: 'HTTP version' }, `HTTP/${res.httpVersion.replace(/^HTTP\//i, '')}`));
  }
  if (last.remoteAddress) {
    facts.push(h('span', { class: 'fact', title: 'Remote address', 'data-testid': 'remote' }, icon('server'), ' ',
      last.remotePort ? `${last.remoteAddress.includes(':') ? `[${last.remoteAddress}]` : last.remoteAddress}:${last.remotePort}` : last.remoteAddress));
  }
  if (last.tls) {
    facts.push(h('span', { class: `fact ${last.tls.authorized ? '' : 'bad'}`, title: last.tls.cipher ?? 'TLS', 'data-testid': 'tls' },
      icon(last.tls.authorized ? 'lock' : 'unlock'), ' ', last.tls.protocol ?? 'TLS', last.tls.authorized ? '' : ` (${last.tls.authorizationError ?? 'not verified'})`));
  }
  if (exchange.hops.length > 1) {
    // Where the chain ended is what the body belongs to: show it, not only in a tooltip.
    facts.push(h('span', { class: 'fact', title: `Redirect hops; the final URL is ${last.request.url}`, 'data-testid': 'final-url' }, icon('arrow-swap'),
      ` ${exchange.hops.length - 1} redirect${exchange.hops.length > 2 ? 's' : ''} → ${shortUrl(last.request.url, first.request.url)}`));
  }
  return h('header', { class: 'summary', 'data-testid': 'summary' },
    h('div', { class: 'request-line' },
      h('span', { class: 'method', 'data-testid': 'method' }, first.request.method),
      h('span', { class: 'url', title: last.request.url, 'data-testid': 'url' }, first.request.url),
      cancelled ? h('span', { class: 'status status-info', 'data-testid': 'status' }, 'Cancelled') : statusBadge(res?.statusCode, res?.reason, { 'data-testid': 'status' }),
      actions ? h('span', { class: 'summary-actions' },
        h('vscode-button', { secondary: true, icon: 'copy', title: 'Copy as cURL', 'aria-label': 'Copy as cURL', 'data-action': 'copy-curl', onclick: () => actions.copyAsCurl() }),
        h('vscode-button', { secondary: true, icon: 'debug-rerun', title: 'Send again', 'aria-label': 'Send again', 'data-action': 'replay', onclick: () => actions.replay() })) : null),
    h('div', { class: 'facts' }, facts),
    exchange.error && cancelled ? h('div', { class: 'error-banner cancelled', 'data-testid': 'error' }, icon('circle-slash'), ' ', exchange.error.message) : null,
    exchange.error && !cancelled ? h('div', { class: 'error-banner', role: 'alert', 'data-testid': 'error' }, icon('error'), ' ', h('strong', null, exchange.error.name), ': ', exchange.error.message) : null,
    exchange.notices.length ? h('ul', { class: 'notices' }, exchange.notices.map((n) => h('li', null, icon('info'), ' ', n))) : null,
  );
}

/** `url` without the origin when it is the same as `from`'s (the path is what changes along a redirect chain). */
function shortUrl(url: string, from: string): string {
  try {
    const u = new URL(url);
    return u.origin === new URL(from).origin ? `${u.pathname}${u.search}` : url;
  } catch {
    return url;
  }
}

export function headerTable(headers: HeaderList, testid: string): HTMLElement {
  if (headers.length === 0) return h('div', { class: 'empty', 'data-testid': testid }, 'No headers');
  return table(['Name', 'Value'], headers.map(([n, v]) => [h('span', { class: 'hname' }, n), v]), { 'data-testid': testid, columns: JSON.stringify(['30%', '70%']) });
}

export function headersTab(exchange: Exchange): HTMLElement {
  const res = finalHop(exchange).response;
  return h('div', { class: 'tab-body' },
    res ? h('div', { class: 'status-line' }, `HTTP/${res.httpVersion.replace(/^HTTP\//i, '')} `, statusBadge(res.statusCode, res.reason), ` · ${res.headers.length} headers`) : null,
    headerTable(res?.headers ?? [], 'response-headers'));
}

function requestBodyText(req: SentRequest): string | undefined {
  const body = req.body;
  if (!body || body.bytes.length === 0) return undefined;
  const text = decodeText(body.bytes.subarray(0, 256 * 1024), undefined).text;
  const pretty = /json/i.test(headerValue(req.headers, 'content-type') ?? '') && !body.truncated ? prettyJson(text) : undefined;
  return (pretty ?? text) + (body.truncated ? `\n… (${formatBytes(body.size)} in all)` : '');
}

export function requestTab(exchange: Exchange): HTMLElement {
  const req = finalHop(exchange).request;
  const text = requestBodyText(req);
  return h('div', { class: 'tab-body' },
    h('div', { class: 'status-line' }, h('span', { class: 'method' }, req.method), ' ', h('span', { class: 'url' }, req.url)),
    h('h3', null, 'Headers as sent', h('span', { class: 'fact' }, 'after auth and cookies')),
    headerTable(req.headers, 'request-headers'),
    h('h3', null, 'Body'),
    text === undefined ? h('div', { class: 'empty' }, 'No body') : h('pre', { class: 'code', 'data-testid': 'request-body' }, text));
}

function cookieRows(cookies: ExchangeCookie[]): Child[][] {
  return cookies.map((c) => [c.name, c.value, c.domain ?? '', c.path ?? '', c.expires ?? (c.maxAge !== undefined ? `max-age ${c.maxAge}` : 'session'),
    [c.secure ? 'Secure' : '', c.httpOnly ? 'HttpOnly' : '', c.sameSite ? `SameSite=${c.sameSite}` : ''].filter(Boolean).join(' ')]);
}

const cookieColumns = ['Name', 'Value', 'Domain', 'Path', 'Expires', 'Flags'];

export function redirectsTab(exchange: Exchange): HTMLElement {
  if (exchange.hops.length === 1) {
    return h('div', { class: 'tab-body' }, h('div', { class: 'empty', 'data-testid': 'no-redirects' }, 'No redirects: the first response was the final one.'));
  }
  return h('div', { class: 'tab-body hops', 'data-testid': 'hops' }, exchange.hops.map((hop, i) => {
    const res = hop.response;
    const location = res ? headerValue(res.headers, 'location') : undefined;
    return h('section', { class: 'hop', 'data-testid': 'hop' },
      h('div', { class: 'hop-title' },
        h('span', { class: 'hop-index' }, String(i + 1)),
        h('span', { class: 'method' }, hop.request.method), ' ',
        h('span', { class: 'url' }, hop.request.url), ' ',
        statusBadge(res?.statusCode, res?.reason),
        h('span', { class: 'fact' }, formatMs(hop.timings.total))),
      location ? h('div', { class: 'hop-line', 'data-testid': 'location' }, icon('arrow-right'), ' Location: ', h('span', { class: 'url' }, location)) : null,
      hop.authorizationDropped ? h('div', { class: 'hop-line warn', 'data-testid': 'auth-dropped' }, icon('shield'), ' Authorization not sent: ', hop.authorizationDropped)
        : headerValue(hop.request.headers, 'authorization') !== undefined ? h('div', { class: 'hop-line', 'data-testid': 'auth-sent' }, icon('key'), ' Authorization sent') : null,
      h('details', { class: 'hop-details' },
        h('summary', null, `Request headers sent (${hop.request.headers.length})`),
        headerTable(hop.request.headers, 'hop-request-headers')),
      hop.cookiesSent.length ? h('div', { class: 'hop-line' }, icon('arrow-up'), ' Cookies sent: ', hop.cookiesSent.map((c) => `${c.name}=${c.value}`).join('; ')) : null,
      hop.cookiesSet.length ? h('div', { class: 'hop-line' }, icon('arrow-down'), ' Cookies set: ', hop.cookiesSet.map((c) => c.name).join(', ')) : null,
    );
  }));
}

export interface CookieActions {
  deleteCookie(c: JarCookie): void;
  clearAll(): void;
}

export function cookiesTab(exchange: Exchange, jar: { environment: string; cookies: JarCookie[] } | undefined, actions: CookieActions): HTMLElement {
  const received = exchange.hops.flatMap((hop, i) => hop.cookiesSet.map((c) => ({ ...c, hop: i + 1 })));
  const sent = finalHop(exchange).cookiesSent;
  return h('div', { class: 'tab-body' },
    h('h3', null, 'Received', h('vscode-badge', { variant: 'counter' }, String(received.length))),
    received.length
      ? table(exchange.hops.length > 1 ? ['Hop', ...cookieColumns] : cookieColumns,
        cookieRows(received).map((row, i) => (exchange.hops.length > 1 ? [String(received[i]!.hop), ...row] : row)), { 'data-testid': 'cookies-received' }) : h('div', { class: 'empty' }, 'No Set-Cookie in this exchange'),
    h('h3', null, 'Sent', h('vscode-badge', { variant: 'counter' }, String(sent.length))),
    sent.length ? table(['Name', 'Value'], sent.map((c) => [c.name, c.value]), { 'data-testid': 'cookies-sent' }) : h('div', { class: 'empty' }, 'No cookies sent with the final request'),
    h('h3', null, jar ? `Jar · ${jar.environment}` : 'Jar',
      jar && jar.cookies.length ? h('vscode-button', { secondary: true, icon: 'clear-all', 'data-action': 'clear-cookies', onclick: () => actions.clearAll() }, 'Delete all') : null),
    !jar ? h('div', { class: 'empty' }, 'The cookie jar is not available.')
      : jar.cookies.length === 0 ? h('div', { class: 'empty', 'data-testid': 'jar-empty' }, 'The jar is empty.')
        : table(['Domain', 'Path', 'Name', 'Value', 'Expires', ''], jar.cookies.map((c) => [c.domain, c.path, c.name, c.value, c.expires ?? 'session',
          h('vscode-button', { secondary: true, icon: 'trash', title: `Delete ${c.name}`, 'aria-label': `Delete ${c.name}`, 'data-action': 'delete-cookie', onclick: () => actions.deleteCookie(c) })]),
        { 'data-testid': 'cookie-jar' }));
}

const phases = [
  ['dns', 'DNS'], ['connect', 'Connect'], ['tls', 'TLS'], ['ttfb', 'Waiting (TTFB)'], ['download', 'Download'],
] as const;

/** A waterfall: one row per hop, phases laid end to end on one time axis shared by every hop. */
export function timingTab(exchange: Exchange): HTMLElement {
  const total = Math.max(totalTime(exchange), 0.001);
  const width = 600;
  const labelW = 0;
  const rowH = 26;
  const hops = exchange.hops;
  let start = 0;
  const rows: SVGElement[] = [];
  hops.forEach((hop, i) => {
    let x = start;
    const y = i * rowH + 4;
    const segs: SVGElement[] = [];
    for (const [key, label] of phases) {
      const ms = hop.timings[key];
      if (ms <= 0) continue;
      const w = Math.max((ms / total) * width, 1.5);
      segs.push(svg('rect', { x: labelW + (x / total) * width, y, width: w, height: rowH - 10, rx: 2, class: `phase phase-${key}` },
        svg('title', {}, `${label}: ${formatMs(ms)}`)));
      x += ms;
    }
    rows.push(svg('g', { 'data-hop': i }, segs));
    start += hop.timings.total;
  });
  const picture = svg('svg', {
    class: 'waterfall', viewBox: `0 0 ${width} ${hops.length * rowH}`, preserveAspectRatio: 'none', role: 'img',
    'aria-label': 'Timing waterfall', height: hops.length * rowH, 'data-testid': 'waterfall',
  }, rows);
  return h('div', { class: 'tab-body' },
    h('div', { class: 'legend' }, phases.map(([key, label]) => h('span', { class: 'legend-item' }, h('span', { class: `swatch phase-${key}` }), label))),
    h('div', { class: 'waterfall-grid' },
      hops.map((hop, i) => h('div', { class: 'wf-label' }, `${i + 1}. ${hop.request.method} ${hostPath(hop.request.url)}`)),
      gridRows(h('div', { class: 'wf-picture' }, picture), hops.length)),
    connection(finalHop(exchange)),
    h('div', { class: 'timing-tables' }, hops.map((hop, i) => h('section', { class: 'timing-hop' },
      h('h3', null, hops.length > 1 ? `Hop ${i + 1}` : 'Phases', h('span', { class: 'fact' }, formatMs(hop.timings.total))),
      table(['Phase', 'Duration'], [...phases.map(([key, label]) => [label, hop.timings[key] > 0 ? formatMs(hop.timings[key]) : '—']), ['Total', formatMs(hop.timings.total)]],
        { 'data-testid': 'timing-table' })))));
}

/** Remote address and TLS facts of the final hop, with the peer certificate when there was one. */
function connection(hop: ExchangeHop): HTMLElement | null {
  const rows: Array<[string, Child]> = [];
  if (hop.remoteAddress) rows.push(['Remote address', hop.remotePort ? `${hop.remoteAddress} port ${hop.remotePort}` : hop.remoteAddress]);
  const tls = hop.tls;
  if (tls) {
    rows.push(['TLS', `${tls.protocol ?? '?'}${tls.cipher ? ` · ${tls.cipher}` : ''}`]);
    rows.push(['Certificate', tls.authorized ? h('span', { class: 'ok' }, icon('pass'), ' verified') : h('span', { class: 'bad' }, icon('error'), ` not verified: ${tls.authorizationError ?? 'unknown reason'}`)]);
    const cert = tls.peerCertificate;
    if (cert) {
      rows.push(['Subject', cert.subject], ['Issuer', cert.issuer], ['Valid', `${cert.validFrom} → ${cert.validTo}`]);
      if (cert.subjectAltName) rows.push(['Alt names', cert.subjectAltName]);
      if (cert.fingerprint256) rows.push(['SHA-256', cert.fingerprint256]);
    }
  }
  if (rows.length === 0) return null;
  return h('section', { class: 'connection', 'data-testid': 'connection' }, h('h3', null, 'Connection'), kvGrid(rows));
}

/** CSSOM, not a style attribute: the panel's CSP allows no inline style attributes from our own code paths. */
function gridRows(el: HTMLElement, n: number): HTMLElement {
  el.style.gridRow = `1 / span ${n}`;
  return el;
}

function hostPath(url: string): string {
  try {
    const u = new URL(url);
    return u.host + u.pathname;
  } catch {
    return url;
  }
}

export function testsTab(exchange: Exchange): HTMLElement {
  const tests = exchange.tests;
  if (tests.length === 0) return h('div', { class: 'tab-body' }, h('div', { class: 'empty', 'data-testid': 'no-tests' }, 'No assertions for this request.'));
  const passed = tests.filter((t) => t.passed).length;
  return h('div', { class: 'tab-body' },
    h('div', { class: 'status-line', 'data-testid': 'tests-summary' }, `${passed} of ${tests.length} passed`),
    h('ul', { class: 'tests', 'data-testid': 'tests' }, tests.map((t) => h('li', { class: t.passed ? 'pass' : 'fail' },
      icon(t.passed ? 'pass' : 'error'), ' ', h('span', { class: 'test-name' }, t.name),
      t.line !== undefined ? h('span', { class: 'fact' }, `line ${t.line + 1}`) : null,
      !t.passed && (t.expected !== undefined || t.actual !== undefined)
        ? h('div', { class: 'test-detail' }, t.expected !== undefined ? ['expected ', h('code', null, t.expected)] : null, t.actual !== undefined ? [' · actual ', h('code', null, t.actual)] : null)
        : null,
      t.message ? h('div', { class: 'test-detail' }, t.message) : null))));
}
