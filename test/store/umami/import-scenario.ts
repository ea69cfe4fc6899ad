// The import test every Umami schema runs (v2-postgresql.test.ts, v2-mysql.test.ts,
// v3-postgresql.test.ts): into each Dashi store, an import stopped after a few chunks, a chunk
// left half-copied, a resumed run, a run that finds nothing to do; then a server on the imported
// store answers the v2 endpoints with the numbers worked out in test/helpers/umami.ts, and
// Umami's users log in with their Umami passwords. Then an import into a store that holds hits of
// its own, on a day Umami has rows for and on one it has none for: they stay, and a second run adds nothing.
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config.js';
import { openStore } from '../../../src/store/index.js';
import { trafficRollups } from '../../../src/query/rollups/embedded-rollups.js';
import { describeImport, runUmamiImport } from '../../../src/api/import-umami.js';
import type { EventRow, SessionRow, WriteBatch } from '../../../src/store/types.js';
import { startDashi, stopAll } from '../../helpers/server.js';
import { testStores } from '../../helpers/stores.js';
import { ALICE, createUmamiDb, IDS, UMAMI_ADMIN, type UmamiFixture } from '../../helpers/umami.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export async function importScenario(fixture: UmamiFixture): Promise<void> {
  const stores = await testStores();
  const umami = await createUmamiDb(fixture);
  const dirs: string[] = [];
  after(async () => {
    await stopAll();
    for (const s of stores) await s.cleanup();
    await umami.drop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  const D = umami.day.getTime();

  for (const store of stores) {
    test(`Umami ${fixture} into ${store.name}`, async () => {
      const env = await store.env();
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-umami-'));
      dirs.push(dataDir);
      const target = await openStore(loadConfig({ ...process.env, DATABASE_URL: '', CLICKHOUSE_URL: '', DATA_DIR: dataDir, ...env }), trafficRollups);
      try {
        // The website-days with rows: w1's D-40, D, D+1, then w2's D; w1's three go in one chunk.
        // Stopped before w2's.
        const abort = new AbortController();
        await assert.rejects(
          runUmamiImport(target, { from: umami.url, signal: abort.signal }, () => abort.abort()),
          /stopped after 3 of 4 website-days/,
        );
        // And as if a copy had died half-way through w1's day D: s2's visit (11:00) is gone.
        await target.analytics.deleteWebsiteData(IDS.w1, { from: new Date(D + 10.5 * HOUR), to: new Date(D + 11.5 * HOUR) });

        const resumed = await runUmamiImport(target, { from: umami.url });
        assert.equal(resumed.ok, true, JSON.stringify(resumed));
        assert.equal(resumed.report.version, fixture.startsWith('v3') ? 'v3' : 'v2');
        // D (partial) alone, between two complete days, and w2's D.
        assert.deepEqual([resumed.report.chunksCopied, resumed.report.chunksSkipped], [2, 2]);
        // The stores with a bulk load (embedded, PostgreSQL) took every day through it.
        assert.equal(resumed.report.chunksBulkLoaded, target.analytics.bulk ? 2 : 0);
        assert.deepEqual(resumed.report.bulkFallbacks, []);
        assert.deepEqual(resumed.report.counts, {
          website_event: { umami: 11, dashi: 11 },
          event_data: { umami: 2, dashi: 2 },
          session: { umami: 5, dashi: 5 },
          session_data: { umami: 1, dashi: 1 },
        });
        const w1 = { pageviews: 7, visitors: 3, visits: 4 };
        const w2 = { pageviews: 2, visitors: 1, visits: 1 };
        assert.deepEqual(
          resumed.websites.map((w) => [w.id, w.umami, w.dashi]),
          [
            [IDS.w1, w1, w1],
            [IDS.w2, w2, w2],
          ],
        );

        const again = await runUmamiImport(target, { from: umami.url });
        assert.equal(again.ok, true);
        assert.deepEqual([again.report.chunksCopied, again.report.chunksSkipped], [0, 4]);
        assert.ok(Object.values(again.report.metadata).every((n) => n === 0), JSON.stringify(again.report.metadata));
      } finally {
        await target.close();
      }

      const dashi = await startDashi({ env, dataDir });
      // Umami's own bcrypt hash of "umami", from its first migration.
      const token = await dashi.login(UMAMI_ADMIN.username, UMAMI_ADMIN.password);
      const range = `startAt=${D}&endAt=${D + 2 * DAY - 1}`;
      const get = async (p: string) => {
        const res = await dashi.get(p, { token });
        assert.equal(res.status, 200, `${p}: ${JSON.stringify(res.body)}`);
        return res.body;
      };
      const site = `/api/websites/${IDS.w1}`;
      const stats = await get(`${site}/stats?${range}`);
      assert.deepEqual(
        Object.fromEntries(['pageviews', 'visitors', 'visits', 'bounces', 'totaltime'].map((k) => [k, stats[k].value])),
        { pageviews: 7, visitors: 3, visits: 4, bounces: 2, totaltime: 720 },
      );
      const series = await get(`${site}/pageviews?${range}&unit=day&timezone=UTC`);
      assert.deepEqual(series.pageviews.map((p: { y: number }) => p.y), [4, 3]);
      assert.deepEqual(series.sessions.map((p: { y: number }) => p.y), [2, 1]);
      const metric = async (type: string) => Object.fromEntries((await get(`${site}/metrics?${range}&type=${type}`)).map((r: { x: string; y: number }) => [r.x, r.y]));
      assert.deepEqual(await metric('browser'), { chrome: 1, firefox: 1, ios: 1 });
      assert.deepEqual(await metric('country'), { US: 2, DE: 1 });
      assert.deepEqual(await metric('event'), { signup: 1 });
      // Page-level types count page views (design.md), session types distinct sessions.
      assert.deepEqual(await metric('hostname'), { 'w1.example': 7 });
      assert.equal((await get(`${site}/sessions?${range}`)).count, 3);
      assert.equal((await get(`${site}/events?${range}`)).count, 8);
      assert.deepEqual(await get(`${site}/event-data/values?${range}&event=signup&propertyName=plan`), [{ value: 'pro', total: 1 }]);
      const company = await get(`${site}/session-data/values?${range}&propertyName=company`);
      assert.equal(company.length, 1);
      assert.equal(company[0].value, 'Acme');
      // The outside-the-window session (D-40) is there too.
      assert.equal((await get(`${site}/stats?startAt=${D - 41 * DAY}&endAt=${D - 39 * DAY}`)).pageviews.value, 1);

      // Metadata: share link, report, segment (where the version has them), team, users.
      assert.equal((await dashi.get('/api/share/w1share')).body.websiteId, IDS.w1);
      assert.equal((await get(`/api/reports/${IDS.report}`)).name, 'Pricing funnel');
      if (fixture !== 'v2-postgresql') assert.deepEqual((await get(`${site}/segments`)).data.map((s: { name: string }) => s.name), ['Americans']);
      assert.equal((await dashi.get(`/api/websites/${IDS.w3}`, { token })).status, 404, 'a website deleted in Umami stays out');
      const aliceToken = await dashi.login(ALICE.username, ALICE.password);
      const aliceSites = await dashi.get('/api/me/websites?includeTeams=true', { token: aliceToken });
      assert.deepEqual(aliceSites.body.data.map((w: { id: string }) => w.id), [IDS.w2]);
      assert.equal((await dashi.post('/api/auth/login', { username: 'bob', password: ALICE.password })).status, 401, 'a deleted Umami user stays out');
      await dashi.stop();
    });

    test(`Umami ${fixture} into ${store.name} beside Dashi's own hits`, async () => {
      const env = await store.env();
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-umami-'));
      dirs.push(dataDir);
      const target = await openStore(loadConfig({ ...process.env, DATABASE_URL: '', CLICKHOUSE_URL: '', DATA_DIR: dataDir, ...env }), trafficRollups);
      try {
        // Dashi tracked w1 itself on D at 20:00 (a day Umami has rows on too) and on D+3 (Umami has none).
        const own = ownHits(IDS.w1, [new Date(D + 20 * HOUR), new Date(D + 3 * DAY + 9 * HOUR)]);
        await target.analytics.write(own);
        const first = await runUmamiImport(target, { from: umami.url });
        assert.equal(first.ok, true, JSON.stringify(first));
        // D+3 is Dashi's alone: not part of the import.
        assert.deepEqual([first.report.chunksCopied, first.report.chunksSkipped], [4, 0]);
        const counts = {
          website_event: { umami: 11, dashi: 13 },
          event_data: { umami: 2, dashi: 2 },
          session: { umami: 5, dashi: 6 },
          session_data: { umami: 1, dashi: 1 },
        };
        assert.deepEqual(first.report.counts, counts);
        assert.deepEqual(first.websites.find((w) => w.id === IDS.w1)?.dashi, { pageviews: 9, visitors: 4, visits: 6 });
        const ownIds = own.events.map((e) => e.eventId);
        const kept = await target.analytics.query(`SELECT count(*) AS n FROM website_event WHERE event_id IN (${ownIds.map((id) => `'${id}'`).join(', ')})`);
        assert.equal(Number(kept[0].n), 2, "Dashi's own hits stay");

        // D holds more rows than Umami's: copied again, and nothing is added twice.
        const again = await runUmamiImport(target, { from: umami.url });
        assert.equal(again.ok, true);
        assert.deepEqual([again.report.chunksCopied, again.report.chunksSkipped], [1, 3]);
        assert.deepEqual(again.report.counts, counts);
        assert.match(describeImport(again).join('\n'), /website_event: umami 11, dashi 13 {2}\(\+2: Dashi's own\)/);
      } finally {
        await target.close();
      }
    });
  }
}

/** One pageview per instant, each its own visit of one session, with the session's row. */
function ownHits(websiteId: string, at: Date[]): WriteBatch {
  const sessionId = randomUUID();
  const events: EventRow[] = at.map((createdAt) => ({
    eventId: randomUUID(), websiteId, sessionId, visitId: randomUUID(), createdAt, eventType: 1, eventName: null, eventCategory: null,
    urlPath: '/own', urlQuery: null, pageTitle: null, hostname: 'w1.example', referrerDomain: null, referrerPath: null, referrerQuery: null,
    utmSource: null, utmMedium: null, utmCampaign: null, utmContent: null, utmTerm: null, gclid: null, fbclid: null, msclkid: null, ttclid: null,
    liFatId: null, twclid: null, tag: null, browser: 'chrome', os: 'Linux', device: 'desktop', screen: null, language: null, country: 'NL',
    region: null, city: null, distinctId: null,
  }));
  const sessions: SessionRow[] = [{ sessionId, websiteId, browser: 'chrome', os: 'Linux', device: 'desktop', screen: null, language: null, country: 'NL', region: null, city: null, distinctId: null, createdAt: at[0] }];
  return { events, eventData: [], sessions, sessionData: [] };
}
