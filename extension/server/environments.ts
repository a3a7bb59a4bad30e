/**
 * The variables an environment provides to a document, and where each one is written, for
 * hover, completion, diagnostics and go-to-definition.
 *
 * Sources, later ones win: `$shared` from `http-client.env.json` and `http-client.private.env.json`
 * (found in the workspace folder and every folder down to the document's own; nearer folders and
 * the private file win), `$shared` from the `ricochet.environments` setting, then the selected
 * environment from the env files, then from the setting — the extension's own order.
 * `.env` next to the document feeds `{{$dotenv NAME}}`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SettingsEnvironments } from './protocol.ts';

export type EnvSource =
  | { kind: 'settings'; environment: string }
  | { kind: 'env-file'; environment: string; file: string; private: boolean }
  | { kind: 'dotenv'; file: string };

export interface EnvValue {
  name: string;
  value: string;
  source: EnvSource;
  /** Shown masked: the name looks like a credential, or it comes from a private env file. */
  secret: boolean;
  /** Where the key is written (env files only), zero-based. */
  position?: { line: number; character: number };
}

const SECRET_NAME = /pass(word|wd)?|secret|token|api[-_]?key|credential|private[-_]?key|auth/i;

/** The extension's marker for a value kept in VS Code's SecretStorage (see extension/environments.ts). */
export const SECRET_MARKER = '$secret';

export function looksSecret(name: string, value?: string): boolean {
  return SECRET_NAME.test(name) || value === SECRET_MARKER;
}

export function mask(value: string): string {
  return value.length === 0 ? '(empty)' : '•'.repeat(Math.min(8, Math.max(4, value.length)));
}

interface ParsedEnvFile {
  file: string;
  text: string;
  private: boolean;
  /** environment name → key → value/position */
  environments: Map<string, Map<string, { value: string; position?: { line: number; character: number } }>>;
  error?: string;
}

const ENV_FILES = ['http-client.env.json', 'http-client.private.env.json'] as const;
/** How long a folder's files are trusted without looking at the disk again. */
const CACHE_MS = 1000;

export class EnvironmentStore {
  /** The selected environment; `null` means only `$shared` applies. */
  current: string | null = null;
  settings: SettingsEnvironments = {};
  private roots: string[] = [];
  private cache = new Map<string, { at: number; files: ParsedEnvFile[]; dotenv: Map<string, EnvValue> }>();
  /** Merged variables per (environment, document folder), valid while nothing is re-read or re-selected. */
  private merged = new Map<string, { files: ParsedEnvFile[]; variables: Map<string, EnvValue> }>();

  setWorkspaceRoots(roots: string[]): void {
    this.roots = roots.map((r) => path.resolve(r));
  }

  select(name: string | null, settings?: SettingsEnvironments): void {
    this.current = name;
    if (settings) this.settings = settings;
    this.merged.clear();
  }

  /** Forget what was read from disk (a watched env file changed). */
  invalidate(): void {
    this.cache.clear();
    this.merged.clear();
  }

  /** Variables of the selected environment for a document at `docPath` (absolute, or undefined for untitled). */
  variables(docPath: string | undefined): Map<string, EnvValue> {
    return this.variablesOf(this.current, docPath);
  }

  /**
   * The same Map object is returned until an env file is re-read or the selection changes, so
   * callers may use its identity to know that nothing changed.
   */
  variablesOf(environment: string | null, docPath: string | undefined): Map<string, EnvValue> {
    const key = `${environment ?? ''}\u0000${docPath ? path.dirname(docPath) : ''}`;
    const files = this.envFiles(docPath);
    const hit = this.merged.get(key);
    if (hit && hit.files.length === files.length && hit.files.every((f, i) => f === files[i])) return hit.variables;
    const out = new Map<string, EnvValue>();
    const fromSettings = (env: string) => {
      for (const [name, value] of Object.entries(this.settings[env] ?? {})) {
        if (typeof value !== 'string') continue;
        out.set(name, { name, value, source: { kind: 'settings', environment: env }, secret: looksSecret(name, value) });
      }
    };
    const fromFiles = (env: string) => {
      for (const parsed of files) {
        for (const [name, entry] of parsed.environments.get(env) ?? []) {
          const source: EnvSource = { kind: 'env-file', environment: env, file: parsed.file, private: parsed.private };
          out.set(name, { name, value: entry.value, source, secret: parsed.private || looksSecret(name, entry.value), position: entry.position });
        }
      }
    };
    // As the extension merges them (extension/environment-manager.ts): the selected environment
    // beats `$shared`, and at each level the setting beats the env files.
    fromFiles('$shared');
    fromSettings('$shared');
    if (environment) {
      fromFiles(environment);
      fromSettings(environment);
    }
    this.merged.set(key, { files, variables: out });
    return out;
  }

  /** Every environment name known for the document (settings and env files), `$shared` excluded. */
  environmentNames(docPath: string | undefined): string[] {
    const names = new Set(Object.keys(this.settings));
    for (const parsed of this.envFiles(docPath)) for (const name of parsed.environments.keys()) names.add(name);
    names.delete('$shared');
    return [...names].sort();
  }

  /** Environments (other than the selected one) that define `name`. */
  environmentsDefining(name: string, docPath: string | undefined): string[] {
    return this.environmentNames(docPath).filter((env) => env !== this.current && this.variablesOf(env, docPath).has(name));
  }

  /** `.env` values next to the document (for `{{$dotenv NAME}}`). */
  dotenv(docPath: string | undefined): Map<string, EnvValue> {
    if (!docPath) return new Map();
    return this.folder(path.dirname(docPath)).dotenv;
  }

  /** Problems reading env files (invalid JSON), for the document's diagnostics. */
  envFileErrors(docPath: string | undefined): string[] {
    return this.envFiles(docPath).flatMap((f) => (f.error ? [f.error] : []));
  }

  private envFiles(docPath: string | undefined): ParsedEnvFile[] {
    return this.foldersFor(docPath).flatMap((dir) => this.folder(dir).files);
  }

  /** Folders to search, outermost first: from the containing workspace root down to the document's folder. */
  private foldersFor(docPath: string | undefined): string[] {
    if (!docPath) return this.roots;
    const dir = path.dirname(path.resolve(docPath));
    const root = this.roots.filter((r) => dir === r || dir.startsWith(r + path.sep)).sort((a, b) => b.length - a.length)[0];
    if (!root) return [dir];
    const folders = [dir];
    for (let d = dir; d !== root; ) {
      d = path.dirname(d);
      folders.unshift(d);
      if (d === path.dirname(d)) break;
    }
    return folders;
  }

  private folder(dir: string): { files: ParsedEnvFile[]; dotenv: Map<string, EnvValue> } {
    const now = Date.now();
    const hit = this.cache.get(dir);
    if (hit && now - hit.at < CACHE_MS) return hit;
    const files: ParsedEnvFile[] = [];
    for (const name of ENV_FILES) {
      const file = path.join(dir, name);
      const text = readIfExists(file);
      if (text === undefined) continue;
      // Unchanged text keeps the same object, so merged variables (and diagnostics) stay cached.
      const same = hit?.files.find((f) => f.file === file && f.text === text);
      files.push(same ?? parseEnvFile(file, text, name.includes('.private.')));
    }
    const dotenvFile = path.join(dir, '.env');
    const dotenvText = readIfExists(dotenvFile);
    const entry = { at: now, files, dotenv: dotenvText === undefined ? new Map<string, EnvValue>() : parseDotenv(dotenvFile, dotenvText) };
    this.cache.set(dir, entry);
    return entry;
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function parseEnvFile(file: string, text: string, isPrivate: boolean): ParsedEnvFile {
  const environments: ParsedEnvFile['environments'] = new Map();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { file, text, private: isPrivate, environments, error: `${path.basename(file)} is not valid JSON: ${(err as Error).message}` };
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    return { file, text, private: isPrivate, environments, error: `${path.basename(file)} must hold an object of environments` };
  }
  const lines = text.split('\n');
  for (const [envName, vars] of Object.entries(json as Record<string, unknown>)) {
    if (!vars || typeof vars !== 'object' || Array.isArray(vars)) continue;
    const envLine = findKeyLine(lines, envName, 0);
    const map = new Map<string, { value: string; position?: { line: number; character: number } }>();
    for (const [key, value] of Object.entries(vars as Record<string, unknown>)) {
      if (value !== null && typeof value === 'object') continue; // JetBrains auth blocks and the like: not plain variables
      const position = findKeyPosition(lines, key, envLine);
      map.set(key, { value: String(value), position });
    }
    environments.set(envName, map);
  }
  return { file, text, private: isPrivate, environments };
}

/** Where `"key":` is written at or after `fromLine`, so go-to-definition can land on it. */
function findKeyPosition(lines: string[], key: string, fromLine: number): { line: number; character: number } | undefined {
  const needle = JSON.stringify(key);
  for (let i = Math.max(0, fromLine); i < lines.length; i++) {
    const at = lines[i]!.indexOf(needle);
    if (at >= 0) return { line: i, character: at + 1 };
  }
  return undefined;
}

function findKeyLine(lines: string[], key: string, fromLine: number): number {
  return findKeyPosition(lines, key, fromLine)?.line ?? 0;
}

export function parseDotenv(file: string, text: string): Map<string, EnvValue> {
  const out = new Map<string, EnvValue>();
  text.split(/\r?\n/).forEach((line, i) => {
    const m = /^\s*(?:export\s+)?([A-Za-z_][\w.-]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trimStart().startsWith('#')) return;
    let value = m[2]!;
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    const name = m[1]!;
    out.set(name, { name, value, source: { kind: 'dotenv', file }, secret: looksSecret(name), position: { line: i, character: line.indexOf(name) } });
  });
  return out;
}
