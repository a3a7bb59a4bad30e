/**
 * cURL import: `parseCurl("curl -X POST https://x -H 'a: b' -d @body.json")` → `RequestSpec`.
 *
 * Splits the command the way a POSIX shell would (single, double and `$'…'` quotes, backslash
 * escapes, backslash-newline and Windows `^`-newline continuations), then reads curl's options.
 * Anything that cannot be imported faithfully is a `CurlParseError` naming the token and its
 * offset in the command, rather than a request that silently differs from what curl would send.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { HeaderList } from '../requests/exchange.ts';
import type { MultipartPartSpec, RequestSpec } from './request-spec.ts';

export class CurlParseError extends Error {
  /** Offset in the command of the token at fault. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} (at offset ${offset})`);
    this.name = 'CurlParseError';
    this.offset = offset;
  }
}

export interface ShellToken {
  value: string;
  /** Offsets in the command of the token's first and one-past-last characters. */
  start: number;
  end: number;
}

const ANSI_C_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

/**
 * Whether a command was written for Windows `cmd.exe` (Chrome's "Copy as cURL (cmd)"): `^` escapes
 * and `^`-newline continuations, double quotes only.
 */
export function isCmdStyle(command: string): boolean {
  // Chrome's cmd form always starts `curl ^"`; a hand-written one continues lines with ` ^` and,
  // cmd having no single quotes, uses none (a POSIX command with `^` in quoted data has some).
  return /^\s*\S*curl(\.exe)?\s+\^"/i.test(command) || (/\s\^\r?\n/.test(command) && !command.includes("'"));
}

/**
 * Splits a `cmd.exe` command line in two steps, like Windows does: cmd removes its `^` escapes
 * (`^` at a line end continues the line), then the program splits the rest with the C runtime's
 * rules: `"…"` quotes, backslashes before a quote escape it, and `'` is an ordinary character.
 */
export function splitCmdWords(command: string): ShellToken[] {
  const chars: string[] = [];
  const origin: number[] = [];
  for (let i = 0; i < command.length; i++) {
    if (command[i] === '^') {
      if (command[i + 1] === '\n' || (command[i + 1] === '\r' && command[i + 2] === '\n')) {
        i += command[i + 1] === '\n' ? 1 : 2;
        continue;
      }
      i++;
      if (i >= command.length) break;
    }
    chars.push(command[i]!);
    origin.push(i);
  }
  const tokens: ShellToken[] = [];
  let current = '';
  let inWord = false;
  let quoted = false;
  let quoteAt = 0;
  let start = 0;
  const end = (k: number) => (k < origin.length ? origin[k]! : command.length);
  for (let k = 0; k < chars.length; ) {
    const ch = chars[k]!;
    if (!quoted && (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r')) {
      if (inWord) tokens.push({ value: current, start, end: end(k) });
      inWord = false;
      k++;
      continue;
    }
    if (!inWord) {
      inWord = true;
      current = '';
      start = origin[k]!;
    }
    if (ch === '\\') {
      let run = 0;
      while (chars[k + run] === '\\') run++;
      if (chars[k + run] === '"') {
        current += '\\'.repeat(Math.floor(run / 2));
        k += run;
        if (run % 2 === 1) {
          current += '"';
          k++;
        }
      } else {
        current += '\\'.repeat(run);
        k += run;
      }
    } else if (ch === '"') {
      quoted = !quoted;
      quoteAt = origin[k]!;
      k++;
    } else {
      current += ch;
      k++;
    }
  }
  if (quoted) throw new CurlParseError('unclosed double quote', quoteAt);
  if (inWord) tokens.push({ value: current, start, end: command.length });
  return tokens;
}

/** Splits a shell command line into words. Throws `CurlParseError` on an unclosed quote. */
export function splitShellWords(command: string): ShellToken[] {
  const tokens: ShellToken[] = [];
  let i = 0;
  const n = command.length;
  let current = '';
  let inWord = false;
  let start = 0;
  const begin = () => {
    if (!inWord) {
      inWord = true;
      current = '';
      start = i;
    }
  };
  const finish = () => {
    if (inWord) tokens.push({ value: current, start, end: i });
    inWord = false;
  };
  while (i < n) {
    const ch = command[i]!;
    if (ch === '\\' && (command[i + 1] === '\n' || (command[i + 1] === '\r' && command[i + 2] === '\n'))) {
      i += command[i + 1] === '\n' ? 2 : 3; // line continuation: joins lines, not words
      continue;
    }
    if (ch === '^' && !inWord && /^\^\r?\n/.test(command.slice(i, i + 3))) {
      i += command[i + 1] === '\n' ? 2 : 3; // Windows cmd continuation
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      finish();
      i++;
      continue;
    }
    if (ch === '#' && !inWord) {
      while (i < n && command[i] !== '\n') i++;
      continue;
    }
    begin();
    if (ch === "'") {
      const close = command.indexOf("'", i + 1);
      if (close === -1) throw new CurlParseError('unclosed single quote', i);
      current += command.slice(i + 1, close);
      i = close + 1;
    } else if (ch === '$' && command[i + 1] === "'") {
      const open = i;
      i += 2;
      let closed = false;
      while (i < n) {
        const c = command[i]!;
        if (c === "'") {
          closed = true;
          i++;
          break;
        }
        if (c !== '\\') {
          current += c;
          i++;
          continue;
        }
        const e = command[i + 1] ?? '';
        let m: RegExpExecArray | null;
        if (e in ANSI_C_ESCAPES) {
          current += ANSI_C_ESCAPES[e];
          i += 2;
        } else if ((m = /^x([0-9a-fA-F]{1,2})/.exec(command.slice(i + 1, i + 4)))) {
          current += String.fromCharCode(parseInt(m[1]!, 16));
          i += 1 + m[0].length;
        } else if ((m = /^u([0-9a-fA-F]{1,4})/.exec(command.slice(i + 1, i + 6))) || (m = /^U([0-9a-fA-F]{1,8})/.exec(command.slice(i + 1, i + 10)))) {
          const code = parseInt(m[1]!, 16);
          current += code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
          i += 1 + m[0].length;
        } else if ((m = /^[0-7]{1,3}/.exec(command.slice(i + 1, i + 4)))) {
          current += String.fromCharCode(parseInt(m[0], 8) & 0xff);
          i += 1 + m[0].length;
        } else {
          current += '\\' + e;
          i += 2;
        }
      }
      if (!closed) throw new CurlParseError("unclosed $'…' quote", open);
    } else if (ch === '"') {
      const open = i;
      i++;
      let closed = false;
      while (i < n) {
        const c = command[i]!;
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        if (c === '\\' && i + 1 < n && '\\"$`\n'.includes(command[i + 1]!)) {
          if (command[i + 1] !== '\n') current += command[i + 1];
          i += 2;
          continue;
        }
        current += c;
        i++;
      }
      if (!closed) throw new CurlParseError('unclosed double quote', open);
    } else if (ch === '\\') {
      if (i + 1 < n) current += command[i + 1];
      i += 2;
    } else {
      current += ch;
      i++;
    }
  }
  finish();
  return tokens;
}

export interface ParseCurlOptions {
  /** Directory that `-d @file`, `--data-binary @file` and `-F name=@file` are relative to. Default: process.cwd(). */
  cwd?: string;
}

type Data = { kind: 'text'; text: string } | { kind: 'file'; path: string } | { kind: 'urlencode'; name?: string; value: string } | { kind: 'json'; text: string };

/** Options that take a value; the value is the next word (or the rest of a short cluster). */
const VALUE_OPTIONS: Record<string, string> = {
  '-X': '--request', '-H': '--header', '-d': '--data', '-F': '--form', '-u': '--user', '-b': '--cookie', '-A': '--user-agent',
  '-e': '--referer', '-x': '--proxy', '-m': '--max-time', '-o': '--output', '-w': '--write-out', '-c': '--cookie-jar',
  '-U': '--proxy-user', '-E': '--cert', '-K': '--config', '-T': '--upload-file', '-r': '--range', '-Y': '--speed-limit',
  '-y': '--speed-time', '-C': '--continue-at', '-D': '--dump-header',
};
const FLAG_OPTIONS: Record<string, string> = {
  '-L': '--location', '-k': '--insecure', '-I': '--head', '-G': '--get', '-s': '--silent', '-S': '--show-error', '-v': '--verbose',
  '-i': '--include', '-f': '--fail', '-N': '--no-buffer', '-g': '--globoff', '-#': '--progress-bar', '-0': '--http1.0',
  '-O': '--remote-name', '-J': '--remote-header-name', '-n': '--netrc', '-j': '--junk-session-cookies', '-q': '--disable',
};
const LONG_VALUE = new Set([
  ...Object.values(VALUE_OPTIONS), '--data-raw', '--data-binary', '--data-ascii', '--data-urlencode', '--form-string', '--json',
  '--url', '--connect-timeout', '--max-redirs', '--cacert', '--capath', '--key', '--resolve', '--connect-to', '--retry',
  '--retry-delay', '--retry-max-time', '--limit-rate', '--interface', '--proxy-header', '--oauth2-bearer', '--aws-sigv4',
]);
const LONG_FLAG = new Set([
  ...Object.values(FLAG_OPTIONS), '--compressed', '--http1.1', '--http2', '--http2-prior-knowledge', '--http3', '--location-trusted',
  '--no-keepalive', '--tr-encoding', '--fail-with-body', '--no-progress-meter', '--raw', '--ipv4', '--ipv6', '--tlsv1.2',
  '--tlsv1.3', '--ssl-no-revoke', '--retry-connrefused', '--path-as-is', '--no-alpn', '--basic', '--digest', '--anyauth',
]);
/** Accepted but ignored: they change where curl writes output or how it retries, not the request. */
const IGNORED = new Set([
  '--output', '--write-out', '--silent', '--show-error', '--verbose', '--include', '--fail', '--no-buffer', '--globoff',
  '--progress-bar', '--remote-name', '--remote-header-name', '--max-redirs', '--retry', '--retry-delay', '--retry-max-time',
  '--limit-rate', '--no-keepalive', '--tr-encoding', '--fail-with-body', '--no-progress-meter', '--raw', '--ipv4', '--ipv6',
  '--tlsv1.2', '--tlsv1.3', '--ssl-no-revoke', '--retry-connrefused', '--path-as-is', '--no-alpn', '--basic', '--dump-header',
  '--disable', '--location-trusted', '--http2-prior-knowledge', '--speed-limit', '--speed-time',
]);

function hasControlLineBreak(s: string): boolean {
  return /[\r\n]/.test(s);
}

function readFileAt(file: string, cwd: string, offset: number): Buffer {
  const full = path.resolve(cwd, file);
  try {
    return fs.readFileSync(full);
  } catch (e) {
    throw new CurlParseError(`cannot read ${full}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, offset);
  }
}

/** Reads `"quoted"` or bare text up to `;` from a `-F` value; returns the text and where it stopped. */
function readFormWord(s: string, i: number): [string, number] {
  if (s[i] === '"') {
    let out = '';
    i++;
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < s.length) i++;
      out += s[i];
      i++;
    }
    return [out, i + 1];
  }
  const end = s.indexOf(';', i);
  return end === -1 ? [s.slice(i), s.length] : [s.slice(i, end), end];
}

function parseFormPart(value: string, literal: boolean, cwd: string, offset: number): MultipartPartSpec {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new CurlParseError(`-F needs name=value, got "${value}"`, offset);
  const name = value.slice(0, eq);
  const rest = value.slice(eq + 1);
  if (literal) return { name, value: rest };
  const part: MultipartPartSpec = { name };
  let i = 0;
  if (rest[0] === '@' || rest[0] === '<') {
    const [file, next] = readFormWord(rest, 1);
    i = next;
    if (rest[0] === '@') part.path = path.resolve(cwd, file);
    else part.value = readFileAt(file, cwd, offset).toString('utf8');
  } else {
    const [text, next] = readFormWord(rest, 0);
    part.value = text;
    i = next;
  }
  while (i < rest.length && rest[i] === ';') {
    const m = /^;\s*(type|filename|headers|encoder)=/.exec(rest.slice(i));
    if (!m) {
      // Not a parameter: a plain text value may contain ';'.
      if (part.value !== undefined && part.contentType === undefined) {
        part.value += rest.slice(i);
        break;
      }
      throw new CurlParseError(`unknown -F parameter in "${value}"`, offset);
    }
    const [word, next] = readFormWord(rest, i + m[0].length);
    if (m[1] === 'type') part.contentType = word;
    else if (m[1] === 'filename') part.filename = word;
    i = next;
  }
  return part;
}

function encodeFormComponent(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Turns a `curl …` command into a `RequestSpec`. Throws `CurlParseError` naming the offending token. */
export function parseCurl(command: string, options: ParseCurlOptions = {}): RequestSpec {
  const cwd = options.cwd ?? process.cwd();
  const words = isCmdStyle(command) ? splitCmdWords(command) : splitShellWords(command);
  const first = words[0];
  if (!first || !/(^|[\\/])curl(\.exe)?$/i.test(first.value)) {
    throw new CurlParseError('not a curl command: it must start with "curl"', first?.start ?? 0);
  }
  let method: string | undefined;
  let url: string | undefined;
  const headers: HeaderList = [];
  const removed = new Set<string>();
  const data: Data[] = [];
  const parts: MultipartPartSpec[] = [];
  const spec: Partial<RequestSpec> = {};
  let head = false;
  let get = false;
  let digest = false;
  let sawJson = false;
  let maxTime: number | undefined;
  let connectTimeout: number | undefined;

  const addHeader = (line: string, offset: number) => {
    if (hasControlLineBreak(line)) throw new CurlParseError('header contains a line break (header injection refused)', offset);
    if (line.startsWith('@')) throw new CurlParseError('-H @file is not supported; paste the headers instead', offset);
    const semi = /^([^:;\s]+);\s*$/.exec(line);
    if (semi) {
      headers.push([semi[1]!, '']);
      return;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new CurlParseError(`header "${line}" has no "name: value"`, offset);
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).replace(/^[ \t]+/, '');
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new CurlParseError(`invalid header name "${name}"`, offset);
    if (value === '') {
      removed.add(name.toLowerCase()); // curl: "Name:" removes a header curl would add
      for (let k = headers.length - 1; k >= 0; k--) if (headers[k]![0].toLowerCase() === name.toLowerCase()) headers.splice(k, 1);
      return;
    }
    headers.push([name, value]);
  };
  const seconds = (v: string, offset: number) => {
    const s = Number(v);
    if (!Number.isFinite(s) || s < 0) throw new CurlParseError(`"${v}" is not a number of seconds`, offset);
    return Math.round(s * 1000);
  };

  const apply = (opt: string, value: string | undefined, tok: ShellToken) => {
    const v = value ?? '';
    const at = tok.start;
    switch (opt) {
      case '--request': method = v; break;
      case '--header': addHeader(v, at); break;
      case '--data':
      case '--data-ascii':
        if (v.startsWith('@')) data.push({ kind: 'text', text: readFileAt(v.slice(1), cwd, at).toString('utf8').replace(/[\r\n]/g, '') });
        else data.push({ kind: 'text', text: v });
        break;
      case '--data-raw': data.push({ kind: 'text', text: v }); break;
      case '--data-binary':
        if (v.startsWith('@')) data.push({ kind: 'file', path: path.resolve(cwd, v.slice(1)) });
        else data.push({ kind: 'text', text: v });
        break;
      case '--json':
        sawJson = true;
        data.push({ kind: 'json', text: v.startsWith('@') ? readFileAt(v.slice(1), cwd, at).toString('utf8') : v });
        break;
      case '--data-urlencode': {
        const eq = v.indexOf('=');
        const atSign = v.indexOf('@');
        if (eq === -1 && atSign !== -1) {
          const name = v.slice(0, atSign);
          const content = readFileAt(v.slice(atSign + 1), cwd, at).toString('utf8');
          data.push(name ? { kind: 'urlencode', name, value: content } : { kind: 'urlencode', value: content });
        } else if (eq > 0) data.push({ kind: 'urlencode', name: v.slice(0, eq), value: v.slice(eq + 1) });
        else data.push({ kind: 'urlencode', value: eq === 0 ? v.slice(1) : v });
        break;
      }
      case '--form': parts.push(parseFormPart(v, false, cwd, at)); break;
      case '--form-string': parts.push(parseFormPart(v, true, cwd, at)); break;
      case '--user': {
        const colon = v.indexOf(':');
        spec.auth = colon === -1 ? [v, ''] : [v.slice(0, colon), v.slice(colon + 1)];
        break;
      }
      case '--cookie':
        if (!v.includes('=')) throw new CurlParseError(`-b "${v}" names a cookie file, which is not supported; pass "name=value" pairs`, at);
        addHeader(`Cookie: ${v}`, at);
        break;
      case '--user-agent': addHeader(`User-Agent: ${v}`, at); break;
      case '--referer': addHeader(`Referer: ${v.replace(/;auto$/, '')}`, at); break;
      case '--oauth2-bearer': addHeader(`Authorization: Bearer ${v}`, at); break;
      case '--proxy': spec.proxy = /^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : `http://${v}`; break;
      case '--max-time': maxTime = seconds(v, at); break;
      case '--connect-timeout': connectTimeout = seconds(v, at); break;
      case '--url':
        if (url !== undefined) throw new CurlParseError(`more than one URL ("${url}" and "${v}"); import one request at a time`, at);
        url = v;
        break;
      case '--location': spec.followRedirects = true; break;
      case '--insecure': spec.verify = false; break;
      case '--compressed': spec.compressed = true; break;
      case '--head': head = true; break;
      case '--digest': digest = true; break;
      case '--get': get = true; break;
      case '--http1.0': spec.httpVersion = 'HTTP/1.0'; break;
      case '--http1.1': spec.httpVersion = 'HTTP/1.1'; break;
      case '--http2': spec.httpVersion = 'HTTP/2'; break;
      case '--http3': spec.httpVersion = 'HTTP/3'; break;
      default:
        if (IGNORED.has(opt)) break;
        throw new CurlParseError(`option ${opt} is not supported by cURL import`, at);
    }
  };

  for (let w = 1; w < words.length; w++) {
    const tok = words[w]!;
    const word = tok.value;
    const takeValue = (opt: string): string => {
      const next = words[++w];
      if (!next) throw new CurlParseError(`${opt} needs a value`, tok.start);
      return next.value;
    };
    if (word.startsWith('--') && word.length > 2) {
      if (LONG_VALUE.has(word)) apply(word, takeValue(word), tok);
      else if (LONG_FLAG.has(word)) apply(word, undefined, tok);
      else throw new CurlParseError(`unknown option ${word}`, tok.start);
    } else if (word.startsWith('-') && word.length > 1) {
      // A cluster like -sSL, or a short option with its value attached: -XPOST, -H'a: b'.
      for (let c = 1; c < word.length; c++) {
        const short = '-' + word[c];
        if (short in VALUE_OPTIONS) {
          const attached = word.slice(c + 1);
          apply(VALUE_OPTIONS[short]!, attached !== '' ? attached : takeValue(short), tok);
          break;
        }
        if (short in FLAG_OPTIONS) apply(FLAG_OPTIONS[short]!, undefined, tok);
        else throw new CurlParseError(`unknown option ${short}`, tok.start + c - 1);
      }
    } else {
      apply('--url', word, tok);
    }
  }

  if (url === undefined) throw new CurlParseError('no URL in the curl command', command.length);
  if (/[\r\n\s]/.test(url)) throw new CurlParseError('URL contains whitespace or a line break', words.find((t) => t.value === url)?.start ?? 0);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) url = `http://${url}`; // curl's default scheme

  const hasHeader = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  const implicitHeader = (name: string, value: string) => {
    if (!hasHeader(name.toLowerCase()) && !removed.has(name.toLowerCase())) headers.push([name, value]);
  };

  if (parts.length && data.length) throw new CurlParseError('-F cannot be combined with -d/--data options', words[1]?.start ?? 0);
  if (get && data.length) {
    const query = data.map((d) => dataText(d)).join('&');
    url += (url.includes('?') ? '&' : '?') + query;
  } else if (parts.length) {
    spec.body = { kind: 'multipart', parts };
  } else if (data.length) {
    if (data.every((d) => d.kind === 'urlencode' && d.name !== undefined)) {
      spec.body = { kind: 'form', fields: data.map((d) => [(d as { name: string }).name, (d as { value: string }).value]) };
    } else if (data.length === 1 && data[0]!.kind === 'file') {
      spec.body = { kind: 'file', path: data[0]!.path };
      implicitHeader('Content-Type', 'application/x-www-form-urlencoded');
    } else {
      if (data.some((d) => d.kind === 'file')) throw new CurlParseError('--data-binary @file cannot be combined with other data options', words[1]?.start ?? 0);
      spec.body = { kind: 'text', text: data.map((d) => dataText(d)).join(sawJson ? '' : '&') };
      if (sawJson) {
        implicitHeader('Content-Type', 'application/json');
        implicitHeader('Accept', 'application/json');
      } else implicitHeader('Content-Type', 'application/x-www-form-urlencoded');
    }
  }
  const inferred = head ? 'HEAD' : get ? 'GET' : spec.body ? 'POST' : 'GET';
  const result: RequestSpec = { method: method ?? inferred, url, headers };
  if (spec.body) result.body = spec.body;
  if (spec.auth && digest) result.digestAuth = spec.auth;
  else if (spec.auth) result.auth = spec.auth;
  if (spec.httpVersion) result.httpVersion = spec.httpVersion;
  result.followRedirects = spec.followRedirects ?? false; // curl does not follow redirects without -L
  if (spec.verify === false) result.verify = false;
  const timeout = maxTime ?? connectTimeout;
  if (timeout !== undefined) result.timeout = timeout;
  if (spec.proxy) result.proxy = spec.proxy;
  if (spec.compressed) result.compressed = true;
  return result;
}

function dataText(d: Data): string {
  switch (d.kind) {
    case 'text':
    case 'json':
      return d.text;
    case 'urlencode':
      return d.name === undefined ? encodeFormComponent(d.value) : `${d.name}=${encodeFormComponent(d.value)}`;
    case 'file':
      return '';
  }
}
