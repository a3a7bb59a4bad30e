// The .http language server in real VS Code (code-server + headless Chromium): typing `{{` in a
// request offers the file's variables. Run with `npm run test:e2e`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Editor } from './harness.ts';

let vsc: Editor;

before(async () => {
  vsc = await Editor.start({
    name: 'language',
    files: {
      'vars.http': ['@greeting = hello', '@target = 127.0.0.1:9', '', '### one', 'GET http://{{target}}/x', '', '###', ''].join('\n'),
    },
  });
});

after(async () => {
  await vsc?.stop();
});

test('the completion list offers a file variable inside {{ }}', async () => {
  await vsc.step('completion', async () => {
    await vsc.openFile('vars.http');
    const page = vsc.page;
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('GET http://127.0.0.1:9/{{gre');
    const row = page.locator('.suggest-widget .monaco-list-row', { hasText: 'greeting' }).first();
    // The server starts with the first .http document; ask again until it answers.
    for (let attempt = 0; ; attempt++) {
      try {
        await row.waitFor({ timeout: 5000 });
        break;
      } catch (error) {
        if (attempt >= 11) throw error;
        await page.keyboard.press('Escape');
        await page.keyboard.press('Control+Space');
      }
    }
    assert.match(await row.innerText(), /greeting/);
    await vsc.screenshot('completion');
  });
});
