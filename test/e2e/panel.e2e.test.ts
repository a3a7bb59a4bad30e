// The response panel in real VS Code (code-server + headless Chromium): send a request and see
// its status and body in the panel; the Redirects tab shows every hop of a redirect chain; a
// second send reuses the one panel. Run with `npm run test:e2e`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpbin } from '../../core/httpbin/server.ts';
import type { RunningHttpbin } from '../../core/httpbin/server.ts';
import { Editor } from './harness.ts';

let server: RunningHttpbin;
let vsc: Editor;

before(async () => {
  server = await startHttpbin();
  vsc = await Editor.start({
    name: 'panel',
    files: {
      'panel.http': [
        `@base = ${server.url}`,
        '',
        '### json',
        'GET {{base}}/json',
        '',
        '### three redirects',
        'GET {{base}}/redirect/3',
        '',
      ].join('\n'),
    },
  });
});

after(async () => {
  await vsc?.stop();
  await server?.close();
});

/** The webview frame that holds the panel (webviews are nested iframes). */
test('send a request: the panel shows the status and the body', async () => {
  await vsc.step('panel-send', async () => {
    await vsc.openFile('panel.http');
    await vsc.clickCodeLens('Send Request', 0);
    const frame = await vsc.panelFrame();
    assert.match(await vsc.waitInFrame(frame, '[data-testid=status]', /200 OK/), /200 OK/);
    assert.match(await frame.locator('[data-testid=url]').innerText(), /\/json$/);
    // The body in Monaco, pretty-printed (httpbin's /json is the slideshow document).
    // Monaco renders spaces as no-break spaces, hence \s.
    assert.match(await vsc.waitInFrame(frame, '.monaco-editor .view-lines', /"slideshow":\s\{/), /"title":\s"Sample\sSlide\sShow"/);
    // Monaco's JSON worker started under the webview's CSP (fetched from the extension, run from blob:).
    const end = Date.now() + 15_000;
    let worker = false;
    while (!worker && Date.now() < end) {
      worker = await frame.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.includes('json.worker.js')));
      if (!worker) await vsc.page.waitForTimeout(250);
    }
    assert.ok(worker, 'json.worker.js was loaded');
    await vsc.screenshot('panel-body');
  });
});

test('a redirect chain: the Redirects tab lists every hop, and the panel is reused', async () => {
  await vsc.step('panel-redirects', async () => {
    const panelTabs = () => vsc.page.locator('.tabs-container .tab', { hasText: /^GET / });
    await vsc.clickCodeLens('Send Request', 1);
    const frame = await vsc.panelFrame();
    await vsc.waitInFrame(frame, '[data-testid=url]', /\/redirect\/3$/);
    assert.match(await vsc.waitInFrame(frame, '[data-testid=status]', /200 OK/), /200 OK/);
    await frame.locator('vscode-tab-header[data-tab="Redirects"]').click();
    await frame.locator('[data-testid=hop]').nth(3).waitFor();
    const hops = await frame.locator('[data-testid=hop]').allInnerTexts();
    assert.equal(hops.length, 4, 'three redirects and the final response');
    for (const hop of hops.slice(0, 3)) assert.match(hop, /302 Found[\s\S]*Location:/);
    assert.match(hops[3]!, /\/get\s+200 OK/);
    assert.equal(await panelTabs().count(), 1, 'one panel, reused');
    await vsc.screenshot('panel-redirects');
  });
});
