import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Session } from '../../../core/requests/sessions.ts';
import { Request } from '../../../core/requests/models.ts';
import { toExchange, errorExchange } from '../../../core/requests/record.ts';
import { ConnectionError } from '../../../core/requests/exceptions.ts';
import { startHttpbin } from '../../../core/httpbin/server.ts';
import type { RunningHttpbin } from '../../../core/httpbin/server.ts';

let bin: RunningHttpbin;
before(async () => {
  bin = await startHttpbin();
});
after(async () => {
  await bin.close();
});

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('a redirected request records every hop as sent, with cookies and the final body', async () => {
  await using s = new Session();
  const r = await s.get(`${bin.url}/cookies/set?flavour=oat`, { auth: ['u', 'p'] });
  const ex = toExchange(r, { source: { file: 'a.http', line: 3 } });
  assert.equal(ex.hops.length, 2);
  const [first, second] = ex.hops as [(typeof ex.hops)[0], (typeof ex.hops)[0]];
  assert.equal(first.request.url, `${bin.url}/cookies/set?flavour=oat`);
  assert.equal(first.response?.statusCode, 302);
  assert.deepEqual(first.cookiesSet.map((c) => [c.name, c.value]), [['flavour', 'oat']]);
  const sentNames = second.request.headers.map(([n]) => n.toLowerCase());
  assert.ok(sentNames.includes('host'), 'the Host header as sent is recorded');
  assert.ok(sentNames.includes('authorization'), 'same-host redirect keeps Authorization');
  assert.deepEqual(second.cookiesSent, [{ name: 'flavour', value: 'oat' }]);
  assert.equal(second.remoteAddress, '127.0.0.1');
  assert.ok(second.timings.total >= 0);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(ex.body!.bytes)), { cookies: { flavour: 'oat' } });
  assert.match(ex.body!.contentType ?? '', /json/);
  assert.deepEqual(ex.source, { file: 'a.http', line: 3 });
  assert.ok(!Number.isNaN(Date.parse(ex.startedAt)));
});

test('a failed request records the hops sent so far and the error', async () => {
  const port = await deadPort();
  await using s = new Session();
  const prep = s.prepareRequest(new Request({ method: 'GET', url: `${bin.url}/redirect-to?url=${encodeURIComponent(`http://127.0.0.1:${port}/gone`)}` }));
  const error = await s.send(prep, { timeout: 5000 }).then(
    () => assert.fail('expected a connection error'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ConnectionError);
  const ex = errorExchange(error, prep);
  assert.equal(ex.error?.name, 'ConnectionError');
  assert.equal(ex.hops.length, 2);
  assert.equal(ex.hops[0]!.response?.statusCode, 302);
  assert.equal(ex.hops[1]!.request.url, `http://127.0.0.1:${port}/gone`);
  assert.equal(ex.hops[1]!.response, undefined);
  assert.equal(ex.body, undefined);
});

test('TooManyRedirects records every hop that was received', async () => {
  await using s = new Session();
  s.maxRedirects = 2;
  const prep = s.prepareRequest(new Request({ method: 'GET', url: `${bin.url}/redirect/5` }));
  const error = await s.send(prep).then(
    () => assert.fail('expected TooManyRedirects'),
    (e: unknown) => e,
  );
  const ex = errorExchange(error, prep);
  assert.equal(ex.error?.name, 'TooManyRedirects');
  assert.deepEqual(ex.hops.map((h) => h.response?.statusCode), [302, 302, 302]);
});
