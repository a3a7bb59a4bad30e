/**
 * Re-parses only the `###` blocks that changed. A 10,000-request file takes the parser well over
 * 100 ms as a whole, far beyond a keystroke's budget, while one block takes microseconds. Blocks
 * are parsed on their own and kept; after an edit, the blocks around it are compared by text with
 * the previous ones, and an unchanged block that moved is shifted in place (its positions were
 * collected once). The assembled `HttpFile` equals what `parseHttpFile` gives for the whole text
 * (the tests check this after random edits).
 *
 * Shifting in place means a previous version's nodes change too: keep only the latest result.
 *
 *   const parser = new IncrementalParser();
 *   let file = parser.parse(text);
 *   file = parser.parse(newText, uri, { fromLine: 3, toLine: 3, lineDelta: 1, offsetAt });
 */
import type { Diagnostic, HttpFile, HttpRequestNode, Position, Range, SeparatorNode, VariableDefinition, VariableReference } from '../../core/language/ast.ts';
import { parseHttpFile, splitLines } from '../../core/language/parser.ts';

/** What the server's features may read of one block (one `###` section) beside the assembled file. */
export interface ParsedBlock {
  /** The block parsed alone; its positions are document positions (kept current when it moves). */
  readonly file: HttpFile;
  /** Document line where the block starts. */
  readonly startLine: number;
  /** Requests in the block that carry `@name`. */
  readonly named: readonly HttpRequestNode[];
  /** Free for a feature to cache what it derived from this block (diagnostics do); dropped with the block. */
  memo: unknown;
}

interface Block extends ParsedBlock {
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
  /** `@name` values with where they are written, for the duplicate check across blocks. */
  names: Array<{ name: string; range: Range }>;
  /** Where the block's items start in the file's lists, as last assembled. */
  at: Offsets;
  /** The parser's diagnostics for the block, less the duplicate-name ones (re-done across blocks). */
  parserDiagnostics: Diagnostic[];
}

export class IncrementalParser {
  private blocks: Block[] = [];
  private fileNames = new Set<string>();
  private lineCount = 0;
  /** Whether the last `parse` added or dropped a block with `@name` in it. */
  namesChanged = true;
  private duplicates: Duplicate[] = [];
  /** The assembled lists of the last parse; the next one splices them. */
  private lists: Lists = { requests: [], variables: [], separators: [], diagnostics: [] };

  /** The blocks of the last `parse`, in document order. */
  get parsedBlocks(): readonly ParsedBlock[] {
    return this.blocks;
  }

  /**
   * Parses `text`, reusing the blocks of the previous call that did not change. With `edit`
   * (what the editor said it changed), only the blocks around the edit are cut out of the new
   * text and compared; without it, the whole text is cut into blocks and compared in order.
   */
  parse(text: string, uri?: string, edit?: EditHint): HttpFile {
    const previous = this.blocks;
    let keepHead = 0;
    let keepTail = 0;
    let lineDelta = 0;
    let chunks: Array<{ text: string; startLine: number }>;
    let lineCount: number;
    if (edit && previous.length > 0 && edit.toLine < this.lineCount) {
      // From the block before the edit (the edit may remove its separator) to the block holding its end.
      keepHead = Math.max(0, this.blockAt(edit.fromLine) - 1);
      const last = this.blockAt(edit.toLine);
      keepTail = previous.length - last - 1;
      lineDelta = edit.lineDelta;
      const regionStart = previous[keepHead]!.startLine;
      const startOffset = edit.offsetAt(regionStart);
      let region: string;
      if (keepTail > 0) {
        // Up to the line break before the next block's `###` line, as a block's text is cut.
        region = text.slice(startOffset, edit.offsetAt(previous[last + 1]!.startLine + lineDelta) - 1);
        if (region.endsWith('\r')) region = region.slice(0, -1);
      } else region = text.slice(startOffset);
      chunks = splitBlocks(region).blocks.map((c) => ({ text: c.text, startLine: c.startLine + regionStart }));
      lineCount = this.lineCount + lineDelta;
    } else {
      const split = splitBlocks(text);
      chunks = split.blocks;
      lineCount = split.lineCount;
    }
    const regionOld = previous.slice(keepHead, previous.length - keepTail);
    const blocks: Block[] = previous.slice(0, keepHead);
    // An edit touches one place: blocks before it are equal and in place, blocks after it are
    // equal but may have moved. Comparing in order avoids hashing every block's text.
    let head = 0;
    const max = Math.min(regionOld.length, chunks.length);
    while (head < max && regionOld[head]!.text === chunks[head]!.text) blocks.push(regionOld[head++]!);
    let tail = 0;
    while (tail < max - head && regionOld[regionOld.length - 1 - tail]!.text === chunks[chunks.length - 1 - tail]!.text) tail++;
    const fresh: Block[] = [];
    for (let i = head; i < chunks.length - tail; i++) {
      const block = parseBlock(chunks[i]!.text, chunks[i]!.startLine);
      blocks.push(block);
      fresh.push(block);
    }
    for (let i = tail; i > 0; i--) blocks.push(moveTo(regionOld[regionOld.length - i]!, chunks[chunks.length - i]!.startLine));
    for (let i = previous.length - keepTail; i < previous.length; i++) blocks.push(moveTo(previous[i]!, previous[i]!.startLine + lineDelta));
    this.blocks = blocks;
    this.lineCount = lineCount;
    const dropped = regionOld.slice(head, regionOld.length - tail);
    this.namesChanged = previous.length === 0 || fresh.some((b) => b.names.length > 0) || dropped.some((b) => b.names.length > 0);
    return this.assemble(previous, blocks, keepHead + head, tail + keepTail, fresh, lineCount, uri);
  }

  /** Index of the block holding `line` (binary search on the blocks' start lines). */
  private blockAt(line: number): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.blocks[mid]!.startLine <= line) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * The file's lists are the previous ones with the middle replaced: head blocks' items are
   * where they were, tail blocks' items move as a whole. Only the fresh blocks are walked.
   */
  private assemble(previous: Block[], blocks: Block[], head: number, tail: number, fresh: Block[], lineCount: number, uri: string | undefined): HttpFile {
    const old = this.lists;
    const end = (list: keyof Lists) => old[list].length;
    const headEnd: Offsets = head < previous.length ? previous[head]!.at : { requests: end('requests'), variables: end('variables'), separators: end('separators'), diagnostics: end('diagnostics') };
    const tailFrom: Offsets = tail > 0 ? previous[previous.length - tail]!.at : { requests: end('requests'), variables: end('variables'), separators: end('separators'), diagnostics: end('diagnostics') };
    const lists: Lists = {
      requests: old.requests.slice(0, headEnd.requests),
      variables: old.variables.slice(0, headEnd.variables),
      separators: old.separators.slice(0, headEnd.separators),
      diagnostics: old.diagnostics.slice(0, headEnd.diagnostics),
    };
    for (const block of fresh) {
      block.at = { requests: lists.requests.length, variables: lists.variables.length, separators: lists.separators.length, diagnostics: lists.diagnostics.length };
      for (const request of block.file.requests) {
        request.index = lists.requests.length;
        lists.requests.push(request);
      }
      for (const def of block.localVariables) {
        // The parser numbers a definition by the requests before it; a block parsed alone starts at 0.
        def.variable.blockIndex = block.at.requests + def.localIndex;
        lists.variables.push(def.variable);
      }
      for (const separator of block.file.separators) lists.separators.push(separator);
      for (const d of block.parserDiagnostics) lists.diagnostics.push(d);
    }
    const shift: Offsets = {
      requests: lists.requests.length - tailFrom.requests,
      variables: lists.variables.length - tailFrom.variables,
      separators: lists.separators.length - tailFrom.separators,
      diagnostics: lists.diagnostics.length - tailFrom.diagnostics,
    };
    // concat, not push(...rest): spreading a 100,000-item array overflows the call stack.
    lists.requests = lists.requests.concat(old.requests.slice(tailFrom.requests));
    lists.variables = lists.variables.concat(old.variables.slice(tailFrom.variables));
    lists.separators = lists.separators.concat(old.separators.slice(tailFrom.separators));
    lists.diagnostics = lists.diagnostics.concat(old.diagnostics.slice(tailFrom.diagnostics));
    if (shift.requests || shift.variables || shift.separators || shift.diagnostics) {
      for (let i = blocks.length - tail; i < blocks.length; i++) {
        const block = blocks[i]!;
        block.at = { requests: block.at.requests + shift.requests, variables: block.at.variables + shift.variables, separators: block.at.separators + shift.separators, diagnostics: block.at.diagnostics + shift.diagnostics };
        if (!shift.requests) continue;
        block.file.requests.forEach((request, n) => (request.index = block.at.requests + n));
        for (const def of block.localVariables) def.variable.blockIndex = block.at.requests + def.localIndex;
      }
    }
    this.lists = lists;
    // `{{x}}` is a file variable when `@x =` is anywhere in the file, which a block alone cannot know.
    const fileNames = new Set(lists.variables.map((v) => v.name));
    const changed = fileNames.size !== this.fileNames.size || [...fileNames].some((n) => !this.fileNames.has(n));
    this.fileNames = fileNames;
    for (const block of changed ? blocks : fresh) {
      for (const ref of block.references) {
        if (ref.kind === 'env' && fileNames.has(ref.name)) ref.kind = 'file';
        else if (ref.kind === 'file' && !fileNames.has(ref.name)) ref.kind = 'env';
      }
    }
    // Duplicate names can only change with the blocks that carry names (ranges follow moves).
    if (this.namesChanged) this.duplicates = duplicateNames(blocks);
    const diagnostics = lists.diagnostics.concat(
      // Built anew each time: the message names the first request's line, which may have moved.
      this.duplicates.map(({ name, range, first }) => ({ message: `another request is already named "${name}" (line ${first.start.line + 1})`, range, severity: 'warning', code: 'duplicate-request-name' })),
    );
    const file: HttpFile = { requests: lists.requests, fileVariables: lists.variables, separators: lists.separators, diagnostics, lineCount };
    if (uri !== undefined) file.uri = uri;
    return file;
  }
}

/** What an editor says it changed, in the terms the parser needs. */
export interface EditHint {
  /** First line the change touched, in the previous text. */
  fromLine: number;
  /** Last line the change touched (inclusive), in the previous text. */
  toLine: number;
  /** Lines added by the change (negative when removed). */
  lineDelta: number;
  /** Offset in the new text where a line starts. */
  offsetAt: (line: number) => number;
}

/** A reused block whose text now starts at `startLine`: its positions follow. */
function moveTo(block: Block, startLine: number): Block {
  if (block.startLine !== startLine) {
    const delta = startLine - block.startLine;
    for (const p of block.positions) p.line += delta;
    block.startLine = startLine;
  }
  return block;
}

interface Offsets {
  requests: number;
  variables: number;
  separators: number;
  diagnostics: number;
}

interface Lists {
  requests: HttpRequestNode[];
  variables: VariableDefinition[];
  separators: SeparatorNode[];
  diagnostics: Diagnostic[];
}

/**
 * Cuts the text before every line that starts with `###` (the parser's separator rule), by
 * offsets rather than by splitting 100,000 lines, which would cost more than parsing the edit.
 */
export function splitBlocks(text: string): { blocks: Array<{ text: string; startLine: number }>; lineCount: number } {
  if (text.includes('\r') && /\r(?!\n)/.test(text)) {
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
  const names: Block['names'] = [];
  for (const request of file.requests) {
    for (const meta of request.metadata) {
      if (meta.keyword === 'name' && meta.value) names.push({ name: meta.value.split(/\s+/)[0]!, range: meta.valueRange ?? meta.range });
    }
  }
  const named = file.requests.filter((r) => r.name);
  const parserDiagnostics = file.diagnostics.filter((d) => d.code !== 'duplicate-request-name');
  const at = { requests: 0, variables: 0, separators: 0, diagnostics: 0 };
  return { text, startLine, file, positions, references, localVariables, names, named, at, parserDiagnostics, memo: undefined };
}

/** A later `@name` reusing the name of `first` (ranges are the parser's, so they follow moves). */
interface Duplicate {
  name: string;
  range: Range;
  first: Range;
}

/** The parser's own check, done across blocks: a later request reusing an `@name`. */
function duplicateNames(blocks: Block[]): Duplicate[] {
  const first = new Map<string, Range>();
  const out: Duplicate[] = [];
  for (const block of blocks) {
    for (const { name, range } of block.names) {
      const previous = first.get(name);
      if (previous) out.push({ name, range, first: previous });
      else first.set(name, range);
    }
  }
  return out;
}
