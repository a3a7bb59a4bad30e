/**
 * The resolved `RequestSpec` of one request in a `.http` text, for "Copy as cURL / Python / fetch":
 * variables substituted with the current environment and secrets, exactly as a send would.
 * Request variables (`{{login.response…}}`) come from the last recorded exchange of that request,
 * never from sending it. No `vscode` in here.
 */
import path from 'node:path';
import { parseHttpFile } from '../core/language/parser.ts';
import { resolveRequest } from '../core/language/resolver.ts';
import { environmentsFor, loadDotenv, mergeEnvironmentSets, SHARED } from '../core/language/environments.ts';
import type { EnvironmentSet } from '../core/language/environments.ts';
import type { RequestSpec } from '../core/language/request-spec.ts';
import type { Exchange } from '../core/requests/exchange.ts';

export interface ExportOptions {
  envName?: string;
  /** Environments from settings (REST Client's shape); the files next to the `.http` file are read too. */
  environments?: EnvironmentSet;
  /** Overrides such as secrets. */
  variables?: Record<string, string>;
  allowFileAccess?: boolean;
  /** Workspace root: environment files are looked for up to here. */
  root?: string;
  /** The last exchange of a named request, for request variables. */
  findExchange?: (name: string) => Exchange | undefined;
  prompt?: (name: string, description: string | undefined, isSecret: boolean) => Promise<string | undefined>;
}

export async function requestSpecFor(source: { path: string; text: string }, index: number, options: ExportOptions = {}): Promise<RequestSpec> {
  const file = parseHttpFile(source.text, { uri: source.path });
  const request = file.requests[index];
  if (!request) throw new Error(`${source.path}: there is no request number ${index + 1}`);
  const set = mergeEnvironmentSets(environmentsFor(source.path, options.root).set, options.environments);
  const shared = set[SHARED] ?? {};
  const env = options.envName ? set[options.envName] : undefined;
  const allowFileAccess = options.allowFileAccess ?? true;
  return resolveRequest(file, request, {
    filePath: source.path,
    environment: { ...shared, ...env },
    shared,
    ...(options.envName ? { environmentName: options.envName } : {}),
    overrides: options.variables ?? {},
    allowFileAccess,
    ...(allowFileAccess ? { dotenv: () => loadDotenv(path.dirname(source.path)), processEnv: process.env } : {}),
    ...(options.prompt ? { prompt: options.prompt } : {}),
    getExchange: async (name) => {
      const exchange = options.findExchange?.(name);
      if (!exchange) throw new Error(`request "${name}" has not been sent yet; send it once so its response can fill {{${name}.…}}`);
      return exchange;
    },
  });
}
