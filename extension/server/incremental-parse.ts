/**
 * Re-parses only the `###` blocks that changed. A 10,000-request file takes the parser well over
 * 100 ms as a whole, far beyond a keystroke's budget, while one block takes microseconds. Blocks
 * are parsed on their own and kept, keyed by their text; an unchanged block that moved is shifted
 * in place (its positions were collected once). The assembled `HttpFile` equals what
 * `parseHttpFile` gives for the whole text (the test suite checks this after edits).
 */
import type { Diagnostic, HttpFile, HttpRequestNode, Position, Range, SeparatorNode, VariableDefinition, VariableReference } from '../../core/language/ast.ts';
import { parseHttpFile, splitLines } from '../../core/language/parser.ts';

interface Block {
  text: string;
  /** Document line where the block's text starts. */
  startLine: number;
  file: HttpFile;
  /** Every distinct Position object in `file`, so a move is one pass of `line += delta`. */
  positions: Position[];
  /** Every distinct variable reference, re-classified once all file variables are known. */
  references: VariableReference[];
  /** File variables with the block index the parser gave them inside the block. */
  localVariables: Array<{ variable: VariableDefinition; localIndex: number }>;
}

export class IncrementalParser {
  private blocks: Block[] = [];
  private fileNames = new Set<string>();

  parse(text: string, uri?: string): HttpFile {
    const previous = this.blocks;
    const chunks = splitBlocks(text);
    const blocks: Block[] = new Array(chunks.blocks.length);
    // An edit touches one place: blocks before it are equal and in place, blocks after it are
    // equal but may have moved. Comparing in order avoids hashing every block's text.
    let head = 0;
    const max = Math.min(previous.length, blocks.length);
    while (head < max && previous[head]!.text === chunks.blocks[head]!.text) {
      blocks[head] = previous[head]!;
      head++;
    }
    let tail = 0;
    while (tail < max - head && previous[previous.length - 1 - tail]!.text === chunks.blocks[blocks.length - 1 - tail]!.text) {
      const block = previous[previous.length - 1 - tail]!;
      const startLine = chunks.blocks[blocks.length - 1 - tail]!.startLine;
      if (block.startLine !== startLine) {
        const delta = startLine - block.startLine;
        for (const p of block.positions) p.line += delta;
        block.startLine = startLine;
      }
      blocks[blocks.length - 1 - tail] = block;
      tail++;
    }
    const fresh: Block[] = [];
    for (let i = head; i < blocks.length - tail; i++) {
      const chunk = chunks.blocks[i]!;
      const block = parseBlock(chunk.text, chunk.startLine);
      blocks[i] = block;
      fresh.push(block);
    }
    this.blocks = blocks;
    return this.assemble(blocks, fresh, chunks.lineCount, uri);
  }

  private assemble(blocks: Block[], fresh: Block[], lineCount: number, uri: string | undefined): HttpFile {
    const requests: HttpRequestNode[] = [];
    const fileVariables: VariableDefinition[] = [];
    const separators: SeparatorNode[] = [];
    const diagnostics: Diagnostic[] = [];
    for (const block of blocks) {
      const before = requests.length;
      for (const request of block.file.requests) {
        request.index = requests.length;
        requests.push(request);
      }
      for (const def of block.localVariables) {
        // The parser numbers a definition by the requests before it; a block parsed alone starts at 0.
        def.variable.blockIndex = before + def.localIndex;
        fileVariables.push(def.variable);
      }
      for (const separator of block.file.separators) separators.push(separator);
      for (const d of block.file.diagnostics) if (d.code !== 'duplicate-request-name') diagnostics.push(d);
    }
    // `{{x}}` is a file variable when `@x =` is anywhere in the file, which a block alone cannot know.
    const fileNames = new Set(fileVariables.map((v) => v.name));
    const changed = fileNames.size !== this.fileNames.size || [...fileNames].some((n) => !this.fileNames.has(n));
    this.fileNames = fileNames;
    for (const block of changed ? blocks : fresh) {
      for (const ref of block.references) {
        if (ref.kind === 'env' && fileNames.has(ref.name)) ref.kind = 'file';
        else if (ref.kind === 'file' && !fileNames.has(ref.name)) ref.kind = 'env';
      }
    }
    for (const d of duplicateNames(requests)) diagnostics.push(d);
    const file: HttpFile = { requests, fileVariables, separators, diagnostics, lineCount };
    if (uri !== undefined) file.uri = uri;
    return file;
  }
}

/**
 * Cuts the text before every line that starts with `###` (the parser's separator rule), by
 * offsets rather than by splitting 100,000 lines, which would cost more than parsing the edit.
 */
export function splitBlocks(text: string): { blocks: Array<{ text: string; startLine: number }>; lineCount: number } {
  if (/\r(?!\n)/.test(text)) {
    // Old-Mac line ends: rare enough to take the simple path.
    const lines = splitLines(text);
    const blocks: Array<{ text: string; startLine: number }> = [];
    let start = 0;
    for (let i = 1; i <= lines.length; i++) {
      if (i < lines.length && !lines[i]!.startsWith('###')) continue;
      blocks.push({ text: lines.slice(start, i).join('\n'), startLine: start });
      start = i;
    }
    return { blocks, lineCount: lines.length };
  }
  const blocks: Array<{ text: string; startLine: number }> = [];
  let blockStart = 0;
  let startLine = 0;
  let line = 0;
  let counted = 0; // offset up to which newlines are counted into `line`
  for (let sep = text.indexOf('\n###'); ; sep = text.indexOf('\n###', sep + 1)) {
    const end = sep < 0 ? text.length : sep;
    let blockText = text.slice(blockStart, end);
    if (blockText.endsWith('\r')) blockText = blockText.slice(0, -1);
    blocks.push({ text: blockText, startLine });
    if (sep < 0) break;
    for (let p = text.indexOf('\n', counted); p >= 0 && p <= sep; p = text.indexOf('\n', p + 1)) {
      line++;
      counted = p + 1;
    }
    blockStart = sep + 1;
    startLine = line;
  }
  for (let p = text.indexOf('\n', counted); p >= 0; p = text.indexOf('\n', p + 1)) line++;
  return { blocks, lineCount: line + 1 };
}

function isPosition(value: unknown): value is Position {
  return value !== null && typeof value === 'object' && typeof (value as Position).line === 'number' && typeof (value as Position).character === 'number';
}

function parseBlock(text: string, startLine: number): Block {
  const file = parseHttpFile(text);
  const positions: Position[] = [];
  const references: VariableReference[] = [];
  const seen = new Set<object>();
  // Positions are re-created in one shape (and shared ones stay shared), so moving a block is a
  // monomorphic loop: the parser's varied object shapes made it several times slower.
  const canonical = new Map<object, Position>();
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (isPosition(item)) value[i] = position(item);
        else walk(item);
      }
      return;
    }
    const record = value as Record<string, unknown>;
    if (typeof record.expression === 'string' && typeof record.kind === 'string' && record.nameRange) references.push(record as unknown as VariableReference);
    for (const key in record) {
      const item = record[key];
      if (isPosition(item)) record[key] = position(item);
      else walk(item);
    }
  };
  const position = (p: Position): Position => {
    let c = canonical.get(p);
    if (!c) {
      c = { line: p.line + startLine, character: p.character };
      canonical.set(p, c);
      positions.push(c);
    }
    return c;
  };
  walk(file);
  const localVariables = file.fileVariables.map((variable) => ({ variable, localIndex: variable.blockIndex }));
  return { text, startLine, file, positions, references, localVariables };
}

/** The parser's own check, done across blocks: a later request reusing an `@name`. */
function duplicateNames(requests: HttpRequestNode[]): Diagnostic[] {
  const first = new Map<string, Range>();
  const out: Diagnostic[] = [];
  for (const request of requests) {
    for (const meta of request.metadata) {
      if (meta.keyword !== 'name' || !meta.value) continue;
      const name = meta.value.split(/\s+/)[0]!;
      const range = meta.valueRange ?? meta.range;
      const previous = first.get(name);
      if (previous) {
        out.push({ message: `another request is already named "${name}" (line ${previous.start.line + 1})`, range, severity: 'warning', code: 'duplicate-request-name' });
      } else first.set(name, range);
    }
  }
  return out;
}
