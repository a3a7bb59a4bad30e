/**
 * Writes a `RequestSpec` (e.g. from a pasted `curl …` command) as a `.http` request block that
 * both REST Client and Ricochet run unchanged.
 *
 *   specToHttp(parseCurl("curl -d a=1 https://x")) // "POST https://x\nContent-Type: …\n\na=1\n"
 */
import type { RequestSpec } from '../core/language/request-spec.ts';

export function specToHttp(spec: RequestSpec): string {
  const lines: string[] = [];
  if (spec.followRedirects === false) lines.push('# @no-redirect');
  if (spec.verify === false) lines.push('# @no-reject-unauthorized');
  if (spec.useCookieJar === false) lines.push('# @no-cookie-jar');
  if (spec.timeout !== undefined) lines.push(`# @timeout ${spec.timeout}ms`);
  if (spec.proxy) lines.push(`# proxy from the command (set http.proxy to use one): ${spec.proxy}`);
  lines.push(`${spec.method.toUpperCase()} ${spec.url}${spec.httpVersion ? ` ${spec.httpVersion}` : ''}`);

  const headers = [...spec.headers];
  const has = (name: string): boolean => headers.some(([n]) => n.toLowerCase() === name.toLowerCase());
  if (spec.auth && !has('authorization')) {
    headers.push(['Authorization', `Basic ${Buffer.from(`${spec.auth[0]}:${spec.auth[1]}`, 'utf8').toString('base64')}`]);
  }
  if (spec.digestAuth && !has('authorization')) {
    // REST Client's shorthand; Ricochet answers the server's challenge with Digest auth.
    headers.push(['Authorization', `Digest ${spec.digestAuth[0]} ${spec.digestAuth[1]}`]);
  }
  if (spec.compressed && !has('accept-encoding')) headers.push(['Accept-Encoding', 'gzip, deflate, br']);

  const body = spec.body;
  let bodyLines: string[] = [];
  if (body?.kind === 'text') {
    bodyLines = [body.text];
  } else if (body?.kind === 'bytes') {
    const text = decodeUtf8(body.bytes);
    bodyLines = text === undefined ? [`# ${body.bytes.length} bytes of binary data were left out; put them in a file and use "< ./file"`] : [text];
  } else if (body?.kind === 'file') {
    bodyLines = [`< ${body.path}`];
  } else if (body?.kind === 'form') {
    if (!has('content-type')) headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
    bodyLines = body.fields.map(([k, v], i) => `${i ? '&' : ''}${encodeForm(k)}=${encodeForm(v)}`);
  } else if (body?.kind === 'multipart') {
    const boundary = 'RicochetFormBoundary';
    const existing = headers.findIndex(([n]) => n.toLowerCase() === 'content-type');
    if (existing >= 0) headers.splice(existing, 1);
    headers.push(['Content-Type', `multipart/form-data; boundary=${boundary}`]);
    for (const part of body.parts) {
      bodyLines.push(`--${boundary}`);
      const filename = part.path !== undefined ? (part.filename ?? part.path.split(/[\\/]/).pop()) : part.filename;
      bodyLines.push(`Content-Disposition: form-data; name="${part.name}"${filename ? `; filename="${filename}"` : ''}`);
      if (part.contentType) bodyLines.push(`Content-Type: ${part.contentType}`);
      bodyLines.push('');
      bodyLines.push(part.path !== undefined ? `< ${part.path}` : (part.value ?? ''));
    }
    bodyLines.push(`--${boundary}--`);
  }

  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  if (bodyLines.length) lines.push('', ...bodyLines);
  return lines.join('\n') + '\n';
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function encodeForm(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+');
}
