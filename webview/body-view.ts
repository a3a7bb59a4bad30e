/**
 * The Body tab: pretty (Monaco, read-only, folding and search), raw, and a view by type — image
 * preview, hex for binary, form fields as a table, multipart parts, HTML preview in a sandboxed
 * frame with scripts off. Large bodies are shown up to the threshold with "Open full body" / "Save".
 */
import type { ExchangeResponseBody } from '../core/requests/exchange.ts';
import { h, replaceChildren, table, icon, type Child } from './dom.ts';
import {
  bodyKind, decodeText, formatBytes, hexDump, mediaType, parseForm, parseMultipart, prettyJson, prettyXml, reindentJson, type BodyKind,
} from './format.ts';
import { monaco, readOnlyOptions } from './monaco.ts';

export type BodyMode = 'pretty' | 'raw' | 'preview' | 'hex' | 'table' | 'parts';

/** Above this many characters a JSON/XML body is shown as sent rather than re-indented on the main thread. */
export const PRETTY_LIMIT = 10 * 1024 * 1024;

/** Above this many characters the body editor drops highlighting, folding and bracket matching. */
export const HEAVY_TEXT = 2 * 1024 * 1024;

const modeLabels: Record<BodyMode, string> = { pretty: 'Pretty', raw: 'Raw', preview: 'Preview', hex: 'Hex', table: 'Table', parts: 'Parts' };

export function modesFor(kind: BodyKind, contentType: string | undefined): BodyMode[] {
  switch (kind) {
    case 'json': case 'xml':
      return mediaType(contentType) === 'image/svg+xml' ? ['pretty', 'raw', 'preview', 'hex'] : ['pretty', 'raw', 'hex'];
    case 'html': return ['pretty', 'raw', 'preview', 'hex'];
    case 'javascript': case 'css': case 'text': return ['pretty', 'raw', 'hex'];
    case 'image': return ['preview', 'hex'];
    case 'form': return ['table', 'raw', 'hex'];
    case 'multipart': return ['parts', 'raw', 'hex'];
    case 'binary': return ['hex', 'raw'];
    case 'empty': return [];
  }
}

const languageOf: Partial<Record<BodyKind, string>> = { json: 'json', xml: 'xml', html: 'html', javascript: 'javascript', css: 'css' };

export interface BodyActions {
  openFull(): void;
  save(): void;
}

export interface BodyRenderInfo {
  kind: BodyKind;
  mode: BodyMode | undefined;
  /** Time spent preparing and handing the text to Monaco, in ms. */
  renderMs: number;
}

/** Owns the Body tab's DOM and its one Monaco editor, reused across exchanges. */
export class BodyView {
  readonly element: HTMLElement;
  private readonly toolbar: HTMLElement;
  private readonly content: HTMLElement;
  private readonly editorHost: HTMLElement;
  private editor: monaco.editor.IStandaloneCodeEditor | undefined;
  private body: ExchangeResponseBody | undefined;
  private threshold = Infinity;
  private actions: BodyActions | undefined;
  private kind: BodyKind = 'empty';
  private mode: BodyMode | undefined;
  private objectUrl: string | undefined;
  lastRender: BodyRenderInfo = { kind: 'empty', mode: undefined, renderMs: 0 };

  constructor() {
    this.toolbar = h('div', { class: 'body-toolbar' });
    this.editorHost = h('div', { class: 'editor-host', 'data-testid': 'body-editor' });
    this.content = h('div', { class: 'body-content' });
    this.element = h('div', { class: 'body-view' }, this.toolbar, this.content);
  }

  show(body: ExchangeResponseBody | undefined, threshold: number, actions: BodyActions, failed: boolean): void {
    this.body = body;
    this.threshold = threshold;
    this.actions = actions;
    const bytes = this.visibleBytes();
    this.kind = body ? bodyKind(body.contentType, bytes) : 'empty';
    const modes = modesFor(this.kind, body?.contentType);
    this.mode = modes[0];
    this.renderToolbar(modes, failed);
    this.renderContent();
  }

  /** The bytes the panel shows: never more than the threshold, whatever the host sent. */
  private visibleBytes(): Uint8Array {
    const bytes = this.body?.bytes ?? new Uint8Array();
    return bytes.length > this.threshold ? bytes.subarray(0, this.threshold) : bytes;
  }

  private isPartial(): boolean {
    const body = this.body;
    if (!body) return false;
    return body.truncated || body.bytes.length > this.threshold || (body.size >= 0 && body.size > body.bytes.length);
  }

  setMode(mode: BodyMode): void {
    this.mode = mode;
    for (const b of this.toolbar.querySelectorAll<HTMLElement>('[data-mode]')) {
      b.toggleAttribute('secondary', b.dataset.mode !== mode);
      b.setAttribute('aria-pressed', String(b.dataset.mode === mode));
    }
    this.renderContent();
  }

  private renderToolbar(modes: BodyMode[], failed: boolean): void {
    const body = this.body;
    const facts: Child[] = [];
    if (body) {
      facts.push(h('span', { class: 'fact', title: 'Content-Type' }, body.contentType ?? 'no Content-Type'));
      if (body.charset) facts.push(h('span', { class: 'fact', 'data-testid': 'charset' }, `charset ${body.charset}`));
      if (body.contentEncoding.length) {
        facts.push(h('span', { class: 'fact', 'data-testid': 'encoding' }, `decoded ${body.contentEncoding.join(' → ')}`));
      }
    }
    const partial = this.isPartial();
    this.toolbar.hidden = !body;
    replaceChildren(this.toolbar,
      h('div', { class: 'modes', role: 'group', 'aria-label': 'Body view' },
        modes.map((m) => h('vscode-button', {
          'data-mode': m, secondary: m !== this.mode, 'aria-pressed': String(m === this.mode), onclick: () => this.setMode(m),
        }, modeLabels[m]))),
      h('div', { class: 'facts' }, facts),
      partial && body ? h('div', { class: 'truncated', 'data-testid': 'truncated' },
        icon('warning'),
        ` Showing the first ${formatBytes(Math.min(body.bytes.length, this.threshold))} of ${body.size >= 0 ? formatBytes(body.size) : 'an unknown size'}. `,
        h('vscode-button', { secondary: true, icon: 'go-to-file', 'data-action': 'open-full', onclick: () => this.actions?.openFull() }, 'Open full body in editor'),
        h('vscode-button', { secondary: true, icon: 'save', 'data-action': 'save', onclick: () => this.actions?.save() }, 'Save'),
      ) : null,
      !partial && body && body.bytes.length > 0 ? h('vscode-button', {
        class: 'save-small', secondary: true, icon: 'save', 'data-action': 'save', title: 'Save body to a file', onclick: () => this.actions?.save(),
      }, 'Save') : null,
    );
  }

  private renderContent(): void {
    const t0 = performance.now();
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
    this.objectUrl = undefined;
    const body = this.body;
    const bytes = this.visibleBytes();
    const mode = this.mode;
    if (!body || !mode) {
      this.setEditorVisible(false);
      replaceChildren(this.content, h('div', { class: 'empty', 'data-testid': 'body-empty' }, body ? 'Empty body' : 'No body'));
      this.lastRender = { kind: this.kind, mode, renderMs: performance.now() - t0 };
      return;
    }
    const complete = !this.isPartial();
    switch (mode) {
      case 'pretty': case 'raw': {
        const decoded = this.kind === 'binary' ? { text: new TextDecoder('latin1').decode(bytes) } : decodeText(bytes, body.charset);
        let text = decoded.text;
        const language = mode === 'pretty' ? (languageOf[this.kind] ?? 'plaintext') : 'plaintext';
        if (mode === 'pretty' && text.length <= PRETTY_LIMIT) {
          // A cut body is not valid JSON: re-indent it token by token instead of parsing.
          if (this.kind === 'json') text = (complete ? prettyJson(text) : undefined) ?? reindentJson(text);
          else if (this.kind === 'xml' && complete) text = prettyXml(text);
        }
        this.showEditor(text, language);
        break;
      }
      case 'hex': {
        const limit = 64 * 1024;
        this.setEditorVisible(false);
        replaceChildren(this.content,
          bytes.length > limit ? h('div', { class: 'note' }, `First ${formatBytes(limit)} of ${formatBytes(bytes.length)} shown.`) : null,
          h('pre', { class: 'hex', 'data-testid': 'hex' }, hexDump(bytes, limit)));
        break;
      }
      case 'preview': {
        this.setEditorVisible(false);
        if (this.kind === 'html') {
          const { text } = decodeText(bytes, body.charset);
          // sandbox="" gives the frame an opaque origin with scripts, forms, popups and navigation off;
          // the CSP meta is a second lock so the preview fetches nothing either.
          const frame = h('iframe', {
            class: 'html-preview', sandbox: '', 'data-testid': 'html-preview', title: 'HTML preview (scripts disabled)',
            referrerpolicy: 'no-referrer',
          });
          (frame as HTMLIFrameElement).srcdoc =
            `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` + text;
          replaceChildren(this.content, h('div', { class: 'note' }, icon('shield'), ' Preview with scripts and network off.'), frame);
        } else {
          this.objectUrl = URL.createObjectURL(new Blob([bytes.slice()], { type: mediaType(body.contentType) || 'application/octet-stream' }));
          const img = h('img', { class: 'image-preview', src: this.objectUrl, alt: 'response image', 'data-testid': 'image-preview' });
          const dims = h('div', { class: 'note', 'data-testid': 'image-size' }, formatBytes(body.size >= 0 ? body.size : bytes.length));
          img.addEventListener('load', () => {
            const el = img as HTMLImageElement;
            // Icons and sprites are tiny: show them at a whole-number zoom with crisp pixels.
            const zoom = Math.floor(128 / Math.max(el.naturalWidth, el.naturalHeight, 1));
            if (zoom > 1) {
              el.style.width = `${el.naturalWidth * zoom}px`;
              el.classList.add('pixelated');
            }
            dims.textContent = `${(img as HTMLImageElement).naturalWidth} × ${(img as HTMLImageElement).naturalHeight} px · ${formatBytes(body.size >= 0 ? body.size : bytes.length)}`;
          });
          replaceChildren(this.content, h('div', { class: 'image-frame' }, img), dims);
        }
        break;
      }
      case 'table': {
        this.setEditorVisible(false);
        const fields = parseForm(decodeText(bytes, body.charset).text);
        replaceChildren(this.content, table(['Name', 'Value'], fields.map(([k, v]) => [k, v]), { 'data-testid': 'form-table' }));
        break;
      }
      case 'parts': {
        this.setEditorVisible(false);
        const parts = parseMultipart(bytes, body.contentType);
        replaceChildren(this.content, parts.length === 0
          ? h('div', { class: 'empty' }, 'No parts found (missing or wrong boundary).')
          : h('div', { class: 'parts', 'data-testid': 'parts' }, parts.map((p, i) => h('section', { class: 'part' },
            h('h3', null, `Part ${i + 1}`, p.name !== undefined ? ` · ${p.name}` : '', p.filename ? ` · ${p.filename}` : '',
              h('span', { class: 'fact' }, `${p.contentType ?? 'text/plain'} · ${formatBytes(p.body.length)}`)),
            h('div', { class: 'part-headers' }, p.headers.map(([n, v]) => h('div', null, h('span', { class: 'hname' }, n), ': ', v))),
            h('pre', { class: 'part-body' }, bodyKind(p.contentType, p.body) === 'binary' || mediaType(p.contentType).startsWith('image/')
              ? hexDump(p.body, 512)
              : decodeText(p.body.subarray(0, 64 * 1024), undefined).text),
          ))));
        break;
      }
    }
    this.lastRender = { kind: this.kind, mode, renderMs: performance.now() - t0 };
  }

  private showEditor(text: string, language: string): void {
    // Highlighting, bracket pairs and folding of megabytes keep the main thread busy for seconds
    // after the first paint; a heavy body is shown as plain text so the panel stays responsive.
    const heavy = text.length > HEAVY_TEXT;
    replaceChildren(this.content,
      heavy ? h('div', { class: 'note', 'data-testid': 'heavy' }, icon('info'), ` Large body (${formatBytes(text.length)}): shown as plain text, without highlighting or folding.`) : null,
      this.editorHost);
    this.setEditorVisible(true);
    if (!this.editor) this.editor = monaco.editor.create(this.editorHost, readOnlyOptions());
    this.editor.updateOptions({
      folding: !heavy,
      bracketPairColorization: { enabled: !heavy },
      guides: { bracketPairs: false, indentation: !heavy },
      matchBrackets: heavy ? 'never' : 'always',
      occurrencesHighlight: heavy ? 'off' : 'singleFile',
      stickyScroll: { enabled: !heavy },
    });
    const old = this.editor.getModel();
    this.editor.setModel(monaco.editor.createModel(text, heavy ? 'plaintext' : language));
    old?.dispose();
    this.editor.setScrollTop(0);
    this.layout();
  }

  private setEditorVisible(visible: boolean): void {
    this.editorHost.hidden = !visible;
    if (!visible && this.editor) {
      const old = this.editor.getModel();
      this.editor.setModel(null);
      old?.dispose();
    }
  }

  /** Text currently in the body editor (tests and the bench read it). */
  editorText(): string | undefined {
    return this.editor?.getModel()?.getValue();
  }

  /** Fits the editor to the space left below it in the window. */
  layout(): void {
    const top = this.editorHost.getBoundingClientRect().top;
    if (top <= 0 && this.editorHost.offsetParent === null) return;
    this.editorHost.style.height = `${Math.max(160, window.innerHeight - top - 8)}px`;
    this.editor?.layout();
  }
}
