import { test } from 'node:test';
import assert from 'node:assert/strict';
import { certificateFor, readSettings, runnerOptionsFrom } from '../../../extension/settings.ts';
import { environmentNames, mergeEnvironmentSets, parseEnvironmentFile, secretKey, secretVariableNames, withoutSecretMarkers } from '../../../extension/environments.ts';

const getter = (values: Record<string, unknown>) => (key: string): unknown => values[key];

test('defaults when nothing is set', () => {
  const { settings, problems } = readSettings(getter({}));
  assert.deepEqual(problems, []);
  assert.equal(settings.timeout, 30000);
  assert.equal(settings.verify, true);
  assert.equal(settings.followRedirects, true);
  assert.deepEqual(settings.proxies, {});
});

test('user settings map onto runner options; CA bundle becomes verify path; 0 timeout means no limit', () => {
  const { settings } = readSettings(getter({
    'ricochet.timeout': 0, 'ricochet.followRedirects': false, 'ricochet.maxRedirects': 3,
    'ricochet.caBundle': ' /ca.pem ', 'ricochet.defaultHeaders': { 'X-A': '1' },
  }));
  assert.equal(settings.timeout, null);
  assert.deepEqual(runnerOptionsFrom(settings), { verify: '/ca.pem', timeout: 2147483647, followRedirects: false, maxRedirects: 3, defaultHeaders: { 'X-A': '1' } });
  const off = readSettings(getter({ 'ricochet.verify': false, 'ricochet.caBundle': '/ca.pem' })).settings;
  assert.equal(off.verify, false, 'verify off wins over a CA bundle');
});

test('VS Code http.proxy and http.noProxy become proxies for the core', () => {
  const { settings } = readSettings(getter({ 'http.proxy': 'http://127.0.0.1:3128', 'http.noProxy': ['localhost', '.internal'], 'http.proxyStrictSSL': false }));
  assert.deepEqual(settings.proxies, { http: 'http://127.0.0.1:3128', https: 'http://127.0.0.1:3128', no_proxy: 'localhost,.internal' });
  assert.equal(settings.proxyStrictSSL, false);
});

test('an invalid setting is named in a problem and its default is used', () => {
  const { settings, problems } = readSettings(getter({ 'ricochet.timeout': 'soon', 'ricochet.environments': { dev: { port: 8080 } }, 'ricochet.previewColumn': 'left' }));
  assert.equal(settings.timeout, 30000);
  assert.equal(problems.length, 3);
  assert.match(problems[0]!, /ricochet\.timeout.*"soon"/);
  assert.match(problems.join('\n'), /environment "dev"/);
  assert.equal(settings.previewColumn, 'beside');
});

test('client certificates are chosen by host:port before host', () => {
  const { settings } = readSettings(getter({ 'ricochet.certificates': {
    'LocalHost:8443': { cert: '/a.pem', key: '/a.key' }, localhost: { cert: '/b.pem' }, bad: { key: 1 } } }));
  assert.deepEqual(certificateFor(settings.certificates, 'https://localhost:8443/x'), ['/a.pem', '/a.key']);
  assert.equal(certificateFor(settings.certificates, 'https://localhost/x'), '/b.pem');
  assert.equal(certificateFor(settings.certificates, 'https://example.test/'), undefined);
});

test('environment files and settings merge, settings last; names exclude $shared', () => {
  const file = parseEnvironmentFile('{"$shared": {"host": "a"}, "dev": {"port": 1, "debug": true}, "prod": {}}', 'http-client.env.json');
  const merged = mergeEnvironmentSets(file, { dev: { port: '2' }, staging: {} });
  assert.deepEqual(merged.dev, { port: '2', debug: 'true' });
  assert.deepEqual(environmentNames(merged), ['dev', 'prod', 'staging']);
});

test('a broken env file gets an error naming the file and the entry', () => {
  assert.throws(() => parseEnvironmentFile('{"dev": ', 'ws/http-client.env.json'), /ws\/http-client\.env\.json: not valid JSON/);
  assert.throws(() => parseEnvironmentFile('{"dev": 3}', 'e.json'), /e\.json: environment "dev" must be an object/);
});

test('"$secret" values are secrets looked up per environment', () => {
  const set = { $shared: { apiKey: '$secret', host: 'h' }, dev: { token: '$secret' }, prod: { apiKey: 'public' } };
  assert.deepEqual(secretVariableNames(set, 'dev'), ['apiKey', 'token']);
  assert.deepEqual(secretVariableNames(set, 'prod'), []);
  assert.notEqual(secretKey('dev', 'token'), secretKey('prod', 'token'));
  assert.deepEqual(withoutSecretMarkers(set), { $shared: { host: 'h' }, dev: {}, prod: { apiKey: 'public' } });
});
