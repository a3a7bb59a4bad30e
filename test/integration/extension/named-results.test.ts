// Named requests in the editor: `{{login.response.body.$.token}}` sends `login` only when it was not
// sent yet in this workspace + environment; a manual send of `login` updates what `/me` uses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { listen } from '../../../core/httpbin/server.ts';
import type { RunningServer } from '../../../core/httpbin/server.ts';
import type { Exchange } from '../../../core/requests/exchange.ts';
import { SessionRegistry } from '../../../extension/sessions.ts';

let server: RunningServer;
let logins = 0;
before(async () => {
  const app = http.createServer((req, res) => {
    if (req.url === '/login') {
      logins++;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ token: `t${logins}` }));
    } else if (req.url === '/slow') {
      setTimeout(() => res.end('slow'), 400);
    } else {
      res.end(String(req.headers.authorization ?? 'none'));
    }
  });
  server = await listen(app, 'http');
});
after(async () => {
  await server.close();
});

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ricochet-named-'));
const file = path.join(folder, 'api.http');
const text = (): string => `# @name login
POST ${server.url}/login

###
GET ${server.url}/me
Authorization: Bearer {{login.response.body.$.token}}

###
GET ${server.url}/slow
`;
const LOGIN = 0;
const ME = 1;
const SLOW = 2;

const bodyOf = (e: Exchange): string => (e.body ? new TextDecoder().decode(e.body.bytes) : `(error: ${e.error?.message})`);

/** One send, the way the controller does it. */
async function send(registry: SessionRegistry, env: string | undefined, index: number, source = { path: file, text: text() }): Promise<Exchange> {
  return registry.withRunner(env, folder, { environments: { dev: {}, prod: {} } }, (runner) => runner.runRequest(source, index));
}

test('a dependency is sent once per environment; a manual send of it updates what later requests use', async () => {
  const registry = new SessionRegistry({ dir: fs.mkdtempSync(path.join(os.tmpdir(), 'ricochet-named-jar-')) });
  try {
    logins = 0;
    assert.equal(bodyOf(await send(registry, 'dev', ME)), 'Bearer t1');
    assert.equal(bodyOf(await send(registry, 'dev', ME)), 'Bearer t1', 'the second send reuses the login');
    assert.equal(logins, 1, 'login was sent once');

    await send(registry, 'dev', LOGIN);
    assert.equal(bodyOf(await send(registry, 'dev', ME)), 'Bearer t2', 'the manual login is what /me uses now');
    assert.equal(logins, 2);

    // The user edits the file: lines move, the request is still found by name.
    const edited = { path: file, text: `# notes at the top\n\n${text()}` };
    assert.equal(bodyOf(await send(registry, 'dev', ME, edited)), 'Bearer t2');
    assert.equal(logins, 2);

    assert.equal(bodyOf(await send(registry, 'prod', ME)), 'Bearer t3', 'another environment logs in for itself');
    assert.equal(bodyOf(await send(registry, 'dev', ME)), 'Bearer t2', 'and dev keeps its own');

    await registry.clearCookies('dev');
    assert.equal(bodyOf(await send(registry, 'dev', ME)), 'Bearer t4', 'after Clear Cookies the next send logs in again');
    assert.equal(logins, 4);
  } finally {
    await registry.dispose();
  }
});

test('a send while another is still running works, and the settings of each send are its own', async () => {
  const registry = new SessionRegistry({ dir: fs.mkdtempSync(path.join(os.tmpdir(), 'ricochet-named-jar-')) });
  try {
    logins = 0;
    await send(registry, undefined, LOGIN);
    const slow = send(registry, undefined, SLOW);
    const me = await send(registry, undefined, ME);
    assert.equal(bodyOf(me), 'Bearer t2', 'the overlapping send has a Runner of its own (its dependency is sent again), not a false cycle error');
    assert.equal(bodyOf(await slow), 'slow');

    const started: string[] = [];
    await registry.withRunner(undefined, folder, { onRequestStart: (i) => started.push(i.url) }, (r) => r.runRequest({ path: file, text: text() }, ME));
    await registry.withRunner(undefined, folder, {}, (r) => r.runRequest({ path: file, text: text() }, ME));
    assert.equal(started.length, 1, "the first send's callback is not called by the next send");
    assert.equal(logins, 2);
  } finally {
    await registry.dispose();
  }
});
