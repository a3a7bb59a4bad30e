/**
 * One parsed `.http` document plus the indexes every feature asks for: file variables by name,
 * named requests, and `{{…}}` references by line. Built once per document version and cached
 * by the server, so completion and hover never re-parse an unchanged document.
 */
import type { HttpFile, HttpRequestNode, Position, Range, VariableDefinition, VariableReference } from '../../core/language/ast.ts';
import { rangeContains } from '../../core/language/ast.ts';
import type { ParsedBlock } from './incremental-parse.ts';

export interface Analysis {
  uri: string;
  version: number;
  /** The text of one line, without its line break. */
  line: (line: number) => string;
  file: HttpFile;
  /** `@name = value` lines by name, in document order (the last one wins when resolving). */
  definitions: Map<string, VariableDefinition[]>;
  /** Requests by `@name`, in document order (more than one is a duplicate). */
  namedRequests: Map<string, HttpRequestNode[]>;
  /** Every `{{…}}` in the document (requests and file variable values), by line. */
  referencesByLine: Map<number, VariableReference[]>;
  /** Every `{{…}}`, in no particular order. */
  references: VariableReference[];
  /** The `###` blocks the file was parsed in (unchanged ones are reused between versions). */
  blocks: readonly ParsedBlock[];
}

/**
 * Indexes a parsed document (`file` from `parseHttpFile` or the incremental parser). The
 * reference indexes are built on first use: typing only needs diagnostics and completion.
 */
export function buildAnalysis(
  uri: string,
  version: number,
  line: (line: number) => string,
  file: HttpFile,
  blocks: readonly ParsedBlock[],
  /** The previous version's named requests, when no block with `@name` changed since. */
  sameNamedRequests?: Map<string, HttpRequestNode[]>,
): Analysis {
  const definitions = new Map<string, VariableDefinition[]>();
  for (const def of file.fileVariables) push(definitions, def.name, def);
  let namedRequests = sameNamedRequests;
  if (!namedRequests) {
    namedRequests = new Map<string, HttpRequestNode[]>();
    for (const block of blocks) for (const request of block.named) push(namedRequests, request.name!, request);
  }
  let references: VariableReference[] | undefined;
  let referencesByLine: Map<number, VariableReference[]> | undefined;
  return {
    uri,
    version,
    line,
    file,
    definitions,
    namedRequests,
    blocks,
    get references() {
      if (!references) {
        references = [];
        for (const def of file.fileVariables) for (const ref of def.value.variables) references.push(ref);
        for (const request of file.requests) for (const ref of request.variableReferences) references.push(ref);
      }
      return references;
    },
    get referencesByLine() {
      if (!referencesByLine) {
        referencesByLine = new Map();
        for (const ref of this.references) push(referencesByLine, ref.range.start.line, ref);
      }
      return referencesByLine;
    },
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * How a reference resolves here. The parser marks `{{x}}` as `file` only when `@x =` exists, as
 * `request` for `name.response…`, else `env`; a request variable's first segment is the request name.
 */
export function requestNameOf(ref: VariableReference): string {
  const dot = ref.name.indexOf('.');
  return dot < 0 ? ref.name : ref.name.slice(0, dot);
}

export function referenceAt(a: Analysis, position: Position): VariableReference | undefined {
  return a.referencesByLine.get(position.line)?.find((r) => rangeContains(r.range, position));
}

/** The `@name = value` whose name is under the cursor. */
export function definitionAt(a: Analysis, position: Position): VariableDefinition | undefined {
  for (const defs of a.definitions.values()) {
    for (const def of defs) if (def.range.start.line === position.line && rangeContains(def.nameRange, position)) return def;
  }
  return undefined;
}

/** The named request whose `@name` value is under the cursor. */
export function requestNameAt(a: Analysis, position: Position): HttpRequestNode | undefined {
  for (const requests of a.namedRequests.values()) {
    for (const request of requests) {
      const meta = request.metadata.find((m) => m.keyword === 'name');
      if (meta?.valueRange && rangeContains(meta.valueRange, position)) return request;
    }
  }
  return undefined;
}

/** The definition a file variable resolves to: the last `@name =` in the file. */
export function winningDefinition(a: Analysis, name: string): VariableDefinition | undefined {
  const defs = a.definitions.get(name);
  return defs?.[defs.length - 1];
}

/** Where the name of a named request is written: its `@name` value, or else its request line. */
export function requestNameRange(request: HttpRequestNode): Range {
  const meta = request.metadata.find((m) => m.keyword === 'name');
  return meta?.valueRange ?? meta?.range ?? request.requestLine?.range ?? request.range;
}

/** The request whose block covers `line` — `requestAtLine` from the AST module, by binary search (files run to 10,000 requests). */
export function requestAt(a: Analysis, line: number): HttpRequestNode | undefined {
  const requests = a.file.requests;
  let lo = 0;
  let hi = requests.length - 1;
  let found: HttpRequestNode | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = requests[mid]!;
    if ((r.separator?.range.start.line ?? r.range.start.line) <= line) {
      found = r;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
