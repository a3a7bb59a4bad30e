/**
 * The open documents, kept in sync from the editor's incremental changes, and what each change
 * touched since the last parse. `TextDocuments` from vscode-languageserver applies changes the
 * same way but forgets where they were; the incremental parser needs to know.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { EditHint } from './incremental-parse.ts';

type Touched = Omit<EditHint, 'offsetAt'>;

interface Entry {
  doc: TextDocument;
  /** What changed since the last `takeEdit`; `null` when unknown (a full-text change). */
  touched: Touched | null | undefined;
}

export class DocumentStore {
  private entries = new Map<string, Entry>();

  open(uri: string, languageId: string, version: number, text: string): TextDocument {
    const doc = TextDocument.create(uri, languageId, version, text);
    this.entries.set(uri, { doc, touched: null });
    return doc;
  }

  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): TextDocument | undefined {
    const entry = this.entries.get(uri);
    if (!entry) return undefined;
    for (const change of changes) {
      if (!('range' in change) || entry.touched === null) entry.touched = null;
      else {
        const removed = change.range.end.line - change.range.start.line;
        const added = countLineBreaks(change.text);
        entry.touched = compose(entry.touched, { fromLine: change.range.start.line, toLine: change.range.end.line, lineDelta: added - removed });
      }
    }
    entry.doc = TextDocument.update(entry.doc, changes, version);
    return entry.doc;
  }

  close(uri: string): void {
    this.entries.delete(uri);
  }

  get(uri: string): TextDocument | undefined {
    return this.entries.get(uri)?.doc;
  }

  all(): TextDocument[] {
    return [...this.entries.values()].map((e) => e.doc);
  }

  /** What changed since the previous call (for the parse of the current text), then forgets it. */
  takeEdit(uri: string): EditHint | undefined {
    const entry = this.entries.get(uri);
    if (!entry) return undefined;
    const touched = entry.touched;
    entry.touched = undefined;
    if (!touched) return undefined;
    const doc = entry.doc;
    return { ...touched, offsetAt: (line) => doc.offsetAt({ line, character: 0 }) };
  }
}

function countLineBreaks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}

/**
 * Two changes in a row as one, in the first one's "before" lines: a line the second change
 * touched maps back through the first (before it: same line; after it: less its delta;
 * inside it: the first change's own span).
 */
function compose(first: Touched | undefined, second: Touched): Touched {
  if (!first) return second;
  const firstEnd = first.toLine + first.lineDelta;
  const back = (line: number, side: 'from' | 'to') => (line < first.fromLine ? line : line > firstEnd ? line - first.lineDelta : side === 'from' ? first.fromLine : first.toLine);
  return {
    fromLine: Math.min(first.fromLine, back(second.fromLine, 'from')),
    toLine: Math.max(first.toLine, back(second.toLine, 'to')),
    lineDelta: first.lineDelta + second.lineDelta,
  };
}

/**
 * Values kept per line (a request's last result) after `changes`: lines below a change move by
 * the lines it added or removed, a line it deleted loses its value, and a line that had text
 * inserted at its start moves with that text's line breaks.
 */
export function moveLines<V>(byLine: Map<number, V>, changes: TextDocumentContentChangeEvent[]): Map<number, V> {
  let current = byLine;
  for (const change of changes) {
    if (!('range' in change)) return new Map();
    const { start, end } = change.range;
    const delta = countLineBreaks(change.text) - (end.line - start.line);
    const next = new Map<number, V>();
    for (const [line, value] of current) {
      if (line > end.line || (line === start.line && line === end.line && start.character === 0)) next.set(line + delta, value);
      else if (line <= start.line) next.set(line, value);
    }
    current = next;
  }
  return current;
}
