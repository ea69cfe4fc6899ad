// UTM, goals and insights reports, golden, plus segments (CRUD and `segment=<id>` on reports).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dateRange, ReportFixture, visitor, STORES, stopAllStores } from '../helpers/reports-fixtures.js';

after(stopAllStores);

const RANGE = dateRange('2025-07-01T00:00:00.000Z', '2025-07-01T23:59:59.999Z');
const at = (hm: string) => `2025-07-01T${hm}:00Z`;
const base = { dateRange: RANGE, timezone: 'UTC' };

for (const store of STORES) describe(`utm, goals, insights, segments (${store.name})`, () => {
  let f: ReportFixture;

  before(async () => {
    f = await ReportFixture.start(store);
    // A (DE): / with utm google/cpc/summer 10:00, /pricing 10:05, signup event 10:06. One visit.
    await f.hits(visitor(undefined, 'DE'), [
      [at('10:00'), '/?utm_source=google&utm_medium=cpc&utm_campaign=summer'],
      [at('10:05'), '/pricing'],
      [at('10:06'), { url: '/pricing', name: 'signup' }],
    ]);
    // B (DE): / with utm google/cpc 11:00, bounces.
    await f.hits(visitor(undefined, 'DE'), [[at('11:00'), '/?utm_source=google&utm_medium=cpc']]);
    // C (FR): /blog/post-1 with utm newsletter 12:00, /blog/post-2 12:10, /pricing 12:20.
    await f.hits(visitor(undefined, 'FR'), [[at('12:00'), '/blog/post-1?utm_source=newsletter'], [at('12:10'), '/blog/post-2'], [at('12:20'), '/pricing']]);
    // D (US): /pricing 13:00, signup twice 13:01 and 13:02.
    await f.hits(visitor(undefined, 'US'), [[at('13:00'), '/pricing'], [at('13:01'), { url: '/pricing', name: 'signup' }], [at('13:02'), { url: '/pricing', name: 'signup' }]]);
  });

  test('utm: pageviews per value of each UTM field', async () => {
    const res = await f.report('utm', base);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    // utm_source on A's and B's landing rows (google) and C's (newsletter).
    assert.deepEqual(res.body, {
      utm_source: { google: 2, newsletter: 1 },
      utm_medium: { cpc: 2 },
      utm_campaign: { summer: 1 },
      utm_content: {},
      utm_term: {},
    });
  });

  test('goals: progress against the goal number', async () => {
    const res = await f.report('goals', {
      ...base,
      goals: [
        { type: 'url', value: '/pricing', goal: 4 },
        { type: 'event', value: 'signup', goal: 2 },
        { type: 'url', value: '/blog/*', goal: 1 },
      ],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    // /pricing: A, C, D viewed it once each = 3 of 4. signup: A once, D twice = 3 events by 2
    // visitors, 3 of 2. /blog/*: C's two posts = 2 of 1.
    assert.deepEqual(res.body, [
      { type: 'url', value: '/pricing', goal: 4, result: 3, visitors: 3, progress: 0.75 },
      { type: 'event', value: 'signup', goal: 2, result: 3, visitors: 2, progress: 1.5 },
      { type: 'url', value: '/blog/*', goal: 1, result: 2, visitors: 1, progress: 2 },
    ]);
  });

  test('goal (newer Umami): converting sessions against all sessions', async () => {
    const res = await f.report('goal', { type: 'goal', parameters: { startDate: RANGE.startDate, endDate: RANGE.endDate, type: 'event', value: 'signup' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { num: 2, total: 4 });
  });

  test('insights: breakdown by country', async () => {
    const res = await f.report('insights', { ...base, fields: [{ name: 'country', type: 'string', label: 'Country' }], filters: [] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    // DE: A 2 pageviews + B 1 = 3 views, 2 visitors, 2 visits; B bounced; A's visit lasted
    //     10:00 -> 10:05 = 300 s (the event row is not traffic).
    // FR: C 3 views, 1 visit, 12:00 -> 12:20 = 1200 s. US: D 1 view, a bounce, 0 s.
    assert.deepEqual(res.body, [
      { views: 3, visitors: 2, visits: 2, bounces: 1, totaltime: 300, country: 'DE' },
      { views: 3, visitors: 1, visits: 1, bounces: 0, totaltime: 1200, country: 'FR' },
      { views: 1, visitors: 1, visits: 1, bounces: 1, totaltime: 0, country: 'US' },
    ]);
  });

  test('insights: two fields and a filter', async () => {
    const res = await f.report('insights', {
      ...base,
      fields: [{ name: 'url' }, { name: 'country' }],
      filters: [{ name: 'url', operator: 'c', value: 'pric' }],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    // Only /pricing rows: one each for A (DE), C (FR), D (US).
    assert.deepEqual(
      res.body.map((r: any) => [r.url, r.country, r.views, r.visitors]),
      [['/pricing', 'DE', 1, 1], ['/pricing', 'FR', 1, 1], ['/pricing', 'US', 1, 1]],
    );
  });

  test('segments: CRUD, and segment=<id> narrows a report', async () => {
    const url = `/api/websites/${f.websiteId}/segments`;
    const created = await f.dashi.post(url, { type: 'segment', name: 'Germany', parameters: { filters: [{ name: 'country', operator: 'eq', value: 'DE' }] } }, { token: f.token });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const id = created.body.id;
    assert.equal(created.body.websiteId, f.websiteId);
    await f.dashi.post(url, { type: 'cohort', name: 'Buyers', parameters: { filters: [], action: { type: 'event', value: 'signup' } } }, { token: f.token });

    const list = await f.dashi.get(`${url}?type=segment`, { token: f.token });
    assert.equal(list.status, 200);
    assert.equal(list.body.count, 1);
    assert.deepEqual(list.body.data.map((s: any) => s.name), ['Germany']);
    const all = await f.dashi.get(url, { token: f.token });
    assert.equal(all.body.count, 2);

    // Goals within the segment: only A and B (DE). /pricing: A = 1; signup: A = 1.
    const goals = await f.report('goals', { ...base, segment: id, goals: [{ type: 'url', value: '/pricing', goal: 1 }, { type: 'event', value: 'signup', goal: 1 }] });
    assert.equal(goals.status, 200, JSON.stringify(goals.body));
    assert.deepEqual(goals.body.map((g: any) => g.result), [1, 1]);
    // Newer shape: the segment inside `filters`.
    const utm = await f.report('utm', { type: 'utm', filters: { segment: id }, parameters: { startDate: RANGE.startDate, endDate: RANGE.endDate } });
    assert.equal(utm.status, 200, JSON.stringify(utm.body));
    assert.deepEqual(utm.body.utm_source, { google: 2 });

    // The read endpoints take `segment=<id>` too. Germany = A and B: pageviews A '/', '/pricing'
    // and B '/' = 3 (A's signup is an event); visitors 2; B's visit is the bounce. The same as
    // filtering by country=DE.
    const day = `startAt=${Date.UTC(2025, 6, 1)}&endAt=${Date.UTC(2025, 6, 2) - 1}`;
    const read = async (path: string) => {
      const res = await f.dashi.get(`/api/websites/${f.websiteId}${path}`, { token: f.token });
      assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const stats = await read(`/stats?${day}&segment=${id}`);
    assert.deepEqual([stats.pageviews.value, stats.visitors.value, stats.visits.value, stats.bounces.value], [3, 2, 2, 1]);
    assert.deepEqual(stats, await read(`/stats?${day}&country=DE`));
    assert.deepEqual(await read(`/metrics?${day}&type=path&segment=${id}`), [
      { x: '/', y: 2 },
      { x: '/pricing', y: 1 },
    ]);
    const unknown = await f.dashi.get(`/api/websites/${f.websiteId}/stats?${day}&segment=00000000-0000-4000-8000-000000000000`, { token: f.token });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error.message, /segment/);

    const renamed = await f.dashi.post(`${url}/${id}`, { name: 'DE' }, { token: f.token });
    assert.equal(renamed.status, 200);
    assert.equal((await f.dashi.get(`${url}/${id}`, { token: f.token })).body.name, 'DE');
    const bad = await f.dashi.post(`${url}/${id}`, { parameters: { filters: [{ name: 'nope', operator: 'eq', value: 'x' }] } }, { token: f.token });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /filters\.0\.name/);
    assert.deepEqual((await f.dashi.del(`${url}/${id}`, { token: f.token })).body, { ok: true });
    assert.equal((await f.dashi.get(`${url}/${id}`, { token: f.token })).status, 404);
    // A deleted (or foreign) segment is a 400 naming `segment`, not a 5xx.
    const gone = await f.report('utm', { ...base, segment: id });
    assert.equal(gone.status, 400);
    assert.match(gone.body.error.message, /segment/);
  });
});
