/** Hand-made Exchanges for tests of assertions, scripts, HAR, JUnit and the CLI report. */
import type { Exchange, ExchangeHop, HeaderList, TestResult } from '../../../core/requests/exchange.ts';

export interface ExchangeShape {
  method?: string;
  url?: string;
  status?: number;
  reason?: string;
  headers?: HeaderList;
  body?: string | Uint8Array;
  charset?: string;
  contentType?: string;
  requestHeaders?: HeaderList;
  requestBody?: string;
  total?: number;
  redirects?: Array<{ url: string; status: number; location: string }>;
  error?: { name: string; message: string };
  tests?: TestResult[];
  file?: string;
  line?: number;
  name?: string;
}

const timings = (total: number) => ({ dns: 1, connect: 2, tls: 0, ttfb: Math.max(0, total - 4), download: 1, total });

export function makeExchange(s: ExchangeShape = {}): Exchange {
  const method = s.method ?? 'GET';
  const hops: ExchangeHop[] = [];
  for (const r of s.redirects ?? []) {
    hops.push({
      request: { method, url: r.url, headers: [['Host', new URL(r.url).host]] },
      response: { statusCode: r.status, reason: 'Found', httpVersion: '1.1', headers: [['Location', r.location], ['Content-Length', '0']] },
      timings: timings(5),
      cookiesSent: [],
      cookiesSet: [],
    });
  }
  const url = s.url ?? 'http://127.0.0.1:1/get';
  const body = typeof s.body === 'string' ? new TextEncoder().encode(s.body) : s.body;
  const contentType = s.contentType ?? (s.headers?.find(([n]) => n.toLowerCase() === 'content-type')?.[1]);
  const hop: ExchangeHop = {
    request: {
      method,
      url,
      headers: s.requestHeaders ?? [['Host', new URL(url).host], ['User-Agent', 'ricochet-test']],
      ...(s.requestBody !== undefined
        ? { body: { bytes: new TextEncoder().encode(s.requestBody), size: Buffer.byteLength(s.requestBody), truncated: false } }
        : {}),
    },
    timings: timings(s.total ?? 12),
    cookiesSent: [],
    cookiesSet: [],
    remoteAddress: '127.0.0.1',
    remotePort: 1,
  };
  if (!s.error) {
    hop.response = {
      statusCode: s.status ?? 200,
      reason: s.reason ?? 'OK',
      httpVersion: '1.1',
      headers: s.headers ?? (contentType ? [['Content-Type', contentType]] : []),
    };
  }
  hops.push(hop);
  const exchange: Exchange = {
    id: Math.random().toString(36).slice(2),
    startedAt: '2026-01-02T03:04:05.000Z',
    hops,
    tests: s.tests ?? [],
    notices: [],
  };
  if (s.error) exchange.error = s.error;
  if (body && !s.error) {
    exchange.body = { bytes: body, size: body.length, truncated: false, wireSize: body.length, contentEncoding: [], ...(contentType ? { contentType } : {}), ...(s.charset ? { charset: s.charset } : {}) };
  }
  if (s.file !== undefined || s.name !== undefined) {
    exchange.source = { ...(s.file !== undefined ? { file: s.file } : {}), line: s.line ?? 0, ...(s.name !== undefined ? { name: s.name } : {}) };
  }
  return exchange;
}
