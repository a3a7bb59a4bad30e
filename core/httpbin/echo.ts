/**
 * What httpbin echoes back about a request: `args`, `headers`, `origin`, `url`, and for requests
 * with a body `data`, `form`, `files`, `json` — the same JSON shapes httpbin.org uses.
 */
import type http from 'node:http';

/** A query or form field: one value as a string, repeated keys as an array (like httpbin). */
export type FieldMap = Record<string, string | string[]>;

export interface EchoBody {
  data: string;
  form: FieldMap;
  files: FieldMap;
  json: unknown;
}

/** Largest request body the server reads (bigger bodies get 413). */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

export async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** `user-agent` → `User-Agent`, as httpbin (werkzeug) presents header names. */
export function titleCase(name: string): string {
  return name
    .toLowerCase()
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('-');
}

/** Request headers keyed in Title-Case; repeated headers joined with ", " (Cookie with "; "). */
export function echoHeaders(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = titleCase(raw[i] ?? '');
    const value = raw[i + 1] ?? '';
    const previous = out[name];
    out[name] = previous === undefined ? value : previous + (name === 'Cookie' ? '; ' : ', ') + value;
  }
  return out;
}

export function addField(map: FieldMap, key: string, value: string): void {
  const previous = map[key];
  if (previous === undefined) map[key] = value;
  else if (Array.isArray(previous)) previous.push(value);
  else map[key] = [previous, value];
}

export function fieldsFrom(params: URLSearchParams): FieldMap {
  const map: FieldMap = {};
  for (const [key, value] of params) addField(map, key, value);
  return map;
}

/** Last value of a field (query or form), or undefined. */
export function lastField(map: FieldMap, key: string): string | undefined {
  const value = map[key];
  return Array.isArray(value) ? value.at(-1) : value;
}

export function origin(req: http.IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export function isTls(req: http.IncomingMessage): boolean {
  return 'encrypted' in req.socket && req.socket.encrypted === true;
}

/** The absolute URL the client asked for, as httpbin's `url` field shows it. */
export function fullUrl(req: http.IncomingMessage): string {
  const target = req.url ?? '/';
  if (/^https?:\/\//i.test(target)) return target; // absolute-form (proxy-style request)
  const host = req.headers.host ?? `${req.socket.localAddress ?? '127.0.0.1'}:${req.socket.localPort ?? 0}`;
  return `${isTls(req) ? 'https' : 'http'}://${host}${target}`;
}

/** A body as httpbin shows it: text when it is valid UTF-8, otherwise a base64 data URL. */
function bodyText(bytes: Buffer, contentType = 'application/octet-stream'): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return `data:${contentType};base64,${bytes.toString('base64')}`;
  }
}

export function parseBody(body: Buffer, contentType: string | undefined): EchoBody {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const result: EchoBody = { data: '', form: {}, files: {}, json: null };
  if (type === 'application/x-www-form-urlencoded') {
    result.form = fieldsFrom(new URLSearchParams(body.toString('utf8')));
    return result;
  }
  if (type === 'multipart/form-data') {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
    const delimiter = boundary?.[1] ?? boundary?.[2]?.trim();
    if (delimiter) {
      for (const part of parseMultipart(body, delimiter)) {
        if (part.filename !== undefined) addField(result.files, part.name, bodyText(part.body, part.contentType));
        else addField(result.form, part.name, part.body.toString('utf8'));
      }
      return result;
    }
  }
  result.data = bodyText(body);
  if (body.length > 0) {
    try {
      result.json = JSON.parse(body.toString('utf8'));
    } catch {
      result.json = null;
    }
  }
  return result;
}

export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** Splits a multipart/form-data body into its parts (enough for echoing uploads). */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const parts: MultipartPart[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    let cursor = start + delimiter.length;
    if (body.subarray(cursor, cursor + 2).toString() === '--') break; // closing delimiter
    if (body[cursor] === 0x0d && body[cursor + 1] === 0x0a) cursor += 2;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), cursor);
    if (next === -1) break;
    const headEnd = body.indexOf('\r\n\r\n', cursor);
    if (headEnd === -1 || headEnd > next) {
      start = next + 2;
      continue;
    }
    const headers: Record<string, string> = {};
    for (const line of body.subarray(cursor, headEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const disposition = headers['content-disposition'] ?? '';
    const name = /\bname="((?:[^"\\]|\\.)*)"/i.exec(disposition)?.[1] ?? /\bname=([^;]+)/i.exec(disposition)?.[1] ?? '';
    const filename = /\bfilename="((?:[^"\\]|\\.)*)"/i.exec(disposition)?.[1] ?? /\bfilename=([^;]+)/i.exec(disposition)?.[1];
    parts.push({
      name,
      ...(filename !== undefined ? { filename } : {}),
      ...(headers['content-type'] ? { contentType: headers['content-type'] } : {}),
      headers,
      body: body.subarray(headEnd + 4, next),
    });
    start = next + 2;
  }
  return parts;
}
