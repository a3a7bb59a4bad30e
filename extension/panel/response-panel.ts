/**
 * The response panel's host side: one WebviewPanel, reused, that stays in the column the user
 * put it in. Only the first show uses the preview-column setting; later shows reveal it where it
 * is without taking focus. It speaks only the typed protocol in `webview/protocol.ts`.
 *
 *   const panel = ResponsePanel.show(context, exchange, { largeBodyThreshold, delegate });
 *   panel.onDidReceiveMessage((m) => { if (m.type === 'replay') … });
 */
import * as vscode from 'vscode';
import type { Exchange } from '../../core/requests/exchange.ts';
import { isPanelMessage, type HistoryEntry, type HostMessage, type JarCookie, type PanelMessage, type PanelSettings } from '../../webview/protocol.ts';
import { panelHtml } from './html.ts';
import { forPanel, historyEntryOf } from './prepare.ts';

export { forPanel, historyEntryOf };

/** What the panel asks of the rest of the extension. Every method is optional. */
export interface ResponsePanelDelegate {
  /** An exchange by id: the current one, or one from history (History tab show/diff, open/save). */
  exchange?(id: string): Exchange | undefined;
  /** Rows for the History tab, newest first. */
  history?(): HistoryEntry[];
  /** The current environment's cookie jar for the Cookies tab. */
  cookieJar?(): Promise<{ environment: string; cookies: JarCookie[] } | undefined> | { environment: string; cookies: JarCookie[] } | undefined;
  /** "Open full body in editor": the full, untruncated exchange. */
  openBody?(exchange: Exchange): Promise<void> | void;
  /** "Save": the full, untruncated exchange. */
  saveBody?(exchange: Exchange): Promise<void> | void;
  replay?(exchange: Exchange): Promise<void> | void;
  copyAsCurl?(exchange: Exchange): Promise<void> | void;
  deleteCookie?(cookie: { domain: string; path: string; name: string }): Promise<void> | void;
  clearCookies?(): Promise<void> | void;
}

export interface ResponsePanelOptions {
  /** Bodies above this many bytes are sent truncated (setting `ricochet.largeBodyThreshold`). */
  largeBodyThreshold: number;
  /** Where the panel opens the first time (setting `ricochet.previewColumn`); later shows keep its column. */
  previewColumn?: 'beside' | 'current';
  delegate?: ResponsePanelDelegate;
}

const VIEW_TYPE = 'ricochet.response';

export class ResponsePanel implements vscode.Disposable {
  private static instance: ResponsePanel | undefined;

  /** The open panel, if any. */
  static get current(): ResponsePanel | undefined {
    return ResponsePanel.instance;
  }

  /** Shows `exchange` in the one panel, creating it on first use. */
  static show(context: vscode.ExtensionContext, exchange: Exchange, options: ResponsePanelOptions): ResponsePanel {
    const existing = ResponsePanel.instance;
    if (existing) {
      existing.configure(options);
      existing.update(exchange);
      // No column: it stays where the user put it. preserveFocus: the .http editor keeps the cursor.
      existing.panel.reveal(undefined, true);
      return existing;
    }
    const column = options.previewColumn === 'current' ? vscode.ViewColumn.Active : vscode.ViewColumn.Beside;
    const root = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'Response', { viewColumn: column, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [root],
      // The panel re-renders from the host on 'ready', so it need not stay alive while hidden.
      retainContextWhenHidden: false,
      enableFindWidget: false,
    });
    const instance = new ResponsePanel(panel, root, options);
    ResponsePanel.instance = instance;
    instance.update(exchange);
    return instance;
  }

  private readonly panel: vscode.WebviewPanel;
  private readonly emitter = new vscode.EventEmitter<PanelMessage>();
  private readonly disposables: vscode.Disposable[] = [];
  private options: ResponsePanelOptions;
  private exchange: Exchange | undefined;
  /** Exchanges shown in this panel (full bodies), so open/save works without a delegate. */
  private readonly recent = new Map<string, Exchange>();
  private ready = false;
  private lastHistory: HistoryEntry[] | undefined;
  private lastJar: { environment: string; cookies: JarCookie[] } | undefined;
  private disposed = false;
  private pending: HostMessage[] = [];

  /** Every message the panel sends, after the panel's own handling. */
  readonly onDidReceiveMessage = this.emitter.event;

  private constructor(panel: vscode.WebviewPanel, root: vscode.Uri, options: ResponsePanelOptions) {
    this.panel = panel;
    this.options = options;
    const webview = panel.webview;
    webview.html = panelHtml({ cspSource: webview.cspSource, assetsBase: `${webview.asWebviewUri(root).toString()}/` });
    panel.iconPath = vscode.Uri.joinPath(root, '..', '..', 'extension', 'media', 'ricochet.svg');
    this.disposables.push(
      this.emitter,
      webview.onDidReceiveMessage((data: unknown) => {
        if (isPanelMessage(data)) void this.receive(data);
      }),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => {
        // A hidden webview is torn down (no retainContextWhenHidden); it says 'ready' again when shown.
        if (!panel.visible) this.ready = false;
      }),
    );
  }

  private configure(options: ResponsePanelOptions): void {
    const thresholdChanged = options.largeBodyThreshold !== this.options.largeBodyThreshold;
    this.options = options;
    if (thresholdChanged) this.post({ type: 'settings', settings: this.settings() });
  }

  private settings(): PanelSettings {
    const t = this.options.largeBodyThreshold;
    return { largeBodyThreshold: t > 0 ? t : Number.MAX_SAFE_INTEGER };
  }

  /** Shows another exchange in the panel (without revealing it). */
  update(exchange: Exchange): void {
    this.exchange = exchange;
    this.recent.delete(exchange.id);
    this.recent.set(exchange.id, exchange);
    while (this.recent.size > 20) this.recent.delete(this.recent.keys().next().value as string);
    this.panel.title = `${exchange.hops[0]!.request.method} ${exchange.hops.at(-1)!.response?.statusCode ?? 'failed'}`;
    this.post({ type: 'show', exchange: forPanel(exchange, this.options.largeBodyThreshold), settings: this.settings() });
    const history = this.options.delegate?.history?.();
    if (history) this.setHistory(history);
    void this.refreshCookieJar();
  }

  /** Shows a progress bar until the next `update`. */
  sending(method: string, url: string): void {
    this.post({ type: 'sending', method, url });
  }

  setHistory(entries: HistoryEntry[]): void {
    this.lastHistory = entries;
    this.post({ type: 'history', entries });
  }

  setCookieJar(environment: string, cookies: JarCookie[]): void {
    this.lastJar = { environment, cookies };
    this.post({ type: 'cookieJar', environment, cookies });
  }

  async refreshCookieJar(): Promise<void> {
    const jar = await this.options.delegate?.cookieJar?.();
    if (jar) this.setCookieJar(jar.environment, jar.cookies);
  }

  private post(message: HostMessage): void {
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.pending.push(message);
  }


  private lookup(id: string): Exchange | undefined {
    return this.recent.get(id) ?? this.options.delegate?.exchange?.(id);
  }

  private async receive(message: PanelMessage): Promise<void> {
    const d = this.options.delegate;
    try {
      switch (message.type) {
        case 'ready': {
          // A fresh (or reloaded) webview: send the current state once, then anything else queued.
          this.ready = true;
          // State (show, history, jar, settings) is re-sent from the latest values; of the rest,
          // only what came after the last show still applies (a 'sending' before it is over).
          const lastShow = this.pending.map((m) => m.type).lastIndexOf('show');
          const queued = this.pending.slice(lastShow + 1).filter((m) => m.type === 'sending' || m.type === 'diff');
          this.pending = [];
          if (this.exchange) this.post({ type: 'show', exchange: forPanel(this.exchange, this.options.largeBodyThreshold), settings: this.settings() });
          const history = d?.history?.() ?? this.lastHistory;
          if (history) this.post({ type: 'history', entries: history });
          if (this.lastJar) this.post({ type: 'cookieJar', ...this.lastJar });
          for (const m of queued) this.post(m);
          void this.refreshCookieJar();
          break;
        }
        case 'openBodyInEditor': case 'saveBody': case 'replay': case 'copyAsCurl': {
          const exchange = this.lookup(message.id);
          if (!exchange) {
            void vscode.window.showWarningMessage('Ricochet: that response is no longer available.');
            break;
          }
          const action = { openBodyInEditor: d?.openBody, saveBody: d?.saveBody, replay: d?.replay, copyAsCurl: d?.copyAsCurl }[message.type];
          await action?.call(d, exchange);
          break;
        }
        case 'showHistoryEntry': {
          const exchange = this.lookup(message.id);
          if (exchange) this.update(exchange);
          break;
        }
        case 'diff': {
          const a = this.lookup(message.a);
          const b = this.lookup(message.b);
          if (a && b) {
            const t = this.options.largeBodyThreshold;
            this.post({ type: 'diff', a: forPanel(a, t), b: forPanel(b, t) });
          }
          break;
        }
        case 'deleteCookie':
          await d?.deleteCookie?.({ domain: message.domain, path: message.path, name: message.name });
          await this.refreshCookieJar();
          break;
        case 'clearCookies':
          await d?.clearCookies?.();
          await this.refreshCookieJar();
          break;
      }
    } catch (error) {
      void vscode.window.showErrorMessage(`Ricochet: ${(error as Error).message}`);
    }
    this.emitter.fire(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (ResponsePanel.instance === this) ResponsePanel.instance = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
