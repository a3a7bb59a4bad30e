/**
 * The response panel's entry point in the webview. Listens for `HostMessage`s, renders the
 * summary line and the tabs Body · Headers · Request · Redirects · Cookies · Timing · Tests ·
 * History, and answers with `PanelMessage`s. Runs in a browser frame: no Node, no `vscode`.
 */
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-header/index.js';
import '@vscode-elements/elements/dist/vscode-table-header-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import './panel.css';
import type { Exchange } from '../core/requests/exchange.ts';
import { DEFAULT_PANEL_SETTINGS, type HistoryEntry, type HostMessage, type JarCookie, type PanelMessage, type PanelSettings } from './protocol.ts';
import { h, replaceChildren } from './dom.ts';
import { BodyView } from './body-view.ts';
import { HistoryView } from './history-view.ts';
import { applyVsCodeTheme, installWorkers } from './monaco.ts';
import { cookiesTab, headersTab, redirectsTab, requestTab, summary, testsTab, timingTab } from './views.ts';

interface VsCodeApi {
  postMessage(message: PanelMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const TABS = ['Body', 'Headers', 'Request', 'Redirects', 'Cookies', 'Timing', 'Tests', 'History'] as const;
type TabName = (typeof TABS)[number];

/** What tests and the bench can read back from the running panel. */
export interface PanelProbe {
  rendered: number;
  lastRenderMs: number;
  bodyKind: string;
  bodyMode: string | undefined;
  bodyText(): string | undefined;
}

class Panel {
  private readonly vscode: VsCodeApi;
  private settings: PanelSettings = DEFAULT_PANEL_SETTINGS;
  private exchange: Exchange | undefined;
  private jar: { environment: string; cookies: JarCookie[] } | undefined;
  private readonly summaryArea = h('div', { class: 'summary-area' });
  private readonly progress = h('vscode-progress-bar', { class: 'progress', hidden: true, 'aria-label': 'Sending' });
  private readonly tabs: HTMLElement;
  private readonly panels = new Map<TabName, HTMLElement>();
  private readonly headers = new Map<TabName, HTMLElement>();
  private readonly body = new BodyView();
  private readonly history: HistoryView;
  readonly probe: PanelProbe;

  constructor(root: HTMLElement, vscode: VsCodeApi) {
    this.vscode = vscode;
    this.history = new HistoryView({
      replay: (id) => this.post({ type: 'replay', id }),
      show: (id) => this.post({ type: 'showHistoryEntry', id }),
      diff: (a, b) => this.post({ type: 'diff', a, b }),
    });
    this.tabs = h('vscode-tabs', { panel: true, 'data-testid': 'tabs' });
    for (const name of TABS) {
      const header = h('vscode-tab-header', { slot: 'header', 'data-tab': name }, name);
      const panel = h('vscode-tab-panel', { 'data-panel': name });
      this.headers.set(name, header);
      this.panels.set(name, panel);
    }
    this.tabs.append(...TABS.flatMap((name) => [this.headers.get(name)!, this.panels.get(name)!]));
    this.panels.get('Body')!.append(this.body.element);
    this.panels.get('History')!.append(this.history.element);
    this.tabs.addEventListener('vsc-tabs-select', () => {
      this.saveState();
      requestAnimationFrame(() => this.body.layout());
      refitTables(this.tabs);
    });
    replaceChildren(root, this.progress, this.summaryArea, this.tabs);
    void wrapTabHeaders(this.tabs);
    replaceChildren(this.summaryArea, h('div', { class: 'empty waiting', 'data-testid': 'waiting' }, 'Send a request to see its response here.'));
    const state = vscode.getState() as { tab?: number } | undefined;
    if (state && typeof state.tab === 'number') (this.tabs as HTMLElement & { selectedIndex: number }).selectedIndex = state.tab;
    window.addEventListener('resize', () => this.body.layout());
    window.addEventListener('message', (ev: MessageEvent<HostMessage>) => this.receive(ev.data));
    const body = this.body;
    this.probe = {
      rendered: 0, lastRenderMs: 0, bodyKind: 'empty', bodyMode: undefined,
      bodyText: () => body.editorText(),
    };
  }

  private post(message: PanelMessage): void {
    this.vscode.postMessage(message);
  }

  private saveState(): void {
    this.vscode.setState({ tab: (this.tabs as HTMLElement & { selectedIndex: number }).selectedIndex });
  }

  receive(message: HostMessage): void {
    if (!message || typeof message !== 'object') return;
    switch (message.type) {
      case 'show':
        if (message.settings) this.settings = message.settings;
        this.show(message.exchange);
        break;
      case 'sending':
        this.progress.hidden = false;
        this.progress.setAttribute('aria-label', `Sending ${message.method} ${message.url}`);
        break;
      case 'history':
        this.setHistory(message.entries);
        break;
      case 'cookieJar':
        this.jar = { environment: message.environment, cookies: message.cookies };
        if (this.exchange) this.renderCookies(this.exchange);
        break;
      case 'settings':
        this.settings = message.settings;
        if (this.exchange) this.show(this.exchange);
        break;
      case 'diff':
        this.history.showDiff(message.a, message.b);
        break;
    }
  }

  private setHistory(entries: HistoryEntry[]): void {
    this.history.setEntries(entries);
    this.setCount('History', entries.length);
  }

  private setCount(tab: TabName, count: number | undefined, variant: 'ok' | 'bad' | '' = ''): void {
    const header = this.headers.get(tab)!;
    header.querySelector('vscode-badge')?.remove();
    if (count === undefined || count === 0) return;
    header.append(h('vscode-badge', { variant: 'counter', class: `tab-count ${variant}` }, String(count)));
  }

  show(exchange: Exchange): void {
    const t0 = performance.now();
    this.exchange = exchange;
    this.progress.hidden = true;
    replaceChildren(this.summaryArea, summary(exchange, {
      copyAsCurl: () => this.post({ type: 'copyAsCurl', id: exchange.id }),
      replay: () => this.post({ type: 'replay', id: exchange.id }),
    }));
    const last = exchange.hops[exchange.hops.length - 1]!;
    this.body.show(exchange.body, this.settings.largeBodyThreshold, {
      openFull: () => this.post({ type: 'openBodyInEditor', id: exchange.id }),
      save: () => this.post({ type: 'saveBody', id: exchange.id }),
    }, !!exchange.error);
    replaceChildren(this.panels.get('Headers')!, headersTab(exchange));
    replaceChildren(this.panels.get('Request')!, requestTab(exchange));
    replaceChildren(this.panels.get('Redirects')!, redirectsTab(exchange));
    this.renderCookies(exchange);
    replaceChildren(this.panels.get('Timing')!, timingTab(exchange));
    replaceChildren(this.panels.get('Tests')!, testsTab(exchange));
    this.setCount('Headers', last.response?.headers.length);
    this.setCount('Redirects', exchange.hops.length - 1);
    const failed = exchange.tests.filter((t) => !t.passed).length;
    this.setCount('Tests', exchange.tests.length ? (failed || exchange.tests.length) : undefined, failed ? 'bad' : 'ok');
    requestAnimationFrame(() => this.body.layout());
    refitTables(this.tabs);
    this.probe.rendered++;
    this.probe.lastRenderMs = performance.now() - t0;
    this.probe.bodyKind = this.body.lastRender.kind;
    this.probe.bodyMode = this.body.lastRender.mode;
    document.body.dataset.rendered = String(this.probe.rendered);
  }

  private renderCookies(exchange: Exchange): void {
    const received = exchange.hops.reduce((n, hop) => n + hop.cookiesSet.length, 0);
    this.setCount('Cookies', received);
    replaceChildren(this.panels.get('Cookies')!, cookiesTab(exchange, this.jar, {
      deleteCookie: (c) => this.post({ type: 'deleteCookie', domain: c.domain, path: c.path, name: c.name }),
      clearAll: () => this.post({ type: 'clearCookies' }),
    }));
  }
}

/**
 * vscode-table sizes its columns from its own width, which is 0 while its tab is hidden; once a
 * tab is on screen (and the table has measured itself), give the visible tables their sizes again.
 */
function refitTables(root: HTMLElement): void {
  requestAnimationFrame(() => requestAnimationFrame(() => {
    for (const table of root.querySelectorAll<HTMLElement & { columns: string[] }>('vscode-table')) {
      if (table.offsetParent !== null && table.columns.length) table.columns = [...table.columns];
    }
  }));
}

/** In a narrow panel the eight tab headers wrap onto a second row instead of being cut off. */
async function wrapTabHeaders(tabs: HTMLElement): Promise<void> {
  await customElements.whenDefined('vscode-tabs');
  await (tabs as HTMLElement & { updateComplete?: Promise<unknown> }).updateComplete;
  const shadow = tabs.shadowRoot;
  if (!shadow) return;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync('.tablist { flex-wrap: wrap; }');
  shadow.adoptedStyleSheets = [...shadow.adoptedStyleSheets, sheet];
}

function start(): void {
  const assets = document.querySelector<HTMLMetaElement>('meta[name="ricochet-assets"]')?.content ?? './';
  installWorkers(new URL(assets, document.baseURI).toString());
  applyVsCodeTheme();
  // VS Code swaps the body's theme class when the user changes theme.
  new MutationObserver(() => applyVsCodeTheme()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  const root = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
  const vscode = acquireVsCodeApi();
  const panel = new Panel(root, vscode);
  (globalThis as { ricochetPanel?: PanelProbe }).ricochetPanel = panel.probe;
  vscode.postMessage({ type: 'ready' });
}

start();
