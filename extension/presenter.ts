/**
 * Where responses appear: the response panel (engineer F's `extension/panel/`), wired to
 * history, cookies, replay and export here. The read-only editor (`response-view.ts`) stays for
 * "Open Response Body in Editor".
 */
import * as vscode from 'vscode';
import fs from 'node:fs';
import { ResponsePanel, historyEntryOf } from './panel/response-panel.ts';
import type { JarCookie } from '../webview/protocol.ts';
import { toCurl } from '../core/language/export.ts';
import type { Exchange } from '../core/requests/exchange.ts';
import type { HistoryStore } from './history.ts';
import type { SessionRegistry } from './sessions.ts';
import type { EnvironmentManager } from './environment-manager.ts';
import type { ResponseDocuments } from './response-view.ts';
import type { RicochetSettings } from './settings.ts';
import { HOP_BY_HOP_HEADERS } from './replay.ts';

export interface PresenterDeps {
  context: vscode.ExtensionContext;
  settings: () => RicochetSettings;
  history: HistoryStore;
  sessions: SessionRegistry;
  environments: EnvironmentManager;
  documents: ResponseDocuments;
  replay: (exchange: Exchange) => Promise<void>;
  lastExchange: () => Exchange | undefined;
}

export class ResponsePresenter implements vscode.Disposable {
  #deps: PresenterDeps;
  #unsubscribe: () => void;

  constructor(deps: PresenterDeps) {
    this.#deps = deps;
    this.#unsubscribe = deps.history.onDidChange(() => ResponsePanel.current?.setHistory(deps.history.entries.map(historyEntryOf)));
  }

  async show(exchange: Exchange): Promise<void> {
    const { context, settings, documents } = this.#deps;
    documents.remember(exchange);
    const s = settings();
    // Without the webview bundle (a build without it), the read-only editor still shows the response.
    if (!fs.existsSync(context.asAbsolutePath('dist/webview'))) {
      await documents.show(exchange, s.previewColumn === 'current' ? vscode.ViewColumn.Active : vscode.ViewColumn.Beside);
      return;
    }
    this.#showInPanel(exchange, s);
  }

  #showInPanel(exchange: Exchange, s: RicochetSettings): void {
    const { context, history, sessions, environments, documents } = this.#deps;
    ResponsePanel.show(context, exchange, {
      largeBodyThreshold: s.largeBodyThreshold,
      previewColumn: s.previewColumn,
      delegate: {
        exchange: (id) => history.get(id) ?? (this.#deps.lastExchange()?.id === id ? this.#deps.lastExchange() : undefined),
        history: () => history.entries.map(historyEntryOf),
        cookieJar: async () => {
          const env = environments.current;
          const session = await sessions.get(env);
          return { environment: env ?? 'No Environment', cookies: [...session.cookies].map(jarCookie) };
        },
        openBody: (e) => documents.openBody(e),
        saveBody: (e) => documents.saveBody(e),
        replay: (e) => this.#deps.replay(e),
        copyAsCurl: async (e) => {
          const first = e.hops[0];
          if (!first) return;
          const headers = first.request.headers.filter(([n]) => !HOP_BY_HOP_HEADERS.has(n.toLowerCase()));
          const body = first.request.body;
          await vscode.env.clipboard.writeText(toCurl({ method: first.request.method, url: first.request.url, headers, ...(body ? { body: { kind: 'bytes', bytes: body.bytes } } : {}) }));
          void vscode.window.setStatusBarMessage('Ricochet: copied as cURL', 4000);
        },
        deleteCookie: async (c) => {
          const env = environments.current;
          (await sessions.get(env)).cookies.clear(c.domain, c.path, c.name);
          await sessions.save(env);
          await ResponsePanel.current?.refreshCookieJar();
        },
        clearCookies: async () => {
          await sessions.clearCookies(environments.current);
          await ResponsePanel.current?.refreshCookieJar();
        },
      },
    });
  }

  /** A progress bar in an open panel while a request runs. */
  sending(method: string, url: string): void {
    ResponsePanel.current?.sending(method, url);
  }

  dispose(): void {
    this.#unsubscribe();
    ResponsePanel.current?.dispose();
  }
}

interface ToughCookieLike {
  key: string;
  value: string;
  domain: string | null;
  path: string | null;
  expires: Date | 'Infinity' | null;
  secure: boolean;
  httpOnly: boolean;
  sameSite?: string;
}

function jarCookie(c: ToughCookieLike): JarCookie {
  return {
    name: c.key,
    value: c.value,
    domain: c.domain ?? '',
    path: c.path ?? '/',
    ...(c.expires instanceof Date ? { expires: c.expires.toISOString() } : {}),
    secure: c.secure,
    httpOnly: c.httpOnly,
    ...(c.sameSite && c.sameSite !== 'none' ? { sameSite: c.sameSite } : {}),
  };
}
