/**
 * A tiny element builder. Strings always become text nodes: response data never reaches
 * innerHTML, so markup in a body, header or URL shows as text and never runs.
 */
export type Child = Node | string | number | null | undefined | false | Child[];

export interface Attrs {
  [name: string]: string | number | boolean | undefined | ((ev: Event) => void);
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attrs | null, ...children: Child[]): HTMLElement;
export function h(tag: string, attrs?: Attrs | null, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (name === 'class') el.className = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A codicon: `<vscode-icon name="…">`. */
export function icon(name: string, attrs?: Attrs): HTMLElement {
  return h('vscode-icon', { name, ...attrs });
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attrs: Record<string, string | number>, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  append(el, children);
  return el;
}

/** A vscode-elements table: header names and rows of cells. */
export function table(columns: string[], rows: Child[][], attrs?: Attrs): HTMLElement {
  return h('vscode-table', { zebra: true, 'bordered-columns': true, resizable: true, ...attrs },
    h('vscode-table-header', { slot: 'header' }, columns.map((c) => h('vscode-table-header-cell', null, c))),
    h('vscode-table-body', { slot: 'body' }, rows.map((row) => h('vscode-table-row', null, row.map((cell) => h('vscode-table-cell', null, cell))))),
  );
}

/** A plain two-column name/value grid; cheap for many rows and selectable as text. */
export function kvGrid(rows: Array<[string, Child]>, attrs?: Attrs): HTMLElement {
  return h('div', { class: 'kv', ...attrs }, rows.map(([k, v]) => [h('div', { class: 'k' }, k), h('div', { class: 'v' }, v)]));
}
