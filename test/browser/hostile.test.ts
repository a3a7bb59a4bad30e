// Hostile response content never runs in the panel: <script>, on* handlers, javascript: URLs,
// SVG with script, markup in headers/URLs/JSON, and the HTML preview. Each payload would set
// `__pwned` on the panel's window (or open a dialog); both must stay untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fx from '../fixtures/exchanges/index.ts';
import { openPanel, panelSuite, withScreenshotOnFailure, type PanelPage } from './harness.ts';

const suite = panelSuite();

async function assertNothingRan(p: PanelPage): Promise<void> {
  await p.page.waitForTimeout(300); // let any onerror/onload that could fire, fire
  assert.equal(await p.page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned), undefined, 'no payload ran');
  assert.deepEqual(p.dialogs, [], 'no dialog opened');
  assert.deepEqual(p.errors, [], 'no page errors');
}

async function withPanel(name: string, fn: (p: PanelPage) => Promise<void>): Promise<void> {
  const p = await openPanel(suite.browser, suite.server);
  try {
    await withScreenshotOnFailure(p, name, async () => {
      await fn(p);
      await assertNothingRan(p);
    });
  } finally {
    await p.close();
  }
}

test('a page that would set a flag really does when scripts may run (the probe works)', { timeout: 30_000 }, async () => {
  // Guards the other tests: the same payload in an unsandboxed, CSP-free page does run.
  const page = await suite.browser.newPage();
  try {
    page.on('dialog', (d) => void d.dismiss());
    await page.setContent(fx.hostileHtml);
    await page.waitForFunction(() => (globalThis as { __pwned?: unknown }).__pwned !== undefined, null, { timeout: 5_000 });
  } finally {
    await page.close();
  }
});

test('HTML body: source view and sandboxed preview run none of its scripts', { timeout: 60_000 }, () => withPanel('hostile-html', async (p) => {
  await p.feed({ type: 'show', exchange: fx.htmlExchange() });
  await p.page.locator('.monaco-editor .view-lines').waitFor();
  assert.match(await p.page.locator('.monaco-editor .view-lines').innerText(), /<script>window\.__pwned\s=\s'script'/, 'the source is shown as text');
  await p.page.locator('vscode-button[data-mode=preview]').click();
  const frame = p.page.frameLocator('[data-testid=html-preview]');
  await frame.locator('#greeting').waitFor();
  // Click what a user might click: the javascript: link and the form button.
  await frame.locator('#js-link').click();
  await frame.locator('#submit').click();
  await p.page.waitForTimeout(300);
  const inner = p.page.frames().find((f) => f.url() === 'about:srcdoc');
  assert.ok(inner, 'the preview frame exists');
  assert.equal(await inner.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned), undefined, 'nothing ran inside the frame either');
  assert.ok(p.blocked.some((m) => /sandboxed|Content Security Policy/.test(m)), 'the browser reports blocking the scripts');
  await p.screenshot('hostile-html-preview');
}));

test('SVG with script: preview as an image, source as text', { timeout: 60_000 }, () => withPanel('hostile-svg', async (p) => {
  await p.feed({ type: 'show', exchange: fx.svgExchange() });
  assert.deepEqual(await p.page.locator('.modes vscode-button').allInnerTexts(), ['Pretty', 'Raw', 'Preview', 'Hex']);
  await p.page.locator('vscode-button[data-mode=preview]').click();
  await p.page.waitForFunction(() => (document.querySelector('[data-testid=image-preview]') as HTMLImageElement | null)?.naturalWidth === 64);
  assert.equal(await p.page.locator('[data-testid=image-preview]').evaluate((el) => el.tagName), 'IMG', 'an <img>, where SVG scripts never run');
  await p.screenshot('hostile-svg-preview');
}));

test('markup in JSON strings, headers, URL and notices is shown as text', { timeout: 60_000 }, () => withPanel('hostile-json', async (p) => {
  await p.feed({ type: 'show', exchange: fx.hostileJsonExchange() });
  assert.equal(await p.page.locator('[data-testid=url]').innerText(), 'http://127.0.0.1:8080/json?<script>top.__pwned=1</script>');
  assert.match(await p.page.locator('.notices').innerText(), /<b onmouseover=/);
  await p.page.locator('.notices').hover();
  await p.tab('Headers');
  const headers = await p.page.locator('[data-testid=response-headers]').innerText();
  assert.match(headers, /X-Evil\s+<img src=x onerror=/);
  assert.match(headers, /Location\s+javascript:/);
  assert.equal(await p.page.locator('a[href^="javascript:"]').count(), 0, 'no javascript: link anywhere');
  assert.equal(await p.page.locator('vscode-tab-panel img').count(), 0, 'no <img> made from header text');
  await p.screenshot('hostile-json-headers');
}));

test('form values with markup stay text in the table', { timeout: 60_000 }, () => withPanel('hostile-form', async (p) => {
  await p.feed({ type: 'show', exchange: fx.formExchange() });
  assert.equal(await p.page.locator('[data-testid=form-table] script').count(), 0);
  assert.match(await p.page.locator('[data-testid=form-table]').innerText(), /<script>top\.__pwned=1<\/script>/);
}));
