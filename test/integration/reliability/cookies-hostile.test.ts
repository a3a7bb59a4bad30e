// Hostile cookies: a server must not be able to plant cookies for a public suffix or another
// site, read Secure cookies over plain http, or widen a host-only cookie to other hosts.
// Real-looking domains reach the local httpbin through the test proxy's `hosts` map.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Session } from '../../../core/index.ts';
import { startHttpbin, type RunningHttpbin } from '../../../core/httpbin/server.ts';
import { makeCertificates, type Certs } from '../../servers/certs.ts';
import { startProxy, type RunningProxy } from '../../servers/proxy.ts';
import { startTlsServer } from '../../servers/tls.ts';

const HOSTS = ['shop.example.com', 'api.example.com', 'sub.shop.example.com', 'example.com', 'evil.com', 'www.shop.co.uk', 'other.co.uk'];

let bin: RunningHttpbin;
let proxy: RunningProxy;
let tlsServer: { url: string; close(): Promise<void> };
let certs: Certs;

before(async () => {
  bin = await startHttpbin();
  proxy = await startProxy({ hosts: Object.fromEntries(HOSTS.map((h) => [h, bin.port])) });
  certs = await makeCertificates();
  tlsServer = await startTlsServer({ cert: certs.valid.cert, key: certs.valid.key });
});
after(async () => {
  await Promise.all([bin.close(), proxy.close(), tlsServer.close()]);
});

/** A Session that reaches the made-up domains through the proxy and trusts the test CA. */
function session(): Session {
  const s = new Session();
  s.trustEnv = false;
  s.proxies = { http: proxy.url };
  s.verify = certs.ca.certPath;
  return s;
}

/** The cookies the server at `url` received, as httpbin's /cookies reports them. */
async function cookiesAt(s: Session, url: string): Promise<Record<string, string>> {
  const r = await s.get(url);
  assert.equal(r.statusCode, 200, `GET ${url}`);
  return (r.json() as { cookies: Record<string, string> }).cookies;
}

/** The cookie-setting request, with the attributes given as /set-cookie query parameters. */
async function setCookie(s: Session, origin: string, query: string): Promise<void> {
  const r = await s.get(`${origin}/set-cookie?${query}`);
  assert.equal(r.statusCode, 200);
}

describe('public suffixes and foreign domains', () => {
  test('Domain=com and Domain=co.uk are rejected; nothing reaches other sites under them', async () => {
    await using s = session();
    await setCookie(s, 'http://shop.example.com', 'name=tld&value=1&domain=com');
    await setCookie(s, 'http://www.shop.co.uk', 'name=sld&value=1&domain=co.uk');
    assert.deepEqual(await cookiesAt(s, 'http://evil.com/cookies'), {});
    assert.deepEqual(await cookiesAt(s, 'http://other.co.uk/cookies'), {});
    assert.equal(s.cookies.get('tld'), undefined);
    assert.equal(s.cookies.get('sld'), undefined);
  });

  test('a cookie for another registrable domain (Domain=evil.com from shop.example.com) is rejected', async () => {
    await using s = session();
    await setCookie(s, 'http://shop.example.com', 'name=planted&value=1&domain=evil.com');
    assert.deepEqual(await cookiesAt(s, 'http://evil.com/cookies'), {});
    assert.equal(s.cookies.get('planted'), undefined);
  });

  test('control: Domain=example.com from shop.example.com is shared with api.example.com', async () => {
    await using s = session();
    await setCookie(s, 'http://shop.example.com', 'name=shared&value=1&domain=example.com');
    assert.deepEqual(await cookiesAt(s, 'http://api.example.com/cookies'), { shared: '1' });
    assert.deepEqual(await cookiesAt(s, 'http://evil.com/cookies'), {});
  });
});

describe('host-only and path scoping', () => {
  test('a cookie without Domain goes back only to the exact host that set it', async () => {
    await using s = session();
    await setCookie(s, 'http://shop.example.com', 'name=hostonly&value=1');
    assert.deepEqual(await cookiesAt(s, 'http://shop.example.com/cookies'), { hostonly: '1' });
    assert.deepEqual(await cookiesAt(s, 'http://sub.shop.example.com/cookies'), {});
    assert.deepEqual(await cookiesAt(s, 'http://example.com/cookies'), {});
    assert.deepEqual(await cookiesAt(s, 'http://api.example.com/cookies'), {});
  });

  test('control: Domain=shop.example.com widens to subdomains but not to the parent', async () => {
    await using s = session();
    await setCookie(s, 'http://shop.example.com', 'name=dom&value=1&domain=shop.example.com');
    assert.deepEqual(await cookiesAt(s, 'http://sub.shop.example.com/cookies'), { dom: '1' });
    assert.deepEqual(await cookiesAt(s, 'http://example.com/cookies'), {});
  });

  test('Path=/anything/private is sent below that path only', async () => {
    await using s = session();
    await setCookie(s, 'http://shop.example.com', 'name=p&value=1&path=/anything/private');
    const inside = (await s.get('http://shop.example.com/anything/private/x')).json() as { headers: Record<string, string> };
    const outside = (await s.get('http://shop.example.com/anything/privateer')).json() as { headers: Record<string, string> };
    assert.equal(inside.headers.Cookie, 'p=1');
    assert.equal(outside.headers.Cookie, undefined);
  });
});

describe('Secure cookies', () => {
  test('a Secure cookie set over https is never sent over http, not even on a redirect hop to http', async () => {
    await using s = session();
    await setCookie(s, tlsServer.url, 'name=sec&value=1&secure');
    await setCookie(s, tlsServer.url, 'name=plain&value=1');
    assert.deepEqual(await cookiesAt(s, `${tlsServer.url}/cookies`), { sec: '1', plain: '1' });
    assert.deepEqual(await cookiesAt(s, `${bin.url}/cookies`), { plain: '1' });

    const hop = await s.get(`${tlsServer.url}/redirect-to`, { params: { url: `${bin.url}/cookies` } });
    assert.equal(hop.history.length, 1);
    assert.deepEqual((hop.json() as { cookies: Record<string, string> }).cookies, { plain: '1' });
    const sentOverHttp = hop.requestAsSent.headers.filter(([name]) => name.toLowerCase() === 'cookie').map(([, value]) => value);
    assert.deepEqual(sentOverHttp, ['plain=1']);
  });

  test('a Secure cookie offered over plain http is not stored', async () => {
    await using s = session();
    await setCookie(s, bin.url, 'name=insecure&value=1&secure');
    assert.equal(s.cookies.get('insecure'), undefined);
    assert.deepEqual(await cookiesAt(s, `${tlsServer.url}/cookies`), {});
  });

  test('__Secure- and __Host- prefixes are enforced', async () => {
    await using s = session();
    await setCookie(s, tlsServer.url, 'name=__Secure-missing&value=1'); // no Secure: rejected
    await setCookie(s, tlsServer.url, 'name=__Host-domain&value=1&secure&domain=127.0.0.1'); // Domain given: rejected
    await setCookie(s, tlsServer.url, 'name=__Host-ok&value=1&secure'); // Secure, Path=/, no Domain: kept
    assert.deepEqual(await cookiesAt(s, `${tlsServer.url}/cookies`), { '__Host-ok': '1' });
  });
});
