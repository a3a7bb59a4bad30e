import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startInWorkspace } from './lsp-session.ts';
import type { LspSession, Workspace } from './lsp-session.ts';

interface Item {
  label: string;
  detail?: string;
  textEdit?: { newText: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } };
}

let workspace: Workspace;
let lsp: LspSession;
let uri: string;

const text = [
  '@host = http://127.0.0.1:8080', // 0
  '@user = alice', // 1
  '', // 2
  '### Login', // 3
  '# @name login', // 4
  'POST {{host}}/login', // 5
  'Content-Type: application/json', // 6
  '', // 7
  '{"user": "{{user}}"}', // 8
  '', // 9
  '###', // 10
  '# @', // 11
  'GET {{}}', // 12
  'Content-Type: ', // 13
  'Authorization: ', // 14
  'Acc', // 15
  '', // 16
  '?? ', // 17
  '?? status ', // 18
  '', // 19
  '###', // 20
  '', // 21
  'GET {{login.}}', // 22
  'X-Time: {{$datetime }}', // 23
  '',
].join('\n');

before(async () => {
  workspace = await startInWorkspace({
    files: { 'http-client.env.json': JSON.stringify({ dev: { baseUrl: 'http://127.0.0.1:1', apiToken: 'abc123' } }, null, 2) },
    initializationOptions: { name: 'dev', settings: {} },
  });
  lsp = workspace.lsp;
  uri = workspace.uriOf('api.http');
  lsp.open(uri, text);
});

after(async () => {
  await workspace?.close();
});

async function labels(line: number, character: number): Promise<string[]> {
  return (await items(line, character)).map((i) => i.label);
}
async function items(line: number, character: number): Promise<Item[]> {
  const result = await lsp.request<Item[] | { items: Item[] }>('textDocument/completion', lsp.at(uri, line, character));
  return Array.isArray(result) ? result : result.items;
}

test('the server announces completion with the characters that open a context', () => {
  const provider = lsp.capabilities.completionProvider as { triggerCharacters: string[] };
  for (const c of ['{', '$', '@', ':']) assert.ok(provider.triggerCharacters.includes(c), c);
});

test('inside {{ }} the file variables, environment variables, named requests and system variables are offered', async () => {
  const list = await items(12, 6);
  const host = list.find((i) => i.label === 'host');
  assert.ok(host, 'file variable host offered');
  assert.equal(host.detail, 'file variable = http://127.0.0.1:8080');
  assert.equal(host.textEdit?.newText, 'host', 'the closing braces are already there');
  assert.ok(list.some((i) => i.label === 'user'));
  const baseUrl = list.find((i) => i.label === 'baseUrl');
  assert.match(baseUrl?.detail ?? '', /environment "dev" = http:\/\/127\.0\.0\.1:1/);
  const token = list.find((i) => i.label === 'apiToken');
  assert.ok(token, 'env secret offered');
  assert.doesNotMatch(token.detail ?? '', /abc123/, 'secret values are masked');
  assert.ok(list.some((i) => i.label === 'login.' && i.textEdit?.newText === 'login.'), 'named request offered, parts follow the dot');
  for (const sys of ['$guid', '$randomInt', '$timestamp', '$datetime', '$processEnv', '$dotenv']) assert.ok(list.some((i) => i.label === sys), sys);
});

test('after a named request and a dot, the parts of a request variable are offered', async () => {
  const got = await labels(22, 12);
  assert.ok(got.includes('response.body.$'), 'JSONPath start');
  assert.ok(got.includes('response.headers.'));
  assert.ok(got.includes('request.body.*'));
});

test('a system variable with arguments gets its argument forms', async () => {
  const got = await labels(23, 20);
  assert.deepEqual(got.slice(0, 2), ['iso8601', 'rfc1123']);
});

test('metadata keywords after # @', async () => {
  const got = await labels(11, 3);
  for (const k of ['name', 'no-redirect', 'no-cookie-jar', 'timeout', 'note', 'prompt', 'no-reject-unauthorized']) assert.ok(got.includes(k), k);
});

test('header names on a header line, then values by header', async () => {
  const names = await items(15, 3);
  const accept = names.find((i) => i.label === 'Accept');
  assert.ok(accept);
  assert.equal(accept.textEdit?.newText, 'Accept: ');
  assert.deepEqual(accept.textEdit?.range.start, { line: 15, character: 0 }, 'replaces what was typed');
  const contentTypes = await labels(13, 14);
  assert.ok(contentTypes.includes('application/json'));
  assert.ok(contentTypes.includes('application/x-www-form-urlencoded'));
  const schemes = await labels(14, 15);
  assert.deepEqual(schemes.sort(), ['Basic', 'Bearer', 'Digest']);
});

test('methods at the start of a request line', async () => {
  lsp.change(uri, { start: { line: 21, character: 0 }, end: { line: 21, character: 0 } }, 'PO');
  const got = await labels(21, 2);
  assert.ok(got.includes('POST') && got.includes('GET') && got.includes('DELETE'));
  lsp.change(uri, { start: { line: 21, character: 0 }, end: { line: 21, character: 2 } }, '');
});

test('assertion subjects after ??, operators after the subject', async () => {
  assert.deepEqual((await labels(17, 3)).sort(), ['body', 'duration', 'header', 'status']);
  const ops = await labels(18, 10);
  for (const op of ['==', '!=', '<', 'includes', 'matches', 'exists']) assert.ok(ops.includes(op), op);
});

test('nothing is offered in a JSON body outside {{ }}', async () => {
  assert.deepEqual(await labels(8, 2), []);
});
