/**
 * Outline, folding, go to definition, find references and rename (of file variables).
 */
import { FoldingRangeKind, ResponseError, ErrorCodes, SymbolKind } from 'vscode-languageserver/node';
import type { DocumentSymbol, FoldingRange, Location, Position, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import { pathToFileURL } from 'node:url';
import type { Analysis } from './analysis.ts';
import { definitionAt, referenceAt, requestNameAt, requestNameOf, requestNameRange, winningDefinition } from './analysis.ts';
import type { EnvValue } from './environments.ts';

export function documentSymbols(a: Analysis): DocumentSymbol[] {
  const symbols: DocumentSymbol[] = [];
  for (const def of a.file.fileVariables) {
    symbols.push({ name: `@${def.name}`, detail: def.value.text, kind: SymbolKind.Variable, range: def.range, selectionRange: def.nameRange });
  }
  for (const request of a.file.requests) {
    const line = `${request.method} ${request.url.text}`;
    const name = request.name ?? request.title ?? line;
    const selection = request.requestLine?.range ?? request.separator?.range ?? request.range;
    symbols.push({ name, detail: name === line ? undefined : line, kind: SymbolKind.Method, range: request.range, selectionRange: within(selection, request.range) });
  }
  return symbols.sort((x, y) => x.range.start.line - y.range.start.line);
}

export function foldingRanges(a: Analysis): FoldingRange[] {
  const out: FoldingRange[] = [];
  const add = (r: Range, kind?: FoldingRangeKind) => {
    if (r.end.line > r.start.line) out.push(kind ? { startLine: r.start.line, endLine: r.end.line, kind } : { startLine: r.start.line, endLine: r.end.line });
  };
  for (const request of a.file.requests) {
    add(request.range, FoldingRangeKind.Region);
    if (request.body) add(request.body.range);
    for (const script of [...request.preRequestScripts, ...request.responseHandlers]) add(script.range);
  }
  return out;
}

export interface EnvLookup {
  environment: Map<string, EnvValue>;
  dotenv: Map<string, EnvValue>;
}

export function definition(a: Analysis, position: Position, ctx: EnvLookup): Location | null {
  const ref = referenceAt(a, position);
  if (!ref) return null;
  if (ref.kind === 'file') {
    const def = winningDefinition(a, ref.name);
    return def ? { uri: a.uri, range: def.nameRange } : null;
  }
  if (ref.kind === 'request') {
    const target = a.namedRequests.get(requestNameOf(ref))?.[0];
    return target ? { uri: a.uri, range: requestNameRange(target) } : null;
  }
  // An environment variable lands on its key in the env file; `$dotenv NAME` on NAME in .env.
  const v = ref.kind === 'env' ? ctx.environment.get(ref.name) : ref.name === '$dotenv' && ref.args ? ctx.dotenv.get(ref.args.replace(/^%/, '').trim()) : undefined;
  if (v && v.position && (v.source.kind === 'env-file' || v.source.kind === 'dotenv')) {
    const p = v.position;
    return { uri: pathToFileURL(v.source.file).href, range: { start: p, end: { line: p.line, character: p.character + v.name.length } } };
  }
  return null;
}

/** What a position names, for references and rename: a file variable or a named request. */
function symbolAt(a: Analysis, position: Position): { kind: 'file'; name: string } | { kind: 'request'; name: string } | undefined {
  const ref = referenceAt(a, position);
  if (ref?.kind === 'file') return { kind: 'file', name: ref.name };
  if (ref?.kind === 'request') return { kind: 'request', name: requestNameOf(ref) };
  const def = definitionAt(a, position);
  if (def) return { kind: 'file', name: def.name };
  const named = requestNameAt(a, position);
  if (named?.name) return { kind: 'request', name: named.name };
  return undefined;
}

export function references(a: Analysis, position: Position, includeDeclaration: boolean): Location[] {
  const target = symbolAt(a, position);
  if (!target) return [];
  const out: Location[] = [];
  if (target.kind === 'file') {
    if (includeDeclaration) for (const def of a.definitions.get(target.name) ?? []) out.push({ uri: a.uri, range: def.nameRange });
    for (const ref of a.references) if (ref.kind === 'file' && ref.name === target.name) out.push({ uri: a.uri, range: ref.nameRange });
  } else {
    if (includeDeclaration) for (const request of a.namedRequests.get(target.name) ?? []) out.push({ uri: a.uri, range: requestSegment(requestNameRange(request), target.name) });
    for (const ref of a.references) if (ref.kind === 'request' && requestNameOf(ref) === target.name) out.push({ uri: a.uri, range: requestSegment(ref.nameRange, target.name) });
  }
  return out.sort((x, y) => x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character);
}

const VARIABLE_NAME = /^[A-Za-z_][\w-]*$/;
const REQUEST_NAME = /^[\w-]+$/;
const NOT_RENAMEABLE = 'Only file variables (@x = value) and request names (# @name x) can be renamed';

export function prepareRename(a: Analysis, position: Position): { range: Range; placeholder: string } {
  const ref = referenceAt(a, position);
  if (ref?.kind === 'file') return { range: ref.nameRange, placeholder: ref.name };
  if (ref?.kind === 'request' && a.namedRequests.has(requestNameOf(ref))) {
    const name = requestNameOf(ref);
    return { range: requestSegment(ref.nameRange, name), placeholder: name };
  }
  const def = definitionAt(a, position);
  if (def) return { range: def.nameRange, placeholder: def.name };
  const named = requestNameAt(a, position);
  if (named?.name) return { range: requestSegment(requestNameRange(named), named.name), placeholder: named.name };
  throw new ResponseError(ErrorCodes.InvalidRequest, NOT_RENAMEABLE);
}

/** Renames a file variable (its `@x =` lines and every `{{x}}`) or a request (`@name` and every `{{name.…}}`). */
export function rename(a: Analysis, position: Position, newName: string): WorkspaceEdit {
  const target = symbolAt(a, position);
  if (!target || (target.kind === 'request' && !a.namedRequests.has(target.name))) throw new ResponseError(ErrorCodes.InvalidRequest, NOT_RENAMEABLE);
  if (target.kind === 'file' && !VARIABLE_NAME.test(newName)) {
    throw new ResponseError(ErrorCodes.InvalidParams, `"${newName}" is not a valid variable name (letters, digits, _ and -, not starting with a digit)`);
  }
  if (target.kind === 'request' && !REQUEST_NAME.test(newName)) {
    throw new ResponseError(ErrorCodes.InvalidParams, `"${newName}" is not a valid request name (letters, digits, _ and -)`);
  }
  const edits: TextEdit[] = references(a, position, true).map((l) => ({ range: l.range, newText: newName }));
  return { changes: { [a.uri]: edits } };
}

/** The `login` part of `login.response.body.$.id`. */
function requestSegment(nameRange: Range, name: string): Range {
  return { start: nameRange.start, end: { line: nameRange.start.line, character: nameRange.start.character + name.length } };
}

function within(inner: Range, outer: Range): Range {
  const before = (p: Position, q: Position) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return before(inner.start, outer.start) || before(outer.end, inner.end) ? outer : inner;
}
