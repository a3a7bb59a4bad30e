/**
 * The few parts of the `vscode` API the response panel host uses, recording what it was asked
 * to do, so `response-panel.test.ts` can check column, reuse and messaging without an editor.
 */
type Listener<T> = (value: T) => unknown;

export class EventEmitter<T> {
  private listeners: Array<Listener<T>> = [];
  event = (listener: Listener<T>) => {
    this.listeners.push(listener);
    return { dispose: () => { this.listeners = this.listeners.filter((l) => l !== listener); } };
  };
  fire(value: T): void {
    for (const l of this.listeners) l(value);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export const ViewColumn = { Active: -1, Beside: -2, One: 1, Two: 2 } as const;

export class Uri {
  readonly path: string;
  private constructor(path: string) {
    this.path = path;
  }
  static file(path: string): Uri {
    return new Uri(path);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri([base.path, ...parts].join('/'));
  }
  toString(): string {
    return `https://res.test${this.path}`;
  }
}

export interface FakePanel {
  created: { viewType: string; title: string; show: unknown; options: unknown };
  revealed: Array<[column: unknown, preserveFocus: unknown]>;
  posted: unknown[];
  html: string;
  title: string;
  visible: boolean;
  disposed: boolean;
  /** Delivers a message as if the webview had posted it. */
  fromWebview(message: unknown): Promise<void>;
  close(): void;
  /** The user switched to another tab in the panel's group (or back). */
  setVisible(visible: boolean): void;
}

export const panels: FakePanel[] = [];
export const notices: string[] = [];

export const window = {
  createWebviewPanel(viewType: string, title: string, show: unknown, options: unknown) {
    const messages = new EventEmitter<unknown>();
    const disposed = new EventEmitter<void>();
    const viewState = new EventEmitter<void>();
    const record: FakePanel = {
      created: { viewType, title, show, options }, revealed: [], posted: [], html: '', title, visible: true, disposed: false,
      async fromWebview(message) {
        messages.fire(message);
        await new Promise((r) => setTimeout(r, 0));
      },
      close() {
        record.disposed = true;
        disposed.fire();
      },
      setVisible(visible) {
        record.visible = visible;
        viewState.fire();
      },
    };
    panels.push(record);
    return {
      webview: {
        cspSource: 'https://res.test',
        asWebviewUri: (uri: Uri) => uri,
        get html() { return record.html; },
        set html(v: string) { record.html = v; },
        postMessage: async (m: unknown) => { record.posted.push(m); return true; },
        onDidReceiveMessage: messages.event,
      },
      get title() { return record.title; },
      set title(v: string) { record.title = v; },
      set iconPath(_v: unknown) { /* not recorded */ },
      get visible() { return record.visible; },
      reveal: (column?: unknown, preserveFocus?: unknown) => { record.revealed.push([column, preserveFocus]); },
      onDidDispose: disposed.event,
      onDidChangeViewState: viewState.event,
      dispose: () => { if (!record.disposed) record.close(); },
    };
  },
  showWarningMessage: async (m: string) => { notices.push(m); },
  showErrorMessage: async (m: string) => { notices.push(m); },
};
