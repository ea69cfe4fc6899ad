// Several Dashi processes on one PostgreSQL store behave as one: a token from one is accepted by
// the other, a logout on one is seen by the other, and hits sent to either are counted by both.
// (ClickHouse here is chdb, an in-process engine that, like DuckDB, allows one process per
// directory; with a ClickHouse server the processes share it the same way.)
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDashi, stopAll } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
const stores = (await testStores()).filter((s) => s.name === 'postgres');

after(async () => {
  await stopAll();
  for (const s of stores) await s.cleanup();
});

for (const store of stores) {
  describe(`two processes on ${store.name}`, () => {
    test('share tokens, revocations and data', async () => {
      const env = await store.env();
      const a = await startDashi({ env });
      const b = await startDashi({ env });

      const token = await a.login();
      assert.equal((await b.get('/api/me', { token })).status, 200, 'a token from A works on B');

      const site = await b.post('/api/websites', { name: 'Shared', domain: 'shared.example' }, { token });
      assert.equal(site.status, 200);
      const listed = await a.get('/api/websites', { token });
      assert.deepEqual(
        listed.body.data.map((w: { id: string }) => w.id),
        [site.body.id],
      );

      const now = Math.floor(Date.now() / 1000);
      for (const [i, d] of [a, b, a, b].entries()) {
        const res = await d.post(
          '/api/send',
          { type: 'event', payload: { website: site.body.id, url: `/p${i}`, hostname: 'shared.example' } },
          { headers: { 'user-agent': UA, 'x-forwarded-for': `203.0.113.${10 + i}` } },
        );
        assert.equal(res.status, 200, JSON.stringify(res.body));
      }
      const range = `startAt=${(now - 600) * 1000}&endAt=${(now + 600) * 1000}`;
      for (const d of [a, b]) {
        const stats = await d.get(`/api/websites/${site.body.id}/stats?${range}`, { token });
        assert.equal(stats.status, 200);
        assert.equal(stats.body.pageviews.value, 4);
        assert.equal(stats.body.visitors.value, 4);
      }

      assert.equal((await b.post('/api/auth/logout', undefined, { token })).status, 200);
      assert.equal((await a.get('/api/me', { token })).status, 401, 'a logout on B is seen by A');
    });
  });
}
