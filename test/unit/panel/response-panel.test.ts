// The panel host against a recording stand-in for the `vscode` API: one panel, reused, staying
// in its column; messages held until the webview says ready; bodies cut to the threshold while
// open/save get the whole exchange; history diff answered from the delegate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { jsonExchange, jsonExchangeVariant, redirectExchange } from '../../fixtures/exchanges/index.ts';

// Resolve `import * as vscode from 'vscode'` to the stand-in for this process.
const fake = new URL('./fake-vscode.ts', import.meta.url).href;
register(`data:text/javascript,${encodeURIComponent(`export async function resolve(s, c, next) { return s === 'vscode' ? { url: ${JSON.stringify(fake)}, shortCircuit: true } : next(s, c); }`)}`);
const vscode = await import('./fake-vscode.ts');
const { ResponsePanel } = await import('../../../extension/panel/response-panel.ts');

const context = { extensionUri: vscode.Uri.file('/ext') } as unknown as import('vscode').ExtensionContext;
const types = (posted: unknown[]) => posted.map((m) => (m as { type: string }).type);

test('first show opens beside without focus; later shows reuse it and never move it', async () => {
  const panel = ResponsePanel.show(context, jsonExchange(), { largeBodyThreshold: 1000, previewColumn: 'beside' });
  assert.equal(vscode.panels.length, 1);
  const fakePanel = vscode.panels[0]!;
  assert.deepEqual(fakePanel.created.show, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
  assert.deepEqual((fakePanel.created.options as { localResourceRoots: Array<{ path: string }> }).localResourceRoots.map((u) => u.path), ['/ext/dist/webview']);
  assert.match(fakePanel.html, /script-src 'nonce-[\w-]+'/);
  assert.match(fakePanel.html, /src="https:\/\/res\.test\/ext\/dist\/webview\/panel\.js"/);

  assert.deepEqual(fakePanel.posted, [], 'nothing is posted before the webview is ready');
  await fakePanel.fromWebview({ type: 'ready' });
  assert.deepEqual(types(fakePanel.posted), ['show']);

  const again = ResponsePanel.show(context, redirectExchange(), { largeBodyThreshold: 1000, previewColumn: 'current' });
  assert.equal(again, panel, 'the same panel');
  assert.equal(vscode.panels.length, 1, 'no second panel');
  assert.deepEqual(fakePanel.revealed, [[undefined, true]], 'revealed where it is, focus kept in the editor');
  assert.equal(fakePanel.title, 'POST 200');
  panel.dispose();
  assert.equal(ResponsePanel.current, undefined);
});

test('bodies are cut to the threshold for the webview; open and save get the whole exchange', async () => {
  const opened: number[] = [];
  const saved: number[] = [];
  const full = jsonExchange();
  ResponsePanel.show(context, full, {
    largeBodyThreshold: 50,
    delegate: { openBody: (e) => { opened.push(e.body!.bytes.length); }, saveBody: (e) => { saved.push(e.body!.bytes.length); } },
  });
  const fakePanel = vscode.panels.at(-1)!;
  await fakePanel.fromWebview({ type: 'ready' });
  const shown = fakePanel.posted[0] as { exchange: { body: { bytes: Uint8Array; size: number; truncated: boolean } }; settings: { largeBodyThreshold: number } };
  assert.equal(shown.exchange.body.bytes.length, 50);
  assert.equal(shown.exchange.body.truncated, true);
  assert.equal(shown.exchange.body.size, full.body!.size);
  assert.equal(shown.settings.largeBodyThreshold, 50);
  await fakePanel.fromWebview({ type: 'openBodyInEditor', id: full.id });
  await fakePanel.fromWebview({ type: 'saveBody', id: full.id });
  assert.deepEqual([opened, saved], [[full.body!.bytes.length], [full.body!.bytes.length]]);
  ResponsePanel.current?.dispose();
});

test('history diff and show are answered from the delegate; bad messages are ignored', async () => {
  const a = jsonExchange();
  const b = jsonExchangeVariant();
  const seen: string[] = [];
  const panel = ResponsePanel.show(context, a, {
    largeBodyThreshold: 0,
    delegate: { exchange: (id) => (id === b.id ? b : undefined), history: () => [{ id: b.id, method: 'GET', url: 'u', startedAt: '', totalTime: 1 }] },
  });
  panel.onDidReceiveMessage((m) => seen.push(m.type));
  const fakePanel = vscode.panels.at(-1)!;
  await fakePanel.fromWebview({ type: 'ready' });
  assert.deepEqual(types(fakePanel.posted), ['show', 'history']);
  await fakePanel.fromWebview({ type: 'diff', a: a.id, b: b.id });
  const diff = fakePanel.posted.at(-1) as { type: string; a: { id: string }; b: { id: string } };
  assert.deepEqual([diff.type, diff.a.id, diff.b.id], ['diff', a.id, b.id]);
  await fakePanel.fromWebview({ type: 'showHistoryEntry', id: b.id });
  assert.equal((fakePanel.posted.at(-2) as { type: string; exchange: { id: string } }).exchange.id, b.id);
  await fakePanel.fromWebview({ type: 'replay', id: 'gone' });
  assert.match(vscode.notices.at(-1)!, /no longer available/);
  await fakePanel.fromWebview({ type: 'eval', code: 'x' });
  assert.deepEqual(seen, ['ready', 'diff', 'showHistoryEntry', 'replay'], 'only protocol messages reach listeners');
  fakePanel.close();
  assert.equal(ResponsePanel.current, undefined, 'closing the panel forgets it; the next show creates a new one');
});

test('a hidden panel (its webview torn down) gets the newest exchange when it shows again', async () => {
  const panel = ResponsePanel.show(context, jsonExchange(), { largeBodyThreshold: 0 });
  const fakePanel = vscode.panels.at(-1)!;
  await fakePanel.fromWebview({ type: 'ready' });
  fakePanel.setVisible(false);
  const before = fakePanel.posted.length;
  panel.sending('GET', 'http://127.0.0.1/x');
  panel.update(redirectExchange());
  assert.equal(fakePanel.posted.length, before, 'nothing posted into a torn-down webview');
  fakePanel.setVisible(true);
  await fakePanel.fromWebview({ type: 'ready' });
  const after = fakePanel.posted.slice(before) as Array<{ type: string; exchange?: { id: string } }>;
  assert.deepEqual(after.map((m) => m.type), ['show'], 'the latest state once; the stale progress bar is dropped');
  assert.equal(after[0]!.exchange!.id, 'redirect-1');
  panel.dispose();
});
