import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as requests from '../../../core/index.ts';

// Every name CORE-API.md promises on the public entry point.
const NAMES = [
  // the seven methods (+ request)
  'request', 'get', 'head', 'options', 'post', 'put', 'patch', 'delete',
  // models and session
  'Session', 'Request', 'PreparedRequest', 'Response',
  // codes, structures
  'codes', 'CaseInsensitiveDict',
  // exceptions
  'RequestException', 'HTTPError', 'ConnectionError', 'ProxyError', 'SSLError', 'Timeout', 'ReadTimeout',
  'ConnectTimeout', 'URLRequired', 'TooManyRedirects', 'MissingSchema', 'InvalidSchema', 'InvalidURL',
  'InvalidProxyURL', 'InvalidHeader', 'InvalidJSONError', 'JSONDecodeError', 'ChunkedEncodingError',
  'ContentDecodingError', 'StreamConsumedError', 'RetryError', 'UnrewindableBodyError', 'CookieConflictError',
  // auth
  'AuthBase', 'HTTPBasicAuth', 'HTTPDigestAuth', 'HTTPProxyAuth',
  // adapters
  'BaseAdapter', 'HTTPAdapter',
  // cookies
  'RequestsCookieJar', 'cookiejarFromDict', 'addDictToCookiejar', 'dictFromCookiejar',
  // utils
  'getEncodingsFromContent', 'getEncodingFromHeaders', 'getUnicodeFromResponse', 'parseHeaderLinks',
  'getNetrcAuth', 'shouldBypassProxies', 'getEnvironProxies', 'selectProxy',
  // the Exchange record
  'toExchange', 'errorExchange', 'exchangeToJSON', 'exchangeFromJSON',
];

test('core/index.ts exports every name CORE-API.md lists', () => {
  const exported = requests as Record<string, unknown>;
  const missing = NAMES.filter((name) => exported[name] === undefined);
  assert.deepEqual(missing, []);
});

test('the exports are the real things: delete is a function, codes know teapot, ConnectTimeout is a Timeout', () => {
  assert.equal(typeof requests.delete, 'function');
  assert.equal(requests.codes.teapot, 418);
  assert.ok(new requests.ConnectTimeout('x') instanceof requests.Timeout);
  assert.ok(new requests.Session() instanceof requests.Session);
});
