/**
 * The two trees in the Ricochet activity-bar container: History (every exchange, newest first,
 * replayable) and Collections (the workspace's `.http`/`.rest` files and their requests).
 */
import * as vscode from 'vscode';
import { parseHttpFile } from '../core/language/parser.ts';
import type { HttpRequestNode } from '../core/language/ast.ts';
import type { Exchange } from '../core/requests/exchange.ts';
import type { HistoryStore } from './history.ts';
import { describeError, summaryLine } from './describe.ts';

export class HistoryTree implements vscode.TreeDataProvider<Exchange>, vscode.Disposable {
  #store: HistoryStore;
  #changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.#changed.event;
  #unsubscribe: () => void;

  constructor(store: HistoryStore) {
    this.#store = store;
    this.#unsubscribe = store.onDidChange(() => this.#changed.fire());
  }

  getChildren(element?: Exchange): Exchange[] {
    return element ? [] : [...this.#store.entries];
  }

  getTreeItem(exchange: Exchange): vscode.TreeItem {
    const first = exchange.hops[0];
    const label = `${first?.request.method ?? '?'} ${shortUrl(first?.request.url ?? '')}`;
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = exchange.id;
    item.description = summaryLine(exchange);
    item.tooltip = new vscode.MarkdownString(
      [`**${first?.request.method} ${first?.request.url}**`, summaryLine(exchange), describeError(exchange) ?? '', new Date(exchange.startedAt).toLocaleString(),
        exchange.source?.file ? `from ${vscode.workspace.asRelativePath(exchange.source.file)}:${(exchange.source.line ?? 0) + 1}` : ''].filter(Boolean).join('\n\n'),
    );
    const failed = exchange.error || (exchange.hops.at(-1)?.response?.statusCode ?? 0) >= 400;
    item.iconPath = new vscode.ThemeIcon(failed ? 'error' : 'pass', new vscode.ThemeColor(failed ? 'testing.iconFailed' : 'testing.iconPassed'));
    item.contextValue = 'exchange';
    item.command = { command: 'ricochet.showHistoryEntry', title: 'Show Response', arguments: [exchange.id] };
    return item;
  }

  dispose(): void {
    this.#unsubscribe();
    this.#changed.dispose();
  }
}

export type CollectionNode = { kind: 'file'; uri: vscode.Uri } | { kind: 'request'; uri: vscode.Uri; request: HttpRequestNode };

export class CollectionsTree implements vscode.TreeDataProvider<CollectionNode>, vscode.Disposable {
  #changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.#changed.event;
  #disposables: vscode.Disposable[] = [];

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{http,rest}');
    const refresh = (): void => this.refresh();
    this.#disposables.push(watcher, watcher.onDidCreate(refresh), watcher.onDidDelete(refresh), watcher.onDidChange(refresh),
      vscode.workspace.onDidSaveTextDocument((d) => d.languageId === 'http' && refresh()));
  }

  refresh(): void {
    this.#changed.fire();
  }

  async getChildren(element?: CollectionNode): Promise<CollectionNode[]> {
    if (!element) {
      const uris = await vscode.workspace.findFiles('**/*.{http,rest}', '**/node_modules/**', 1000);
      return uris.sort((a, b) => a.path.localeCompare(b.path)).map((uri) => ({ kind: 'file' as const, uri }));
    }
    if (element.kind === 'request') return [];
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(element.uri));
    return parseHttpFile(text, { uri: element.uri.toString() }).requests.map((request) => ({ kind: 'request' as const, uri: element.uri, request }));
  }

  getTreeItem(node: CollectionNode): vscode.TreeItem {
    if (node.kind === 'file') {
      const item = new vscode.TreeItem(node.uri, vscode.TreeItemCollapsibleState.Collapsed);
      item.description = vscode.workspace.asRelativePath(node.uri, false).split('/').slice(0, -1).join('/');
      item.contextValue = 'file';
      return item;
    }
    const r = node.request;
    const label = r.name ?? r.title ?? `${r.method} ${shortUrl(r.url.text)}`;
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.description = r.name || r.title ? `${r.method} ${shortUrl(r.url.text)}` : undefined;
    item.iconPath = new vscode.ThemeIcon(r.kind === 'curl' ? 'terminal' : 'arrow-swap');
    item.contextValue = 'request';
    item.tooltip = `${r.method} ${r.url.text}`;
    const line = r.requestLine?.range.start.line ?? r.range.start.line;
    item.command = { command: 'vscode.open', title: 'Open', arguments: [node.uri, { selection: new vscode.Range(line, 0, line, 0) }] };
    return item;
  }

  dispose(): void {
    for (const d of this.#disposables) d.dispose();
    this.#changed.dispose();
  }
}

function shortUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}
