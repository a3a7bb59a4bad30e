/**
 * Pure helpers the panel renders with: sizes, durations, status classes, body kinds, hex dumps,
 * form and multipart parsing. No DOM here, so unit tests run them under Node.
 */
import type { HeaderList } from '../core/requests/exchange.ts';

export function formatBytes(n: number): string {
  if (n < 0) return '?';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** 'info' | 'success' | 'redirect' | 'client-error' | 'server-error' | 'none' (no response). */
export type StatusClass = 'info' | 'success' | 'redirect' | 'client-error' | 'server-error' | 'none';

export function statusClass(code: number | undefined): StatusClass {
  if (code === undefined) return 'none';
  if (code < 200) return 'info';
  if (code < 300) return 'success';
  if (code < 400) return 'redirect';
  if (code < 500) return 'client-error';
  return 'server-error';
}

/** First value of a header, case-insensitively. */
export function headerValue(headers: HeaderList, name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** Byte size of a header block as it would appear on the wire (`Name: value\r\n` per line). */
export function headerBytes(headers: HeaderList): number {
  let n = 2;
  for (const [name, value] of headers) n += new TextEncoder().encode(`${name}: ${value}\r\n`).length;
  return n;
}

/** How the Body tab shows a body. */
export type BodyKind = 'json' | 'xml' | 'html' | 'javascript' | 'css' | 'text' | 'image' | 'form' | 'multipart' | 'binary' | 'empty';

/** The media type without parameters, lower-cased: `application/json`. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export function contentTypeParam(contentType: string | undefined, param: string): string | undefined {
  for (const part of (contentType ?? '').split(';').slice(1)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim().toLowerCase() === param) return part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

/** Picks the view for a body from its Content-Type, sniffing the bytes when the type says little. */
export function bodyKind(contentType: string | undefined, bytes: Uint8Array): BodyKind {
  if (bytes.length === 0) return 'empty';
  const type = mediaType(contentType);
  if (type === 'application/json' || type.endsWith('+json') || type === 'application/x-ndjson') return 'json';
  if (type === 'image/svg+xml') return 'xml';
  if (type.startsWith('image/')) return 'image';
  if (type === 'text/html' || type === 'application/xhtml+xml') return 'html';
  if (type === 'application/xml' || type === 'text/xml' || type.endsWith('+xml')) return 'xml';
  if (type === 'application/javascript' || type === 'text/javascript' || type === 'application/ecmascript') return 'javascript';
  if (type === 'text/css') return 'css';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type.startsWith('multipart/')) return 'multipart';
  if (type.startsWith('text/')) return 'text';
  if (looksBinary(bytes)) return 'binary';
  // Unknown or missing type: sniff the text.
  const head = new TextDecoder().decode(bytes.subarray(0, 256)).trimStart();
  if (head.startsWith('{') || head.startsWith('[')) return 'json';
  if (/^<!doctype html|^<html/i.test(head)) return 'html';
  if (head.startsWith('<')) return 'xml';
  return 'text';
}

/** A NUL or many control bytes in the first KB means the body is not text. */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 1024);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) return true;
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  return n > 0 && control / n > 0.1;
}

/** Decodes bytes with the given charset, falling back to UTF-8 for a label the browser does not know. */
export function decodeText(bytes: Uint8Array, charset: string | undefined): { text: string; charset: string } {
  const label = (charset ?? 'utf-8').toLowerCase();
  try {
    return { text: new TextDecoder(label).decode(bytes), charset: label };
  } catch {
    return { text: new TextDecoder('utf-8').decode(bytes), charset: 'utf-8' };
  }
}

/** Pretty JSON when it parses, else `undefined` (a truncated or broken body is shown raw). */
export function prettyJson(text: string): string | undefined {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return undefined;
  }
}

/**
 * Re-indents JSON text without parsing it, so a body cut at the large-body threshold (invalid
 * JSON) still reads as indented lines. One pass; strings are copied untouched.
 */
export function reindentJson(text: string): string {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  const newline = () => '\n' + '  '.repeat(depth);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
      continue;
    }
    if (c === 123 || c === 91 /* { [ */) {
      const next = text[i + 1];
      if (next === '}' || next === ']') { i++; continue; } // {} and [] stay on one line
      depth++;
      out.push(text.slice(start, i + 1), newline());
      start = i + 1;
    } else if (c === 125 || c === 93 /* } ] */) {
      depth = Math.max(0, depth - 1);
      out.push(text.slice(start, i), newline(), text[i]!);
      start = i + 1;
    } else if (c === 44 /* , */) {
      out.push(text.slice(start, i + 1), newline());
      start = i + 1;
    } else if (c === 58 /* : */) {
      out.push(text.slice(start, i + 1), ' ');
      start = i + 1;
    } else if (c === 32 || c === 10 || c === 13 || c === 9) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.join('');
}

/** Re-indents XML/HTML markup one element per line. Text content is kept as is. */
export function prettyXml(text: string): string {
  if (/\n\s+</.test(text)) return text; // already indented
  const tokens = text.replace(/>\s*</g, '>\n<').split('\n');
  let depth = 0;
  const out: string[] = [];
  for (const token of tokens) {
    const closing = /^<\//.test(token);
    const selfContained = /^<[^!?/][^>]*\/>$/.test(token) || /^<([\w:-]+)[^>]*>.*<\/\1>$/.test(token) || /^<[!?]/.test(token);
    if (closing) depth = Math.max(0, depth - 1);
    out.push('  '.repeat(depth) + token);
    if (!closing && !selfContained && token.startsWith('<')) depth++;
  }
  return out.join('\n');
}

/** Classic 16-bytes-a-line hex dump: offset, hex pairs, printable ASCII. */
export function hexDump(bytes: Uint8Array, limit = 64 * 1024): string {
  const n = Math.min(bytes.length, limit);
  const lines: string[] = [];
  for (let off = 0; off < n; off += 16) {
    const row = bytes.subarray(off, Math.min(off + 16, n));
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      if (i < row.length) {
        const b = row[i]!;
        hex += b.toString(16).padStart(2, '0') + ' ';
        ascii += b >= 32 && b < 127 ? String.fromCharCode(b) : '.';
      } else {
        hex += '   ';
      }
      if (i === 7) hex += ' ';
    }
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  return lines.join('\n');
}

/** `a=1&b=x%20y` → [['a','1'],['b','x y']], keeping order and duplicates. */
export function parseForm(text: string): Array<[string, string]> {
  return [...new URLSearchParams(text.trim())];
}

export interface MultipartPart {
  headers: HeaderList;
  name?: string;
  filename?: string;
  contentType?: string;
  body: Uint8Array;
}

/** Splits a multipart body on its boundary. Returns [] when the boundary is missing. */
export function parseMultipart(bytes: Uint8Array, contentType: string | undefined): MultipartPart[] {
  const boundary = contentTypeParam(contentType, 'boundary');
  if (!boundary) return [];
  // latin1 keeps one char per byte, so offsets map straight back onto `bytes`.
  const text = new TextDecoder('latin1').decode(bytes);
  const delimiter = `--${boundary}`;
  const parts: MultipartPart[] = [];
  let pos = text.indexOf(delimiter);
  while (pos >= 0) {
    const start = pos + delimiter.length;
    if (text.startsWith('--', start)) break;
    const next = text.indexOf(delimiter, start);
    if (next < 0) break;
    const chunkStart = start + (text.startsWith('\r\n', start) ? 2 : text.startsWith('\n', start) ? 1 : 0);
    let chunkEnd = next;
    if (text.slice(chunkEnd - 2, chunkEnd) === '\r\n') chunkEnd -= 2;
    else if (text[chunkEnd - 1] === '\n') chunkEnd -= 1;
    const chunk = text.slice(chunkStart, chunkEnd);
    const sep = chunk.search(/\r?\n\r?\n/);
    const headText = sep < 0 ? chunk : chunk.slice(0, sep);
    const bodyOffset = sep < 0 ? chunk.length : sep + (chunk.slice(sep).match(/^\r?\n\r?\n/)![0].length);
    const headers: HeaderList = headText.split(/\r?\n/).filter(Boolean).map((line) => {
      const colon = line.indexOf(':');
      return colon < 0 ? [line, ''] : [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
    });
    const disposition = headerValue(headers, 'content-disposition') ?? '';
    const part: MultipartPart = {
      headers,
      body: bytes.subarray(chunkStart + bodyOffset, chunkEnd),
    };
    const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1];
    const type = headerValue(headers, 'content-type');
    if (name !== undefined) part.name = name;
    if (filename !== undefined) part.filename = filename;
    if (type !== undefined) part.contentType = type;
    parts.push(part);
    pos = next;
  }
  return parts;
}

/** Lines of a unified comparison of two header lists: what only one side has, and changed values. */
export function diffHeaders(a: HeaderList, b: HeaderList): Array<{ name: string; a?: string; b?: string }> {
  const collect = (list: HeaderList) => {
    const map = new Map<string, string>();
    for (const [name, value] of list) {
      const key = name.toLowerCase();
      map.set(key, map.has(key) ? `${map.get(key)}, ${value}` : value);
    }
    return map;
  };
  const ma = collect(a);
  const mb = collect(b);
  const names = [...new Set([...ma.keys(), ...mb.keys()])].sort();
  const out: Array<{ name: string; a?: string; b?: string }> = [];
  for (const name of names) {
    const va = ma.get(name);
    const vb = mb.get(name);
    if (va === vb) continue;
    const row: { name: string; a?: string; b?: string } = { name };
    if (va !== undefined) row.a = va;
    if (vb !== undefined) row.b = vb;
    out.push(row);
  }
  return out;
}

/** Converts a CSS colour as VS Code writes it (`#rgb`, `#rrggbb[aa]`, `rgb[a](…)`) to `#rrggbb[aa]`. */
export function cssColorToHex(value: string): string | undefined {
  const v = value.trim();
  if (/^#[0-9a-f]{3,4}$/i.test(v)) return '#' + [...v.slice(1)].map((c) => c + c).join('');
  if (/^#[0-9a-f]{6}([0-9a-f]{2})?$/i.test(v)) return v;
  const m = /^rgba?\(\s*(\d+)[,\s]+(\d+)[,\s]+(\d+)(?:[,\s/]+([\d.]+%?))?\s*\)$/i.exec(v);
  if (!m) return undefined;
  const hex = (n: number) => Math.max(0, Math.min(255, Math.round(n))).toString(16).padStart(2, '0');
  let out = '#' + hex(+m[1]!) + hex(+m[2]!) + hex(+m[3]!);
  if (m[4] !== undefined) {
    const alpha = m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
    if (alpha < 1) out += hex(alpha * 255);
  }
  return out;
}
