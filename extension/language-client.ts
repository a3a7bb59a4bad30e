/**
 * The thin client of Ricochet's language server: starts `dist/server.cjs` over IPC for `.http`
 * and `.rest` documents, and forwards what only the extension knows (the selected environment,
 * the last result of a request). All language intelligence lives in the server.
 *
 *   const client = await startLanguageClient(context, { environment: 'dev', settings });
 *   notifyEnvironmentChanged('prod', settings);
 *   notifyLastResult(document.uri, requestLine, 200, 123);
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind } from 'vscode-languageclient/node';
import type { LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import { EnvironmentChanged, LastResult, RequestRanges } from './server/protocol.ts';
import type { EnvironmentChangedParams, LastResultParams, RequestRangesResult, SettingsEnvironments } from './server/protocol.ts';

let client: LanguageClient | undefined;

export interface LanguageClientStartOptions {
  /** The selected environment at start-up (`null`/absent: none). */
  environment?: string | null;
  /** The `ricochet.environments` setting. */
  settings?: SettingsEnvironments;
}

export async function startLanguageClient(context: vscode.ExtensionContext, options: LanguageClientStartOptions = {}): Promise<LanguageClient> {
  if (client) return client;
  const module = context.asAbsolutePath('dist/server.cjs');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const initializationOptions: EnvironmentChangedParams = { name: options.environment ?? null, settings: options.settings ?? {} };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: 'http' },
      { scheme: 'file', pattern: '**/*.{http,rest}' },
      { scheme: 'untitled', language: 'http' },
    ],
    initializationOptions,
    // Env files are read by the server; it re-reads them when they change.
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/{http-client.env.json,http-client.private.env.json,.env}') },
  };
  const started = new LanguageClient('ricochet', 'Ricochet .http language server', serverOptions, clientOptions);
  client = started;
  context.subscriptions.push({ dispose: () => void stopLanguageClient() });
  await started.start();
  return started;
}

export async function stopLanguageClient(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) await running.stop();
}

/** The user picked another environment, or `ricochet.environments` changed. */
export function notifyEnvironmentChanged(name: string | null | undefined, settings?: SettingsEnvironments): void {
  const params: EnvironmentChangedParams = { name: name ?? null };
  if (settings) params.settings = settings;
  void client?.sendNotification(EnvironmentChanged.method, params);
}

/** A request was sent: the server shows status and time when hovering its request line (zero-based). */
export function notifyLastResult(uri: vscode.Uri, line: number, status: number, timeMs: number): void {
  const params: LastResultParams = { uri: uri.toString(), line, status, timeMs };
  void client?.sendNotification(LastResult.method, params);
}

/** Where the requests of a document are, as the server parsed them; empty when the server is not running. */
export async function requestRanges(uri: vscode.Uri): Promise<RequestRangesResult> {
  if (!client) return [];
  return client.sendRequest<RequestRangesResult>(RequestRanges.method, { uri: uri.toString() });
}
