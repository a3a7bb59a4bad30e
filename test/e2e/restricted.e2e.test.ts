// Workspace Trust in real VS Code: an untrusted folder opens in Restricted Mode, where
// $processEnv (and $dotenv, bodies from files) are refused with a message saying why.
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
    name: 'restricted',
    restricted: true,
    files: { 'env.http': `GET ${server.url}/anything/{{$processEnv HOME}}\n\n###\nGET ${server.url}/get?plain=1\n` },
  });
});

after(async () => {
  await vsc?.stop();
  await server?.close();
});

test('in Restricted Mode $processEnv is refused with a message, plain requests still work', async () => {
  await vsc.step('restricted', async () => {
    await vsc.openFile('env.http');
    await vsc.clickCodeLens('Send Request', `GET ${server.url}/anything/{{$processEnv HOME}}`);
    const message = await vsc.waitForNotification(/Restricted Mode/);
    assert.match(message, /processEnv/);
    await vsc.screenshot('restricted');
    await vsc.closeNotifications();
    await vsc.clickCodeLens('Send Request', `GET ${server.url}/get?plain=1`);
    await vsc.waitForText(/"plain": "1"/);
  });
});
