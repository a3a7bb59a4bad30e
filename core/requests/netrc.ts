/**
 * `.netrc` credentials, as Requests uses them: only when no auth was given, and only for the
 * URL's real host (never a host spelled inside the userinfo — CVE-2024-47081).
 *
 *   getNetrcAuth('https://api.example.com/x');   // ['me', 's3cret'] or undefined
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Env } from './utils.ts';

export interface NetrcEntry {
  login: string;
  account: string;
  password: string;
}

export interface Netrc {
  /** Entries by machine name (lower-cased). */
  hosts: Map<string, NetrcEntry>;
  default?: NetrcEntry;
}

/** Splits netrc text into tokens; `"quoted words"` and backslash escapes are honoured, `#` starts a comment. */
function tokenize(text: string): Array<{ token: string; line: number; lineEnd: number }> {
  const tokens: Array<{ token: string; line: number; lineEnd: number }> = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n') {
      line++;
      i++;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    let token = '';
    if (ch === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        token += text[i];
        i++;
      }
      i++;
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        token += text[i];
        i++;
      }
    }
    tokens.push({ token, line, lineEnd: i });
  }
  return tokens;
}

/** Parses `.netrc` text. Throws a SyntaxError naming the file and line of a malformed entry. */
export function parseNetrc(text: string, file = '.netrc'): Netrc {
  const result: Netrc = { hosts: new Map() };
  const tokens = tokenize(text);
  let i = 0;
  while (i < tokens.length) {
    const { token, line } = tokens[i]!;
    i++;
    if (token === 'macdef') {
      // A macro runs to the next blank line; skip its body.
      const start = tokens[i - 1]!.lineEnd;
      const end = text.indexOf('\n\n', start);
      const stop = end === -1 ? text.length : end;
      while (i < tokens.length && tokens[i]!.lineEnd <= stop) i++;
      continue;
    }
    let machine: string | undefined;
    if (token === 'machine') {
      machine = tokens[i]?.token;
      if (machine === undefined) throw new SyntaxError(`${file}:${line}: "machine" needs a host name`);
      i++;
    } else if (token !== 'default') {
      throw new SyntaxError(`${file}:${line}: expected "machine", "default" or "macdef", found "${token}"`);
    }
    const entry: NetrcEntry = { login: '', account: '', password: '' };
    while (i < tokens.length && !['machine', 'default', 'macdef'].includes(tokens[i]!.token)) {
      const key = tokens[i]!;
      const value = tokens[i + 1];
      if (!['login', 'user', 'account', 'password'].includes(key.token)) {
        throw new SyntaxError(`${file}:${key.line}: unknown netrc keyword "${key.token}"`);
      }
      if (value === undefined) throw new SyntaxError(`${file}:${key.line}: "${key.token}" needs a value`);
      if (key.token === 'login' || key.token === 'user') entry.login = value.token;
      else if (key.token === 'account') entry.account = value.token;
      else entry.password = value.token;
      i += 2;
    }
    if (machine === undefined) result.default = entry;
    else if (!result.hosts.has(machine.toLowerCase())) result.hosts.set(machine.toLowerCase(), entry);
  }
  return result;
}

/** The netrc file to read: `NETRC` when set, else `~/.netrc` or `~/_netrc`; undefined when none exists. */
export function netrcPath(env: Env = process.env): string | undefined {
  if (env.NETRC) return existsSync(env.NETRC) ? env.NETRC : undefined;
  // Sessions ask on every request: remember the home directory's answer briefly instead of
  // probing the disk each time.
  const now = performance.now();
  if (homeLookup && now - homeLookup.at < LOOKUP_TTL_MS) return homeLookup.path;
  const path = [join(homedir(), '.netrc'), join(homedir(), '_netrc')].find((p) => existsSync(p));
  homeLookup = { path, at: now };
  return path;
}

const LOOKUP_TTL_MS = 1000;
let homeLookup: { path: string | undefined; at: number } | undefined;
let lastParsed: { file: string; mtimeMs: number; size: number; netrc: Netrc } | undefined;

/** The parsed file, re-read only when its modification time or size changed. */
function readNetrc(file: string): Netrc {
  const stat = statSync(file);
  if (lastParsed && lastParsed.file === file && lastParsed.mtimeMs === stat.mtimeMs && lastParsed.size === stat.size) return lastParsed.netrc;
  const netrc = parseNetrc(readFileSync(file, 'utf8'), file);
  lastParsed = { file, mtimeMs: stat.mtimeMs, size: stat.size, netrc };
  return netrc;
}

/**
 * `[login, password]` from `.netrc` for `url`'s host, or undefined. The host is the one the URL
 * really connects to (the WHATWG parser's hostname), so `http://example.com:@evil.com/` asks
 * for evil.com. A malformed netrc is ignored unless `raiseErrors`.
 */
export function getNetrcAuth(url: string, raiseErrors = false, env: Env = process.env): [string, string] | undefined {
  const file = netrcPath(env);
  if (!file) return undefined;
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return undefined;
  }
  if (!host) return undefined;
  try {
    const netrc = readNetrc(file);
    const entry = netrc.hosts.get(host) ?? netrc.default;
    if (!entry) return undefined;
    // Like Requests: the account stands in for a missing login.
    return [entry.login || entry.account, entry.password];
  } catch (error) {
    if (raiseErrors) throw error;
    return undefined;
  }
}
