/**
 * The custom messages between Ricochet's extension (the language client) and its language
 * server, declared once and imported by both sides. Plain method names and parameter types only,
 * so the client bundle does not pull in server code.
 *
 *   client.sendNotification(EnvironmentChanged.method, { name: 'dev', settings: {...} })
 */

/** Environments from the `ricochet.environments` setting: name → variables (REST Client's shape, `$shared` included). */
export type SettingsEnvironments = Record<string, Record<string, string>>;

/** The user picked another environment, or the `ricochet.environments` setting changed. */
export const EnvironmentChanged = { method: 'ricochet/environmentChanged' } as const;
export interface EnvironmentChangedParams {
  /** The current environment's name; `null` when none is selected. */
  name: string | null;
  /** The `ricochet.environments` setting as the extension read it. */
  settings?: SettingsEnvironments;
}

/** The extension sent a request; the server shows the result when hovering that request. */
export const LastResult = { method: 'ricochet/lastResult' } as const;
export interface LastResultParams {
  uri: string;
  /** Zero-based line of the request line (`GET …`) in the document. */
  line: number;
  status: number;
  timeMs: number;
}

/** Ask the server where the requests of a document are (for code lenses, "send request at cursor"). */
export const RequestRanges = { method: 'ricochet/requestRanges' } as const;
export interface RequestRangesParams {
  uri: string;
}
export interface RequestRangeInfo {
  /** `@name` of the request, when it has one. */
  name?: string;
  /** Text after `###`, when there is one. */
  title?: string;
  method: string;
  url: string;
  /** Zero-based line of the request line. */
  line: number;
  /** The whole request block, from its first line to its last non-separator line. */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}
export type RequestRangesResult = RequestRangeInfo[];
