/**
 * Content-Encoding decoding: gzip, deflate (zlib-wrapped or raw, as servers send both), br, zstd.
 *
 *   decodeBody(bytes, ['gzip'])            // whole body at once (buffered responses)
 *   decodeStream(readable, ['br'])         // streamed responses
 *
 * Layers are listed as the header gives them (outermost last applied = last listed) and are
 * undone in reverse. Unknown codings are left alone, as Requests does.
 */
import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { ContentDecodingError, type ExceptionContext } from './exceptions.ts';

const KNOWN = new Set(['gzip', 'x-gzip', 'deflate', 'br', 'zstd']);

/** The codings of a Content-Encoding value we can undo, in header order; `identity` dropped. */
export function parseContentEncoding(value: string | undefined): string[] {
  if (!value) return [];
  const codings = value
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
  // Decode only when every layer is known; otherwise hand the bytes over untouched.
  return codings.every((c) => KNOWN.has(c)) ? codings : [];
}

const FLUSH = { finishFlush: zlib.constants.Z_SYNC_FLUSH };

function looksLikeZlib(first: Uint8Array): boolean {
  return first.length >= 2 && (first[0]! & 0x0f) === 8 && ((first[0]! << 8) | first[1]!) % 31 === 0;
}

function decodeOnce(bytes: Uint8Array, coding: string): Buffer {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(bytes, FLUSH);
    case 'deflate':
      return looksLikeZlib(bytes) ? zlib.inflateSync(bytes, FLUSH) : zlib.inflateRawSync(bytes, FLUSH);
    case 'br':
      return zlib.brotliDecompressSync(bytes);
    case 'zstd':
      return zlib.zstdDecompressSync(bytes);
    default:
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  }
}

function decodingError(coding: string, cause: unknown, where: string, context: ExceptionContext = {}): ContentDecodingError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new ContentDecodingError(`Received response with content-encoding: ${coding}, but failed to decode it (${why})${where}`, {
    ...context,
    cause,
  });
}

/** Undoes every coding of a fully received body. Empty bodies stay empty. */
export function decodeBody(bytes: Uint8Array, codings: string[], where = ''): Uint8Array {
  let out: Uint8Array = bytes;
  for (let i = codings.length - 1; i >= 0 && out.length > 0; i--) {
    const coding = codings[i]!;
    try {
      const buf = decodeOnce(out, coding);
      out = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
    } catch (cause) {
      throw decodingError(coding, cause, where);
    }
  }
  return out;
}

/** Picks zlib or raw inflate from the first bytes, since servers send both as `deflate`. */
class AutoInflate extends Transform {
  #inner: zlib.Inflate | zlib.InflateRaw | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (!this.#inner) {
      this.#inner = looksLikeZlib(chunk) ? zlib.createInflate(FLUSH) : zlib.createInflateRaw(FLUSH);
      this.#inner.on('data', (d: Buffer) => this.push(d));
      this.#inner.on('error', (e) => this.destroy(e));
    }
    this.#inner.write(chunk, () => done());
  }

  override _flush(done: TransformCallback): void {
    if (!this.#inner) return done();
    this.#inner.once('end', () => done());
    this.#inner.end();
  }
}

function decoderFor(coding: string): Transform {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip(FLUSH);
    case 'deflate':
      return new AutoInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    case 'zstd':
      return zlib.createZstdDecompress();
    default:
      return new PassThrough();
  }
}

/** A stream of the decoded body; decoding failures surface as ContentDecodingError. */
export function decodeStream(source: Readable, codings: string[], where = '', context: ExceptionContext = {}): Readable {
  if (codings.length === 0) return source;
  // Which coding an error came from; errors merely forwarded from upstream are not tagged.
  const origin = new WeakMap<Error, string>();
  const forwarded = new WeakSet<Error>();
  let current: Readable = source;
  for (const coding of [...codings].reverse()) {
    const stage = decoderFor(coding);
    const upstream = current;
    upstream.on('error', (e: Error) => {
      forwarded.add(e);
      stage.destroy(e);
    });
    stage.on('error', (e: Error) => {
      if (!forwarded.has(e) && !origin.has(e)) origin.set(e, coding);
    });
    upstream.pipe(stage);
    current = stage;
  }
  const out = new PassThrough({ readableHighWaterMark: 64 * 1024 });
  current.on('error', (e: Error) => {
    const coding = origin.get(e);
    out.destroy(coding ? decodingError(coding, e, where, context) : e);
  });
  current.pipe(out);
  return out;
}
