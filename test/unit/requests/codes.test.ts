import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codes } from '../../../core/requests/codes.ts';

test('codes: Requests names in lower and upper case', () => {
  assert.equal(codes.ok, 200);
  assert.equal(codes.OK, 200);
  assert.equal(codes['\\o/'], 200);
  assert.equal(codes['✓'], 200);
  assert.equal(codes.teapot, 418);
  assert.equal(codes.IM_A_TEAPOT, 418);
  assert.equal(codes.temporary_redirect, 307);
  assert.equal(codes.permanent_redirect, 308);
  assert.equal(codes.not_found, 404);
  assert.equal(codes['-o-'], 404);
  assert.equal(codes.NOT_FOUND, 404);
  assert.equal(codes.internal_server_error, 500);
  assert.equal(codes['/o\\'], 500);
  assert.equal(codes.precondition_required, 428);
  assert.equal(codes.too_many_requests, 429);
  assert.equal(codes.network_authentication_required, 511);
  // Names starting with a slash or backslash have no upper-case twin, as in Requests.
  assert.equal(codes['\\O/'], undefined);
  assert.equal(codes.no_such_name, undefined);
});

test('codes is frozen', () => {
  assert.throws(() => {
    (codes as Record<string, number>).ok = 1;
  }, TypeError);
});
