// Limits on expensive reads, over HTTP on every store: a query past QUERY_TIMEOUT_MS answers 503
// `query-timeout`; reports and share-link reads beyond REPORT_CONCURRENCY (plus a full queue of
// REPORT_QUEUE_SIZE) answer 429 with Retry-After; and on PostgreSQL the ingest writer has its own
// connections, so hits are acknowledged while long reads hold every read connection.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/store/index.js';
import type { EventRow, SessionRow, WriteBatch } from '../../src/store/types.js';
import { assertError } from '../helpers/api.js';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';
import { trafficRollups } from '../../src/query/rollups/embedded-rollups.js';

const STORES = await testStores();
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const START = Date.UTC(2025, 0, 1);
const DAYS = 10;
const RANGE = { startDate: new Date(START).toISOString(), endDate: new Date(START + DAYS * 86_400_000 - 1).toISOString() };
const PATHS = Array.from({ length: 30 }, (_, i) => `/page/${i}`);

/** `n` page views and events of one website spread over the range, 10 per visit. */
function bulk(websiteId: string, n: number): WriteBatch {
  const events: EventRow[] = [];
  const sessions: SessionRow[] = [];
  const base = { eventName: null, eventCategory: null, urlQuery: null, pageTitle: 'T', hostname: 'example.com', referrerDomain: null, referrerPath: null, referrerQuery: null, utmSource: null, utmMedium: null, utmCampaign: null, utmContent: null, utmTerm: null, gclid: null, fbclid: null, msclkid: null, ttclid: null, liFatId: null, twclid: null, tag: null, browser: 'chrome', os: 'Linux', device: 'desktop', screen: '1920x1080', language: 'en', country: 'DE', region: null, city: null, distinctId: null };
  let sessionId = '';
  let visitId = '';
  for (let i = 0; i < n; i++) {
    if (i % 10 === 0) {
      visitId = randomUUID();
      if (i % 30 === 0) {
        sessionId = randomUUID();
        sessions.push({ sessionId, websiteId, createdAt: new Date(START + i * 5000), browser: 'chrome', os: 'Linux', device: 'desktop', screen: '1920x1080', language: 'en', country: 'DE', region: null, city: null, distinctId: null });
      }
    }
    const custom = i % 7 === 3;
    events.push({ ...base, eventId: randomUUID(), websiteId, sessionId, visitId, createdAt: new Date(START + ((i * 7919) % (DAYS * 86_400)) * 1000), eventType: custom ? 2 : 1, eventName: custom ? `e${i % 5}` : null, urlPath: PATHS[(i * 31) % PATHS.length] });
  }
  return { events, eventData: [], sessions, sessionData: [] };
}

after(async () => {
  await stopAll();
  for (const s of STORES) await s.cleanup();
});

for (const store of STORES) {
  describe(`query budget and report concurrency (${store.name})`, () => {
    let storeEnv: Record<string, string>;
    let d: Dashi;
    let token: string;
    let websiteId: string;
    let shareToken: string;
    const journey = () => ({ websiteId, dateRange: RANGE, timezone: 'UTC', steps: 5 });

    /** Restart the server on the same data with other settings. */
    async function restart(env: Record<string, string>): Promise<void> {
      await d.stop();
      d = await startDashi({ env: { ...storeEnv, ...env }, dataDir: d.dataDir });
      token = await d.login();
      shareToken = (await d.get(`/api/share/budget-${store.name}`)).body.token;
    }

    before(async () => {
      storeEnv = await store.env();
      d = await startDashi({ env: storeEnv });
      token = await d.login();
      websiteId = (await d.post('/api/websites', { name: 'Budget', domain: 'example.com' }, { token })).body.id;
      assert.equal((await d.post(`/api/websites/${websiteId}`, { shareId: `budget-${store.name}` }, { token })).status, 200);
      await d.stop();
      const direct = await openStore(loadConfig({ ...process.env, ...storeEnv, DATA_DIR: d.dataDir }), trafficRollups);
      await direct.analytics.write(bulk(websiteId, 60_000));
      await direct.close();
      await d.start();
    });

    test('a report past QUERY_TIMEOUT_MS answers 503 query-timeout, and the server goes on', async () => {
      await restart({ QUERY_TIMEOUT_MS: '1' });
      const res = await d.post('/api/reports/journey', journey(), { token });
      assertError(res, 503, /took too long/);
      assert.equal(res.body.error.code, 'query-timeout');
      assert.equal(res.headers.get('retry-after'), '5');
      assert.equal((await d.get('/api/heartbeat')).status, 200);
      assert.doesNotMatch(d.output, /request failed/);
    });

    test('reports and share-link reads beyond REPORT_CONCURRENCY answer 429 with Retry-After', async () => {
      await restart({ QUERY_TIMEOUT_MS: '60000', REPORT_CONCURRENCY: '1', REPORT_QUEUE_SIZE: '0' });
      const reports = await Promise.all(Array.from({ length: 8 }, () => d.post('/api/reports/journey', journey(), { token })));
      const statuses = reports.map((r) => r.status);
      assert.ok(statuses.includes(200), `statuses ${statuses}`);
      assert.ok(statuses.includes(429), `statuses ${statuses}`);
      assert.deepEqual([...new Set(statuses)].sort(), [200, 429]);
      const limited = reports.find((r) => r.status === 429)!;
      assertError(limited, 429, /retry shortly/);
      assert.equal(limited.body.error.code, 'too-many-requests');
      assert.equal(limited.headers.get('retry-after'), '2');

      const url = `/api/websites/${websiteId}/metrics?startAt=${START}&endAt=${START + DAYS * 86_400_000 - 1}&type=url&path=c.page`;
      const shared = await Promise.all(Array.from({ length: 8 }, () => d.get(url, { headers: { 'x-umami-share-token': shareToken } })));
      assert.ok(shared.some((r) => r.status === 429), `statuses ${shared.map((r) => r.status)}`);
      assert.ok(shared.some((r) => r.status === 200), `statuses ${shared.map((r) => r.status)}`);
      // A logged-in user's dashboard reads are not limited.
      const own = await Promise.all(Array.from({ length: 8 }, () => d.get(url, { token })));
      assert.deepEqual(own.map((r) => r.status), Array(8).fill(200));
    });

    test('with a queue, the excess waits for a place instead', async () => {
      await restart({ QUERY_TIMEOUT_MS: '60000', REPORT_CONCURRENCY: '1', REPORT_QUEUE_SIZE: '16' });
      const reports = await Promise.all(Array.from({ length: 6 }, () => d.post('/api/reports/journey', journey(), { token })));
      assert.deepEqual(reports.map((r) => r.status), Array(6).fill(200));
      assert.equal(new Set(reports.map((r) => JSON.stringify(r.body))).size, 1);
    });

    if (store.name === 'postgres') {
      test('ingestion is acknowledged while long reads hold every read connection', async () => {
        await restart({ QUERY_TIMEOUT_MS: '120000', REPORT_CONCURRENCY: '40', REPORT_QUEUE_SIZE: '0' });
        // One hit first, so the ones timed below need no website or salt lookup of their own.
        const warm = await d.post('/api/send', { type: 'event', payload: { website: websiteId, hostname: 'example.com', url: '/warm' } }, { headers: { 'user-agent': CHROME, 'x-forwarded-for': '81.2.69.9' } });
        assert.equal(warm.status, 200);
        // Long reads: more than the read pool's 8 connections (journeys of 7 steps).
        let readsDone = 0;
        const reads = Array.from({ length: 14 }, () =>
          d.post('/api/reports/journey', { ...journey(), steps: 7 }, { token }).then((r) => {
            readsDone++;
            return r;
          }),
        );
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(readsDone, 0, 'the reads should still be running');
        const hits = await Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            d.post('/api/send', { type: 'event', payload: { website: websiteId, hostname: 'example.com', url: `/during/${i}` } }, { headers: { 'user-agent': CHROME, 'x-forwarded-for': `81.2.69.${10 + i}` } }),
          ),
        );
        const doneWhenAcked = readsDone;
        assert.deepEqual(hits.map((h) => h.status), Array(5).fill(200));
        assert.equal(doneWhenAcked, 0, 'hits were acknowledged only after long reads finished');
        const results = await Promise.all(reads);
        assert.ok(results.every((r) => r.status === 200), `read statuses ${results.map((r) => r.status)}`);
      });
    }
  });
}
