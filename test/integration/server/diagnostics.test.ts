import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startInWorkspace } from './lsp-session.ts';
import type { LspSession, PublishedDiagnostics, Workspace } from './lsp-session.ts';

let workspace: Workspace;
let lsp: LspSession;

before(async () => {
  workspace = await startInWorkspace({
    files: {
      'present.json': '{}',
      'http-client.env.json': JSON.stringify({ dev: { token: 't' }, prod: { region: 'eu' } }),
      'broken/http-client.env.json': '{ "dev": { "token": ',
    },
  });
  lsp = workspace.lsp;
});

after(async () => {
  await workspace?.close();
});

let counter = 0;
async function open(text: string, folder = ''): Promise<{ uri: string; published: PublishedDiagnostics }> {
  const uri = workspace.uriOf(`${folder}doc${counter++}.http`);
  const published = lsp.nextDiagnostics(uri);
  lsp.open(uri, text);
  return { uri, published: await published };
}

function find(p: PublishedDiagnostics, code: string) {
  return p.diagnostics.filter((d) => d.code === code);
}

test('a clean document publishes no diagnostics', async () => {
  const { published } = await open('@host = http://127.0.0.1\n\n### a\nGET {{host}}/x\nAccept: application/json\n\n?? status == 200\n');
  assert.deepEqual(published.diagnostics, []);
});

test('unknown variables are warned about by name, at the name', async () => {
  const { published } = await open('GET http://127.0.0.1/{{missing}}\n');
  const [d] = find(published, 'unknown-variable');
  assert.ok(d, JSON.stringify(published));
  assert.match(d.message, /"missing"/);
  assert.deepEqual(d.range, { start: { line: 0, character: 23 }, end: { line: 0, character: 30 } });
  assert.equal(d.severity, 2);
});

test('a variable defined only in another environment says which one; selecting it clears the warning', async () => {
  const { uri, published } = await open('GET http://127.0.0.1/{{token}}\n');
  const [d] = find(published, 'unknown-variable');
  assert.match(d?.message ?? '', /defined in environment "dev"/);
  const next = lsp.nextDiagnostics(uri);
  lsp.notify('ricochet/environmentChanged', { name: 'dev' });
  assert.deepEqual(find(await next, 'unknown-variable'), []);
  lsp.notify('ricochet/environmentChanged', { name: null });
});

test('a second request with the same @name is flagged', async () => {
  const { published } = await open('# @name login\nGET http://127.0.0.1/a\n\n###\n# @name login\nGET http://127.0.0.1/b\n');
  const dups = find(published, 'duplicate-request-name');
  assert.equal(dups.length, 1);
  assert.equal(dups[0]!.range.start.line, 4);
});

test('an invalid JSON body is reported at the offending character; variables count as values', async () => {
  const { published } = await open('POST http://127.0.0.1/a\nContent-Type: application/json\n\n{\n  "id": {{id}},\n  "name": \n}\n\n@id = 1\n');
  const [d] = find(published, 'invalid-json');
  assert.ok(d, JSON.stringify(published.diagnostics));
  assert.deepEqual(d.range.start, { line: 6, character: 0 });
  assert.match(d.message, /expected a value/);
});

test('a JSON body is not checked when the Content-Type is not JSON', async () => {
  const { published } = await open('POST http://127.0.0.1/a\nContent-Type: text/plain\n\n{ not json\n');
  assert.deepEqual(find(published, 'invalid-json'), []);
});

test('a < file that does not exist next to the document is an error; one that exists is not', async () => {
  const { published } = await open('POST http://127.0.0.1/a\nContent-Type: application/json\n\n< ./absent.json\n\n###\nPOST http://127.0.0.1/b\n\n< ./present.json\n');
  const missing = find(published, 'missing-file');
  assert.equal(missing.length, 1, JSON.stringify(published.diagnostics));
  assert.equal(missing[0]!.range.start.line, 3);
  assert.match(missing[0]!.message, /absent\.json/);
});

test('a request variable naming no request is an error', async () => {
  const { published } = await open('# @name login\nGET http://127.0.0.1/a\n\n###\nGET http://127.0.0.1/{{logon.response.body.$.id}}\n');
  const [d] = find(published, 'unknown-request');
  assert.match(d?.message ?? '', /no request named "logon"/);
  assert.equal(d?.range.start.line, 4);
});

test('an invalid assertion is an error pointing into the assertion', async () => {
  const { published } = await open('GET http://127.0.0.1/a\n\n?? status = 200\n');
  const [d] = find(published, 'invalid-assertion');
  assert.ok(d, JSON.stringify(published.diagnostics));
  assert.deepEqual(d.range, { start: { line: 2, character: 10 }, end: { line: 2, character: 11 } });
  assert.match(d.message, /unknown operator "="/);
});

test('parse errors from the parser are published', async () => {
  const { published } = await open('# @timeout soon\nGET http://127.0.0.1/a\n');
  assert.ok(published.diagnostics.some((d) => d.code === 'invalid-metadata-value' && d.severity === 1), JSON.stringify(published.diagnostics));
});

test('editing the document re-publishes diagnostics for the new version', async () => {
  const { uri, published } = await open('GET http://127.0.0.1/{{nope}}\n');
  assert.equal(find(published, 'unknown-variable').length, 1);
  const version = lsp.change(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, '@nope = 1\n');
  const next = await lsp.nextDiagnostics(uri, version);
  assert.equal(next.version, version);
  assert.deepEqual(next.diagnostics, []);
});

test('an env file that is not valid JSON is reported, naming the file', async () => {
  const { published } = await open('GET http://127.0.0.1/a\n', 'broken/');
  const [d] = find(published, 'invalid-env-file');
  assert.match(d?.message ?? '', /http-client\.env\.json is not valid JSON/);
  const { published: elsewhere } = await open('GET http://127.0.0.1/a\n');
  assert.deepEqual(find(elsewhere, 'invalid-env-file'), [], 'only documents that read that file');
});

test('an unknown variable has a quick fix that defines it in the file', async () => {
  const { uri, published } = await open('@a = 1\n\n###\nGET http://127.0.0.1/{{later}}\n');
  const [d] = find(published, 'unknown-variable');
  const actions = await lsp.request<Array<{ title: string; edit: { changes: Record<string, Array<{ range: { start: { line: number } }; newText: string }>> } }>>('textDocument/codeAction', {
    textDocument: { uri },
    range: d!.range,
    context: { diagnostics: [d] },
  });
  assert.equal(actions.length, 1);
  assert.equal(actions[0]!.title, 'Define @later in this file');
  const [edit] = actions[0]!.edit.changes[uri]!;
  assert.equal(edit!.range.start.line, 1, 'after the variables at the top');
  assert.equal(edit!.newText, '@later = \n');
});
