/**
 * Transport adapters, as Requests' `requests.adapters`: an adapter sends ONE prepared request
 * and returns its Response. No redirects, no auth challenges, no cookie jar: the Session does those.
 */
import type { PreparedRequest, Response } from './models.ts';

/** Milliseconds; `null` = no limit. A number sets connect and read alike. */
export type TimeoutSpec = number | { connect?: number | null; read?: number | null; total?: number | null } | null;

export interface SendOptions {
  /** Return after the headers; the body is read through the Response. */
  stream?: boolean;
  timeout?: TimeoutSpec;
  /** `true` (default) verifies TLS, `false` does not, a string is a CA bundle path. */
  verify?: boolean | string;
  /** Client certificate: a PEM path holding cert and key, or `[certPath, keyPath]`. */
  cert?: string | [string, string] | readonly [string, string];
  proxies?: Record<string, string | null | undefined> | null;
  signal?: AbortSignal;
}

export abstract class BaseAdapter {
  abstract send(request: PreparedRequest, options?: SendOptions): Promise<Response>;
  abstract close(): Promise<void>;
}
