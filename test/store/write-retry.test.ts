// A batch the store fails after its first table's insert. The writer halves the batch to find
// the hit the store refuses: that hit alone fails (a RowRejectedError, which the API answers with
// 400, not 503), every other hit is stored exactly once, and when the failure passes, the retried
// halves never write a row twice, on every store. ClickHouse has no transaction across tables:
// its website_event insert commits before event_data fails, so without care a retry doubles the
// page views of unrelated hits.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/store/index.js';
import { openDuckDbStore } from '../../src/store/duckdb/index.js';
import { RowRejectedError } from '../../src/store/store-errors.js';
import type { EventDataRow, EventRow, Store, WriteBatch } from '../../src/store/types.js';
import { Writer } from '../../src/ingest/writer.js';
import { startDashi, stopAll } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';
import { trafficRollups } from '../../src/query/rollups/embedded-rollups.js';

const stores = await testStores();
after(async () => {
  await stopAll();
  for (const s of stores) await s.cleanup();
});

function hit(website: string, i: number, dataKey: string): WriteBatch {
  const event: EventRow = {
    eventId: randomUUID(), websiteId: website, sessionId: randomUUID(), visitId: randomUUID(), createdAt: new Date('2026-03-01T10:00:00Z'),
    eventType: 2, eventName: 'ev', eventCategory: null, urlPath: `/p${i}`, urlQuery: null, pageTitle: null, hostname: 'x.example',
    referrerDomain: null, referrerPath: null, referrerQuery: null, utmSource: null, utmMedium: null, utmCampaign: null, utmContent: null,
    utmTerm: null, gclid: null, fbclid: null, msclkid: null, ttclid: null, liFatId: null, twclid: null, tag: null, browser: 'chrome',
    os: 'Linux', device: 'desktop', screen: null, language: null, country: null, region: null, city: null, distinctId: null,
  };
  const data: EventDataRow = {
    websiteId: website, sessionId: event.sessionId, eventId: event.eventId, eventName: 'ev', urlPath: event.urlPath, createdAt: event.createdAt,
    dataKey, stringValue: 'v', numberValue: null, dateValue: null, dataType: 1,
  };
  return { events: [event], eventData: [data], sessions: [], sessionData: [] };
}

/** How the store is made to fail event_data rows with data_key 'boom' (and how that stops). */
const fault = {
  postgres: {
    key: 'boom',
    add: (s: Store) => s.analytics.query(`ALTER TABLE event_data ADD CONSTRAINT boom CHECK (data_key <> 'boom')`),
    drop: (s: Store) => s.analytics.query('ALTER TABLE event_data DROP CONSTRAINT boom'),
  },
  clickhouse: {
    key: 'boom',
    add: (s: Store) => s.analytics.query(`ALTER TABLE event_data ADD CONSTRAINT boom CHECK data_key != 'boom'`),
    drop: (s: Store) => s.analytics.query('ALTER TABLE event_data DROP CONSTRAINT boom'),
  },
  // DuckDB has no ALTER TABLE ADD CONSTRAINT: a row its JSON reader refuses (ingestion never sends
  // one) fails the in-memory store's one transaction after website_event's insert. The journaled
  // store's loader is tested in dead-letter.test.ts.
  duckdb: { key: 'k\ud800', add: async () => [], drop: null },
};

async function counts(store: Store, website: string) {
  const q = (sql: string) => store.analytics.query(sql.replace('$W', `'${website}'`));
  const events = await q(`SELECT url_path, count(*) AS n FROM website_event WHERE website_id = $W GROUP BY url_path ORDER BY url_path`);
  const [data] = await q(`SELECT count(*) AS n FROM event_data WHERE website_id = $W`);
  return { paths: events.map((r) => String(r.url_path)), doubled: events.filter((r) => Number(r.n) > 1).length, data: Number(data.n) };
}

for (const s of stores) {
  describe(`writer retries on ${s.name}`, () => {
    // DuckDB in memory: no journal, each batch written to DuckDB in one transaction.
    const open = async () =>
      s.name === 'duckdb' ? openDuckDbStore({ dataDir: ':memory:', rollups: trafficRollups }) : openStore(loadConfig({ ...(await s.env()), DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-retry-')) }), trafficRollups);
    const f = fault[s.name];
    const paths = ['/p0', '/p1', '/p2', '/p3', '/p4', '/p5'];

    test('a refused hit fails alone; the others are stored once', async () => {
      const store = await open();
      try {
        await f.add(store);
        const website = randomUUID();
        const writer = new Writer((b) => store.analytics.write(b), { flushMs: 20 });
        const results = await Promise.allSettled(paths.map((_, i) => writer.enqueue(hit(website, i, i === 3 ? f.key : 'k'))));
        assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
        assert.ok((results[3] as PromiseRejectedResult).reason instanceof RowRejectedError);
        assert.equal(writer.rejected, 1);
        const c = await counts(store, website);
        assert.equal(c.doubled, 0, 'no page view stored twice');
        // On ClickHouse too the refused hit's website_event row (inserted before event_data failed) is taken back.
        assert.deepEqual(c.paths, ['/p0', '/p1', '/p2', '/p4', '/p5']);
        assert.equal(c.data, 5);
      } finally {
        await store.close();
      }
    });

    if (f.drop) {
      const drop = f.drop;
      test('a failure after the first table that then passes: every hit stored exactly once', async () => {
        const store = await open();
        try {
          await f.add(store);
          const website = randomUUID();
          let failures = 0;
          const writer = new Writer(
            async (b) => {
              try {
                await store.analytics.write(b);
              } catch (err) {
                if (failures++ === 0) await drop(store); // the fault passes after the first attempt
                throw err;
              }
            },
            { flushMs: 20 },
          );
          const results = await Promise.allSettled(paths.map((_, i) => writer.enqueue(hit(website, i, i === 3 ? f.key : 'k'))));
          assert.deepEqual(results.map((r) => r.status), paths.map(() => 'fulfilled'));
          assert.equal(failures, 1);
          const c = await counts(store, website);
          assert.deepEqual(c.paths, paths);
          assert.equal(c.doubled, 0, 'no page view stored twice');
          assert.equal(c.data, 6);
        } finally {
          await store.close();
        }
      });
    }

    if (s.name === 'postgres') {
      test('over HTTP, a hit the store refuses answers 400, not 503, and the next hit is stored', async () => {
        const env = await s.env();
        const dashi = await startDashi({ env });
        const token = await dashi.login();
        const website = (await dashi.post('/api/websites', { name: 'R', domain: 'example.com' }, { token })).body.id;
        const store = await openStore(loadConfig({ ...env, DATA_DIR: dashi.dataDir }), trafficRollups);
        try {
          await fault.postgres.add(store);
        } finally {
          await store.close();
        }
        const ua = { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36' } };
        const refused = await dashi.post('/api/send', { type: 'event', payload: { website, url: '/x', name: 'e', data: { boom: 1 } } }, ua);
        assert.equal(refused.status, 400, JSON.stringify(refused.body));
        assert.match(refused.body.error.message, /^payload: /);
        const ok = await dashi.post('/api/send', { type: 'event', payload: { website, url: '/y' } }, ua);
        assert.equal(ok.status, 200);
        const stats = await dashi.get(`/api/websites/${website}/stats?startAt=0&endAt=${Date.now() + 60_000}`, { token });
        assert.equal(stats.body.pageviews.value, 1);
      });
    }
  });
}
