/**
 * Variable substitution for one request: `{{name}}`, `{{%name}}`, `{{$system args}}`,
 * `{{req.response.body.$.x}}`. Precedence for a plain name, highest first:
 * script-set request variables, prompt variables, JetBrains globals (`client.global.set`),
 * file variables (`@name = value`, the last definition wins), caller overrides (CLI `--var`),
 * the selected environment (on top of `$shared`).
 *
 * An unresolved variable is a `VariableError` naming it and its position (file:line:col) — it
 * is never sent literally.
 */
import type { HttpFile, HttpRequestNode, Position, TextNode, VariableDefinition } from './ast.ts';
import type { Exchange } from '../requests/exchange.ts';
import { resolveSystemVariable, VariableError } from './system-variables.ts';
import { parseRequestVariable, requestVariableValue } from './request-variables.ts';

export { VariableError } from './system-variables.ts';

export interface VariableScope {
  file: HttpFile;
  /** Absolute path of the `.http` file (for messages and `.env`). */
  filePath?: string;
  /** The request being resolved (for its `@prompt` declarations). */
  request?: HttpRequestNode;
  /** The selected environment's variables on top of `$shared`. */
  environment?: Record<string, string>;
  /** `$shared` alone (for `{{$shared name}}`). */
  shared?: Record<string, string>;
  /** The environment's name, for messages. */
  environmentName?: string;
  /** Caller overrides (CLI `--var k=v`): above the environment, below file and request variables. */
  overrides?: Record<string, string>;
  /** Set by a pre-request script (`request.variables.set`). */
  requestScoped?: Map<string, string>;
  /** JetBrains `client.global` variables. */
  globals?: Map<string, string>;
  /** `false`: `$processEnv`, `$dotenv` (and, in the resolver, file bodies) are refused. */
  allowFileAccess?: boolean;
  dotenv?: () => Record<string, string>;
  processEnv?: Record<string, string | undefined>;
  prompt?: (name: string, description: string | undefined, isSecret: boolean) => Promise<string | undefined>;
  /** Answers already given to prompts (kept for the run so a prompt is asked once per request). */
  promptValues?: Map<string, string>;
  /** The Exchange of the request named `name`, sending it first if needed. */
  getExchange?: (name: string) => Promise<Exchange>;
  now?: () => Date;
}

/** Where a piece of text came from, to name positions in messages. */
export interface TextOrigin {
  file?: string;
  /** The AST node the text is; references' ranges give exact positions. */
  node?: TextNode;
  /** Position of the text's first character (when there is no node). */
  start?: Position;
  /** The text is a whole file (e.g. a `<@` body): count lines from its start. */
  wholeFile?: boolean;
  /** No position of its own (e.g. an environment value): the use site's position is reported. */
  unlocated?: boolean;
  /**
   * The text must stay on one line (a header, the request line); names where it is used. A
   * variable whose value holds CR or LF is then an error naming it, since the line break would
   * split the request (header injection).
   */
  singleLine?: string;
  /** Collects the variables whose values hold CR or LF, with their positions (for curl commands, where data may span lines). */
  lineBreaks?: Array<{ expression: string; value: string; at: Position }>;
}

export interface FoundVariable {
  start: number;
  end: number;
  expression: string;
  percentEncode: boolean;
}

/** `{{…}}` occurrences in `text`, scanned exactly like the parser does (innermost `{{` wins). */
export function findVariables(text: string): FoundVariable[] {
  const found: FoundVariable[] = [];
  let pos = text.indexOf('{{');
  while (pos >= 0) {
    const close = text.indexOf('}}', pos + 2);
    if (close < 0) break;
    const inner = text.lastIndexOf('{{', close - 1);
    const open = inner > pos ? inner : pos;
    // Only a single line: the parser never lets a variable span lines.
    const raw = text.slice(open + 2, close);
    if (!raw.includes('\n')) {
      let expression = raw.trim();
      let percentEncode = false;
      if (expression.startsWith('%')) {
        percentEncode = true;
        expression = expression.slice(1).trim();
      }
      if (expression) found.push({ start: open, end: close + 2, expression, percentEncode });
    }
    pos = text.indexOf('{{', close + 2);
  }
  return found;
}

function splitExpression(expression: string): { name: string; args?: string } {
  if (!expression.startsWith('$')) return { name: expression };
  const name = (/^\$[\w.-]*/.exec(expression) as RegExpExecArray)[0];
  const args = expression.slice(name.length).trim();
  return args ? { name, args } : { name };
}

function positionIn(text: string, offset: number, base: Position): Position {
  let line = base.line;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: line === base.line ? base.character + offset : offset - lineStart };
}

function where(file: string | undefined, pos: Position): string {
  return `${file ? `${file}:` : ''}${pos.line + 1}:${pos.character + 1}`;
}

/** Stamp `file:line:col` onto a VariableError (once, innermost position wins). */
function locate(error: unknown, file: string | undefined, pos: Position): never {
  if (error instanceof VariableError && error.line === undefined) {
    error.line = pos.line;
    error.character = pos.character;
    if (file !== undefined) error.file = file;
    error.message = `${where(file, pos)}: ${error.message}`;
  }
  throw error;
}

export class VariableResolver {
  readonly scope: VariableScope;
  private readonly fileDefinitions = new Map<string, VariableDefinition>();
  private readonly fileValues = new Map<string, string>();
  /** File/environment variables being resolved, to report cycles. */
  private readonly resolving: string[] = [];

  constructor(scope: VariableScope) {
    this.scope = scope;
    for (const def of scope.file.fileVariables) this.fileDefinitions.set(def.name, def);
  }

  /** Substitute every `{{…}}` in `text`. */
  async substitute(text: string, origin: TextOrigin = {}): Promise<string> {
    const found = findVariables(text);
    if (found.length === 0) return text;
    const refs = origin.node?.variables;
    const exact = refs && refs.length === found.length;
    const base = origin.start ?? origin.node?.range.start ?? { line: 0, character: 0 };
    let out = '';
    let last = 0;
    for (let i = 0; i < found.length; i++) {
      const v = found[i] as FoundVariable;
      const pos = exact ? (refs[i] as { range: { start: Position } }).range.start : origin.wholeFile || origin.node || origin.start ? positionIn(text, v.start, base) : base;
      let value: string;
      try {
        value = await this.value(v.expression);
        if (origin.lineBreaks && !v.percentEncode && /[\r\n]/.test(value)) origin.lineBreaks.push({ expression: v.expression, value, at: pos });
        if (origin.singleLine !== undefined && !v.percentEncode && /[\r\n]/.test(value)) {
          const which = value.includes('\r') ? (value.includes('\n') ? 'CR LF' : 'CR') : 'LF';
          throw new VariableError(
            v.expression,
            `{{${v.expression}}} contains a line break (${which}) and cannot be used in ${origin.singleLine}; the request was not sent`,
          );
        }
      } catch (error) {
        if (origin.unlocated) throw error;
        locate(error, origin.file ?? this.scope.filePath, pos);
      }
      out += text.slice(last, v.start) + (v.percentEncode ? encodeURIComponent(value) : value);
      last = v.end;
    }
    return out + text.slice(last);
  }

  /** The value of one `{{expression}}` (without braces or `%`). */
  async value(expression: string): Promise<string> {
    const { name, args } = splitExpression(expression);
    const scope = this.scope;
    if (name.startsWith('$')) {
      const ctx = {
        allowFileAccess: scope.allowFileAccess ?? true,
        lookupEnvironment: (n: string) => scope.environment?.[n],
      };
      return resolveSystemVariable(name, args, {
        ...ctx,
        ...(scope.processEnv ? { processEnv: scope.processEnv } : {}),
        ...(scope.dotenv ? { dotenv: scope.dotenv } : {}),
        ...(scope.shared ? { shared: scope.shared } : {}),
        ...(scope.now ? { now: scope.now } : {}),
      });
    }
    const requestVariable = parseRequestVariable(name);
    if (requestVariable && !this.isPlainVariable(name)) {
      if (!scope.getExchange) throw new VariableError(name, `{{${name}}}: request variables need a runner to send "${requestVariable.request}"`);
      const exchange = await scope.getExchange(requestVariable.request);
      return requestVariableValue(name, requestVariable, exchange);
    }
    const fromScript = scope.requestScoped?.get(name);
    if (fromScript !== undefined) return fromScript;
    const prompt = scope.request?.prompts.find((p) => p.name === name);
    if (prompt) {
      const given = scope.overrides?.[name] ?? scope.promptValues?.get(name);
      if (given !== undefined) return given;
      if (!scope.prompt) {
        throw new VariableError(name, `{{${name}}} needs a value (@prompt ${name}); supply it, e.g. --var ${name}=…`);
      }
      const answer = await scope.prompt(name, prompt.description, prompt.isSecret);
      if (answer === undefined) throw new VariableError(name, `no value was given for {{${name}}} (@prompt ${name})`);
      scope.promptValues?.set(name, answer);
      return answer;
    }
    const global = scope.globals?.get(name);
    if (global !== undefined) return global;
    const def = this.fileDefinitions.get(name);
    if (def) return this.nested(`@${name}`, () => this.fileValue(def));
    const override = scope.overrides?.[name];
    if (override !== undefined) return override;
    const env = scope.environment?.[name];
    if (env !== undefined) {
      // Environment values may reference other variables ({{host}}, {{$shared x}}, {{$processEnv X}}).
      return this.nested(`env ${name}`, () => this.substitute(env, { unlocated: true }));
    }
    const inEnv = scope.environmentName ? `environment "${scope.environmentName}"` : 'any environment (none selected)';
    throw new VariableError(name, `{{${name}}} is not defined: not a file variable (@${name} = …), not in ${inEnv}`);
  }

  /** A name like `a.response.body` that is also a file/env variable resolves as the plain variable. */
  private isPlainVariable(name: string): boolean {
    return this.fileDefinitions.has(name) || this.scope.environment?.[name] !== undefined || this.scope.overrides?.[name] !== undefined;
  }

  private async fileValue(def: VariableDefinition): Promise<string> {
    const cached = this.fileValues.get(def.name);
    if (cached !== undefined) return cached;
    const value = await this.substitute(def.value.text, { node: def.value });
    this.fileValues.set(def.name, value);
    return value;
  }

  private async nested(key: string, run: () => Promise<string>): Promise<string> {
    if (this.resolving.includes(key)) {
      const chain = [...this.resolving.slice(this.resolving.indexOf(key)), key].join(' → ');
      throw new VariableError(key, `variables refer to each other in a cycle: ${chain}`);
    }
    this.resolving.push(key);
    try {
      return await run();
    } finally {
      this.resolving.pop();
    }
  }
}
