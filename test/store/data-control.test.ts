// AnalyticsStore.deleteOlderThan and deleteRows (through src/query/purge.ts) on every store, with
// rows written straight through the store: exactly the rows before the cutoff (or matching the
// filter, or of the session) go, in every table, other websites keep theirs, and on the embedded
// store the rollups' answers equal the raw rows' answers afterwards.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/store/index.js';
import type { EventRow, Store, WriteBatch } from '../../src/store/types.js';
import type { DuckDbAnalytics } from '../../src/store/duckdb/analytics.js';
import { QueryEngine } from '../../src/query/engine.js';
import { forgetSession, purge } from '../../src/query/purge.js';
import { plan } from '../../src/query/plan.js';
import { raw, sql } from '../../src/query/sql.js';
import type { MetricName, Query } from '../../src/query/types.js';
import { testStores } from '../helpers/stores.js';
import { trafficRollups } from '../../src/query/rollups/embedded-rollups.js';

const stores = await testStores();

const W = '0d0d0000-0000-4000-8000-00000000a11d';
const OTHER = '0d0d0000-0000-4000-8000-00000000b22e';
const X = '0d0d0000-0000-4000-8000-00000000c33f';
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const id = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;

let eventNo = 0;
function event(websiteId: string, session: number, at: number, extra: Partial<EventRow> = {}): EventRow {
  return {
    eventId: id('e0000000', eventNo++), websiteId, sessionId: id('5e000000', session), visitId: id('71000000', session * 100 + Math.floor(at / DAY)),
    createdAt: new Date(at), eventType: 1, eventName: null, eventCategory: null, urlPath: '/', urlQuery: null, pageTitle: null, hostname: 'x.com',
    referrerDomain: null, referrerPath: null, referrerQuery: null, utmSource: null, utmMedium: null, utmCampaign: null, utmContent: null, utmTerm: null,
    gclid: null, fbclid: null, msclkid: null, ttclid: null, liFatId: null, twclid: null, tag: null, browser: 'chrome', os: 'Linux', device: 'desktop',
    screen: null, language: null, country: 'DE', region: null, city: null, distinctId: null, ...extra,
  };
}

/** Ten days of traffic for W (sessions 1-10, one a day, two page views and a custom event with data) and one day for OTHER. */
function world(): WriteBatch {
  const b: WriteBatch = { events: [], eventData: [], sessions: [], sessionData: [] };
  for (let day = 0; day < 10; day++) {
    const s = day + 1;
    const at = T0 + day * DAY + 3_600_000;
    const ref = day % 2 ? 'spam.com' : 'google.com';
    b.events.push(event(W, s, at, { referrerDomain: ref }), event(W, s, at + 60_000, { urlPath: '/b' }));
    const custom = event(W, s, at + 120_000, { eventType: 2, eventName: 'signup' });
    b.events.push(custom);
    const data = { websiteId: W, sessionId: custom.sessionId, createdAt: custom.createdAt, stringValue: 'pro', numberValue: null, dateValue: null, dataType: 1 };
    b.eventData.push({ ...data, eventId: custom.eventId, eventName: 'signup', urlPath: '/', dataKey: 'plan' });
    b.sessions.push({ sessionId: custom.sessionId, websiteId: W, createdAt: new Date(at), browser: 'chrome', os: 'Linux', device: 'desktop', screen: null, language: null, country: 'DE', region: null, city: null, distinctId: null });
    b.sessionData.push({ ...data, dataKey: 'name', distinctId: null });
  }
  b.events.push(event(OTHER, 99, T0 + 3_600_000));
  // X: visits that straddle the cutoff used below (T0 + 4 days), and pointers into the deleted past.
  const M = 60_000;
  const C = T0 + 4 * DAY;
  const v = (n: number) => ({ visitId: id('71000000', n) });
  b.events.push(
    event(X, 50, T0 + 2 * DAY + 3_600_000, v(5002)), event(X, 50, T0 + 2 * DAY + 3_600_000 + M, { ...v(5002), urlPath: '/b' }),
    event(X, 50, C - 10 * M, { ...v(5003), urlPath: '/a', referrerDomain: 'google.com' }), event(X, 50, C - 5 * M, { ...v(5003), urlPath: '/c' }),
    event(X, 50, C - M, { ...v(5003), eventType: 2, eventName: 'signup' }),
    event(X, 50, C + 10 * M, { ...v(5003), urlPath: '/a' }), event(X, 50, C + 20 * M, { ...v(5003), urlPath: '/d' }),
    event(X, 51, T0 + 3 * DAY + 7_200_000, { ...v(5103), urlPath: '/a' }),
    event(X, 51, T0 + 5 * DAY + 7_200_000, { ...v(5105), urlPath: '/a' }), event(X, 51, T0 + 5 * DAY + 7_200_000 + M, { ...v(5105), urlPath: '/b' }),
    event(X, 52, T0 + 6 * DAY, { urlPath: '/x' }),
  );
  // X, session 53: three visits (days 6-8), the first and last from google.com: pointers between visits of one channel.
  for (const day of [6, 7, 8]) {
    const at = T0 + day * DAY + 3 * 3_600_000;
    b.events.push(event(X, 53, at, { ...v(5300 + day), referrerDomain: day === 7 ? null : 'google.com' }), event(X, 53, at + M, { ...v(5300 + day), urlPath: '/b' }));
  }
  b.sessions.push({ sessionId: id('5e000000', 99), websiteId: OTHER, createdAt: new Date(T0), browser: null, os: null, device: null, screen: null, language: null, country: null, region: null, city: null, distinctId: null });
  return b;
}

const TOTALS: MetricName[] = ['pageviews', 'visitors', 'visits', 'bounces', 'totaltime'];
const totals = (websiteId: string): Query => ({
  websiteId, websiteDomain: 'x.com', rows: 'traffic', filter: null, limit: null, offset: 0, compare: null, now: new Date(),
  range: { start: new Date(T0 - DAY), end: new Date(T0 + 20 * DAY - 1) }, timeZone: 'UTC', metrics: TOTALS, dimensions: [], orderBy: [],
});

for (const name of stores.map((s) => s.name)) {
  describe(`retention and purge in the store (${name})`, () => {
    const ts = stores.find((s) => s.name === name)!;
    let store: Store;
    let dir: string;
    let engine: QueryEngine;
    let rawEngine: QueryEngine;

    const counts = async (websiteId: string) => {
      const d = engine.dialect;
      const out: Record<string, number> = {};
      for (const t of ['website_event', 'event_data', 'session', 'session_data']) {
        const [row] = await engine.rows(sql`SELECT count(*) AS n FROM ${raw(t)} WHERE website_id = ${d.uuid(websiteId)}`);
        out[t] = Number(row.n);
      }
      return out;
    };
    /** Totals from the raw rows, checked equal to the rollups' where the store keeps them. */
    const stats = async (websiteId: string) => {
      const q = totals(websiteId);
      const [want] = (await rawEngine.run(q)).rows;
      if (store.analytics.rollups) {
        assert.ok(plan(q, store.analytics.rollups).source === 'rollups');
        assert.deepEqual((await engine.run(q)).rows[0].values, want.values);
      }
      return want.values;
    };

    /** The embedded store's rollup rows of a website. */
    const rollupRows = async (websiteId: string) => {
      const out: Record<string, unknown[]> = {};
      for (const t of ['visit_rollup', 'visit_span', 'session_slot', 'slot_count', 'page_visit']) {
        out[t] = await store.analytics.query(`SELECT * EXCLUDE (website_id) FROM ${t} WHERE website_id = '${websiteId}' ORDER BY ALL`);
      }
      return out;
    };
    /** On the embedded store: the rollups were patched (not rebuilt), into exactly what a rebuild makes. */
    const assertPatched = async (websiteId: string) => {
      if (store.kind !== 'duckdb') return;
      const duck = store.analytics as DuckDbAnalytics;
      assert.equal(duck.rollupRebuilds, 0, 'patched, not rebuilt');
      const patched = await rollupRows(websiteId);
      await duck.rebuildRollups(websiteId);
      assert.deepEqual(patched, await rollupRows(websiteId));
    };

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-datactl-'));
      store = await openStore(loadConfig({ DATA_DIR: dir, ...(await ts.env()) }), trafficRollups);
      engine = new QueryEngine(store.analytics);
      rawEngine = new QueryEngine(store.analytics, { rollups: false });
      await store.analytics.write(world());
    });
    after(async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
      await ts.cleanup();
    });

    test('deleteOlderThan removes rows before the cutoff from every table, oldest days first, and nothing else', async () => {
      assert.deepEqual(await counts(W), { website_event: 30, event_data: 10, session: 10, session_data: 10 });
      assert.deepEqual(await stats(W), { pageviews: 20, visitors: 10, visits: 10, bounces: 0, totaltime: 600 });
      // Days 0-3 are before the cutoff.
      const done = await store.analytics.deleteOlderThan(W, new Date(T0 + 4 * DAY));
      assert.deepEqual(done, { events: 12, sessions: 4 });
      assert.deepEqual(await counts(W), { website_event: 18, event_data: 6, session: 6, session_data: 6 });
      assert.deepEqual(await stats(W), { pageviews: 12, visitors: 6, visits: 6, bounces: 0, totaltime: 360 });
      assert.deepEqual(await counts(OTHER), { website_event: 1, event_data: 0, session: 1, session_data: 0 });
      assert.deepEqual(await store.analytics.deleteOlderThan(W, new Date(T0 + 4 * DAY)), { events: 0, sessions: 0 });
    });

    test('retention cuts the rollups at the cutoff exactly as a rebuild would, visits straddling it included', async () => {
      const snapshot = () => rollupRows(X);
      const duck = store.analytics as DuckDbAnalytics;
      if (store.kind === 'duckdb') {
        await duck.rollups.refresh();
        const before = await snapshot();
        await duck.rebuildRollups(X);
        assert.deepEqual(await snapshot(), before, 'a rebuild of freshly loaded rows changes nothing');
      }
      assert.deepEqual(await stats(X), { pageviews: 16, visitors: 4, visits: 8, bounces: 2, totaltime: 60 + 1800 + 60 + 180 });
      assert.deepEqual(await store.analytics.deleteOlderThan(X, new Date(T0 + 4 * DAY)), { events: 6, sessions: 0 });
      assert.deepEqual(await stats(X), { pageviews: 11, visitors: 4, visits: 6, bounces: 1, totaltime: 600 + 60 + 180 });
      if (store.kind === 'duckdb') {
        assert.equal(duck.rollupRebuilds, 0, 'the rollups were cut, not rebuilt');
        const cut = await snapshot();
        assert.ok(cut.visit_rollup.length === 6 && cut.page_visit.length > 0);
        await duck.rebuildRollups(X);
        assert.deepEqual(cut, await snapshot());
      }
    });

    test('a purge by filter removes the matching events and their data; sessions with nothing left go too', async () => {
      // Odd days (5, 7, 9 remain) came from spam.com: their landing page views go; the sessions keep their other rows.
      const byReferrer = await purge(engine, store.analytics, { websiteId: W, filter: { kind: 'leaf', dim: 'referrer', op: 'eq', values: ['spam.com'] }, range: { start: new Date(0), end: new Date(T0 + 100 * DAY) } });
      assert.deepEqual(byReferrer, { events: 3, sessions: 3 });
      await assertPatched(W);
      assert.deepEqual(await counts(W), { website_event: 15, event_data: 6, session: 6, session_data: 6 });
      assert.deepEqual(await stats(W), { pageviews: 9, visitors: 6, visits: 6, bounces: 3, totaltime: 180 });
      // Custom events of days 8-9: their data go with them.
      const signups = await purge(engine, store.analytics, { websiteId: W, filter: { kind: 'leaf', dim: 'event', op: 'eq', values: ['signup'] }, range: { start: new Date(T0 + 8 * DAY), end: new Date(T0 + 10 * DAY) } });
      assert.deepEqual(signups, { events: 2, sessions: 2 });
      await assertPatched(W);
      assert.deepEqual(await counts(W), { website_event: 13, event_data: 4, session: 6, session_data: 6 });
      // Everything of day 4's session: the session row and its identify data go as well.
      const day4 = await purge(engine, store.analytics, { websiteId: W, filter: null, range: { start: new Date(T0 + 4 * DAY), end: new Date(T0 + 5 * DAY - 1) } });
      assert.deepEqual(day4, { events: 3, sessions: 1 });
      await assertPatched(W);
      assert.deepEqual(await counts(W), { website_event: 10, event_data: 3, session: 5, session_data: 5 });
      assert.deepEqual(await stats(W), { pageviews: 7, visitors: 5, visits: 5, bounces: 3, totaltime: 120 });
      assert.deepEqual(await counts(OTHER), { website_event: 1, event_data: 0, session: 1, session_data: 0 });
      // Session 53 of X loses the landing rows of its google.com visits: channels and pointers between its visits change.
      const google = await purge(engine, store.analytics, { websiteId: X, filter: { kind: 'leaf', dim: 'referrer', op: 'eq', values: ['google.com'] }, range: { start: new Date(0), end: new Date(T0 + 100 * DAY) } });
      assert.deepEqual(google, { events: 2, sessions: 1 });
      await assertPatched(X);
      assert.deepEqual(await stats(X), { pageviews: 9, visitors: 4, visits: 6, bounces: 3, totaltime: 600 + 60 + 60 });
    });

    test('forgetting a session removes all of its rows and nothing else', async () => {
      const done = await forgetSession(engine, store.analytics, W, id('5e000000', 7));
      assert.deepEqual(done, { rows: 6, events: 3 });
      await assertPatched(W);
      assert.deepEqual(await counts(W), { website_event: 7, event_data: 2, session: 4, session_data: 4 });
      assert.deepEqual(await stats(W), { pageviews: 5, visitors: 4, visits: 4, bounces: 3, totaltime: 60 });
      assert.deepEqual(await forgetSession(engine, store.analytics, OTHER, id('5e000000', 7)), { rows: 0, events: 0 });
      assert.deepEqual(await counts(OTHER), { website_event: 1, event_data: 0, session: 1, session_data: 0 });
    });
  });
}
