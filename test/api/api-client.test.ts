// Umami's own API client (@umami/api-client) against Dashi with an API key made through the API,
// as an integration would use it: the bearer header alone, the x-umami-api-key header alone, a
// read key refused a write, a key limited to one website refused another, and a revoked key.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isUmamiApiError, UmamiClient } from '@umami/api-client';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';

const stores = await testStores();

/** A fetch that drops the bearer header, so only x-umami-api-key authenticates. */
const keyHeaderOnly: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.delete('authorization');
  return fetch(input, { ...init, headers });
};

const status = async (p: Promise<unknown>): Promise<number> => {
  try {
    await p;
    return 200;
  } catch (err) {
    if (isUmamiApiError(err)) return err.status;
    throw err;
  }
};

for (const store of stores) {
  describe(`@umami/api-client with an API key (${store.name})`, () => {
    let d: Dashi;
    let site = '';
    let other = '';
    const range = () => ({ startAt: Date.now() - 86_400_000, endAt: Date.now() });

    before(async () => {
      d = await startDashi({ env: await store.env() });
      const token = await d.login();
      site = (await d.post('/api/websites', { name: 'Client site', domain: 'client.example' }, { token })).body.id;
      other = (await d.post('/api/websites', { name: 'Other site', domain: 'other.example' }, { token })).body.id;
      const hit = await d.post('/api/send', { type: 'event', payload: { website: site, hostname: 'client.example', url: '/hello' } }, { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36' } });
      assert.equal(hit.status, 200, JSON.stringify(hit.body));
    });
    after(async () => {
      await stopAll();
      await store.cleanup();
    });

    async function key(body: Record<string, unknown>): Promise<{ id: string; key: string }> {
      const token = await d.login();
      const res = await d.post('/api/me/api-keys', body, { token });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    }

    test('a read key reads through the client with either header, and cannot write', async () => {
      const k = await key({ name: 'client', scope: 'read' });
      const bearer = new UmamiClient({ baseUrl: `${d.url}/api`, token: k.key });
      const header = new UmamiClient({ baseUrl: `${d.url}/api`, apiKey: k.key, fetch: keyHeaderOnly });
      for (const umami of [bearer, header]) {
        const websites = (await umami.listWebsites({})) as { data: { id: string }[] };
        assert.deepEqual(websites.data.map((w) => w.id).sort(), [site, other].sort());
        // The client's types follow newer Umami (`pageviews: number`); Dashi answers the seed's shape.
        const stats = (await umami.getWebsiteStats({ websiteId: site, ...range() })) as unknown as { pageviews: { value: number } };
        assert.equal(stats.pageviews.value, 1);
        const pages = (await umami.getWebsiteMetrics({ websiteId: site, ...range(), type: 'path' })) as { x: string; y: number }[];
        assert.deepEqual(pages, [{ x: '/hello', y: 1 }]);
        assert.equal(await status(umami.createWebsite({ name: 'Not allowed', domain: 'no.example' })), 403);
      }
    });

    test('a key limited to one website gets 401 on another; a revoked key gets 401 at once', async () => {
      const k = await key({ name: 'one site', scope: 'read', websiteIds: [site] });
      const umami = new UmamiClient({ baseUrl: `${d.url}/api`, token: k.key });
      assert.equal(await status(umami.getWebsiteStats({ websiteId: site, ...range() })), 200);
      assert.equal(await status(umami.getWebsiteStats({ websiteId: other, ...range() })), 401);
      const token = await d.login();
      assert.equal((await d.del(`/api/me/api-keys/${k.id}`, { token })).status, 200);
      assert.equal(await status(umami.getWebsiteStats({ websiteId: site, ...range() })), 401);
    });
  });
}
