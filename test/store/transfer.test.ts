// `dashi migrate-store`: everything on the embedded store moves to PostgreSQL (and to
// PostgreSQL + ClickHouse), a second run finds nothing left to copy, an interrupted copy resumes,
// and the moved site answers with the same numbers.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, startDashi, stopAll } from '../helpers/server.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { testStores } from '../helpers/stores.js';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
const stores = (await testStores()).filter((s) => s.name !== 'duckdb');

after(async () => {
  await stopAll();
  for (const s of stores) await s.cleanup();
});

test('embedded store to every server store', async () => {
  const source = await startDashi();
  const token = await source.login();
  const site = await source.post('/api/websites', { name: 'Moving', domain: 'moving.example', shareId: 'moving' }, { token });
  const base = Date.UTC(2026, 0, 10, 12) / 1000;
  // Three visitors over three days, one custom event with data, one identify.
  const hits = [
    { ip: '198.51.100.1', t: base, url: '/' },
    { ip: '198.51.100.1', t: base + 60, url: '/pricing' },
    { ip: '198.51.100.2', t: base + 86_400, url: '/' },
    { ip: '198.51.100.3', t: base + 2 * 86_400, url: '/docs', name: 'signup', data: { plan: 'pro', seats: 3 } },
  ];
  for (const h of hits) {
    const res = await source.post(
      '/api/send',
      { type: 'event', payload: { website: site.body.id, url: h.url, hostname: 'moving.example', timestamp: h.t, name: h.name, data: h.data } },
      { headers: { 'user-agent': UA, 'x-forwarded-for': h.ip } },
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
  const range = `startAt=${(base - 3600) * 1000}&endAt=${(base + 3 * 86_400) * 1000}`;
  const before = (await source.get(`/api/websites/${site.body.id}/stats?${range}`, { token })).body;
  assert.equal(before.pageviews.value, 3);
  // An allow-list and a deleted website's tombstone move too.
  assert.equal((await source.post(`/api/websites/${site.body.id}`, { allowedHostnames: ['moving.example'] }, { token })).status, 200);
  const goneId = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
  assert.equal((await source.post('/api/websites', { id: goneId, name: 'Gone', domain: 'gone.example' }, { token })).status, 200);
  assert.equal((await source.del(`/api/websites/${goneId}`, { token })).status, 200);
  await source.stop();

  for (const store of stores) {
    const env = await store.env();
    const flags = ['--to-database-url', env.DATABASE_URL, ...(env.CLICKHOUSE_URL ? ['--to-clickhouse-url', env.CLICKHOUSE_URL] : [])];
    const first = await runCli(['migrate-store', ...flags], { DATA_DIR: source.dataDir, DATABASE_URL: '', CLICKHOUSE_URL: '' });
    assert.equal(first.code, 0, first.output);
    assert.match(first.output, /3 copied, 0 already complete/);
    assert.match(first.output, /website_event: source 4, target 4/);
    assert.match(first.output, /counts match/);

    const again = await runCli(['migrate-store', ...flags], { DATA_DIR: source.dataDir, DATABASE_URL: '', CLICKHOUSE_URL: '' });
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /0 copied, 3 already complete/);

    if (store.name === 'postgres') {
      // As if a copy had stopped half-way through the second day: its events are gone.
      const pg = await openPostgresStore(env.DATABASE_URL);
      await pg.analytics.query(`DELETE FROM website_event WHERE created_at >= '2026-01-11' AND created_at < '2026-01-12'`);
      await pg.close();
      const resumed = await runCli(['migrate-store', ...flags], { DATA_DIR: source.dataDir, DATABASE_URL: '', CLICKHOUSE_URL: '' });
      assert.equal(resumed.code, 0, resumed.output);
      assert.match(resumed.output, /1 copied, 2 already complete/);
      assert.match(resumed.output, /counts match/);
    }

    const moved = await startDashi({ env: { ...env, APP_SECRET: 'same-everywhere-and-at-least-32-bytes' } });
    const t2 = await moved.login();
    const after = (await moved.get(`/api/websites/${site.body.id}/stats?${range}`, { token: t2 })).body;
    assert.deepEqual(after, before, `${store.name}: same numbers after the move`);
    const share = await moved.get('/api/share/moving');
    assert.equal(share.body.websiteId, site.body.id);
    const events = (await moved.get(`/api/websites/${site.body.id}/event-data/values?${range}&event=signup&propertyName=plan`, { token: t2 })).body;
    assert.deepEqual(events, [{ value: 'pro', total: 1 }]);
    assert.deepEqual((await moved.get(`/api/websites/${site.body.id}`, { token: t2 })).body.allowedHostnames, ['moving.example']);
    const reuse = await moved.post('/api/websites', { id: goneId, name: 'Gone', domain: 'gone.example' }, { token: t2 });
    assert.equal(reuse.status, 400, JSON.stringify(reuse.body));
    await moved.stop();
  }
});
