/**
 * Environments: JetBrains' `http-client.env.json` + `http-client.private.env.json` (private
 * values win), REST Client's settings shape `{ $shared: {…}, dev: {…} }` handed in by a caller,
 * and `.env` files. All end up as an `EnvironmentSet`: environment name → variables, with
 * `$shared` applying to every environment.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, parse as parsePath, resolve } from 'node:path';

export type EnvironmentSet = Record<string, Record<string, string>>;

export const ENV_FILE = 'http-client.env.json';
export const PRIVATE_ENV_FILE = 'http-client.private.env.json';
export const SHARED = '$shared';

/** A broken environment file, or an environment name that does not exist. */
export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
  readonly file?: string;
  constructor(message: string, file?: string) {
    super(message);
    if (file !== undefined) this.file = file;
  }
}

function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value);
}

/** Normalise parsed JSON (`{ env: { key: value } }`) into an `EnvironmentSet`; non-string values become text. */
export function toEnvironmentSet(data: unknown, file?: string): EnvironmentSet {
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new EnvironmentError(`${file ?? 'environments'}: expected an object of environments, e.g. { "dev": { "host": "…" } }`, file);
  }
  const set: EnvironmentSet = {};
  for (const [env, vars] of Object.entries(data as Record<string, unknown>)) {
    // A JSON schema reference for editors is not an environment.
    if (env === '$schema' && typeof vars === 'string') continue;
    if (!vars || typeof vars !== 'object' || Array.isArray(vars)) {
      throw new EnvironmentError(`${file ?? 'environments'}: environment "${env}" must be an object of variables`, file);
    }
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(vars as Record<string, unknown>)) out[key] = toText(value);
    set[env] = out;
  }
  return set;
}

/** Later sets win, variable by variable. */
export function mergeEnvironmentSets(...sets: Array<EnvironmentSet | undefined>): EnvironmentSet {
  const merged: EnvironmentSet = {};
  for (const set of sets) {
    if (!set) continue;
    for (const [env, vars] of Object.entries(set)) merged[env] = { ...merged[env], ...vars };
  }
  return merged;
}

function readJson(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Name the line and column so the user can jump there.
    const pos = /position (\d+)/.exec(message);
    let where = '';
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      where = `:${line}:${before.length - before.lastIndexOf('\n')}`;
    }
    throw new EnvironmentError(`${file}${where}: invalid JSON: ${message}`, file);
  }
}

/** `http-client.env.json` and `http-client.private.env.json` of one directory (absent files are empty). */
export function loadEnvironmentFiles(dir: string): { set: EnvironmentSet; files: string[] } {
  const files: string[] = [];
  const sets: EnvironmentSet[] = [];
  for (const name of [ENV_FILE, PRIVATE_ENV_FILE]) {
    const file = join(dir, name);
    if (!existsSync(file)) continue;
    files.push(file);
    sets.push(toEnvironmentSet(readJson(file), file));
  }
  return { set: mergeEnvironmentSets(...sets), files };
}

/**
 * The directory whose environment files apply to `httpFile`: the nearest one at or above the
 * file's directory that has `http-client.env.json` or `http-client.private.env.json`, not going
 * above `root` (the workspace root; without it, the search stops at the filesystem root).
 */
export function findEnvironmentDir(httpFile: string, root?: string): string | undefined {
  let dir = dirname(resolve(httpFile));
  const stop = root ? resolve(root) : parsePath(dir).root;
  for (;;) {
    if (existsSync(join(dir, ENV_FILE)) || existsSync(join(dir, PRIVATE_ENV_FILE))) return dir;
    if (dir === stop || !dir.startsWith(stop)) return undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Environments for a `.http` file from the nearest environment files (see `findEnvironmentDir`). */
export function environmentsFor(httpFile: string, root?: string): { set: EnvironmentSet; files: string[] } {
  const dir = findEnvironmentDir(httpFile, root);
  return dir ? loadEnvironmentFiles(dir) : { set: {}, files: [] };
}

/** Names a user can pick (everything but `$shared`), sorted. */
export function environmentNames(set: EnvironmentSet): string[] {
  return Object.keys(set).filter((n) => n !== SHARED).sort();
}

/**
 * The variables of environment `name` on top of `$shared`. With no name, just `$shared`.
 * An unknown name is an error listing the ones that exist.
 */
export function selectEnvironment(set: EnvironmentSet, name?: string): Record<string, string> {
  const shared = set[SHARED] ?? {};
  if (name === undefined || name === '' || name === SHARED) return { ...shared };
  const env = set[name];
  if (!env) {
    const names = environmentNames(set);
    throw new EnvironmentError(
      `unknown environment "${name}"; ${names.length ? `available: ${names.join(', ')}` : 'no environments are defined (http-client.env.json or settings)'}`,
    );
  }
  return { ...shared, ...env };
}

/** `.env` syntax: `KEY=value`, optional `export `, `#` comments, single/double quotes (double quotes understand \n). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([\w.-]+)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = (m[2] as string).trim();
    const q = value[0];
    if ((q === '"' || q === "'" || q === '`') && value.length >= 2 && value.endsWith(q)) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r').replace(/\\t/g, '\t').replace(/\\"/g, '"');
    } else {
      const hash = value.search(/\s#/);
      if (hash >= 0) value = value.slice(0, hash).trimEnd();
    }
    out[m[1] as string] = value;
  }
  return out;
}

/** The `.env` file in `dir` (empty when there is none). */
export function loadDotenv(dir: string): Record<string, string> {
  const file = join(dir, '.env');
  if (!existsSync(file)) return {};
  return parseDotenv(readFileSync(file, 'utf8'));
}
