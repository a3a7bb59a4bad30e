/**
 * The History tab: recent exchanges with replay and show; tick two and compare status, headers
 * and body (Monaco's diff editor).
 */
import { totalTime, type Exchange } from '../core/requests/exchange.ts';
import type { HistoryEntry } from './protocol.ts';
import { h, replaceChildren, table, icon } from './dom.ts';
import { bodyKind, decodeText, diffHeaders, formatMs, prettyJson, prettyXml } from './format.ts';
import { monaco, readOnlyOptions } from './monaco.ts';
import { statusBadge } from './views.ts';

export interface HistoryActions {
  replay(id: string): void;
  show(id: string): void;
  diff(a: string, b: string): void;
}

/** Fixed widths kept small: the panel usually sits beside the editor, and the request column is what tells entries apart. */
const HISTORY_COLUMNS = ['32px', 'auto', '112px', '60px', '84px', '72px'];

export class HistoryView {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly diffArea: HTMLElement;
  private readonly compareButton: HTMLElement;
  private selected: string[] = [];
  private diffEditor: monaco.editor.IStandaloneDiffEditor | undefined;
  private readonly actions: HistoryActions;

  constructor(actions: HistoryActions) {
    this.actions = actions;
    this.list = h('div', { class: 'history-list' });
    this.diffArea = h('div', { class: 'diff-area', 'data-testid': 'diff' });
    this.compareButton = h('vscode-button', {
      icon: 'diff', disabled: true, 'data-action': 'compare',
      onclick: () => { if (this.selected.length === 2) this.actions.diff(this.selected[0]!, this.selected[1]!); },
    }, 'Compare selected');
    this.element = h('div', { class: 'tab-body' },
      h('div', { class: 'history-toolbar' }, h('span', { class: 'fact' }, 'Tick two entries to compare them.'), this.compareButton),
      this.list, this.diffArea);
    this.setEntries([]);
  }

  setEntries(entries: HistoryEntry[]): void {
    this.selected = this.selected.filter((id) => entries.some((e) => e.id === id));
    this.updateCompare();
    if (entries.length === 0) {
      replaceChildren(this.list, h('div', { class: 'empty', 'data-testid': 'history-empty' }, 'No requests sent yet.'));
      return;
    }
    replaceChildren(this.list, table(['', 'Request', 'Status', 'Time', 'When', ''], entries.map((e) => [
      h('vscode-checkbox', {
        'aria-label': `Select ${e.method} ${e.url}`, 'data-id': e.id, checked: this.selected.includes(e.id),
        onchange: (ev: Event) => this.toggle(e.id, (ev.target as HTMLInputElement).checked),
      }),
      h('span', { class: 'history-req', title: `${e.method} ${e.url}` }, h('span', { class: 'method' }, e.method), ' ', h('span', { class: 'url' }, e.url.replace(/^https?:\/\//i, ''))),
      e.error ? h('span', { class: 'status status-none' }, e.error) : statusBadge(e.status, ''),
      formatMs(e.totalTime),
      new Date(e.startedAt).toLocaleTimeString(),
      h('span', { class: 'row-actions' },
        h('vscode-button', { secondary: true, icon: 'eye', title: 'Show', 'aria-label': 'Show', 'data-action': 'show', onclick: () => this.actions.show(e.id) }),
        h('vscode-button', { secondary: true, icon: 'debug-rerun', title: 'Replay', 'aria-label': 'Replay', 'data-action': 'replay', onclick: () => this.actions.replay(e.id) })),
    ]), { 'data-testid': 'history', columns: JSON.stringify(HISTORY_COLUMNS) }));
  }

  private toggle(id: string, on: boolean): void {
    this.selected = this.selected.filter((s) => s !== id);
    if (on) this.selected.push(id);
    // Keep the two most recent ticks; untick the oldest so "pick two" stays true.
    while (this.selected.length > 2) {
      const dropped = this.selected.shift()!;
      const box = this.list.querySelector<HTMLElement & { checked: boolean }>(`vscode-checkbox[data-id="${CSS.escape(dropped)}"]`);
      if (box) box.checked = false;
    }
    this.updateCompare();
  }

  private updateCompare(): void {
    this.compareButton.toggleAttribute('disabled', this.selected.length !== 2);
  }

  showDiff(a: Exchange, b: Exchange): void {
    const ra = a.hops.at(-1)!.response;
    const rb = b.hops.at(-1)!.response;
    const headerRows = diffHeaders(ra?.headers ?? [], rb?.headers ?? []);
    const host = h('div', { class: 'diff-editor-host', 'data-testid': 'diff-editor' });
    replaceChildren(this.diffArea,
      h('h3', null, icon('diff'), ' Comparison'),
      h('div', { class: 'diff-status', 'data-testid': 'diff-status' },
        h('span', null, 'A: ', statusBadge(ra?.statusCode, ra?.reason), ` ${formatMs(totalTime(a))}`),
        h('span', null, 'B: ', statusBadge(rb?.statusCode, rb?.reason), ` ${formatMs(totalTime(b))}`)),
      h('h3', null, 'Headers that differ', h('vscode-badge', { variant: 'counter' }, String(headerRows.length))),
      headerRows.length === 0 ? h('div', { class: 'empty' }, 'Same headers.')
        : table(['Header', 'A', 'B'], headerRows.map((r) => [r.name, r.a ?? '—', r.b ?? '—']), { 'data-testid': 'diff-headers' }),
      h('h3', null, 'Body'),
      host);
    const previous = this.diffEditor?.getModel();
    this.diffEditor?.dispose();
    previous?.original.dispose();
    previous?.modified.dispose();
    const original = monaco.editor.createModel(bodyText(a), languageOf(a));
    const modified = monaco.editor.createModel(bodyText(b), languageOf(b));
    host.style.height = '360px';
    this.diffEditor = monaco.editor.createDiffEditor(host, { ...readOnlyOptions(), renderSideBySide: true, originalEditable: false });
    this.diffEditor.setModel({ original, modified });
  }
}

function languageOf(e: Exchange): string {
  const body = e.body;
  if (!body) return 'plaintext';
  const kind = bodyKind(body.contentType, body.bytes);
  return kind === 'json' || kind === 'xml' || kind === 'html' || kind === 'javascript' || kind === 'css' ? kind : 'plaintext';
}

function bodyText(e: Exchange): string {
  const body = e.body;
  if (!body || body.bytes.length === 0) return '';
  const { text } = decodeText(body.bytes, body.charset);
  const kind = bodyKind(body.contentType, body.bytes);
  if (kind === 'json' && !body.truncated) return prettyJson(text) ?? text;
  if (kind === 'xml' || kind === 'html') return prettyXml(text);
  return text;
}
