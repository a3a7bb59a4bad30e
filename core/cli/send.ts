/**
 * Sends one `RequestSpec` (from `ricochet curl …`) on a Session and records it as an Exchange,
 * reporting download progress as the body arrives.
 */
import fs from 'node:fs';
import { Session } from '../requests/sessions.ts';
import type { RequestOptions } from '../requests/sessions.ts';
import { toExchange, errorExchange } from '../requests/record.ts';
import type { Exchange } from '../requests/exchange.ts';
import type { FileContent, FileSpec } from '../requests/multipart.ts';
import type { RequestSpec } from '../language/request-spec.ts';

export interface SendSpecOptions {
  verify?: boolean;
  signal?: AbortSignal;
  onProgress?: (received: number, total: number | undefined) => void;
}

/** Request options for `session.request(spec.method, spec.url, …)`. */
export async function specToOptions(spec: RequestSpec, verify?: boolean): Promise<RequestOptions> {
  const headers: Record<string, string> = {};
  const names = new Map<string, string>();
  for (const [name, value] of spec.headers) {
    const key = names.get(name.toLowerCase()) ?? name;
    names.set(name.toLowerCase(), key);
    headers[key] = key in headers ? `${headers[key]}${name.toLowerCase() === 'cookie' ? '; ' : ', '}${value}` : value;
  }
  const options: RequestOptions = { headers, allowRedirects: spec.followRedirects ?? true };
  const body = spec.body;
  if (body) {
    switch (body.kind) {
      case 'text':
        options.data = body.encoding === 'latin1' ? new Uint8Array(Buffer.from(body.text, 'latin1')) : body.text;
        break;
      case 'bytes':
        options.data = body.bytes;
        break;
      case 'file':
        options.data = await fs.openAsBlob(body.path);
        break;
      case 'form':
        options.data = body.fields;
        break;
      case 'multipart': {
        const files: Array<[string, FileContent | FileSpec]> = [];
        const fields: Array<[string, string]> = [];
        for (const p of body.parts) {
          if (p.path !== undefined) {
            files.push([p.name, { content: { path: p.path }, ...(p.filename !== undefined ? { filename: p.filename } : {}), ...(p.contentType !== undefined ? { contentType: p.contentType } : {}) }]);
          } else if (p.contentType !== undefined) {
            files.push([p.name, { content: p.value ?? '', contentType: p.contentType, ...(p.filename !== undefined ? { filename: p.filename } : {}) }]);
          } else fields.push([p.name, p.value ?? '']);
        }
        // A Content-Type copied from elsewhere would carry someone else's boundary.
        for (const key of Object.keys(headers)) if (key.toLowerCase() === 'content-type') delete headers[key];
        if (files.length) {
          options.files = files;
          if (fields.length) options.data = fields;
        } else {
          options.files = fields.map(([n, v]) => [n, { content: v }] as [string, FileSpec]);
        }
        break;
      }
    }
  }
  if (spec.auth) options.auth = spec.auth;
  const v = spec.verify === false ? false : verify;
  if (v !== undefined) options.verify = v;
  if (spec.timeout !== undefined) options.timeout = spec.timeout;
  if (spec.proxy) options.proxies = { all: spec.proxy };
  return options;
}

/** Sends the spec on `session` (a fresh one when omitted); failures come back as Exchanges with `error`. */
export async function sendSpec(spec: RequestSpec, options: SendSpecOptions = {}, session?: Session): Promise<Exchange> {
  const owned = session ?? new Session();
  try {
    const requestOptions = await specToOptions(spec, options.verify);
    requestOptions.stream = true;
    if (options.signal) requestOptions.signal = options.signal;
    const response = await owned.request(spec.method, spec.url, requestOptions);
    const length = Number(response.headers.get('content-length'));
    const total = Number.isFinite(length) && length > 0 && response.contentEncoding.length === 0 ? length : undefined;
    const chunks: Uint8Array[] = [];
    let received = 0;
    for await (const chunk of response.iterContent()) {
      const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
      chunks.push(bytes);
      received += bytes.length;
      options.onProgress?.(received, total);
    }
    response.setContent(new Uint8Array(Buffer.concat(chunks)));
    return toExchange(response);
  } catch (error) {
    return errorExchange(error, undefined);
  } finally {
    if (!session) await owned.close();
  }
}
