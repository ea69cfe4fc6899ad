// Golden tests for every analytics read endpoint, over HTTP against a real server. The fixture
// and its timeline are in test/fixtures/golden.ts; every expected number below is worked out by
// hand from that table (the reasoning is in the comments next to each assertion).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestUser } from '../../helpers/api.js';
import { goldenWorld } from '../../helpers/golden-world.js';
import { stopAll, type Dashi } from '../../helpers/server.js';
import { testStores } from '../../helpers/stores.js';
import { eventId, R, SESSION } from '../../fixtures/golden.js';

// The same answers on every store this machine can run (DuckDB always; PostgreSQL, ClickHouse).
const STORES = await testStores();

let d: Dashi;
let owner: TestUser;
let stranger: TestUser;
let viewer: TestUser;
let shareToken: string;
let ids = { w1: '', w2: '', w3: '' };
let legacyW1 = 0;
let env: Record<string, string> = {};

type Q = Record<string, string | number | undefined>;

function qs(params: Q): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) s.append(k, String(v));
  const text = s.toString();
  return text ? `?${text}` : '';
}

/** GET as the website owner; the range defaults to R. */
async function api(path: string, params: Q = {}, token?: string) {
  const res = await d.get(`/api/websites/${ids.w1}${path}${qs({ startAt: R.startAt, endAt: R.endAt, ...params })}`, { token: token ?? owner.token });
  assert.equal(res.status, 200, `${path} ${JSON.stringify(params)}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function status(url: string, opts: { token?: string; headers?: Record<string, string>; cookie?: string } = {}) {
  return d.get(url, opts);
}

for (const store of STORES) describe(`golden answers (${store.name})`, () => {
  before(async () => {
    env = await store.env();
    ({ d, owner, stranger, viewer, shareToken, ids } = await goldenWorld(env, 'golden', {
      withStore: async (direct, w) => {
        await direct.websites.update(w.ids.w2, { resetAt: new Date('2024-11-03T00:00:00Z') });
        legacyW1 = (await direct.websites.get(w.ids.w1))!.legacyId;
      },
    }));
  });

  after(async () => {
    await stopAll();
    await store.cleanup();
  });


  describe('stats', () => {
    test('totals and previous period', async () => {
      // Views in R: V1a 3 + V1b 2 + V2a 1 + V2b 1 + V3a 3 + V4a 1 + V4b 1 = 12 (custom events and
      // /late after R do not count; /edge at the last millisecond does). Visitors S1..S4 = 4, visits 7.
      // Bounces: one-view visits V2a, V2b (its event is not a view), V4a, V4b = 4.
      // Time: V1a 03:50:00->03:55:10 = 310 s, V1b 05:50->06:10 = 1200 s, V3a 04:30->04:40 = 600 s.
      // Previous period: S2 10-31 "/" (bounce) + S5 "/", "/pricing" (300 s): 3 views, 2 visitors,
      // 2 visits, 1 bounce, 300 s.
      assert.deepEqual(await api('/stats'), {
        pageviews: { value: 12, prev: 3 },
        visitors: { value: 4, prev: 2 },
        visits: { value: 7, prev: 2 },
        bounces: { value: 4, prev: 1 },
        totaltime: { value: 2110, prev: 300 },
      });
    });

    test('filters', async () => {
      const stats = async (f: Q) => {
        const s = await api('/stats', f);
        return [s.pageviews.value, s.visitors.value, s.visits.value, s.bounces.value, s.totaltime.value];
      };
      // /pricing rows: V1a (1 row) and V2b (1 row): two one-row visits.
      assert.deepEqual(await stats({ url: '/pricing' }), [2, 2, 2, 2, 0]);
      assert.deepEqual(await stats({ path: 'eq./pricing' }), [2, 2, 2, 2, 0]);
      // Not chrome: S2 (V2a, V2b) and S3 (V3a, 3 views, 600 s).
      assert.deepEqual(await stats({ browser: 'neq.chrome' }), [5, 2, 3, 2, 600]);
      // US and mobile: S3 only.
      assert.deepEqual(await stats({ country: 'US', device: 'mobile' }), [3, 1, 1, 0, 600]);
      // Contains "doc": the two /docs views of V3a, 04:31 -> 04:40 = 540 s.
      assert.deepEqual(await stats({ path: 'c.DOC' }), [2, 1, 1, 0, 540]);
      // Regex ^/blog: V1b's /blog and /blog/dst.
      assert.deepEqual(await stats({ path: 're.^/blog' }), [2, 1, 1, 0, 1200]);
      // Not matching ^/blog: 12 - 2 views; V1b drops out, so 6 visits; time 310 + 600.
      assert.deepEqual(await stats({ path: 'nre.^/blog' }), [10, 4, 6, 4, 910]);
      // Does not contain "/": nothing.
      assert.deepEqual(await stats({ path: 'dnc./' }), [0, 0, 0, 0, 0]);
      // Comma list: "/" (4 one-row groups in V1a, V2a, V3a, V4a) + "/edge" (V4b).
      assert.deepEqual(await stats({ url: 'eq./,/edge' }), [5, 4, 5, 5, 0]);
      // Event filter: views of visits that fired signup-click (V1a: 3 views, 310 s; V2b: 1 view).
      assert.deepEqual(await stats({ event: 'signup-click' }), [4, 2, 2, 1, 310]);
      // Referrer google.com: V1a's landing row only.
      assert.deepEqual(await stats({ referrer: 'google.com' }), [1, 1, 1, 1, 0]);
      // Entry page /blog: visit V1b.
      assert.deepEqual(await stats({ entry: '/blog' }), [2, 1, 1, 0, 1200]);
      // Host docs.example.com: V3a.
      assert.deepEqual(await stats({ host: 'docs.example.com' }), [3, 1, 1, 0, 600]);
      // Title, query, tag, language, region, city, os, utm fields.
      assert.deepEqual(await stats({ title: 'Pricing' }), [2, 2, 2, 2, 0]);
      assert.deepEqual(await stats({ query: 'c.utm_source' }), [1, 1, 1, 1, 0]);
      assert.deepEqual(await stats({ tag: 'beta' }), [2, 1, 2, 2, 0]);
      assert.deepEqual(await stats({ language: 'en-US' }), [8, 2, 3, 0, 2110]);
      assert.deepEqual(await stats({ region: 'IN-KA' }), [2, 1, 2, 2, 0]);
      assert.deepEqual(await stats({ city: 'Berlin' }), [2, 1, 2, 2, 0]);
      assert.deepEqual(await stats({ os: 'iOS' }), [3, 1, 1, 0, 600]);
      assert.deepEqual(await stats({ utmSource: 'google' }), [1, 1, 1, 1, 0]);
      assert.deepEqual(await stats({ utm_medium: 'cpc' }), [1, 1, 1, 1, 0]);
      assert.deepEqual(await stats({ utmCampaign: 'fall' }), [1, 1, 1, 1, 0]);
      // Two filters on one field are ANDed (nothing is both), or ORed with match=any:
      // /pricing (V1a, V2b: one row each) + /docs (V3a: 2 rows, 540 s).
      assert.deepEqual(await stats({ path: '/pricing', path1: '/docs' }), [0, 0, 0, 0, 0]);
      assert.deepEqual(await stats({ path: '/pricing', path1: '/docs', match: 'any' }), [4, 3, 3, 2, 540]);
    });

    test('range edges and reset', async () => {
      // Only the last millisecond of R: V4b's /edge.
      const edge = await api('/stats', { startAt: R.endAt, endAt: R.endAt });
      assert.equal(edge.pageviews.value, 1);
      // W2 was reset at 2024-11-03T00:00Z: its 11-02 view is hidden, the 11-03 view counts.
      const w2 = await d.get(`/api/websites/${ids.w2}/stats${qs(R)}`, { token: viewer.token });
      assert.equal(w2.status, 200);
      assert.equal(w2.body.pageviews.value, 1);
    });
  });

  describe('pageviews series', () => {
    test('by day in UTC and in New York', async () => {
      // UTC days: 11-02 V1a 3 + V2a 1 (S1, S2); 11-03 V2b 1 + V1b 2 (S2, S1); 11-04 V3a 3 + V4a + V4b (S3, S4).
      assert.deepEqual(await api('/pageviews', { unit: 'day', timezone: 'UTC' }), {
        pageviews: [
          { x: '2024-11-02 00:00:00', y: 4 },
          { x: '2024-11-03 00:00:00', y: 3 },
          { x: '2024-11-04 00:00:00', y: 5 },
        ],
        sessions: [
          { x: '2024-11-02 00:00:00', y: 2 },
          { x: '2024-11-03 00:00:00', y: 2 },
          { x: '2024-11-04 00:00:00', y: 2 },
        ],
      });
      // New York: V1a is still 11-01 (23:50 EDT); V2a/V2b are 11-02 evening; V1b (01:50 EDT and
      // 01:10 EST) and V3a (23:30 EST) are 11-03; V4a, V4b are 11-04.
      assert.deepEqual(await api('/pageviews', { unit: 'day', timezone: 'America/New_York' }), {
        pageviews: [
          { x: '2024-11-01 00:00:00', y: 3 },
          { x: '2024-11-02 00:00:00', y: 2 },
          { x: '2024-11-03 00:00:00', y: 5 },
          { x: '2024-11-04 00:00:00', y: 2 },
        ],
        sessions: [
          { x: '2024-11-01 00:00:00', y: 1 },
          { x: '2024-11-02 00:00:00', y: 1 },
          { x: '2024-11-03 00:00:00', y: 2 },
          { x: '2024-11-04 00:00:00', y: 1 },
        ],
      });
    });

    test('hours across the DST change', async () => {
      const range = { startAt: Date.UTC(2024, 10, 3, 5), endAt: Date.UTC(2024, 10, 3, 6, 59, 59, 999) };
      // 05:50Z and 06:10Z are different UTC hours...
      assert.deepEqual(await api('/pageviews', { ...range, unit: 'hour', timezone: 'UTC' }), {
        pageviews: [
          { x: '2024-11-03 05:00:00', y: 1 },
          { x: '2024-11-03 06:00:00', y: 1 },
        ],
        sessions: [
          { x: '2024-11-03 05:00:00', y: 1 },
          { x: '2024-11-03 06:00:00', y: 1 },
        ],
      });
      // ...but both are 01:xx on New York's wall clock (01:50 EDT, then 01:10 EST): one bucket,
      // as PostgreSQL's AT TIME ZONE groups them for Umami; one session.
      assert.deepEqual(await api('/pageviews', { ...range, unit: 'hour', timezone: 'America/New_York' }), {
        pageviews: [{ x: '2024-11-03 01:00:00', y: 2 }],
        sessions: [{ x: '2024-11-03 01:00:00', y: 1 }],
      });
    });

    test('month, year, minute and a half-hour zone', async () => {
      assert.deepEqual((await api('/pageviews', { unit: 'month', timezone: 'UTC' })).pageviews, [{ x: '2024-11-01 00:00:00', y: 12 }]);
      // In New York V1a falls on 11-01, still November.
      assert.deepEqual((await api('/pageviews', { unit: 'year', timezone: 'America/New_York' })).pageviews, [{ x: '2024-01-01 00:00:00', y: 12 }]);
      assert.deepEqual((await api('/pageviews', { unit: 'minute', timezone: 'UTC', startAt: Date.UTC(2024, 10, 2, 3, 50), endAt: Date.UTC(2024, 10, 2, 3, 59) })).pageviews, [
        { x: '2024-11-02 03:50:00', y: 1 },
        { x: '2024-11-02 03:52:00', y: 1 },
        { x: '2024-11-02 03:55:00', y: 1 },
      ]);
      // Kolkata is UTC+5:30: V2a 23:30Z is 05:00 on 11-03, V4b 23:59:59.999Z is 05:29 on 11-05.
      const kolkata = await api('/pageviews', { unit: 'day', timezone: 'Asia/Calcutta' });
      assert.deepEqual(kolkata.pageviews, [
        { x: '2024-11-02 00:00:00', y: 3 },
        { x: '2024-11-03 00:00:00', y: 4 },
        { x: '2024-11-04 00:00:00', y: 4 },
        { x: '2024-11-05 00:00:00', y: 1 },
      ]);
    });

    test('compare=prev adds the previous period', async () => {
      const body = await api('/pageviews', { unit: 'day', timezone: 'UTC', compare: 'prev' });
      // Previous period: 10-31 one view (S2), 11-01 two views (S5).
      assert.deepEqual(body.compare.pageviews, [
        { x: '2024-10-31 00:00:00', y: 1 },
        { x: '2024-11-01 00:00:00', y: 2 },
      ]);
      assert.equal(body.compare.startDate, '2024-10-30T00:00:00.000Z');
      assert.equal(body.compare.endDate, '2024-11-01T23:59:59.999Z');
    });
  });

  describe('metrics', () => {
    const metrics = (type: string, extra: Q = {}) => api('/metrics', { type, ...extra });

    test('page-level types count views', async () => {
      // Views per path (order: count, then name).
      assert.deepEqual(await metrics('url'), [
        { x: '/', y: 4 },
        { x: '/docs', y: 2 },
        { x: '/pricing', y: 2 },
        { x: '/blog', y: 1 },
        { x: '/blog/dst', y: 1 },
        { x: '/edge', y: 1 },
        { x: '/signup', y: 1 },
      ]);
      assert.deepEqual(await metrics('path', { limit: 2 }), [
        { x: '/', y: 4 },
        { x: '/docs', y: 2 },
      ]);
      assert.deepEqual(await metrics('path', { limit: 2, offset: 2 }), [
        { x: '/pricing', y: 2 },
        { x: '/blog', y: 1 },
      ]);
      assert.deepEqual(await metrics('path', { search: 'blog' }), [
        { x: '/blog', y: 1 },
        { x: '/blog/dst', y: 1 },
      ]);
      // Referrers: no empty ones, no self-referrals (example.com, www.example.com).
      assert.deepEqual(await metrics('referrer'), [
        { x: 'google.com', y: 1 },
        { x: 'news.ycombinator.com', y: 1 },
        { x: 'www.google.com', y: 1 },
      ]);
      // Domain folds www.
      assert.deepEqual(await metrics('domain'), [
        { x: 'google.com', y: 2 },
        { x: 'news.ycombinator.com', y: 1 },
      ]);
      // /edge has no title.
      assert.deepEqual(await metrics('title'), [
        { x: 'Home', y: 4 },
        { x: 'Docs', y: 2 },
        { x: 'Pricing', y: 2 },
        { x: 'Blog', y: 1 },
        { x: 'DST', y: 1 },
        { x: 'Sign up', y: 1 },
        { x: null, y: 1 },
      ]);
      assert.deepEqual(await metrics('query'), [{ x: 'utm_source=hn', y: 1 }]);
      assert.deepEqual(await metrics('host'), [
        { x: 'example.com', y: 9 },
        { x: 'docs.example.com', y: 3 },
      ]);
      assert.deepEqual(await metrics('hostname'), await metrics('host'));
      assert.deepEqual(await metrics('tag'), [{ x: 'beta', y: 2 }]);
      assert.deepEqual(await metrics('utmSource'), [
        { x: 'google', y: 1 },
        { x: 'hn', y: 1 },
      ]);
      assert.deepEqual(await metrics('utm_medium'), [{ x: 'cpc', y: 1 }]);
      assert.deepEqual(await metrics('utmCampaign'), [{ x: 'fall', y: 1 }]);
      assert.deepEqual(await metrics('utmContent'), []);
      assert.deepEqual(await metrics('utmTerm'), []);
      // Custom events count event rows.
      assert.deepEqual(await metrics('event'), [
        { x: 'signup-click', y: 2 },
        { x: 'download', y: 1 },
      ]);
    });

    test('entry and exit pages count visits', async () => {
      // First view of each visit: V1a /, V1b /blog, V2a /, V2b /pricing, V3a /, V4a /, V4b /edge.
      assert.deepEqual(await metrics('entry'), [
        { x: '/', y: 4 },
        { x: '/blog', y: 1 },
        { x: '/edge', y: 1 },
        { x: '/pricing', y: 1 },
      ]);
      // Last view: V1a /signup, V1b /blog/dst, V2a /, V2b /pricing, V3a /docs, V4a /, V4b /edge.
      assert.deepEqual(await metrics('exit'), [
        { x: '/', y: 2 },
        { x: '/blog/dst', y: 1 },
        { x: '/docs', y: 1 },
        { x: '/edge', y: 1 },
        { x: '/pricing', y: 1 },
        { x: '/signup', y: 1 },
      ]);
    });

    test('session-level types count visitors', async () => {
      assert.deepEqual(await metrics('browser'), [
        { x: 'chrome', y: 2 },
        { x: 'firefox', y: 1 },
        { x: 'ios', y: 1 },
      ]);
      assert.deepEqual(await metrics('os'), [
        { x: 'Android OS', y: 1 },
        { x: 'Mac OS', y: 1 },
        { x: 'Windows 10', y: 1 },
        { x: 'iOS', y: 1 },
      ]);
      assert.deepEqual(await metrics('device'), [
        { x: 'desktop', y: 2 },
        { x: 'mobile', y: 2 },
      ]);
      assert.deepEqual(await metrics('country'), [
        { x: 'US', y: 2 },
        { x: 'DE', y: 1 },
        { x: 'IN', y: 1 },
      ]);
      assert.deepEqual(await metrics('region'), [
        { x: 'DE-BE', y: 1, country: 'DE' },
        { x: 'IN-KA', y: 1, country: 'IN' },
        { x: 'US-CA', y: 1, country: 'US' },
        { x: 'US-NY', y: 1, country: 'US' },
      ]);
      assert.deepEqual(await metrics('city'), [
        { x: 'Bengaluru', y: 1, country: 'IN' },
        { x: 'Berlin', y: 1, country: 'DE' },
        { x: 'New York', y: 1, country: 'US' },
        { x: 'San Francisco', y: 1, country: 'US' },
      ]);
      assert.deepEqual(await metrics('language'), [
        { x: 'en-US', y: 2 },
        { x: 'de-DE', y: 1 },
        { x: 'en-IN', y: 1 },
      ]);
      assert.deepEqual(await metrics('screen'), [
        { x: '1440x900', y: 1 },
        { x: '1920x1080', y: 1 },
        { x: '390x844', y: 1 },
        { x: '412x915', y: 1 },
      ]);
      assert.deepEqual(await metrics('distinctId'), [{ x: 'carol', y: 1 }]);
      // Channel of each visit's landing row: V1a google -> organicSearch; V1b, V2b, V4b no
      // referrer -> direct; V4a referred by the site itself -> direct; V2a news.ycombinator.com ->
      // organicSocial; V3a google with utm_medium=cpc -> paidSearch. Counted in visitors:
      // direct S1, S2, S4.
      assert.deepEqual(await metrics('channel'), [
        { x: 'direct', y: 3 },
        { x: 'organicSearch', y: 1 },
        { x: 'organicSocial', y: 1 },
        { x: 'paidSearch', y: 1 },
      ]);
      // Filters apply: desktop visitors by country.
      assert.deepEqual(await metrics('country', { device: 'desktop' }), [
        { x: 'DE', y: 1 },
        { x: 'US', y: 1 },
      ]);
    });

    test('expanded', async () => {
      // Per path, visits are counted within the path: "/" is a one-view group in V1a, V2a, V3a, V4a
      // (4 bounces, 0 s); /docs is two views of V3a (04:31 -> 04:40 = 540 s).
      const byPath = await api('/metrics/expanded', { type: 'path' });
      assert.deepEqual(byPath.slice(0, 3), [
        { name: '/', pageviews: 4, visitors: 4, visits: 4, bounces: 4, totaltime: 0 },
        { name: '/docs', pageviews: 2, visitors: 1, visits: 1, bounces: 0, totaltime: 540 },
        { name: '/pricing', pageviews: 2, visitors: 2, visits: 2, bounces: 2, totaltime: 0 },
      ]);
      assert.equal(byPath.length, 7);
      // Per browser: chrome = S1 (V1a 3 views 310 s, V1b 2 views 1200 s) + S4 (V4a, V4b bounces).
      assert.deepEqual(await api('/metrics/expanded', { type: 'browser' }), [
        { name: 'chrome', pageviews: 7, visitors: 2, visits: 4, bounces: 2, totaltime: 1510 },
        { name: 'ios', pageviews: 3, visitors: 1, visits: 1, bounces: 0, totaltime: 600 },
        { name: 'firefox', pageviews: 2, visitors: 1, visits: 2, bounces: 2, totaltime: 0 },
      ]);
    });
  });

  describe('events', () => {
    test('paged list, newest first', async () => {
      const all = await api('/events', { pageSize: 20 });
      // 12 views + 3 custom events in R.
      assert.equal(all.count, 15);
      assert.equal(all.data.length, 15);
      assert.equal(all.page, 1);
      assert.equal(all.pageSize, 20);
      assert.deepEqual(
        all.data.map((e: any) => e.eventName ?? e.urlPath),
        ['/edge', '/', 'download', '/docs', '/docs', '/', '/blog/dst', '/blog', 'signup-click', '/pricing', '/', '/signup', 'signup-click', '/pricing', '/'],
      );
      const first = all.data[0];
      assert.equal(first.createdAt, '2024-11-04T23:59:59.999Z');
      assert.equal(first.sessionId, SESSION.S4);
      assert.equal(first.websiteId, ids.w1);
      assert.equal(first.eventType, 1);
      assert.equal(first.hasData, false);
      const signup = all.data[8];
      assert.equal(signup.eventType, 2);
      assert.equal(signup.hasData, true);
      assert.equal(signup.country, 'DE');
      // Page 2 of 5.
      const page2 = await api('/events', { page: 2, pageSize: 5 });
      assert.equal(page2.count, 15);
      assert.deepEqual(page2.data.map((e: any) => e.eventName ?? e.urlPath), ['/', '/blog/dst', '/blog', 'signup-click', '/pricing']);
      // Search text (seed 001 calls it `query`): signup-click twice and /signup.
      const search = await api('/events', { query: 'signup' });
      assert.equal(search.count, 3);
      // Filters still apply.
      const german = await api('/events', { country: 'DE' });
      assert.equal(german.count, 3);
    });

    test('series by event name', async () => {
      assert.deepEqual(await api('/events/series', { unit: 'day', timezone: 'UTC' }), [
        { x: 'signup-click', t: '2024-11-02 00:00:00', y: 1 },
        { x: 'signup-click', t: '2024-11-03 00:00:00', y: 1 },
        { x: 'download', t: '2024-11-04 00:00:00', y: 1 },
      ]);
      // New York: 03:52:30Z is 11-01 23:52 EDT, 00:10:45Z is 11-02 20:10 EDT, 04:41Z is 11-03 23:41 EST.
      assert.deepEqual(await api('/events/series', { unit: 'day', timezone: 'America/New_York' }), [
        { x: 'signup-click', t: '2024-11-01 00:00:00', y: 1 },
        { x: 'signup-click', t: '2024-11-02 00:00:00', y: 1 },
        { x: 'download', t: '2024-11-03 00:00:00', y: 1 },
      ]);
      // limit=1: only the most frequent event.
      assert.deepEqual(await api('/events/series', { unit: 'month', timezone: 'UTC', limit: 1 }), [{ x: 'signup-click', t: '2024-11-01 00:00:00', y: 2 }]);
    });

    test('stats', async () => {
      // R: signup-click (S1/V1a), signup-click (S2/V2b), download (S3/V3a). Previous: download (S5).
      assert.deepEqual(await api('/events/stats'), {
        data: { events: 3, visitors: 3, visits: 3, uniqueEvents: 2, comparison: { events: 1, visitors: 1, visits: 1, uniqueEvents: 1 } },
      });
    });
  });

  describe('event data', () => {
    test('events, fields, properties, values, stats', async () => {
      // In R: signup-click plan=pro seats=5, signup-click plan=free seats=1, download file=a.pdf
      // (file=b.pdf belongs to the previous period).
      assert.deepEqual(await api('/event-data/events'), [
        { eventName: 'download', propertyName: 'file', dataType: 1, total: 1 },
        { eventName: 'signup-click', propertyName: 'plan', dataType: 1, total: 2 },
        { eventName: 'signup-click', propertyName: 'seats', dataType: 2, total: 2 },
      ]);
      assert.deepEqual(await api('/event-data/events', { event: 'signup-click' }), [
        { eventName: 'signup-click', propertyName: 'plan', dataType: 1, propertyValue: 'free', total: 1 },
        { eventName: 'signup-click', propertyName: 'plan', dataType: 1, propertyValue: 'pro', total: 1 },
        { eventName: 'signup-click', propertyName: 'seats', dataType: 2, propertyValue: '1', total: 1 },
        { eventName: 'signup-click', propertyName: 'seats', dataType: 2, propertyValue: '5', total: 1 },
      ]);
      assert.deepEqual(await api('/event-data/fields'), [
        { propertyName: 'file', dataType: 1, value: 'a.pdf', total: 1 },
        { propertyName: 'plan', dataType: 1, value: 'free', total: 1 },
        { propertyName: 'plan', dataType: 1, value: 'pro', total: 1 },
        { propertyName: 'seats', dataType: 2, value: '1', total: 1 },
        { propertyName: 'seats', dataType: 2, value: '5', total: 1 },
      ]);
      assert.deepEqual(await api('/event-data/properties'), [
        { eventName: 'signup-click', propertyName: 'plan', total: 2 },
        { eventName: 'signup-click', propertyName: 'seats', total: 2 },
        { eventName: 'download', propertyName: 'file', total: 1 },
      ]);
      assert.deepEqual(await api('/event-data/values', { eventName: 'signup-click', propertyName: 'seats' }), [
        { value: '1', total: 1 },
        { value: '5', total: 1 },
      ]);
      // Filters go through the event: only S2's signup-click is German.
      assert.deepEqual(await api('/event-data/values', { eventName: 'signup-click', propertyName: 'plan', country: 'DE' }), [{ value: 'free', total: 1 }]);
      // 3 events with data, 3 property names, 5 data rows.
      assert.deepEqual(await api('/event-data/stats'), [{ events: 3, fields: 3, properties: 3, records: 5 }]);
    });
  });

  describe('sessions', () => {
    test('paged list, most recently active first', async () => {
      const list = await api('/sessions');
      assert.equal(list.count, 4);
      // Last activity: S4 11-04 23:59:59.999, S3 11-04 04:41, S1 11-03 06:10, S2 11-03 00:10:45.
      assert.deepEqual(
        list.data.map((s: any) => [s.id, s.visits, s.views, s.events, s.firstAt, s.lastAt]),
        [
          [SESSION.S4, 2, 2, 0, '2024-11-04T12:00:00.000Z', '2024-11-04T23:59:59.999Z'],
          [SESSION.S3, 1, 3, 1, '2024-11-04T04:30:00.000Z', '2024-11-04T04:41:00.000Z'],
          [SESSION.S1, 2, 5, 1, '2024-11-02T03:50:00.000Z', '2024-11-03T06:10:00.000Z'],
          [SESSION.S2, 2, 2, 1, '2024-11-02T23:30:00.000Z', '2024-11-03T00:10:45.000Z'],
        ],
      );
      const s3 = list.data[1];
      assert.deepEqual([s3.browser, s3.os, s3.device, s3.screen, s3.language, s3.country, s3.region, s3.city], ['ios', 'iOS', 'mobile', '390x844', 'en-US', 'US', 'US-CA', 'San Francisco']);
      assert.equal(s3.websiteId, ids.w1);
      // Search in distinct id, city, browser, os, device.
      const berlin = await api('/sessions', { query: 'berl' });
      assert.deepEqual(berlin.data.map((s: any) => s.id), [SESSION.S2]);
      const page = await api('/sessions', { page: 2, pageSize: 3 });
      assert.deepEqual(page.data.map((s: any) => s.id), [SESSION.S2]);
    });

    test('stats', async () => {
      // 12 views, 4 visitors, 7 visits, countries US/DE/IN, 3 custom events.
      assert.deepEqual(await api('/sessions/stats'), {
        pageviews: { value: 12 },
        visitors: { value: 4 },
        visits: { value: 7 },
        countries: { value: 3 },
        events: { value: 3 },
      });
    });

    test('weekly grid in UTC and New York', async () => {
      // 2024-11-02 is a Saturday (6), 11-03 Sunday (0), 11-04 Monday (1).
      const utc = await api('/sessions/weekly', { timezone: 'UTC' });
      const expectUtc = Array.from({ length: 7 }, () => Array(24).fill(0));
      expectUtc[6][3] = 1; // V1a
      expectUtc[6][23] = 1; // V2a
      expectUtc[0][0] = 1; // V2b
      expectUtc[0][5] = 1; // V1b 05:50
      expectUtc[0][6] = 1; // V1b 06:10
      expectUtc[1][4] = 1; // V3a
      expectUtc[1][12] = 1; // V4a
      expectUtc[1][23] = 1; // V4b
      assert.deepEqual(utc, expectUtc);
      const ny = await api('/sessions/weekly', { timezone: 'America/New_York' });
      const expectNy = Array.from({ length: 7 }, () => Array(24).fill(0));
      expectNy[5][23] = 1; // V1a, Friday 23:5x EDT
      expectNy[6][19] = 1; // V2a
      expectNy[6][20] = 1; // V2b
      expectNy[0][1] = 1; // V1b: 01:50 EDT and 01:10 EST, one session
      expectNy[0][23] = 1; // V3a, Sunday 23:30 EST
      expectNy[1][7] = 1; // V4a
      expectNy[1][18] = 1; // V4b
      assert.deepEqual(ny, expectNy);
    });

    test('one session, its activity and properties', async () => {
      const res = await d.get(`/api/websites/${ids.w1}/sessions/${SESSION.S1}`, { token: owner.token });
      assert.equal(res.status, 200);
      // All of S1's time: 5 views in 2 visits, one event, 310 + 1200 s.
      assert.deepEqual(
        { ...res.body, websiteId: undefined },
        {
          id: SESSION.S1,
          websiteId: undefined,
          distinctId: null,
          hostname: 'example.com',
          browser: 'chrome',
          os: 'Windows 10',
          device: 'desktop',
          screen: '1920x1080',
          language: 'en-US',
          country: 'US',
          region: 'US-NY',
          city: 'New York',
          firstAt: '2024-11-02T03:50:00.000Z',
          lastAt: '2024-11-03T06:10:00.000Z',
          visits: 2,
          views: 5,
          events: 1,
          createdAt: '2024-11-02T03:50:00.000Z',
          totaltime: 1510,
        },
      );
      // S4 over all time includes /late after R: 3 visits.
      const s4 = await d.get(`/api/websites/${ids.w1}/sessions/${SESSION.S4}`, { token: owner.token });
      assert.equal(s4.body.visits, 3);
      assert.equal((await d.get(`/api/websites/${ids.w1}/sessions/${SESSION.S8}`, { token: owner.token })).status, 404);

      const activity = await api(`/sessions/${SESSION.S1}/activity`);
      assert.deepEqual(
        activity.map((a: any) => [a.createdAt, a.eventType, a.eventName ?? a.urlPath, a.hasData]),
        [
          ['2024-11-03T06:10:00.000Z', 1, '/blog/dst', false],
          ['2024-11-03T05:50:00.000Z', 1, '/blog', false],
          ['2024-11-02T03:55:10.000Z', 1, '/signup', false],
          ['2024-11-02T03:52:30.000Z', 2, 'signup-click', true],
          ['2024-11-02T03:52:00.000Z', 1, '/pricing', false],
          ['2024-11-02T03:50:00.000Z', 1, '/', false],
        ],
      );
      assert.equal(activity[5].eventId, eventId(5));
      assert.equal(activity[5].referrerDomain, 'google.com');
      assert.notEqual(activity[0].visitId, activity[5].visitId);

      // S3 said tier=gold, then tier=platinum: the latest wins.
      const props = await api(`/sessions/${SESSION.S3}/properties`);
      assert.deepEqual(
        props.map((p: any) => [p.dataKey, p.dataType, p.stringValue, p.sessionId]),
        [['tier', 1, 'platinum', SESSION.S3]],
      );
    });

    test('session data', async () => {
      // Sessions active in R with a tier: S1 (silver), S3 (platinum). S5 is only in the previous period.
      assert.deepEqual(await api('/session-data/properties'), [{ propertyName: 'tier', total: 2 }]);
      assert.deepEqual(await api('/session-data/values', { propertyName: 'tier' }), [
        { value: 'platinum', total: 1 },
        { value: 'silver', total: 1 },
      ]);
      assert.deepEqual(await api('/session-data/values', { propertyName: 'tier', device: 'desktop' }), [{ value: 'silver', total: 1 }]);
    });
  });

  describe('live and helpers', () => {
    test('active visitors and realtime', async () => {
      // W3: S6 one minute ago, S7 eight minutes ago -> one visitor in the last 5 minutes.
      const active = await d.get(`/api/websites/${ids.w3}/active`, { token: owner.token });
      assert.deepEqual(active.body, { visitors: 1 });
      const rt = await d.get(`/api/realtime/${ids.w3}`, { token: owner.token });
      assert.equal(rt.status, 200);
      // Last 30 minutes: /live by S7 (8 min ago, from duckduckgo) and S6 (1 min ago, plus "ping");
      // S6's /old 40 minutes ago is outside.
      assert.deepEqual(rt.body.urls, { '/live': 2 });
      assert.deepEqual(rt.body.countries, { FR: 2 });
      assert.deepEqual(rt.body.referrers, { 'duckduckgo.com': 1 });
      assert.deepEqual(rt.body.totals, { views: 2, visitors: 2, events: 1, countries: 1 });
      assert.equal(rt.body.series.views.reduce((n: number, p: any) => n + p.y, 0), 2);
      assert.equal(rt.body.series.visitors.reduce((n: number, p: any) => n + p.y, 0), 2);
      // Two pageviews, one event, and the two sessions' arrivals.
      assert.deepEqual(rt.body.events.map((e: any) => e.__type).sort(), ['event', 'pageview', 'pageview', 'session', 'session']);
      assert.equal(typeof rt.body.timestamp, 'number');
    });

    test('daterange and values', async () => {
      // First row of W1: 10-31 08:00 (S2); last: /late 11-05 00:00.
      assert.deepEqual((await d.get(`/api/websites/${ids.w1}/daterange`, { token: owner.token })).body, {
        startDate: '2024-10-31T08:00:00.000Z',
        endDate: '2024-11-05T00:00:00.000Z',
      });
      assert.deepEqual(await api('/values', { type: 'path', search: 'blog' }), [
        { value: '/blog', count: 1 },
        { value: '/blog/dst', count: 1 },
      ]);
      assert.deepEqual(await api('/values', { type: 'path', search: 'doc,sign' }), [
        { value: '/docs', count: 2 },
        { value: '/signup', count: 1 },
      ]);
      assert.deepEqual(await api('/values', { type: 'event' }), [
        { value: 'signup-click', count: 2 },
        { value: 'download', count: 1 },
      ]);
      assert.equal((await api('/values', { type: 'path' })).length, 7);
    });
  });

  describe('v1 (seed 000)', () => {
    const cookie = () => `umami.auth=${owner.token}`;
    const v1 = async (id: string | number, path: string, params: Q) => {
      const res = await d.get(`/api/website/${id}${path}${qs(params)}`, { cookie: cookie() });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };
    const range = { start_at: R.startAt, end_at: R.endAt };

    test('stats by integer id and by uuid', async () => {
      const expected = { pageviews: 12, uniques: 4, bounces: 4, totaltime: 2110 };
      assert.deepEqual(await v1(legacyW1, '/stats', range), expected);
      assert.deepEqual(await v1(ids.w1, '/stats', range), expected);
    });

    test('pageviews, events, metrics', async () => {
      assert.deepEqual(await v1(legacyW1, '/pageviews', { ...range, unit: 'day', tz: 'America/New_York' }), {
        pageviews: [
          { t: '2024-11-01 00:00:00', y: 3 },
          { t: '2024-11-02 00:00:00', y: 2 },
          { t: '2024-11-03 00:00:00', y: 5 },
          { t: '2024-11-04 00:00:00', y: 2 },
        ],
        sessions: [
          { t: '2024-11-01 00:00:00', y: 1 },
          { t: '2024-11-02 00:00:00', y: 1 },
          { t: '2024-11-03 00:00:00', y: 2 },
          { t: '2024-11-04 00:00:00', y: 1 },
        ],
      });
      assert.deepEqual(await v1(legacyW1, '/events', { ...range, unit: 'day', tz: 'UTC' }), [
        { x: 'signup-click', t: '2024-11-02 00:00:00', y: 1 },
        { x: 'signup-click', t: '2024-11-03 00:00:00', y: 1 },
        { x: 'download', t: '2024-11-04 00:00:00', y: 1 },
      ]);
      assert.deepEqual((await v1(legacyW1, '/metrics', { ...range, type: 'url' })).slice(0, 2), [
        { x: '/', y: 4 },
        { x: '/docs', y: 2 },
      ]);
      assert.deepEqual(await v1(legacyW1, '/metrics', { ...range, type: 'device' }), [
        { x: 'desktop', y: 2 },
        { x: 'mobile', y: 2 },
      ]);
      assert.deepEqual(await v1(legacyW1, '/metrics', { ...range, type: 'event' }), [
        { x: 'signup-click', y: 2 },
        { x: 'download', y: 1 },
      ]);
    });

    test('needs the cookie', async () => {
      assert.equal((await d.get(`/api/website/${legacyW1}/stats${qs(range)}`)).status, 401);
      assert.equal((await d.get(`/api/website/${legacyW1}/stats${qs(range)}`, { cookie: `umami.auth=${stranger.token}` })).status, 401);
      assert.equal((await d.get(`/api/website/999999/stats${qs(range)}`, { cookie: `umami.auth=${stranger.token}` })).status, 401);
    });
  });

  describe('access', () => {
    const ENDPOINTS = [
      '/stats', '/pageviews', '/metrics?type=url', '/metrics/expanded?type=url', '/events', '/events/series', '/events/stats',
      '/event-data/events', '/event-data/fields', '/event-data/values?propertyName=plan', '/event-data/properties', '/event-data/stats',
      '/sessions', '/sessions/stats', `/sessions/${SESSION.S1}`, `/sessions/${SESSION.S1}/activity`, `/sessions/${SESSION.S1}/properties`,
      '/session-data/properties', '/session-data/values?propertyName=tier', '/sessions/weekly', '/active', '/daterange', '/values?type=path',
    ];
    const url = (websiteId: string, path: string) => {
      const sep = path.includes('?') ? '&' : '?';
      return `/api/websites/${websiteId}${path}${sep}startAt=${R.startAt}&endAt=${R.endAt}`;
    };

    test('owner and share token may read; strangers and anonymous get 401', async () => {
      for (const path of ENDPOINTS) {
        assert.equal((await status(url(ids.w1, path), { token: owner.token })).status, 200, `owner ${path}`);
        assert.equal((await status(url(ids.w1, path), { headers: { 'x-umami-share-token': shareToken } })).status, 200, `share ${path}`);
        assert.equal((await status(url(ids.w1, path), { token: stranger.token })).status, 401, `stranger ${path}`);
        assert.equal((await status(url(ids.w1, path))).status, 401, `anonymous ${path}`);
        // The share token is for W1 only.
        assert.equal((await status(url(ids.w2, path), { headers: { 'x-umami-share-token': shareToken } })).status, 401, `share on W2 ${path}`);
      }
      assert.equal((await status(`/api/realtime/${ids.w1}`, { headers: { 'x-umami-share-token': shareToken } })).status, 200);
      assert.equal((await status(`/api/realtime/${ids.w1}`, { token: stranger.token })).status, 401);
    });

    test('team members with view rights may read the team site', async () => {
      assert.equal((await status(url(ids.w2, '/stats'), { token: viewer.token })).status, 200);
      assert.equal((await status(url(ids.w2, '/metrics?type=url'), { token: viewer.token })).status, 200);
      assert.equal((await status(url(ids.w1, '/stats'), { token: viewer.token })).status, 401);
    });
  });

  describe('bad input is a 400 naming the parameter', () => {
    const bad = async (path: string, params: Q, name: string) => {
      const res = await d.get(`/api/websites/${ids.w1}${path}${qs(params)}`, { token: owner.token });
      assert.equal(res.status, 400, `${path} ${JSON.stringify(params)} -> ${res.status} ${JSON.stringify(res.body)}`);
      assert.match(res.body.error.message, new RegExp(name), `message should name ${name}: ${res.body.error.message}`);
    };
    const r = { startAt: R.startAt, endAt: R.endAt };

    test('dates', async () => {
      await bad('/stats', { endAt: R.endAt }, 'startAt');
      await bad('/stats', { startAt: R.startAt }, 'endAt');
      await bad('/stats', { startAt: 'yesterday', endAt: R.endAt }, 'startAt');
      await bad('/stats', { startAt: R.startAt, endAt: '1e3' }, 'endAt');
      await bad('/stats', { startAt: R.endAt, endAt: R.startAt }, 'startAt');
      await bad('/pageviews', { endAt: R.endAt }, 'startAt');
      await bad('/metrics', { type: 'url' }, 'startAt');
      await bad('/sessions', { startAt: 'x', endAt: R.endAt }, 'startAt');
    });

    test('type, unit, time zone, operators', async () => {
      await bad('/metrics', { ...r, type: 'bogus' }, 'type');
      await bad('/metrics', { ...r }, 'type');
      await bad('/metrics/expanded', { ...r, type: 'nope' }, 'type');
      await bad('/values', { ...r, type: 'nope' }, 'type');
      await bad('/pageviews', { ...r, unit: 'fortnight' }, 'unit');
      await bad('/events/series', { ...r, unit: 'decade', timezone: 'UTC' }, 'unit');
      await bad('/pageviews', { ...r, unit: 'day', timezone: 'Mars/Olympus_Mons' }, 'timezone');
      await bad('/sessions/weekly', { ...r, timezone: 'Nowhere/Null' }, 'timezone');
      await bad('/stats', { ...r, path: 'gt.5' }, 'path');
      await bad('/stats', { ...r, browser: 'lte.chrome' }, 'browser');
      await bad('/stats', { ...r, path: 're.(unclosed' }, 'path');
      await bad('/stats', { ...r, path: 're.(?=lookahead)' }, 'path');
      await bad('/metrics', { ...r, type: 'url', limit: 'ten' }, 'limit');
      await bad('/stats', { ...r, compare: 'lastweek' }, 'compare');
      await bad('/event-data/values', { ...r }, 'propertyName');
      await bad('/session-data/values', { ...r }, 'propertyName');
      const v1 = await d.get(`/api/website/${ids.w1}/pageviews${qs({ start_at: R.startAt, end_at: R.endAt, unit: 'day', tz: 'Bad/Zone' })}`, { cookie: `umami.auth=${owner.token}` });
      assert.equal(v1.status, 400);
      assert.match(v1.body.error.message, /tz/);
      const v1Missing = await d.get(`/api/website/${ids.w1}/stats`, { cookie: `umami.auth=${owner.token}` });
      assert.equal(v1Missing.status, 400);
      assert.match(v1Missing.body.error.message, /start_at/);
    });

    test('hostile values are data, not SQL', async () => {
      const s = await api('/stats', { path: "'; DROP TABLE website_event; --", referrer: 'c.%_\\' });
      assert.equal(s.pageviews.value, 0);
      assert.equal((await api('/stats')).pageviews.value, 12);
    });
  });
});
