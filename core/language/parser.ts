/**
 * `.http` text → `HttpFile` (ast.ts). One linear pass over the lines; every element gets an exact
 * range. Tolerant: problems become diagnostics, the rest of the file still parses, and the
 * parser never throws (the language server re-parses on every keystroke).
 *
 * Both dialects are read unchanged: VS Code REST Client and JetBrains HTTP Client.
 */
import type {
  AssertionNode,
  BodyKind,
  BodyNode,
  CommentNode,
  CurlNode,
  Diagnostic,
  DiagnosticCode,
  DiagnosticSeverity,
  FileReferenceNode,
  FormFieldNode,
  HeaderNode,
  HttpFile,
  HttpRequestNode,
  MetadataNode,
  MultipartPartNode,
  Position,
  PromptDefinition,
  Range,
  VariableKind,
  RequestLineNode,
  ResponseRedirectNode,
  ScriptNode,
  SeparatorNode,
  TextNode,
  VariableDefinition,
  VariableReference,
} from './ast.ts';

export interface ParseOptions {
  uri?: string;
}

const KNOWN_METHODS = new Set([
  'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'PURGE', 'QUERY',
  'REPORT', 'MKCALENDAR', 'LINK', 'UNLINK', 'VIEW',
]);

export const KNOWN_METADATA = new Set([
  'name', 'no-redirect', 'no-cookie-jar', 'timeout', 'connection-timeout', 'note', 'prompt',
  'no-reject-unauthorized', 'no-log',
]);

/** JetBrains directives Ricochet recognises but does not implement: what happens instead. */
export const UNSUPPORTED_METADATA: Readonly<Record<string, string>> = {
  'no-auto-encoding': 'the URL is percent-encoded as usual (JetBrains sends it as written)',
  'use-os-credentials': 'no Windows (NTLM/Kerberos) credentials are sent',
};

/** JetBrains request kinds other than HTTP, written in the method's place. */
const UNSUPPORTED_REQUESTS: Readonly<Record<string, string>> = {
  WEBSOCKET: 'WebSocket requests (WEBSOCKET)',
  GRPC: 'gRPC requests (GRPC)',
};
/** JetBrains commands written where a request line would be. */
const JETBRAINS_COMMANDS: Readonly<Record<string, string>> = {
  run: 'runs requests of this or another file',
  import: 'imports requests of another file',
};

const SECRET_NAME = /pass(word)?|secret|token|api[-_]?key|credential|pwd/i;
const METADATA = /^(#|\/\/)\s*@([A-Za-z][\w-]*)(?=\s|=|$)/;
const VARIABLE_DEFINITION = /^@([^\s=]+)\s*=\s?(.*)$/;
const HTTP_VERSION = /^HTTP\/\S*$/i;
const VALID_HTTP_VERSIONS = new Set(['HTTP/1.0', 'HTTP/1.1', 'HTTP/2', 'HTTP/2.0', 'HTTP/3', 'HTTP/3.0']);
const REQUEST_VARIABLE = /^[\w-]+\.(response|request)\.(body|headers)(\.|$)/;
const FILE_REFERENCE = /^<(@(\w*))?\s+(\S.*?)\s*$/;
const TIMEOUT_VALUE = /^\d+(\.\d+)?\s*(ms|s|m)?$/i;

/** A Position equal to (line, character): `reuse` itself when it already is one (keeps the tree small). */
function pos(line: number, character: number, reuse?: Position): Position {
  return reuse && reuse.line === line && reuse.character === character ? reuse : { line, character };
}

/**
 * One frozen empty list shared by every node that has nothing in a list: a 10,000-request file
 * has ~100,000 of them. Frozen, so a consumer that tries to add to it fails loudly.
 */
const EMPTY: never[] = Object.freeze([]) as unknown as never[];

/** The same list with no spare capacity (arrays grown by push keep room for 16 more). Only for finished lists. */
function compact<T>(list: T[]): T[] {
  return list.length === 0 ? EMPTY : list.slice();
}

function range(sl: number, sc: number, el: number, ec: number): Range {
  return { start: { line: sl, character: sc }, end: { line: el, character: ec } };
}

/**
 * Exactly the characters `String.prototype.trim` and a regex `\s` treat as white space (the
 * Unicode space separators, BOM, U+2028/U+2029 and the ASCII ones). The parser both trims
 * lines and counts their indentation with `leadingSpace`; a character only one of them knew
 * (`\u2000&q={{x}}`) shifted every column after it.
 */
function isSpace(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 ||
    code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff
  );
}

function leadingSpace(line: string): number {
  let i = 0;
  while (i < line.length && isSpace(line.charCodeAt(i))) i++;
  return i;
}

/**
 * JetBrains splits a long URL over indented lines (`GET http://h/api/` then `    get?` then
 * `    id=1&`). An indented line that looks like a header (`Name: value`), a comment, a script,
 * a body file or an assertion is not a URL piece: REST Client accepts indented headers.
 */
function isIndentedUrlPiece(line: string, trimmed: string): boolean {
  if (trimmed === '' || leadingSpace(line) === 0) return false;
  if (/^(?:#|\/\/|<|>|\?\?|\{|\[|@)/.test(trimmed)) return false;
  return !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*:(?!\/\/)/.test(trimmed);
}

function isBlank(line: string): boolean {
  return leadingSpace(line) === line.length;
}

function isComment(line: string): boolean {
  const i = leadingSpace(line);
  const c = line.charCodeAt(i);
  return c === 35 /* # */ || (c === 47 /* / */ && line.charCodeAt(i + 1) === 47);
}

function trimmedEnd(line: string): number {
  let e = line.length;
  while (e > 0 && isSpace(line.charCodeAt(e - 1))) e--;
  return e;
}

/** Split on \r\n, \n or \r, as LSP does. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

class Parser {
  readonly lines: string[];
  readonly diagnostics: Diagnostic[] = [];
  readonly requests: HttpRequestNode[] = [];
  readonly fileVariables: VariableDefinition[] = [];
  readonly separators: SeparatorNode[] = [];
  private readonly names = new Map<string, Range>();
  /** Set while re-scanning body lines already scanned once, so problems are reported once. */
  private rescanning = false;
  /** `@prompt` names of the request being parsed (a `{{name}}` among them is a prompt variable). */
  private prompts: PromptDefinition[] = [];
  /** References that are 'env' unless a file variable of that name turns up later in the file. */
  private readonly maybeFile: VariableReference[] = [];

  constructor(text: string) {
    this.lines = splitLines(text);
  }

  diag(message: string, r: Range, code: DiagnosticCode, severity: DiagnosticSeverity = 'error'): void {
    this.diagnostics.push({ message, range: r, severity, code });
  }

  lineRange(line: number): Range {
    const text = this.lines[line] ?? '';
    const start = leadingSpace(text);
    return range(line, start, line, Math.max(start, trimmedEnd(text)));
  }

  parse(): void {
    const { lines } = this;
    let blockStart = 0;
    let separator: SeparatorNode | undefined;
    for (let i = 0; i <= lines.length; i++) {
      if (i === lines.length || (lines[i] as string).startsWith('###')) {
        this.parseBlock(blockStart, i, separator);
        if (i === lines.length) break;
        separator = this.parseSeparator(i);
        this.separators.push(separator);
        blockStart = i + 1;
      }
    }
    this.classifyVariables();
  }

  parseSeparator(line: number): SeparatorNode {
    const text = this.lines[line] as string;
    const node: SeparatorNode = { range: range(line, 0, line, text.trimEnd().length) };
    const hashes = /^#+/.exec(text)?.[0].length ?? 3;
    const rest = text.slice(hashes);
    const title = rest.trim();
    if (title) {
      const at = hashes + rest.indexOf(title);
      node.title = title;
      node.titleRange = { start: { line, character: at }, end: pos(line, at + title.length, node.range.end) };
    }
    return node;
  }

  /** Parse lines [start, end) — one block between separators. */
  parseBlock(start: number, end: number, separator: SeparatorNode | undefined): void {
    const { lines } = this;
    const metadata: MetadataNode[] = [];
    const comments: CommentNode[] = [];
    const preRequestScripts: ScriptNode[] = [];
    const blockIndex = this.requests.length;
    this.prompts = [];
    let firstLine = -1;
    let i = start;

    // Before the request line: blank lines, comments, metadata, variables, pre-request scripts.
    for (; i < end; i++) {
      const line = lines[i] as string;
      if (isBlank(line)) continue;
      const t = line.trimStart();
      if (firstLine < 0) firstLine = i;
      if (isComment(line)) {
        const meta = this.parseMetadata(i);
        if (meta) metadata.push(meta);
        else comments.push({ text: t, range: this.lineRange(i) });
        continue;
      }
      if (t.startsWith('@')) {
        this.parseVariableDefinition(i, blockIndex);
        continue;
      }
      if (t.startsWith('<')) {
        const script = this.parseScript(i, end, '<');
        if (script) {
          preRequestScripts.push(script.node);
          i = script.lastLine;
          continue;
        }
      }
      break;
    }

    if (i >= end) {
      // No request in this block: metadata here applies to nothing.
      for (const meta of metadata) {
        if (meta.keyword === 'name' || meta.keyword === 'note' || meta.keyword === 'no-redirect') {
          this.diag(`@${meta.keyword} has no request to apply to`, meta.keywordRange, 'text-outside-request', 'warning');
        }
      }
      for (const script of preRequestScripts) {
        this.diag('pre-request script has no request to apply to', script.range, 'text-outside-request', 'warning');
      }
      return;
    }

    const requestStartLine = separator ? separator.range.start.line : firstLine;
    const request: HttpRequestNode = {
      kind: 'http',
      index: this.requests.length,
      range: range(requestStartLine, 0, i, 0),
      metadata,
      prompts: [],
      comments,
      method: 'GET',
      url: { text: '', range: range(i, 0, i, 0), variables: [] },
      headers: [],
      preRequestScripts,
      responseHandlers: [],
      assertions: [],
      variableReferences: [],
    };
    if (separator) {
      request.separator = separator;
      if (separator.title) request.title = separator.title;
    }
    this.applyMetadata(request);
    this.prompts = request.prompts;

    let lastContentLine = i;
    const t0 = (lines[i] as string).trimStart();
    if (/^curl(\s|$)/i.test(t0)) {
      i = this.parseCurl(request, i, end);
      lastContentLine = i - 1;
    } else {
      i = this.parseRequestLine(request, i, end);
      lastContentLine = i - 1;
      // Headers until the first blank line.
      let bodyStart = -1;
      for (; i < end; i++) {
        const line = lines[i] as string;
        if (isBlank(line)) {
          bodyStart = i + 1;
          break;
        }
        const t = line.trimStart();
        if (this.isTrailer(t)) break;
        if (isComment(line)) {
          request.comments.push({ text: t, range: this.lineRange(i) });
          lastContentLine = i;
          continue;
        }
        if (t.startsWith('<') || t.startsWith('{') || t.startsWith('[')) {
          if (!t.startsWith('<')) {
            this.diag('a body must be separated from the headers by a blank line', this.lineRange(i), 'invalid-header', 'warning');
          }
          bodyStart = i;
          break;
        }
        const header = this.parseHeader(i, 0);
        if (header) request.headers.push(header);
        lastContentLine = i;
      }
      if (bodyStart >= 0) {
        const after = this.parseBody(request, bodyStart, end);
        if (after.lastContentLine >= 0) lastContentLine = after.lastContentLine;
        i = after.next;
      }
    }

    // After the request: assertions, response handlers, redirects, comments, variables.
    for (; i < end; i++) {
      const line = lines[i] as string;
      if (isBlank(line)) continue;
      const t = line.trimStart();
      if (this.isTrailer(t)) {
        const next = this.parseTrailer(request, i, end);
        lastContentLine = next - 1;
        i = next - 1;
        continue;
      }
      if (isComment(line)) {
        const meta = this.parseMetadata(i);
        if (meta) {
          this.diag(`@${meta.keyword} must come before the request line`, meta.keywordRange, 'text-outside-request', 'warning');
        }
        request.comments.push({ text: t, range: this.lineRange(i) });
        continue;
      }
      if (t.startsWith('@') && VARIABLE_DEFINITION.test(t)) {
        this.parseVariableDefinition(i, blockIndex);
        continue;
      }
      this.diag('unexpected text after the request; start a new request with ###', this.lineRange(i), 'text-outside-request', 'warning');
    }

    const lastText = lines[lastContentLine] ?? '';
    request.range = {
      start: pos(requestStartLine, 0, separator?.range.start),
      end: { line: lastContentLine, character: lastText.length },
    };
    request.headers = compact(request.headers);
    request.metadata = compact(request.metadata);
    request.comments = compact(request.comments);
    request.assertions = compact(request.assertions);
    request.prompts = compact(request.prompts);
    request.preRequestScripts = compact(request.preRequestScripts);
    request.responseHandlers = compact(request.responseHandlers);
    if (request.body) request.body.fileReferences = compact(request.body.fileReferences);
    this.collectReferences(request);
    this.requests.push(request);
    this.prompts = [];
  }

  isTrailer(t: string): boolean {
    return t.startsWith('??') || t.startsWith('>');
  }

  /** `?? …`, `> {% … %}`, `> ./file.js`, `>> file`, `>>! file`; returns the next line index. */
  parseTrailer(request: HttpRequestNode, i: number, end: number): number {
    const line = this.lines[i] as string;
    const lead = leadingSpace(line);
    const t = line.trimStart();
    if (t.startsWith('??')) {
      request.assertions.push(this.parseAssertion(i));
      return i + 1;
    }
    if (t.startsWith('>>')) {
      const overwrite = t.startsWith('>>!');
      const after = t.slice(overwrite ? 3 : 2);
      const pathText = after.trim();
      const at = lead + (overwrite ? 3 : 2) + after.indexOf(pathText);
      const node: ResponseRedirectNode = {
        path: this.textNode(i, at, pathText),
        overwrite,
        range: this.lineRange(i),
      };
      if (!pathText) this.diag('>> needs a file path to save the response to', node.range, 'missing-file-path');
      request.responseRedirect = node;
      return i + 1;
    }
    const script = this.parseScript(i, end, '>');
    if (script) {
      request.responseHandlers.push(script.node);
      return script.lastLine + 1;
    }
    this.diag('> needs {% script %} or a path to a handler script', this.lineRange(i), 'missing-file-path');
    return i + 1;
  }

  parseAssertion(i: number): AssertionNode {
    const line = this.lines[i] as string;
    const lead = leadingSpace(line);
    const after = line.slice(lead + 2);
    const text = after.trim();
    const at = text ? lead + 2 + after.indexOf(text) : lead + 2;
    const textRange = range(i, at, i, at + text.length);
    const whole = range(i, lead, i, Math.max(lead, trimmedEnd(line)));
    whole.end = pos(whole.end.line, whole.end.character, textRange.end);
    return { text, textRange, range: whole, variables: this.scanVariables(i, at, text) };
  }

  /**
   * `{% … %}` (possibly over several lines) or a path after `<` / `>`.
   * Returns undefined when the line is not a script (e.g. `< ./body.json` is a body, not a script).
   */
  parseScript(i: number, end: number, marker: '<' | '>'): { node: ScriptNode; lastLine: number } | undefined {
    const { lines } = this;
    const line = lines[i] as string;
    const lead = leadingSpace(line);
    const rest = line.slice(lead + 1);
    const restTrim = rest.trimStart();
    const restAt = lead + 1 + (rest.length - restTrim.length);
    if (restTrim.startsWith('{%')) {
      const codeStart = restAt + 2;
      const close = line.indexOf('%}', codeStart);
      if (close >= 0) {
        return {
          node: {
            kind: 'inline',
            code: line.slice(codeStart, close),
            codeRange: range(i, codeStart, i, close),
            range: range(i, lead, i, close + 2),
          },
          lastLine: i,
        };
      }
      const parts = [line.slice(codeStart)];
      for (let j = i + 1; j < end; j++) {
        const l = lines[j] as string;
        const c = l.indexOf('%}');
        if (c >= 0) {
          parts.push(l.slice(0, c));
          return {
            node: { kind: 'inline', code: parts.join('\n'), codeRange: range(i, codeStart, j, c), range: range(i, lead, j, c + 2) },
            lastLine: j,
          };
        }
        parts.push(l);
      }
      const last = end - 1;
      const lastLen = (lines[last] ?? '').length;
      this.diag('script is not closed: add %} after it', range(i, lead, i, line.trimEnd().length), 'unterminated-script');
      return {
        node: { kind: 'inline', code: parts.join('\n'), codeRange: range(i, codeStart, last, lastLen), range: range(i, lead, last, lastLen) },
        lastLine: last,
      };
    }
    if (marker === '<') {
      // Before the request line, `< path` is a pre-request script only when it names a script.
      if (!/\.(m|c)?js$/i.test(restTrim.trimEnd())) return undefined;
    }
    const path = restTrim.trimEnd();
    if (!path) return undefined;
    return {
      node: { kind: 'file', path, pathRange: range(i, restAt, i, restAt + path.length), range: this.lineRange(i) },
      lastLine: i,
    };
  }

  parseMetadata(i: number): MetadataNode | undefined {
    const line = this.lines[i] as string;
    const lead = leadingSpace(line);
    const t = line.slice(lead);
    const m = METADATA.exec(t);
    if (!m) return undefined;
    const prefix = m[1] as '#' | '//';
    const keyword = m[2] as string;
    const kwStart = lead + m[0].length - keyword.length - 1;
    const kwEnd = lead + m[0].length;
    let rest = t.slice(m[0].length);
    let restAt = kwEnd;
    const eq = /^\s*=/.exec(rest);
    if (eq) {
      rest = rest.slice(eq[0].length);
      restAt += eq[0].length;
    }
    const value = rest.trim();
    const node: MetadataNode = {
      keyword,
      prefix,
      range: this.lineRange(i),
      keywordRange: range(i, kwStart, i, kwEnd),
    };
    if (value) {
      const vs = restAt + rest.indexOf(value);
      node.value = value;
      node.valueRange = { start: { line: i, character: vs }, end: pos(i, vs + value.length, node.range.end) };
    } else {
      node.range.end = pos(i, node.range.end.character, node.keywordRange.end);
    }
    const unsupported = UNSUPPORTED_METADATA[keyword];
    if (unsupported) {
      this.diag(`@${keyword} is not supported: ${unsupported}`, node.keywordRange, 'unsupported-metadata', 'warning');
    } else if (!KNOWN_METADATA.has(keyword)) {
      this.diag(`unknown metadata @${keyword}`, node.keywordRange, 'unknown-metadata', 'hint');
    } else if ((keyword === 'name' || keyword === 'prompt' || keyword === 'timeout' || keyword === 'connection-timeout') && !value) {
      this.diag(`@${keyword} needs a value`, node.keywordRange, 'missing-metadata-value');
    } else if ((keyword === 'timeout' || keyword === 'connection-timeout') && value && !TIMEOUT_VALUE.test(value)) {
      this.diag(`@${keyword} must be a duration like 5s, 500ms or 5 (seconds), not "${value}"`, node.valueRange as Range, 'invalid-metadata-value');
    }
    return node;
  }

  applyMetadata(request: HttpRequestNode): void {
    for (const meta of request.metadata) {
      if (meta.keyword === 'name' && meta.value) {
        const name = meta.value.split(/\s+/)[0] as string;
        request.name = name;
        const range = meta.valueRange as Range;
        const previous = this.names.get(name);
        if (previous) {
          this.diag(`another request is already named "${name}" (line ${previous.start.line + 1})`, range, 'duplicate-request-name', 'warning');
        } else {
          this.names.set(name, range);
        }
      } else if (meta.keyword === 'prompt' && meta.value && meta.valueRange) {
        const m = /^(\S+)\s*(.*)$/.exec(meta.value) as RegExpExecArray;
        const name = m[1] as string;
        const description = (m[2] as string).trim();
        const start = meta.valueRange.start;
        const prompt: PromptDefinition = {
          name,
          isSecret: SECRET_NAME.test(name),
          range: meta.range,
          nameRange: range(start.line, start.character, start.line, start.character + name.length),
        };
        if (description) prompt.description = description;
        request.prompts.push(prompt);
      }
    }
  }

  parseVariableDefinition(i: number, blockIndex: number): void {
    const line = this.lines[i] as string;
    const lead = leadingSpace(line);
    const t = line.slice(lead).trimEnd();
    const m = VARIABLE_DEFINITION.exec(t);
    if (!m) {
      // `@name login` is a request name written without its comment marker.
      const named = /^@name\s+(\S+)$/.exec(t);
      const message = named
        ? `to name the request write "# @name ${named[1]}"; a variable definition looks like @name = value`
        : 'a variable definition looks like @name = value';
      this.diag(message, this.lineRange(i), 'invalid-variable-definition');
      return;
    }
    const name = m[1] as string;
    const value = m[2] as string;
    const valueAt = lead + t.length - value.length;
    const trimmed = value.trim();
    const vs = valueAt + (value.length - value.trimStart().length);
    this.fileVariables.push({
      name,
      value: this.textNode(i, vs, trimmed),
      range: this.lineRange(i),
      nameRange: range(i, lead + 1, i, lead + 1 + name.length),
      blockIndex,
    });
  }

  /** Returns the index of the first line after the request line and its continuations. */
  parseRequestLine(request: HttpRequestNode, i: number, end: number): number {
    const line = this.lines[i] as string;
    const lead = leadingSpace(line);
    const t = line.slice(lead).trimEnd();
    let urlStart = lead;
    let urlEnd = lead + t.length;
    let methodRange: Range | undefined;
    let method = 'GET';
    const first = /^\S+/.exec(t)?.[0] ?? '';
    const afterFirst = t.slice(first.length);
    // Known methods in any case, and upper-case words (HTTP allows extension methods).
    if (/^[A-Za-z]+$/.test(first) && (KNOWN_METHODS.has(first.toUpperCase()) || first === first.toUpperCase())) {
      method = first.toUpperCase();
      methodRange = range(i, lead, i, lead + first.length);
      urlStart = lead + first.length + (afterFirst.length - afterFirst.trimStart().length);
    } else if (/^[A-Za-z]+$/.test(first) && afterFirst.trim() !== '' && !HTTP_VERSION.test(afterFirst.trim())) {
      method = first.toUpperCase();
      methodRange = range(i, lead, i, lead + first.length);
      urlStart = lead + first.length + (afterFirst.length - afterFirst.trimStart().length);
      const jetbrains = JETBRAINS_COMMANDS[first];
      if (jetbrains) this.diag(`JetBrains' "${first}" (${jetbrains}) is not supported`, methodRange, 'unsupported-request');
      else this.diag(`"${first}" is not an HTTP method`, methodRange, 'invalid-method');
    }
    let httpVersion: string | undefined;
    let httpVersionRange: Range | undefined;
    // JetBrains: `GET http://h/ HTTP/2 (Prior Knowledge)` (cleartext HTTP/2 without upgrade).
    const prior = /\s(HTTP\/2)\s+\(Prior Knowledge\)$/i.exec(line.slice(0, urlEnd));
    if (prior && prior.index + 1 > urlStart) {
      httpVersion = 'HTTP/2';
      httpVersionRange = range(i, prior.index + 1, i, urlEnd);
      this.diag('HTTP/2 with prior knowledge is not supported: the request is sent as HTTP/1.1, or HTTP/2 if TLS negotiates it', httpVersionRange, 'unsupported-metadata', 'warning');
      urlEnd = line.slice(0, prior.index).trimEnd().length;
    }
    const lastSpace = Math.max(line.lastIndexOf(' ', urlEnd - 1), line.lastIndexOf('\t', urlEnd - 1));
    if (!prior && lastSpace >= urlStart) {
      const last = line.slice(lastSpace + 1, urlEnd);
      if (HTTP_VERSION.test(last)) {
        httpVersion = last.toUpperCase();
        httpVersionRange = range(i, lastSpace + 1, i, urlEnd);
        urlEnd = line.slice(0, lastSpace).trimEnd().length;
        if (!VALID_HTTP_VERSIONS.has(httpVersion)) {
          this.diag(`unknown HTTP version ${last} (use HTTP/1.1 or HTTP/2)`, httpVersionRange, 'invalid-http-version', 'warning');
        }
      }
    }
    const urlParts = [line.slice(urlStart, urlEnd)];
    const urlLineRanges = [range(i, urlStart, i, urlEnd)];
    const variables = [...this.scanVariables(i, urlStart, urlParts[0] as string)];
    let j = i + 1;
    let lastLine = i;
    let lastEnd = Math.max(urlEnd, lead + t.length);
    for (; j < end; j++) {
      const l = this.lines[j] as string;
      const lt = l.trimStart();
      if (!((lt.startsWith('?') || lt.startsWith('&') || isIndentedUrlPiece(l, lt)) && !lt.startsWith('??'))) break;
      const at = leadingSpace(l);
      const piece = lt.trimEnd();
      urlParts.push(piece);
      urlLineRanges.push(range(j, at, j, at + piece.length));
      variables.push(...this.scanVariables(j, at, piece));
      lastLine = j;
      lastEnd = at + piece.length;
    }
    const url: TextNode = {
      text: urlParts.length === 1 ? (urlParts[0] as string) : urlParts.join(''),
      range: urlLineRanges.length === 1 ? (urlLineRanges[0] as Range) : range(i, urlStart, lastLine, lastEnd),
      variables,
    };
    if (!url.text) {
      this.diag('the request line needs a URL', range(i, lead, i, lead + t.length), 'missing-url');
    }
    url.variables = lastLine !== i ? compact(variables) : variables.length ? variables : EMPTY;
    const lineEnd = lastLine === i ? lead + t.length : lastEnd;
    const node: RequestLineNode = {
      method,
      url,
      urlLineRanges,
      range: {
        start: pos(i, lead, methodRange?.start ?? url.range.start),
        end: pos(lastLine, lineEnd, lastLine === i && httpVersionRange ? httpVersionRange.end : url.range.end),
      },
    };
    if (methodRange) node.methodRange = methodRange;
    if (httpVersion && httpVersionRange) {
      node.httpVersion = httpVersion;
      node.httpVersionRange = httpVersionRange;
    }
    request.requestLine = node;
    request.method = method;
    request.url = url;
    const unsupported = UNSUPPORTED_REQUESTS[method] ?? (method === 'GRAPHQL' && /^wss?:/i.test(url.text) ? 'GraphQL over WebSocket (subscriptions)' : undefined);
    if (unsupported && methodRange) this.diag(`not supported: JetBrains ${unsupported}; only HTTP requests are sent`, methodRange, 'unsupported-request');
    return j;
  }

  parseCurl(request: HttpRequestNode, i: number, end: number): number {
    const lines: string[] = [];
    const startAt = leadingSpace(this.lines[i] as string);
    const variables: VariableReference[] = [];
    let j = i;
    for (; j < end; j++) {
      const l = this.lines[j] as string;
      if (isBlank(l)) break;
      if (j > i && this.isTrailer(l.trimStart())) break;
      const from = j === i ? startAt : 0;
      lines.push(l.slice(from).trimEnd());
      variables.push(...this.scanVariables(j, from, l.slice(from)));
    }
    const last = j - 1;
    const lastText = (this.lines[last] as string).trimEnd();
    const text: TextNode = { text: lines.join('\n'), range: range(i, startAt, last, lastText.length), variables };
    const node: CurlNode = { text, range: text.range };
    request.kind = 'curl';
    request.curl = node;
    request.url = { text: '', range: range(i, startAt, i, startAt), variables: EMPTY };
    this.curlSummary(request, i, last);
    return j;
  }

  /**
   * A best-effort method and URL for a `curl …` request, so outlines and lenses can show it;
   * the real reading is `parseCurl` (curl.ts) at run time.
   */
  curlSummary(request: HttpRequestNode, first: number, last: number): void {
    let method: string | undefined;
    let hasData = false;
    let head = false;
    for (let k = first; k <= last; k++) {
      const line = this.lines[k] as string;
      const m = /(?:^|\s)(?:-X\s*|--request[=\s]\s*)['"]?([A-Za-z]+)/.exec(line);
      if (m) method = (m[1] as string).toUpperCase();
      if (/(?:^|\s)(?:-d|-F|--data[\w-]*|--form[\w-]*|--json)(?=[\s='"@]|$)/.test(line)) hasData = true;
      if (/(?:^|\s)(?:-I|--head)(?=\s|$)/.test(line)) head = true;
      if (request.url.text) continue;
      const u = /(['"]?)((?:https?:\/\/|\{\{)[^\s'"]*)\1/.exec(line);
      if (u && u[2]) {
        const at = u.index + (u[1] as string).length;
        // The curl text's own scan already reported any problem in these variables.
        this.rescanning = true;
        request.url = this.textNode(k, at, u[2]);
        this.rescanning = false;
        if (request.url.variables.length === 0) request.url.variables = EMPTY;
      }
    }
    request.method = method ?? (head ? 'HEAD' : hasData ? 'POST' : 'GET');
  }

  parseHeader(i: number, minStart: number): HeaderNode | undefined {
    const line = this.lines[i] as string;
    const lead = Math.max(leadingSpace(line), minStart);
    const t = line.slice(lead, Math.max(lead, trimmedEnd(line)));
    const colon = t.indexOf(':');
    const m = colon > 0 ? [t, t.slice(0, colon).trimEnd(), t.slice(colon + 1)] : null;
    if (!m) {
      this.diag(`"${t.length > 40 ? t.slice(0, 40) + '…' : t}" is not a header (Name: value); separate the body from the headers with a blank line`, this.lineRange(i), 'invalid-header');
      return undefined;
    }
    const name = m[1] as string;
    const rawValue = m[2] as string;
    const value = rawValue.trim();
    const valueAt = value ? lead + t.length - rawValue.length + rawValue.indexOf(value) : lead + t.length;
    // Equal positions are shared (plain data, never mutated by the parser) to keep the tree small.
    const start = { line: i, character: lead };
    const end = { line: i, character: lead + t.length };
    if (/\s/.test(name)) {
      this.diag(`header name "${name}" must not contain spaces`, range(i, lead, i, lead + name.length), 'invalid-header');
    }
    return {
      name,
      value: this.textNode(i, valueAt, value, end),
      nameRange: { start, end: { line: i, character: lead + name.length } },
      range: { start, end },
      nameVariables: this.scanVariables(i, lead, name),
    };
  }

  /** Body from `start` up to the first trailer line; returns the next line to read. */
  parseBody(request: HttpRequestNode, start: number, end: number): { next: number; lastContentLine: number } {
    const { lines } = this;
    let j = start;
    let stop = end;
    for (; j < end; j++) {
      const t = (lines[j] as string).trimStart();
      if (t.startsWith('??') || t.startsWith('>>') || /^>\s*\{%/.test(t) || /^>\s+\S+\.(m|c)?js\s*$/i.test(t)) {
        stop = j;
        break;
      }
    }
    // Trailing blank lines, comments and `@name = value` lines are not body: REST Client files
    // often comment on or define variables for the next request there.
    let last = stop - 1;
    while (last >= start) {
      const l = lines[last] as string;
      if (!(isBlank(l) || isComment(l) || VARIABLE_DEFINITION.test(l.trim()))) break;
      last--;
    }
    for (let k = last + 1; k < stop; k++) {
      const l = lines[k] as string;
      if (isBlank(l)) continue;
      if (isComment(l)) request.comments.push({ text: l.trim(), range: this.lineRange(k) });
      else this.parseVariableDefinition(k, request.index);
    }
    if (last < start) return { next: stop, lastContentLine: -1 };

    const bodyLines = lines.slice(start, last + 1);
    const variables: VariableReference[] = [];
    for (let k = start; k <= last; k++) variables.push(...this.scanVariables(k, 0, lines[k] as string));
    const lastLen = (lines[last] as string).length;
    const text: TextNode = { text: bodyLines.join('\n'), range: range(start, 0, last, lastLen), variables: compact(variables) };
    const contentType = request.headers.find((h) => h.name.toLowerCase() === 'content-type')?.value.text ?? '';
    const requestType = request.headers.find((h) => h.name.toLowerCase() === 'x-request-type')?.value.text ?? '';
    let kind: BodyKind = 'text';
    this.rescanning = true;
    const body: BodyNode = { kind, text, fileReferences: [], range: text.range };
    if (/^\s*multipart\//i.test(contentType)) {
      kind = 'multipart';
      this.parseMultipart(request, body, contentType, start, last);
    } else if (/graphql/i.test(requestType) || request.method === 'GRAPHQL') {
      kind = 'graphql';
      body.graphql = this.parseGraphql(start, last);
    } else if (/application\/x-www-form-urlencoded/i.test(contentType) && !(bodyLines.length === 1 && FILE_REFERENCE.test((bodyLines[0] as string).trim()))) {
      kind = 'form';
      body.fields = this.parseForm(start, last);
    } else {
      let only = -1;
      for (let k = start; k <= last; k++) {
        const l = lines[k] as string;
        if (isBlank(l)) continue;
        only = only === -1 && l.charCodeAt(leadingSpace(l)) === 60 /* < */ ? k : -2;
        if (only === -2) break;
      }
      if (only >= 0 && FILE_REFERENCE.test((lines[only] as string).trim())) {
        const k = only;
        const ref = this.parseFileReference(k);
        if (ref) {
          kind = 'file';
          body.file = ref;
          body.fileReferences.push(ref);
        }
      }
    }
    body.kind = kind;
    request.body = body;
    this.rescanning = false;
    return { next: stop, lastContentLine: last };
  }

  parseFileReference(i: number): FileReferenceNode | undefined {
    const line = this.lines[i] as string;
    const lead = leadingSpace(line);
    const t = line.slice(lead).trimEnd();
    const m = FILE_REFERENCE.exec(t);
    if (!m) return undefined;
    const path = m[3] as string;
    const at = lead + t.lastIndexOf(path);
    const node: FileReferenceNode = {
      path: this.textNode(i, at, path),
      processVariables: m[1] !== undefined,
      range: range(i, lead, i, lead + t.length),
    };
    const encoding = m[2];
    if (encoding) node.encoding = encoding.toLowerCase();
    return node;
  }

  parseMultipart(request: HttpRequestNode, body: BodyNode, contentType: string, start: number, last: number): void {
    const m = /boundary\s*=\s*("([^"]*)"|[^;\s]+)/i.exec(contentType);
    const header = request.headers.find((h) => h.name.toLowerCase() === 'content-type');
    if (!m) {
      this.diag('multipart Content-Type needs a boundary=…', header?.value.range ?? body.range, 'missing-boundary', 'warning');
      body.parts = [];
      return;
    }
    const boundary = m[2] ?? (m[1] as string);
    body.boundary = boundary;
    const delimiter = '--' + boundary;
    const parts: MultipartPartNode[] = [];
    let current: { startLine: number; headers: HeaderNode[]; contentStart: number } | undefined;
    const finish = (endLine: number): void => {
      if (!current) return;
      const part: MultipartPartNode = {
        headers: current.headers,
        range: range(current.startLine, 0, endLine, (this.lines[endLine] ?? '').length),
      };
      const disposition = current.headers.find((h) => h.name.toLowerCase() === 'content-disposition')?.value.text ?? '';
      const name = /\bname\s*=\s*"([^"]*)"|\bname\s*=\s*([^;\s]+)/i.exec(disposition);
      if (name) part.name = name[1] ?? name[2];
      const filename = /\bfilename\s*=\s*"([^"]*)"|\bfilename\s*=\s*([^;\s]+)/i.exec(disposition);
      if (filename) part.filename = filename[1] ?? filename[2];
      const type = current.headers.find((h) => h.name.toLowerCase() === 'content-type')?.value.text;
      if (type) part.contentType = type;
      if (current.contentStart >= 0 && current.contentStart <= endLine) {
        const contentLines = this.lines.slice(current.contentStart, endLine + 1);
        const nonBlank = contentLines.filter((l) => !isBlank(l));
        const ref = nonBlank.length === 1 ? this.parseFileReference(current.contentStart + contentLines.indexOf(nonBlank[0] as string)) : undefined;
        if (ref) {
          part.file = ref;
          body.fileReferences.push(ref);
        } else {
          const variables: VariableReference[] = [];
          for (let k = current.contentStart; k <= endLine; k++) variables.push(...this.scanVariables(k, 0, this.lines[k] as string));
          part.content = {
            text: contentLines.join('\n'),
            range: range(current.contentStart, 0, endLine, (this.lines[endLine] as string).length),
            variables,
          };
        }
      } else {
        part.content = { text: '', range: range(endLine, (this.lines[endLine] ?? '').length, endLine, (this.lines[endLine] ?? '').length), variables: [] };
      }
      parts.push(part);
      current = undefined;
    };
    let inHeaders = false;
    for (let k = start; k <= last; k++) {
      const t = (this.lines[k] as string).trim();
      if (t === delimiter || t === delimiter + '--') {
        // The line break before a delimiter belongs to the delimiter.
        finish(k - 1);
        if (t === delimiter) {
          current = { startLine: k, headers: [], contentStart: -1 };
          inHeaders = true;
        }
        continue;
      }
      if (!current) continue;
      if (inHeaders) {
        if (isBlank(this.lines[k] as string)) {
          inHeaders = false;
          current.contentStart = k + 1;
          continue;
        }
        const h = this.parseHeader(k, 0);
        if (h) current.headers.push(h);
        continue;
      }
    }
    finish(last);
    body.parts = parts;
  }

  parseForm(start: number, last: number): FormFieldNode[] {
    const fields: FormFieldNode[] = [];
    for (let k = start; k <= last; k++) {
      const line = this.lines[k] as string;
      let pos = 0;
      while (pos <= line.length) {
        let amp = line.indexOf('&', pos);
        if (amp < 0) amp = line.length;
        const piece = line.slice(pos, amp);
        const trimmed = piece.trim();
        if (trimmed) {
          const at = pos + piece.indexOf(trimmed);
          const eq = trimmed.indexOf('=');
          fields.push({
            name: eq < 0 ? trimmed : trimmed.slice(0, eq),
            value: eq < 0 ? '' : trimmed.slice(eq + 1),
            range: range(k, at, k, at + trimmed.length),
          });
        }
        pos = amp + 1;
      }
    }
    return fields;
  }

  parseGraphql(start: number, last: number): { query: TextNode; variables?: TextNode } {
    while (start < last && isBlank(this.lines[start] as string)) start++;
    let split = -1;
    for (let k = start + 1; k <= last; k++) {
      if (isBlank(this.lines[k] as string)) {
        split = k;
        break;
      }
    }
    const queryEnd = split < 0 ? last : split - 1;
    const node = (from: number, to: number): TextNode => {
      const variables: VariableReference[] = [];
      for (let k = from; k <= to; k++) variables.push(...this.scanVariables(k, 0, this.lines[k] as string));
      return {
        text: this.lines.slice(from, to + 1).join('\n'),
        range: range(from, 0, to, (this.lines[to] as string).length),
        variables,
      };
    };
    const result: { query: TextNode; variables?: TextNode } = { query: node(start, queryEnd) };
    if (split >= 0) {
      let from = split;
      while (from <= last && isBlank(this.lines[from] as string)) from++;
      if (from <= last) result.variables = node(from, last);
    }
    return result;
  }

  /** `end` may be passed when an existing Position object already marks the text's end. */
  textNode(line: number, at: number, text: string, end?: Position): TextNode {
    const endPos = end && end.line === line && end.character === at + text.length ? end : { line, character: at + text.length };
    return { text, range: { start: { line, character: at }, end: endPos }, variables: this.scanVariables(line, at, text) };
  }

  /** Find `{{…}}` in `text`, which starts at (`line`, `at`) in the document. */
  scanVariables(line: number, at: number, text: string): VariableReference[] {
    const found: VariableReference[] = [];
    let pos = text.indexOf('{{');
    while (pos >= 0) {
      const close = text.indexOf('}}', pos + 2);
      if (close < 0) {
        if (!this.rescanning) this.diag('variable is not closed: add }}', range(line, at + pos, line, at + text.length), 'unterminated-variable');
        break;
      }
      // `{{ {{x}}` — the innermost opening wins.
      const inner = text.lastIndexOf('{{', close - 1);
      const open = inner > pos ? inner : pos;
      const raw = text.slice(open + 2, close);
      let expression = raw.trim();
      let offset = open + 2 + (raw.length - raw.trimStart().length);
      let percentEncode = false;
      if (expression.startsWith('%')) {
        percentEncode = true;
        const rest = expression.slice(1);
        offset += 1 + (rest.length - rest.trimStart().length);
        expression = rest.trim();
      }
      const full = range(line, at + open, line, at + close + 2);
      if (!expression) {
        if (!this.rescanning) this.diag('empty variable {{}}', full, 'empty-variable');
      } else {
        let name = expression;
        let args: string | undefined;
        if (expression.startsWith('$')) {
          const m = /^\$[\w.-]*/.exec(expression) as RegExpExecArray;
          name = m[0];
          const rest = expression.slice(name.length).trim();
          if (rest) args = rest;
        }
        let kind: VariableKind = 'env';
        if (name.charCodeAt(0) === 36 /* $ */) kind = 'system';
        else if (name.includes('.') && REQUEST_VARIABLE.test(name)) kind = 'request';
        else if (this.prompts.length && this.prompts.some((p) => p.name === name)) kind = 'prompt';
        const ref: VariableReference = {
          name,
          expression,
          kind,
          percentEncode,
          range: full,
          nameRange: range(line, at + offset, line, at + offset + name.length),
        };
        if (args !== undefined) ref.args = args;
        if (kind === 'env') this.maybeFile.push(ref);
        found.push(ref);
      }
      pos = text.indexOf('{{', close + 2);
    }
    return compact(found);
  }

  collectReferences(request: HttpRequestNode): void {
    const refs: VariableReference[] = [];
    const add = (list: VariableReference[]): void => {
      for (let i = 0; i < list.length; i++) refs.push(list[i] as VariableReference);
    };
    // A curl request's URL variables are copies of ones in its text (added below).
    if (request.kind !== 'curl') add(request.url.variables);
    for (const h of request.headers) {
      add(h.nameVariables);
      add(h.value.variables);
    }
    if (request.body) add(request.body.text.variables);
    if (request.curl) add(request.curl.text.variables);
    if (request.responseRedirect) add(request.responseRedirect.path.variables);
    for (const a of request.assertions) add(a.variables);
    request.variableReferences = compact(refs);
  }

  /** `{{name}}` is a file variable when `@name = …` is anywhere in the file, which is known only at the end. */
  classifyVariables(): void {
    if (this.fileVariables.length === 0) return;
    const fileNames = new Set<string>();
    for (const v of this.fileVariables) fileNames.add(v.name);
    for (const ref of this.maybeFile) if (fileNames.has(ref.name)) ref.kind = 'file';
  }
}

/** Parse `.http` / `.rest` text. Never throws; problems are in `diagnostics`. */
export function parseHttpFile(text: string, options: ParseOptions = {}): HttpFile {
  const parser = new Parser(text);
  try {
    parser.parse();
  } catch (error) {
    // A parser bug must not take the language server down; report it where the user can see it.
    parser.diagnostics.push({
      message: `internal parser error: ${error instanceof Error ? error.message : String(error)}`,
      range: range(0, 0, 0, 0),
      severity: 'error',
      code: 'text-outside-request',
    });
  }
  const file: HttpFile = {
    requests: parser.requests,
    fileVariables: parser.fileVariables,
    separators: parser.separators,
    diagnostics: parser.diagnostics,
    lineCount: parser.lines.length,
  };
  if (options.uri !== undefined) file.uri = options.uri;
  return file;
}
