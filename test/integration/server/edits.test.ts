import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LspSession } from './lsp-session.ts';

// The server keeps each document from the editor's incremental changes and re-parses only the
// blocks they touch. Whatever bursts of edits arrive, what it answers must equal what it answers
// for the same text opened fresh.

let lsp: LspSession;

before(async () => {
  lsp = await LspSession.start();
});

after(async () => {
  await lsp?.close();
});

type Position = { line: number; character: number };

function offsetOf(text: string, p: Position): number {
  let offset = 0;
  for (let line = 0; line < p.line; line++) offset = text.indexOf('\n', offset) + 1;
  return offset + p.character;
}

function positionOf(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

const PIECES = ['###', '### t\n', '\n', '\n\n', 'GET http://127.0.0.1/{{a}}\n', '# @name n\n', '@a = 1\n', 'X-H: v\n', 'Content-Type: application/json\n', '{"k": 1}', '{"k": }', '?? status == 200\n', '?? status = 1\n', 'x', ''];
const START = ['@a = 1', '', '### one', '# @name first', 'GET http://127.0.0.1/{{a}}', 'Accept: */*', '', '### two', 'POST http://127.0.0.1/', 'Content-Type: application/json', '', '{"b": 2}', ''].join('\n');

function sorted<T>(list: T[]): T[] {
  return list.map((d) => JSON.stringify(d)).sort().map((d) => JSON.parse(d) as T);
}

let docs = 0;
test('bursts of incremental edits leave diagnostics, outline and folding equal to a fresh parse', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(fc.tuple(fc.nat(), fc.nat({ max: 30 }), fc.constantFrom(...PIECES)), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
      async (bursts) => {
        const uri = `untitled:edits-${docs++}.http`;
        let text = START;
        lsp.open(uri, text);
        for (const [n, burst] of bursts.entries()) {
          const changes = [];
          for (const [at, length, insert] of burst) {
            const from = at % (text.length + 1);
            const to = Math.min(text.length, from + length);
            const range = { start: positionOf(text, from), end: positionOf(text, to) };
            text = text.slice(0, from) + insert + text.slice(to);
            changes.push({ range, text: insert });
            assert.equal(offsetOf(text, range.start), from);
          }
          // Alternately one didChange per edit and one didChange carrying the whole burst.
          let version = 0;
          if (n % 2) version = lsp.changeMany(uri, changes);
          else for (const change of changes) version = lsp.change(uri, change.range, change.text);
          const published = lsp.nextDiagnostics(uri, version);
          const fresh = `untitled:fresh-${docs++}.http`;
          const freshPublished = lsp.nextDiagnostics(fresh);
          lsp.open(fresh, text);
          assert.deepEqual(sorted((await published).diagnostics), sorted((await freshPublished).diagnostics));
          const [a, b] = await Promise.all([
            lsp.request('textDocument/documentSymbol', { textDocument: { uri } }),
            lsp.request('textDocument/documentSymbol', { textDocument: { uri: fresh } }),
          ]);
          assert.deepEqual(a, b);
          const [fa, fb] = await Promise.all([
            lsp.request('textDocument/foldingRange', { textDocument: { uri } }),
            lsp.request('textDocument/foldingRange', { textDocument: { uri: fresh } }),
          ]);
          assert.deepEqual(fa, fb);
          lsp.notify('textDocument/didClose', { textDocument: { uri: fresh } });
        }
        lsp.notify('textDocument/didClose', { textDocument: { uri } });
      },
    ),
    { numRuns: 60 },
  );
});
