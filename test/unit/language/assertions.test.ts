import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAssertion, evaluateAssertion, evaluateAssertions } from '../../../core/language/assertions.ts';
import type { Assertion } from '../../../core/language/assertions.ts';
import { makeExchange } from './make-exchange.ts';

function parsed(text: string): Assertion {
  const r = parseAssertion(text);
  assert.ok(r.assertion, `expected "${text}" to parse, got ${r.error?.message}`);
  return r.assertion;
}

const json = makeExchange({
  status: 201,
  headers: [['Content-Type', 'application/json; charset=utf-8'], ['X-Id', 'a'], ['X-Id', 'b']],
  body: JSON.stringify({ id: 5, name: 'Ada Lovelace', ok: true, items: [{ n: 1 }, { n: 2 }], price: '10.50' }),
  total: 42,
});

test('parses each subject and operator', () => {
  assert.deepEqual(parsed('?? status == 200').subject, { kind: 'status' });
  assert.deepEqual(parsed('?? header content-type includes json').subject, { kind: 'header', name: 'content-type' });
  assert.deepEqual(parsed('?? body $.id == 5'), { subject: { kind: 'body', path: '$.id' }, operator: '==', expected: '5', text: 'body $.id == 5' });
  assert.deepEqual(parsed('?? body $.items[?(@.n > 1)] exists').subject, { kind: 'body', path: '$.items[?(@.n > 1)]' });
  assert.equal(parsed('duration < 500').operator, '<');
  assert.equal(parsed('?? body matches /"ok":\\s*true/').expected, '/"ok":\\s*true/');
  assert.equal(parsed('?? body $.name == "Ada Lovelace"').expected, 'Ada Lovelace');
});

test('bad assertions come back as errors with the offending range', () => {
  const text = '?? status ~= 200';
  const r = parseAssertion(text);
  assert.match(r.error!.message, /unknown operator "~="/);
  assert.equal(text.slice(r.error!.start, r.error!.end), '~=');
  const subject = parseAssertion('?? speed > 3');
  assert.match(subject.error!.message, /unknown assertion subject "speed"/);
  assert.match(parseAssertion('?? status').error!.message, /missing operator/);
  assert.match(parseAssertion('?? status ==').error!.message, /needs a value/);
  assert.match(parseAssertion('?? duration < fast').error!.message, /not a number/);
  assert.match(parseAssertion('?? body matches /(/').error!.message, /invalid regular expression/);
  assert.match(parseAssertion('??').error!.message, /empty assertion/);
  assert.match(parseAssertion('?? body id == 5').error!.message, /JSONPath \("\$\.id"\) or an XPath/);
});

test('status, header, body and duration are checked with expected and actual', () => {
  const ok = (t: string) => evaluateAssertion(parsed(t), json);
  assert.equal(ok('?? status == 201').passed, true);
  const failed = ok('?? status == 200');
  assert.equal(failed.passed, false);
  assert.equal(failed.expected, '200');
  assert.equal(failed.actual, '201');
  assert.match(failed.message!, /expected status == 200, got 201/);
  assert.equal(ok('?? status >= 200').passed, true);
  assert.equal(ok('?? status < 300').passed, true);
  assert.equal(ok('?? header Content-Type includes json').passed, true);
  assert.equal(ok('?? header content-type startsWith application/').passed, true);
  assert.equal(ok('?? header x-id == a, b').passed, true);
  assert.equal(ok('?? header x-missing exists').passed, false);
  assert.equal(ok('?? header x-missing exists').actual, '(missing)');
  assert.equal(ok('?? body $.id == 5').passed, true);
  assert.equal(ok('?? body $.id != 6').passed, true);
  assert.equal(ok('?? body $.id > 4').passed, true);
  assert.equal(ok('?? body $.name == "Ada Lovelace"').passed, true);
  assert.equal(ok('?? body $.name endsWith Lovelace').passed, true);
  assert.equal(ok('?? body $.ok == true').passed, true);
  assert.equal(ok('?? body $.price == 10.5').passed, true, 'numeric compare when both sides are numbers');
  assert.equal(ok('?? body $.items[*].n includes 2').passed, true);
  assert.equal(ok('?? body $.items exists').passed, true);
  assert.equal(ok('?? body $.nothing exists').passed, false);
  assert.equal(ok('?? body includes "Ada').passed, true);
  assert.equal(ok('?? body matches /"id":\\s*5/').passed, true);
  assert.equal(ok('?? body $.id matches ^5$').passed, true);
  assert.equal(ok('?? duration < 500').passed, true);
  const slow = ok('?? duration < 10');
  assert.equal(slow.passed, false);
  assert.equal(slow.actual, '42');
});

test('body is decoded with the charset the exchange names', () => {
  const latin = makeExchange({ body: new Uint8Array([0x63, 0x61, 0x66, 0xe9]), contentType: 'text/plain; charset=iso-8859-1', charset: 'iso-8859-1' });
  assert.equal(evaluateAssertion(parsed('?? body == café'), latin).passed, true);
});

test('XPath on XML bodies', () => {
  const xml = makeExchange({ body: '<user id="7"><name>Ada</name><tags><t>a</t><t>b</t></tags></user>', contentType: 'application/xml' });
  const check = (t: string) => evaluateAssertion(parsed(t), xml);
  assert.equal(check('?? body //name == Ada').passed, true);
  assert.equal(check('?? body /user/@id == 7').passed, true);
  assert.equal(check('?? body //missing exists').passed, false);
  assert.equal(check('?? body //t exists').passed, true);
  const notXml = evaluateAssertion(parsed('?? body //name exists'), makeExchange({ body: '{"a":1}', contentType: 'application/json' }));
  assert.equal(notXml.passed, false);
  assert.match(notXml.message!, /not XML/);
});

test('a JSONPath on a non-JSON body fails with a reason', () => {
  const html = makeExchange({ body: '<html></html>', contentType: 'text/html' });
  const r = evaluateAssertion(parsed('?? body $.id == 1'), html);
  assert.equal(r.passed, false);
  assert.equal(r.message, 'body is not JSON');
});

test('a request that failed fails every assertion with the error', () => {
  const broken = makeExchange({ error: { name: 'ConnectionError', message: 'ECONNREFUSED' } });
  const [r] = evaluateAssertions([{ ...parsed('?? status == 200'), line: 7 }], broken);
  assert.equal(r!.passed, false);
  assert.equal(r!.line, 7);
  assert.match(r!.message!, /ConnectionError: ECONNREFUSED/);
});

test('parseAssertion never throws, and what parses evaluates without throwing (fuzz)', async () => {
  const fc = (await import('fast-check')).default;
  const words = fc.constantFrom('??', 'status', 'header', 'body', 'duration', '$.a', '$..b[0]', '//x', '$[?(@.n > 1)]', '==', '!=', '<', '>=',
    'includes', 'matches', 'exists', '/(/', '/a+/i', '"q"', "'", '5', 'x', '[', ')');
  const line = fc.array(fc.oneof(words, fc.string({ maxLength: 5 })), { maxLength: 7 }).map((w) => w.join(' '));
  const bodies = fc.constantFrom('{"a":1,"b":[1,2]}', '<x>1</x>', 'plain', '', '[1,2,3]', '{"a":');
  fc.assert(
    fc.property(line, bodies, (text, body) => {
      const r = parseAssertion(text);
      assert.ok(r.assertion || r.error);
      if (r.error) assert.ok(r.error.start >= 0 && r.error.end <= Math.max(text.length, r.error.start));
      if (r.assertion) {
        const result = evaluateAssertion(r.assertion, makeExchange({ body, contentType: 'application/json' }));
        assert.equal(typeof result.passed, 'boolean');
      }
    }),
    { numRuns: Number(process.env.RICOCHET_FUZZ_RUNS ?? 2000) },
  );
});
