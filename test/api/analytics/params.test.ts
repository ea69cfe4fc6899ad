// Newer Umami's read parameters `excludeBounce` and `cohort=<id>`, golden, over HTTP on every
// store. The fixture is test/fixtures/golden.ts (its timeline is in the comment at its top); every
// expected number below is worked out by hand from that table.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import { toCsv } from '../../../src/api/analytics/export.js';
import { relativeRange } from '../../../src/query/time.js';

const cohortRange = (value: unknown, now: Date, zone: string, floor: Date) => relativeRange(value, now, zone, floor, 'cohort.dateRange');
import type { TestUser } from '../../helpers/api.js';
import { goldenWorld } from '../../helpers/golden-world.js';
import { stopAll, type Dashi } from '../../helpers/server.js';
import { testStores } from '../../helpers/stores.js';
import { R, SESSION } from '../../fixtures/golden.js';

const STORES = await testStores();

type Q = Record<string, string | number | undefined>;

function qs(params: Q): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) s.append(k, String(v));
  const text = s.toString();
  return text ? `?${text}` : '';
}

// The previous period of R, and R itself, as Umami's `range:<startMs>:<endMs>` date filter.
const P = { startAt: Date.UTC(2024, 9, 30), endAt: Date.UTC(2024, 10, 1, 23, 59, 59, 999) };
const IN_R = `range:${R.startAt}:${R.endAt}`;
const IN_P = `range:${P.startAt}:${P.endAt}`;

describe('cohort date ranges (no store)', () => {
  const floor = new Date(Date.UTC(2000, 0, 1));
  // Wednesday 2024-11-06 15:30 UTC = 10:30 EST in New York.
  const now = new Date(Date.UTC(2024, 10, 6, 15, 30));
  const iso = (r: { start: Date; end: Date }) => [r.start.toISOString(), r.end.toISOString()];

  test('relative ranges: the current unit and the n - 1 before it, in the time zone', () => {
    assert.deepEqual(iso(cohortRange('0day', now, 'UTC', floor)), ['2024-11-06T00:00:00.000Z', '2024-11-06T23:59:59.999Z']);
    assert.deepEqual(iso(cohortRange('1day', now, 'UTC', floor)), ['2024-11-06T00:00:00.000Z', '2024-11-06T23:59:59.999Z']);
    // 30 days: 10-08 .. 11-06.
    assert.deepEqual(iso(cohortRange('30day', now, 'UTC', floor)), ['2024-10-08T00:00:00.000Z', '2024-11-06T23:59:59.999Z']);
    // New York midnight of 11-06 is 05:00 UTC (EST); seven days back, 10-31 is still EDT (04:00 UTC).
    assert.deepEqual(iso(cohortRange('7day', now, 'America/New_York', floor)), ['2024-10-31T04:00:00.000Z', '2024-11-07T04:59:59.999Z']);
    assert.deepEqual(iso(cohortRange('24hour', now, 'UTC', floor)), ['2024-11-05T16:00:00.000Z', '2024-11-06T15:59:59.999Z']);
    // Weeks start on Sunday: 11-03 .. 11-09; two weeks from 10-27.
    assert.deepEqual(iso(cohortRange('0week', now, 'UTC', floor)), ['2024-11-03T00:00:00.000Z', '2024-11-09T23:59:59.999Z']);
    assert.deepEqual(iso(cohortRange('2week', now, 'UTC', floor)), ['2024-10-27T00:00:00.000Z', '2024-11-09T23:59:59.999Z']);
    assert.deepEqual(iso(cohortRange('0month', now, 'UTC', floor)), ['2024-11-01T00:00:00.000Z', '2024-11-30T23:59:59.999Z']);
    // Six months: June .. November (New York: June is EDT, December 1st is EST).
    assert.deepEqual(iso(cohortRange('6month', now, 'America/New_York', floor)), ['2024-06-01T04:00:00.000Z', '2024-12-01T04:59:59.999Z']);
    assert.deepEqual(iso(cohortRange('0year', now, 'UTC', floor)), ['2024-01-01T00:00:00.000Z', '2024-12-31T23:59:59.999Z']);
  });

  test('custom, all, objects, and the reset floor', () => {
    assert.deepEqual(iso(cohortRange(IN_R, now, 'UTC', floor)), ['2024-11-02T00:00:00.000Z', '2024-11-04T23:59:59.999Z']);
    assert.deepEqual(iso(cohortRange('all', now, 'UTC', floor)), ['2000-01-01T00:00:00.000Z', '2024-11-06T15:30:00.000Z']);
    assert.deepEqual(iso(cohortRange({ startDate: '2024-11-02T00:00:00Z', endDate: R.endAt }, now, 'UTC', floor)), ['2024-11-02T00:00:00.000Z', '2024-11-04T23:59:59.999Z']);
    // A website reset on 11-03 hides the days before it.
    const reset = new Date(Date.UTC(2024, 10, 3));
    assert.deepEqual(iso(cohortRange(IN_R, now, 'UTC', reset)), ['2024-11-03T00:00:00.000Z', '2024-11-04T23:59:59.999Z']);
  });

  test('anything else names the cohort', () => {
    for (const bad of ['fortnight', '30days', 'range:abc:def', 'range:1', 12, ['30day'], { startDate: 'soon', endDate: 1 }]) {
      assert.throws(() => cohortRange(bad, now, 'UTC', floor), /Invalid cohort\.dateRange: /, JSON.stringify(bad));
    }
  });
});

describe('export CSV (no store)', () => {
  test('header, CRLF, quoting and formula cells', () => {
    assert.equal(toCsv(['x', 'y'], []), 'x,y');
    assert.equal(toCsv(['x', 'y'], [{ x: '/', y: 4 }, { x: null, y: 1 }]), 'x,y\r\n/,4\r\n,1');
    // Commas, quotes, line breaks and edge spaces are quoted; quotes doubled.
    assert.equal(
      toCsv(['x', 'y'], [{ x: 'a,b', y: 1 }, { x: 'say "hi"', y: 2 }, { x: 'two\nlines', y: 3 }, { x: ' pad', y: 4 }, { x: 'cr\r', y: 5 }]),
      'x,y\r\n"a,b",1\r\n"say ""hi""",2\r\n"two\nlines",3\r\n" pad",4\r\n"cr\r",5',
    );
    // A text cell a spreadsheet would run as a formula is kept as text; numbers are left alone.
    assert.equal(toCsv(['x', 'y'], [{ x: '=HYPERLINK("x")', y: -1 }, { x: '@cmd', y: 0 }, { x: '+1', y: 0 }, { x: '-2', y: 0 }]), 'x,y\r\n"\'=HYPERLINK(""x"")",-1\r\n\'@cmd,0\r\n\'+1,0\r\n\'-2,0');
    // Columns come in the order asked for; a missing key is an empty cell.
    assert.equal(toCsv(['y', 'x'], [{ x: 'a' }]), 'y,x\r\n,a');
  });
});

for (const store of STORES) describe(`excludeBounce and cohort (${store.name})`, () => {
  let d: Dashi;
  let owner: TestUser;
  let stranger: TestUser;
  let viewer: TestUser;
  let shareToken: string;
  let ids = { w1: '', w2: '', w3: '' };
  const cohorts: Record<string, string> = {};
  let env: Record<string, string> = {};

  /** GET as the website owner on W1; the range defaults to R. */
  async function get(path: string, params: Q = {}, website = ids.w1) {
    return d.get(`/api/websites/${website}${path}${qs({ startAt: R.startAt, endAt: R.endAt, ...params })}`, { token: owner.token });
  }
  async function api(path: string, params: Q = {}, website = ids.w1) {
    const res = await get(path, params, website);
    assert.equal(res.status, 200, `${path} ${JSON.stringify(params)}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
  /** /stats as [pageviews, visitors, visits, bounces, totaltime] of the range and of the previous period. */
  async function stats(params: Q, website = ids.w1) {
    const s = await api('/stats', params, website);
    const names = ['pageviews', 'visitors', 'visits', 'bounces', 'totaltime'];
    return { value: names.map((n) => s[n].value), prev: names.map((n) => s[n].prev) };
  }
  async function bad(path: string, params: Q, name: string) {
    const res = await get(path, params);
    assert.equal(res.status, 400, `${path} ${JSON.stringify(params)} -> ${res.status} ${JSON.stringify(res.body)}`);
    assert.match(res.body.error.message, new RegExp(name), res.body.error.message);
  }

  before(async () => {
    env = await store.env();
    ({ d, owner, stranger, viewer, shareToken, ids } = await goldenWorld(env, 'params', {
      beforeLoad: async ({ d, owner, ids }) => {
        const save = async (name: string, parameters: unknown, type = 'cohort', website = ids.w1) => {
          const res = await d.post(`/api/websites/${website}/segments`, { type, name, parameters }, { token: owner.token });
          assert.equal(res.status, 200, JSON.stringify(res.body));
          cohorts[name] = res.body.id;
        };
        const signup = { type: 'event', value: 'signup-click' };
        // Sessions with a signup-click in R: S1 (V1a) and S2 (V2b).
        await save('signup', { filters: [], dateRange: IN_R, action: signup });
        // ... from Germany: S2.
        await save('signupDE', { filters: [{ name: 'country', operator: 'eq', value: 'DE' }], dateRange: IN_R, action: signup });
        // A /pricing row in R (the view or the event on it), from the US or on firefox: S1 (US), S2
        // (firefox). With match all nobody is both.
        const usOrFirefox = [{ name: 'country', operator: 'eq', value: 'US' }, { name: 'browser', operator: 'eq', value: 'firefox' }];
        await save('pricingAny', { filters: usOrFirefox, match: 'any', dateRange: IN_R, action: { type: 'path', value: '/pricing' } });
        await save('pricingAll', { filters: usOrFirefox, match: 'all', dateRange: IN_R, action: { type: 'path', value: '/pricing' } });
        // /pricing in the previous period: S5 only.
        await save('pricingBefore', { dateRange: IN_P, action: { type: 'path', value: '/pricing' } });
        // No date range: /docs in whatever range is queried.
        await save('docsSameRange', { action: { type: 'path', value: '/docs' } });
        await save('broken', { dateRange: 'fortnight', action: signup });
        await save('plainSegment', { filters: [{ name: 'country', operator: 'eq', value: 'DE' }] }, 'segment');
        // W3 (live): a "ping" within the last two calendar days (relative to the server's clock): S6.
        await save('pingLive', { dateRange: '2day', action: { type: 'event', value: 'ping' } }, 'cohort', ids.w3);
      },
    }));
  });

  after(async () => {
    await stopAll();
    await store.cleanup();
  });

  describe('excludeBounce', () => {
    test('stats: only visits with more than one view', async () => {
      // Visits of R with more than one view: V1a (3 views, 310 s), V1b (2, 1200 s), V3a (3, 600 s):
      // 8 views, S1 and S3, 3 visits, no bounce, 2110 s. Previous period: V2p has one view; V5a
      // two (300 s; its download is not a view).
      const expected = { value: [8, 2, 3, 0, 2110], prev: [2, 1, 1, 0, 300] };
      assert.deepEqual(await stats({ excludeBounce: 'true' }), expected);
      assert.deepEqual(await stats({ excludeBounce: 1 }), expected);
      // false/0 change nothing (the golden totals).
      const all = { value: [12, 4, 7, 4, 2110], prev: [3, 2, 2, 1, 300] };
      assert.deepEqual(await stats({ excludeBounce: 'false' }), all);
      assert.deepEqual(await stats({ excludeBounce: 0 }), all);
    });

    test('with other filters, and bounces reported as 0', async () => {
      // /pricing views: V1a (kept) and V2b (one view: dropped). V1a has one /pricing row, which
      // would count as a bounce; Umami reports bounces as 0 under excludeBounce.
      assert.deepEqual((await stats({ path: '/pricing' })).value, [2, 2, 2, 2, 0]);
      assert.deepEqual((await stats({ path: '/pricing', excludeBounce: 1 })).value, [1, 1, 1, 0, 0]);
      // match=any ORs the path filters, and excludeBounce stays ANDed: /pricing of V1a (1 row) and
      // /docs of V3a (2 rows, 04:31 -> 04:40 = 540 s). Without it, V2b's /pricing would count too.
      assert.deepEqual((await stats({ path: '/pricing', path1: '/docs', match: 'any', excludeBounce: 1 })).value, [3, 2, 2, 0, 540]);
    });

    test('pageviews series', async () => {
      // UTC days: 11-02 V1a 3 (S1), 11-03 V1b 2 (S1), 11-04 V3a 3 (S3).
      assert.deepEqual(await api('/pageviews', { unit: 'day', timezone: 'UTC', excludeBounce: 1 }), {
        pageviews: [
          { x: '2024-11-02 00:00:00', y: 3 },
          { x: '2024-11-03 00:00:00', y: 2 },
          { x: '2024-11-04 00:00:00', y: 3 },
        ],
        sessions: [
          { x: '2024-11-02 00:00:00', y: 1 },
          { x: '2024-11-03 00:00:00', y: 1 },
          { x: '2024-11-04 00:00:00', y: 1 },
        ],
      });
    });

    test('metrics and expanded metrics', async () => {
      // Views of V1a (/, /pricing, /signup), V1b (/blog, /blog/dst), V3a (/, /docs, /docs).
      assert.deepEqual(await api('/metrics', { type: 'path', excludeBounce: 1 }), [
        { x: '/', y: 2 },
        { x: '/docs', y: 2 },
        { x: '/blog', y: 1 },
        { x: '/blog/dst', y: 1 },
        { x: '/pricing', y: 1 },
        { x: '/signup', y: 1 },
      ]);
      // Custom events of kept visits: V1a's signup-click and V3a's download; V2b's signup-click
      // goes (V2b has one view).
      assert.deepEqual(await api('/metrics', { type: 'event', excludeBounce: 1 }), [
        { x: 'download', y: 1 },
        { x: 'signup-click', y: 1 },
      ]);
      // Session types count visitors: S1 chrome, S3 ios.
      assert.deepEqual(await api('/metrics', { type: 'browser', excludeBounce: 1 }), [
        { x: 'chrome', y: 1 },
        { x: 'ios', y: 1 },
      ]);
      // Per path: "/" has one row in V1a and one in V3a (two one-row groups, 0 s; bounces 0
      // under excludeBounce, where they would otherwise be 2); /docs two rows in V3a, 540 s.
      const row = (name: string, pageviews: number, visitors: number, visits: number, totaltime: number) => ({ name, pageviews, visitors, visits, bounces: 0, totaltime });
      assert.deepEqual(await api('/metrics/expanded', { type: 'path', excludeBounce: 1 }), [
        row('/', 2, 2, 2, 0),
        row('/docs', 2, 1, 1, 540),
        row('/blog', 1, 1, 1, 0),
        row('/blog/dst', 1, 1, 1, 0),
        row('/pricing', 1, 1, 1, 0),
        row('/signup', 1, 1, 1, 0),
      ]);
      assert.equal((await api('/metrics/expanded', { type: 'path' }))[0].bounces, 4);
    });

    test('events, sessions and event data', async () => {
      // Custom events of kept visits: signup-click (V1a, S1) and download (V3a, S3); previous
      // period: V5a's download.
      assert.deepEqual(await api('/events/stats', { excludeBounce: 1 }), {
        data: { events: 2, visitors: 2, visits: 2, uniqueEvents: 2, comparison: { events: 1, visitors: 1, visits: 1, uniqueEvents: 1 } },
      });
      // Rows of V1a (4), V1b (2), V3a (4).
      assert.equal((await api('/events', { excludeBounce: 1 })).count, 10);
      const sessions = await api('/sessions', { excludeBounce: 1 });
      assert.equal(sessions.count, 2);
      assert.deepEqual(
        sessions.data.map((s: any) => [s.id, s.visits, s.views, s.events]),
        [
          [SESSION.S3, 1, 3, 1],
          [SESSION.S1, 2, 5, 1],
        ],
      );
      // 8 views, S1 and S3, 3 visits, one country (US), 2 custom events.
      assert.deepEqual(await api('/sessions/stats', { excludeBounce: 1 }), {
        pageviews: { value: 8 },
        visitors: { value: 2 },
        visits: { value: 3 },
        countries: { value: 1 },
        events: { value: 2 },
      });
      // Event data of V1a's signup-click (plan, seats) and V3a's download (file); V2b's
      // signup-click data goes.
      assert.deepEqual(await api('/event-data/events', { excludeBounce: 1 }), [
        { eventName: 'download', propertyName: 'file', dataType: 1, total: 1 },
        { eventName: 'signup-click', propertyName: 'plan', dataType: 1, total: 1 },
        { eventName: 'signup-click', propertyName: 'seats', dataType: 2, total: 1 },
      ]);
    });

    test('a bad value is a 400 naming it', async () => {
      await bad('/stats', { excludeBounce: 'yes' }, 'excludeBounce');
      await bad('/metrics', { type: 'path', excludeBounce: 'maybe' }, 'excludeBounce');
    });
  });

  describe('cohort', () => {
    test('stats: the cohort sessions, in both periods', async () => {
      // S1 and S2: V1a 3 views 310 s, V1b 2 views 1200 s, V2a and V2b one view each (bounces).
      // The cohort's range is its own, so the previous period keeps S1 and S2 too: V2p (1 view,
      // a bounce).
      assert.deepEqual(await stats({ cohort: cohorts.signup }), { value: [7, 2, 4, 2, 1510], prev: [1, 1, 1, 1, 0] });
      // Germany: S2.
      assert.deepEqual(await stats({ cohort: cohorts.signupDE }), { value: [2, 1, 2, 2, 0], prev: [1, 1, 1, 1, 0] });
      // match any: (US or firefox) and /pricing = S1, S2; match all: nobody.
      assert.deepEqual(await stats({ cohort: cohorts.pricingAny }), { value: [7, 2, 4, 2, 1510], prev: [1, 1, 1, 1, 0] });
      assert.deepEqual(await stats({ cohort: cohorts.pricingAll }), { value: [0, 0, 0, 0, 0], prev: [0, 0, 0, 0, 0] });
      // Cohort range in the previous period: S5, who has no rows in R; in P: V5a, 2 views, 300 s.
      assert.deepEqual(await stats({ cohort: cohorts.pricingBefore }), { value: [0, 0, 0, 0, 0], prev: [2, 1, 1, 0, 300] });
      // Without a date range the queried range is used: /docs in R = S3 (V3a: 3 views, 600 s);
      // nobody saw /docs in P.
      assert.deepEqual(await stats({ cohort: cohorts.docsSameRange }), { value: [3, 1, 1, 0, 600], prev: [0, 0, 0, 0, 0] });
    });

    test('with filters, match=any and excludeBounce', async () => {
      // (/blog or /signup) and the signup cohort: V1b's /blog and V1a's /signup, one row each.
      // The cohort stays ANDed under match=any (else S3, S4 rows would count too).
      assert.deepEqual((await stats({ cohort: cohorts.signup, path: '/blog', path1: '/signup', match: 'any' })).value, [2, 1, 2, 2, 0]);
      // Kept visits of S1 and S2: V1a, V1b.
      assert.deepEqual((await stats({ cohort: cohorts.signup, excludeBounce: 1 })).value, [5, 1, 2, 0, 1510]);
      // With a segment (Germany) as well: S2.
      assert.deepEqual((await stats({ cohort: cohorts.signup, segment: cohorts.plainSegment })).value, [2, 1, 2, 2, 0]);
    });

    test('every read endpoint', async () => {
      // S2's views: V2a "/", V2b "/pricing".
      assert.deepEqual(await api('/metrics', { type: 'path', cohort: cohorts.signupDE }), [
        { x: '/', y: 1 },
        { x: '/pricing', y: 1 },
      ]);
      assert.deepEqual(await api('/metrics', { type: 'event', cohort: cohorts.signup }), [{ x: 'signup-click', y: 2 }]);
      // S3 on 11-04 (UTC).
      assert.deepEqual(await api('/pageviews', { unit: 'day', timezone: 'UTC', cohort: cohorts.docsSameRange }), {
        pageviews: [{ x: '2024-11-04 00:00:00', y: 3 }],
        sessions: [{ x: '2024-11-04 00:00:00', y: 1 }],
      });
      // S2's rows in R: two views and an event.
      assert.equal((await api('/events', { cohort: cohorts.signupDE })).count, 3);
      const sessions = await api('/sessions', { cohort: cohorts.signup });
      assert.deepEqual(
        sessions.data.map((s: any) => s.id),
        [SESSION.S1, SESSION.S2],
      );
      assert.deepEqual(await api('/events/stats', { cohort: cohorts.signupDE }), {
        data: { events: 1, visitors: 1, visits: 1, uniqueEvents: 1, comparison: { events: 0, visitors: 0, visits: 0, uniqueEvents: 0 } },
      });
      // W3, last hour: S6's /old (V6a) and /live (V6b, plus the ping): 2 views, 2 one-view visits.
      const now = Date.now();
      assert.deepEqual(await stats({ startAt: now - 3_600_000, endAt: now, cohort: cohorts.pingLive }, ids.w3), { value: [2, 1, 2, 2, 0], prev: [0, 0, 0, 0, 0] });
    });

    test('bad ids are a 400 naming cohort', async () => {
      await bad('/stats', { cohort: 'not-a-uuid' }, 'cohort');
      await bad('/stats', { cohort: '00000000-0000-4000-8000-000000000000' }, 'cohort');
      // A cohort of another website, a plain segment, a cohort with an unreadable date range.
      await bad('/stats', { cohort: cohorts.pingLive }, 'cohort');
      await bad('/metrics', { type: 'path', cohort: cohorts.plainSegment }, 'cohort');
      await bad('/sessions', { cohort: cohorts.broken }, 'cohort');
    });

    test('access: owner, share token; strangers get 401 before the cohort is looked up', async () => {
      const url = `/api/websites/${ids.w1}/stats${qs({ startAt: R.startAt, endAt: R.endAt, cohort: cohorts.signup })}`;
      assert.equal((await d.get(url, { headers: { 'x-umami-share-token': shareToken } })).body.pageviews.value, 7);
      assert.equal((await d.get(url, { token: stranger.token })).status, 401);
      assert.equal((await d.get(url)).status, 401);
      // A team viewer reads the team site; a W1 cohort there is someone else's: 400.
      const w2 = `/api/websites/${ids.w2}/stats${qs({ startAt: R.startAt, endAt: R.endAt, excludeBounce: 1 })}`;
      assert.equal((await d.get(w2, { token: viewer.token })).status, 200);
      assert.equal((await d.get(`${w2}&cohort=${cohorts.signup}`, { token: viewer.token })).status, 400);
    });
  });

  describe('export', () => {
    const NAMES = ['countries.csv', 'browsers.csv', 'devices.csv', 'events.csv', 'os.csv', 'pages.csv', 'referrers.csv'].sort();
    /** The export's files as lines, checking the answer is `{zip}` holding exactly the seven files. */
    async function files(params: Q = {}, opts: { token?: string; headers?: Record<string, string> } = { token: owner.token }, website = ids.w1) {
      const res = await d.get(`/api/websites/${website}/export${qs({ startAt: R.startAt, endAt: R.endAt, ...params })}`, opts);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(Object.keys(res.body), ['zip']);
      const unzipped = unzipSync(new Uint8Array(Buffer.from(res.body.zip, 'base64')));
      assert.deepEqual(Object.keys(unzipped).sort(), NAMES);
      return Object.fromEntries(Object.entries(unzipped).map(([name, bytes]) => [name, strFromU8(bytes).split('\r\n')]));
    }
    // Every golden row of R (the /metrics answers of test/analytics-golden.test.ts, 'metrics').
    const ALL = {
      // signup-click: V1a, V2b; download: V3a (event rows).
      'events.csv': ['x,y', 'signup-click,2', 'download,1'],
      // Views: / in V1a, V2a, V3a, V4a; /docs twice in V3a; /pricing in V1a, V2b; one each for the rest.
      'pages.csv': ['x,y', '/,4', '/docs,2', '/pricing,2', '/blog,1', '/blog/dst,1', '/edge,1', '/signup,1'],
      // No empty referrers, no self-referrals (example.com, www.example.com).
      'referrers.csv': ['x,y', 'google.com,1', 'news.ycombinator.com,1', 'www.google.com,1'],
      // Session types count visitors: S1 and S4 chrome, S2 firefox, S3 ios.
      'browsers.csv': ['x,y', 'chrome,2', 'firefox,1', 'ios,1'],
      'os.csv': ['x,y', 'Android OS,1', 'Mac OS,1', 'Windows 10,1', 'iOS,1'],
      'devices.csv': ['x,y', 'desktop,2', 'mobile,2'],
      'countries.csv': ['x,y', 'US,2', 'DE,1', 'IN,1'],
    };

    test('the /metrics lists of the range, as CSV', async () => {
      assert.deepEqual(await files(), ALL);
      // /metrics' paging and search are not export parameters: they neither trim the lists nor
      // fail the request.
      assert.deepEqual(await files({ limit: 1, offset: 2, search: 'blog' }), ALL);
      assert.deepEqual(await files({ limit: 'lots' }), ALL);
      // The previous period P: V2p "/" (S2, no referrer); V5a "/", "/pricing" (internal referrer)
      // and its download (S5).
      assert.deepEqual(await files({ startAt: P.startAt, endAt: P.endAt }), {
        'events.csv': ['x,y', 'download,1'],
        'pages.csv': ['x,y', '/,2', '/pricing,1'],
        'referrers.csv': ['x,y'],
        'browsers.csv': ['x,y', 'chrome,1', 'firefox,1'],
        'os.csv': ['x,y', 'Mac OS,1', 'Windows 10,1'],
        'devices.csv': ['x,y', 'desktop,2'],
        'countries.csv': ['x,y', 'DE,1', 'US,1'],
      });
    });

    test('filters, excludeBounce and cohort apply to every file', async () => {
      // Kept visits V1a (S1: google.com landing), V1b (S1), V3a (S3: www.google.com).
      assert.deepEqual(await files({ excludeBounce: 1 }), {
        'events.csv': ['x,y', 'download,1', 'signup-click,1'],
        'pages.csv': ['x,y', '/,2', '/docs,2', '/blog,1', '/blog/dst,1', '/pricing,1', '/signup,1'],
        'referrers.csv': ['x,y', 'google.com,1', 'www.google.com,1'],
        'browsers.csv': ['x,y', 'chrome,1', 'ios,1'],
        'os.csv': ['x,y', 'Windows 10,1', 'iOS,1'],
        'devices.csv': ['x,y', 'desktop,1', 'mobile,1'],
        'countries.csv': ['x,y', 'US,2'],
      });
      // Germany's signup cohort (S2): V2a "/" from news.ycombinator.com, V2b "/pricing" and its signup-click.
      assert.deepEqual(await files({ cohort: cohorts.signupDE }), {
        'events.csv': ['x,y', 'signup-click,1'],
        'pages.csv': ['x,y', '/,1', '/pricing,1'],
        'referrers.csv': ['x,y', 'news.ycombinator.com,1'],
        'browsers.csv': ['x,y', 'firefox,1'],
        'os.csv': ['x,y', 'Mac OS,1'],
        'devices.csv': ['x,y', 'desktop,1'],
        'countries.csv': ['x,y', 'DE,1'],
      });
      // A row filter: mobile sessions (S3, S4) in R.
      assert.deepEqual(await files({ device: 'mobile' }), {
        'events.csv': ['x,y', 'download,1'],
        'pages.csv': ['x,y', '/,2', '/docs,2', '/edge,1'],
        'referrers.csv': ['x,y', 'www.google.com,1'],
        'browsers.csv': ['x,y', 'chrome,1', 'ios,1'],
        'os.csv': ['x,y', 'Android OS,1', 'iOS,1'],
        'devices.csv': ['x,y', 'mobile,2'],
        'countries.csv': ['x,y', 'IN,1', 'US,1'],
      });
      // A filter that matches nothing: headers only.
      const none = await files({ path: '/nowhere' });
      for (const name of NAMES) assert.deepEqual(none[name], ['x,y'], name);
    });

    test('access and bad input', async () => {
      const url = (website: string) => `/api/websites/${website}/export${qs({ startAt: R.startAt, endAt: R.endAt })}`;
      assert.deepEqual((await files({}, { headers: { 'x-umami-share-token': shareToken } }))['countries.csv'], ALL['countries.csv']);
      assert.equal((await d.get(url(ids.w1), { token: stranger.token })).status, 401);
      assert.equal((await d.get(url(ids.w1))).status, 401);
      // The share token is W1's; the team viewer is not on W1.
      assert.equal((await d.get(url(ids.w2), { headers: { 'x-umami-share-token': shareToken } })).status, 401);
      assert.equal((await d.get(url(ids.w1), { token: viewer.token })).status, 401);
      // The team's view-only member reads the team site: S8's two views (GB; W2 is not reset here).
      assert.deepEqual(await files({}, { token: viewer.token }, ids.w2), {
        'events.csv': ['x,y'],
        'pages.csv': ['x,y', '/,1', '/x,1'],
        'referrers.csv': ['x,y'],
        'browsers.csv': ['x,y', 'edge,1'],
        'os.csv': ['x,y', 'Windows 10,1'],
        'devices.csv': ['x,y', 'desktop,1'],
        'countries.csv': ['x,y', 'GB,1'],
      });
      await bad('/export', { startAt: undefined }, 'startAt');
      await bad('/export', { startAt: R.endAt, endAt: R.startAt }, 'startAt');
      await bad('/export', { excludeBounce: 'often' }, 'excludeBounce');
      await bad('/export', { cohort: cohorts.plainSegment }, 'cohort');
      await bad('/export', { path: 're.(' }, 'path');
    });
  });
});
