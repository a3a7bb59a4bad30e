/**
 * Responses shown in read-only editors through the `ricochet-response:` scheme: the whole
 * response as an HTTP message, or the body alone in its own language ("Open Response Body in
 * Editor"). The response panel, when present, is the richer view; this stays as the fallback.
 */
import * as vscode from 'vscode';
import type { Exchange } from '../core/requests/exchange.ts';
import { bodyExtension, bodyLanguage, bodyText, exchangeAsText, formatBytes } from './describe.ts';

export const RESPONSE_SCHEME = 'ricochet-response';
const KEEP = 50;

export class ResponseDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  #exchanges = new Map<string, Exchange>();
  #changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.#changed.event;
  #largeBodyThreshold: () => number;

  constructor(largeBodyThreshold: () => number) {
    this.#largeBodyThreshold = largeBodyThreshold;
  }

  remember(exchange: Exchange): void {
    this.#exchanges.delete(exchange.id);
    this.#exchanges.set(exchange.id, exchange);
    // Only the recent responses stay in memory; history keeps the rest.
    while (this.#exchanges.size > KEEP) this.#exchanges.delete(this.#exchanges.keys().next().value as string);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [id, kind] = uri.path.replace(/^\//, '').split('/');
    const exchange = id ? this.#exchanges.get(id) : undefined;
    if (!exchange) return '# This response is no longer in memory; open it again from the Ricochet History view.';
    if (kind?.startsWith('body')) return bodyText(exchange);
    const limit = this.#largeBodyThreshold();
    if (exchange.body && limit > 0 && exchange.body.bytes.length > limit) {
      const head = { ...exchange, body: { ...exchange.body, bytes: exchange.body.bytes.slice(0, limit), truncated: true } };
      return `${exchangeAsText(head)}\n# Large body (${formatBytes(exchange.body.size)}): run "Ricochet: Open Response Body in Editor" or "Ricochet: Save Response Body" for all of it.`;
    }
    return exchangeAsText(exchange);
  }

  /** Opens the response (the whole HTTP message) read-only. */
  async show(exchange: Exchange, column: vscode.ViewColumn, preserveFocus = true): Promise<vscode.TextEditor> {
    this.remember(exchange);
    const uri = vscode.Uri.from({ scheme: RESPONSE_SCHEME, path: `/${exchange.id}/Response` });
    this.#changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'http');
    return vscode.window.showTextDocument(doc, { viewColumn: column, preserveFocus, preview: true });
  }

  /** Opens only the body, in the language its Content-Type names. */
  async openBody(exchange: Exchange): Promise<void> {
    this.remember(exchange);
    const uri = vscode.Uri.from({ scheme: RESPONSE_SCHEME, path: `/${exchange.id}/body.${bodyExtension(exchange.body?.contentType)}` });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, bodyLanguage(exchange.body?.contentType));
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
  }

  /** Saves the body bytes as received (after decompression) to a file the user picks. */
  async saveBody(exchange: Exchange): Promise<void> {
    const body = exchange.body;
    if (!body) {
      void vscode.window.showInformationMessage('Ricochet: this response has no body to save.');
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `response-${exchange.startedAt.replace(/[:.]/g, '-')}.${bodyExtension(body.contentType)}`;
    const target = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, title: 'Save Response Body' });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, body.bytes);
    const note = body.truncated ? ` (only the first ${formatBytes(body.bytes.length)} of ${formatBytes(body.size)} were kept)` : '';
    void vscode.window.showInformationMessage(`Ricochet: saved ${formatBytes(body.bytes.length)} to ${vscode.workspace.asRelativePath(target)}${note}.`);
  }

  dispose(): void {
    this.#changed.dispose();
    this.#exchanges.clear();
  }
}
