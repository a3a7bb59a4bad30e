import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requestSpecFor } from '../../../extension/export-request.ts';
import { toCurl } from '../../../core/language/export.ts';

function workspace(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ricochet-export-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

test('copy as cURL uses the chosen environment, file variables and secrets', async () => {
  const dir = workspace({ 'http-client.env.json': JSON.stringify({ $shared: { host: 'http://127.0.0.1:9' }, dev: { stage: 'dev-path' }, prod: { stage: 'prod-path' } }) });
  const text = '@id = 7\n### one\nGET {{host}}/{{stage}}/{{id}}\nAuthorization: Bearer {{token}}\n';
  const spec = await requestSpecFor({ path: path.join(dir, 'a.http'), text }, 0, { envName: 'prod', root: dir, variables: { token: 'tok-1' } });
  assert.equal(spec.url, 'http://127.0.0.1:9/prod-path/7');
  assert.match(toCurl(spec), /^curl http:\/\/127\.0\.0\.1:9\/prod-path\/7 .*-H 'Authorization: Bearer tok-1'/s);
});

test('an unresolved variable is an error with its position, never copied literally', async () => {
  await assert.rejects(requestSpecFor({ path: '/w/a.http', text: 'GET http://h/{{nope}}\n' }, 0), /1:\d+.*nope/);
});

test('in restricted mode $processEnv is refused', async () => {
  await assert.rejects(
    requestSpecFor({ path: '/w/a.http', text: 'GET http://h/{{$processEnv HOME}}\n' }, 0, { allowFileAccess: false }),
    (error: Error) => /processEnv/.test(error.message),
  );
});
