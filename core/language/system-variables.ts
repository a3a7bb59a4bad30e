/**
 * System variables `{{$…}}` of both dialects: REST Client's `$guid`, `$randomInt`, `$timestamp`,
 * `$datetime`, `$localDatetime`, `$processEnv`, `$dotenv`, and JetBrains' `$uuid`,
 * `$isoTimestamp`, `$random.*`. Each call gives a fresh value.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

/** A `{{…}}` that cannot be turned into a value; the resolver adds the position. */
export class VariableError extends Error {
  override name = 'VariableError';
  /** The variable as written between the braces. */
  readonly variable: string;
  file?: string;
  /** Zero-based. */
  line?: number;
  character?: number;
  constructor(variable: string, message: string) {
    super(message);
    this.variable = variable;
  }
}

export interface SystemVariableContext {
  /** `false` refuses `$processEnv` and `$dotenv` (restricted mode). */
  allowFileAccess: boolean;
  /** Process environment for `$processEnv` (default `process.env`). */
  processEnv?: Record<string, string | undefined>;
  /** Variables of the `.env` file next to the `.http` file, loaded on first use. */
  dotenv?: () => Record<string, string>;
  /** For `%NAME`: the value of NAME in the current environment names the real variable. */
  lookupEnvironment?: (name: string) => string | undefined;
  /** `$shared` variables (REST Client `{{$shared name}}`). */
  shared?: Record<string, string>;
  /** Fixed clock for tests. */
  now?: () => Date;
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** Apply `offset unit` (REST Client: `-3 d`, `1 y`, `2 M`) to a date. */
function applyOffset(date: Date, offset: string | undefined, unit: string | undefined, variable: string): Date {
  if (offset === undefined) return date;
  const n = Number(offset);
  if (!Number.isInteger(n)) throw new VariableError(variable, `{{${variable}}}: offset "${offset}" must be an integer`);
  if (!unit) throw new VariableError(variable, `{{${variable}}}: offset ${offset} needs a unit (y M w d h m s ms)`);
  const d = new Date(date.getTime());
  if (unit === 'y') d.setUTCFullYear(d.getUTCFullYear() + n);
  else if (unit === 'M') d.setUTCMonth(d.getUTCMonth() + n);
  else if (UNIT_MS[unit] !== undefined) d.setTime(d.getTime() + n * (UNIT_MS[unit] as number));
  else throw new VariableError(variable, `{{${variable}}}: unknown offset unit "${unit}" (use y M w d h m s ms)`);
  return d;
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function pad(n: number, width = 2): string {
  return String(Math.abs(Math.trunc(n))).padStart(width, '0');
}

/** Day.js-style format tokens (what REST Client's `$datetime "format"` uses); `[text]` is literal. */
export function formatDate(date: Date, format: string, utc: boolean): string {
  const get = {
    Y: utc ? date.getUTCFullYear() : date.getFullYear(),
    M: utc ? date.getUTCMonth() : date.getMonth(),
    D: utc ? date.getUTCDate() : date.getDate(),
    d: utc ? date.getUTCDay() : date.getDay(),
    H: utc ? date.getUTCHours() : date.getHours(),
    m: utc ? date.getUTCMinutes() : date.getMinutes(),
    s: utc ? date.getUTCSeconds() : date.getSeconds(),
    S: utc ? date.getUTCMilliseconds() : date.getMilliseconds(),
  };
  const offsetMin = utc ? 0 : -date.getTimezoneOffset();
  const zone = (sep: string): string => `${offsetMin < 0 ? '-' : '+'}${pad(offsetMin / 60)}${sep}${pad(offsetMin % 60)}`;
  const tokens: Record<string, () => string> = {
    YYYY: () => pad(get.Y, 4),
    YY: () => pad(get.Y % 100),
    MMMM: () => MONTHS[get.M] as string,
    MMM: () => (MONTHS[get.M] as string).slice(0, 3),
    MM: () => pad(get.M + 1),
    M: () => String(get.M + 1),
    DD: () => pad(get.D),
    D: () => String(get.D),
    dddd: () => DAYS[get.d] as string,
    ddd: () => (DAYS[get.d] as string).slice(0, 3),
    d: () => String(get.d),
    HH: () => pad(get.H),
    H: () => String(get.H),
    hh: () => pad(get.H % 12 || 12),
    h: () => String(get.H % 12 || 12),
    mm: () => pad(get.m),
    m: () => String(get.m),
    ss: () => pad(get.s),
    s: () => String(get.s),
    SSS: () => pad(get.S, 3),
    A: () => (get.H < 12 ? 'AM' : 'PM'),
    a: () => (get.H < 12 ? 'am' : 'pm'),
    ZZ: () => zone(''),
    Z: () => zone(':'),
    X: () => String(Math.floor(date.getTime() / 1000)),
    x: () => String(date.getTime()),
  };
  return format.replace(/\[([^\]]*)\]|YYYY|YY|MMMM|MMM|MM|M|DD|D|dddd|ddd|d|HH|H|hh|h|mm|m|ss|s|SSS|A|a|ZZ|Z|X|x/g, (match, literal: string | undefined) =>
    literal !== undefined ? literal : (tokens[match] as () => string)(),
  );
}

function rfc1123(date: Date, utc: boolean): string {
  if (utc) return date.toUTCString();
  return formatDate(date, 'ddd, DD MMM YYYY HH:mm:ss ZZ', false);
}

function iso8601(date: Date, utc: boolean): string {
  if (utc) return date.toISOString();
  return formatDate(date, 'YYYY-MM-DDTHH:mm:ss.SSSZ', false);
}

/** Split arguments on whitespace, keeping "quoted strings" (quotes removed) together. */
function splitArgs(args: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(args); m; m = re.exec(args)) out.push(m[1] ?? m[2] ?? (m[3] as string));
  return out;
}

/** `(1, 10)` → ['1', '10']. */
function callArgs(args: string | undefined): string[] {
  if (!args) return [];
  const m = /^\((.*)\)$/.exec(args.trim());
  const inner = m ? (m[1] as string) : args;
  return inner.split(/[,\s]+/).filter(Boolean);
}

const ALPHA = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';

function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

function intArg(value: string | undefined, fallback: number, variable: string, what: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new VariableError(variable, `{{${variable}}}: ${what} "${value}" is not a number`);
  return n;
}

/** Names of the system variables, for completion. */
export const SYSTEM_VARIABLES: ReadonlyArray<{ name: string; description: string }> = [
  { name: '$guid', description: 'A random UUID v4 (REST Client)' },
  { name: '$uuid', description: 'A random UUID v4 (JetBrains)' },
  { name: '$randomInt', description: '$randomInt min max: a random integer, min ≤ n < max' },
  { name: '$timestamp', description: '$timestamp [offset unit]: Unix time in seconds' },
  { name: '$isoTimestamp', description: 'The current UTC time in ISO 8601' },
  { name: '$datetime', description: '$datetime rfc1123|iso8601|"format" [offset unit]: UTC date' },
  { name: '$localDatetime', description: '$localDatetime rfc1123|iso8601|"format" [offset unit]: local date' },
  { name: '$processEnv', description: '$processEnv [%]NAME: a process environment variable' },
  { name: '$dotenv', description: '$dotenv [%]NAME: a variable from the .env file next to the .http file' },
  { name: '$shared', description: '$shared NAME: a variable of the $shared environment' },
  { name: '$random.uuid', description: 'A random UUID v4' },
  { name: '$random.integer', description: '$random.integer(from, to): random integer, from ≤ n < to' },
  { name: '$random.float', description: '$random.float(from, to): random float' },
  { name: '$random.alphabetic', description: '$random.alphabetic(length): random letters' },
  { name: '$random.alphanumeric', description: '$random.alphanumeric(length): random letters, digits and _' },
  { name: '$random.hexadecimal', description: '$random.hexadecimal(length): random hex digits' },
  { name: '$random.email', description: 'A random e-mail address' },
];

/** System variables of REST Client and JetBrains that Ricochet knowingly does not provide. */
const SIGN_IN = 'get the token with your tool of choice and put it in an environment variable, e.g. Authorization: Bearer {{token}}';
const UNSUPPORTED: Record<string, string> = {
  $aadToken: `REST Client's Azure Active Directory token is not supported by Ricochet; ${SIGN_IN}`,
  $aadV2Token: `REST Client's Azure Active Directory (v2) token is not supported by Ricochet; ${SIGN_IN}`,
  $oidcAccessToken: `REST Client's OpenID Connect access token is not supported by Ricochet; ${SIGN_IN}`,
  '$auth.token': "JetBrains' OAuth 2.0 token (Security.Auth in the environment file)" + ` is not supported by Ricochet; ${SIGN_IN}`,
  '$auth.idToken': "JetBrains' OpenID Connect ID token (Security.Auth in the environment file)" + ` is not supported by Ricochet; ${SIGN_IN}`,
  $projectRoot: "JetBrains' project folder is not supported by Ricochet; write paths relative to the .http file",
  $historyFolder: "JetBrains' request history folder is not supported by Ricochet; write paths relative to the .http file",
  $exampleServer: "JetBrains' example server is not supported by Ricochet; put the server's URL in a variable",
};
const RANDOM_NAMES = SYSTEM_VARIABLES.filter((v) => v.name.startsWith('$random.')).map((v) => v.name).join(', ');

/**
 * The value of `{{name args}}` for a system variable (`name` starts with `$`). Throws
 * `VariableError` for unknown names, bad arguments, missing process/.env variables and
 * file access in restricted mode.
 */
export function resolveSystemVariable(name: string, args: string | undefined, ctx: SystemVariableContext): string {
  const variable = args ? `${name} ${args}` : name;
  const now = ctx.now?.() ?? new Date();
  const list = splitArgs(args ?? '');
  switch (name) {
    case '$guid':
    case '$uuid':
    case '$random.uuid':
      return randomUUID();
    case '$randomInt': {
      if (list.length === 0) return String(randomInt(0, 1000));
      const min = intArg(list[0], 0, variable, 'min');
      const max = intArg(list[1], 1000, variable, 'max');
      if (!Number.isInteger(min) || !Number.isInteger(max) || max <= min) {
        throw new VariableError(variable, `{{${variable}}}: needs integers min < max, e.g. {{$randomInt 1 100}}`);
      }
      return String(randomInt(min, max));
    }
    case '$timestamp':
      return String(Math.floor(applyOffset(now, list[0], list[1], variable).getTime() / 1000));
    case '$isoTimestamp':
      return applyOffset(now, list[0], list[1], variable).toISOString();
    case '$datetime':
    case '$localDatetime': {
      const utc = name === '$datetime';
      const format = list[0];
      if (!format) throw new VariableError(variable, `{{${variable}}}: needs a format: rfc1123, iso8601 or "a custom format"`);
      const date = applyOffset(now, list[1], list[2], variable);
      if (format === 'rfc1123') return rfc1123(date, utc);
      if (format === 'iso8601') return iso8601(date, utc);
      return formatDate(date, format, utc);
    }
    case '$processEnv':
    case '$dotenv': {
      const what = name === '$processEnv' ? 'process environment variable' : '.env variable';
      if (!ctx.allowFileAccess) {
        throw new VariableError(variable, `{{${variable}}}: reading the ${what}s is not allowed in restricted mode (untrusted workspace)`);
      }
      let key = list[0];
      if (!key) throw new VariableError(variable, `{{${variable}}}: needs a variable name, e.g. {{${name} HOME}}`);
      if (key.startsWith('%')) {
        const indirect = ctx.lookupEnvironment?.(key.slice(1));
        if (indirect === undefined) {
          throw new VariableError(variable, `{{${variable}}}: environment variable "${key.slice(1)}" (named by %) is not defined`);
        }
        key = indirect;
      }
      const source = name === '$processEnv' ? (ctx.processEnv ?? process.env) : (ctx.dotenv?.() ?? {});
      const value = source[key];
      if (value === undefined) throw new VariableError(variable, `{{${variable}}}: ${what} "${key}" is not set`);
      return value;
    }
    case '$shared': {
      const key = list[0];
      const value = key === undefined ? undefined : ctx.shared?.[key];
      if (value === undefined) throw new VariableError(variable, `{{${variable}}}: "${key ?? ''}" is not defined in $shared`);
      return value;
    }
    case '$random.integer': {
      const [a, b] = callArgs(args);
      const from = intArg(a, 0, variable, 'from');
      const to = intArg(b, 1000, variable, 'to');
      if (!Number.isInteger(from) || !Number.isInteger(to) || to <= from) {
        throw new VariableError(variable, `{{${variable}}}: needs integers from < to, e.g. {{$random.integer(1, 100)}}`);
      }
      return String(randomInt(from, to));
    }
    case '$random.float': {
      const [a, b] = callArgs(args);
      const from = intArg(a, 0, variable, 'from');
      const to = intArg(b, 1, variable, 'to');
      return String(from + Math.random() * (to - from));
    }
    case '$random.alphabetic':
    case '$random.alphanumeric':
    case '$random.hexadecimal': {
      const [a] = callArgs(args);
      const length = intArg(a, 10, variable, 'length');
      if (!Number.isInteger(length) || length < 0 || length > 100_000) {
        throw new VariableError(variable, `{{${variable}}}: length must be an integer from 0 to 100000`);
      }
      if (name === '$random.hexadecimal') return randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);
      return randomString(name === '$random.alphabetic' ? ALPHA : ALPHA + DIGITS + '_', length);
    }
    case '$random.email':
      return `${randomString(ALPHA.slice(0, 26), 8)}@${randomString(ALPHA.slice(0, 26), 6)}.com`;
    default: {
      const unsupported = UNSUPPORTED[name];
      if (unsupported) throw new VariableError(variable, `{{${name}}}: ${unsupported}`);
      if (name.startsWith('$random.')) {
        throw new VariableError(
          variable,
          `{{${name}}}: JetBrains' generated test data (${name}) is not supported; the $random variables are ${RANDOM_NAMES}`,
        );
      }
      throw new VariableError(variable, `unknown system variable {{${name}}}`);
    }
  }
}
