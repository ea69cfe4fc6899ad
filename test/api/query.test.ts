// POST /api/websites/:websiteId/query on every store, against the golden fixture
// (test/fixtures/golden.ts): the same numbers as the fixed routes, hand-computed two-dimension
// breakdowns, and/or/not filters, the "other" row, relative ranges, permissions and bad input.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestUser } from '../helpers/api.js';
import { goldenWorld } from '../helpers/golden-world.js';
import { stopAll, type Dashi } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';
import { R } from '../fixtures/golden.js';

const STORES = await testStores();

let d: Dashi;
let owner: TestUser;
let stranger: TestUser;
let shareToken: string;
let ids = { w1: '', w2: '', w3: '' };

const range = { startAt: R.startAt, endAt: R.endAt };

async function ask(body: Record<string, unknown>, opts: { token?: string; headers?: Record<string, string>; website?: string } = {}) {
  return d.post(`/api/websites/${opts.website ?? ids.w1}/query`, { dateRange: range, ...body }, { token: opts.token ?? owner.token, headers: opts.headers });
}

async function ok(body: Record<string, unknown>, opts: Parameters<typeof ask>[1] = {}) {
  const res = await ask(body, opts);
  assert.equal(res.status, 200, `${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function get(path: string, params: Record<string, string | number>) {
  const qs = new URLSearchParams(Object.entries({ startAt: R.startAt, endAt: R.endAt, ...params }).map(([k, v]) => [k, String(v)]));
  const res = await d.get(`/api/websites/${ids.w1}${path}?${qs}`, { token: owner.token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

const STATS = ['pageviews', 'visitors', 'visits', 'bounces', 'totaltime'];

for (const store of STORES) describe(`query endpoint (${store.name})`, () => {
  before(async () => {
    ({ d, owner, stranger, shareToken, ids } = await goldenWorld(await store.env(), 'query'));
  });

  after(async () => {
    await stopAll();
    await store.cleanup();
  });

  test('totals with comparison answer what /stats answers', async () => {
    for (const filter of [{}, { browser: 'neq.chrome' }, { path: 'c.doc' }] as Record<string, string>[]) {
      const stats = await get('/stats', filter);
      const filters = Object.entries(filter).map(([dimension, v]) => {
        const [op, value] = String(v).split('.', 2) as [string, string];
        return { dimension, operator: op, value };
      });
      const body = await ok({ metrics: STATS, compare: 'prev', ...(filters.length ? { filters } : {}) });
      assert.equal(body.data.length, 1);
      assert.equal(body.prev.length, 1);
      for (const m of STATS) {
        assert.equal(body.data[0][m], stats[m].value, `${m} ${JSON.stringify(filter)}`);
        assert.equal(body.prev[0][m], stats[m].prev, `prev ${m} ${JSON.stringify(filter)}`);
      }
      assert.equal(body.meta.truncated, false);
      assert.deepEqual(body.meta.compare, { mode: 'prev', startAt: '2024-10-30T00:00:00.000Z', endAt: '2024-11-01T23:59:59.999Z' });
    }
    // Unfiltered whole-slot totals are answered by the rollups where the store keeps them.
    const body = await ok({ metrics: STATS });
    assert.deepEqual(body.meta.sources, [store.name === 'duckdb' ? 'rollups' : 'events']);
  });

  test('a page-view series answers what /pageviews answers', async () => {
    for (const [unit, timezone] of [['day', 'UTC'], ['hour', 'America/New_York'], ['month', 'Asia/Kolkata']]) {
      const fixed = await get('/pageviews', { unit, timezone });
      const body = await ok({ metrics: ['pageviews', 'visitors'], dimensions: ['time'], unit, timezone, limit: 1000 });
      assert.deepEqual(
        body.data.map((r: Record<string, unknown>) => ({ x: r.time, y: r.pageviews })),
        fixed.pageviews,
        `${unit} ${timezone}`,
      );
      assert.deepEqual(body.data.map((r: Record<string, unknown>) => ({ x: r.time, y: r.visitors })), fixed.sessions);
      assert.deepEqual(body.meta.columns.map((c: { name: string; type: string }) => [c.name, c.type]), [['time', 'datetime'], ['pageviews', 'integer'], ['visitors', 'integer']]);
    }
    // Day buckets in UTC, by hand: 11-02 V1a 3 + V2a 1 = 4; 11-03 V2b 1 + V1b 2 = 3; 11-04 V3a 3 + V4a + V4b = 5.
    const days = await ok({ metrics: ['pageviews'], dimensions: [{ time: 'day' }] });
    assert.deepEqual(days.data, [
      { time: '2024-11-02 00:00:00', pageviews: 4 },
      { time: '2024-11-03 00:00:00', pageviews: 3 },
      { time: '2024-11-04 00:00:00', pageviews: 5 },
    ]);
  });

  test('breakdowns answer what /metrics answers', async () => {
    for (const [type, filter] of [['path', {}], ['referrer', {}], ['browser', {}], ['country', { device: 'mobile' }], ['event', {}], ['entry', {}], ['channel', {}]] as const) {
      const fixed = await get('/metrics', { type, ...filter });
      const countBy = type === 'event' ? 'events' : type === 'entry' ? 'visits' : ['path', 'referrer'].includes(type) ? 'pageviews' : 'visitors';
      const filters = Object.entries(filter).map(([dimension, value]) => ({ dimension, value }));
      const body = await ok({ metrics: [countBy], dimensions: [type], filters });
      assert.deepEqual(
        body.data.map((r: Record<string, unknown>) => ({ x: r[type], y: r[countBy] })),
        fixed,
        type,
      );
      assert.equal(body.meta.rows, type === 'event' ? 'custom' : 'traffic');
    }
  });

  test('two dimensions: country by browser, by hand', async () => {
    // Traffic rows in R per session: S1 (US, chrome) V1a 3 + V1b 2 = 5 views, 2 visits, no
    // bounce, 310 + 1200 = 1510 s; S3 (US, ios) V3a 3 views, 600 s; S2 (DE, firefox) V2a 1 +
    // V2b 1 = 2 views, 2 bounces; S4 (IN, chrome) V4a 1 + V4b 1 = 2 views, 2 bounces.
    const body = await ok({ metrics: ['pageviews', 'visitors', 'visits', 'bounces', 'totaltime', 'bounceRate'], dimensions: ['country', 'browser'], orderBy: [{ by: 'pageviews', dir: 'desc' }] });
    assert.deepEqual(body.data, [
      { country: 'US', browser: 'chrome', pageviews: 5, visitors: 1, visits: 2, bounces: 0, totaltime: 1510, bounceRate: 0 },
      { country: 'US', browser: 'ios', pageviews: 3, visitors: 1, visits: 1, bounces: 0, totaltime: 600, bounceRate: 0 },
      // Ties (2 views) by country, then browser.
      { country: 'DE', browser: 'firefox', pageviews: 2, visitors: 1, visits: 2, bounces: 2, totaltime: 0, bounceRate: 1 },
      { country: 'IN', browser: 'chrome', pageviews: 2, visitors: 1, visits: 2, bounces: 2, totaltime: 0, bounceRate: 1 },
    ]);
    // The same order in the short forms.
    for (const orderBy of ['pageviews', 'pageviews:desc', ['pageviews'], { by: 'pageviews' }]) {
      assert.deepEqual((await ok({ metrics: ['pageviews', 'visitors', 'visits', 'bounces', 'totaltime', 'bounceRate'], dimensions: ['country', 'browser'], orderBy })).data, body.data);
    }
    // Device by country ordered by the dimension: desktop = S1 (US) and S2 (DE); mobile = S3 (US), S4 (IN).
    const byDevice = await ok({ metrics: ['visitors'], dimensions: ['device', 'country'], orderBy: [{ by: 'device', dir: 'asc' }, { by: 'country', dir: 'desc' }] });
    assert.deepEqual(byDevice.data, [
      { device: 'desktop', country: 'US', visitors: 1 },
      { device: 'desktop', country: 'DE', visitors: 1 },
      { device: 'mobile', country: 'US', visitors: 1 },
      { device: 'mobile', country: 'IN', visitors: 1 },
    ]);
  });

  test('ratios come from the registry: bounce rate, visit duration, views per visit', async () => {
    // R: 12 views, 7 visits, 4 bounces, 2110 s.
    const body = await ok({ metrics: ['bounceRate', 'visitDuration', 'viewsPerVisit', 'visits'] });
    assert.deepEqual(body.data, [{ bounceRate: 4 / 7, visitDuration: 2110 / 7, viewsPerVisit: 12 / 7, visits: 7 }]);
    assert.deepEqual(body.meta.columns.map((c: { type: string }) => c.type), ['number', 'number', 'number', 'integer']);
    // Ordered by a ratio (computed in SQL): DE and IN bounce every visit (2/2), US visits never (0/3).
    const ordered = await ok({ metrics: ['bounceRate'], dimensions: ['country'], orderBy: [{ by: 'bounceRate', dir: 'desc' }] });
    assert.deepEqual(ordered.data, [
      { country: 'DE', bounceRate: 1 },
      { country: 'IN', bounceRate: 1 },
      { country: 'US', bounceRate: 0 },
    ]);
  });

  test('and / or / not filters', async () => {
    const totals = async (filters: unknown) => {
      const body = await ok({ metrics: STATS, filters });
      return STATS.map((m) => body.data[0][m]);
    };
    // DE, or US on mobile: S2 (V2a, V2b: 2 one-view visits) and S3 (V3a: 3 views, 600 s).
    assert.deepEqual(
      await totals({ or: [{ dimension: 'country', operator: 'eq', value: 'DE' }, { and: [{ dimension: 'country', value: 'US' }, { dimension: 'device', operator: 'eq', value: 'mobile' }] }] }),
      [5, 2, 3, 2, 600],
    );
    // Not chrome: the same two sessions.
    assert.deepEqual(await totals({ not: { dimension: 'browser', value: 'chrome' } }), [5, 2, 3, 2, 600]);
    // A list is ANDed: US and path contains "doc" (V3a's two /docs views, 04:31 -> 04:40 = 540 s).
    assert.deepEqual(await totals([{ dimension: 'country', value: 'US' }, { dimension: 'path', operator: 'contains', value: 'DOC' }]), [2, 1, 1, 0, 540]);
    // Regex and its negation, as the GET routes' re. / nre.
    assert.deepEqual(await totals({ dimension: 'path', operator: 'regex', value: '^/blog' }), [2, 1, 1, 0, 1200]);
    assert.deepEqual(await totals({ dimension: 'path', operator: 'notRegex', value: '^/blog' }), [10, 4, 6, 4, 910]);
    assert.deepEqual(await totals({ dimension: 'path', operator: 'doesNotContain', value: '/' }), [0, 0, 0, 0, 0]);
    // eq with a list: "/" (4 one-view groups) and "/edge".
    assert.deepEqual(await totals({ dimension: 'url', operator: 'eq', value: ['/', '/edge'] }), [5, 4, 5, 5, 0]);
    // Event (custom rows) as a filter on page traffic: views of visits that fired signup-click.
    assert.deepEqual(await totals({ dimension: 'event', value: 'signup-click' }), [4, 2, 2, 1, 310]);
  });

  test('a breakdown cut by its limit: top rows plus one "other" row', async () => {
    // Views per path in R: / 4, /docs 2, /pricing 2, /blog, /blog/dst, /edge, /signup 1 each.
    const body = await ok({ metrics: ['pageviews', 'visitors'], dimensions: ['path'], limit: 2 });
    assert.equal(body.meta.truncated, true);
    assert.equal(body.meta.other, true);
    assert.deepEqual(body.data, [
      { path: '/', pageviews: 4, visitors: 4 },
      { path: '/docs', pageviews: 2, visitors: 1 },
      // The rest: 12 - 6 = 6 views by S1 (/pricing, /signup, /blog, /blog/dst), S2 (/pricing), S4 (/edge).
      { path: null, pageviews: 6, visitors: 3, other: true },
    ]);
    assert.deepEqual((await get('/metrics', { type: 'path', limit: 2 })).map((r: { x: string }) => r.x), ['/', '/docs']);
    // Paging: the next two, no other row.
    const page = await ok({ metrics: ['pageviews'], dimensions: ['path'], limit: 2, offset: 2 });
    assert.deepEqual(page.data, [{ path: '/pricing', pageviews: 2 }, { path: '/blog', pageviews: 1 }]);
    assert.equal(page.meta.truncated, true);
    assert.equal(page.meta.other, false);
    // Two dimensions: the top country/browser pair and the rest (S2, S3, S4: 7 views).
    const pairs = await ok({ metrics: ['pageviews', 'visitors'], dimensions: ['country', 'browser'], limit: 1 });
    assert.deepEqual(pairs.data, [
      { country: 'US', browser: 'chrome', pageviews: 5, visitors: 1 },
      { country: null, browser: null, pageviews: 7, visitors: 3, other: true },
    ]);
    // Referrers leave out self-referrals in the other row too: google.com, news.ycombinator.com,
    // www.google.com; example.com rows are internal navigation.
    const refs = await ok({ metrics: ['pageviews'], dimensions: ['referrer'], limit: 1 });
    assert.deepEqual(refs.data, [{ referrer: 'google.com', pageviews: 1 }, { referrer: null, pageviews: 2, other: true }]);
    // Not cut: no other row.
    const whole = await ok({ metrics: ['pageviews'], dimensions: ['country'] });
    assert.equal(whole.meta.truncated, false);
    assert.equal(whole.data.length, 3);
  });

  test('relative date ranges in a time zone', async () => {
    // W3's rows are 40, 8 and 1 minutes old: 3 views by S6 and S7, all inside the current hour and the 23 before.
    for (const dateRange of ['24hour', '7day', 'all']) {
      const body = await ok({ metrics: ['pageviews', 'visitors'], dateRange, timezone: 'Europe/Berlin' }, { website: ids.w3 });
      assert.deepEqual(body.data, [{ pageviews: 3, visitors: 2 }], dateRange);
    }
    const month = await ok({ metrics: ['pageviews'], dateRange: 'thisMonth' }, { website: ids.w3 });
    const start = new Date(month.meta.startAt);
    assert.equal(start.getUTCDate(), 1);
    assert.equal(start.getUTCHours(), 0);
    // ISO dates work as well as epoch milliseconds.
    const iso = await ok({ metrics: ['pageviews'], dateRange: { startAt: '2024-11-02T00:00:00Z', endAt: '2024-11-04T23:59:59.999Z' } });
    assert.deepEqual(iso.data, [{ pageviews: 12 }]);
  });

  test('permissions: view access, share tokens', async () => {
    assert.equal((await ask({ metrics: ['pageviews'] }, { token: stranger.token })).status, 401);
    assert.equal((await d.post(`/api/websites/${ids.w1}/query`, { metrics: ['pageviews'], dateRange: range })).status, 401);
    const shared = await d.post(`/api/websites/${ids.w1}/query`, { metrics: ['pageviews'], dateRange: range }, { headers: { 'x-umami-share-token': shareToken } });
    assert.equal(shared.status, 200);
    assert.deepEqual(shared.body.data, [{ pageviews: 12 }]);
    // A share token of W1 reads nothing else.
    const other = await d.post(`/api/websites/${ids.w3}/query`, { metrics: ['pageviews'], dateRange: range }, { headers: { 'x-umami-share-token': shareToken } });
    assert.equal(other.status, 401);
    // Permission comes before validation: a stranger learns nothing from a bad body.
    assert.equal((await ask({ metrics: ['nope'] }, { token: stranger.token })).status, 401);
  });

  test('bad input is a 400 naming the field', async () => {
    const wide = Array.from({ length: 50 }, (_, i) => ({ or: Array.from({ length: 20 }, (_, j) => ({ dimension: 'path', value: `/${i}/${j}` })) }));
    const cases: [Record<string, unknown>, string][] = [
      [{ metrics: ['__proto__'] }, 'metrics.0'],
      [{ metrics: ['constructor'] }, 'metrics.0'],
      [{ metrics: [] }, 'metrics'],
      [{ metrics: ['pageviews', 'pageviews'] }, 'metrics'],
      [{ metrics: 'pageviews' }, 'metrics'],
      [{ metrics: ['pageviews'], dimensions: ['toString'] }, 'dimensions.0'],
      [{ metrics: ['pageviews'], dimensions: ['country', 'browser', 'os', 'device'] }, 'dimensions'],
      [{ metrics: ['pageviews'], dimensions: ['country', 'country'] }, 'dimensions.1'],
      [{ metrics: ['pageviews'], dimensions: [{ time: 'fortnight' }] }, 'dimensions.0.time'],
      [{ metrics: ['pageviews'], dimensions: ['event'] }, 'metrics.0'],
      [{ metrics: ['countries', 'bounces'] }, 'metrics'],
      [{ metrics: ['pageviews'], limit: 1e9 }, 'limit'],
      [{ metrics: ['pageviews'], limit: 0 }, 'limit'],
      [{ metrics: ['pageviews'], limit: 1.5 }, 'limit'],
      [{ metrics: ['pageviews'], offset: -1 }, 'offset'],
      [{ metrics: ['pageviews'], filters: { and: wide } }, 'filters'],
      [{ metrics: ['pageviews'], filters: { dimension: '__proto__', value: 'x' } }, 'filters.dimension'],
      [{ metrics: ['pageviews'], filters: { dimension: 'country', operator: 'hasOwnProperty', value: 'x' } }, 'filters.operator'],
      [{ metrics: ['pageviews'], filters: { and: [{ dimension: 'country', value: 'DE' }, { dimension: 'path', operator: 'gt', value: 'x' }] } }, 'filters.and.1.operator'],
      [{ metrics: ['pageviews'], filters: { dimension: 'path', operator: 'regex', value: '(?=x)' } }, 'filters.value'],
      [{ metrics: ['pageviews'], filters: { dimension: 'path', operator: 'contains', value: ['a', 'b'] } }, 'filters.value'],
      [{ metrics: ['pageviews'], filters: { dimension: 'path', value: 'x'.repeat(501) } }, 'filters.value'],
      [{ metrics: ['pageviews'], dateRange: 'fortnight' }, 'dateRange'],
      [{ metrics: ['pageviews'], dateRange: 'constructor' }, 'dateRange'],
      [{ metrics: ['pageviews'], dateRange: '__proto__' }, 'dateRange'],
      [{ metrics: ['pageviews'], orderBy: 'constructor' }, 'orderBy'],
      [{ metrics: ['pageviews'], orderBy: { by: '__proto__' } }, 'orderBy.by'],
      [{ metrics: ['pageviews'], dimensions: [{ time: 'day', __x: 1 }] }, 'dimensions.0'],
      [{ metrics: ['pageviews'], dateRange: { startAt: R.endAt, endAt: R.startAt } }, 'dateRange.startAt'],
      [{ metrics: ['pageviews'], dateRange: { startAt: 'yesterday', endAt: R.endAt } }, 'dateRange.startAt'],
      [{ metrics: ['pageviews'], dateRange: undefined }, 'dateRange'],
      [{ metrics: ['pageviews'], timezone: 'Mars/Olympus' }, 'timezone'],
      [{ metrics: ['pageviews'], compare: 'lastweek' }, 'compare'],
      [{ metrics: ['pageviews'], orderBy: [{ by: 'visitors' }] }, 'orderBy.0.by'],
      [{ metrics: ['pageviews'], orderBy: 'visitors' }, 'orderBy'],
      [{ metrics: ['pageviews'], orderBy: ['pageviews:up'] }, 'orderBy.0'],
      [{ metrics: ['pageviews'], constructor: 1 }, 'body'],
      [{ metrics: ['pageviews'], unknownKey: 1 }, 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await ask(body);
      assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 200)}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      assert.match(res.body.error.message, new RegExp(`Invalid ${field.replace(/\./g, '\\.')}\\b`), `${JSON.stringify(body).slice(0, 200)}: ${res.body.error.message}`);
    }
    // Nested deeper than a client's JSON.stringify goes: sent as text.
    const deep = `{"metrics":["pageviews"],"dateRange":"7day","filters":${'{"not":'.repeat(5000)}{"dimension":"country","value":"DE"}${'}'.repeat(5001)}`;
    const res = await d.post(`/api/websites/${ids.w1}/query`, undefined, { token: owner.token, rawBody: deep, headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 400);
    assert.match(res.body.error.message, /^Invalid filters: nested deeper than 8 levels/);
    // Not an object at all.
    for (const raw of ['[1,2]', '"x"', '3', 'null', '{"metrics":["pageviews"],"__proto__":{"limit":5}}', `{"metrics":["pageviews"],"dateRange":"7day","filters":${'['.repeat(100000)}`]) {
      const res = await d.post(`/api/websites/${ids.w1}/query`, undefined, { token: owner.token, rawBody: raw, headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 400, raw);
    }
    // Ill-formed Unicode in a value is just a value that matches nothing.
    const odd = await ok({ metrics: ['pageviews'], filters: { dimension: 'path', value: '/\ud800x' } });
    assert.deepEqual(odd.data, [{ pageviews: 0 }]);
  });
});
