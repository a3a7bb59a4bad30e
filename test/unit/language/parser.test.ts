import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHttpFile } from '../../../core/language/parser.ts';
import { requestAtLine, type Range } from '../../../core/language/ast.ts';

const fixtures = join(import.meta.dirname, '../../fixtures/http');

function r(sl: number, sc: number, el: number, ec: number): Range {
  return { start: { line: sl, character: sc }, end: { line: el, character: ec } };
}

/** The text a range covers, for readable assertions. */
function slice(text: string, range: Range): string {
  const lines = text.split(/\r\n|\r|\n/);
  if (range.start.line === range.end.line) {
    return (lines[range.start.line] ?? '').slice(range.start.character, range.end.character);
  }
  const out = [(lines[range.start.line] ?? '').slice(range.start.character)];
  for (let l = range.start.line + 1; l < range.end.line; l++) out.push(lines[l] ?? '');
  out.push((lines[range.end.line] ?? '').slice(0, range.end.character));
  return out.join('\n');
}

test('request line, headers and body have exact ranges', () => {
  const text = [
    '### Create thing', //     0
    '# @name create', //       1
    'POST https://x.test/things HTTP/1.1', // 2
    'Content-Type: application/json', // 3
    'X-Token:   {{token}}', // 4
    '', // 5
    '{"a": 1}', // 6
    '', // 7
  ].join('\n');
  const file = parseHttpFile(text);
  assert.deepEqual(file.diagnostics, []);
  const [req] = file.requests;
  assert.ok(req);
  assert.equal(req.title, 'Create thing');
  assert.deepEqual(req.separator?.titleRange, r(0, 4, 0, 16));
  assert.equal(req.name, 'create');
  const meta = req.metadata[0];
  assert.ok(meta);
  assert.deepEqual(meta.keywordRange, r(1, 2, 1, 7));
  assert.deepEqual(meta.valueRange, r(1, 8, 1, 14));
  assert.equal(req.method, 'POST');
  assert.deepEqual(req.requestLine?.methodRange, r(2, 0, 2, 4));
  assert.equal(req.url.text, 'https://x.test/things');
  assert.deepEqual(req.url.range, r(2, 5, 2, 26));
  assert.equal(req.requestLine?.httpVersion, 'HTTP/1.1');
  assert.deepEqual(req.requestLine?.httpVersionRange, r(2, 27, 2, 35));
  assert.equal(req.headers.length, 2);
  const [ct, tok] = req.headers;
  assert.deepEqual(ct?.nameRange, r(3, 0, 3, 12));
  assert.deepEqual(ct?.value.range, r(3, 14, 3, 30));
  assert.equal(tok?.value.text, '{{token}}');
  assert.deepEqual(tok?.value.range, r(4, 11, 4, 20));
  assert.deepEqual(tok?.value.variables[0]?.range, r(4, 11, 4, 20));
  assert.deepEqual(tok?.value.variables[0]?.nameRange, r(4, 13, 4, 18));
  assert.equal(req.body?.text.text, '{"a": 1}');
  assert.deepEqual(req.body?.range, r(6, 0, 6, 8));
  assert.deepEqual(req.range, r(0, 0, 6, 8));
});

test('URL continuation lines join and keep each piece range', () => {
  const text = 'GET https://x.test/search\n  ?q={{%term}}\n  &page=2\nAccept: */*\n';
  const file = parseHttpFile(text);
  const req = file.requests[0];
  assert.ok(req);
  assert.equal(req.url.text, 'https://x.test/search?q={{%term}}&page=2');
  assert.deepEqual(req.requestLine?.urlLineRanges, [r(0, 4, 0, 25), r(1, 2, 1, 14), r(2, 2, 2, 9)]);
  assert.deepEqual(req.url.range, r(0, 4, 2, 9));
  const v = req.url.variables[0];
  assert.equal(v?.name, 'term');
  assert.equal(v?.percentEncode, true);
  assert.equal(slice(text, v!.range), '{{%term}}');
  assert.equal(slice(text, v!.nameRange), 'term');
  assert.equal(req.headers[0]?.name, 'Accept');
});

test('Unicode white space before a URL continuation, >> or ?? keeps variable ranges on {{…}} (fuzz regression)', () => {
  // U+2000, U+3000 and U+205F are white space to trimStart() and \s; the indentation count once
  // skipped only ASCII space, tab, NBSP and BOM, so every column after them was off.
  const text = 'GET https://x.test/search\n\u2000    &q={{\u{10000} user}}\n\t\u3000?page={{page}}\n\u3000>> ./{{name}}.json\n\u205f?? status == {{code}}\n';
  const file = parseHttpFile(text);
  const req = file.requests[0];
  assert.ok(req);
  assert.equal(req.url.text, 'https://x.test/search&q={{\u{10000} user}}?page={{page}}');
  assert.deepEqual(req.requestLine?.urlLineRanges, [r(0, 4, 0, 25), r(1, 5, 1, 19), r(2, 2, 2, 16)]);
  assert.deepEqual(req.variableReferences.map((v) => slice(text, v.range)), ['{{\u{10000} user}}', '{{page}}', '{{name}}', '{{code}}']);
  assert.deepEqual(req.variableReferences.map((v) => slice(text, v.nameRange)), ['\u{10000} user', 'page', 'name', 'code']);
  assert.deepEqual(req.variableReferences[0]?.range, r(1, 8, 1, 19));
  assert.equal(req.responseRedirect?.path.text, './{{name}}.json');
  assert.deepEqual(req.responseRedirect?.path.range, r(3, 4, 3, 19));
  assert.equal(req.assertions[0]?.text, 'status == {{code}}');
  assert.deepEqual(req.assertions[0]?.textRange, r(4, 4, 4, 22));
});

test('method defaults to GET and lowercase known methods are accepted', () => {
  const file = parseHttpFile('https://x.test/a\n\n###\npost https://x.test/b\n');
  assert.deepEqual(file.requests.map((q) => [q.method, q.url.text]), [['GET', 'https://x.test/a'], ['POST', 'https://x.test/b']]);
  assert.equal(file.requests[0]?.requestLine?.methodRange, undefined);
});

test('variable kinds: file, system, request, prompt, env', () => {
  const text = [
    '@host = https://x.test',
    '',
    '# @prompt secretToken',
    'GET {{host}}/{{$randomInt 1 9}}/{{login.response.body.$.id}}/{{secretToken}}/{{fromEnv}}',
  ].join('\n');
  const file = parseHttpFile(text);
  const refs = file.requests[0]?.variableReferences ?? [];
  assert.deepEqual(refs.map((v) => [v.name, v.kind]), [
    ['host', 'file'],
    ['$randomInt', 'system'],
    ['login.response.body.$.id', 'request'],
    ['secretToken', 'prompt'],
    ['fromEnv', 'env'],
  ]);
  assert.equal(refs[1]?.args, '1 9');
  assert.equal(file.requests[0]?.prompts[0]?.isSecret, true);
});

test('file variables carry name and value ranges and the block they are in', () => {
  const text = '@a = 1\n  @b=  {{a}}x  \n\n###\n@c = 3\nGET https://x.test\n';
  const file = parseHttpFile(text);
  assert.deepEqual(file.fileVariables.map((v) => [v.name, v.value.text, v.blockIndex]), [['a', '1', 0], ['b', '{{a}}x', 0], ['c', '3', 0]]);
  assert.deepEqual(file.fileVariables[1]?.nameRange, r(1, 3, 1, 4));
  assert.deepEqual(file.fileVariables[1]?.value.range, r(1, 7, 1, 13));
  assert.equal(file.fileVariables[1]?.value.variables[0]?.kind, 'file');
});

test('REST Client fixture: every request in the dialect parses without diagnostics', () => {
  const text = readFileSync(join(fixtures, 'rest-client/requests.http'), 'utf8');
  const file = parseHttpFile(text, { uri: 'file:///requests.http' });
  assert.deepEqual(file.diagnostics, []);
  assert.equal(file.uri, 'file:///requests.http');
  assert.deepEqual(file.requests.map((q) => [q.title, q.method, q.body?.kind]), [
    ['Login', 'POST', 'text'],
    ['Get items with the token', 'GET', undefined],
    ['Upload', 'POST', 'multipart'],
    ['Form', 'POST', 'form'],
    ['GraphQL', 'POST', 'graphql'],
    ['Body from file', 'POST', 'file'],
  ]);
  const [login, items, upload, form, graphql, raw] = file.requests;
  assert.equal(login?.name, 'login');
  assert.equal(login?.requestLine?.httpVersion, 'HTTP/1.1');
  assert.equal(items?.name, 'items');
  assert.ok(items?.metadata.some((m) => m.keyword === 'no-redirect' && m.prefix === '//'));
  assert.equal(items?.url.text, '{{baseUrl}}/items?page=2&q={{%user}}');
  assert.equal(upload?.body?.boundary, '----Boundary');
  assert.deepEqual(upload?.body?.parts?.map((p) => [p.name, p.filename, p.contentType, p.content?.text, p.file?.path.text]), [
    ['text', undefined, undefined, 'hello {{user}}', undefined],
    ['file', 'data.json', 'application/json', undefined, './data.json'],
  ]);
  assert.equal(slice(text, upload!.body!.parts![1]!.file!.path.range), './data.json');
  assert.deepEqual(form?.body?.fields?.map((f) => [f.name, f.value]), [['name', 'foo'], ['password', 'bar']]);
  assert.match(graphql?.body?.graphql?.query.text ?? '', /^query Items/);
  assert.equal(graphql?.body?.graphql?.variables?.text, '{ "first": 10 }');
  assert.equal(raw?.body?.file?.processVariables, true);
  assert.equal(raw?.body?.file?.path.text, './data.json');
  assert.deepEqual(raw?.prompts.map((p) => [p.name, p.description]), [['otp', 'One-time password']]);
  assert.equal(raw?.variableReferences.find((v) => v.name === 'otp')?.kind, 'prompt');
});

test('JetBrains fixture: pre-request scripts, handlers, redirects and assertions', () => {
  const text = readFileSync(join(fixtures, 'jetbrains/requests.http'), 'utf8');
  const file = parseHttpFile(text);
  assert.deepEqual(file.diagnostics, []);
  const [create, read, asserts] = file.requests;
  assert.equal(create?.preRequestScripts.length, 1);
  assert.match(create?.preRequestScripts[0]?.code ?? '', /request\.variables\.set\("suffix", "42"\)/);
  assert.equal(create?.method, 'POST');
  assert.equal(create?.body?.text.text, '{"name": "user-{{suffix}}", "n": {{$random.integer(1, 10)}}}');
  const random = create?.variableReferences.find((v) => v.kind === 'system');
  assert.equal(random?.name, '$random.integer');
  assert.equal(random?.args, '(1, 10)');
  assert.equal(create?.responseHandlers.length, 1);
  assert.match(create?.responseHandlers[0]?.code ?? '', /client\.global\.set/);
  assert.equal(slice(text, create!.responseHandlers[0]!.range).startsWith('> {%'), true);
  assert.equal(slice(text, create!.responseHandlers[0]!.range).endsWith('%}'), true);
  assert.equal(read?.requestLine?.httpVersion, 'HTTP/2');
  assert.deepEqual(read?.responseHandlers.map((s) => [s.kind, s.path]), [['file', './handler.js']]);
  assert.equal(read?.responseRedirect?.path.text, './out.json');
  assert.deepEqual(asserts?.assertions.map((a) => a.text), ['status == 200', 'header content-type includes json']);
  assert.equal(slice(text, asserts!.assertions[1]!.textRange), 'header content-type includes json');
});

test('a curl command is a request of kind curl', () => {
  const text = '### c\ncurl -X POST https://x.test \\\n  -H "A: {{a}}"\n\n?? status == 200\n';
  const file = parseHttpFile(text);
  const req = file.requests[0];
  assert.equal(req?.kind, 'curl');
  assert.equal(req?.curl?.text.text, 'curl -X POST https://x.test \\\n  -H "A: {{a}}"');
  assert.deepEqual(req?.curl?.range, r(1, 0, 2, 15));
  assert.deepEqual(req?.variableReferences.map((v) => v.name), ['a']);
  assert.equal(req?.assertions.length, 1);
});

test('tolerant: a malformed request gets diagnostics and the next one still parses', () => {
  const text = [
    'GET https://x.test/{{unclosed', // 0
    'Bad header line', // 1
    '', // 2
    '###', // 3
    'GET https://x.test/ok', // 4
    'X: {{}}', // 5
    '', // 6
    '###', // 7
    '# @timeout soon', // 8
    'POST', // 9
  ].join('\n');
  const file = parseHttpFile(text);
  const codes = file.diagnostics.map((d) => [d.code, d.range.start.line, d.severity]);
  assert.deepEqual(codes, [
    ['unterminated-variable', 0, 'error'],
    ['invalid-header', 1, 'error'],
    ['empty-variable', 5, 'error'],
    ['invalid-metadata-value', 8, 'error'],
    ['missing-url', 9, 'error'],
  ]);
  assert.deepEqual(file.requests.map((q) => q.url.text), ['https://x.test/{{unclosed', 'https://x.test/ok', '']);
  assert.equal(file.diagnostics[0]?.range.start.character, 19);
});

test('unterminated script stops at the next separator', () => {
  const text = 'GET https://x.test\n\n> {%\n  client.log(1)\n\n###\nGET https://x.test/two\n';
  const file = parseHttpFile(text);
  assert.equal(file.requests.length, 2);
  assert.equal(file.diagnostics[0]?.code, 'unterminated-script');
  assert.equal(file.requests[1]?.url.text, 'https://x.test/two');
});

test('unknown metadata is a hint, duplicate names a warning, invalid method an error', () => {
  const text = '# @name a\n# @frobnicate\nGET https://x.test\n\n###\n# @name a\nFETCH https://x.test\n\n###\nfoo https://x.test\n';
  const file = parseHttpFile(text);
  assert.deepEqual(file.diagnostics.map((d) => [d.code, d.severity]), [
    ['unknown-metadata', 'hint'],
    ['duplicate-request-name', 'warning'],
    ['invalid-method', 'error'],
  ]);
  assert.equal(file.requests[1]?.method, 'FETCH');
});

test('trailing variable definitions after a body belong to the file, not the body', () => {
  const text = 'POST https://x.test\n\n{"a":1}\n\n@next = 2\n\n###\nGET https://x.test/{{next}}\n';
  const file = parseHttpFile(text);
  assert.equal(file.requests[0]?.body?.text.text, '{"a":1}');
  assert.deepEqual(file.fileVariables.map((v) => [v.name, v.value.text]), [['next', '2']]);
  assert.equal(file.requests[1]?.variableReferences[0]?.kind, 'file');
});

test('CRLF line endings give the same ranges as LF', () => {
  const lf = parseHttpFile('GET https://x.test\nA: b\n\nbody\n');
  const crlf = parseHttpFile('GET https://x.test\r\nA: b\r\n\r\nbody\r\n');
  assert.deepEqual(crlf.requests, lf.requests);
});

test('requestAtLine finds the request of the block a line is in', () => {
  const text = '### one\nGET https://x.test/1\n\n\n### two\n# @name two\nGET https://x.test/2\n';
  const file = parseHttpFile(text);
  assert.equal(requestAtLine(file, 0)?.index, 0);
  assert.equal(requestAtLine(file, 3)?.index, 0);
  assert.equal(requestAtLine(file, 4)?.index, 1);
  assert.equal(requestAtLine(file, 6)?.name, 'two');
});

test('a blank line is not needed before a < file body', () => {
  const file = parseHttpFile('POST https://x.test\nContent-Type: text/plain\n< ./body.txt\n');
  assert.equal(file.requests[0]?.body?.kind, 'file');
  assert.deepEqual(file.diagnostics, []);
});

test('GraphQL body with leading blank lines keeps a valid query range (fuzz regression)', () => {
  const file = parseHttpFile('POST /g\nX-Request-Type: GraphQL\n\n\n\nquery { a }\n\n{"x":1}\n');
  const graphql = file.requests[0]?.body?.graphql;
  assert.equal(graphql?.query.text, 'query { a }');
  assert.deepEqual(graphql?.query.range, r(5, 0, 5, 11));
  assert.equal(graphql?.variables?.text, '{"x":1}');
});

test('a curl request gets a best-effort method and URL for outlines; its variables are listed once', () => {
  const text = "curl -X PUT '{{host}}/a?b=1' -d x\n\n###\ncurl https://x.test/get\n\n###\ncurl -d a=1 https://x.test/post\n";
  const file = parseHttpFile(text);
  assert.deepEqual(file.requests.map((q) => [q.kind, q.method, q.url.text]), [
    ['curl', 'PUT', '{{host}}/a?b=1'],
    ['curl', 'GET', 'https://x.test/get'],
    ['curl', 'POST', 'https://x.test/post'],
  ]);
  assert.deepEqual(file.requests[0]?.url.range, r(0, 13, 0, 27));
  assert.deepEqual(file.requests[0]?.variableReferences.map((v) => v.name), ['host']);
});
