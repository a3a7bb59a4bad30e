/**
 * Above each request: "Send Request" and "Copy as cURL", or "Cancel" while it runs, and the last
 * result's summary. Also folding of each `###` block.
 */
import * as vscode from 'vscode';
import type { RequestController } from './controller.ts';
import { parseDocument } from './controller.ts';
import { summaryLine } from './describe.ts';

export class RequestCodeLenses implements vscode.CodeLensProvider, vscode.Disposable {
  #controller: RequestController;
  #changed = new vscode.EventEmitter<void>();
  #subscription: vscode.Disposable;
  readonly onDidChangeCodeLenses = this.#changed.event;

  constructor(controller: RequestController) {
    this.#controller = controller;
    this.#subscription = controller.onDidChange(() => this.#changed.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    for (const request of parseDocument(document).requests) {
      const line = request.requestLine?.range.start.line ?? request.curl?.range.start.line ?? request.range.start.line;
      const range = new vscode.Range(line, 0, line, 0);
      const args = [document.uri, request.index];
      if (this.#controller.isRunning(document.uri, request.index)) {
        lenses.push(new vscode.CodeLens(range, { title: '$(loading~spin) Sending…', command: '' }));
        lenses.push(new vscode.CodeLens(range, { title: 'Cancel', command: 'ricochet.cancelRequest', arguments: args }));
        continue;
      }
      lenses.push(new vscode.CodeLens(range, { title: 'Send Request', command: 'ricochet.sendRequest', arguments: args, tooltip: 'Send this request (Ctrl+Alt+R)' }));
      lenses.push(new vscode.CodeLens(range, { title: 'Copy as cURL', command: 'ricochet.copyAsCurl', arguments: args }));
      const last = this.#controller.lastResults.get(`${document.uri.toString()}#${request.index}`);
      if (last) {
        lenses.push(new vscode.CodeLens(range, { title: summaryLine(last), command: 'ricochet.showHistoryEntry', arguments: [last.id], tooltip: 'Show this response again' }));
      }
    }
    return lenses;
  }

  dispose(): void {
    this.#subscription.dispose();
    this.#changed.dispose();
  }
}

/** Each request block (from its `###` to the line before the next one) folds. */
export class RequestFolding implements vscode.FoldingRangeProvider {
  provideFoldingRanges(document: vscode.TextDocument): vscode.FoldingRange[] {
    const file = parseDocument(document);
    const starts = file.separators.map((s) => s.range.start.line).sort((a, b) => a - b);
    const ranges: vscode.FoldingRange[] = [];
    for (const [i, start] of starts.entries()) {
      let end = (starts[i + 1] ?? document.lineCount) - 1;
      while (end > start && document.lineAt(end).isEmptyOrWhitespace) end--;
      if (end > start) ranges.push(new vscode.FoldingRange(start, end, vscode.FoldingRangeKind.Region));
    }
    return ranges;
  }
}
