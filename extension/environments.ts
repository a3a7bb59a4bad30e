/**
 * Environments the user can switch between: the `ricochet.environments` setting and
 * `http-client.env.json` / `http-client.private.env.json` files in the workspace, both in
 * REST Client's shape (`{ "$shared": {…}, "dev": {…} }`). Pure (no `vscode`): the extension
 * reads the files and hands the texts in.
 *
 * A value written as `"$secret"` is not a value: it names a variable kept in VS Code's
 * SecretStorage, so it never sits in a settings file, an env file or history.
 */

export type EnvironmentSet = Record<string, Record<string, string>>;

export const SHARED = '$shared';
export const SECRET_MARKER = '$secret';
export const ENV_FILE_NAMES = ['http-client.env.json', 'http-client.private.env.json'] as const;

/** Parses one env file; throws an Error naming the file and the bad entry. */
export function parseEnvironmentFile(text: string, file: string): EnvironmentSet {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new Error(`${file}: expected an object of environments, e.g. {"dev": {"host": "localhost"}}`);
  }
  const result: EnvironmentSet = {};
  for (const [name, vars] of Object.entries(data)) {
    if (!vars || typeof vars !== 'object' || Array.isArray(vars)) {
      throw new Error(`${file}: environment "${name}" must be an object of variables`);
    }
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(vars)) {
      // JetBrains files allow numbers and booleans; they are sent as text anyway.
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
      else throw new Error(`${file}: "${name}.${key}" must be a string, number or boolean`);
    }
    result[name] = out;
  }
  return result;
}

/** Merges sets in order; a later set's variable wins over an earlier one's. */
export function mergeEnvironments(...sets: EnvironmentSet[]): EnvironmentSet {
  const merged: EnvironmentSet = {};
  for (const set of sets) {
    for (const [name, vars] of Object.entries(set)) merged[name] = { ...merged[name], ...vars };
  }
  return merged;
}

/** Names the user can pick, sorted, without `$shared`. */
export function environmentNames(set: EnvironmentSet): string[] {
  return Object.keys(set).filter((n) => n !== SHARED).sort((a, b) => a.localeCompare(b));
}

/** Variables of `envName` (over `$shared`) whose value is the secret marker. */
export function secretVariableNames(set: EnvironmentSet, envName: string | undefined): string[] {
  const vars = effectiveVariables(set, envName);
  return Object.keys(vars).filter((k) => vars[k] === SECRET_MARKER).sort();
}

/** `$shared` overlaid by the environment's own variables. */
export function effectiveVariables(set: EnvironmentSet, envName: string | undefined): Record<string, string> {
  return { ...set[SHARED], ...(envName ? set[envName] : undefined) };
}

/** The key a secret is stored under in SecretStorage. */
export function secretKey(envName: string | undefined, variable: string): string {
  return `ricochet.env/${envName ?? SHARED}/${variable}`;
}
