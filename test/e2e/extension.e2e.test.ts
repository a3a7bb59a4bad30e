// Ricochet in real VS Code (code-server + headless Chromium), as a user would use it.
// Run with `npm run test:e2e` (installs the toolchain on first use and packages ricochet.vsix).
import { test, before, after } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { startHttpbin } from '../../core/httpbin/server.ts';
import type { RunningHttpbin } from '../../core/httpbin/server.ts';
import { Editor } from './harness.ts';

let server: RunningHttpbin;
let vsc: Editor;

before(async () => {
  server = await startHttpbin();
  vsc = await Editor.start({
    name: 'extension',
    files: {
      'api.http': [
        `@base = ${server.url}`,
        '',
        '### hello',
        'GET {{base}}/get?hello=world',
        '',
        '### stage',
        'GET {{base}}/anything/{{stage}}',
        '',
        '### set cookie',
        'GET {{base}}/cookies/set?flavor=ginger',
        '',
        '### echo headers',
        'GET {{base}}/headers',
        '',
        '### slow',
        'GET {{base}}/delay/10',
        '',
        '### secret',
        'GET {{base}}/anything/secret',
        'X-Token: {{token}}',
        '',
      ].join('\n'),
      'http-client.env.json': JSON.stringify({ dev: { stage: 'dev-stage' }, prod: { stage: 'prod-stage' }, vault: { token: '$secret' } }, null, 2),
    },
  });
});

after(async () => {
  await vsc?.stop();
  await server?.close();
});

test('clicking the Send Request CodeLens shows the response', async (t) => {
  await vsc.step('send', async () => {
    await vsc.openFile('api.http');
    await vsc.clickCodeLens('Send Request', 'GET {{base}}/get?hello=world');
    const text = await vsc.waitForText(/200 OK[\s\S]*"hello": "world"/);
    assert.match(text, /application\/json/i);
    await vsc.screenshot('send');
    const log = vsc.outputChannel('Ricochet');
    assert.match(log, new RegExp(`→ GET ${server.url.replace(/\./g, '\\.')}/get\\?hello=world`), 'the output channel logs what was sent');
    const activated = /Ricochet activated in ([\d.]+) ms/.exec(log);
    if (activated) t.diagnostic(`activation in real VS Code: ${activated[1]} ms`);
  });
});

test('switching environment changes the URL a variable builds', async () => {
  await vsc.step('environment', async () => {
    await vsc.runCommand('Ricochet: Switch Environment');
    await vsc.pick('prod');
    assert.match(await vsc.statusBarItem(/prod/), /prod/);
    await vsc.openFile('api.http');
    await vsc.clickCodeLens('Send Request', 'GET {{base}}/anything/{{stage}}');
    await vsc.waitForText(/"url": "[^"]*\/anything\/prod-stage"/);
    await vsc.screenshot('environment');
  });
});

test('a cookie set by one request is sent by the next', async () => {
  await vsc.step('cookies', async () => {
    await vsc.openFile('api.http');
    await vsc.clickCodeLens('Send Request', 'GET {{base}}/cookies/set?flavor=ginger');
    await vsc.waitForText(/"flavor": "ginger"/);
    await vsc.openFile('api.http');
    await vsc.clickCodeLens('Send Request', 'GET {{base}}/headers');
    await vsc.waitForText(/"Cookie": "flavor=ginger"/);
    await vsc.screenshot('cookies');
  });
});

test('a slow request can be cancelled from its CodeLens', async () => {
  await vsc.step('cancel', async () => {
    await vsc.openFile('api.http');
    const started = Date.now();
    await vsc.clickCodeLens('Send Request', 'GET {{base}}/delay/10');
    await vsc.clickCodeLens('Cancel', 'GET {{base}}/delay/10');
    await vsc.waitForNotification(/cancelled/i);
    assert.ok(Date.now() - started < 9000, 'cancelled well before the 10 s delay ended');
    await vsc.screenshot('cancel');
    await vsc.closeNotifications();
  });
});

test('"Ricochet: Send Request" sends the request at the cursor; a slow one shows a progress notification with Cancel', async () => {
  await vsc.step('progress-cancel', async () => {
    await vsc.openFile('api.http');
    await vsc.page.locator('.monaco-editor .view-line', { hasText: '/delay/10' }).first().click();
    const started = Date.now();
    await vsc.runCommand('Ricochet: Send Request');
    const cancel = vsc.page.locator('.notification-toast', { hasText: 'Ricochet: sending GET' }).locator('.monaco-button', { hasText: 'Cancel' });
    await cancel.waitFor({ timeout: 15_000 });
    await vsc.screenshot('progress');
    await cancel.click();
    await vsc.waitForNotification(/Request cancelled/);
    assert.ok(Date.now() - started < 9000, 'cancelled well before the 10 s delay ended');
    await vsc.closeNotifications();
  });
});

test('a request replayed from the History view is sent again', async () => {
  await vsc.step('history', async () => {
    await vsc.runCommand('Ricochet: Show History');
    const rows = vsc.page.locator('.monaco-list-row', { hasText: '/headers' });
    await rows.first().waitFor({ timeout: 15_000 });
    const before = await rows.count();
    await rows.first().hover();
    await rows.first().locator('.action-label[aria-label="Replay"]').click();
    for (let i = 0; i < 60 && (await rows.count()) <= before; i++) await vsc.page.waitForTimeout(250);
    assert.equal(await rows.count(), before + 1, 'the replay is a new history entry');
    await vsc.waitForText(/"Cookie": "flavor=ginger"/);
    await vsc.screenshot('history');
  });
});

test('the Collections view lists the file\'s requests and sends one from the tree', async () => {
  await vsc.step('collections', async () => {
    await vsc.runCommand('Ricochet: Show History'); // reveals the Ricochet side bar: Collections and History
    const file = vsc.page.locator('.monaco-list-row', { hasText: 'api.http' }).first();
    await file.waitFor({ timeout: 15_000 });
    if ((await file.getAttribute('aria-expanded')) !== 'true') await file.click();
    const request = vsc.page.locator('.monaco-list-row', { hasText: /^\s*stage\s*GET/ }).first();
    await request.waitFor({ timeout: 15_000 });
    await request.hover();
    await request.locator('.action-label[aria-label="Send Request"]').click();
    await vsc.waitForText(/"url": "[^"]*\/anything\/prod-stage"/);
    await vsc.screenshot('collections');
  });
});

test('a "$secret" environment value is asked for once, sent, and never written to history', async () => {
  await vsc.step('secret', async () => {
    await vsc.runCommand('Ricochet: Switch Environment');
    await vsc.pick('vault');
    await vsc.openFile('api.http');
    await vsc.clickCodeLens('Send Request', 'GET {{base}}/anything/secret');
    const input = vsc.page.locator('.quick-input-widget input[type="password"]');
    await input.waitFor({ timeout: 15_000 });
    await input.fill('s3cr3t-e2e-value');
    await vsc.page.keyboard.press('Enter');
    await vsc.waitForText(/"X-Token": "s3cr3t-e2e-value"/);
    const history = findFile(path.join(vsc.run, 'ud'), 'history.json');
    assert.ok(history, 'history.json exists in workspace storage');
    let text = '';
    for (let i = 0; i < 40 && !text.includes('X-Token'); i++) {
      text = fs.readFileSync(history, 'utf8');
      await vsc.page.waitForTimeout(250);
    }
    assert.match(text, /X-Token/);
    assert.ok(!text.includes('s3cr3t-e2e-value'), 'the secret is not in history');
    let log = '';
    for (let i = 0; i < 40 && !/X-Token: /.test(log); i++) {
      log = vsc.outputChannel('Ricochet');
      await vsc.page.waitForTimeout(250);
    }
    assert.match(log, /X-Token: ••••••/, 'the output channel logs the header, masked');
    assert.ok(!log.includes('s3cr3t-e2e-value'), 'the secret is not in the output channel');
    await vsc.screenshot('secret');
  });
});

function findFile(dir: string, name: string): string | undefined {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findFile(full, name);
      if (found) return found;
    } else if (entry.name === name) return full;
  }
  return undefined;
}

test('Copy as cURL copies the resolved request; Paste cURL as Request inserts a runnable block', async () => {
  await vsc.step('curl', async () => {
    await vsc.openFile('api.http');
    await vsc.clickCodeLens('Copy as cURL', 'GET {{base}}/headers');
    let copied = '';
    for (let i = 0; i < 40 && !copied.startsWith('curl'); i++) {
      copied = await vsc.readClipboard();
      await vsc.page.waitForTimeout(250);
    }
    assert.equal(copied.split(/\s/)[1], `${server.url}/headers`, `{{base}} resolved in: ${copied}`);

    await vsc.writeClipboard(`curl -X POST '${server.url}/post' -H 'Content-Type: application/json' --data-raw '{"pasted":true}'`);
    await vsc.page.locator('.monaco-editor .view-line', { hasText: 'X-Token' }).first().click();
    await vsc.page.keyboard.press('End');
    await vsc.page.keyboard.press('Enter');
    await vsc.page.keyboard.press('Enter');
    await vsc.runCommand('Ricochet: Paste cURL as Request');
    await vsc.waitForText(/POST http:\/\/127\.0\.0\.1:\d+\/post/);
    await vsc.clickCodeLens('Send Request', `POST ${server.url}/post`);
    await vsc.waitForText(/"pasted": true/);
    await vsc.screenshot('curl');
  });
});

test('Clear Cookies forgets the cookie jar', async () => {
  await vsc.step('clear-cookies', async () => {
    // Back to the environment whose jar holds the cookie from the earlier test (each environment has its own jar).
    await vsc.runCommand('Ricochet: Switch Environment');
    await vsc.pick('prod');
    await vsc.openFile('api.http');
    await vsc.clickCodeLens('Send Request', 'GET {{base}}/headers');
    await vsc.waitForText(/"Cookie": "flavor=ginger"/);
    await vsc.runCommand('Ricochet: Clear Cookies');
    await vsc.waitForNotification(/cookies cleared/i);
    await vsc.clickCodeLens('Send Request', 'GET {{base}}/headers');
    // httpbin lists Cookie after Accept: Accept closing the object means no cookie was sent.
    await vsc.waitForText(/"Accept": "\*\/\*"\s*\}/);
    await vsc.screenshot('clear-cookies');
  });
});

test('Ctrl+Alt+R sends the request at the cursor, as in REST Client', async () => {
  await vsc.step('keybinding', async () => {
    await vsc.openFile('api.http');
    await vsc.page.locator('.monaco-editor .view-line', { hasText: '/get?hello=world' }).first().click();
    await vsc.page.keyboard.press('Control+Alt+R');
    await vsc.waitForText(/"hello": "world"/);
  });
});

test('"Open Response Body in Editor" opens the last body in an editor in its language', async () => {
  await vsc.step('open-body', async () => {
    await vsc.runCommand('Ricochet: Open Response Body in Editor');
    await vsc.page.locator('.tabs-container .tab[aria-label^="body.json"]').first().waitFor({ timeout: 15_000 });
    await vsc.waitForText(/"hello": "world"/);
    await vsc.screenshot('open-body');
  });
});
