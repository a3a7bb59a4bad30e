// The panel's host-side pieces that need no VS Code: the page and its CSP, large-body cutting,
// history rows and the protocol guard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, panelHtml } from '../../../extension/panel/html.ts';
import { forPanel, historyEntryOf } from '../../../extension/panel/prepare.ts';
import { isPanelMessage } from '../../../webview/protocol.ts';
import { failedExchange, jsonExchange, redirectExchange } from '../../fixtures/exchanges/index.ts';

test('the page loads only nonce scripts and names every resource under the extension root', () => {
  const html = panelHtml({ cspSource: 'https://res.test', assetsBase: 'https://res.test/dist/webview', nonce: 'N0NCE' });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-N0NCE'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-eval/);
  assert.match(csp, /worker-src blob:/);
  const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
  assert.deepEqual(scripts, [' nonce="N0NCE" src="https://res.test/dist/webview/panel.js"']);
  assert.match(html, /<link rel="stylesheet" href="https:\/\/res\.test\/dist\/webview\/codicons\/codicon\.css" id="vscode-codicon-stylesheet">/);
  assert.doesNotMatch(html, /<style|style="|\son\w+=/, 'nothing inline');
  assert.notEqual(/nonce-([^']+)/.exec(contentSecurityPolicy('x', 'a'))?.[1], /nonce-([^']+)/.exec(panelHtml({ cspSource: 'x', assetsBase: 'y/' }))?.[1]);
});

test('bodies above the threshold are cut, keep their full size and are marked truncated', () => {
  const ex = jsonExchange();
  const full = ex.body!.bytes.length;
  const cut = forPanel(ex, 100);
  assert.equal(cut.body!.bytes.length, 100);
  assert.equal(cut.body!.size, full);
  assert.equal(cut.body!.truncated, true);
  assert.equal(ex.body!.bytes.length, full, 'the original exchange is untouched');
  const whole = forPanel(ex, 0);
  assert.equal(whole.body!.truncated, false);
  assert.equal(whole.body!.bytes.length, full);
  assert.notEqual(whole.body!.bytes.buffer, ex.body!.bytes.buffer, 'a compact copy crosses postMessage');
  assert.equal(forPanel(ex, 5).hops[0]!.request.body!.bytes.length, 5, 'request bodies too');
});

test('history rows carry method, first URL, final status, total time and the error name', () => {
  const { totalTime, ...row } = historyEntryOf(redirectExchange());
  assert.deepEqual(row, { id: 'redirect-1', method: 'POST', url: 'http://127.0.0.1:8080/login', startedAt: '2026-11-23T21:00:00.000Z', status: 200 });
  assert.equal(totalTime.toFixed(1), '51.9', 'the three hops together');
  assert.equal(historyEntryOf(failedExchange()).error, 'ConnectionError');
  assert.equal(historyEntryOf(failedExchange()).status, undefined);
});

test('the host accepts only well-formed panel messages', () => {
  assert.ok(isPanelMessage({ type: 'ready' }));
  assert.ok(isPanelMessage({ type: 'deleteCookie', domain: 'a', path: '/', name: 'n' }));
  assert.ok(!isPanelMessage({ type: 'deleteCookie', domain: 'a' }));
  assert.ok(!isPanelMessage({ type: 'replay' }));
  assert.ok(!isPanelMessage({ type: 'eval', code: '1' }));
  assert.ok(!isPanelMessage('ready'));
});
