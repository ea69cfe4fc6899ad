// `dashi migrate-store`: everything on the embedded store moves to PostgreSQL (and to
// PostgreSQL + ClickHouse), a second run finds nothing left to copy, an interrupted copy resumes,
// and the moved site answers with the same numbers.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, startDashi, stopAll } from '../helpers/server.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { testStores } from '../helpers/stores.js';
import { randomUUID } from 'node:crypto';
import { openDuckDbStore } from '../../src/store/duckdb/index.js';
import { transferStore } from '../../src/store/transfer.js';
import { tables } from '../../src/store/sql/columns.js';
import { trafficRollups } from '../../src/query/rollups/embedded-rollups.js';
import type { EventRow, Store, WriteBatch } from '../../src/store/types.js';

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
    // Into PostgreSQL as CSV; ClickHouse has no bulk load, so the rows go through its write().
    assert.match(first.output, store.name === 'postgres' ? /\(3 of them as CSV\)/ : /\(0 of them as CSV\)/);
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

/** Every row of every analytics table, every column, in a fixed order. */
async function everything(store: Store): Promise<unknown[][]> {
  const out: unknown[][] = [];
  for (const { table, columns } of tables) {
    const rows = await store.analytics.query(`SELECT * FROM ${table} ORDER BY ${columns.map((_, i) => i + 1).join(', ')}`);
    out.push(rows.map((r) => columns.map(([name]) => (r[name] instanceof Date ? (r[name] as Date).toISOString() : r[name]))));
  }
  return out;
}

const AWKWARD = ['T\tab', 'say "hi"', 'cr\r\nlf', 'line\nbreak', '', ' ', '\\N', 'a,b', 'é😀中', '"'];

/** 40 events over 2026-02-01 (a session and a data row per 4), 5 on 2026-02-02, with awkward strings. */
async function fill(store: Store): Promise<string> {
  const site = await store.websites.create({ name: 'S', domain: 's.example', shareId: null, userId: null, teamId: null, createdBy: randomUUID() });
  const batch: WriteBatch = { events: [], eventData: [], sessions: [], sessionData: [] };
  for (let i = 0; i < 45; i++) {
    const createdAt = new Date(Date.UTC(2026, 1, i < 40 ? 1 : 2) + i * 1_800_000 * (i < 40 ? 1 : 0) + (i % 7) * 1000 + (i % 3));
    const sessionId = `00000000-0000-4000-8000-${String(Math.floor(i / 4)).padStart(12, '0')}`;
    const awkward = AWKWARD[i % AWKWARD.length];
    const event: EventRow = {
      eventId: randomUUID(), websiteId: site.id, sessionId, visitId: sessionId, createdAt, eventType: 1, eventName: null, eventCategory: null,
      urlPath: `/p${i % 3}`, urlQuery: i % 4 ? awkward : null, pageTitle: i % 2 ? awkward : null, hostname: 's.example', referrerDomain: null, referrerPath: null,
      referrerQuery: null, utmSource: null, utmMedium: null, utmCampaign: null, utmContent: null, utmTerm: null, gclid: null, fbclid: null,
      msclkid: null, ttclid: null, liFatId: null, twclid: null, tag: null, browser: 'chrome', os: 'Linux', device: 'desktop', screen: null,
      language: null, country: 'DE', region: null, city: awkward, distinctId: null,
    };
    batch.events.push(event);
    if (i % 4 === 0) {
      batch.sessions.push({ sessionId, websiteId: site.id, createdAt, browser: 'chrome', os: 'Linux', device: 'desktop', screen: null, language: null, country: 'DE', region: null, city: awkward, distinctId: null });
      batch.eventData.push({ websiteId: site.id, sessionId, eventId: event.eventId, eventName: null, urlPath: event.urlPath, createdAt, dataKey: awkward || 'n', stringValue: i % 8 ? null : awkward, numberValue: i + 0.25, dateValue: i % 8 ? null : createdAt, dataType: 2 });
      batch.sessionData.push({ websiteId: site.id, sessionId, createdAt, dataKey: 'k', stringValue: awkward, numberValue: null, dateValue: null, dataType: 1, distinctId: null });
    }
  }
  await store.analytics.write(batch);
  return site.id;
}

for (const bulk of [false, true]) {
  test(`a partial day is copied again (${bulk ? 'CSV' : 'rows, a day bigger than a chunk in slices and batches'})`, async () => {
    const source = await openDuckDbStore({ dataDir: ':memory:', rollups: trafficRollups });
    const target = await openDuckDbStore({ dataDir: ':memory:', rollups: trafficRollups });
    try {
      const siteId = await fill(source);
      const first = await transferStore(source, target, undefined, { chunkRows: 7, bulk });
      assert.deepEqual([first.chunksCopied, first.chunksSkipped, first.chunksBulkLoaded], [2, 0, bulk ? 2 : 0]);
      assert.deepEqual(first.bulkFallbacks, []);
      assert.deepEqual(first.analytics.website_event, { source: 45, target: 45 });
      assert.deepEqual(first.analytics.session, { source: 12, target: 12 });
      assert.deepEqual(first.analytics.event_data, { source: 12, target: 12 });
      assert.deepEqual(await everything(target), await everything(source));

      const again = await transferStore(source, target, undefined, { chunkRows: 7, bulk });
      assert.deepEqual([again.chunksCopied, again.chunksSkipped], [0, 2]);

      // As if a run had stopped after the first slices of the big day.
      await target.analytics.deleteWebsiteData(siteId, { from: new Date(Date.UTC(2026, 1, 1, 12)), to: new Date(Date.UTC(2026, 1, 2)) });
      const resumed = await transferStore(source, target, undefined, { chunkRows: 7, bulk });
      assert.deepEqual([resumed.chunksCopied, resumed.chunksSkipped], [1, 1]);
      assert.deepEqual(await everything(target), await everything(source));
    } finally {
      await source.close();
      await target.close();
    }
  });
}

test('embedded store to PostgreSQL and back as CSV: every row and column the same', async () => {
  const pgStore = stores.find((s) => s.name === 'postgres');
  if (!pgStore) return; // DASHI_REQUIRE_STORES fails the run when PostgreSQL is required and missing
  const source = await openDuckDbStore({ dataDir: ':memory:', rollups: trafficRollups });
  const pg = await openPostgresStore((await pgStore.env()).DATABASE_URL);
  const back = await openDuckDbStore({ dataDir: ':memory:', rollups: trafficRollups });
  try {
    await fill(source);
    const there = await transferStore(source, pg);
    assert.deepEqual([there.chunksCopied, there.chunksBulkLoaded, there.bulkFallbacks], [2, 2, []]);
    assert.deepEqual(await everything(pg), await everything(source));
    const home = await transferStore(pg, back);
    assert.deepEqual([home.chunksCopied, home.chunksBulkLoaded, home.bulkFallbacks], [2, 2, []]);
    assert.deepEqual(await everything(back), await everything(source));
    await source.analytics.rollups?.refresh();
    assert.deepEqual(await rollups(back), await rollups(source));
  } finally {
    await source.close();
    await pg.close();
    await back.close();
  }
});

const ROLLUPS = ['visit_rollup', 'session_slot', 'slot_count', 'visit_span', 'page_visit'];
async function rollups(store: Store): Promise<string[][]> {
  const out: string[][] = [];
  for (const table of ROLLUPS) out.push((await store.analytics.query(`SELECT * FROM ${table}`)).map((r) => JSON.stringify(r, (_, x) => (typeof x === 'bigint' ? String(x) : x))).sort());
  return out;
}

