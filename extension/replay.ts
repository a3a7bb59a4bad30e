/**
 * What "replay" sends: the first hop of a recorded exchange as a fresh request. Headers the
 * session adds per hop (Host, Content-Length, Cookie…) are left to the session; headers whose
 * value history redacted are left out and named, never sent as "••••••". No `vscode`.
 */
import type { Exchange } from '../core/requests/exchange.ts';
import type { RequestSpec } from '../core/language/request-spec.ts';
import { REDACTED } from './history.ts';
import { specToHttp } from './spec-to-http.ts';

export const HOP_BY_HOP_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'cookie']);

export interface ReplayPlan {
  spec: RequestSpec;
  /** Names of headers left out because history redacted them. */
  dropped: string[];
  /** The recorded body was only the first part of what was sent. */
  truncatedBody: boolean;
}

export function replayPlan(exchange: Exchange): ReplayPlan {
  const first = exchange.hops[0];
  if (!first) throw new Error('this history entry has no request to replay');
  const dropped: string[] = [];
  const headers = first.request.headers.filter(([name, value]) => {
    if (HOP_BY_HOP_HEADERS.has(name.toLowerCase())) return false;
    if (value.includes(REDACTED)) {
      dropped.push(name);
      return false;
    }
    return true;
  });
  const body = first.request.body;
  return {
    spec: {
      method: first.request.method,
      url: first.request.url,
      headers,
      ...(body && body.size !== -1 ? { body: { kind: 'bytes' as const, bytes: body.bytes } } : {}),
    },
    dropped,
    truncatedBody: !!body?.truncated,
  };
}

/** The plan as a `.http` block for the Runner. `{{` in recorded data is not a variable. */
export function replayText(plan: ReplayPlan): string {
  // REST Client has no escape for "{{"; a space keeps recorded text from being read as a variable.
  return specToHttp(plan.spec).replace(/\{\{/g, '{ {');
}
