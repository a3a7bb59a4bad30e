import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startInWorkspace } from './lsp-session.ts';
import type { LspSession, Workspace } from './lsp-session.ts';

type Range = { start: { line: number; character: number }; end: { line: number; character: number } };
interface Location {
  uri: string;
  range: Range;
}

let workspace: Workspace;
let lsp: LspSession;
let uri: string;

const text = [
  '@host = http://127.0.0.1:8080', // 0
  '@base = {{host}}/api', // 1
  '', // 2
  '### Log in', // 3
  '# @name login', // 4
  'POST {{base}}/login', // 5
  'Content-Type: application/json', // 6
  '', // 7
  '{', // 8
  '  "user": "alice"', // 9
  '}', // 10
  '', // 11
  '###', // 12
  'GET {{base}}/me', // 13
  'Authorization: Bearer {{login.response.body.$.token}}', // 14
  'X-Region: {{region}}', // 15
  '', // 16
  '###', // 17
  'DELETE {{host}}/items/1', // 18
  '',
].join('\n');

before(async () => {
  workspace = await startInWorkspace({
    files: { 'http-client.env.json': '{\n  "dev": {\n    "region": "eu-west"\n  }\n}\n' },
    initializationOptions: { name: 'dev' },
  });
  lsp = workspace.lsp;
  uri = workspace.uriOf('api.http');
  lsp.open(uri, text);
});

after(async () => {
  await workspace?.close();
});

test('the outline lists requests by @name, ### title, or method and URL, and the file variables', async () => {
  const symbols = await lsp.request<Array<{ name: string; range: Range; selectionRange: Range }>>('textDocument/documentSymbol', { textDocument: { uri } });
  assert.deepEqual(
    symbols.map((s) => s.name),
    ['@host', '@base', 'login', 'GET {{base}}/me', 'DELETE {{host}}/items/1'],
  );
  const login = symbols.find((s) => s.name === 'login')!;
  assert.equal(login.range.start.line, 3);
  assert.equal(login.selectionRange.start.line, 5);
});

test('requests and multi-line bodies fold', async () => {
  const ranges = await lsp.request<Array<{ startLine: number; endLine: number }>>('textDocument/foldingRange', { textDocument: { uri } });
  assert.ok(ranges.some((r) => r.startLine === 3 && r.endLine === 10), JSON.stringify(ranges));
  assert.ok(ranges.some((r) => r.startLine === 8 && r.endLine === 10), 'the JSON body folds');
  assert.ok(ranges.some((r) => r.startLine === 12 && r.endLine === 15));
});

test('go to definition: a file variable lands on its @ line', async () => {
  const loc = await lsp.request<Location>('textDocument/definition', lsp.at(uri, 13, 7));
  assert.equal(loc.uri, uri);
  assert.deepEqual(loc.range.start, { line: 1, character: 1 });
});

test('go to definition: a request variable lands on the named request', async () => {
  const loc = await lsp.request<Location>('textDocument/definition', lsp.at(uri, 14, 26));
  assert.deepEqual(loc.range, { start: { line: 4, character: 8 }, end: { line: 4, character: 13 } });
});

test('go to definition: an environment variable lands in http-client.env.json', async () => {
  const loc = await lsp.request<Location>('textDocument/definition', lsp.at(uri, 15, 14));
  assert.equal(loc.uri, workspace.uriOf('http-client.env.json'));
  assert.deepEqual(loc.range.start, { line: 2, character: 5 });
});

test('find references of a file variable, with and without its declaration', async () => {
  const withDecl = await lsp.request<Location[]>('textDocument/references', { ...lsp.at(uri, 0, 2), context: { includeDeclaration: true } });
  assert.deepEqual(withDecl.map((l) => l.range.start.line), [0, 1, 18]);
  const uses = await lsp.request<Location[]>('textDocument/references', { ...lsp.at(uri, 18, 9), context: { includeDeclaration: false } });
  assert.deepEqual(uses.map((l) => [l.range.start.line, l.range.start.character]), [[1, 10], [18, 9]]);
});

test('find references of a named request', async () => {
  const refs = await lsp.request<Location[]>('textDocument/references', { ...lsp.at(uri, 4, 10), context: { includeDeclaration: true } });
  assert.deepEqual(refs.map((l) => [l.range.start.line, l.range.start.character, l.range.end.character]), [[4, 8, 13], [14, 24, 29]]);
});

test('rename a file variable: its definition and every reference, in one edit', async () => {
  const prepared = await lsp.request<{ range: Range; placeholder: string }>('textDocument/prepareRename', lsp.at(uri, 5, 8));
  assert.equal(prepared.placeholder, 'base');
  const edit = await lsp.request<{ changes: Record<string, Array<{ range: Range; newText: string }>> }>('textDocument/rename', { ...lsp.at(uri, 5, 8), newName: 'apiBase' });
  const edits = edit.changes[uri]!;
  assert.deepEqual(edits.map((e) => [e.range.start.line, e.range.start.character, e.range.end.character, e.newText]), [
    [1, 1, 5, 'apiBase'],
    [5, 7, 11, 'apiBase'],
    [13, 6, 10, 'apiBase'],
  ]);
});

test('rename a request: its @name and every request variable naming it', async () => {
  const prepared = await lsp.request<{ range: Range; placeholder: string }>('textDocument/prepareRename', lsp.at(uri, 14, 26));
  assert.deepEqual([prepared.placeholder, prepared.range.start.character, prepared.range.end.character], ['login', 24, 29]);
  const edit = await lsp.request<{ changes: Record<string, Array<{ range: Range; newText: string }>> }>('textDocument/rename', { ...lsp.at(uri, 4, 9), newName: 'signIn' });
  assert.deepEqual(edit.changes[uri]!.map((e) => [e.range.start.line, e.range.start.character, e.range.end.character, e.newText]), [
    [4, 8, 13, 'signIn'],
    [14, 24, 29, 'signIn'],
  ]);
});

test('rename refuses what cannot be renamed, and names that are not names', async () => {
  await assert.rejects(lsp.request('textDocument/prepareRename', lsp.at(uri, 15, 14)), /Only file variables .* and request names/);
  await assert.rejects(lsp.request('textDocument/rename', { ...lsp.at(uri, 5, 8), newName: 'two words' }), /not a valid variable name/);
  await assert.rejects(lsp.request('textDocument/rename', { ...lsp.at(uri, 4, 9), newName: 'a.b' }), /not a valid request name/);
});

test('the extension can ask for the request ranges', async () => {
  const ranges = await lsp.request<Array<{ name?: string; title?: string; method: string; line: number }>>('ricochet/requestRanges', { uri });
  assert.deepEqual(ranges.map((r) => [r.method, r.line, r.name ?? r.title ?? null]), [['POST', 5, 'login'], ['GET', 13, null], ['DELETE', 18, null]]);
});
