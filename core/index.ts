/**
 * Ricochet's HTTP library: Requests for TypeScript.
 *
 *   import * as requests from 'ricochet/core';
 *   const r = await requests.get('https://example.org/get', { params: { q: 'x' }, auth: ['user', 'pass'] });
 *   r.statusCode; r.json();
 */
export { request, get, head, options, post, put, patch, delete } from './requests/api.ts';
export {
  Session,
  DEFAULT_REDIRECT_LIMIT,
  defaultHeaders,
  defaultUserAgent,
  mergeHeaders,
  mergeHooks,
  mergeParams,
} from './requests/sessions.ts';
export type { RequestOptions, SessionSendOptions, ProxiesInit } from './requests/sessions.ts';
export { Request, PreparedRequest, Response, REDIRECT_STATI, responseFrom } from './requests/models.ts';
export type { Body, DataInit, HeadersInit, RequestInit, FilesInit, FileSpec, FileContent } from './requests/models.ts';
export { BaseAdapter, HTTPAdapter } from './requests/adapters.ts';
export type { SendOptions, TimeoutSpec } from './requests/adapters.ts';
export { AuthBase, HTTPBasicAuth, HTTPDigestAuth, HTTPProxyAuth } from './requests/auth.ts';
export type { AuthLike } from './requests/auth.ts';
export {
  RequestsCookieJar,
  Cookie,
  cookiejarFromDict,
  addDictToCookiejar,
  dictFromCookiejar,
  getCookieHeader,
  extractCookiesToJar,
  mergeCookies,
} from './requests/cookies.ts';
export type { CookieOptions, CookieFilter } from './requests/cookies.ts';
export { dispatchHook, defaultHooks } from './requests/hooks.ts';
export type { Hooks, HooksInit, ResponseHook } from './requests/hooks.ts';
export { getNetrcAuth } from './requests/netrc.ts';
export {
  getEncodingsFromContent,
  getEncodingFromHeaders,
  getUnicodeFromResponse,
  parseHeaderLinks,
  shouldBypassProxies,
  getEnvironProxies,
  selectProxy,
} from './requests/utils.ts';
export type { ParamsInit } from './requests/utils.ts';
export { codes } from './requests/codes.ts';
export { CaseInsensitiveDict } from './requests/structures.ts';
export * from './requests/exceptions.ts';
export { toExchange, errorExchange } from './requests/record.ts';
export type { ExchangeExtras } from './requests/record.ts';
export { exchangeToJSON, exchangeFromJSON, finalHop, totalTime } from './requests/exchange.ts';
export type * from './requests/exchange.ts';
export { redactExchange, redactHeaders, REDACTED } from './requests/redact.ts';
