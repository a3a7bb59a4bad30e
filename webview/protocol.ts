/**
 * The one message protocol between the extension host (`extension/panel/`) and the response
 * panel webview (`webview/`). Both sides import these types; nothing else posts messages.
 *
 * Messages cross `postMessage` by structured clone, so an `Exchange` (with its `Uint8Array`
 * bodies) travels as is. This module is imported by browser code: type-only imports only.
 */
import type { Exchange } from '../core/requests/exchange.ts';

export type { Exchange };

/** What the panel needs to know from the user's settings. */
export interface PanelSettings {
  /** Bodies larger than this many bytes are shown truncated, with "Open full body" and "Save". */
  largeBodyThreshold: number;
}

export const DEFAULT_PANEL_SETTINGS: PanelSettings = { largeBodyThreshold: 5 * 1024 * 1024 };

/** One row of the History tab: enough to list it without shipping every body. */
export interface HistoryEntry {
  id: string;
  method: string;
  url: string;
  /** Final status code; absent when the request failed. */
  status?: number;
  startedAt: string;
  /** Total time across every hop, in ms. */
  totalTime: number;
  /** Exception name when the request failed. */
  error?: string;
}

/** A cookie in the environment's jar. */
export interface JarCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  /** ISO date, or absent for a session cookie. */
  expires?: string;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: string;
}

/** Host → panel. */
export type HostMessage =
  /** Show this exchange (bodies may arrive already truncated to the threshold). */
  | { type: 'show'; exchange: Exchange; settings?: PanelSettings }
  /** A request is in flight; the panel shows a progress bar until the next `show`. */
  | { type: 'sending'; method: string; url: string }
  | { type: 'history'; entries: HistoryEntry[] }
  | { type: 'cookieJar'; environment: string; cookies: JarCookie[] }
  | { type: 'settings'; settings: PanelSettings }
  /** Answer to a panel `diff`: the two exchanges to compare (bodies may be truncated). */
  | { type: 'diff'; a: Exchange; b: Exchange };

/** Panel → host. */
export type PanelMessage =
  /** The panel (re)loaded and listens; the host answers with the current state. */
  | { type: 'ready' }
  | { type: 'replay'; id: string }
  /** Show a history entry in the panel. */
  | { type: 'showHistoryEntry'; id: string }
  | { type: 'openBodyInEditor'; id: string }
  | { type: 'saveBody'; id: string }
  | { type: 'copyAsCurl'; id: string }
  | { type: 'deleteCookie'; domain: string; path: string; name: string }
  | { type: 'clearCookies' }
  /** Compare two history entries; the host answers with a `diff` message. */
  | { type: 'diff'; a: string; b: string };

export type HostMessageType = HostMessage['type'];
export type PanelMessageType = PanelMessage['type'];

const panelTypes: ReadonlySet<string> = new Set<PanelMessageType>([
  'ready', 'replay', 'showHistoryEntry', 'openBodyInEditor', 'saveBody', 'copyAsCurl', 'deleteCookie', 'clearCookies', 'diff',
]);

/** Whether `data` is a message the panel may send; the host ignores anything else. */
export function isPanelMessage(data: unknown): data is PanelMessage {
  if (!data || typeof data !== 'object' || !('type' in data) || typeof data.type !== 'string') return false;
  if (!panelTypes.has(data.type)) return false;
  const m = data as Record<string, unknown>;
  switch (m.type) {
    case 'replay': case 'showHistoryEntry': case 'openBodyInEditor': case 'saveBody': case 'copyAsCurl':
      return typeof m.id === 'string';
    case 'deleteCookie':
      return typeof m.domain === 'string' && typeof m.path === 'string' && typeof m.name === 'string';
    case 'diff':
      return typeof m.a === 'string' && typeof m.b === 'string';
    default:
      return true;
  }
}
