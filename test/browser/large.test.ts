// Large bodies never freeze the panel: above the threshold only the first part is shown, with
// "Open full body in editor" and "Save", and the rest of the panel keeps answering clicks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes } from '../../webview/format.ts';
import { openPanel, panelSuite, withScreenshotOnFailure } from './harness.ts';

const suite = panelSuite();

/** Posts a `show` of a generated JSON body of `megabytes`, of which the first `sent` bytes reach the panel. */
function showBigJson(megabytes: number, sent: number, threshold: number): Promise<[ms: number, size: number]> {
  return (async () => {
    const item = (i: number) => `{"id":${i},"name":"item ${i}","ok":${i % 2 === 0}}`;
    const n = Math.floor((megabytes * 1024 * 1024) / (item(0).length + 1));
    const bytes = new TextEncoder().encode(`[${Array.from({ length: n }, (_, i) => item(i)).join(',')}]`);
    const before = Number(document.body.dataset.rendered ?? 0);
    const t0 = performance.now();
    window.postMessage({
      type: 'show',
      settings: { largeBodyThreshold: threshold },
      exchange: {
        id: 'big', startedAt: new Date().toISOString(), tests: [], notices: [],
        hops: [{
          request: { method: 'GET', url: 'http://127.0.0.1/big', headers: [] },
          response: { statusCode: 200, reason: 'OK', httpVersion: '1.1', headers: [['Content-Type', 'application/json']] },
          timings: { dns: 0, connect: 1, tls: 0, ttfb: 5, download: 100, total: 106 }, cookiesSent: [], cookiesSet: [],
        }],
        body: { bytes: bytes.slice(0, sent), size: bytes.length, truncated: sent < bytes.length, wireSize: bytes.length, contentType: 'application/json', charset: 'utf-8', contentEncoding: [] },
      },
    }, '*');
    while (Number(document.body.dataset.rendered ?? 0) === before) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return [performance.now() - t0, bytes.length] as [number, number];
  })();
}

test('a 50 MB JSON body: first 5 MB shown, open-full and save offered, tabs still respond', { timeout: 120_000 }, async () => {
  const p = await openPanel(suite.browser, suite.server);
  try {
    await withScreenshotOnFailure(p, 'large-50mb', async () => {
      const threshold = 5 * 1024 * 1024;
      const [ms, size] = await p.page.evaluate(`(${showBigJson.toString()})(50, ${threshold}, ${threshold})`) as [number, number];
      const banner = await p.page.locator('[data-testid=truncated]').innerText();
      assert.ok(size > 50 * 1024 * 1024);
      assert.match(banner, new RegExp(`Showing the first 5\\.0 MB of ${formatBytes(size)}\\.`));
      const bodyText = () => p.page.evaluate(() => (globalThis as unknown as { ricochetPanel: { bodyText(): string } }).ricochetPanel.bodyText());
      // Pretty: the cut JSON is re-indented (one record field per line), as plain text.
      assert.match(await bodyText(), /^\[\n  \{\n    "id": 0,\n    "name": "item 0",/);
      assert.match(await p.page.locator('[data-testid=heavy]').innerText(), /shown as plain text/);
      await p.page.locator('.monaco-editor .view-line').first().waitFor();
      await p.screenshot('large-50mb');
      await p.page.locator('vscode-button[data-mode=raw]').click();
      assert.equal((await bodyText()).length, threshold, 'Raw: exactly the first part');

      const t0 = Date.now();
      await p.tab('Headers');
      const tabMs = Date.now() - t0;
      assert.ok(tabMs < 3_000, `Headers tab opened in ${tabMs} ms`);
      await p.tab('Body');
      await p.page.locator('[data-testid=truncated] vscode-button[data-action=open-full]').click();
      await p.page.locator('[data-testid=truncated] vscode-button[data-action=save]').click();
      assert.deepEqual((await p.posted()).slice(1), [{ type: 'openBodyInEditor', id: 'big' }, { type: 'saveBody', id: 'big' }]);
      console.log(`# 50 MB JSON (5 MB shown): show → painted ${ms.toFixed(0)} ms, Headers tab ${tabMs} ms`);
      assert.deepEqual(p.errors, []);
    });
  } finally {
    await p.close();
  }
});

test('the panel enforces the threshold even when the host sends the whole body', { timeout: 60_000 }, async () => {
  const p = await openPanel(suite.browser, suite.server);
  try {
    await withScreenshotOnFailure(p, 'large-untruncated', async () => {
      const threshold = 1024 * 1024;
      // The host "forgot" to cut: all bytes arrive, marked complete.
      const [, size] = await p.page.evaluate(`(${showBigJson.toString()})(3, Infinity, ${threshold})`) as [number, number];
      await p.page.locator('vscode-button[data-mode=raw]').click();
      const shown = await p.page.evaluate(() => (globalThis as unknown as { ricochetPanel: { bodyText(): string } }).ricochetPanel.bodyText().length);
      assert.equal(shown, threshold);
      assert.match(await p.page.locator('[data-testid=truncated]').innerText(), new RegExp(`Showing the first 1\\.0 MB of ${formatBytes(size).replace('.', '\\.')}\\.`));
    });
  } finally {
    await p.close();
  }
});
