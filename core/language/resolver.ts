/**
 * One parsed request + variables → a `RequestSpec` ready to send: substitutes variables in the
 * URL, headers and body, reads `<` / `<@` bodies relative to the `.http` file, turns multipart
 * parts into `{ path }` file parts, builds GraphQL JSON, and maps metadata onto spec options.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { FileReferenceNode, HttpFile, HttpRequestNode, Position, Range, TextNode } from './ast.ts';
import type { MultipartPartSpec, RequestSpec, RequestSpecBody } from './request-spec.ts';
import type { HeaderList } from '../requests/exchange.ts';
import { VariableResolver, type VariableScope } from './variables.ts';
import { CurlParseError, parseCurl } from './curl.ts';

/** A request that cannot be built (missing body file, bad GraphQL variables, …), with its position. */
export class ResolveError extends Error {
  override name = 'ResolveError';
  file?: string;
  /** Zero-based. */
  line: number;
  character: number;
  constructor(message: string, file: string | undefined, at: Position) {
    super(`${file ? `${file}:` : ''}${at.line + 1}:${at.character + 1}: ${message}`);
    if (file !== undefined) this.file = file;
    this.line = at.line;
    this.character = at.character;
  }
}

export type ResolveContext = Omit<VariableScope, 'file' | 'request'>;

/** Make the variable resolver for `request` (share it to resolve assertions with the same answers). */
export function createResolver(file: HttpFile, request: HttpRequestNode, ctx: ResolveContext = {}): VariableResolver {
  return new VariableResolver({ ...ctx, file, request });
}

/** `5s`, `500ms`, `1m`, `5` (seconds) → milliseconds. */
export function parseDuration(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/i.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  return Math.round(unit === 'ms' ? n : unit === 'm' ? n * 60_000 : n * 1000);
}

function baseDir(ctx: ResolveContext): string {
  return ctx.filePath ? dirname(ctx.filePath) : process.cwd();
}

/** Absolute path of a body file; checks restricted mode and that the file exists. */
async function bodyFilePath(ref: FileReferenceNode, resolver: VariableResolver, ctx: ResolveContext): Promise<string> {
  const at = ref.range.start;
  if (ctx.allowFileAccess === false) {
    throw new ResolveError(`reading body files (${ref.path.text}) is not allowed in restricted mode (untrusted workspace)`, ctx.filePath, at);
  }
  const written = await resolver.substitute(ref.path.text, { node: ref.path });
  const path = isAbsolute(written) ? written : resolve(baseDir(ctx), written);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new ResolveError(`body file not found: ${written} (looked for ${path})`, ctx.filePath, ref.path.range.start);
  }
  return path;
}

/** `<@` file contents with variables substituted (positions name the body file). */
async function processedFile(path: string, ref: FileReferenceNode, resolver: VariableResolver): Promise<string> {
  const text = readFileSync(path, ref.encoding === 'latin1' ? 'latin1' : 'utf8');
  return resolver.substitute(text, { file: path, wholeFile: true, start: { line: 0, character: 0 } });
}

/**
 * Body lines with variables substituted, whole-line `#` / `//` comments left out (as REST Client
 * does: they would break a JSON body). Each line keeps its own position for error messages.
 */
async function bodyLines(node: TextNode, resolver: VariableResolver): Promise<string[]> {
  const out: string[] = [];
  const lines = node.text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const t = line.trimStart();
    if (t.startsWith('#') || t.startsWith('//')) continue;
    out.push(await resolver.substitute(line, { start: { line: node.range.start.line + i, character: 0 } }));
  }
  return out;
}

/**
 * REST Client's default form encoding ("automatic", the `encodeurl` rule): characters that may
 * not appear in a URL (space, quotes, `#`, non-ASCII, …) are percent-encoded as UTF-8; `%XX`
 * escapes already written, `&`, `=` and `+` are kept, so an encoded body is sent unchanged.
 */
export function encodeFormText(text: string): string {
  return text.replace(/[^!%&-;=?-\[\]_a-z~]|%(?![0-9A-Fa-f]{2})/giu, (c) => (c === '%' ? '%25' : c.isWellFormed() ? encodeURIComponent(c) : '%EF%BF%BD'));
}

function header(headers: HeaderList, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return headers.find(([n]) => n.toLowerCase() === wanted)?.[1];
}

function normaliseUrl(url: string, headers: HeaderList): string {
  if (/^[a-z][a-z\d+.-]*:\/\//i.test(url)) return url;
  if (url.startsWith('/')) {
    // REST Client: `GET /path` + `Host: example.com`.
    const host = header(headers, 'host');
    if (host) return `${/:(?:443|8443)$/.test(host) ? 'https' : 'http'}://${host}${url}`;
    return url;
  }
  return url ? `http://${url}` : url;
}

async function resolveBody(request: HttpRequestNode, headers: HeaderList, resolver: VariableResolver, ctx: ResolveContext): Promise<{ body?: RequestSpecBody; dropContentType?: boolean }> {
  const body = request.body;
  if (!body) return {};
  switch (body.kind) {
    case 'file': {
      const ref = body.file as FileReferenceNode;
      const path = await bodyFilePath(ref, resolver, ctx);
      if (!ref.processVariables) return { body: { kind: 'file', path } };
      const text = await processedFile(path, ref, resolver);
      return { body: ref.encoding === 'latin1' ? { kind: 'text', text, encoding: 'latin1' } : { kind: 'text', text } };
    }
    case 'form': {
      // REST Client and JetBrains join `&` continuation lines without whitespace.
      const text = (await bodyLines(body.text, resolver)).map((l) => l.trim()).filter(Boolean).join('');
      return { body: { kind: 'text', text: encodeFormText(text) } };
    }
    case 'graphql': {
      const graphql = body.graphql as NonNullable<typeof body.graphql>;
      const query = await resolver.substitute(graphql.query.text, { node: graphql.query });
      const payload: { query: string; operationName?: string; variables?: unknown } = { query };
      const op = /^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/m.exec(query);
      if (op) payload.operationName = op[1] as string;
      if (graphql.variables) {
        const text = await resolver.substitute(graphql.variables.text, { node: graphql.variables });
        try {
          payload.variables = JSON.parse(text);
        } catch (error) {
          throw new ResolveError(`GraphQL variables are not valid JSON: ${(error as Error).message}`, ctx.filePath, graphql.variables.range.start);
        }
      }
      return { body: { kind: 'text', text: JSON.stringify(payload) } };
    }
    case 'multipart': {
      const contentType = header(headers, 'content-type') ?? '';
      if (/^\s*multipart\/form-data/i.test(contentType) && body.parts) {
        const parts: MultipartPartSpec[] = [];
        for (const part of body.parts) {
          const name = part.name ?? '';
          const spec: MultipartPartSpec = { name };
          if (part.contentType) spec.contentType = await resolver.substitute(part.contentType);
          if (part.filename !== undefined) spec.filename = await resolver.substitute(part.filename);
          if (part.file) {
            const path = await bodyFilePath(part.file, resolver, ctx);
            if (part.file.processVariables) spec.value = await processedFile(path, part.file, resolver);
            else spec.path = path;
            if (spec.filename === undefined) spec.filename = basename(path);
          } else {
            spec.value = part.content ? await resolver.substitute(part.content.text, { node: part.content }) : '';
          }
          parts.push(spec);
        }
        // The encoder writes text fields before files and gives text parts no Content-Type; when
        // that would change what the user wrote, the body is sent as written (as REST Client does).
        const isFile = (p: MultipartPartSpec): boolean => p.path !== undefined || p.filename !== undefined;
        const typedText = parts.some((p) => !isFile(p) && p.contentType !== undefined);
        const reordered = parts.some((p, i) => isFile(p) && parts.slice(i + 1).some((q) => !isFile(q)));
        if (!typedText && !reordered) {
          // The user's boundary is replaced by the one the encoder writes.
          return { body: { kind: 'multipart', parts }, dropContentType: true };
        }
      }
      return { body: { kind: 'bytes', bytes: await rawMultipart(request, resolver, ctx) } };
    }
    case 'text':
    default: {
      const text = (await bodyLines(body.text, resolver)).join('\n');
      return { body: { kind: 'text', text } };
    }
  }
}

/** Non-form-data multipart (multipart/mixed, related): the text as written, `< file` lines replaced by the file's bytes, CRLF line ends. */
async function rawMultipart(request: HttpRequestNode, resolver: VariableResolver, ctx: ResolveContext): Promise<Uint8Array> {
  const body = request.body as NonNullable<HttpRequestNode['body']>;
  const refs = new Map<number, FileReferenceNode>(body.fileReferences.map((ref) => [ref.range.start.line, ref]));
  const lines = body.text.text.split('\n');
  const chunks: Buffer[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = body.range.start.line + i;
    const ref = refs.get(line);
    if (ref) {
      const path = await bodyFilePath(ref, resolver, ctx);
      chunks.push(ref.processVariables ? Buffer.from(await processedFile(path, ref, resolver), ref.encoding === 'latin1' ? 'latin1' : 'utf8') : readFileSync(path));
    } else {
      chunks.push(Buffer.from(await resolver.substitute(lines[i] as string, { start: { line, character: 0 } })));
    }
    if (i < lines.length - 1) chunks.push(Buffer.from('\r\n'));
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * REST Client's credential forms of `Authorization`, rewritten in place as REST Client sends them:
 * `Basic user pass` and `Basic user:pass` become `Basic base64(user:pass)` (a single token without
 * a colon is taken as already encoded); `Digest user pass` is removed and returned as `digest`, to
 * be answered by Digest auth. The password is everything after the user name, so it may contain
 * spaces. REST Client's `AWS …` and `COGNITO …` forms are reported as `unsupported` (index into
 * `headers`): sending them literally would be a wrong request.
 */
export function restClientAuth(headers: HeaderList): { digest?: [user: string, password: string]; unsupported?: { index: number; feature: string } } {
  let digest: [string, string] | undefined;
  for (let i = headers.length - 1; i >= 0; i--) {
    const [name, value] = headers[i] as [string, string];
    if (name.toLowerCase() !== 'authorization') continue;
    const words = value.trim().split(/\s+/);
    const scheme = (words[0] ?? '').toLowerCase();
    if (scheme === 'aws' && words.length >= 3) return { unsupported: { index: i, feature: "REST Client's AWS Signature v4 auth (Authorization: AWS accessId accessKey …)" } };
    if (scheme === 'cognito' && words.length >= 3) return { unsupported: { index: i, feature: "REST Client's AWS Cognito auth (Authorization: COGNITO …)" } };
    const m = /^\s*(basic|digest)\s+(\S+)(?:\s+(.*?))?\s*$/i.exec(value);
    if (!m) continue;
    const user = m[2] as string;
    const password = m[3];
    if (scheme === 'basic') {
      if (password !== undefined) headers[i] = [name, `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`];
      else if (user.includes(':')) headers[i] = [name, `Basic ${Buffer.from(user, 'utf8').toString('base64')}`];
    } else if (password !== undefined && !user.includes('=')) {
      // `Digest username="…", realm=…` is a complete header written by hand: sent as is.
      headers.splice(i, 1);
      digest = [user, password];
    }
  }
  return digest ? { digest } : {};
}

/** The data texts of a curl request, where a variable's line breaks are harmless. */
function curlData(spec: RequestSpec): string[] {
  const body = spec.body;
  if (!body) return [];
  if (body.kind === 'text') return [body.text];
  if (body.kind === 'form') return body.fields.flat();
  if (body.kind === 'multipart') return body.parts.map((p) => p.value ?? '');
  return [];
}

function applyMetadata(request: HttpRequestNode, spec: RequestSpec): void {
  for (const meta of request.metadata) {
    switch (meta.keyword) {
      case 'no-redirect':
        spec.followRedirects = false;
        break;
      case 'no-cookie-jar':
        spec.useCookieJar = false;
        break;
      case 'no-reject-unauthorized':
        spec.verify = false;
        break;
      case 'timeout':
      case 'connection-timeout': {
        const ms = meta.value ? parseDuration(meta.value) : undefined;
        if (ms !== undefined && (spec.timeout === undefined || meta.keyword === 'timeout')) spec.timeout = ms;
        break;
      }
    }
  }
  if (request.requestLine?.httpVersion) spec.httpVersion = request.requestLine.httpVersion;
}

/**
 * Build the `RequestSpec` for `request`. Throws `VariableError` (unresolved/invalid variable,
 * with file:line:col) or `ResolveError` (missing body file, restricted mode, bad GraphQL
 * variables, bad curl command).
 */
export async function resolveRequest(
  file: HttpFile,
  request: HttpRequestNode,
  ctx: ResolveContext = {},
  resolver: VariableResolver = createResolver(file, request, ctx),
): Promise<RequestSpec> {
  if (request.kind === 'curl' && request.curl) {
    const lineBreaks: Array<{ expression: string; value: string; at: Position }> = [];
    const text = await resolver.substitute(request.curl.text.text, { node: request.curl.text, lineBreaks });
    let spec: RequestSpec;
    try {
      spec = parseCurl(text, { cwd: baseDir(ctx) });
    } catch (error) {
      if (!(error instanceof CurlParseError)) throw error;
      // A line break from a variable is the likely culprit: name it and where it was used.
      const culprit = lineBreaks[0];
      if (culprit) {
        throw new ResolveError(`{{${culprit.expression}}} contains a line break, which breaks the curl command: ${error.message}`, ctx.filePath, culprit.at);
      }
      throw new ResolveError(error.message, ctx.filePath, request.curl.range.start);
    }
    // Line breaks belong in data (`-d '{{json}}'`) only; anywhere else they split the command
    // and could smuggle in options or headers.
    const data = curlData(spec);
    const outside = lineBreaks.find((lb) => !data.some((d) => d.includes(lb.value)));
    if (outside) {
      throw new ResolveError(`{{${outside.expression}}} contains a line break and is used outside the data of the curl command; the request was not sent`, ctx.filePath, outside.at);
    }
    applyMetadata(request, spec);
    return spec;
  }
  const headers: HeaderList = [];
  for (const h of request.headers) {
    const name = h.nameVariables.length
      ? await resolver.substitute(h.name, { start: h.nameRange.start, singleLine: `the name of header "${h.name}"` })
      : h.name;
    headers.push([name, await resolver.substitute(h.value.text, { node: h.value, singleLine: `header "${h.name}"` })]);
  }
  // Indexes of `headers` still match `request.headers` here (for the error position).
  const auth = restClientAuth(headers);
  if (auth.unsupported) {
    const at = request.headers[auth.unsupported.index]?.value.range.start ?? request.range.start;
    throw new ResolveError(`${auth.unsupported.feature} is not supported; compute the header elsewhere and pass it in a variable`, ctx.filePath, at);
  }
  const url = normaliseUrl(await resolver.substitute(request.url.text, { node: request.url, singleLine: 'the request line (URL)' }), headers);
  if (!url) {
    const at: Range = request.requestLine?.range ?? request.range;
    throw new ResolveError('the request has no URL', ctx.filePath, at.start);
  }
  const { body, dropContentType } = await resolveBody(request, headers, resolver, ctx);
  const spec: RequestSpec = {
    // JetBrains' `GRAPHQL url` is a POST of the query as JSON.
    method: request.method === 'GRAPHQL' ? 'POST' : request.method,
    url,
    headers: dropContentType ? headers.filter(([n]) => n.toLowerCase() !== 'content-type') : headers,
  };
  if (body) spec.body = body;
  if (auth.digest) spec.digestAuth = auth.digest;
  if (request.body?.kind === 'graphql') {
    // REST Client's marker header is for REST Client, not the server: it is not sent.
    spec.headers = spec.headers.filter(([n]) => n.toLowerCase() !== 'x-request-type');
    if (!header(headers, 'content-type')) spec.headers.push(['Content-Type', 'application/json']);
  }
  applyMetadata(request, spec);
  return spec;
}
