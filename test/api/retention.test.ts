// Data retention on every store: the website JSON carries the limit that applies (own setting,
// else DATA_RETENTION_DAYS; null keeps data forever), POST validates it, and the scheduler
// deletes rows older than the limit (event data too) and keeps the newer ones, and logs it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';
import { assertError, assertUnauthorized, createUser, sleep } from '../helpers/api.js';

const stores = await testStores();
after(stopAll);

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
const DAY = 86_400_000;
const NOW = Date.now();

for (const store of stores) {
  describe(`data retention (${store.name})`, () => {
    let d: Dashi;
    let admin: string;
    const sites: Record<string, string> = {};

    const hit = async (website: string, daysAgo: number, visitor: string, extra: Record<string, unknown> = {}) => {
      const payload = { website, hostname: 'example.com', url: '/', id: visitor, timestamp: Math.floor((NOW - daysAgo * DAY) / 1000), ...extra };
      const res = await d.post('/api/send', { type: 'event', payload }, { headers: { 'user-agent': UA } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    };
    const pageviews = async (website: string, fromDaysAgo: number, toDaysAgo: number) => {
      const res = await d.get(`/api/websites/${website}/stats?startAt=${NOW - fromDaysAgo * DAY}&endAt=${NOW - toDaysAgo * DAY}`, { token: admin });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.pageviews.value as number;
    };

    before(async () => {
      // Default 30 days; the scheduler runs every 300 ms.
      d = await startDashi({ env: { ...(await store.env()), DATA_RETENTION_DAYS: '30', RETENTION_INTERVAL_MS: '300' } });
      admin = await d.login();
      for (const name of ['short', 'default', 'forever']) {
        sites[name] = (await d.post('/api/websites', { name, domain: `${name}.example` }, { token: admin })).body.id;
      }
    });
    after(() => store.cleanup());

    test('the website JSON carries the limit; POST sets it and validates it', async () => {
      assert.equal((await d.get(`/api/websites/${sites.short}`, { token: admin })).body.retentionDays, 30);
      for (const bad of [0, -1, 1.5, 36501, '5', true, {}]) {
        assertError(await d.post(`/api/websites/${sites.short}`, { retentionDays: bad }, { token: admin }), 400, /retentionDays/);
      }
      const outsider = await createUser(d, admin, 'outsider');
      assertUnauthorized(await d.post(`/api/websites/${sites.short}`, { retentionDays: 1 }, { token: outsider.token }));
      const set = await d.post(`/api/websites/${sites.short}`, { retentionDays: 5 }, { token: admin });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.equal(set.body.retentionDays, 5);
      assert.equal(set.body.name, 'short');
      assert.equal((await d.post(`/api/websites/${sites.forever}`, { retentionDays: null }, { token: admin })).body.retentionDays, null);
      assert.equal((await d.get(`/api/websites/${sites.short}`, { token: admin })).body.retentionDays, 5);
      assert.equal((await d.get(`/api/websites/${sites.default}`, { token: admin })).body.retentionDays, 30);
      assert.equal((await d.get(`/api/websites/${sites.forever}`, { token: admin })).body.retentionDays, null);
    });

    test('the scheduler deletes rows past the limit and keeps newer ones', async () => {
      // short's rows all arrive before its limit applies, so its log counts every one of them.
      assert.equal((await d.post(`/api/websites/${sites.short}`, { retentionDays: null }, { token: admin })).status, 200);
      await sleep(1500);
      for (const site of Object.values(sites)) {
        await hit(site, 40, 'old', { name: 'signup', data: { plan: 'pro' } });
        await hit(site, 40, 'old');
        await hit(site, 10, 'mid');
        await hit(site, 1, 'new');
        await hit(site, 1, 'new', { url: '/x' });
      }
      assert.equal((await d.post(`/api/websites/${sites.short}`, { retentionDays: 5 }, { token: admin })).status, 200);
      // Within a few scheduler runs: short keeps 1 day, default loses the 40-day-old rows, forever keeps all.
      const want = { short: [0, 0, 2], default: [0, 1, 2], forever: [1, 1, 2] };
      const have = async () =>
        Object.fromEntries(
          await Promise.all(Object.entries(sites).map(async ([name, id]) => [name, [await pageviews(id, 41, 39), await pageviews(id, 11, 9), await pageviews(id, 2, 0)]])),
        );
      let seen = await have();
      for (let i = 0; i < 100 && JSON.stringify(seen) !== JSON.stringify(want); i++) {
        await sleep(200);
        seen = await have();
      }
      assert.deepEqual(seen, want);
      // The custom event and its data went with the page view.
      const ev = await d.get(`/api/websites/${sites.default}/metrics?type=event&startAt=${NOW - 41 * DAY}&endAt=${NOW}`, { token: admin });
      assert.deepEqual(ev.body, []);
      const kept = await d.get(`/api/websites/${sites.forever}/metrics?type=event&startAt=${NOW - 41 * DAY}&endAt=${NOW}`, { token: admin });
      assert.deepEqual(kept.body.map((r: any) => [r.x, r.y]), [['signup', 1]]);
      // Logged as retention runs (no user), once per website that lost rows.
      // The log entry is written just after the rows are gone: give it a moment.
      const logged = async () => (await d.get(`/api/websites/${sites.short}/purges`, { token: admin })).body;
      let log = await logged();
      for (let i = 0; i < 50 && log.data.reduce((n: number, e: any) => n + e.events, 0) < 3; i++) {
        await sleep(100);
        log = await logged();
      }
      assert.ok(log.count >= 1);
      assert.ok(log.data.every((e: any) => e.kind === 'retention' && e.userId === null && e.filters.retentionDays === 5));
      assert.equal(log.data.reduce((n: number, e: any) => n + e.events, 0), 3);
      assert.equal((await d.get(`/api/websites/${sites.forever}/purges`, { token: admin })).body.count, 0);
    });

    test('settings and the log survive a crash (kill -9) and a restart', async () => {
      assert.equal((await d.post(`/api/websites/${sites.default}`, { retentionDays: 400 }, { token: admin })).status, 200);
      assert.equal((await d.post(`/api/websites/${sites.default}`, { retentionDays: 365 }, { token: admin })).status, 200);
      const before = (await d.get(`/api/websites/${sites.short}/purges`, { token: admin })).body.count;
      await d.kill9();
      await d.start();
      admin = await d.login();
      assert.equal((await d.get(`/api/websites/${sites.default}`, { token: admin })).body.retentionDays, 365);
      assert.equal((await d.get(`/api/websites/${sites.short}`, { token: admin })).body.retentionDays, 5);
      assert.equal((await d.get(`/api/websites/${sites.short}/purges`, { token: admin })).body.count, before);
    });
  });
}
