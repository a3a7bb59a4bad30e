/**
 * The `.http` syntax tree. Every element carries an exact, zero-based, LSP-compatible `Range`
 * so the language server (diagnostics, hover, completion, code lenses) and the editor can point
 * at the very characters a user wrote. Plain data only: no classes, no functions on nodes, so a
 * tree crosses process and worker boundaries as is.
 *
 * Produced by `parseHttpFile` (parser.ts); read by the resolver, the runner, the language server
 * and the extension. Nothing here imports `vscode`.
 *
 * The tree is read-only data. To keep a 10,000-request tree small, equal `Position`/`Range`
 * objects may be shared between nodes (to move ranges, collect the distinct Position objects
 * first, or copy), and every empty list is one shared frozen array (copy before adding).
 */

/** Zero-based line and UTF-16 character offset, like LSP. */
export interface Position {
  line: number;
  character: number;
}

/** Half-open: `end` is just past the last character. */
export interface Range {
  start: Position;
  end: Position;
}

export type DiagnosticSeverity = 'error' | 'warning' | 'info' | 'hint';

export interface Diagnostic {
  message: string;
  range: Range;
  severity: DiagnosticSeverity;
  /** Stable machine-readable code, e.g. 'unterminated-variable' (see `DiagnosticCode`). */
  code: DiagnosticCode;
}

export type DiagnosticCode =
  | 'missing-url'
  | 'invalid-method'
  | 'invalid-http-version'
  | 'invalid-header'
  | 'unterminated-variable'
  | 'empty-variable'
  | 'unterminated-script'
  | 'invalid-variable-definition'
  | 'unknown-metadata'
  /** A JetBrains/REST Client directive Ricochet recognises but does not implement (warning). */
  | 'unsupported-metadata'
  /** A JetBrains request kind or command Ricochet does not send (WEBSOCKET, GRPC, run, import). */
  | 'unsupported-request'
  | 'missing-metadata-value'
  | 'invalid-metadata-value'
  | 'duplicate-request-name'
  | 'missing-file-path'
  | 'missing-boundary'
  | 'unknown-variable'
  | 'text-outside-request';

/**
 * Where a `{{…}}` value comes from, decided at parse time:
 * - `system`: starts with `$` (`$guid`, `$randomInt 1 9`, `$random.email`, `$processEnv X` …)
 * - `request`: `<name>.(response|request).(body|headers)…`
 * - `prompt`: declared by `# @prompt name` in the same request
 * - `file`: defined by `@name = value` anywhere in the file
 * - `env`: anything else (an environment or caller-supplied variable, unknown until run time)
 */
export type VariableKind = 'file' | 'system' | 'request' | 'prompt' | 'env';

/** One `{{name}}` / `{{%name}}` / `{{$randomInt 1 10}}` occurrence. */
export interface VariableReference {
  /**
   * The variable's name without braces, `%` or arguments: `host`, `$randomInt`,
   * `$random.integer`, `login.response.body.$.token`.
   */
  name: string;
  /** Everything between the braces (and after `%`), trimmed: `$randomInt 1 10`. */
  expression: string;
  /** Arguments after the name for system variables (`1 10` for `$randomInt 1 10`), trimmed. */
  args?: string;
  kind: VariableKind;
  /** `{{%name}}`: the value is percent-encoded when substituted. */
  percentEncode: boolean;
  /** The whole `{{…}}` including braces. */
  range: Range;
  /** Just the name (after `%`, before any arguments). */
  nameRange: Range;
}

/**
 * A piece of source text that may contain `{{…}}` references. `text` is the text as written
 * (continuation lines joined as the dialect joins them), `range` spans it in the document.
 */
export interface TextNode {
  text: string;
  range: Range;
  variables: VariableReference[];
}

/** `@name = value` (file scope; REST Client and JetBrains). */
export interface VariableDefinition {
  name: string;
  value: TextNode;
  /** The whole line. */
  range: Range;
  nameRange: Range;
  /** How many requests come before it in the file (0 for definitions above the first request). */
  blockIndex: number;
}

/** `###` line; `title` is the trimmed text after the hashes. */
export interface SeparatorNode {
  range: Range;
  title?: string;
  titleRange?: Range;
}

/** The metadata keywords Ricochet understands. Unknown ones are kept with a 'hint' diagnostic. */
export type MetadataKeyword =
  | 'name'
  | 'no-redirect'
  | 'no-cookie-jar'
  | 'timeout'
  | 'connection-timeout'
  | 'note'
  | 'prompt'
  | 'no-reject-unauthorized'
  | 'no-log'
  | (string & {});

/** `# @name login`, `// @no-redirect`, `# @prompt password Your password`. */
export interface MetadataNode {
  keyword: MetadataKeyword;
  /** Trimmed text after the keyword (and after `=` for `@name=x`), if any. */
  value?: string;
  prefix: '#' | '//';
  /** The whole comment line. */
  range: Range;
  /** `@name` including the `@`. */
  keywordRange: Range;
  valueRange?: Range;
}

/** A `# …` or `// …` comment that is not metadata. */
export interface CommentNode {
  text: string;
  range: Range;
}

/** `# @prompt name description`. `isSecret` when the name looks like a password/token/secret. */
export interface PromptDefinition {
  name: string;
  description?: string;
  isSecret: boolean;
  range: Range;
  nameRange: Range;
}

export interface RequestLineNode {
  /** Upper-cased method; 'GET' when omitted. */
  method: string;
  /** Absent when the method was omitted (`https://x` alone means GET). */
  methodRange?: Range;
  /**
   * The URL with `?`/`&` continuation lines joined without whitespace, as both dialects do.
   * `url.range` spans from the URL's first character to the end of its last continuation line.
   */
  url: TextNode;
  /** Range of each physical line piece of the URL (first line's URL part, then each continuation). */
  urlLineRanges: Range[];
  /** `HTTP/1.1`, `HTTP/2`, … when written. */
  httpVersion?: string;
  httpVersionRange?: Range;
  /** From the first character of the method (or URL) to the end of the last URL line. */
  range: Range;
}

export interface HeaderNode {
  name: string;
  value: TextNode;
  nameRange: Range;
  /** The whole header line. */
  range: Range;
  /** Variables in the name (rare, but allowed). */
  nameVariables: VariableReference[];
}

/** `< ./file`, `<@ ./file`, `<@latin1 ./file` inside a body (whole body or a multipart part). */
export interface FileReferenceNode {
  /** The path as written (may contain `{{…}}`). */
  path: TextNode;
  /** `<@`: substitute variables in the file's contents. */
  processVariables: boolean;
  /** `<@latin1` → 'latin1'; absent means UTF-8. */
  encoding?: string;
  /** The whole `< …` line. */
  range: Range;
}

/** One part of a `multipart/*` body, split on the boundary from Content-Type. */
export interface MultipartPartNode {
  headers: HeaderNode[];
  /** From `Content-Disposition: form-data; name="…"`. */
  name?: string;
  filename?: string;
  contentType?: string;
  /** Inline content of the part (absent when it is a file reference). */
  content?: TextNode;
  /** `< ./file` content. */
  file?: FileReferenceNode;
  /** From the boundary line to the end of the part's content. */
  range: Range;
}

/** One `name=value` pair of an `application/x-www-form-urlencoded` body (`&` continuation lines). */
export interface FormFieldNode {
  name: string;
  value: string;
  range: Range;
}

export type BodyKind = 'text' | 'file' | 'form' | 'multipart' | 'graphql';

export interface BodyNode {
  /**
   * - `file`: the whole body is one `< path` line
   * - `multipart`: Content-Type is multipart/* (parts in `parts`)
   * - `form`: Content-Type is application/x-www-form-urlencoded (fields in `fields`)
   * - `graphql`: `X-Request-Type: GraphQL` (query and variables in `graphql`)
   * - `text`: anything else
   */
  kind: BodyKind;
  /**
   * The body lines as written, joined with '\n', trailing blank lines dropped. For `form` bodies
   * this is still the raw text; the resolver joins the `&` lines.
   */
  text: TextNode;
  file?: FileReferenceNode;
  /** Every `<` line in the body, including those inside multipart parts. */
  fileReferences: FileReferenceNode[];
  parts?: MultipartPartNode[];
  boundary?: string;
  fields?: FormFieldNode[];
  graphql?: { query: TextNode; variables?: TextNode };
  range: Range;
}

/** `< {% … %}` / `< ./pre.js` before a request, `> {% … %}` / `> ./handler.js` after it. */
export interface ScriptNode {
  kind: 'inline' | 'file';
  /** Inline code between `{%` and `%}` (kind 'inline'). */
  code?: string;
  codeRange?: Range;
  /** Path as written (kind 'file'). */
  path?: string;
  pathRange?: Range;
  range: Range;
}

/** JetBrains `>> ./out.json` / `>>! ./out.json` (save the response to a file). */
export interface ResponseRedirectNode {
  path: TextNode;
  overwrite: boolean;
  range: Range;
}

/** `?? status == 200` — `text` is what follows `??`, trimmed; E's `parseAssertion` reads it. */
export interface AssertionNode {
  text: string;
  textRange: Range;
  range: Range;
  variables: VariableReference[];
}

/** A request written as a `curl …` command (lines joined, `\` continuations kept in `text.text`). */
export interface CurlNode {
  text: TextNode;
  range: Range;
}

export interface HttpRequestNode {
  /** 'curl' when the request is a `curl …` command (see `curl`); 'http' otherwise. */
  kind: 'http' | 'curl';
  /** Position among the file's requests (0-based); matches `HttpFile.requests` order. */
  index: number;
  /** From the separator (or the first line of the block) to the last non-blank line. */
  range: Range;
  separator?: SeparatorNode;
  /** Separator title (`### Login`). */
  title?: string;
  /** `@name` value. */
  name?: string;
  metadata: MetadataNode[];
  prompts: PromptDefinition[];
  comments: CommentNode[];
  /** Absent for `curl` requests. */
  requestLine?: RequestLineNode;
  /** Shortcuts: `requestLine.method` / `requestLine.url`; for curl a best-effort guess from the command (`parseCurl` decides at run time). */
  method: string;
  url: TextNode;
  headers: HeaderNode[];
  body?: BodyNode;
  curl?: CurlNode;
  preRequestScripts: ScriptNode[];
  responseHandlers: ScriptNode[];
  responseRedirect?: ResponseRedirectNode;
  assertions: AssertionNode[];
  /** Every `{{…}}` in this request (URL, headers, body, assertions, curl), in document order. */
  variableReferences: VariableReference[];
}

export interface HttpFile {
  uri?: string;
  requests: HttpRequestNode[];
  /** Every `@name = value` in the file, in document order (later definitions win). */
  fileVariables: VariableDefinition[];
  /** Separators (incl. ones whose block holds no request). */
  separators: SeparatorNode[];
  diagnostics: Diagnostic[];
  /** Number of lines in the text. */
  lineCount: number;
}

/** Does `range` contain `position` (start inclusive, end inclusive so a cursor at line end counts)? */
export function rangeContains(range: Range, position: Position): boolean {
  const { line, character } = position;
  if (line < range.start.line || line > range.end.line) return false;
  if (line === range.start.line && character < range.start.character) return false;
  if (line === range.end.line && character > range.end.character) return false;
  return true;
}

/** The request whose block covers `line` (the block runs from its separator to the next one). */
export function requestAtLine(file: HttpFile, line: number): HttpRequestNode | undefined {
  let found: HttpRequestNode | undefined;
  for (const request of file.requests) {
    const blockStart = request.separator?.range.start.line ?? request.range.start.line;
    if (blockStart <= line) found = request;
    else break;
  }
  if (found && line > found.range.end.line) {
    // Between the request's last line and the next separator still belongs to it.
    const next = file.requests[found.index + 1];
    const nextStart = next ? (next.separator?.range.start.line ?? next.range.start.line) : Infinity;
    if (line >= nextStart) return undefined;
  }
  return found;
}
