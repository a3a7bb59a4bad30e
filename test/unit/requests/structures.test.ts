import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaseInsensitiveDict } from '../../../core/requests/structures.ts';
import { ConnectTimeout, ConnectionError, ReadTimeout, RequestException, Timeout } from '../../../core/requests/exceptions.ts';

test('CaseInsensitiveDict looks keys up in any case and keeps the case last set', () => {
  const h = new CaseInsensitiveDict({ 'Content-Type': 'text/plain' });
  assert.equal(h.get('content-type'), 'text/plain');
  h.set('CONTENT-TYPE', 'application/json');
  assert.equal(h.size, 1);
  assert.deepEqual([...h.keys()], ['CONTENT-TYPE']);
  assert.deepEqual([...h.lowerItems()], [['content-type', 'application/json']]);
  assert.ok(h.equals({ 'content-type': 'application/json' }));
  const copy = h.copy();
  copy.delete('Content-Type');
  assert.equal(h.size, 1, 'copy is independent');
});

test('ConnectTimeout is both a ConnectionError and a Timeout; ReadTimeout only a Timeout', () => {
  const e = new ConnectTimeout('connect timed out');
  assert.ok(e instanceof ConnectionError);
  assert.ok(e instanceof Timeout);
  assert.ok(e instanceof RequestException);
  assert.equal(e.name, 'ConnectTimeout');
  const r = new ReadTimeout('read timed out');
  assert.ok(r instanceof Timeout);
  assert.ok(!(r instanceof ConnectionError));
  assert.ok(!(new ConnectionError('x') instanceof Timeout));
});
