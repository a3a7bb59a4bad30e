import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import { toJUnit, exchangeOutcome, xmlEscape } from '../../../core/language/junit.ts';
import { makeExchange } from './make-exchange.ts';

function parseXml(xml: string) {
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, msg) => { if (level !== 'warning') errors.push(msg); } }).parseFromString(xml, 'text/xml');
  assert.deepEqual(errors, [], 'well-formed XML');
  return doc;
}

const pass = makeExchange({ file: 'a.http', name: 'ok', tests: [{ name: 'status == 200', passed: true, expected: '200', actual: '200' }] });
const fail = makeExchange({
  file: 'a.http', line: 9, status: 500, reason: 'Internal <Server> Error',
  tests: [{ name: 'body $.name == "A&B"', passed: false, expected: 'A&B', actual: '<none> \x01', line: 12 }],
});
const err = makeExchange({ file: 'b.http', error: { name: 'ReadTimeout', message: 'read timed out after 100 ms "x"' } });
const bare500 = makeExchange({ file: 'b.http', status: 503, reason: 'Service Unavailable' });

test('outcome: errors, failed tests, and a 4xx/5xx with no tests fail', () => {
  assert.equal(exchangeOutcome(pass), 'passed');
  assert.equal(exchangeOutcome(fail), 'failed');
  assert.equal(exchangeOutcome(err), 'error');
  assert.equal(exchangeOutcome(bare500), 'failed');
  assert.equal(exchangeOutcome(makeExchange({ status: 404, tests: [{ name: 'status == 404', passed: true }] })), 'passed');
});

test('one testsuite per file, one testcase per request, failures and errors counted', () => {
  const xml = toJUnit([pass, fail, err, bare500]);
  const doc = parseXml(xml);
  const root = doc.documentElement!;
  assert.equal(root.getAttribute('tests'), '4');
  assert.equal(root.getAttribute('failures'), '2');
  assert.equal(root.getAttribute('errors'), '1');
  const suites = Array.from(doc.getElementsByTagName('testsuite'));
  assert.deepEqual(suites.map((s) => [s.getAttribute('name'), s.getAttribute('tests'), s.getAttribute('failures'), s.getAttribute('errors')]), [
    ['a.http', '2', '1', '0'],
    ['b.http', '2', '1', '1'],
  ]);
  const cases = Array.from(doc.getElementsByTagName('testcase'));
  assert.equal(cases.length, 4);
  assert.equal(cases[0]!.getAttribute('name'), 'ok');
  assert.equal(cases[1]!.getAttribute('line'), '10');
  const failure = cases[1]!.getElementsByTagName('failure')[0]!;
  assert.equal(failure.getAttribute('message'), 'body $.name == "A&B": expected A&B, actual <none> \ufffd');
  assert.match(failure.textContent!, /\[line 13\]/);
  const error = cases[2]!.getElementsByTagName('error')[0]!;
  assert.equal(error.getAttribute('type'), 'ReadTimeout');
  assert.equal(error.getAttribute('message'), 'read timed out after 100 ms "x"');
  assert.match(cases[3]!.getElementsByTagName('failure')[0]!.getAttribute('message')!, /HTTP 503 Service Unavailable/);
});

test('xmlEscape escapes markup and drops characters XML cannot hold', () => {
  assert.equal(xmlEscape(`<a href="x">'&'</a>\x00\x1f\t`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;\ufffd\ufffd\t');
});
