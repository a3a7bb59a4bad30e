/**
 * Every `ricochet.*` setting (and VS Code's `http.proxy*`) is read here, once, and turned into
 * plain options for the core. Pure: the caller hands in a getter, so it unit-tests without VS Code.
 *
 *   const { settings, problems } = readSettings((key) => vscode.workspace.getConfiguration().get(key));
 */

export interface ClientCertificate {
  cert: string;
  key?: string;
}

export type PreviewColumn = 'beside' | 'current';

export interface RicochetSettings {
  /** Milliseconds for connect and each read; `null` means no limit (the setting was 0). */
  timeout: number | null;
  followRedirects: boolean;
  maxRedirects: number;
  rememberCookies: boolean;
  defaultHeaders: Record<string, string>;
  /** Keyed by `host` or `host:port`. */
  certificates: Record<string, ClientCertificate>;
  /** `false`, `true`, or the path of a CA bundle to trust. */
  verify: boolean | string;
  environments: Record<string, Record<string, string>>;
  historyMaxEntries: number;
  keepCredentials: boolean;
  largeBodyThreshold: number;
  previewColumn: PreviewColumn;
  /** From `http.proxy`, `http.noProxy` (VS Code's own settings). */
  proxies: Record<string, string>;
  /** `http.proxyStrictSSL`: whether the proxy's own certificate is verified. */
  proxyStrictSSL: boolean;
}

export const DEFAULT_SETTINGS: Readonly<RicochetSettings> = Object.freeze({
  timeout: 30_000,
  followRedirects: true,
  maxRedirects: 30,
  rememberCookies: true,
  defaultHeaders: { 'User-Agent': 'ricochet' },
  certificates: {},
  verify: true,
  environments: {},
  historyMaxEntries: 500,
  keepCredentials: false,
  largeBodyThreshold: 5 * 1024 * 1024,
  previewColumn: 'beside',
  proxies: {},
  proxyStrictSSL: true,
});

/** The settings this module reads; the extension re-reads when any of them changes. */
export const WATCHED_SECTIONS = ['ricochet', 'http.proxy', 'http.proxyStrictSSL', 'http.noProxy'] as const;

export type SettingGetter = (key: string) => unknown;

export interface SettingsResult {
  settings: RicochetSettings;
  /** One message per invalid setting, naming it; the default was used instead. */
  problems: string[];
}

export function readSettings(get: SettingGetter): SettingsResult {
  const problems: string[] = [];
  const bad = (key: string, expected: string, value: unknown): void => {
    problems.push(`Setting "${key}" should be ${expected}, but is ${JSON.stringify(value)}; using the default.`);
  };
  /** The value when `ok` accepts it; the fallback (and a problem) otherwise; the fallback when unset. */
  const typed = <T>(key: string, fallback: T, ok: (v: unknown) => v is T, expected: string): T => {
    const v = get(key);
    if (v === undefined || v === null) return fallback;
    if (ok(v)) return v;
    bad(key, expected, v);
    return fallback;
  };
  const number = (key: string, fallback: number): number =>
    typed(key, fallback, (v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0, 'a number ≥ 0');
  const bool = (key: string, fallback: boolean): boolean => typed(key, fallback, (v): v is boolean => typeof v === 'boolean', 'true or false');
  const string = (key: string, fallback: string): string => typed(key, fallback, (v): v is string => typeof v === 'string', 'a string').trim();
  const stringMap = (key: string, fallback: Record<string, string>): Record<string, string> => ({ ...typed(key, fallback, isStringRecord, 'an object of string values') });

  const timeout = number('ricochet.timeout', DEFAULT_SETTINGS.timeout ?? 0);
  const caBundle = string('ricochet.caBundle', '');
  const verifyOn = bool('ricochet.verify', true);

  const environments: Record<string, Record<string, string>> = {};
  const envs = get('ricochet.environments');
  if (envs !== undefined && envs !== null) {
    if (!isPlainObject(envs)) bad('ricochet.environments', 'an object of environments', envs);
    else {
      for (const [name, vars] of Object.entries(envs)) {
        if (isStringRecord(vars)) environments[name] = { ...vars };
        else problems.push(`Setting "ricochet.environments": environment "${name}" should be an object of string values; it was skipped.`);
      }
    }
  }

  const certificates: Record<string, ClientCertificate> = {};
  const certs = get('ricochet.certificates');
  if (certs !== undefined && certs !== null) {
    if (!isPlainObject(certs)) bad('ricochet.certificates', 'an object keyed by host', certs);
    else {
      for (const [host, entry] of Object.entries(certs)) {
        if (isPlainObject(entry) && typeof entry.cert === 'string' && (entry.key === undefined || typeof entry.key === 'string')) {
          certificates[host.toLowerCase()] = entry.key ? { cert: entry.cert, key: entry.key } : { cert: entry.cert };
        } else {
          problems.push(`Setting "ricochet.certificates": "${host}" needs {"cert": "<path>", "key": "<path>"}; it was skipped.`);
        }
      }
    }
  }

  const preview = string('ricochet.previewColumn', 'beside');
  let previewColumn: PreviewColumn = 'beside';
  if (preview === 'beside' || preview === 'current') previewColumn = preview;
  else bad('ricochet.previewColumn', '"beside" or "current"', preview);

  const proxies: Record<string, string> = {};
  const proxy = string('http.proxy', '');
  if (proxy) {
    proxies.http = proxy;
    proxies.https = proxy;
  }
  const noProxy = get('http.noProxy');
  if (Array.isArray(noProxy) && noProxy.length > 0) {
    proxies.no_proxy = noProxy.filter((h): h is string => typeof h === 'string').join(',');
  }

  return {
    problems,
    settings: {
      timeout: timeout === 0 ? null : timeout,
      followRedirects: bool('ricochet.followRedirects', true),
      maxRedirects: Math.floor(number('ricochet.maxRedirects', DEFAULT_SETTINGS.maxRedirects)),
      rememberCookies: bool('ricochet.rememberCookies', true),
      defaultHeaders: stringMap('ricochet.defaultHeaders', { ...DEFAULT_SETTINGS.defaultHeaders }),
      certificates,
      verify: verifyOn ? caBundle || true : false,
      environments,
      historyMaxEntries: Math.floor(number('ricochet.history.maxEntries', DEFAULT_SETTINGS.historyMaxEntries)),
      keepCredentials: bool('ricochet.history.keepCredentials', false),
      largeBodyThreshold: number('ricochet.largeBodyThreshold', DEFAULT_SETTINGS.largeBodyThreshold),
      previewColumn,
      proxies,
      proxyStrictSSL: bool('http.proxyStrictSSL', true),
    },
  };
}

/** The client certificate configured for a URL's host (`host:port` beats `host`). */
export function certificateFor(certificates: Record<string, ClientCertificate>, url: string): string | [string, string] | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const host = parsed.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  const entry = certificates[`${host}:${port}`] ?? certificates[host];
  if (!entry) return undefined;
  return entry.key ? [entry.cert, entry.key] : entry.cert;
}

/** The options the Runner takes that come from settings (environment, signal etc. are added by the caller). */
export interface SettingsRunnerOptions {
  verify: boolean | string;
  timeout?: number;
  followRedirects: boolean;
  maxRedirects: number;
  defaultHeaders: Record<string, string>;
}

export function runnerOptionsFrom(settings: RicochetSettings): SettingsRunnerOptions {
  return {
    verify: settings.verify,
    // The Runner's own default is finite; "no limit" is spelled as the largest timer Node allows.
    timeout: settings.timeout ?? 2_147_483_647,
    followRedirects: settings.followRedirects,
    maxRedirects: settings.maxRedirects,
    defaultHeaders: settings.defaultHeaders,
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string');
}
