/**
 * What the completion list offers that does not depend on the document: HTTP methods, common
 * header names and values, metadata keywords, system variables and assertion words.
 */
import { SYSTEM_VARIABLES as CORE_SYSTEM_VARIABLES } from '../../core/language/system-variables.ts';

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT'] as const;

export const HTTP_VERSIONS = ['HTTP/1.1', 'HTTP/2'] as const;

export interface Entry {
  label: string;
  detail: string;
  /** Snippet text (`${1:…}` placeholders) when it differs from the label. */
  snippet?: string;
}

export const HEADERS: readonly Entry[] = [
  { label: 'Accept', detail: 'Media types the client accepts' },
  { label: 'Accept-Encoding', detail: 'Content codings the client accepts (gzip, br, …)' },
  { label: 'Accept-Language', detail: 'Preferred natural languages' },
  { label: 'Authorization', detail: 'Credentials: Basic, Bearer, Digest, …' },
  { label: 'Cache-Control', detail: 'Caching directives' },
  { label: 'Connection', detail: 'Connection options (keep-alive, close)' },
  { label: 'Content-Encoding', detail: 'Coding applied to the body' },
  { label: 'Content-Length', detail: 'Body size in bytes' },
  { label: 'Content-Type', detail: 'Media type of the body' },
  { label: 'Cookie', detail: 'Cookies sent to the server' },
  { label: 'Host', detail: 'Target host and port' },
  { label: 'If-Match', detail: 'Conditional request on an ETag' },
  { label: 'If-Modified-Since', detail: 'Conditional request on a date' },
  { label: 'If-None-Match', detail: 'Conditional request on ETags' },
  { label: 'Origin', detail: 'Origin of a CORS request' },
  { label: 'Prefer', detail: 'Preferences for the server (RFC 7240)' },
  { label: 'Range', detail: 'Part of the resource to return' },
  { label: 'Referer', detail: 'Address of the previous page' },
  { label: 'User-Agent', detail: 'Client software' },
  { label: 'X-Request-Id', detail: 'Request correlation id' },
  { label: 'X-Request-Type', detail: 'GraphQL makes the body a GraphQL query' },
  { label: 'X-Requested-With', detail: 'XMLHttpRequest marker' },
  { label: 'X-Api-Key', detail: 'API key' },
];

export const MEDIA_TYPES = [
  'application/json',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
  'text/html',
  'text/xml',
  'text/csv',
  'application/graphql',
  'application/ld+json',
  'application/problem+json',
  'application/octet-stream',
  'application/pdf',
  'image/png',
  'image/jpeg',
  '*/*',
] as const;

export const AUTHORIZATION_SCHEMES: readonly Entry[] = [
  { label: 'Basic', detail: 'Basic user:password (Ricochet encodes it)', snippet: 'Basic ${1:user} ${2:password}' },
  { label: 'Bearer', detail: 'Bearer token', snippet: 'Bearer ${1:token}' },
  { label: 'Digest', detail: 'Digest user password (challenge-response)', snippet: 'Digest ${1:user} ${2:password}' },
];

/** Values for headers other than Content-Type/Accept/Authorization, keyed by lower-case name. */
export const HEADER_VALUES: Readonly<Record<string, readonly string[]>> = {
  'accept-encoding': ['gzip, deflate, br, zstd', 'gzip', 'deflate', 'br', 'zstd', 'identity'],
  'cache-control': ['no-cache', 'no-store', 'max-age=0'],
  connection: ['keep-alive', 'close'],
  'content-encoding': ['gzip', 'deflate', 'br', 'zstd'],
  'x-request-type': ['GraphQL'],
  prefer: ['return=minimal', 'return=representation', 'respond-async'],
};

export const METADATA: readonly Entry[] = [
  { label: 'name', detail: 'Names the request so others can use {{name.response…}}', snippet: 'name ${1:requestName}' },
  { label: 'no-redirect', detail: 'Do not follow redirects' },
  { label: 'no-cookie-jar', detail: 'Neither send nor store session cookies' },
  { label: 'timeout', detail: 'Time limit, e.g. 5s, 500ms', snippet: 'timeout ${1:5s}' },
  { label: 'note', detail: 'Ask for confirmation before sending' },
  { label: 'prompt', detail: 'Ask for a variable value before sending', snippet: 'prompt ${1:var} ${2:description}' },
  { label: 'no-reject-unauthorized', detail: 'Do not verify the TLS certificate' },
];

/** Snippets for system variables that take arguments; the names and descriptions come from core. */
const SYSTEM_SNIPPETS: Readonly<Record<string, string>> = {
  $randomInt: '\\$randomInt ${1:0} ${2:100}',
  $datetime: '\\$datetime ${1|iso8601,rfc1123,"YYYY-MM-DD"|}',
  $localDatetime: '\\$localDatetime ${1|iso8601,rfc1123,"YYYY-MM-DD"|}',
  $processEnv: '\\$processEnv ${1:NAME}',
  $dotenv: '\\$dotenv ${1:NAME}',
  $shared: '\\$shared ${1:NAME}',
  '$random.integer': '\\$random.integer(${1:0}, ${2:100})',
  '$random.float': '\\$random.float(${1:0}, ${2:1})',
  '$random.alphabetic': '\\$random.alphabetic(${1:8})',
  '$random.alphanumeric': '\\$random.alphanumeric(${1:8})',
  '$random.hexadecimal': '\\$random.hexadecimal(${1:8})',
};

export const SYSTEM_VARIABLES: readonly Entry[] = CORE_SYSTEM_VARIABLES.map(({ name, description }) => {
  const snippet = SYSTEM_SNIPPETS[name];
  return snippet ? { label: name, detail: description, snippet } : { label: name, detail: description };
});

/** Units accepted by `$timestamp`/`$datetime` offsets. */
export const OFFSET_UNITS = ['y', 'M', 'w', 'd', 'h', 'm', 's', 'ms'] as const;

/** What follows `{{name.` for a named request. */
export const REQUEST_VARIABLE_PARTS: readonly Entry[] = [
  { label: 'response.body.$', detail: 'JSONPath into the response body', snippet: 'response.body.\\$.${1}' },
  { label: 'response.body.*', detail: 'The whole response body' },
  { label: 'response.body.//', detail: 'XPath into an XML response body', snippet: 'response.body.//${1}' },
  { label: 'response.headers.', detail: 'A response header', snippet: 'response.headers.${1:Header-Name}' },
  { label: 'request.body.*', detail: 'The whole request body as sent' },
  { label: 'request.body.$', detail: 'JSONPath into the request body', snippet: 'request.body.\\$.${1}' },
  { label: 'request.headers.', detail: 'A request header as sent', snippet: 'request.headers.${1:Header-Name}' },
];

export const ASSERTION_SUBJECTS: readonly Entry[] = [
  { label: 'status', detail: 'Response status code, e.g. ?? status == 200' },
  { label: 'header', detail: 'A response header: ?? header content-type includes json', snippet: 'header ${1:content-type}' },
  { label: 'body', detail: 'The body, or a JSONPath/XPath into it: ?? body $.id == 5', snippet: 'body ${1:\\$.}' },
  { label: 'duration', detail: 'Total time in milliseconds: ?? duration < 500' },
];

export const ASSERTION_OPERATORS: readonly Entry[] = [
  { label: '==', detail: 'equals' },
  { label: '!=', detail: 'differs from' },
  { label: '<', detail: 'less than' },
  { label: '<=', detail: 'at most' },
  { label: '>', detail: 'greater than' },
  { label: '>=', detail: 'at least' },
  { label: 'includes', detail: 'contains the text' },
  { label: 'startsWith', detail: 'starts with the text' },
  { label: 'endsWith', detail: 'ends with the text' },
  { label: 'matches', detail: 'matches the regular expression' },
  { label: 'exists', detail: 'is present (no value)' },
];
