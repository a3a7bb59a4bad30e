/**
 * Credentials out of anything that is stored or printed: history files, the output channel, the
 * CLI's `--verbose` dump. One place decides what a credential is, so every front end agrees.
 *
 *   redactExchange(exchange, { secrets: ['s3cret'] })  // a copy safe to write to disk
 *   redactHeaders([['Authorization', 'Bearer abc']])   // [['Authorization', 'Bearer ••••••']]
 */
import type { Exchange, ExchangeCookie, HeaderList } from './exchange.ts';

export const REDACTED = '••••••';

/** Header names whose values are credentials. */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/** Shorter strings are too likely to occur by chance to be scrubbed from bodies. */
const MIN_SCRUB_LENGTH = 4;

/** The value with its credential part masked; other headers come back unchanged. */
export function redactHeaderValue(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (!CREDENTIAL_HEADERS.has(lower)) return value;
  if (lower.endsWith('authorization')) {
    // Keep the scheme: "Bearer" vs "Basic" is useful when reading history; the token is not.
    const scheme = /^\s*([A-Za-z][\w-]*)\s+\S/.exec(value)?.[1];
    return scheme ? `${scheme} ${REDACTED}` : REDACTED;
  }
  if (lower === 'cookie') {
    return value
      .split(';')
      .map((pair) => `${pair.split('=')[0]?.trim()}=${REDACTED}`)
      .join('; ');
  }
  // Set-Cookie: mask the value, keep the attributes (domain, path, expiry are not secret).
  const [first = '', ...attributes] = value.split(';');
  return [`${first.split('=')[0]?.trim()}=${REDACTED}`, ...attributes].join(';');
}

export function redactHeaders(headers: HeaderList): HeaderList {
  return headers.map(([name, value]) => [name, redactHeaderValue(name, value)]);
}

export function redactCookie(cookie: ExchangeCookie): ExchangeCookie {
  return { ...cookie, value: REDACTED };
}

/**
 * The credential strings an exchange carried: tokens of Authorization headers, cookie values
 * sent and set. A server that echoes them (httpbin's /anything does) would otherwise put them in
 * the body, where header redaction cannot see them.
 */
export function credentialValues(exchange: Exchange): string[] {
  const values = new Set<string>();
  for (const hop of exchange.hops) {
    for (const [name, value] of hop.request.headers) {
      const lower = name.toLowerCase();
      if (lower.endsWith('authorization')) {
        const token = /^\s*[A-Za-z][\w-]*\s+(.+)$/.exec(value)?.[1] ?? value;
        values.add(token.trim());
      }
    }
    for (const cookie of [...hop.cookiesSent, ...hop.cookiesSet]) values.add(cookie.value);
  }
  return [...values].filter((v) => v.length >= MIN_SCRUB_LENGTH);
}

export interface RedactOptions {
  /** Extra values that must never appear (environment secrets). */
  secrets?: Iterable<string>;
}

/**
 * A deep copy with credential headers and cookies masked, and every credential value and secret
 * replaced wherever else it appears: URLs, messages, and body bytes.
 */
export function redactExchange(exchange: Exchange, options: RedactOptions = {}): Exchange {
  const scrub = [...new Set([...credentialValues(exchange), ...(options.secrets ?? [])])].filter(
    (s) => s.length >= MIN_SCRUB_LENGTH,
  );
  const copy: Exchange = {
    ...exchange,
    hops: exchange.hops.map((hop) => ({
      ...hop,
      request: { ...hop.request, headers: redactHeaders(hop.request.headers) },
      ...(hop.response ? { response: { ...hop.response, headers: redactHeaders(hop.response.headers) } } : {}),
      cookiesSent: hop.cookiesSent.map(redactCookie),
      cookiesSet: hop.cookiesSet.map(redactCookie),
    })),
  };
  return scrub.length ? scrubValues(copy, scrub) : copy;
}

/** Replaces each of `values` wherever it appears in strings and in byte arrays (as UTF-8). */
export function scrubValues<T>(value: T, values: readonly string[]): T {
  // Longest first, so a secret that contains another is replaced whole.
  const sorted = [...values].sort((a, b) => b.length - a.length);
  const encoded = sorted.map((s) => Buffer.from(s, 'utf8'));
  const redactedBytes = Buffer.from(REDACTED, 'utf8');
  const scrubText = (s: string): string => sorted.reduce((acc, secret) => (acc.includes(secret) ? acc.split(secret).join(REDACTED) : acc), s);
  const scrubBytes = (bytes: Uint8Array): Uint8Array => {
    let buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let changed = false;
    for (const needle of encoded) {
      let at = buffer.indexOf(needle);
      if (at < 0) continue;
      const parts: Buffer[] = [];
      let from = 0;
      while (at >= 0) {
        parts.push(buffer.subarray(from, at), redactedBytes);
        from = at + needle.length;
        at = buffer.indexOf(needle, from);
      }
      parts.push(buffer.subarray(from));
      buffer = Buffer.concat(parts);
      changed = true;
    }
    return changed ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) : bytes;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrubText(v);
    if (v instanceof Uint8Array) return scrubBytes(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
