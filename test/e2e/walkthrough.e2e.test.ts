// A new user's walkthrough of Ricochet in real VS Code (code-server + headless Chromium): a REST
// Client file with environments, hover, completion, send, every panel tab, a redirect chain,
// cookies, environment switch, cancel, replay from history, copy as cURL, and the errors of a dead
// server, a bad certificate and an unknown variable. Screenshots go to test-output/walkthrough/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Frame } from 'playwright-core';
import { startHttpbin } from '../../core/httpbin/server.ts';
import type { RunningHttpbin } from '../../core/httpbin/server.ts';
import { makeCertificates } from '../servers/certs.ts';
import { Editor, ROOT } from './harness.ts';

const SHOTS = path.join(ROOT, 'test-output/walkthrough');
let server: RunningHttpbin;
let badTls: RunningHttpbin;
let vsc: Editor;
let shot = 0;

async function screenshot(label: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  shot++;
  await vsc.page.screenshot({ path: path.join(SHOTS, `${String(shot).padStart(2, '0')}-${label}.png`) });
}

before(async () => {
  server = await startHttpbin();
  const certs = await makeCertificates();
  badTls = await startHttpbin({ tls: { cert: certs.selfSigned.cert, key: certs.selfSigned.key } });
  vsc = await Editor.start({
    name: 'walkthrough',
    files: {
      'http-client.env.json': JSON.stringify({
        dev: { base: server.url, user: 'demo', password: 'secret' },
        prod: { base: server.url, user: 'alice', password: 'wonderland' },
      }, null, 2),
      'api.http': [
        '# @name login',
        'POST {{base}}/login',
        'Content-Type: application/json',
        '',
        '{"username": "{{user}}", "password": "{{password}}"}',
        '',
        '### who am I',
        'GET {{base}}/me',
        'Authorization: Bearer {{login.response.body.$.token}}',
        '',
        '### redirects',
        'GET {{base}}/redirect/3',
        '',
        '### cookies',
        'GET {{base}}/cookies/set?flavor=ginger',
        '',
        '### slow',
        'GET {{base}}/delay/20',
        '',
        '### dead server',
        'GET http://127.0.0.1:9/nothing',
        '',
        '### bad certificate',
        `GET ${badTls.url}/get`,
        '',
        '### typo',
        'GET {{bse}}/get',
        '',
      ].join('\n'),
    },
  });
});

after(async () => {
  await vsc?.stop();
  await server?.close();
  await badTls?.close();
});

/** Puts the cursor on the editor line whose text is `line`. */
async function clickLine(line: string): Promise<void> {
  const lines = vsc.page.locator('.monaco-editor .view-lines .view-line');
  for (let attempt = 0; attempt < 40; attempt++) {
    const count = await lines.count();
    for (let i = 0; i < count; i++) {
      const text = (await lines.nth(i).innerText().catch(() => '')).replace(/\u00a0/g, ' ');
      if (text.trim() === line) {
        await lines.nth(i).click();
        return;
      }
    }
    await vsc.page.waitForTimeout(250);
  }
  throw new Error(`no editor line "${line}"`);
}

async function sendLine(line: string): Promise<void> {
  await clickLine(line);
  await vsc.runCommand('Ricochet: Send Request');
}

async function tab(frame: Frame, name: string): Promise<string> {
  await frame.locator(`vscode-tab-header[data-tab="${name}"]`).click();
  await vsc.page.waitForTimeout(400);
  return frame.locator('vscode-tab-panel:not([hidden])').first().innerText().catch(() => '');
}

test('a new user walks through Ricochet', async () => {
  await vsc.step('walkthrough-open', async () => {
    await vsc.openFile('api.http');
    await vsc.page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Send Request' }).first().waitFor({ timeout: 60_000 });
    await screenshot('open');
  });

  await vsc.step('walkthrough-environment', async () => {
    await vsc.runCommand('Ricochet: Switch Environment');
    await vsc.page.waitForTimeout(500);
    await screenshot('environment-picker');
    await vsc.pick('dev');
    assert.match(await vsc.statusBarItem(/dev/), /dev/);
  });

  await vsc.step('walkthrough-hover', async () => {
    const token = vsc.page.locator('.monaco-editor .view-lines span', { hasText: /^\{\{base\}\}$|^base$/ }).first();
    await token.hover();
    await vsc.page.locator('.monaco-hover').first().waitFor({ state: 'visible', timeout: 20_000 });
    await vsc.page.waitForTimeout(500);
    await screenshot('hover-variable');
    assert.match(await vsc.page.locator('.monaco-hover').first().innerText(), /127\.0\.0\.1/);
  });

  await vsc.step('walkthrough-completion', async () => {
    await clickLine('GET {{bse}}/get');
    await vsc.page.keyboard.press('End');
    await vsc.page.keyboard.press('Enter');
    await vsc.page.keyboard.type('X-User: {{us');
    await vsc.page.keyboard.press('Control+Space');
    const row = vsc.page.locator('.suggest-widget .monaco-list-row', { hasText: 'user' }).first();
    await row.waitFor({ timeout: 20_000 });
    assert.match(await row.innerText(), /environment "dev" = demo/);
    await screenshot('completion');
    await vsc.page.keyboard.press('Escape');
    await vsc.page.keyboard.press('End');
    await vsc.page.keyboard.press('Shift+Home');
    await vsc.page.keyboard.press('Shift+Home');
    await vsc.page.keyboard.press('Delete');
    await vsc.page.keyboard.press('Backspace');
  });

  let frame: Frame;
  await vsc.step('walkthrough-send', async () => {
    await sendLine('GET {{base}}/me');
    frame = await vsc.panelFrame();
    await vsc.waitInFrame(frame, '[data-testid=status]', /200/);
    await vsc.waitInFrame(frame, '.monaco-editor .view-lines', /"Demo\sUser"/);
    await screenshot('me-body');
    // Sent again: the login it depends on is not sent a second time.
    await sendLine('GET {{base}}/me');
    await vsc.waitInFrame(frame, 'vscode-tab-header[data-tab=History]', /3/);
    const seen: Record<string, string> = {};
    for (const name of ['Headers', 'Request', 'Redirects', 'Cookies', 'Timing', 'Tests', 'History']) {
      seen[name] = await tab(frame, name);
      await screenshot(`me-tab-${name}`);
    }
    assert.match(seen.Request!, /Authorization\s+Bearer \S{20,}/, 'the token from login was sent');
    assert.equal(seen.History!.match(/\/login/g)?.length, 1, `login was sent once for two sends of /me:\n${seen.History}`);
    assert.match(seen.Timing!, /Total/);
    await tab(frame, 'Body');
  });

  await vsc.step('walkthrough-redirects', async () => {
    await sendLine('GET {{base}}/redirect/3');
    assert.match(await vsc.waitInFrame(frame, '[data-testid=final-url]', /3 redirects/), /3 redirects → \/get$/);
    await tab(frame, 'Redirects');
    await screenshot('redirects');
  });

  await vsc.step('walkthrough-cookies', async () => {
    await sendLine('GET {{base}}/cookies/set?flavor=ginger');
    await vsc.waitInFrame(frame, '[data-testid=url]', /cookies\/set/);
    assert.match(await tab(frame, 'Cookies'), /flavor\s+ginger/);
    await screenshot('cookies');
  });

  await vsc.step('walkthrough-switch-env', async () => {
    await vsc.runCommand('Ricochet: Switch Environment');
    await vsc.pick('prod');
    await sendLine('GET {{base}}/me');
    await vsc.waitInFrame(frame, '[data-testid=summary]', /200/);
    await tab(frame, 'Body');
    await vsc.waitInFrame(frame, '.monaco-editor .view-lines', /"Alice\sLiddell"/);
    await screenshot('prod-me');
  });

  await vsc.step('walkthrough-cancel', async () => {
    await sendLine('GET {{base}}/delay/20');
    await vsc.page.waitForTimeout(2500);
    await screenshot('slow-running');
    await vsc.runCommand('Ricochet: Cancel Request');
    await vsc.waitForNotification(/Request cancelled \(line 18\)/);
    await vsc.waitInFrame(frame, '[data-testid=status]', /^Cancelled$/);
    await screenshot('slow-cancelled');
  });

  await vsc.step('walkthrough-replay', async () => {
    await vsc.runCommand('Ricochet: Show History');
    const rows = vsc.page.locator('.monaco-list-row', { hasText: '/me' });
    await rows.first().waitFor({ timeout: 15_000 });
    await rows.first().hover();
    await screenshot('history-view');
    await rows.first().locator('.action-label[aria-label="Replay"]').click();
    await vsc.waitInFrame(frame, '[data-testid=url]', /\/me$/);
    // History keeps no credentials, so the replay gets a 401: the panel says why.
    assert.match(await vsc.waitInFrame(frame, '[data-testid=summary]', /Replayed without/), /Replayed without Authorization: history does not keep credentials/);
    await screenshot('replayed');
    await vsc.runCommand('View: Show Explorer');
    await vsc.openFile('api.http');
  });

  await vsc.step('walkthrough-curl', async () => {
    await clickLine('GET {{base}}/me');
    await vsc.runCommand('Ricochet: Copy Request as cURL');
    await vsc.page.waitForTimeout(1000);
    const curl = await vsc.readClipboard();
    assert.match(curl, /^curl http:\/\/127\.0\.0\.1:\d+\/me \\\n  -H 'Authorization: Bearer \S{20,}'/);
    await screenshot('curl-copied');
  });

  const errors = [
    ['dead-server', 'GET http://127.0.0.1:9/nothing', /Connection refused by 127\.0\.0\.1:9 \(line 21\) — is the server running on that port\?/],
    ['bad-tls', `GET ${badTls.url}/get`, /TLS: self[- ]signed certificate for 127\.0\.0\.1:\d+ \(line 24\) — set ricochet\.verify/],
    ['unknown-variable', 'GET {{bse}}/get', /^Ricochet: api\.http:27:5: \{\{bse\}\} is not defined/],
  ] as const;
  for (const [label, line, message] of errors) {
    await vsc.step(`walkthrough-${label}`, async () => {
      await vsc.closeNotifications();
      await sendLine(line);
      await vsc.waitForNotification(message);
      await screenshot(label);
    });
  }
});
