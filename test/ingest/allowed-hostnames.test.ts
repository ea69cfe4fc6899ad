// A website's allowed hostnames: set through POST /api/websites/:id, returned in the website JSON,
// enforced at ingestion (403, which the tracker ignores), and refused hits counted per reason at
// GET /api/websites/:id/refused. Patterns are unit-tested first; the rest runs on every store.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hostnameMatcher, normalizeHostnamePattern } from '../../src/ingest/hostnames.js';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';
import { assertError, assertUnauthorized, createUser } from '../helpers/api.js';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const IGNORED = '192.0.2.66';
const stores = await testStores();

after(async () => {
  await stopAll();
  for (const s of stores) await s.cleanup();
});

test('patterns: normalised, validated, matched', () => {
  assert.equal(normalizeHostnamePattern(' Example.COM. '), 'example.com');
  assert.equal(normalizeHostnamePattern('*.Example.com'), '*.example.com');
  assert.equal(normalizeHostnamePattern('bücher.example'), 'xn--bcher-kva.example');
  assert.equal(normalizeHostnamePattern('192.168.1.10'), '192.168.1.10');
  assert.equal(normalizeHostnamePattern('localhost'), 'localhost');
  assert.equal(normalizeHostnamePattern('__proto__'), '__proto__', 'a name like any other (matched through a Set)');
  for (const bad of ['', '*.', '*', 'a.*.com', 'http://example.com', 'example.com/path', 'exa mple.com', 'example..com', '-a.com', 'a'.repeat(64) + '.com', '\ud800.com', 'ex:ample', '_-.com']) {
    assert.equal(normalizeHostnamePattern(bad), null, JSON.stringify(bad));
  }
  const allow = hostnameMatcher(['example.com', '*.example.org', 'xn--bcher-kva.example'])!;
  for (const ok of ['example.com', 'EXAMPLE.com', 'example.com.', 'example.com:8080', 'a.example.org', 'a.b.example.org', 'bücher.example', 'xn--bcher-kva.example']) assert.ok(allow(ok), ok);
  for (const no of ['www.example.com', 'example.org', 'badexample.org', 'example.com.evil.net', 'evil.net', '', 'constructor', '__proto__']) assert.ok(!allow(no), no);
  assert.equal(hostnameMatcher([]), null, 'an empty list accepts everything');
});

for (const store of stores) {
  describe(`allowed hostnames on ${store.name}`, () => {
    let d: Dashi;
    let token: string;
    let website: string;

    const send = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
      d.post('/api/send', { type: 'event', payload: { website, url: '/', ...payload } }, { headers: { 'user-agent': UA, 'x-forwarded-for': '203.0.113.5', ...headers } });
    const refused = async () => {
      const res = await d.get(`/api/websites/${website}/refused`, { token });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };

    test('set and returned in the website JSON; bad lists are refused and change nothing', async () => {
      d = await startDashi({ env: { ...(await store.env()), IGNORE_IP: IGNORED } });
      token = await d.login();
      const created = await d.post('/api/websites', { name: 'Guarded', domain: 'example.com' }, { token });
      website = created.body.id;
      assert.deepEqual(created.body.allowedHostnames, [], 'none by default: every hostname accepted');

      assert.equal((await d.post(`/api/websites/${website}`, { allowedHostnames: ['first.example'] }, { token })).status, 200);
      const set = await d.post(`/api/websites/${website}`, { allowedHostnames: ['Example.com', '*.example.org', 'example.com', 'bücher.example'] }, { token });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.deepEqual(set.body.allowedHostnames, ['example.com', '*.example.org', 'xn--bcher-kva.example']);
      assert.deepEqual((await d.get(`/api/websites/${website}`, { token })).body.allowedHostnames, set.body.allowedHostnames);
      const listed = (await d.get('/api/websites', { token })).body.data.find((w: { id: string }) => w.id === website);
      assert.deepEqual(listed.allowedHostnames, set.body.allowedHostnames);

      for (const body of [
        { allowedHostnames: ['example.com', 'http://bad/'] },
        { allowedHostnames: 'example.com' },
        { allowedHostnames: [42] },
        { allowedHostnames: Array.from({ length: 101 }, (_, i) => `h${i}.example`) },
        { allowedHostnames: ['x'.repeat(10_000)] },
      ]) {
        assertError(await d.post(`/api/websites/${website}`, body, { token }), 400, /allowedHostnames/);
      }
      assert.deepEqual((await d.get(`/api/websites/${website}`, { token })).body.allowedHostnames, set.body.allowedHostnames, 'unchanged');

      const withList = await d.post('/api/websites', { name: 'Born guarded', domain: 'b.example', allowedHostnames: ['b.example'] }, { token });
      assert.deepEqual(withList.body.allowedHostnames, ['b.example']);
    });

    test('hits from other hostnames are refused with a 403 and counted per reason', async () => {
      const before = await refused();
      assert.deepEqual(before, { reasons: { hostname: 0, missingHostname: 0, bot: 0, ignoredIp: 0 }, since: null });

      for (const hostname of ['example.com', 'EXAMPLE.COM', 'shop.example.org', 'xn--bcher-kva.example']) {
        const res = await send({ hostname });
        assert.equal(res.status, 200, `${hostname}: ${JSON.stringify(res.body)}`);
      }
      assert.equal((await send({ url: 'https://example.com/from-url' })).status, 200, 'no hostname: the absolute URL’s host counts');

      assertError(await send({ hostname: 'copycat.example' }), 403, /hostname/);
      assertError(await send({ hostname: 'example.org' }), 403, /hostname/);
      assertError(await send({ url: '/relative' }), 403, /hostname/);
      const batch = await d.post('/api/batch', [{ type: 'event', payload: { website, url: '/', hostname: 'copycat.example' } }], { headers: { 'user-agent': UA } });
      assert.equal(batch.status, 200);
      assert.equal(batch.body.errors, 1);
      assert.equal(batch.body.details[0].response.error.status, 403);
      // a bot and an ignored address from an allowed hostname
      assert.deepEqual((await send({ hostname: 'example.com' }, { 'user-agent': 'curl/8.0' })).body, { beep: 'boop' });
      assertError(await send({ hostname: 'example.com' }, { 'x-forwarded-for': IGNORED }), 403);

      const counts = await refused();
      assert.deepEqual(counts.reasons, { hostname: 3, missingHostname: 1, bot: 1, ignoredIp: 1 });
      assert.ok(Date.parse(counts.since) <= Date.now());

      const stats = await d.get(`/api/websites/${website}/stats?startAt=0&endAt=${Date.now() + 60_000}`, { token });
      assert.equal(stats.body.pageviews.value, 5, 'only the allowed hits were stored');
    });

    test('the counts are for the website’s users only, and survive a restart', async () => {
      assertUnauthorized(await d.get(`/api/websites/${website}/refused`));
      const admin = token;
      const eve = await createUser(d, admin, `eve-${store.name}`);
      assertUnauthorized(await d.get(`/api/websites/${website}/refused`, { token: eve.token }));
      const shared = await d.post(`/api/websites/${website}`, { shareId: `guarded-${store.name}` }, { token });
      assert.equal(shared.status, 200);
      const share = await d.get(`/api/share/guarded-${store.name}`);
      assertUnauthorized(await d.get(`/api/websites/${website}/refused`, { headers: { 'x-umami-share-token': share.body.token } }));
      assertError(await d.get('/api/websites/not-a-uuid/refused', { token }), 400);

      await d.restart(); // a graceful stop writes the counts held in memory
      token = await d.login();
      assert.deepEqual((await refused()).reasons, { hostname: 3, missingHostname: 1, bot: 1, ignoredIp: 1 });
    });

    test('an emptied list accepts every hostname again; reset clears the counts', async () => {
      assertError(await send({ hostname: 'copycat.example' }), 403);
      const cleared = await d.post(`/api/websites/${website}`, { allowedHostnames: [] }, { token });
      assert.deepEqual(cleared.body.allowedHostnames, []);
      assert.equal((await send({ hostname: 'copycat.example' })).status, 200, 'applies at once');
      assert.equal((await send({ url: '/relative' })).status, 200);
      assert.equal((await refused()).reasons.hostname, 4);
      assert.equal((await d.post(`/api/websites/${website}/reset`, undefined, { token })).status, 200);
      assert.deepEqual(await refused(), { reasons: { hostname: 0, missingHostname: 0, bot: 0, ignoredIp: 0 }, since: null });
    });
  });
}
