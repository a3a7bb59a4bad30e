import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Diagnostic, HttpFile } from '../../../core/language/ast.ts';
import { parseHttpFile } from '../../../core/language/parser.ts';
import { IncrementalParser } from '../../../extension/server/incremental-parse.ts';
import type { EditHint } from '../../../extension/server/incremental-parse.ts';
import { generateHttpFile } from '../../../bench/lsp-fixture.ts';

// The server parses block by block and reuses unchanged blocks; what it sees must be exactly
// what the parser gives for the whole text, or every feature would point at the wrong place.

const LINES = [
  '###', '### title', '# @name a', '# @name b', '// @no-redirect', '@x = 1', '@y = {{x}}/2', 'GET http://127.0.0.1/{{x}}',
  'POST http://127.0.0.1/{{y}}', 'Content-Type: application/json', '', '{"a": {{x}}}', '?? status == 200',
  '< ./file.json', 'X-A: {{a.response.body.$.id}}', 'plain', '\t', '> {% client.log(1) %}', 'GET {{z}}', '###x',
];

/** Diagnostics compared as a set: the server adds cross-block ones (duplicate names) after the rest. */
function normalized(file: HttpFile): HttpFile {
  const key = (d: Diagnostic) => `${String(d.range.start.line).padStart(6)}:${String(d.range.start.character).padStart(6)}:${d.code}:${d.message}`;
  return { ...file, diagnostics: [...file.diagnostics].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)) };
}

/** Where each line starts in `text` (for the edit hints an editor's change events give). */
function offsets(text: string): (line: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (line) => starts[line] ?? text.length;
}

test('after any sequence of edits, the incremental parse equals a full parse (with and without edit hints)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...LINES), { minLength: 1, maxLength: 40 }),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace', 'append'), fc.constantFrom(...LINES)), { maxLength: 12 }),
      fc.constantFrom('\n', '\r\n'),
      (initial, edits, eol) => {
        const lines = [...initial];
        const compared = new IncrementalParser();
        const hinted = new IncrementalParser();
        compared.parse(lines.join(eol));
        hinted.parse(lines.join(eol));
        for (const [at, kind, line] of edits) {
          const i = at % lines.length;
          // The same change as an editor reports it: lines touched in the old text, lines added.
          let hint: Omit<EditHint, 'offsetAt'>;
          if (kind === 'insert') {
            lines.splice(i, 0, line);
            hint = { fromLine: i, toLine: i, lineDelta: 1 };
          } else if (kind === 'delete' && lines.length > 1) {
            lines.splice(i, 1);
            hint = i < lines.length ? { fromLine: i, toLine: i + 1, lineDelta: -1 } : { fromLine: i - 1, toLine: i, lineDelta: -1 };
          } else if (kind === 'replace') {
            lines[i] = line;
            hint = { fromLine: i, toLine: i, lineDelta: 0 };
          } else {
            lines[i] += line;
            hint = { fromLine: i, toLine: i, lineDelta: 0 };
          }
          const text = lines.join(eol);
          const expected = normalized(parseHttpFile(text));
          assert.deepEqual(normalized(compared.parse(text)), expected);
          assert.deepEqual(normalized(hinted.parse(text, undefined, { ...hint, offsetAt: offsets(text) })), expected);
        }
      },
    ),
    { numRuns: 600 },
  );
});

test('a generated file edited in the middle parses the same both ways', () => {
  const lines = generateHttpFile(300).split('\n');
  const incremental = new IncrementalParser();
  incremental.parse(lines.join('\n'));
  lines.splice(700, 0, '@late = 1', '### inserted', 'GET {{late}}');
  lines[20] += ' HTTP/1.1';
  const text = lines.join('\n');
  assert.deepEqual(normalized(incremental.parse(text)), normalized(parseHttpFile(text)));
});
