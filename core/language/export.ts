/**
 * Code generation from a `RequestSpec`: a `curl` command line, Python Requests code and `fetch`
 * code. Quoting is exact, so `parseCurl(toCurl(spec))` gives back the same request.
 */
import type { RequestSpec } from './request-spec.ts';

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes a word for a POSIX shell; `$'…'` only when the word holds control characters. */
export function shellQuote(s: string): string {
  if (s !== '' && SHELL_SAFE.test(s)) return s;
  if (/[\x00-\x08\x0b-\x1f\x7f]/.test(s)) {
    const body = s.replace(/[\\'\x00-\x1f\x7f]/g, (c) => {
      if (c === '\\') return '\\\\';
      if (c === "'") return "\\'";
      if (c === '\n') return '\\n';
      if (c === '\t') return '\\t';
      if (c === '\r') return '\\r';
      return '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0');
    });
    return `$'${body}'`;
  }
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function headerValue(spec: RequestSpec, name: string): string | undefined {
  return spec.headers.find(([n]) => n.toLowerCase() === name)?.[1];
}

/** Quotes a `-F` file path or filename the way curl reads it back. */
function formWord(s: string): string {
  return /[;"\\,=\s]/.test(s) || s === '' ? `"${s.replace(/[\\"]/g, (c) => '\\' + c)}"` : s;
}

/** A `curl` command for the request, one option per line. */
export function toCurl(spec: RequestSpec): string {
  const args: string[] = [];
  const body = spec.body;
  const hasData = body !== undefined && body.kind !== 'multipart';
  const inferred = body ? 'POST' : 'GET';
  if (spec.method === 'HEAD' && !body) args.push('-I');
  else if (spec.method !== inferred) args.push(`-X ${shellQuote(spec.method)}`);
  args.push(shellQuote(spec.url));
  for (const [name, value] of spec.headers) args.push(`-H ${shellQuote(value === '' ? `${name};` : `${name}: ${value}`)}`);
  if (hasData && body.kind !== 'form' && headerValue(spec, 'content-type') === undefined) {
    args.push(`-H ${shellQuote('Content-Type:')}`); // stop curl adding its form content type
  }
  if (spec.digestAuth) args.push(`--digest -u ${shellQuote(`${spec.digestAuth[0]}:${spec.digestAuth[1]}`)}`);
  else if (spec.auth) args.push(`-u ${shellQuote(`${spec.auth[0]}:${spec.auth[1]}`)}`);
  if (body) {
    switch (body.kind) {
      case 'text':
        args.push(`--data-raw ${shellQuote(body.text)}`);
        break;
      case 'bytes':
        args.push(`--data-binary ${shellQuote(Buffer.from(body.bytes).toString('latin1'))}`);
        break;
      case 'file':
        args.push(`--data-binary ${shellQuote('@' + body.path)}`);
        break;
      case 'form':
        for (const [name, value] of body.fields) args.push(`--data-urlencode ${shellQuote(`${name}=${value}`)}`);
        break;
      case 'multipart':
        for (const part of body.parts) {
          if (part.path !== undefined) {
            let v = `${part.name}=@${formWord(part.path)}`;
            if (part.filename !== undefined) v += `;filename=${formWord(part.filename)}`;
            if (part.contentType !== undefined) v += `;type=${formWord(part.contentType)}`;
            args.push(`-F ${shellQuote(v)}`);
          } else if (part.contentType !== undefined) {
            args.push(`-F ${shellQuote(`${part.name}=${formWord(part.value ?? '')};type=${formWord(part.contentType)}`)}`);
          } else {
            args.push(`--form-string ${shellQuote(`${part.name}=${part.value ?? ''}`)}`);
          }
        }
        break;
    }
  }
  if (spec.followRedirects !== false) args.push('-L');
  if (spec.verify === false) args.push('-k');
  if (spec.compressed) args.push('--compressed');
  if (spec.timeout !== undefined) args.push(`--max-time ${spec.timeout / 1000}`);
  if (spec.proxy) args.push(`-x ${shellQuote(spec.proxy)}`);
  if (spec.httpVersion === 'HTTP/1.1') args.push('--http1.1');
  else if (spec.httpVersion === 'HTTP/2') args.push('--http2');
  else if (spec.httpVersion === 'HTTP/1.0') args.push('--http1.0');
  else if (spec.httpVersion === 'HTTP/3') args.push('--http3');
  return 'curl ' + args.join(' \\\n  ');
}

/** A Python string literal (`'…'`) with every non-printable character escaped. */
export function pythonString(s: string): string {
  let out = "'";
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else if (code >= 0x80 && code <= 0x9f) out += '\\x' + code.toString(16);
    else if (code === 0x2028 || code === 0x2029) out += '\\u' + code.toString(16);
    else out += ch;
  }
  return out + "'";
}

function pythonBytes(bytes: Uint8Array): string {
  let out = "b'";
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b === 0x27) out += "\\'";
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += '\\x' + b.toString(16).padStart(2, '0');
  }
  return out + "'";
}

const PY_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** Python Requests code that sends the request and prints the response. */
export function toPythonRequests(spec: RequestSpec): string {
  const args: string[] = [];
  const method = spec.method.toUpperCase();
  const call = PY_METHODS.has(spec.method) ? `requests.${method.toLowerCase()}(` : `requests.request(${pythonString(spec.method)}, `;
  const multipart = spec.body?.kind === 'multipart';
  // Requests sets multipart's boundary itself; a copied Content-Type would carry a stale one.
  const headers = spec.headers.filter(([n]) => !(multipart && n.toLowerCase() === 'content-type'));
  const merged = new Map<string, [string, string]>();
  for (const [name, value] of headers) {
    const prev = merged.get(name.toLowerCase());
    merged.set(name.toLowerCase(), prev ? [prev[0], `${prev[1]}, ${value}`] : [name, value]);
  }
  if (merged.size) {
    const lines = [...merged.values()].map(([n, v]) => `        ${pythonString(n)}: ${pythonString(v)},`);
    args.push(`headers={\n${lines.join('\n')}\n    }`);
  }
  const body = spec.body;
  if (body) {
    switch (body.kind) {
      case 'text':
        args.push(`data=${pythonString(body.text)}.encode(${pythonString(body.encoding === 'latin1' ? 'latin-1' : 'utf-8')})`);
        break;
      case 'bytes':
        args.push(`data=${pythonBytes(body.bytes)}`);
        break;
      case 'file':
        args.push(`data=open(${pythonString(body.path)}, 'rb')`);
        break;
      case 'form':
        args.push(`data=[\n${body.fields.map(([n, v]) => `        (${pythonString(n)}, ${pythonString(v)}),`).join('\n')}\n    ]`);
        break;
      case 'multipart': {
        const parts = body.parts.map((p) => {
          const type = p.contentType !== undefined ? `, ${pythonString(p.contentType)}` : '';
          if (p.path !== undefined) {
            const filename = p.filename ?? p.path.split(/[\\/]/).pop() ?? p.name;
            return `        (${pythonString(p.name)}, (${pythonString(filename)}, open(${pythonString(p.path)}, 'rb')${type})),`;
          }
          return `        (${pythonString(p.name)}, (None, ${pythonString(p.value ?? '')}${type})),`;
        });
        args.push(`files=[\n${parts.join('\n')}\n    ]`);
        break;
      }
    }
  }
  if (spec.digestAuth) args.push(`auth=HTTPDigestAuth(${pythonString(spec.digestAuth[0])}, ${pythonString(spec.digestAuth[1])})`);
  else if (spec.auth) args.push(`auth=(${pythonString(spec.auth[0])}, ${pythonString(spec.auth[1])})`);
  if (spec.followRedirects === false) args.push('allow_redirects=False');
  else if (method === 'HEAD') args.push('allow_redirects=True');
  if (spec.verify === false) args.push('verify=False');
  if (spec.timeout !== undefined) args.push(`timeout=${spec.timeout / 1000}`);
  if (spec.proxy) args.push(`proxies={'http': ${pythonString(spec.proxy)}, 'https': ${pythonString(spec.proxy)}}`);
  const imports = spec.digestAuth ? ['import requests', 'from requests.auth import HTTPDigestAuth'] : ['import requests'];
  const lines = [...imports, '', `response = ${call}`, `    ${pythonString(spec.url)},`];
  for (const a of args) lines.push(`    ${a},`);
  lines.push(')', 'print(response.status_code, response.reason)', 'print(response.text)', '');
  return lines.join('\n');
}

function js(s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** JavaScript (Node 20+ / browser) `fetch` code that sends the request and prints the response. */
export function toFetch(spec: RequestSpec): string {
  const lines: string[] = [];
  const needsFs = spec.body?.kind === 'file' || (spec.body?.kind === 'multipart' && spec.body.parts.some((p) => p.path !== undefined));
  if (needsFs) lines.push("import fs from 'node:fs';", '');
  const multipart = spec.body?.kind === 'multipart';
  const headers: Array<[string, string]> = spec.headers.filter(([n]) => !(multipart && n.toLowerCase() === 'content-type'));
  if (spec.auth && headerValue(spec, 'authorization') === undefined) {
    headers.push(['Authorization', `Basic ${Buffer.from(`${spec.auth[0]}:${spec.auth[1]}`, 'utf8').toString('base64')}`]);
  }
  const init: string[] = [`  method: ${js(spec.method)},`];
  if (headers.length) {
    init.push(`  headers: [\n${headers.map(([n, v]) => `    [${js(n)}, ${js(v)}],`).join('\n')}\n  ],`);
  }
  const body = spec.body;
  if (body) {
    switch (body.kind) {
      case 'text':
        init.push(
          body.encoding === 'latin1' ? `  body: Uint8Array.from(${js(body.text)}, (c) => c.charCodeAt(0)),` : `  body: ${js(body.text)},`,
        );
        break;
      case 'bytes':
        init.push(`  body: new Uint8Array([${Array.from(body.bytes).join(', ')}]),`);
        break;
      case 'file':
        init.push(`  body: await fs.openAsBlob(${js(body.path)}),`);
        break;
      case 'form':
        init.push(`  body: new URLSearchParams([\n${body.fields.map(([n, v]) => `    [${js(n)}, ${js(v)}],`).join('\n')}\n  ]),`);
        break;
      case 'multipart': {
        lines.push('const form = new FormData();');
        for (const p of body.parts) {
          if (p.path !== undefined) {
            const filename = p.filename ?? p.path.split(/[\\/]/).pop() ?? p.name;
            const type = p.contentType !== undefined ? `, { type: ${js(p.contentType)} }` : '';
            lines.push(`form.append(${js(p.name)}, await fs.openAsBlob(${js(p.path)}${type}), ${js(filename)});`);
          } else if (p.contentType !== undefined) {
            lines.push(`form.append(${js(p.name)}, new Blob([${js(p.value ?? '')}], { type: ${js(p.contentType)} }));`);
          } else {
            lines.push(`form.append(${js(p.name)}, ${js(p.value ?? '')});`);
          }
        }
        lines.push('');
        init.push('  body: form,');
        break;
      }
    }
  }
  if (spec.followRedirects === false) init.push("  redirect: 'manual',");
  if (spec.timeout !== undefined) init.push(`  signal: AbortSignal.timeout(${spec.timeout}),`);
  if (spec.digestAuth) lines.push(`// Digest auth (user ${js(spec.digestAuth[0])}): fetch cannot answer the challenge; the server will reply 401.`);
  if (spec.verify === false) lines.push('// TLS verification is off for this request: run Node with NODE_TLS_REJECT_UNAUTHORIZED=0.');
  if (spec.proxy) lines.push(`// Send through the proxy ${spec.proxy} (fetch has no proxy option; use undici's ProxyAgent).`);
  lines.push(`const response = await fetch(${js(spec.url)}, {`, ...init, '});');
  lines.push('console.log(response.status, response.statusText);', 'console.log(await response.text());', '');
  return lines.join('\n');
}
