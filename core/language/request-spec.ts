/**
 * `RequestSpec` is a request with every variable resolved, independent of where it came from
 * (a `.http` block, a `curl …` command, history). cURL import produces one, the variable
 * resolver produces one, the exporters (cURL, Python Requests, fetch) read one, and the runner
 * turns one into a `Session` call.
 */
import type { HeaderList } from '../requests/exchange.ts';

export type RequestSpecBody =
  /** Text sent as is (already variable-substituted), encoded as UTF-8 unless `encoding` says otherwise. */
  | { kind: 'text'; text: string; encoding?: 'utf-8' | 'latin1' }
  /** Raw bytes (e.g. a `< file` body read as is). */
  | { kind: 'bytes'; bytes: Uint8Array }
  /** A file streamed from disk at send time; `path` is absolute. */
  | { kind: 'file'; path: string }
  /** `application/x-www-form-urlencoded` fields, in order, keys may repeat. */
  | { kind: 'form'; fields: Array<[name: string, value: string]> }
  /** `multipart/form-data` parts: a text value, or a file streamed from `path` (absolute). */
  | { kind: 'multipart'; parts: MultipartPartSpec[] };

export interface MultipartPartSpec {
  name: string;
  value?: string;
  path?: string;
  filename?: string;
  contentType?: string;
}

export interface RequestSpec {
  method: string;
  url: string;
  /** Header lines in file order; duplicates kept. */
  headers: HeaderList;
  body?: RequestSpecBody;
  /** Basic credentials (cURL `-u`); `.http` files put Authorization in `headers` instead. */
  auth?: [user: string, password: string];
  /** Digest credentials (REST Client `Authorization: Digest user pass`, `curl --digest -u`); answered by the core's `HTTPDigestAuth`. */
  digestAuth?: [user: string, password: string];
  /** Requested protocol version from the request line (`HTTP/1.1`, `HTTP/2`), informational. */
  httpVersion?: string;
  followRedirects?: boolean;
  /** `false` turns TLS verification off for this request (`@no-reject-unauthorized`, `curl -k`). */
  verify?: boolean;
  /** Milliseconds; applies to connect and read. */
  timeout?: number;
  /** `false`: neither send nor store cookies from the session jar (`@no-cookie-jar`). */
  useCookieJar?: boolean;
  /** Proxy URL for this request (`curl -x`). */
  proxy?: string;
  /** Ask for compressed responses (`curl --compressed`); Ricochet decodes them anyway. */
  compressed?: boolean;
}
