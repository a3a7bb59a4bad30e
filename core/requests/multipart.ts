/**
 * `multipart/form-data` bodies, as Requests' `_encode_files`: data fields first, then files.
 *
 *   encodeMultipart({ a: '1' }, { file: { path: './big.bin' } })
 *   // → { body: MultipartBody (streams the file from disk), contentType: 'multipart/form-data; boundary=…' }
 *
 * Everything in memory becomes one Uint8Array; a `{ path }` or Blob part makes a re-iterable
 * stream whose length is known up front (so it is sent with Content-Length and can be replayed
 * on a 307/308).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { toPairs, type ParamsInit } from './utils.ts';

/** A file part's content: text, bytes, a Blob, or a path streamed from disk. */
export type FileContent = string | Uint8Array | Blob | { path: string };

export interface FileSpec {
  content: FileContent;
  /** Defaults to the path's base name, or the field name for in-memory content (as Requests). */
  filename?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export type FilesInit =
  | Record<string, FileContent | FileSpec>
  | ReadonlyArray<readonly [string, FileContent | FileSpec]>;

type Part = Uint8Array | Blob | { path: string; size: number };

/** A multipart body that streams from disk/Blobs; iterate it once per send. */
export class MultipartBody implements AsyncIterable<Uint8Array> {
  readonly contentType: string;
  readonly length: number;
  readonly #parts: Part[];

  constructor(parts: Part[], contentType: string) {
    this.#parts = parts;
    this.contentType = contentType;
    this.length = parts.reduce((n, p) => n + partSize(p), 0);
  }

  /** The leading in-memory bytes (up to `limit`), for showing what was sent. */
  preview(limit: number): Uint8Array {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (const part of this.#parts) {
      if (!(part instanceof Uint8Array) || size >= limit) break;
      chunks.push(part.subarray(0, limit - size));
      size += chunks.at(-1)!.length;
    }
    return Buffer.concat(chunks);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (const part of this.#parts) {
      if (part instanceof Uint8Array) {
        yield part;
      } else if (part instanceof Blob) {
        for await (const chunk of part.stream()) yield chunk;
      } else {
        for await (const chunk of createReadStream(part.path, { highWaterMark: 256 * 1024 })) yield chunk as Buffer;
      }
    }
  }
}

function partSize(part: Part): number {
  return part instanceof Uint8Array ? part.length : part.size;
}

/** HTML5 form-data escaping of a name or filename inside quotes (as browsers and urllib3 do). */
function quoteParam(value: string): string {
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function isFileSpec(value: unknown): value is FileSpec {
  return typeof value === 'object' && value !== null && 'content' in value;
}

function isPathRef(value: unknown): value is { path: string } {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !(value instanceof Blob) && 'path' in value;
}

/**
 * Encodes data fields and files. `data` must be an object or pairs (not a string or bytes);
 * a `{ path }` that cannot be read fails here, naming the field and the path.
 */
export function encodeMultipart(
  data: Exclude<ParamsInit, string> | null | undefined,
  files: FilesInit,
): { body: Uint8Array | MultipartBody; contentType: string; length: number } {
  const boundary = randomBytes(16).toString('hex');
  const enc = new TextEncoder();
  const parts: Part[] = [];
  const head = (name: string, filename: string | undefined, contentType: string | undefined, extra?: Record<string, string>): void => {
    let h = `--${boundary}\r\nContent-Disposition: form-data; name="${quoteParam(name)}"`;
    if (filename !== undefined) h += `; filename="${quoteParam(filename)}"`;
    h += '\r\n';
    if (contentType) h += `Content-Type: ${contentType}\r\n`;
    for (const [k, v] of Object.entries(extra ?? {})) h += `${k}: ${v}\r\n`;
    parts.push(enc.encode(h + '\r\n'));
  };
  const crlf = enc.encode('\r\n');

  for (const [name, value] of data ? toPairs(data) : []) {
    head(name, undefined, undefined);
    parts.push(enc.encode(value), crlf);
  }

  const entries: Iterable<readonly [string, FileContent | FileSpec]> = Array.isArray(files)
    ? (files as ReadonlyArray<readonly [string, FileContent | FileSpec]>)
    : Object.entries(files);
  for (const [field, value] of entries) {
    const spec: FileSpec = isFileSpec(value) ? value : { content: value };
    const content = spec.content;
    let part: Part;
    let defaultName = field;
    if (typeof content === 'string') {
      part = enc.encode(content);
    } else if (content instanceof Uint8Array) {
      part = content;
    } else if (content instanceof Blob) {
      part = content;
      if (typeof File !== 'undefined' && content instanceof File && content.name) defaultName = content.name;
    } else if (isPathRef(content)) {
      let size: number;
      try {
        const stat = statSync(content.path);
        if (!stat.isFile()) throw new Error('not a regular file');
        size = stat.size;
      } catch (cause) {
        throw new TypeError(`files.${field}: cannot read '${content.path}': ${(cause as Error).message}`, { cause });
      }
      part = { path: content.path, size };
      defaultName = basename(content.path);
    } else {
      throw new TypeError(`files.${field}: content must be a string, Uint8Array, Blob or { path }`);
    }
    head(field, spec.filename ?? defaultName, spec.contentType, spec.headers);
    parts.push(part, crlf);
  }
  parts.push(enc.encode(`--${boundary}--\r\n`));

  const contentType = `multipart/form-data; boundary=${boundary}`;
  if (parts.every((p) => p instanceof Uint8Array)) {
    const body = Buffer.concat(parts as Uint8Array[]);
    return { body: new Uint8Array(body.buffer, body.byteOffset, body.length), contentType, length: body.length };
  }
  const body = new MultipartBody(parts, contentType);
  return { body, contentType, length: body.length };
}
