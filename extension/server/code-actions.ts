/**
 * Quick fixes for the server's own diagnostics: an unknown variable can be defined in the file.
 */
import { CodeActionKind } from 'vscode-languageserver/node';
import type { CodeAction, CodeActionParams } from 'vscode-languageserver/node';
import type { Analysis } from './analysis.ts';

export function codeActions(a: Analysis, params: CodeActionParams): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of params.context.diagnostics) {
    if (diagnostic.code !== 'unknown-variable' || diagnostic.source !== 'ricochet') continue;
    const message = typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
    const name = /^unknown variable "([^"]+)"/.exec(message)?.[1];
    if (!name) continue;
    // After the file variables already at the top, or on the first line.
    const last = a.file.fileVariables.filter((v) => v.blockIndex <= 0 && v.range.start.line < (a.file.requests[0]?.range.start.line ?? Infinity)).at(-1);
    const line = last ? last.range.end.line + 1 : 0;
    actions.push({
      title: `Define @${name} in this file`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      isPreferred: true,
      edit: { changes: { [a.uri]: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `@${name} = \n` }] } },
    });
  }
  return actions;
}
