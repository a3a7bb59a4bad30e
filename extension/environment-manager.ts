/**
 * The current environment: a status-bar item showing it, a picker to switch, the list of names
 * from `http-client.env.json` files and the `ricochet.environments` setting, and the secrets
 * (`"$secret"` values) kept in SecretStorage.
 */
import * as vscode from 'vscode';
import {
  ENV_FILE_NAMES, SECRET_MARKER, environmentNames, mergeEnvironmentSets, parseEnvironmentFile, secretKey, secretVariableNames, withoutSecretMarkers,
} from './environments.ts';
import type { EnvironmentSet } from './environments.ts';

const STATE_KEY = 'ricochet.environment';
const NONE_LABEL = 'No Environment';

export class EnvironmentManager implements vscode.Disposable {
  #context: vscode.ExtensionContext;
  #settingsEnvironments: () => EnvironmentSet;
  #fileEnvironments: EnvironmentSet = {};
  #statusBar: vscode.StatusBarItem;
  #changed = new vscode.EventEmitter<string | undefined>();
  #disposables: vscode.Disposable[] = [];
  /** Secret values seen this session, so history can scrub them. */
  #knownSecrets = new Set<string>();
  /** The env-file read in progress (activation does not wait for it; picking and sending do). */
  #loading: Promise<void> = Promise.resolve();
  readonly onDidChange = this.#changed.event;

  constructor(context: vscode.ExtensionContext, settingsEnvironments: () => EnvironmentSet) {
    this.#context = context;
    this.#settingsEnvironments = settingsEnvironments;
    this.#statusBar = vscode.window.createStatusBarItem('ricochet.environment', vscode.StatusBarAlignment.Right, 100);
    this.#statusBar.name = 'Ricochet Environment';
    this.#statusBar.command = 'ricochet.switchEnvironment';
    const watcher = vscode.workspace.createFileSystemWatcher(`**/{${ENV_FILE_NAMES.join(',')}}`);
    const reload = (): void => void this.reload();
    this.#disposables.push(this.#statusBar, this.#changed, watcher, watcher.onDidChange(reload), watcher.onDidCreate(reload), watcher.onDidDelete(reload));
    this.#render();
  }

  get current(): string | undefined {
    return this.#context.workspaceState.get<string>(STATE_KEY);
  }

  /** File environments merged with the settings' (settings win). */
  get all(): EnvironmentSet {
    return mergeEnvironmentSets(this.#fileEnvironments, this.#settingsEnvironments());
  }

  get knownSecrets(): Iterable<string> {
    return this.#knownSecrets;
  }

  /** Re-reads the env files of the workspace; a broken file is reported, the others still count. */
  reload(): Promise<void> {
    this.#loading = this.#read();
    return this.#loading;
  }

  async #read(): Promise<void> {
    const uris = await vscode.workspace.findFiles(`**/{${ENV_FILE_NAMES.join(',')}}`, '**/node_modules/**', 50);
    const sets: EnvironmentSet[] = [];
    // Public files first so the private file's values win, as in JetBrains.
    uris.sort((a, b) => Number(a.path.endsWith('private.env.json')) - Number(b.path.endsWith('private.env.json')));
    for (const uri of uris) {
      try {
        sets.push(parseEnvironmentFile(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), vscode.workspace.asRelativePath(uri)));
      } catch (error) {
        void vscode.window.showWarningMessage(`Ricochet: ${(error as Error).message}`);
      }
    }
    this.#fileEnvironments = mergeEnvironmentSets(...sets);
    this.#render();
  }

  async set(name: string | undefined): Promise<void> {
    await this.#context.workspaceState.update(STATE_KEY, name);
    this.#render();
    this.#changed.fire(name);
  }

  async pick(): Promise<void> {
    await this.#loading;
    const names = environmentNames(this.all);
    const current = this.current;
    const items: vscode.QuickPickItem[] = [
      { label: NONE_LABEL, description: current === undefined ? 'current' : undefined },
      ...names.map((n) => ({ label: n, description: n === current ? 'current' : undefined })),
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Ricochet: Switch Environment',
      placeHolder: names.length ? 'Environment for sending requests' : 'No environments: add http-client.env.json or the ricochet.environments setting',
    });
    if (picked) await this.set(picked.label === NONE_LABEL ? undefined : picked.label);
  }

  /**
   * Values of the current environment's `"$secret"` variables, from SecretStorage; asks for a
   * missing one (and stores it). Returns undefined when the user cancels.
   */
  async secrets(envName: string | undefined): Promise<Record<string, string> | undefined> {
    await this.#loading;
    const out: Record<string, string> = {};
    for (const name of secretVariableNames(this.all, envName)) {
      let value = await this.#context.secrets.get(secretKey(envName, name));
      if (value === undefined) {
        value = await this.#askSecret(envName, name);
        if (value === undefined) return undefined;
      }
      this.#knownSecrets.add(value);
      out[name] = value;
    }
    return out;
  }

  /** "Set Environment Secret": pick a `$secret` variable of the current environment and store its value. */
  async setSecret(): Promise<void> {
    await this.#loading;
    const env = this.current;
    const names = secretVariableNames(this.all, env);
    if (!names.length) {
      void vscode.window.showInformationMessage(
        `Ricochet: the environment "${env ?? NONE_LABEL}" has no secret variables. Mark one with the value "${SECRET_MARKER}" in http-client.env.json or ricochet.environments.`,
      );
      return;
    }
    const name = names.length === 1 ? names[0] : await vscode.window.showQuickPick(names, { title: 'Secret variable to set' });
    if (name) await this.#askSecret(env, name);
  }

  /** Settings-shaped environments without secret markers (the Runner gets secrets as variables). */
  environmentsForRunner(): EnvironmentSet {
    return withoutSecretMarkers(this.#settingsEnvironments());
  }

  async #askSecret(envName: string | undefined, name: string): Promise<string | undefined> {
    const value = await vscode.window.showInputBox({
      title: `Secret "${name}" for environment "${envName ?? NONE_LABEL}"`,
      prompt: 'Stored in VS Code secret storage, never in settings, env files or history.',
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return undefined;
    await this.#context.secrets.store(secretKey(envName, name), value);
    this.#knownSecrets.add(value);
    return value;
  }

  #render(): void {
    const current = this.current;
    this.#statusBar.text = `$(server-environment) ${current ?? NONE_LABEL}`;
    this.#statusBar.tooltip = 'Ricochet environment — click to switch';
    this.#statusBar.show();
  }

  dispose(): void {
    for (const d of this.#disposables) d.dispose();
  }
}
