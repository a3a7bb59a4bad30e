/**
 * Sending: turns "send this request" (CodeLens, command, tree, history replay) into a Runner run
 * on the Session of the current environment, with cancellation, a progress notification for slow
 * requests, the result in history, the output channel and the response view, and errors that
 * point at the failing line.
 */
import * as vscode from 'vscode';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseHttpFile } from '../core/language/parser.ts';
import { requestAtLine } from '../core/language/ast.ts';
import type { HttpFile } from '../core/language/ast.ts';
import type { Exchange } from '../core/requests/exchange.ts';
import { redactExchange } from '../core/requests/redact.ts';
import type { HistoryStore } from './history.ts';
import type { SendRunnerOptions, SessionRegistry } from './sessions.ts';
import type { EnvironmentManager } from './environment-manager.ts';
import type { RicochetSettings } from './settings.ts';
import { runnerOptionsFrom } from './settings.ts';
import { describeError, isCancelled, logLines } from './describe.ts';
import { replayPlan, replayText } from './replay.ts';

/** How a result reaches the user's eyes (the panel, or the read-only editor fallback). */
export type ShowResponse = (exchange: Exchange) => Promise<void>;

export interface ControllerDeps {
  settings: () => RicochetSettings;
  sessions: SessionRegistry;
  environments: EnvironmentManager;
  history: HistoryStore;
  output: vscode.OutputChannel;
  showResponse: ShowResponse;
  /** A request is about to go out (the panel shows progress). */
  onRequestStart?: (method: string, url: string) => void;
  /** A request from a document got a result (the language server's hover shows it). */
  onResult?: (uri: vscode.Uri, line: number, exchange: Exchange) => void;
}

interface Running {
  abort: AbortController;
  uri: string;
  /** Request indexes this run covers (all of the file for "Send All"). */
  indexes: Set<number> | 'all';
}

type Target = { kind: 'request'; uri: vscode.Uri; index: number } | { kind: 'file'; uri: vscode.Uri } | { kind: 'replay'; exchange: Exchange };

/** Requests that take longer than this get a progress notification with Cancel. */
const PROGRESS_AFTER_MS = 700;

export class RequestController implements vscode.Disposable {
  #deps: ControllerDeps;
  #running = new Map<number, Running>();
  #nextRun = 1;
  #changed = new vscode.EventEmitter<void>();
  #diagnostics = vscode.languages.createDiagnosticCollection('ricochet-send');
  #last: Target | undefined;
  /** Last result per request, keyed by `uri#index`, for the CodeLens summary. */
  readonly lastResults = new Map<string, Exchange>();
  lastExchange: Exchange | undefined;
  readonly onDidChange = this.#changed.event;

  constructor(deps: ControllerDeps) {
    this.#deps = deps;
  }

  isRunning(uri: vscode.Uri, index: number): boolean {
    const key = uri.toString();
    for (const r of this.#running.values()) if (r.uri === key && (r.indexes === 'all' || r.indexes.has(index))) return true;
    return false;
  }

  get anyRunning(): boolean {
    return this.#running.size > 0;
  }

  /** Sends the request at `index`, or the one under the cursor/selection of the active editor. */
  async send(uri?: vscode.Uri, index?: number): Promise<void> {
    if (uri && index !== undefined) return this.#run({ kind: 'request', uri, index });
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'http') {
      void vscode.window.showWarningMessage('Ricochet: open a .http or .rest file and put the cursor in a request to send it.');
      return;
    }
    const doc = editor.document;
    const selection = editor.selection;
    if (!selection.isEmpty && selection.end.line > selection.start.line) {
      // A multi-line selection is the request, as in REST Client.
      return this.#run({ kind: 'request', uri: doc.uri, index: 0 }, doc.getText(selection));
    }
    const file = parseDocument(doc);
    const request = requestAtLine(file, selection.active.line);
    if (!request) {
      void vscode.window.showWarningMessage('Ricochet: no request at the cursor. Requests are separated by lines starting with ###.');
      return;
    }
    return this.#run({ kind: 'request', uri: doc.uri, index: request.index });
  }

  async sendAll(uri?: vscode.Uri): Promise<void> {
    const target = uri ?? activeHttpDocument()?.uri;
    if (!target) {
      void vscode.window.showWarningMessage('Ricochet: open a .http or .rest file to send all of its requests.');
      return;
    }
    return this.#run({ kind: 'file', uri: target });
  }

  async rerunLast(): Promise<void> {
    if (!this.#last) {
      void vscode.window.showInformationMessage('Ricochet: nothing sent yet in this window.');
      return;
    }
    return this.#run(this.#last);
  }

  /** Re-sends what a history entry sent (first hop), on the current environment's session. */
  async replay(exchange: Exchange): Promise<void> {
    return this.#run({ kind: 'replay', exchange });
  }

  /** Cancels the run covering that request, or every run. */
  cancel(uri?: vscode.Uri, index?: number): void {
    for (const [id, r] of this.#running) {
      if (!uri || (r.uri === uri.toString() && (index === undefined || r.indexes === 'all' || r.indexes.has(index)))) {
        r.abort.abort(new Error('Request cancelled by the user'));
        this.#running.delete(id);
      }
    }
    this.#stateChanged();
  }

  async #run(target: Target, selectionText?: string): Promise<void> {
    const { settings: getSettings, sessions, environments, output } = this.#deps;
    const settings = getSettings();
    const envName = environments.current;
    const secrets = await environments.secrets(envName);
    if (!secrets) return; // the user dismissed a secret prompt
    this.#last = selectionText === undefined ? target : this.#last;

    let source: { path: string; text?: string };
    /** Said on the result itself (the panel shows notices), not only in the output channel. */
    const notices: string[] = [];
    let which: number | undefined;
    let uriKey: string;
    let label: string;
    if (target.kind === 'replay') {
      const first = target.exchange.hops[0];
      if (!first) return;
      const plan = replayPlan(target.exchange);
      if (plan.dropped.length) notices.push(`Replayed without ${plan.dropped.join(', ')}: history does not keep credentials (set ricochet.history.keepCredentials to keep them, or send the request from its file).`);
      if (plan.truncatedBody) notices.push('Replayed with the recorded part of the request body only: it was truncated in history.');
      for (const notice of notices) output.appendLine(`! ${notice}`);
      source = { path: replayPath(target.exchange), text: replayText(plan) };
      which = 0;
      uriKey = 'replay';
      label = `${first.request.method} ${first.request.url}`;
    } else {
      const doc = await vscode.workspace.openTextDocument(target.uri);
      source = { path: target.uri.fsPath, text: selectionText ?? doc.getText() };
      uriKey = target.uri.toString();
      if (target.kind === 'request') {
        which = target.index;
        const r = parseHttpFile(source.text ?? '').requests[target.index];
        label = r ? `${r.method} ${r.url.text}` : 'request';
      } else {
        label = path.basename(target.uri.fsPath);
      }
      this.#diagnostics.delete(target.uri);
    }

    const id = this.#nextRun++;
    const abort = new AbortController();
    this.#running.set(id, { abort, uri: uriKey, indexes: which === undefined ? 'all' : new Set([which]) });
    this.#stateChanged();

    const trusted = vscode.workspace.isTrusted;
    const folder = target.kind === 'replay' ? vscode.workspace.workspaceFolders?.[0] : vscode.workspace.getWorkspaceFolder(target.uri);
    const options: SendRunnerOptions = {
      ...runnerOptionsFrom(settings),
      environments: environments.environmentsForRunner(),
      variables: secrets,
      allowScripts: trusted,
      allowFileAccess: trusted,
      signal: abort.signal,
      ...(folder ? { workspaceRoot: folder.uri.fsPath } : {}),
      prompt: async (name, description, isSecret) =>
        vscode.window.showInputBox({ title: `Value for {{${name}}}`, prompt: description, password: isSecret, ignoreFocusOut: true }),
      confirm: async (message) => (await vscode.window.showWarningMessage(message, { modal: true }, 'Send')) === 'Send',
      onRequestStart: (info) => {
        label = `${info.method} ${info.url}`; // resolved, for the progress notification
        output.appendLine(`… ${info.method} ${info.url}${info.name ? ` (${info.name})` : ''}`);
        this.#deps.onRequestStart?.(info.method, info.url);
      },
      onExchange: (exchange) => {
        exchange.notices.push(...notices);
        void this.#record(exchange, target, uriKey).catch((e: unknown) => output.appendLine(`! could not record the exchange: ${(e as Error).message}`));
      },
    };

    // Only slow requests get a notification; fast ones would just flash.
    let finished = false;
    const progressTimer = setTimeout(() => {
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Ricochet: sending ${label}`, cancellable: true },
        async (_progress, token) => {
          token.onCancellationRequested(() => abort.abort(new Error('Request cancelled by the user')));
          await waitFor(() => finished || abort.signal.aborted);
        },
      );
    }, PROGRESS_AFTER_MS);

    try {
      // The workspace + environment's Runner: named requests already sent are not sent again.
      const results = await sessions.withRunner(envName, folder?.uri.fsPath, options, async (runner) =>
        which === undefined ? runner.runFile(source) : [await runner.runRequest(source, which)],
      );
      const shown = results.at(-1);
      if (shown) await this.#present(shown, target);
    } catch (error) {
      if (abort.signal.aborted) output.appendLine(`✖ cancelled: ${label}`);
      // Not awaited: a notification stays until dismissed, and the run must end now.
      else void this.#reportThrown(error, target);
    } finally {
      finished = true;
      clearTimeout(progressTimer);
      this.#running.delete(id);
      this.#stateChanged();
      await sessions.save(envName).catch((e: unknown) => output.appendLine(`! could not save cookies: ${(e as Error).message}`));
    }
  }

  async #record(exchange: Exchange, target: Target, uriKey: string): Promise<void> {
    const { history, output } = this.#deps;
    // Ids are unique within one Runner only; history needs them unique for good.
    exchange.id = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
    // The output channel is as public as a log file: logLines masks credentials, secrets go here.
    for (const line of logLines(redactExchange(exchange, { secrets: this.#deps.environments.knownSecrets }))) output.appendLine(line);
    output.appendLine('');
    this.lastExchange = exchange;
    if (target.kind !== 'replay' && exchange.source?.line !== undefined) {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uriKey);
      const file = doc ? parseDocument(doc) : undefined;
      const request = file ? requestAtLine(file, exchange.source.line) : undefined;
      if (request) this.lastResults.set(`${uriKey}#${request.index}`, exchange);
      if (doc) this.#deps.onResult?.(doc.uri, exchange.source.line, exchange);
      this.#stateChanged();
    }
    try {
      await history.add(exchange);
    } catch (error) {
      output.appendLine(`! could not save history: ${(error as Error).message}`);
    }
  }

  async #present(exchange: Exchange, target: Target): Promise<void> {
    this.lastExchange = exchange;
    await this.#deps.showResponse(exchange);
    const message = describeError(exchange);
    if (!message) return;
    if (isCancelled(exchange)) {
      void vscode.window.showInformationMessage(`Ricochet: ${message}`);
      return;
    }
    if (target.kind !== 'replay' && exchange.source?.line !== undefined) {
      const line = exchange.source.line;
      const uri = target.uri;
      this.#diagnostics.set(uri, [new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), message, vscode.DiagnosticSeverity.Error)]);
    }
    const restricted = !vscode.workspace.isTrusted && /Restricted Mode/.test(message);
    const actions = restricted ? ['Manage Workspace Trust'] : ['Show Output', 'Open Settings'];
    void vscode.window.showErrorMessage(`Ricochet: ${message}`, ...actions).then((pick) => {
      if (pick === 'Show Output') this.#deps.output.show(true);
      if (pick === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'ricochet.');
      if (pick === 'Manage Workspace Trust') void vscode.commands.executeCommand('workbench.trust.manage');
    });
  }

  /** A run that threw (unresolved variable, refused file access…): say why and where. */
  async #reportThrown(error: unknown, target: Target): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    this.#deps.output.appendLine(`✖ ${message}`);
    const line = errorLine(error);
    if (target.kind !== 'replay' && line !== undefined) {
      this.#diagnostics.set(target.uri, [new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), message, vscode.DiagnosticSeverity.Error)]);
    }
    const restricted = !vscode.workspace.isTrusted && /processEnv|dotenv|file|restricted|trust/i.test(message);
    if (restricted) {
      const pick = await vscode.window.showErrorMessage(
        `Ricochet: ${message} — this workspace is in Restricted Mode, where $processEnv, $dotenv and request bodies from files are off.`,
        'Manage Workspace Trust',
      );
      if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
      return;
    }
    const pick = await vscode.window.showErrorMessage(`Ricochet: ${message}`, 'Show Output');
    if (pick) this.#deps.output.show(true);
  }

  #stateChanged(): void {
    void vscode.commands.executeCommand('setContext', 'ricochet.requestRunning', this.#running.size > 0);
    this.#changed.fire();
  }

  dispose(): void {
    this.cancel();
    this.#changed.dispose();
    this.#diagnostics.dispose();
  }
}

/** Parsed once per document version. */
const parsed = new WeakMap<vscode.TextDocument, { version: number; file: HttpFile }>();
export function parseDocument(doc: vscode.TextDocument): HttpFile {
  const hit = parsed.get(doc);
  if (hit && hit.version === doc.version) return hit.file;
  const file = parseHttpFile(doc.getText(), { uri: doc.uri.toString() });
  parsed.set(doc, { version: doc.version, file });
  return file;
}

export function activeHttpDocument(): vscode.TextDocument | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.languageId === 'http' ? doc : undefined;
}

/** Zero-based line from an error's `range`/`line`, or from a "file:line:col" in its message. */
function errorLine(error: unknown): number | undefined {
  if (error && typeof error === 'object') {
    const e = error as { range?: { start?: { line?: number } }; line?: number };
    if (typeof e.range?.start?.line === 'number') return e.range.start.line;
    if (typeof e.line === 'number') return e.line;
  }
  const m = /:(\d+):(\d+)\b/.exec(error instanceof Error ? error.message : String(error));
  return m ? Number(m[1]) - 1 : undefined;
}

function waitFor(condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (condition()) {
        clearInterval(timer);
        resolve();
      }
    }, 100);
  });
}

function replayPath(exchange: Exchange): string {
  if (exchange.source?.file) return exchange.source.file;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  return path.join(folder, 'ricochet-history.http');
}
