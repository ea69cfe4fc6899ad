// Cookies are never enough for a cross-site write: a request authenticated by the umami.auth
// cookie alone may read from anywhere, but may write only from Dashi's own origin (or from a
// client that is not a browser, as the v1 seed's scripts are), and only with a JSON body. Only
// the ingestion routes read text/plain. Login gives the cookie only to non-browser clients.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { assertError, createUser, type TestUser } from '../helpers/api.js';

after(stopAll);

const SIBLING = 'http://www.example.com';

describe('cookie-authenticated writes', () => {
  let d: Dashi;
  let admin: string;
  let cookie: string;
  let bob: TestUser;
  let websiteId: string;

  before(async () => {
    d = await startDashi();
    admin = await d.login();
    cookie = `umami.auth=${admin}`;
    bob = await createUser(d, admin, 'bob');
    const w = await d.post('/api/websites', { name: 'Site', domain: 'site.example' }, { token: admin });
    assert.equal(w.status, 200);
    websiteId = w.body.id;
  });

  const usernames = async () => ((await d.get('/api/admin/users?pageSize=100', { token: admin })).body.data as { username: string }[]).map((u) => u.username);
  const website = async () => (await d.get(`/api/websites/${websiteId}`, { token: admin })).body;

  test('a cross-site or cross-origin write with the cookie is refused with 403 and changes nothing', async () => {
    const browserish: [string, Record<string, string>][] = [
      ['sibling Origin', { origin: SIBLING }],
      ['Sec-Fetch-Site same-site', { 'sec-fetch-site': 'same-site', origin: SIBLING }],
      ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
      ['Origin null', { origin: 'null' }],
      ['Origin with another port', { origin: d.url.replace(/:(\d+)$/, (_m, p) => `:${Number(p) + 1}`) }],
      ['a same-origin Origin overruled by Sec-Fetch-Site', { origin: d.url, 'sec-fetch-site': 'same-site' }],
    ];
    for (const [what, headers] of browserish) {
      const create = await d.post('/api/users', { username: 'mallory', password: 'password123', role: 'admin' }, { cookie, headers });
      assertError(create, 403, /cookie/);
      assert.equal(create.body.error.code, 'forbidden', what);
      assertError(await d.request('POST', `/api/websites/${websiteId}/reset`, { cookie, headers }), 403, /cookie/);
      assertError(await d.post(`/api/websites/${websiteId}`, { shareId: 'stolen' }, { cookie, headers }), 403, /cookie/);
      assertError(await d.del(`/api/websites/${websiteId}`, { cookie, headers }), 403, /cookie/);
      assertError(await d.post('/api/auth/logout', undefined, { cookie, headers }), 403, /cookie/);
    }
    assert.ok(!(await usernames()).includes('mallory'));
    const w = await website();
    assert.equal(w.resetAt, null);
    assert.equal(w.shareId, null);
    // the cookie's token was not revoked by the refused logout
    assert.equal((await d.get('/api/auth/verify', { cookie })).status, 200);
  });

  test('a cookie write must send JSON (or no body); form and text bodies are refused', async () => {
    const body = JSON.stringify({ username: 'mallory', password: 'password123', role: 'admin' });
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      // with a same-origin Origin, and with none (a script): the content type alone is refused
      for (const headers of [{ 'content-type': type, origin: d.url }, { 'content-type': type }] as Record<string, string>[]) {
        const res = await d.request('POST', '/api/users', { cookie, rawBody: body, headers });
        assert.ok(res.status === 403 || res.status === 415, `${type}: ${res.status} ${JSON.stringify(res.body)}`);
        assertError(res, res.status, /cookie|content type/i);
      }
    }
    assert.ok(!(await usernames()).includes('mallory'));
  });

  test('text/plain is JSON only on the ingestion routes, whoever asks', async () => {
    const res = await d.request('POST', '/api/websites', {
      token: admin,
      rawBody: JSON.stringify({ name: 'Plain', domain: 'plain.example' }),
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
    });
    assertError(res, 415, /Unsupported content type: text\/plain.*application\/json/);
    const list = await d.get('/api/websites?pageSize=100', { token: admin });
    assert.ok(!list.body.data.some((w: { name: string }) => w.name === 'Plain'));
  });

  test('same-origin browsers and non-browser clients (the v1 seed) still write with the cookie', async () => {
    const allowed: [string, Record<string, string>][] = [
      ['no Origin (curl, scripts)', {}],
      ['same Origin', { origin: d.url }],
      ['Sec-Fetch-Site same-origin', { 'sec-fetch-site': 'same-origin', origin: d.url }],
      ['Sec-Fetch-Site none', { 'sec-fetch-site': 'none' }],
      ['Origin naming the proxy host', { origin: 'https://analytics.example.com', 'x-forwarded-host': 'analytics.example.com' }],
    ];
    for (const [i, [what, headers]] of allowed.entries()) {
      const res = await d.post('/api/website', { domain: `v1-${i}.example`, name: `v1 ${i}` }, { cookie: `umami.auth=${bob.token}`, headers });
      assert.equal(res.status, 200, `${what}: ${JSON.stringify(res.body)}`);
      assert.equal(typeof res.body.website_id, 'number');
    }
    // bodiless writes (no content type) are fine from the same origin too
    const own = await d.post('/api/websites', { name: 'Bob own', domain: 'own.example' }, { token: bob.token });
    const reset = await d.request('POST', `/api/websites/${own.body.id}/reset`, { cookie: `umami.auth=${bob.token}`, headers: { origin: d.url } });
    assert.equal(reset.status, 200, JSON.stringify(reset.body));
    const v1 = await d.get('/api/websites', { cookie: `umami.auth=${bob.token}` });
    assert.deepEqual(v1.body.map((w: { name: string }) => w.name).sort(), ['Bob own', 'v1 0', 'v1 1', 'v1 2', 'v1 3', 'v1 4']);
  });

  test('reads with the cookie work from anywhere (the answer is not readable cross-origin: no credentials with *)', async () => {
    const res = await d.get('/api/websites', { cookie, headers: { origin: SIBLING, 'sec-fetch-site': 'same-site' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('access-control-allow-credentials'), null);
  });

  test('a bearer token is not limited by origin (a page cannot send one without holding it)', async () => {
    const res = await d.post('/api/websites', { name: 'Bearer cross', domain: 'bearer.example' }, { token: admin, headers: { origin: SIBLING, 'sec-fetch-site': 'cross-site' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    // a bearer header wins over a cookie sent alongside
    const both = await d.post(`/api/websites/${res.body.id}`, { name: 'Bearer cross 2' }, { token: admin, cookie, headers: { origin: SIBLING } });
    assert.equal(both.status, 200, JSON.stringify(both.body));
  });

  test('an unusable cookie is still just unauthorized', async () => {
    assertError(await d.post('/api/users', { username: 'x', password: 'password123' }, { cookie: 'umami.auth=forged', headers: { origin: SIBLING } }), 401);
  });
});

describe('ingestion keeps every content type and any origin', () => {
  let d: Dashi;
  let websiteId: string;
  before(async () => {
    d = await startDashi({ env: { COLLECT_API_ENDPOINT: '/api/hit' } });
    const admin = await d.login();
    websiteId = (await d.post('/api/websites', { name: 'Tracked', domain: 'tracked.example' }, { token: admin })).body.id;
  });

  test('text/plain (sendBeacon, the fast path and the Fastify path) on /api/send, /api/batch, /api/collect and COLLECT_API_ENDPOINT', async () => {
    const ua = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
    const hit = (url: string) => ({ type: 'event', payload: { website: websiteId, hostname: 'tracked.example', url, language: 'en-US', screen: '1920x1080' } });
    // the cookie of a logged-in visitor rides along (same-site) and changes nothing
    const headers = (type: string) => ({ 'content-type': type, 'user-agent': ua, origin: 'https://tracked.example', 'sec-fetch-site': 'cross-site', cookie: 'umami.auth=whatever' });
    for (const type of ['text/plain;charset=UTF-8', 'text/plain; charset=us-ascii', 'application/x-www-form-urlencoded']) {
      for (const path of ['/api/send', '/api/hit']) {
        const res = await d.request('POST', path, { rawBody: JSON.stringify(hit(`/p-${path}`)), headers: headers(type) });
        assert.equal(res.status, 200, `${path} ${type}: ${JSON.stringify(res.body)}`);
        assert.equal(typeof res.body.sessionId, 'string');
        assert.equal(res.headers.get('access-control-allow-origin'), '*');
      }
      const batch = await d.request('POST', '/api/batch', { rawBody: JSON.stringify([hit('/b1'), hit('/b2')]), headers: headers(type) });
      assert.equal(batch.status, 200, JSON.stringify(batch.body));
      assert.equal(batch.body.processed, 2);
      const collect = await d.request('POST', '/api/collect', { rawBody: JSON.stringify({ type: 'pageview', payload: { website: websiteId, url: '/c', hostname: 'tracked.example' } }), headers: headers(type) });
      assert.ok(collect.status === 200, `collect ${type}: ${collect.status} ${JSON.stringify(collect.body)}`);
    }
  });
});

describe('the login cookie', () => {
  let d: Dashi;
  before(async () => {
    d = await startDashi({ env: { BASE_PATH: '/stats' } });
  });
  const login = (headers: Record<string, string> = {}) => d.post('/stats/api/auth/login', { username: 'admin', password: 'umami' }, { headers });

  test('a non-browser client gets it: HttpOnly, SameSite=Strict, the base path, no Secure over plain http', async () => {
    const res = await login();
    assert.equal(res.status, 200);
    const set = res.headers.get('set-cookie') ?? '';
    assert.match(set, /^umami\.auth=([^;]+);/);
    assert.equal(/^umami\.auth=([^;]+);/.exec(set)![1], res.body.token);
    assert.match(set, /; HttpOnly(;|$)/);
    assert.match(set, /; SameSite=Strict(;|$)/);
    assert.match(set, /; Path=\/stats(;|$)/);
    assert.doesNotMatch(set, /Secure/i);
  });

  test('Secure when the client came over HTTPS (X-Forwarded-Proto or Forwarded from the proxy)', async () => {
    for (const headers of [{ 'x-forwarded-proto': 'https' }, { 'x-forwarded-proto': 'https, http' }, { forwarded: 'for=1.2.3.4;proto=https;host=a.example' }] as Record<string, string>[]) {
      const set = (await login(headers)).headers.get('set-cookie') ?? '';
      assert.match(set, /; Secure(;|$)/, JSON.stringify(headers));
      assert.match(set, /; HttpOnly(;|$)/);
    }
    assert.doesNotMatch((await login({ 'x-forwarded-proto': 'http' })).headers.get('set-cookie') ?? '', /Secure/);
  });

  test('a browser (Origin or Sec-Fetch-Site) gets no cookie: the dashboard uses the bearer token', async () => {
    for (const headers of [{ origin: d.url }, { 'sec-fetch-site': 'same-origin' }, { origin: SIBLING, 'sec-fetch-site': 'same-site' }] as Record<string, string>[]) {
      const res = await login(headers);
      assert.equal(res.status, 200);
      assert.equal(typeof res.body.token, 'string');
      assert.equal(res.headers.get('set-cookie'), null, JSON.stringify(headers));
    }
  });

  test('logout clears the cookie with the same attributes', async () => {
    const token = (await login()).body.token;
    const out = await d.post('/stats/api/auth/logout', undefined, { cookie: `umami.auth=${token}`, headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(out.status, 200);
    const set = out.headers.get('set-cookie') ?? '';
    assert.match(set, /^umami\.auth=;/);
    assert.match(set, /Expires=Thu, 01 Jan 1970/);
    assert.match(set, /; Path=\/stats(;|$)/);
    assert.match(set, /; Secure(;|$)/);
  });
});
