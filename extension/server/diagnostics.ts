/**
 * Problems in a `.http` document: the parser's, plus what needs the whole file, the environment
 * or the disk — unknown variables, request variables naming no request, JSON bodies that do not
 * parse, `< file` paths that do not exist, assertions that do not parse.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DiagnosticSeverity } from 'vscode-languageserver/node';
import type { Diagnostic } from 'vscode-languageserver/node';
import type { HttpRequestNode, Range, VariableReference } from '../../core/language/ast.ts';
import { parseAssertion } from '../../core/language/assertions.ts';
import type { Analysis } from './analysis.ts';
import { requestNameOf } from './analysis.ts';
import { SYSTEM_VARIABLES } from './catalog.ts';
import { checkJson } from './json-check.ts';
import type { EnvValue } from './environments.ts';

export interface DiagnosticContext {
  /** Variables of the selected environment. */
  environment: Map<string, EnvValue>;
  environmentName: string | null;
  /** Other environments that define a name (for a helpful message); called only for unknown names. */
  definedElsewhere: (name: string) => string[];
  /** Folder of the document on disk, for `< ./file`; undefined for untitled documents. */
  documentDir: string | undefined;
  /** Env files next to the document that could not be read (their variables are missing). */
  envFileErrors?: string[];
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information, hint: DiagnosticSeverity.Hint } as const;
const SYSTEM_NAMES = new Set(SYSTEM_VARIABLES.map((v) => v.label));
const SOURCE = 'ricochet';

/**
 * Per block (the parser reuses unchanged blocks between versions): diagnostics whose ranges are
 * the parser's own objects (`refs`; they follow the block when it moves, the parser shifts them
 * in place) and ones with ranges made here (`own`, written at `line` and shifted on output).
 * Valid while the scope is the same: environment, file variable names and request names.
 */
interface BlockMemo {
  scope: string;
  dir: string | undefined;
  line: number;
  refs: Diagnostic[];
  own: Diagnostic[];
}
const mapIds = new WeakMap<object, number>();
let nextMapId = 1;

function scopeOf(a: Analysis, ctx: DiagnosticContext): string {
  let envId = mapIds.get(ctx.environment);
  if (!envId) mapIds.set(ctx.environment, (envId = nextMapId++));
  return `${envId}\u0001${ctx.environmentName ?? ''}\u0001${[...a.definitions.keys()].join('\u0000')}\u0001${[...a.namedRequests.keys()].join('\u0000')}`;
}

export function computeDiagnostics(a: Analysis, ctx: DiagnosticContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const d of a.file.diagnostics) {
    if (d.code === 'unknown-variable') continue; // decided here, with the environment in hand
    out.push({ range: d.range, severity: SEVERITY[d.severity], message: d.message, code: d.code, source: SOURCE });
  }
  for (const message of ctx.envFileErrors ?? []) {
    out.push({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: DiagnosticSeverity.Warning, message, code: 'invalid-env-file', source: SOURCE });
  }
  for (const def of a.file.fileVariables) for (const ref of def.value.variables) referenceDiagnostic(a, ref, ctx, out);
  const scope = scopeOf(a, ctx);
  for (const block of a.blocks) {
    let memo = block.memo as BlockMemo | undefined;
    if (!memo || memo.scope !== scope || memo.dir !== ctx.documentDir) {
      memo = { scope, dir: ctx.documentDir, line: block.startLine, refs: [], own: [] };
      for (const request of block.file.requests) {
        for (const ref of request.variableReferences) referenceDiagnostic(a, ref, ctx, memo.refs);
        for (const d of requestDiagnostics(request, ctx.documentDir)) memo.own.push(d);
      }
      block.memo = memo;
    }
    for (const d of memo.refs) out.push(d);
    const delta = block.startLine - memo.line;
    for (const d of memo.own) out.push(delta === 0 ? d : { ...d, range: { start: { line: d.range.start.line + delta, character: d.range.start.character }, end: { line: d.range.end.line + delta, character: d.range.end.character } } });
  }
  return out;
}

function referenceDiagnostic(a: Analysis, ref: VariableReference, ctx: DiagnosticContext, out: Diagnostic[]): void {
  if (ref.kind === 'env' && !ctx.environment.has(ref.name)) {
    const elsewhere = ctx.definedElsewhere(ref.name);
    const where = ctx.environmentName ? `nor in environment "${ctx.environmentName}"` : 'and no environment is selected';
    const hint = elsewhere.length ? `; defined in environment ${elsewhere.map((e) => `"${e}"`).join(', ')}` : '';
    out.push({
      range: ref.nameRange,
      severity: elsewhere.length ? DiagnosticSeverity.Information : DiagnosticSeverity.Warning,
      message: `unknown variable "${ref.name}": not defined in this file (@${ref.name} = …) ${where}${hint}`,
      code: 'unknown-variable',
      source: SOURCE,
    });
  } else if (ref.kind === 'system' && !SYSTEM_NAMES.has(ref.name)) {
    out.push({ range: ref.nameRange, severity: DiagnosticSeverity.Warning, message: `unknown system variable "${ref.name}"`, code: 'unknown-system-variable', source: SOURCE });
  } else if (ref.kind === 'request') {
    const name = requestNameOf(ref);
    if (!a.namedRequests.has(name)) {
      out.push({ range: ref.nameRange, severity: DiagnosticSeverity.Error, message: `no request named "${name}" in this file (name one with "# @name ${name}")`, code: 'unknown-request', source: SOURCE });
    }
  }
}

function requestDiagnostics(request: HttpRequestNode, dir: string | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  const body = request.body;
  const contentType = request.headers.find((h) => h.name.toLowerCase() === 'content-type')?.value.text ?? '';
  if (body && body.kind === 'text' && /[/+]json\b/i.test(contentType) && body.text.text.trim()) {
    const problem = jsonProblem(body.text.text, body.text.variables.map((v) => v.range), body.text.range);
    if (problem) out.push({ ...problem, severity: DiagnosticSeverity.Error, code: 'invalid-json', source: SOURCE });
  }
  if (dir) {
    for (const ref of body?.fileReferences ?? []) {
      const written = ref.path.text;
      if (!written || written.includes('{{')) continue;
      const full = path.resolve(dir, written);
      if (!fs.existsSync(full)) {
        out.push({ range: ref.path.range, severity: DiagnosticSeverity.Error, message: `file not found: ${written} (looked for ${full})`, code: 'missing-file', source: SOURCE });
      }
    }
    for (const script of [...request.preRequestScripts, ...request.responseHandlers]) {
      if (script.kind !== 'file' || !script.path || !script.pathRange) continue;
      const full = path.resolve(dir, script.path);
      if (!fs.existsSync(full)) {
        out.push({ range: script.pathRange, severity: DiagnosticSeverity.Error, message: `script file not found: ${script.path} (looked for ${full})`, code: 'missing-file', source: SOURCE });
      }
    }
  }
  for (const assertion of request.assertions) {
    const { error } = parseAssertion(assertion.text);
    if (!error) continue;
    const line = assertion.textRange.start.line;
    const at = assertion.textRange.start.character;
    const end = Math.max(error.end, error.start + 1);
    out.push({
      range: { start: { line, character: at + error.start }, end: { line, character: Math.min(at + end, assertion.textRange.end.character) } },
      severity: DiagnosticSeverity.Error,
      message: `invalid assertion: ${error.message}`,
      code: 'invalid-assertion',
      source: SOURCE,
    });
  }
  return out;
}

/**
 * Where a JSON body stops parsing. `{{…}}` stands for a value, so each is replaced by a JSON
 * number padded to the same length, keeping every offset where the user wrote it.
 */
function jsonProblem(text: string, variables: Range[], textRange: Range): { range: Range; message: string } | undefined {
  const lines = text.split('\n');
  const lineStarts: number[] = [0];
  for (let i = 0; i < lines.length - 1; i++) lineStarts.push(lineStarts[i]! + lines[i]!.length + 1);
  const toOffset = (line: number, character: number) => lineStarts[line - textRange.start.line]! + character - (line === textRange.start.line ? textRange.start.character : 0);
  let masked = text;
  for (const v of variables) {
    const from = toOffset(v.start.line, v.start.character);
    const to = toOffset(v.end.line, v.end.character);
    if (!(from >= 0 && to <= text.length && to > from)) continue;
    masked = masked.slice(0, from) + '0'.padEnd(to - from, ' ') + masked.slice(to);
  }
  const problem = checkJson(masked);
  if (!problem) return undefined;
  const offset = Math.min(problem.offset, text.length);
  let lineIndex = 0;
  while (lineIndex + 1 < lineStarts.length && lineStarts[lineIndex + 1]! <= offset) lineIndex++;
  const line = textRange.start.line + lineIndex;
  const character = offset - lineStarts[lineIndex]! + (lineIndex === 0 ? textRange.start.character : 0);
  return { range: { start: { line, character }, end: { line, character: character + 1 } }, message: `invalid JSON body: ${problem.message} (Content-Type says JSON)` };
}
