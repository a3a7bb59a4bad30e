// The response panel in headless Chromium: every tab's content for each fixture, the messages it
// posts back, theme switching. A screenshot of each tab goes to test-output/browser/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fx from '../fixtures/exchanges/index.ts';
import { openPanel, panelSuite, withScreenshotOnFailure, type PanelPage } from './harness.ts';

const suite = panelSuite();

async function withPanel(name: string, fn: (p: PanelPage) => Promise<void>, theme?: Parameters<typeof openPanel>[2]): Promise<void> {
  const p = await openPanel(suite.browser, suite.server, theme);
  try {
    await withScreenshotOnFailure(p, name, () => fn(p));
    assert.deepEqual(p.errors, [], 'no page errors');
    assert.deepEqual(await p.cspViolations(), [], 'no CSP violations');
  } finally {
    await p.close();
  }
}

const text = (p: PanelPage, selector: string) => p.page.locator(selector).first().innerText();

test('summary line and every tab of a JSON exchange', { timeout: 60_000 }, () => withPanel('json', async (p) => {
  assert.deepEqual(await p.posted(), [{ type: 'ready' }], 'the panel says ready once it listens');
  await p.feed({ type: 'show', exchange: fx.jsonExchange() });
  await p.feed({ type: 'history', entries: fx.historyEntries() });
  await p.feed({ type: 'cookieJar', environment: 'dev', cookies: fx.jarCookies() });

  assert.equal(await text(p, '[data-testid=method]'), 'POST');
  assert.equal(await text(p, '[data-testid=url]'), 'https://api.example.test/json');
  assert.equal(await text(p, '[data-testid=status]'), '200 OK');
  assert.match(await p.page.locator('[data-testid=status]').getAttribute('class') ?? '', /status-success/);
  assert.match(await text(p, '[data-testid=total-time]'), /75 ms/);
  assert.match(await text(p, '[data-testid=sizes]'), /headers \d+ B · body 274 B \(\d+ B on the wire\)/);
  assert.match(await text(p, '[data-testid=remote]'), /203\.0\.113\.7:443/);
  assert.match(await text(p, '[data-testid=tls]'), /TLSv1\.3/);
  assert.match(await text(p, '.summary'), /HTTP\/1\.1/);

  // Body: pretty JSON in Monaco, folding available, charset and decoding shown.
  await p.page.locator('.monaco-editor .view-lines').waitFor();
  await p.page.waitForFunction(() => document.querySelectorAll('.monaco-editor .view-line').length > 10);
  const pretty = await p.page.evaluate(() => (globalThis as unknown as { ricochetPanel: { bodyText(): string } }).ricochetPanel.bodyText());
  assert.equal(pretty, JSON.stringify(JSON.parse(fx.jsonText), null, 2));
  assert.equal(await text(p, '[data-testid=charset]'), 'charset utf-8');
  assert.equal(await text(p, '[data-testid=encoding]'), 'decoded gzip');
  // Folding: collapse "slides" (line 5) and lines 6–17 disappear from view.
  await p.page.locator('.monaco-editor .cldr.codicon-folding-expanded').nth(2).waitFor();
  const visibleLines = () => p.page.locator('.monaco-editor .view-line').count();
  assert.equal(await visibleLines(), 21);
  await p.page.locator('.monaco-editor .cldr.codicon-folding-expanded').nth(2).click();
  await p.page.waitForFunction(() => document.querySelectorAll('.monaco-editor .view-line').length === 9);
  await p.page.locator('.monaco-editor .cldr.codicon-folding-collapsed').first().click();
  await p.page.waitForFunction(() => document.querySelectorAll('.monaco-editor .view-line').length === 21);
  // The JSON worker started under the strict CSP (fetched, then run from a blob: URL).
  await p.page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/dist/webview/json.worker.js')));
  await p.screenshot('json-body-pretty');
  await p.page.locator('vscode-button[data-mode=raw]').click();
  assert.equal(await p.page.evaluate(() => (globalThis as unknown as { ricochetPanel: { bodyText(): string } }).ricochetPanel.bodyText()), fx.jsonText);
  // Search works inside the read-only editor.
  await p.page.locator('.monaco-editor').first().click();
  await p.page.keyboard.press('Control+F');
  await p.page.locator('.find-widget textarea, .find-widget input').first().waitFor({ state: 'visible' });
  await p.page.keyboard.type('WonderWidgets');
  await p.page.waitForFunction(() => /of/.test(document.querySelector('.find-widget .matchesCount')?.textContent ?? ''));
  assert.match(await text(p, '.find-widget .matchesCount'), /1 of 3/);
  await p.screenshot('json-body-find');
  await p.page.keyboard.press('Escape');

  await p.tab('Headers');
  const headers = await text(p, '[data-testid=response-headers]');
  assert.match(headers, /X-Request-Id\s+abc-123/);
  assert.match(headers, /Content-Encoding\s+gzip/);
  assert.equal(await text(p, 'vscode-tab-header[data-tab=Headers] vscode-badge'), '6');
  // Names get 30% and values 70%, even though the table was built while its tab was hidden.
  await p.page.waitForFunction(() => {
    const table = document.querySelector('[data-testid=response-headers]')!.getBoundingClientRect();
    const name = document.querySelector('[data-testid=response-headers] vscode-table-header-cell')!.getBoundingClientRect();
    return Math.abs(name.width / table.width - 0.3) < 0.03;
  }, null, { timeout: 5_000 });
  await p.screenshot('json-headers');

  await p.tab('Request');
  const sent = await text(p, '[data-testid=request-headers]');
  assert.match(sent, /Authorization\s+Bearer s3cr3t/, 'headers as actually sent, after auth');
  assert.equal(await text(p, '[data-testid=request-body]'), '{\n  "query": "widgets",\n  "limit": 10\n}');
  await p.screenshot('json-request');

  await p.tab('Redirects');
  assert.match(await text(p, '[data-testid=no-redirects]'), /No redirects/);

  await p.tab('Cookies');
  const jar = await text(p, '[data-testid=cookie-jar]');
  assert.match(jar, /127\.0\.0\.1\s+\/\s+sid\s+abc123/);
  await p.page.locator('[data-testid=cookie-jar] vscode-button[data-action=delete-cookie]').first().click();
  await p.page.locator('vscode-button[data-action=clear-cookies]').click();
  await p.screenshot('json-cookies');

  await p.tab('Timing');
  assert.equal(await p.page.locator('[data-testid=waterfall] rect').count(), 5, 'DNS, connect, TLS, TTFB, download');
  const conn = await text(p, '[data-testid=connection]');
  assert.match(conn, /TLS\s+TLSv1\.3 · TLS_AES_128_GCM_SHA256/);
  assert.match(conn, /Certificate\s+verified/);
  assert.match(conn, /Issuer\s+CN=Ricochet Test CA/);
  assert.match(await text(p, '[data-testid=timing-table]'), /TLS\s+19 ms/);
  await p.screenshot('json-timing');

  await p.tab('Tests');
  assert.equal(await text(p, '[data-testid=tests-summary]'), '2 of 3 passed');
  assert.equal(await p.page.locator('[data-testid=tests] li.fail').count(), 1);
  assert.match(await text(p, '[data-testid=tests] li.fail'), /expected contains xml · actual application\/json/);
  await p.screenshot('json-tests');

  await p.page.locator('.summary vscode-button[data-action=copy-curl]').click();
  await p.page.locator('.summary vscode-button[data-action=replay]').click();

  await p.tab('History');
  assert.equal(await p.page.locator('[data-testid=history] vscode-table-row').count(), 3);
  await p.page.locator('[data-testid=history] vscode-button[data-action=replay]').first().click();
  await p.page.locator('[data-testid=history] vscode-button[data-action=show]').nth(1).click();
  await p.page.locator('vscode-checkbox[data-id="json-1"]').click();
  await p.page.locator('vscode-checkbox[data-id="redirect-1"]').click();
  await p.page.locator('vscode-button[data-action=compare]').click();
  await p.screenshot('json-history');

  assert.deepEqual((await p.posted()).slice(1), [
    { type: 'deleteCookie', domain: '127.0.0.1', path: '/', name: 'sid' },
    { type: 'clearCookies' },
    { type: 'copyAsCurl', id: 'json-1' },
    { type: 'replay', id: 'json-1' },
    { type: 'replay', id: 'json-1' },
    { type: 'showHistoryEntry', id: 'redirect-1' },
    { type: 'diff', a: 'json-1', b: 'redirect-1' },
  ]);
}));

test('History compares two exchanges: status, headers that differ, body diff', { timeout: 60_000 }, () => withPanel('diff', async (p) => {
  await p.feed({ type: 'show', exchange: fx.jsonExchange() });
  await p.feed({ type: 'history', entries: fx.historyEntries() });
  await p.tab('History');
  await p.feed({ type: 'diff', a: fx.jsonExchange(), b: fx.jsonExchangeVariant() });
  assert.match(await text(p, '[data-testid=diff-status]'), /A: 200 OK.*B: 201 Created/s);
  assert.match(await text(p, '[data-testid=diff-headers]'), /x-request-id\s+abc-123\s+def-456/);
  await p.page.locator('[data-testid=diff-editor] .monaco-diff-editor').waitFor();
  await p.page.waitForFunction(() => document.querySelectorAll('[data-testid=diff-editor] .line-insert, [data-testid=diff-editor] .char-insert').length > 0, null, { timeout: 15_000 });
  await p.page.locator('[data-testid=diff]').scrollIntoViewIfNeeded();
  await p.screenshot('history-diff');
}));

test('redirect chain: every hop with Location, dropped Authorization and cookies', { timeout: 60_000 }, () => withPanel('redirects', async (p) => {
  await p.feed({ type: 'show', exchange: fx.redirectExchange() });
  assert.equal(await text(p, 'vscode-tab-header[data-tab=Redirects] vscode-badge'), '2');
  const last = fx.redirectExchange().hops.at(-1)!.request.url;
  assert.equal((await text(p, '[data-testid=final-url]')).trim(), `2 redirects → ${last}`, 'the summary says where the chain ended');
  await p.tab('Redirects');
  const hops = p.page.locator('[data-testid=hop]');
  assert.equal(await hops.count(), 3);
  assert.match(await hops.nth(0).innerText(), /POST\s+http:\/\/127\.0\.0\.1:8080\/login\s+302 Found/);
  assert.match(await hops.nth(0).innerText(), /Location:\s*http:\/\/localhost:8081\/session/);
  assert.match(await hops.nth(0).innerText(), /Cookies set: sid/);
  assert.match(await hops.nth(1).innerText(), /301 Moved Permanently/);
  assert.match(await text(p, '[data-testid=auth-dropped]'), /Authorization not sent: redirect to a different host/);
  assert.equal(await hops.nth(0).locator('[data-testid=auth-dropped]').count(), 0);
  assert.equal(await hops.nth(0).locator('[data-testid=auth-sent]').count(), 1, 'the first hop did send it');
  assert.equal(await hops.nth(2).locator('[data-testid=auth-sent]').count(), 0);
  assert.match(await hops.nth(2).innerText(), /200 OK/);
  assert.match(await hops.nth(2).innerText(), /Cookies sent: theme=dark/);
  await hops.nth(0).locator('details summary').click();
  assert.match(await hops.nth(0).locator('[data-testid=hop-request-headers]').innerText(), /Authorization\s+Basic/);
  await p.screenshot('redirects');

  await p.tab('Cookies');
  assert.match(await text(p, '[data-testid=cookies-received]'), /1\s+sid\s+abc123\s+127\.0\.0\.1\s+\/\s+session\s+HttpOnly SameSite=Lax/);
  assert.match(await text(p, '[data-testid=cookies-received]'), /2\s+theme\s+dark\s+localhost\s+\/\s+max-age 3600/);
  assert.match(await text(p, '[data-testid=cookies-sent]'), /theme\s+dark/);
  await p.screenshot('redirect-cookies');

  await p.tab('Timing');
  assert.equal(await p.page.locator('[data-testid=waterfall] g').count(), 3, 'one waterfall row per hop');
  assert.equal(await p.page.locator('[data-testid=timing-table]').count(), 3);
  await p.screenshot('redirect-timing');
}));

test('XML is pretty-printed with folding; HTML shows source and a sandboxed preview', { timeout: 60_000 }, () => withPanel('xml-html', async (p) => {
  await p.feed({ type: 'show', exchange: fx.xmlExchange() });
  await p.page.locator('.monaco-editor .view-lines').waitFor();
  const xml = await p.page.evaluate(() => (globalThis as unknown as { ricochetPanel: { bodyText(): string } }).ricochetPanel.bodyText());
  assert.match(xml, /\n  <slide type="all">\n    <title>Wake up<\/title>/);
  await p.screenshot('xml-body');

  await p.feed({ type: 'show', exchange: fx.htmlExchange() });
  assert.deepEqual(await p.page.locator('.modes vscode-button').allInnerTexts(), ['Pretty', 'Raw', 'Preview', 'Hex']);
  await p.page.locator('vscode-button[data-mode=preview]').click();
  const frame = p.page.locator('[data-testid=html-preview]');
  assert.equal(await frame.getAttribute('sandbox'), '');
  assert.equal(await p.page.frameLocator('[data-testid=html-preview]').locator('#greeting').innerText(), 'Hello from a hostile page');
  await p.screenshot('html-preview');
}));

test('image preview, hex for binary, form as a table, multipart parts', { timeout: 60_000 }, () => withPanel('by-type', async (p) => {
  await p.feed({ type: 'show', exchange: fx.imageExchange() });
  const img = p.page.locator('[data-testid=image-preview]');
  await p.page.waitForFunction(() => (document.querySelector('[data-testid=image-preview]') as HTMLImageElement | null)?.naturalWidth === 24);
  assert.match(await img.getAttribute('src') ?? '', /^blob:/);
  assert.match(await text(p, '[data-testid=image-size]'), /24 × 16 px/);
  await p.screenshot('image-preview');

  await p.feed({ type: 'show', exchange: fx.binaryExchange() });
  const hex = await text(p, '[data-testid=hex]');
  assert.match(hex, /^00000000  52 49 43 4f 43 48 45 54  [0-9a-f ]+\|RICOCHET/);
  assert.equal(hex.split('\n').length, Math.ceil(300 / 16));
  await p.screenshot('binary-hex');

  await p.feed({ type: 'show', exchange: fx.formExchange() });
  const form = await text(p, '[data-testid=form-table]');
  assert.match(form, /name\s+Ada Lovelace/);
  assert.match(form, /note\s+<script>top\.__pwned=1<\/script>/);
  assert.equal(await p.page.locator('[data-testid=form-table] vscode-table-row').count(), 4);
  await p.screenshot('form-table');

  await p.feed({ type: 'show', exchange: fx.multipartExchange() });
  const parts = p.page.locator('[data-testid=parts] .part');
  assert.equal(await parts.count(), 2);
  assert.match(await parts.nth(0).innerText(), /Part 1 · title[\s\S]*Hello parts/);
  assert.match(await parts.nth(1).innerText(), /notes\.txt[\s\S]*line one\nline two/);
  await p.screenshot('multipart');
}));

test('a failed request shows the error, no status and an empty body', { timeout: 60_000 }, () => withPanel('failed', async (p) => {
  await p.feed({ type: 'show', exchange: fx.failedExchange() });
  assert.equal(await text(p, '[data-testid=status]'), 'No response');
  assert.match(await text(p, '[data-testid=error]'), /ConnectionError: connect ECONNREFUSED 127\.0\.0\.1:9/);
  assert.match(await text(p, '[data-testid=total-time]'), /3\.2/, 'a failure after 3.2 ms of connecting says so');
  // Cancelled before anything was timed: no "0.00 ms".
  const untimed = fx.failedExchange();
  untimed.id = 'failed-untimed';
  untimed.hops[0]!.timings = { dns: 0, connect: 0, tls: 0, ttfb: 0, download: 0, total: 0 };
  await p.feed({ type: 'show', exchange: untimed });
  await p.page.waitForFunction(() => document.querySelectorAll('[data-testid=total-time]').length === 0);
  // Cancelled by the user: said plainly, not as a red failure.
  const cancelled = fx.failedExchange();
  cancelled.id = 'failed-cancelled';
  cancelled.error = { name: 'AbortError', message: 'Request cancelled by the user' };
  await p.feed({ type: 'show', exchange: cancelled });
  await p.page.waitForFunction(() => document.querySelector('[data-testid=status]')?.textContent === 'Cancelled');
  assert.equal((await text(p, '[data-testid=error]')).trim(), 'Request cancelled by the user');
  assert.match(await p.page.locator('[data-testid=status]').getAttribute('class') ?? '', /status-info/);
  assert.equal(await text(p, '[data-testid=body-empty]'), 'No body');
  await p.screenshot('failed');
}));

test('light, dark and high contrast themes restyle the panel and Monaco', { timeout: 60_000 }, () => withPanel('themes', async (p) => {
  await p.feed({ type: 'show', exchange: fx.jsonExchange() });
  await p.page.locator('.monaco-editor .view-lines').waitFor();
  const bg = () => p.page.evaluate(() => getComputedStyle(document.querySelector('.monaco-editor-background')!).backgroundColor);
  assert.equal(await bg(), 'rgb(31, 31, 31)');
  await p.screenshot('theme-dark');
  for (const [theme, expected] of [['vscode-light', 'rgb(255, 255, 255)'], ['vscode-high-contrast', 'rgb(0, 0, 0)']] as const) {
    await p.page.evaluate((t) => { document.body.className = t; }, theme);
    await p.page.waitForFunction((e) => getComputedStyle(document.querySelector('.monaco-editor-background')!).backgroundColor === e, expected, { timeout: 5_000 });
    assert.equal(await p.page.evaluate(() => getComputedStyle(document.body).backgroundColor), expected);
    await p.screenshot(`theme-${theme.replace('vscode-', '')}`);
  }
  await p.tab('Headers');
  await p.screenshot('theme-high-contrast-headers');
}));

test('a request in flight shows a progress bar until its response arrives', { timeout: 60_000 }, () => withPanel('sending', async (p) => {
  await p.feed({ type: 'show', exchange: fx.jsonExchange() });
  const bar = p.page.locator('vscode-progress-bar');
  assert.equal(await bar.isVisible(), false);
  await p.feed({ type: 'sending', method: 'GET', url: 'http://127.0.0.1:8080/slow' });
  await bar.waitFor({ state: 'visible' });
  assert.equal(await bar.getAttribute('aria-label'), 'Sending GET http://127.0.0.1:8080/slow');
  await p.screenshot('sending');
  await p.feed({ type: 'show', exchange: fx.redirectExchange() });
  await bar.waitFor({ state: 'hidden' });
}));

test('in a narrow panel the tab headers wrap instead of being cut off', { timeout: 60_000 }, async () => {
  const p = await openPanel(suite.browser, suite.server, 'vscode-light', { width: 420, height: 700 });
  try {
    await withScreenshotOnFailure(p, 'narrow', async () => {
      await p.feed({ type: 'show', exchange: fx.redirectExchange() });
      const history = await p.page.locator('vscode-tab-header[data-tab=History]').boundingBox();
      assert.ok(history && history.x + history.width <= 420, `History header within the panel (${JSON.stringify(history)})`);
      await p.tab('History');
      await p.screenshot('narrow-light');
    });
  } finally {
    await p.close();
  }
});

test('History beside the editor: the request column gets the room, not the status', { timeout: 60_000 }, async () => {
  const p = await openPanel(suite.browser, suite.server, 'vscode-light', { width: 520, height: 700 });
  try {
    await withScreenshotOnFailure(p, 'history-beside', async () => {
      await p.feed({ type: 'show', exchange: fx.redirectExchange() });
      await p.feed({ type: 'history', entries: fx.historyEntries() });
      await p.tab('History');
      const cell = p.page.locator('[data-testid=history] vscode-table-cell:has(.history-req)').first();
      await cell.waitFor();
      // vscode-table sizes its columns from a ResizeObserver, a frame or more after the rows
      // appear (on a loaded machine, several): judge the layout once it has settled.
      const settled = await cell.evaluate((el) => new Promise<number>((resolve) => {
        const started = performance.now();
        const check = (): void => {
          const width = el.getBoundingClientRect().width;
          if (width >= 120 || performance.now() - started > 5_000) resolve(width);
          else requestAnimationFrame(check);
        };
        check();
      }));
      assert.ok(settled >= 120, `the Request column is ${settled} px wide in a 520 px panel`);
      await p.screenshot('history-beside');
    });
  } finally {
    await p.close();
  }
});

test('the selected tab survives the webview reloading (hidden and shown again)', { timeout: 60_000 }, () => withPanel('reload', async (p) => {
  await p.feed({ type: 'show', exchange: fx.redirectExchange() });
  await p.tab('Redirects');
  await p.page.reload();
  await p.page.waitForFunction(() => 'ricochetPanel' in globalThis);
  await p.feed({ type: 'show', exchange: fx.redirectExchange() });
  await p.page.locator('[data-testid=hops]').waitFor({ state: 'visible' });
  assert.equal(await p.page.locator('vscode-tab-panel[data-panel=Body]').isVisible(), false);
}));
