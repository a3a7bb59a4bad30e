/**
 * Property-based fuzzing of the parser: random and mutated `.http` files never throw, never hit
 * the internal-error path, and every range lies inside the document. RICOCHET_FUZZ_RUNS sets the
 * number of inputs per property (e.g. 100000 for a long run); a few thousand by default.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseHttpFile, splitLines } from '../../../core/language/parser.ts';
import type { HttpFile, Range } from '../../../core/language/ast.ts';

const RUNS = Number(process.env.RICOCHET_FUZZ_RUNS ?? 2000);
const fixtures = join(import.meta.dirname, '../../fixtures/http');
const seeds = [
  readFileSync(join(fixtures, 'rest-client/requests.http'), 'utf8'),
  readFileSync(join(fixtures, 'jetbrains/requests.http'), 'utf8'),
];

/** Pieces that drive the parser into its interesting states. */
const TOKENS = [
  '###', '### title', '\n', '\r\n', '\r', ' ', '\t', '#', '//', '# @name x', '// @name y', '# @timeout', '# @prompt',
  '@v = 1', '@', '=', '{{', '}}', '{{%', '{{$randomInt 1 2}}', '{{a.response.body.$.x}}', '{%', '%}', '< {%', '> {%',
  '??', '?? status == 200', '<', '<@', '<@latin1 ./f', '>', '>>', '>>!', '?', '&', ':', 'GET', 'POST', 'get', 'FOO',
  'http://127.0.0.1/', 'HTTP/1.1', 'HTTP/9', 'Content-Type: multipart/form-data; boundary=b', '--b', '--b--',
  'Content-Type: application/x-www-form-urlencoded', 'X-Request-Type: GraphQL', 'curl ', '\\', '{', '}', '"', '\u00e9', '\ud83d\ude00',
  '\u0000', '\ufeff',
];

const token = fc.constantFrom(...TOKENS);
const piece = fc.oneof(token, fc.string({ maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 4 }));
const tokenFile = fc.array(piece, { maxLength: 80 }).map((parts) => parts.join(''));

/** Edits applied to a real file: insert, delete or replace a span with a token or random text. */
const mutation = fc.record({
  at: fc.nat(),
  length: fc.nat({ max: 20 }),
  kind: fc.constantFrom('insert', 'delete', 'replace'),
  text: piece,
});
const mutatedFile = fc.tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 12 })).map(([seed, edits]) => {
  let s = seed;
  for (const e of edits) {
    const at = s.length ? e.at % (s.length + 1) : 0;
    if (e.kind === 'insert') s = s.slice(0, at) + e.text + s.slice(at);
    else if (e.kind === 'delete') s = s.slice(0, at) + s.slice(at + e.length);
    else s = s.slice(0, at) + e.text + s.slice(at + e.length);
  }
  return s;
});

function checkRange(lines: string[], range: Range, what: string): void {
  const { start, end } = range;
  assert.ok(start.line >= 0 && end.line < lines.length, `${what}: line out of document ${JSON.stringify(range)}`);
  assert.ok(start.line < end.line || (start.line === end.line && start.character <= end.character), `${what}: start after end ${JSON.stringify(range)}`);
  assert.ok(start.character >= 0 && start.character <= (lines[start.line] as string).length, `${what}: start character out of line ${JSON.stringify(range)}`);
  assert.ok(end.character >= 0 && end.character <= (lines[end.line] as string).length, `${what}: end character out of line ${JSON.stringify(range)}`);
}

/** Walk every object in the tree and check anything shaped like a Range. */
function checkAllRanges(text: string, file: HttpFile): void {
  const lines = splitLines(text);
  const seen = new Set<object>();
  const walk = (value: unknown, path: string): void => {
    if (!value || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    const v = value as Record<string, unknown>;
    if ('start' in v && 'end' in v && typeof v.start === 'object' && typeof v.end === 'object') {
      checkRange(lines, v as unknown as Range, path);
      return;
    }
    for (const [k, child] of Object.entries(v)) walk(child, `${path}.${k}`);
  };
  walk(file, 'file');
}

function checkFile(text: string): void {
  let file: HttpFile;
  try {
    file = parseHttpFile(text);
  } catch (error) {
    assert.fail(`parseHttpFile threw on ${JSON.stringify(text)}: ${(error as Error).stack}`);
  }
  assert.ok(Array.isArray(file.requests) && Array.isArray(file.diagnostics) && Array.isArray(file.fileVariables));
  assert.ok(!file.diagnostics.some((d) => d.message.startsWith('internal parser error')), `internal error on ${JSON.stringify(text)}: ${file.diagnostics.map((d) => d.message).join('; ')}`);
  file.requests.forEach((r, i) => assert.equal(r.index, i));
  for (let i = 1; i < file.requests.length; i++) {
    assert.ok(file.requests[i]!.range.start.line > file.requests[i - 1]!.range.end.line || file.requests[i]!.separator, 'requests in document order');
  }
  const lines = splitLines(text);
  for (const r of file.requests) {
    for (const v of r.variableReferences) {
      const line = lines[v.range.start.line] as string;
      const raw = line.slice(v.range.start.character, v.range.end.character);
      assert.ok(raw.startsWith('{{') && raw.endsWith('}}'), `variable range covers {{…}}: ${JSON.stringify(raw)}`);
    }
  }
  checkAllRanges(text, file);
}

test('random token soup never throws and keeps ranges inside the document', () => {
  fc.assert(fc.property(tokenFile, checkFile), { numRuns: RUNS });
});

test('mutated real files (both dialects) never throw and keep ranges inside the document', () => {
  fc.assert(fc.property(mutatedFile, checkFile), { numRuns: RUNS });
});

test('arbitrary unicode text never throws', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), checkFile), { numRuns: Math.ceil(RUNS / 2) });
});

test('a malformed request in the middle does not stop later requests from parsing', () => {
  const tail = '\n###\n# @name last\nGET http://127.0.0.1/last\n';
  fc.assert(
    fc.property(tokenFile, (junk) => {
      const file = parseHttpFile(`GET http://127.0.0.1/first\n\n###\n${junk.replace(/###/g, '')}${tail}`);
      const last = file.requests.at(-1);
      assert.equal(last?.name, 'last');
      assert.equal(last?.url.text, 'http://127.0.0.1/last');
    }),
    { numRuns: RUNS },
  );
});
