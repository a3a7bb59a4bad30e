/**
 * Completion by what the cursor is in: `{{…}}` (variables in scope), a `# @` comment (metadata),
 * a `??` line (assertion subjects and operators), a header line (names, then values), or the
 * request line (methods, then the HTTP version).
 */
import { CompletionItemKind, InsertTextFormat } from 'vscode-languageserver/node';
import type { CompletionItem, Position, Range } from 'vscode-languageserver/node';
import type { Analysis } from './analysis.ts';
import { requestAt, winningDefinition } from './analysis.ts';
import {
  ASSERTION_OPERATORS,
  ASSERTION_SUBJECTS,
  AUTHORIZATION_SCHEMES,
  HEADER_VALUES,
  HEADERS,
  HTTP_VERSIONS,
  MEDIA_TYPES,
  METADATA,
  METHODS,
  OFFSET_UNITS,
  REQUEST_VARIABLE_PARTS,
  SYSTEM_VARIABLES,
} from './catalog.ts';
import type { Entry } from './catalog.ts';
import type { EnvValue } from './environments.ts';
import { mask } from './environments.ts';

export interface CompletionContext {
  environment: Map<string, EnvValue>;
  environmentName: string | null;
  /** `.env` next to the document, for `{{$dotenv NAME}}`. */
  dotenv: Map<string, EnvValue>;
}

export function complete(a: Analysis, position: Position, ctx: CompletionContext): CompletionItem[] {
  const lineText = a.line(position.line);
  const before = lineText.slice(0, position.character);
  const open = before.lastIndexOf('{{');
  if (open >= 0 && before.indexOf('}}', open) < 0) return variableCompletions(a, position, lineText, open, ctx);

  const trimmed = before.trimStart();
  if (/^(#|\/\/)\s*@[\w-]*$/.test(trimmed)) {
    const at = before.lastIndexOf('@') + 1;
    return METADATA.map((m, i) => item(m, CompletionItemKind.Keyword, replaceRange(position, at), i));
  }
  if (trimmed.startsWith('??')) return assertionCompletions(trimmed.slice(2), position);
  if (/^(#|\/\/)/.test(trimmed) || trimmed.startsWith('@')) return [];

  const region = regionOf(a, position.line);
  if (region === 'headers') return headerCompletions(before, position);
  if (region === 'request-line') {
    if (/^[A-Za-z]*$/.test(trimmed)) {
      const from = before.length - trimmed.length;
      return METHODS.map((m, i) => ({ label: m, kind: CompletionItemKind.Keyword, sortText: pad(i), textEdit: { range: replaceRange(position, from), newText: `${m} ` } }));
    }
    if (/^[A-Za-z]+\s+\S+\s+\S*$/.test(trimmed)) {
      const from = before.length - (/\S*$/.exec(before)?.[0].length ?? 0);
      return HTTP_VERSIONS.map((v, i) => ({ label: v, kind: CompletionItemKind.Constant, sortText: pad(i), textEdit: { range: replaceRange(position, from), newText: v } }));
    }
  }
  return [];
}

/** Where a line sits in its request block, judged from the text (the line being typed may not parse yet). */
function regionOf(a: Analysis, line: number): 'request-line' | 'headers' | 'body' | 'other' {
  const request = requestAt(a, line);
  const requestLine = request?.requestLine?.range;
  if (requestLine && line > requestLine.end.line) {
    for (let i = requestLine.end.line + 1; i < line; i++) if (!a.line(i).trim()) return 'body';
    return 'headers';
  }
  // Before (or on) the request line: only separators, comments, metadata and `@x =` lines above.
  for (let i = line - 1; i >= 0; i--) {
    const t = a.line(i).trim();
    if (t.startsWith('###')) break;
    if (t && !t.startsWith('#') && !t.startsWith('//') && !t.startsWith('@')) return requestLine && requestLine.start.line === line ? 'request-line' : 'other';
  }
  return 'request-line';
}

function variableCompletions(a: Analysis, position: Position, lineText: string, open: number, ctx: CompletionContext): CompletionItem[] {
  let from = open + 2;
  if (lineText[from] === '%') from++;
  const typed = lineText.slice(from, position.character);
  const closed = lineText.startsWith('}}', position.character);
  const tail = closed ? '' : '}}';
  const range = replaceRange(position, from);
  const items: CompletionItem[] = [];

  if (typed.startsWith('$')) {
    const space = typed.indexOf(' ');
    if (space > 0) return systemArgumentCompletions(typed.slice(0, space), typed.slice(space + 1), position, ctx);
    SYSTEM_VARIABLES.forEach((v, i) => items.push(withTail(item(v, CompletionItemKind.Function, range, i), tail)));
    return items;
  }
  const dot = typed.indexOf('.');
  if (dot > 0) {
    const requests = a.namedRequests.get(typed.slice(0, dot));
    if (!requests) return [];
    const partRange = replaceRange(position, from + dot + 1);
    REQUEST_VARIABLE_PARTS.forEach((p, i) => items.push(withTail(item(p, CompletionItemKind.Property, partRange, i), tail)));
    return items;
  }
  let order = 0;
  for (const name of a.definitions.keys()) {
    const def = winningDefinition(a, name)!;
    items.push({
      label: name,
      kind: CompletionItemKind.Variable,
      detail: `file variable = ${def.value.text}`,
      documentation: `Defined on line ${def.range.start.line + 1}`,
      sortText: `0${pad(order++)}`,
      textEdit: { range, newText: name + tail },
    });
  }
  const request = requestAt(a, position.line);
  for (const prompt of request?.prompts ?? []) {
    items.push({ label: prompt.name, kind: CompletionItemKind.Variable, detail: `prompted${prompt.description ? `: ${prompt.description}` : ''}`, sortText: `1${pad(order++)}`, textEdit: { range, newText: prompt.name + tail } });
  }
  for (const v of ctx.environment.values()) {
    if (a.definitions.has(v.name)) continue; // the file variable wins
    const where = v.source.kind === 'dotenv' ? '.env' : `environment "${v.source.environment}"`;
    items.push({ label: v.name, kind: CompletionItemKind.Variable, detail: `${where} = ${v.secret ? mask(v.value) : v.value}`, sortText: `2${pad(order++)}`, textEdit: { range, newText: v.name + tail } });
  }
  // One item per named request; its parts (response.body.$…, headers) follow after the dot.
  for (const name of a.namedRequests.keys()) {
    items.push({
      label: `${name}.`,
      filterText: name,
      kind: CompletionItemKind.Reference,
      detail: `request "${name}": response.body.$…, response.headers…`,
      sortText: `3${pad(order++)}`,
      textEdit: { range, newText: `${name}.` },
      command: { title: 'parts', command: 'editor.action.triggerSuggest' },
    });
  }
  SYSTEM_VARIABLES.forEach((v) => items.push({ ...withTail(item(v, CompletionItemKind.Function, range, order++), tail), sortText: `4${pad(order)}` }));
  return items;
}

function systemArgumentCompletions(name: string, args: string, position: Position, ctx: CompletionContext): CompletionItem[] {
  const word = /\S*$/.exec(args)?.[0] ?? '';
  const range = replaceRange(position, position.character - word.length);
  const words = args.trim() ? args.trim().split(/\s+/) : [];
  const current = word ? words.length - 1 : words.length; // index of the argument being typed
  const values = (list: readonly string[], detail: string) => list.map((v, i) => ({ label: v, kind: CompletionItemKind.EnumMember, detail, sortText: pad(i), textEdit: { range, newText: v } }));
  if (name === '$datetime' || name === '$localDatetime') {
    if (current === 0) return values(['iso8601', 'rfc1123', '"YYYY-MM-DDTHH:mm:ss"'], 'format');
    if (current === 2) return values(OFFSET_UNITS, 'offset unit');
  }
  if (name === '$timestamp' && current === 1) return values(OFFSET_UNITS, 'offset unit');
  if (name === '$dotenv' && current === 0) {
    const from = position.character - word.replace(/^%/, '').length;
    return [...ctx.dotenv.values()].map((v, i) => ({
      label: v.name,
      kind: CompletionItemKind.Variable,
      detail: `.env = ${v.secret ? mask(v.value) : v.value}`,
      sortText: pad(i),
      textEdit: { range: replaceRange(position, from), newText: v.name },
    }));
  }
  return [];
}

function assertionCompletions(afterMarks: string, position: Position): CompletionItem[] {
  const word = /\S*$/.exec(afterMarks)?.[0] ?? '';
  const range = replaceRange(position, position.character - word.length);
  const words = afterMarks.trim() ? afterMarks.trim().split(/\s+/) : [];
  const done = word ? words.slice(0, -1) : words; // finished words before the one being typed
  const subject = done[0]?.toLowerCase();
  const subjectWords = subject === 'status' || subject === 'duration' ? 1 : subject === 'header' || subject === 'headers' ? 2 : subject === 'body' ? Math.max(1, done.length) : -1;
  if (done.length === 0) return ASSERTION_SUBJECTS.map((s, i) => item(s, CompletionItemKind.Field, range, i));
  if (done.length === subjectWords || (subject === 'body' && !ASSERTION_OPERATORS.some((o) => done.slice(1).includes(o.label)))) {
    return ASSERTION_OPERATORS.map((o, i) => item(o, CompletionItemKind.Operator, range, i));
  }
  return [];
}

function headerCompletions(before: string, position: Position): CompletionItem[] {
  const colon = before.indexOf(':');
  if (colon < 0) {
    const from = before.length - before.trimStart().length;
    return HEADERS.map((h, i) => ({ label: h.label, kind: CompletionItemKind.Field, detail: h.detail, sortText: pad(i), textEdit: { range: replaceRange(position, from), newText: `${h.label}: ` } }));
  }
  const name = before.slice(0, colon).trim().toLowerCase();
  const valueText = before.slice(colon + 1);
  const typedFrom = colon + 1 + (valueText.length - valueText.trimStart().length);
  // Accept takes a list: complete the item after the last comma.
  const lastComma = name === 'accept' ? before.lastIndexOf(',') : -1;
  const from = lastComma > colon ? lastComma + 1 + (before.slice(lastComma + 1).length - before.slice(lastComma + 1).trimStart().length) : typedFrom;
  const range = replaceRange(position, from);
  if (name === 'content-type' || name === 'accept') {
    return MEDIA_TYPES.map((m, i) => ({ label: m, kind: CompletionItemKind.Value, sortText: pad(i), textEdit: { range, newText: m } }));
  }
  if (name === 'authorization') return AUTHORIZATION_SCHEMES.map((s, i) => item(s, CompletionItemKind.Value, range, i));
  return (HEADER_VALUES[name] ?? []).map((v, i) => ({ label: v, kind: CompletionItemKind.Value, sortText: pad(i), textEdit: { range, newText: v } }));
}

function item(entry: Entry, kind: CompletionItemKind, range: Range, order: number): CompletionItem {
  const result: CompletionItem = { label: entry.label, kind, detail: entry.detail, sortText: pad(order), textEdit: { range, newText: entry.snippet ?? entry.label } };
  if (entry.snippet) result.insertTextFormat = InsertTextFormat.Snippet;
  return result;
}

/** Closes `{{` after the inserted name unless the user already wrote `}}`. */
function withTail(c: CompletionItem, tail: string): CompletionItem {
  if (!tail || !c.textEdit || !('range' in c.textEdit)) return c;
  // A snippet's final `$0` must land after the braces; plain text just gets them appended.
  return { ...c, textEdit: { ...c.textEdit, newText: c.textEdit.newText + tail } };
}

function replaceRange(position: Position, fromCharacter: number): Range {
  return { start: { line: position.line, character: fromCharacter }, end: position };
}

function pad(n: number): string {
  return String(n).padStart(4, '0');
}
