/**
 * Hover: a variable's value and where it comes from (secrets masked), and for a request line the
 * result of its last send when the extension reported one.
 */
import path from 'node:path';
import type { Hover, Position } from 'vscode-languageserver/node';
import type { HttpRequestNode, VariableReference } from '../../core/language/ast.ts';
import { rangeContains } from '../../core/language/ast.ts';
import type { Analysis } from './analysis.ts';
import { definitionAt, referenceAt, requestAt, requestNameOf, winningDefinition } from './analysis.ts';
import { SYSTEM_VARIABLES } from './catalog.ts';
import type { EnvValue } from './environments.ts';
import { looksSecret, mask } from './environments.ts';

export interface HoverContext {
  environment: Map<string, EnvValue>;
  environmentName: string | null;
  dotenv: Map<string, EnvValue>;
  /** The last result the extension reported for a request. */
  lastResult: (request: HttpRequestNode) => { status: number; timeMs: number } | undefined;
}

export function hover(a: Analysis, position: Position, ctx: HoverContext): Hover | null {
  const ref = referenceAt(a, position);
  if (ref) return { contents: { kind: 'markdown', value: describeReference(a, ref, ctx) }, range: ref.range };
  const def = definitionAt(a, position);
  if (def) {
    const uses = a.references.filter((r) => r.kind === 'file' && r.name === def.name).length;
    const value = resolve(a, def.value.text, ctx, 0);
    const lines = [`**@${def.name}** — file variable`, '', code(looksSecret(def.name) ? mask(value) : value), '', `${uses} reference${uses === 1 ? '' : 's'}`];
    return { contents: { kind: 'markdown', value: lines.join('\n') }, range: def.nameRange };
  }
  const request = requestAt(a, position.line);
  const requestLine = request?.requestLine;
  if (request && requestLine && rangeContains(requestLine.range, position)) {
    const lines = [`**${request.name ?? request.title ?? request.method}** — \`${request.method} ${resolve(a, request.url.text, ctx, 0)}\``];
    const last = ctx.lastResult(request);
    lines.push('', last ? `Last result: **${last.status}** in ${Math.round(last.timeMs)} ms` : 'Not sent yet in this session');
    return { contents: { kind: 'markdown', value: lines.join('\n') }, range: requestLine.range };
  }
  return null;
}

function describeReference(a: Analysis, ref: VariableReference, ctx: HoverContext): string {
  switch (ref.kind) {
    case 'file': {
      const def = winningDefinition(a, ref.name);
      if (!def) return `**${ref.name}** — file variable`;
      const value = resolve(a, def.value.text, ctx, 0);
      return [`**${ref.name}** — file variable (line ${def.range.start.line + 1})`, '', code(looksSecret(ref.name) ? mask(value) : value)].join('\n');
    }
    case 'env': {
      const v = ctx.environment.get(ref.name);
      if (!v) {
        const where = ctx.environmentName ? `environment "${ctx.environmentName}"` : 'any selected environment';
        return `**${ref.name}** — not defined in this file nor in ${where}`;
      }
      return [`**${ref.name}** — ${describeSource(v)}`, '', code(v.secret ? mask(v.value) : v.value)].join('\n');
    }
    case 'system': {
      const entry = SYSTEM_VARIABLES.find((s) => s.label === ref.name);
      const lines = [`**${ref.name}** — system variable`, '', entry?.detail ?? 'unknown system variable'];
      if (ref.name === '$dotenv' && ref.args) {
        const name = ref.args.replace(/^%/, '').trim();
        const v = ctx.dotenv.get(name);
        lines.push('', v ? `.env: ${code(v.secret ? mask(v.value) : v.value)}` : `"${name}" is not in a .env file next to this document`);
      }
      if (ref.name === '$processEnv' && ref.args) {
        const name = ref.args.replace(/^%/, '').trim();
        lines.push('', name in process.env ? 'set in the environment of the language server' : `"${name}" is not set in the environment of the language server`);
      }
      return lines.join('\n');
    }
    case 'request': {
      const name = requestNameOf(ref);
      const target = a.namedRequests.get(name)?.[0];
      if (!target) return `**${ref.name}** — no request named "${name}" in this file`;
      const lines = [`**${name}** — request variable: \`${ref.name.slice(name.length + 1)}\``, '', `from \`${target.method} ${target.url.text}\` (line ${(target.requestLine?.range.start.line ?? target.range.start.line) + 1}); sent first if it has not been sent yet`];
      const last = ctx.lastResult(target);
      if (last) lines.push('', `Last result: **${last.status}** in ${Math.round(last.timeMs)} ms`);
      return lines.join('\n');
    }
    case 'prompt': {
      const prompt = requestAt(a, ref.range.start.line)?.prompts.find((p) => p.name === ref.name);
      return `**${ref.name}** — asked for when the request is sent${prompt?.description ? `: ${prompt.description}` : ''}`;
    }
  }
}

function describeSource(v: EnvValue): string {
  switch (v.source.kind) {
    case 'settings':
      return `environment "${v.source.environment}" (setting ricochet.environments)`;
    case 'env-file':
      return `environment "${v.source.environment}" (${path.basename(v.source.file)}${v.position ? `, line ${v.position.line + 1}` : ''})`;
    case 'dotenv':
      return `.env (${v.source.file})`;
  }
}

/** File and environment variables substituted for display; anything else is left as written. */
function resolve(a: Analysis, text: string, ctx: HoverContext, depth: number): string {
  if (depth > 8 || !text.includes('{{')) return text;
  return text.replace(/\{\{\s*%?([^{}\s]+)\s*\}\}/g, (whole, name: string) => {
    const def = winningDefinition(a, name);
    if (def) return resolve(a, def.value.text, ctx, depth + 1);
    const v = ctx.environment.get(name);
    if (v) return v.secret ? mask(v.value) : v.value;
    return whole;
  });
}

function code(value: string): string {
  const fence = value.includes('`') ? '``' : '`';
  return `${fence}${value}${fence}`;
}
