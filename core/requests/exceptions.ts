/**
 * The exception tree, shaped like Requests' `requests.exceptions`.
 *
 *   try { await requests.get(url); } catch (e) { if (e instanceof requests.Timeout) … }
 *
 * Every error carries the request it was about (and the response, when there was one), so a
 * caller can always say *which* request failed and where.
 */

/** What an exception may point back at; kept structural so this module imports no models. */
export interface ExceptionContext {
  request?: unknown;
  response?: unknown;
  cause?: unknown;
}

export class RequestException extends Error {
  request: unknown;
  response: unknown;

  constructor(message: string, context: ExceptionContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    this.request = context.request;
    // Like Requests: a response's own request stands in when none was given.
    this.response = context.response;
    if (this.request === undefined && isObjectWithRequest(context.response)) {
      this.request = context.response.request;
    }
  }
}

function isObjectWithRequest(value: unknown): value is { request: unknown } {
  return typeof value === 'object' && value !== null && 'request' in value;
}

/** An HTTP error status, raised by `Response.raiseForStatus()`. */
export class HTTPError extends RequestException {}

/** The connection could not be made or broke. */
export class ConnectionError extends RequestException {}

/** The proxy refused or failed. */
export class ProxyError extends ConnectionError {}

/** TLS failed: the message says why (expired, self-signed, wrong host, …). */
export class SSLError extends ConnectionError {}

/** The request timed out (either phase). */
export class Timeout extends RequestException {}

/**
 * Connecting timed out. It is both a ConnectionError and a Timeout, as in Requests; JavaScript
 * has single inheritance, so `instanceof Timeout` is answered by `Symbol.hasInstance` below.
 */
export class ConnectTimeout extends ConnectionError {}

/** The server accepted the connection but sent nothing in time. */
export class ReadTimeout extends Timeout {}

// `e instanceof Timeout` must be true for a ConnectTimeout too.
Object.defineProperty(Timeout, Symbol.hasInstance, {
  value(this: typeof Timeout, instance: unknown): boolean {
    if (this !== Timeout) return Function.prototype[Symbol.hasInstance].call(this, instance);
    return (
      Function.prototype[Symbol.hasInstance].call(Timeout, instance) ||
      Function.prototype[Symbol.hasInstance].call(ConnectTimeout, instance)
    );
  },
});

export class URLRequired extends RequestException {}
export class TooManyRedirects extends RequestException {}
export class MissingSchema extends RequestException {}
export class InvalidSchema extends RequestException {}
export class InvalidURL extends RequestException {}
export class InvalidProxyURL extends InvalidURL {}
export class InvalidHeader extends RequestException {}
export class InvalidJSONError extends RequestException {}

/** The body was not valid JSON. Carries the parse position like Python's JSONDecodeError. */
export class JSONDecodeError extends InvalidJSONError {
  doc: string;
  pos: number;

  constructor(message: string, doc: string, pos: number, context: ExceptionContext = {}) {
    super(message, context);
    this.doc = doc;
    this.pos = pos;
  }
}

export class ChunkedEncodingError extends RequestException {}
export class ContentDecodingError extends RequestException {}
export class StreamConsumedError extends RequestException {}
export class RetryError extends RequestException {}
export class UnrewindableBodyError extends RequestException {}

/** Raised by the cookie jar when a name matches more than one cookie. */
export class CookieConflictError extends RequestException {}
