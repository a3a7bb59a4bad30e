import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startInWorkspace } from './lsp-session.ts';
import type { LspSession, Workspace } from './lsp-session.ts';

let workspace: Workspace;
let lsp: LspSession;
let uri: string;

const text = [
  '@host = http://127.0.0.1:8080', // 0
  '@base = {{host}}/api', // 1
  '', // 2
  '# @name login', // 3
  'POST {{base}}/login?region={{region}}', // 4
  'Authorization: Bearer {{apiToken}}', // 5
  'X-Pass: {{password}}', // 6
  'X-Local: {{$dotenv LOCAL_KEY}}', // 7
  'X-Id: {{login.response.headers.X-Id}}', // 8
  '',
].join('\n');

async function hoverText(line: number, character: number): Promise<string | null> {
  const h = await lsp.request<{ contents: { value: string } } | null>('textDocument/hover', lsp.at(uri, line, character));
  return h?.contents.value ?? null;
}

before(async () => {
  workspace = await startInWorkspace({
    files: {
      'http-client.env.json': JSON.stringify({ $shared: { region: 'eu' }, dev: { apiToken: 'tok-123456' } }, null, 2),
      'http-client.private.env.json': JSON.stringify({ dev: { password: 'hunter22' } }, null, 2),
      '.env': 'LOCAL_KEY=from-dotenv\n',
    },
    initializationOptions: { name: 'dev' },
  });
  lsp = workspace.lsp;
  uri = workspace.uriOf('api.http');
  lsp.open(uri, text);
});

after(async () => {
  await workspace?.close();
});

test('a file variable shows its resolved value and its line', async () => {
  const h = await hoverText(4, 8);
  assert.match(h ?? '', /file variable \(line 2\)/);
  assert.match(h ?? '', /http:\/\/127\.0\.0\.1:8080\/api/, 'nested variables resolved');
});

test('an environment variable shows its value and source', async () => {
  const h = await hoverText(4, 30);
  assert.match(h ?? '', /environment "\$shared" \(http-client\.env\.json, line \d+\)/);
  assert.match(h ?? '', /`eu`/);
});

test('secrets are masked: by name, and anything from the private env file', async () => {
  const token = await hoverText(5, 25);
  assert.match(token ?? '', /environment "dev"/);
  assert.doesNotMatch(token ?? '', /tok-123456/);
  const pass = await hoverText(6, 12);
  assert.match(pass ?? '', /http-client\.private\.env\.json/);
  assert.doesNotMatch(pass ?? '', /hunter22/);
});

test('$dotenv shows the value from .env next to the document', async () => {
  const h = await hoverText(7, 13);
  assert.match(h ?? '', /from-dotenv/);
});

test('a request variable names its request', async () => {
  const h = await hoverText(8, 10);
  assert.match(h ?? '', /\*\*login\*\* — request variable: `response\.headers\.X-Id`/);
});

test('the request line shows the last result once the extension reports it', async () => {
  assert.match((await hoverText(4, 1)) ?? '', /Not sent yet/);
  lsp.notify('ricochet/lastResult', { uri, line: 4, status: 201, timeMs: 42.4 });
  const h = await hoverText(4, 1);
  assert.match(h ?? '', /Last result: \*\*201\*\* in 42 ms/);
  assert.match(h ?? '', /POST http:\/\/127\.0\.0\.1:8080\/api\/login\?region=eu/);
  // The request moves down a line: its result goes with it.
  lsp.change(uri, { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, '\n');
  assert.match((await hoverText(5, 1)) ?? '', /Last result: \*\*201\*\*/);
  lsp.change(uri, { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } }, '');
});

test('no hover on plain text', async () => {
  assert.equal(await hoverText(2, 0), null);
});

test('$dotenv completes the names in .env and goes to their line', async () => {
  const items = await lsp.request<Array<{ label: string; detail?: string }>>('textDocument/completion', lsp.at(uri, 7, 19));
  assert.deepEqual(items.map((i) => [i.label, i.detail]), [['LOCAL_KEY', '.env = from-dotenv']]);
  const loc = await lsp.request<{ uri: string; range: { start: { line: number; character: number } } }>('textDocument/definition', lsp.at(uri, 7, 22));
  assert.equal(loc.uri, workspace.uriOf('.env'));
  assert.deepEqual(loc.range.start, { line: 0, character: 0 });
});

test('environments merge as the extension merges them: the selected one beats $shared, settings beat files', async () => {
  lsp.notify('ricochet/environmentChanged', { name: 'dev', settings: { $shared: { apiToken: 'shared-token', region: 'settings-shared' }, dev: { region: 'settings-dev' } } });
  const region = await hoverText(4, 30);
  assert.match(region ?? '', /environment "dev" \(setting ricochet\.environments\)/);
  assert.match(region ?? '', /`settings-dev`/);
  const token = await hoverText(5, 25);
  assert.match(token ?? '', /environment "dev" \(http-client\.env\.json/, 'the env file\'s dev beats the setting\'s $shared');
  lsp.notify('ricochet/environmentChanged', { name: 'dev', settings: {} });
  assert.match((await hoverText(4, 30)) ?? '', /`eu`/);
});
