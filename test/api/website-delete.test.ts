// Deleting a website: ingestion stops at once (in the process that deleted it, and within the
// stated bound in another process on the same store), its rows are gone, and its id is a
// tombstone that POST /api/websites refuses to reuse. On every store.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';
import { assertError, sleep } from '../helpers/api.js';
import { websiteRowCounts, withStore } from '../helpers/store-access.js';
import { WEBSITE_CACHE_MS_SHARED } from '../../src/ingest/ingest.js';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const stores = await testStores();

after(async () => {
  await stopAll();
  for (const s of stores) await s.cleanup();
});

const hit = (d: Dashi, website: string, i: number, data?: Record<string, unknown>) =>
  d.post(
    '/api/send',
    { type: 'event', payload: { website, hostname: 'doomed.example', url: `/p${i}`, name: data ? 'ev' : undefined, data } },
    { headers: { 'user-agent': UA, 'x-forwarded-for': `198.51.100.${i % 200}` } },
  );

for (const store of stores) {
  describe(`website deletion on ${store.name}`, () => {
    test('stops ingestion at once, removes its rows, and keeps its id from reuse', async () => {
      const env = await store.env();
      const d = await startDashi({ env });
      const token = await d.login();
      const id = '5e1f0c2a-9b7d-4c3e-8a6f-0d2b4c6e8f10';
      const created = await d.post('/api/websites', { id, name: 'Doomed', domain: 'doomed.example' }, { token });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const other = (await d.post('/api/websites', { name: 'Kept', domain: 'kept.example' }, { token })).body.id as string;
      assert.equal((await hit(d, other, 1)).status, 200);
      const identified = await d.post(
        '/api/send',
        { type: 'identify', payload: { website: id, hostname: 'doomed.example', url: '/', id: 'user-1', data: { plan: 'pro' } } },
        { headers: { 'user-agent': UA } },
      );
      assert.equal(identified.status, 200, JSON.stringify(identified.body));
      // v1's /api/collect by the integer id (cached under that key too)
      const v1 = await d.get('/api/websites', { cookie: `umami.auth=${token}` });
      const legacyId = v1.body.find((w: { website_uuid: string }) => w.website_uuid === id).website_id as number;
      const collect = () =>
        d.post('/api/collect', { type: 'pageview', payload: { website: legacyId, url: '/v1', hostname: 'doomed.example' } }, { headers: { 'user-agent': UA } });
      assert.equal((await collect()).status, 200);

      // Hits keep coming while the website is deleted: the ones it accepted were written before
      // the delete removed the rows (checked below), and none is accepted once it answered.
      let accepted = 0;
      const lane = async (lane: number) => {
        for (let i = 0; i < 400; i++) {
          const res = await hit(d, id, lane * 1000 + i, { n: i });
          if (res.status === 200) {
            accepted++;
            continue;
          }
          assertError(res, 400, 'Website not found.');
          return;
        }
        assert.fail('hits were still accepted after 400 requests');
      };
      const lanes = [0, 1, 2, 3].map(lane);
      while (accepted < 20) await sleep(10);
      const del = await d.del(`/api/websites/${id}`, { token });
      assert.equal(del.status, 200, JSON.stringify(del.body));
      assertError(await hit(d, id, 9999), 400, 'Website not found.');
      assertError(await collect(), 400, 'Website not found.');
      await Promise.all(lanes);

      const again = await d.post('/api/websites', { id, name: 'Reborn', domain: 'doomed.example' }, { token });
      assertError(again, 400, /^id: .*deleted website.*cannot be reused/);
      assertError(await d.post('/api/websites', { id: other, name: 'Dup', domain: 'x.example' }, { token }), 400, /^id: .*already exists/);
      assert.equal((await d.get(`/api/websites/${id}`, { token })).status, 404);

      await d.stop();
      await withStore(d, async (s) => {
        assert.deepEqual(await websiteRowCounts(s, id), { website_event: 0, event_data: 0, session: 0, session_data: 0 }, 'no row of the deleted website is left');
        assert.equal((await websiteRowCounts(s, other)).website_event, 1, 'other websites keep theirs');
        const [tomb] = (await s.metadataCopy.rows('website_ids')).filter((r) => String(r.website_id) === id);
        assert.ok(tomb?.deleted_at, 'the id is kept as a tombstone');
      });
      // and the tombstone holds after a restart
      await d.start();
      assertError(await d.post('/api/websites', { id, name: 'Reborn', domain: 'doomed.example' }, { token: await d.login() }), 400, /deleted website/);
    });

    if (store.name === 'postgres') {
      test('another process on the store stops within the bound, and what it wrote meanwhile is swept', async () => {
        const env = await store.env();
        const a = await startDashi({ env });
        const b = await startDashi({ env });
        const token = await a.login();
        const id = (await a.post('/api/websites', { name: 'Shared doomed', domain: 'doomed.example' }, { token })).body.id as string;
        assert.equal((await hit(b, id, 1)).status, 200, 'B has the website cached');
        assert.equal((await a.del(`/api/websites/${id}`, { token })).status, 200);
        const t0 = Date.now();
        assertError(await hit(a, id, 2), 400, 'Website not found.');
        let i = 3;
        while ((await hit(b, id, i++)).status === 200) {
          assert.ok(Date.now() - t0 < WEBSITE_CACHE_MS_SHARED + 1500, 'B still takes hits past the bound');
          await sleep(100);
        }
        assert.ok(i > 4, 'B took hits from its cache for a while (else this test proves nothing)');
        // The deleting process sweeps again once the bound has passed.
        await sleep(WEBSITE_CACHE_MS_SHARED + 3000 - (Date.now() - t0));
        const counts = await withStore(a, (s) => websiteRowCounts(s, id));
        assert.deepEqual(counts, { website_event: 0, event_data: 0, session: 0, session_data: 0 });
      });
    }
  });
}
