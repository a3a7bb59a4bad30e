import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startInWorkspace } from './lsp-session.ts';
import type { LspSession, Workspace } from './lsp-session.ts';
import { generateHttpFile } from '../../../bench/lsp-fixture.ts';

// The 10,000-request file of `bench/lsp-latency.ts`: the server must answer on it and keep its
// positions right after edits that move every later request (timing is the benchmark's job).

let workspace: Workspace;
let lsp: LspSession;
let uri: string;
let lines: string[];

before(async () => {
  workspace = await startInWorkspace({ initializationOptions: { name: 'dev', settings: { dev: { token: 't' } } } });
  lsp = workspace.lsp;
  uri = workspace.uriOf('big.http');
  lines = generateHttpFile(10_000).split('\n');
  const first = lsp.nextDiagnostics(uri, 1, 60_000);
  lsp.open(uri, lines.join('\n'));
  const published = await first;
  assert.deepEqual(published.diagnostics, [], 'the generated file is clean');
});

after(async () => {
  await workspace?.close();
});

test('completion on the last request offers the file variables', async () => {
  const last = lines.findLastIndex((l) => l.startsWith('GET {{base}}'));
  const items = await lsp.request<Array<{ label: string }>>('textDocument/completion', lsp.at(uri, last, 6));
  assert.ok(items.some((i) => i.label === 'base'));
  assert.ok(items.some((i) => i.label === 'req9990.'), 'named requests near the end are offered');
});

test('the outline has every request', async () => {
  const symbols = await lsp.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri } });
  assert.equal(symbols.length, 10_000 + 3);
});

test('after inserting lines near the top, diagnostics and definitions point at the moved lines', async () => {
  const version = lsp.change(uri, { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, '\n\nGET {{nowhere}}\n');
  const published = await lsp.nextDiagnostics(uri, version, 60_000);
  assert.equal(published.version, version);
  assert.deepEqual(published.diagnostics.map((d) => [d.code, d.range.start.line]), [['unknown-variable', 6]]);

  // A request line near the end, 3 lines further down now.
  const target = lines.findLastIndex((l) => l.startsWith('GET {{base}}'));
  const loc = await lsp.request<{ range: { start: { line: number } } }>('textDocument/definition', lsp.at(uri, target + 3, 6));
  assert.equal(loc.range.start.line, 2, '@base is still on line 3');
  const hover = await lsp.request<{ range: { start: { line: number } } }>('textDocument/hover', lsp.at(uri, target + 3, 6));
  assert.equal(hover.range.start.line, target + 3);
});

test('typing into one request re-publishes only what that request now gets wrong', async () => {
  const body = lines.findIndex((l) => l.startsWith('  "tags"')) + 3; // after the 3 inserted lines
  const version = lsp.change(uri, { start: { line: body, character: 0 }, end: { line: body, character: 0 } }, ',');
  const published = await lsp.nextDiagnostics(uri, version, 60_000);
  assert.deepEqual(published.diagnostics.map((d) => [d.code, d.range.start.line]).sort(), [['invalid-json', body], ['unknown-variable', 6]].sort());
});
