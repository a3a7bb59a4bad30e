/**
 * What the editor adds to the core's environments (`core/language/environments.ts`): reading an
 * env file's text with an error naming the file, and secrets. A value written as `"$secret"` is
 * not a value: it names a variable kept in VS Code's SecretStorage, so it never sits in a
 * settings file, an env file or history. Pure (no `vscode`).
 */
import { ENV_FILE, PRIVATE_ENV_FILE, SHARED, environmentNames, mergeEnvironmentSets, toEnvironmentSet } from '../core/language/environments.ts';
import type { EnvironmentSet } from '../core/language/environments.ts';

export type { EnvironmentSet };
export { SHARED, environmentNames, mergeEnvironmentSets };
export const SECRET_MARKER = '$secret';
export const ENV_FILE_NAMES = [ENV_FILE, PRIVATE_ENV_FILE] as const;

/** Parses one env file's text; throws an Error naming the file and the bad entry. */
export function parseEnvironmentFile(text: string, file: string): EnvironmentSet {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
  return toEnvironmentSet(data, file);
}

/** `$shared` overlaid by the environment's own variables (an unknown name gives just `$shared`). */
export function effectiveVariables(set: EnvironmentSet, envName: string | undefined): Record<string, string> {
  return { ...set[SHARED], ...(envName ? set[envName] : undefined) };
}

/** Variables of `envName` (over `$shared`) whose value is the secret marker. */
export function secretVariableNames(set: EnvironmentSet, envName: string | undefined): string[] {
  const vars = effectiveVariables(set, envName);
  return Object.keys(vars).filter((k) => vars[k] === SECRET_MARKER).sort();
}

/** Drops secret markers, so the Runner never sees "$secret" as a value (secrets go in as variables). */
export function withoutSecretMarkers(set: EnvironmentSet): EnvironmentSet {
  return Object.fromEntries(Object.entries(set).map(([env, vars]) => [env, Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== SECRET_MARKER))]));
}

/** The key a secret is stored under in SecretStorage. */
export function secretKey(envName: string | undefined, variable: string): string {
  return `ricochet.env/${envName ?? SHARED}/${variable}`;
}
