/**
 * Ricochet's language server for `.http`/`.rest` files. Runs as its own process (IPC from the
 * extension, `--stdio` from tests and other editors) and never imports `vscode`.
 *
 *   node extension/server/main.ts --stdio
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CodeActionKind, createConnection, ProposedFeatures, TextDocumentSyncKind } from 'vscode-languageserver/node';
import type { InitializeParams, InitializeResult } from 'vscode-languageserver/node';
import type { Analysis } from './analysis.ts';
import { buildAnalysis } from './analysis.ts';
import { codeActions } from './code-actions.ts';
import { complete } from './completion.ts';
import { computeDiagnostics } from './diagnostics.ts';
import { DocumentStore, moveLines } from './documents.ts';
import { EnvironmentStore } from './environments.ts';
import { hover } from './hover.ts';
import { IncrementalParser } from './incremental-parse.ts';
import { definition, documentSymbols, foldingRanges, prepareRename, references, rename } from './navigation.ts';
import { EnvironmentChanged, LastResult, RequestRanges } from './protocol.ts';
import type { EnvironmentChangedParams, LastResultParams, RequestRangesParams, RequestRangesResult } from './protocol.ts';

const connection = createConnection(ProposedFeatures.all);
const documents = new DocumentStore();
const environments = new EnvironmentStore();
const parsers = new Map<string, IncrementalParser>();
const analyses = new Map<string, Analysis>();
/** uri → request line → last result reported by the extension; lines follow the edits. */
const lastResults = new Map<string, Map<number, { status: number; timeMs: number }>>();

connection.onInitialize((params: InitializeParams): InitializeResult => {
  const roots = (params.workspaceFolders ?? []).map((f) => f.uri).concat(params.rootUri ? [params.rootUri] : []);
  environments.setWorkspaceRoots([...new Set(roots)].filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u)));
  const options = params.initializationOptions as Partial<EnvironmentChangedParams> | undefined;
  if (options && 'name' in options) environments.select(options.name ?? null, options.settings);
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: ['{', '$', '@', ':', '.', ' ', '?', ','] },
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
    },
    serverInfo: { name: 'ricochet-http', version: '0.1.0' },
  };
});

function docPath(uri: string): string | undefined {
  return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
}

/** The analysis of the document's current version, built at most once per version. */
function analysisOf(uri: string): Analysis | undefined {
  const doc = documents.get(uri);
  if (!doc) return undefined;
  const cached = analyses.get(uri);
  if (cached && cached.version === doc.version) return cached;
  let parser = parsers.get(uri);
  if (!parser) parsers.set(uri, (parser = new IncrementalParser()));
  const text = doc.getText();
  const lineText = (line: number) => doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$|\r$/, '');
  const file = parser.parse(text, uri, documents.takeEdit(uri));
  const analysis = buildAnalysis(uri, doc.version, lineText, file, parser.parsedBlocks, parser.namesChanged ? undefined : cached?.namedRequests);
  analyses.set(uri, analysis);
  return analysis;
}

function environmentFor(uri: string) {
  return environments.variables(docPath(uri));
}

// Diagnostics: coalesced per document so a burst of edits is analysed once, right after it.
const pending = new Set<string>();
let scheduled = false;
function scheduleDiagnostics(uri: string): void {
  pending.add(uri);
  if (scheduled) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    const uris = [...pending];
    pending.clear();
    for (const u of uris) {
      // A bug here must cost one document's diagnostics, not the server process.
      try {
        publishDiagnostics(u);
      } catch (error) {
        connection.console.error(`diagnostics for ${u} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
  });
}

function publishDiagnostics(uri: string): void {
  const a = analysisOf(uri);
  if (!a) return;
  const p = docPath(uri);
  const diagnostics = computeDiagnostics(a, {
    environment: environmentFor(uri),
    environmentName: environments.current,
    definedElsewhere: (name) => environments.environmentsDefining(name, p),
    documentDir: p ? path.dirname(p) : undefined,
    envFileErrors: environments.envFileErrors(p),
  });
  void connection.sendDiagnostics({ uri, version: a.version, diagnostics });
}

connection.onDidOpenTextDocument(({ textDocument: d }) => {
  documents.open(d.uri, d.languageId, d.version, d.text);
  parsers.delete(d.uri);
  analyses.delete(d.uri);
  scheduleDiagnostics(d.uri);
});
connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
  if (!documents.change(textDocument.uri, textDocument.version, contentChanges)) return;
  const results = lastResults.get(textDocument.uri);
  if (results?.size) lastResults.set(textDocument.uri, moveLines(results, contentChanges));
  scheduleDiagnostics(textDocument.uri);
});
connection.onDidCloseTextDocument(({ textDocument }) => {
  documents.close(textDocument.uri);
  parsers.delete(textDocument.uri);
  analyses.delete(textDocument.uri);
  void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
});

connection.onCompletion((params) => {
  const a = analysisOf(params.textDocument.uri);
  if (!a) return [];
  return complete(a, params.position, { environment: environmentFor(a.uri), environmentName: environments.current, dotenv: environments.dotenv(docPath(a.uri)) });
});

connection.onHover((params) => {
  const a = analysisOf(params.textDocument.uri);
  if (!a) return null;
  return hover(a, params.position, {
    environment: environmentFor(a.uri),
    environmentName: environments.current,
    dotenv: environments.dotenv(docPath(a.uri)),
    lastResult: (request) => (request.requestLine ? lastResults.get(a.uri)?.get(request.requestLine.range.start.line) : undefined),
  });
});

connection.onDefinition((params) => {
  const a = analysisOf(params.textDocument.uri);
  return a ? definition(a, params.position, { environment: environmentFor(a.uri), dotenv: environments.dotenv(docPath(a.uri)) }) : null;
});
connection.onReferences((params) => {
  const a = analysisOf(params.textDocument.uri);
  return a ? references(a, params.position, params.context.includeDeclaration) : [];
});
connection.onPrepareRename((params) => {
  const a = analysisOf(params.textDocument.uri);
  return a ? prepareRename(a, params.position) : null;
});
connection.onRenameRequest((params) => {
  const a = analysisOf(params.textDocument.uri);
  return a ? rename(a, params.position, params.newName) : null;
});
connection.onDocumentSymbol((params) => {
  const a = analysisOf(params.textDocument.uri);
  return a ? documentSymbols(a) : [];
});
connection.onCodeAction((params) => {
  const a = analysisOf(params.textDocument.uri);
  return a ? codeActions(a, params) : [];
});
connection.onFoldingRanges((params) => {
  const a = analysisOf(params.textDocument.uri);
  return a ? foldingRanges(a) : [];
});

connection.onNotification(EnvironmentChanged.method, (params: EnvironmentChangedParams) => {
  environments.select(params.name, params.settings);
  for (const doc of documents.all()) scheduleDiagnostics(doc.uri);
});

connection.onNotification(LastResult.method, (params: LastResultParams) => {
  let byLine = lastResults.get(params.uri);
  if (!byLine) lastResults.set(params.uri, (byLine = new Map()));
  byLine.set(params.line, { status: params.status, timeMs: params.timeMs });
});

connection.onRequest(RequestRanges.method, (params: RequestRangesParams): RequestRangesResult => {
  const a = analysisOf(params.uri);
  if (!a) return [];
  return a.file.requests.flatMap((r) => {
    if (!r.requestLine && r.kind !== 'curl') return [];
    const info: RequestRangesResult[number] = { method: r.method, url: r.url.text, line: r.requestLine?.range.start.line ?? r.range.start.line, range: r.range };
    if (r.name) info.name = r.name;
    if (r.title) info.title = r.title;
    return [info];
  });
});

// An env file changed on disk (the client watches them): re-read and re-check open documents.
connection.onDidChangeWatchedFiles(() => {
  environments.invalidate();
  for (const doc of documents.all()) scheduleDiagnostics(doc.uri);
});

connection.listen();
