/**
 * Ricochet's extension entry point: builds the pieces (settings, environments, sessions, history,
 * sending, views) and registers every command. Each piece lives in its own module.
 */
import * as vscode from 'vscode';
import { parseCurl } from '../core/language/curl.ts';
import { toCurl, toFetch, toPythonRequests } from '../core/language/export.ts';
import type { RequestSpec } from '../core/language/request-spec.ts';
import { requestAtLine } from '../core/language/ast.ts';
import { totalTime } from '../core/requests/exchange.ts';
import type { Exchange } from '../core/requests/exchange.ts';
import { notifyEnvironmentChanged, notifyLastResult, startLanguageClient, stopLanguageClient } from './language-client.ts';
import { readSettings, WATCHED_SECTIONS } from './settings.ts';
import type { RicochetSettings } from './settings.ts';
import { HistoryStore } from './history.ts';
import { SessionRegistry, applySettings } from './sessions.ts';
import { EnvironmentManager } from './environment-manager.ts';
import { RequestController, activeHttpDocument, parseDocument } from './controller.ts';
import { RequestCodeLenses, RequestFolding } from './codelens.ts';
import { ResponseDocuments, RESPONSE_SCHEME } from './response-view.ts';
import { ResponsePresenter } from './presenter.ts';
import { CollectionsTree, HistoryTree } from './views.ts';
import type { CollectionNode } from './views.ts';
import { specToHttp } from './spec-to-http.ts';
import { requestSpecFor } from './export-request.ts';

let disposeAll: (() => Promise<void>) | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const started = performance.now();
  const output = vscode.window.createOutputChannel('Ricochet');
  context.subscriptions.push(output);

  let settings = loadSettings(output);
  const storage = (context.storageUri ?? context.globalStorageUri).fsPath;

  const environments = new EnvironmentManager(context, () => settings.environments);
  const history = new HistoryStore({
    dir: storage,
    maxEntries: settings.historyMaxEntries,
    keepCredentials: settings.keepCredentials,
    secrets: () => environments.knownSecrets,
    onWarning: (m) => void vscode.window.showWarningMessage(`Ricochet: ${m}`),
  });
  const sessions = new SessionRegistry({
    dir: storage,
    rememberCookies: () => settings.rememberCookies,
    configure: (s) => applySettings(s, settings),
    onWarning: (m) => void vscode.window.showWarningMessage(`Ricochet: ${m}`),
  });
  const responses = new ResponseDocuments(() => settings.largeBodyThreshold);
  // The presenter and the controller refer to each other; the controller is made right below.
  let controller: RequestController;
  const presenter = new ResponsePresenter({
    context, settings: () => settings, history, sessions, environments, documents: responses,
    replay: (e) => controller.replay(e),
    lastExchange: () => controller.lastExchange,
  });
  const showResponse = (exchange: Exchange): Promise<void> => presenter.show(exchange);
  controller = new RequestController({
    settings: () => settings, sessions, environments, history, output, showResponse,
    onRequestStart: (method, url) => presenter.sending(method, url),
    onResult: (uri, line, exchange) => {
      const status = exchange.hops.at(-1)?.response?.statusCode;
      if (status !== undefined) notifyLastResult(uri, line, status, totalTime(exchange));
    },
  });
  const lenses = new RequestCodeLenses(controller);
  const historyTree = new HistoryTree(history);
  const collections = new CollectionsTree();
  // Real files and unsaved ones; not the read-only response documents (also shown as 'http').
  const selector: vscode.DocumentSelector = [{ language: 'http', scheme: 'file' }, { language: 'http', scheme: 'untitled' }];

  context.subscriptions.push(
    environments, controller, lenses, responses, presenter, historyTree, collections,
    vscode.languages.registerCodeLensProvider(selector, lenses),
    vscode.languages.registerFoldingRangeProvider(selector, new RequestFolding()),
    vscode.workspace.registerTextDocumentContentProvider(RESPONSE_SCHEME, responses),
    vscode.window.registerTreeDataProvider('ricochet.history', historyTree),
    vscode.window.registerTreeDataProvider('ricochet.collections', collections),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!WATCHED_SECTIONS.some((s) => e.affectsConfiguration(s))) return;
      settings = loadSettings(output);
      notifyEnvironmentChanged(environments.current, settings.environments);
      history.configure({ maxEntries: settings.historyMaxEntries, keepCredentials: settings.keepCredentials });
      void sessions.reconfigure();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => output.appendLine('Workspace trusted: $processEnv, $dotenv, file bodies and scripts are on.')),
  );

  const exchangeFrom = (arg: unknown): Exchange | undefined => {
    if (typeof arg === 'string') return history.get(arg);
    if (arg && typeof arg === 'object' && 'hops' in arg) return arg as Exchange;
    return controller.lastExchange;
  };
  const exportAs = (format: string, exporter: (spec: RequestSpec) => string) => async (uri?: vscode.Uri, index?: number): Promise<void> => {
    const target = await requestTarget(uri, index);
    if (!target) return;
    try {
      const { document } = target;
      const envName = environments.current;
      const spec = await requestSpecFor({ path: document.uri.fsPath, text: document.getText() }, target.index, {
        ...(envName ? { envName } : {}),
        environments: environments.environmentsForRunner(),
        variables: (await environments.secrets(envName)) ?? {},
        allowFileAccess: vscode.workspace.isTrusted,
        ...(vscode.workspace.getWorkspaceFolder(document.uri) ? { root: vscode.workspace.getWorkspaceFolder(document.uri)!.uri.fsPath } : {}),
        findExchange: (name) => history.entries.find((e) => e.source?.name === name),
        prompt: async (name, description, isSecret) => vscode.window.showInputBox({ title: `Value for {{${name}}}`, prompt: description, password: isSecret }),
      });
      await vscode.env.clipboard.writeText(exporter(spec));
      void vscode.window.setStatusBarMessage(`Ricochet: copied ${spec.method} ${spec.url} as ${format}`, 4000);
    } catch (error) {
      void vscode.window.showErrorMessage(`Ricochet: could not copy as ${format}: ${(error as Error).message}`);
    }
  };

  const command = (id: string, run: (...args: never[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(`ricochet.${id}`, run));
  };
  command('sendRequest', (uri?: vscode.Uri, index?: number) => controller.send(uri, index));
  command('sendAllRequests', (uri?: vscode.Uri) => controller.sendAll(uri));
  command('rerunLastRequest', () => controller.rerunLast());
  command('cancelRequest', (uri?: vscode.Uri, index?: number) => {
    if (!controller.anyRunning) void vscode.window.showInformationMessage('Ricochet: no request is running.');
    controller.cancel(uri, index);
  });
  command('copyAsCurl', exportAs('cURL', toCurl));
  command('copyAsPython', exportAs('Python Requests', toPythonRequests));
  command('copyAsFetch', exportAs('fetch', toFetch));
  command('pasteCurl', () => pasteCurl());
  command('switchEnvironment', () => environments.pick());
  command('setEnvironmentSecret', () => environments.setSecret());
  command('clearCookies', async () => {
    await sessions.clearCookies();
    void vscode.window.showInformationMessage('Ricochet: cookies cleared for every environment.');
  });
  command('showHistory', () => vscode.commands.executeCommand('ricochet.history.focus'));
  command('clearHistory', async () => {
    const ok = await vscode.window.showWarningMessage(`Clear all ${history.entries.length} entries of the Ricochet history?`, { modal: true }, 'Clear');
    if (ok) await history.clear();
  });
  command('saveResponseBody', async (arg?: unknown) => {
    const exchange = exchangeFrom(arg);
    if (exchange) await responses.saveBody(exchange);
    else void vscode.window.showInformationMessage('Ricochet: send a request first.');
  });
  command('openResponseBody', async (arg?: unknown) => {
    const exchange = exchangeFrom(arg);
    if (exchange) await responses.openBody(exchange);
    else void vscode.window.showInformationMessage('Ricochet: send a request first.');
  });
  command('showHistoryEntry', async (arg?: unknown) => {
    const exchange = exchangeFrom(arg);
    if (exchange) await showResponse(exchange);
  });
  command('replayHistoryEntry', async (arg?: unknown) => {
    const exchange = typeof arg === 'string' || (arg && typeof arg === 'object') ? exchangeFrom(arg) : undefined;
    if (exchange) return controller.replay(exchange);
    const pick = await vscode.window.showQuickPick(
      history.entries.map((e) => ({ label: `${e.hops[0]?.request.method} ${e.hops[0]?.request.url}`, description: new Date(e.startedAt).toLocaleTimeString(), id: e.id })),
      { title: 'Replay from history' },
    );
    const chosen = pick && history.get(pick.id);
    if (chosen) return controller.replay(chosen);
  });
  command('runCollectionRequest', (node?: CollectionNode) => {
    if (node?.kind === 'request') return controller.send(node.uri, node.request.index);
    if (node?.kind === 'file') return controller.sendAll(node.uri);
  });
  command('refreshCollections', () => collections.refresh());

  context.subscriptions.push(environments.onDidChange((name) => notifyEnvironmentChanged(name, settings.environments)));
  // Not awaited: sending works while the language server starts.
  startLanguageClient(context, { environment: environments.current ?? null, settings: settings.environments }).catch((e: unknown) =>
    output.appendLine(`! the .http language server did not start: ${(e as Error).message}`),
  );
  disposeAll = async () => {
    await stopLanguageClient();
    await sessions.dispose();
  };
  // Env files are found by a workspace search, which is slow while the window starts; the status bar updates when done.
  void environments.reload();
  await history.load().catch((e: unknown) => output.appendLine(`! history: ${(e as Error).message}`));
  output.appendLine(`Ricochet activated in ${(performance.now() - started).toFixed(1)} ms${vscode.workspace.isTrusted ? '' : ' (Restricted Mode: $processEnv, $dotenv, file bodies and scripts are off)'}`);
}

export async function deactivate(): Promise<void> {
  await disposeAll?.();
}

function loadSettings(output: vscode.OutputChannel): RicochetSettings {
  const config = vscode.workspace.getConfiguration();
  const { settings, problems } = readSettings((key) => config.get(key));
  for (const p of problems) {
    output.appendLine(`! ${p}`);
    void vscode.window.showWarningMessage(`Ricochet: ${p}`);
  }
  return settings;
}

async function requestTarget(uri?: vscode.Uri, index?: number): Promise<{ document: vscode.TextDocument; index: number } | undefined> {
  const document = uri ? await vscode.workspace.openTextDocument(uri) : activeHttpDocument();
  if (!document) {
    void vscode.window.showWarningMessage('Ricochet: open a .http or .rest file first.');
    return undefined;
  }
  if (index !== undefined) return { document, index };
  const line = vscode.window.activeTextEditor?.selection.active.line ?? 0;
  const found = requestAtLine(parseDocument(document), line);
  if (!found) {
    void vscode.window.showWarningMessage('Ricochet: no request at the cursor.');
    return undefined;
  }
  return { document, index: found.index };
}

/** "Paste cURL as Request": the clipboard's `curl …` command, inserted as a request block. */
async function pasteCurl(): Promise<void> {
  const text = (await vscode.env.clipboard.readText()).trim();
  let block: string;
  try {
    block = specToHttp(parseCurl(text.replace(/\\\r?\n/g, ' ')));
  } catch (error) {
    void vscode.window.showErrorMessage(`Ricochet: the clipboard does not hold a curl command I can read: ${(error as Error).message}`);
    return;
  }
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.languageId === 'http') {
    const at = editor.selection.active;
    const before = at.line > 0 && editor.document.lineAt(at.line - 1).text.trim() !== '' ? '\n' : '';
    await editor.edit((edit) => edit.insert(at, `${before}###\n${block}\n`));
    return;
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'http', content: `###\n${block}` });
  await vscode.window.showTextDocument(doc);
}
