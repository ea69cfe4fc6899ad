// Revenue report, golden: two currencies kept apart, buckets in Europe/Berlin (UTC+2 in June).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dateRange, ReportFixture, visitor, STORES, stopAllStores, type HitInput } from '../helpers/reports-fixtures.js';

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

after(stopAllStores);

// Berlin 10 June 00:00 .. 12 June 23:59:59.999.
const RANGE = dateRange('2025-06-09T22:00:00.000Z', '2025-06-12T21:59:59.999Z');
const buy = (name: string, revenue: unknown, currency?: string) => ({ url: '/checkout', name, data: currency === undefined ? { revenue } : { revenue, currency } });

for (const store of STORES) describe(`revenue (${store.name})`, () => {
  let f: ReportFixture;

  before(async () => {
    f = await ReportFixture.start(store);
    const v1 = visitor(undefined, 'DE');
    const v2 = visitor(undefined, 'FR');
    const v3 = visitor(undefined, 'US');
    const v4 = visitor(undefined, 'DE');
    const v5 = visitor(undefined, 'DE');
    // V1 (DE): 19.99 EUR at 08:00Z and 10 EUR at 21:30Z, both Berlin 10 June.
    await f.hits(v1, [['2025-06-10T08:00:00Z', buy('checkout', 19.99, 'EUR')], ['2025-06-10T21:30:00Z', buy('checkout', 10, 'EUR')]]);
    // V2 (FR): 5.5 "eur" at 22:30Z = Berlin 11 June 00:30 (10 June in UTC). Currency case-folded.
    await f.hit(v2, '2025-06-10T22:30:00Z', buy('checkout', 5.5, 'eur'));
    // V3 (US): 100 USD checkout and 20 USD upsell on 11 June.
    await f.hits(v3, [['2025-06-11T09:00:00Z', buy('checkout', 100, 'USD')], ['2025-06-11T09:05:00Z', buy('upsell', 20, 'USD')]]);
    // V4 (DE): 40 USD on 11 June, 30.01 EUR on 12 June.
    await f.hits(v4, [['2025-06-11T10:00:00Z', buy('checkout', 40, 'USD')], ['2025-06-12T10:00:00Z', buy('checkout', 30.01, 'EUR')]]);
    // Noise: a non-numeric revenue, a revenue without currency, a pageview, and 1000 EUR at
    // Berlin 9 June 23:00 (before the range).
    await f.hits(v5, [
      ['2025-06-10T12:00:00Z', buy('checkout', 'free', 'EUR')],
      ['2025-06-10T12:01:00Z', buy('checkout', 7)],
      ['2025-06-10T12:02:00Z', '/'],
      ['2025-06-09T21:00:00Z', buy('checkout', 1000, 'EUR')],
    ]);
  });

  test('EUR: chart by Berlin day, country, total; table with both currencies', async () => {
    const res = await f.report('revenue', { dateRange: RANGE, timezone: 'Europe/Berlin', currency: 'EUR' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    // EUR rows: 19.99 + 10 (10 June, V1), 5.5 (11 June, V2), 30.01 (12 June, V4).
    assert.deepEqual(res.body.chart, [
      { x: 'checkout', t: '2025-06-10 00:00:00', y: 29.99, count: 2 },
      { x: 'checkout', t: '2025-06-11 00:00:00', y: 5.5, count: 1 },
      { x: 'checkout', t: '2025-06-12 00:00:00', y: 30.01, count: 1 },
    ]);
    // DE: 19.99 + 10 + 30.01 = 60; FR: 5.5.
    assert.deepEqual(res.body.country, [{ name: 'DE', value: 60 }, { name: 'FR', value: 5.5 }]);
    // Sum 65.5 over 4 events by 3 sessions; average 65.5 / 4 = 16.375.
    assert.deepEqual(res.body.total, { sum: 65.5, count: 4, unique_count: 3, average: 16.375 });
    // USD: 100 + 20 + 40 = 160 over 3 events by 2 sessions; most revenue first.
    assert.deepEqual(res.body.table, [
      { currency: 'USD', sum: 160, count: 3, unique_count: 2 },
      { currency: 'EUR', sum: 65.5, count: 4, unique_count: 3 },
    ]);
  });

  test('USD is never mixed with EUR', async () => {
    const res = await f.report('revenue', { dateRange: RANGE, timezone: 'Europe/Berlin', currency: 'usd' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.chart, [
      { x: 'checkout', t: '2025-06-11 00:00:00', y: 140, count: 2 },
      { x: 'upsell', t: '2025-06-11 00:00:00', y: 20, count: 1 },
    ]);
    assert.deepEqual(res.body.country, [{ name: 'US', value: 120 }, { name: 'DE', value: 40 }]);
    assert.equal(res.body.total.sum, 160);
    assert.equal(res.body.total.unique_count, 2);
    assert.ok(Math.abs(res.body.total.average - 160 / 3) < 1e-3);
  });

  test('in UTC, V2 falls on 10 June', async () => {
    const res = await f.report('revenue', { dateRange: dateRange('2025-06-10T00:00:00.000Z', '2025-06-12T23:59:59.999Z'), timezone: 'UTC', currency: 'EUR' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.chart.map((r: any) => [r.t, r.y]), [['2025-06-10 00:00:00', 35.49], ['2025-06-12 00:00:00', 30.01]]);
  });

  test('GET /api/reports/revenue lists the currencies seen', async () => {
    const q = `websiteId=${f.websiteId}&startDate=${RANGE.startDate}&endDate=${RANGE.endDate}`;
    const res = await f.dashi.get(`/api/reports/revenue?${q}`, { token: f.token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, [{ currency: 'USD' }, { currency: 'EUR' }]);
    // Only 9 June (Berlin): the 1000 EUR event.
    const before = await f.dashi.get(`/api/reports/revenue?websiteId=${f.websiteId}&startAt=${Date.parse('2025-06-08T22:00:00Z')}&endAt=${Date.parse('2025-06-09T21:59:59Z')}`, { token: f.token });
    assert.equal(before.status, 200, JSON.stringify(before.body));
    assert.deepEqual(before.body, [{ currency: 'EUR' }]);
    const missing = await f.dashi.get(`/api/reports/revenue?websiteId=${f.websiteId}`, { token: f.token });
    assert.equal(missing.status, 400);
    assert.match(missing.body.error.message, /startDate/);
  });

  describe('newer Umami body: comparison, region, referrer, channel', () => {
    let site = '';
    // 1 and 2 July (UTC); the previous period is 29 and 30 June.
    const parameters = { startDate: '2025-07-01T00:00:00.000Z', endDate: '2025-07-02T23:59:59.999Z', timezone: 'UTC', currency: 'EUR' };
    const send = async (v: ReturnType<typeof visitor>, list: [string, HitInput | string][]) => {
      for (const [at, input] of list) await f.hit(v, at, typeof input === 'string' ? { url: input } : input, site);
    };

    before(async () => {
      site = await f.createWebsite('Shop 2', 'shop2.example');
      // A (DE-BE): lands from Google, then pays 50 + 25 EUR.
      await send(visitor(undefined, 'DE', 'BE'), [
        ['2025-07-01T09:00:00Z', { url: '/', referrer: 'https://www.google.com/search?q=shop' }],
        ['2025-07-01T09:05:00Z', buy('checkout', 50, 'EUR')],
        ['2025-07-01T09:10:00Z', buy('checkout', 25, 'EUR')],
      ]);
      // B (DE-BY): lands from a newsletter (utm_medium=email), pays 20 EUR.
      await send(visitor(undefined, 'DE', 'BY'), [
        ['2025-07-01T10:00:00Z', '/?utm_source=newsletter&utm_medium=email'],
        ['2025-07-01T10:05:00Z', buy('checkout', 20, 'EUR')],
      ]);
      // C (FR-IDF): its first row is the purchase itself, no referrer: direct. 10 EUR, 5 USD.
      await send(visitor(undefined, 'FR', 'IDF'), [
        ['2025-07-01T11:00:00Z', buy('checkout', 10, 'EUR')],
        ['2025-07-01T11:05:00Z', buy('checkout', 5, 'USD')],
      ]);
      // D1, D2: visits without revenue.
      await send(visitor(undefined, 'US'), [['2025-07-02T12:00:00Z', '/']]);
      await send(visitor(undefined, 'US'), [['2025-07-02T13:00:00Z', '/pricing']]);
      // Previous period: E pays 40 EUR, F only visits.
      await send(visitor(undefined, 'DE'), [['2025-06-30T08:00:00Z', '/'], ['2025-06-30T08:01:00Z', buy('checkout', 40, 'EUR')]]);
      await send(visitor(undefined, 'DE'), [['2025-06-30T09:00:00Z', '/']]);
    });

    test('totals with the previous period, and revenue by region, referrer and channel', async () => {
      const res = await f.report('revenue', { websiteId: site, type: 'revenue', filters: {}, parameters });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(Object.keys(res.body).sort(), ['channel', 'chart', 'country', 'referrer', 'region', 'total']);
      assert.deepEqual(res.body.chart, [{ x: 'checkout', t: '2025-07-01 00:00:00', y: 105, count: 4 }]);
      // EUR: 50 + 25 + 20 + 10 = 105 over 4 events by 3 sessions; 5 sessions in range (A, B, C,
      // D1, D2): ARPU 105 / 5 = 21; average 105 / 4 = 26.25. Before: E's 40 EUR, sessions E, F.
      assert.deepEqual(res.body.total, {
        sum: 105,
        count: 4,
        unique_count: 3,
        total_sessions: 5,
        average: 26.25,
        arpu: 21,
        comparison: { sum: 40, count: 1, unique_count: 1, total_sessions: 2, average: 40, arpu: 20 },
      });
      assert.deepEqual(res.body.country, [{ name: 'DE', value: 95 }, { name: 'FR', value: 10 }]);
      assert.deepEqual(res.body.region, [
        { name: 'DE-BE', value: 75, country: 'DE' },
        { name: 'DE-BY', value: 20, country: 'DE' },
        { name: 'FR-IDF', value: 10, country: 'FR' },
      ]);
      // First rows: A from google.com (75); B and C without a referrer (20 + 10).
      assert.deepEqual(res.body.referrer, [{ name: 'google.com', value: 75 }, { name: '', value: 30 }]);
      assert.deepEqual(res.body.channel, [{ name: 'organicSearch', value: 75 }, { name: 'email', value: 20 }, { name: 'direct', value: 10 }]);
    });

    test('compare=yoy looks a year back; a bad compare is a 400', async () => {
      const res = await f.report('revenue', { websiteId: site, type: 'revenue', filters: {}, parameters: { ...parameters, compare: 'yoy' } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.total.comparison, { sum: 0, count: 0, unique_count: 0, total_sessions: 0, average: 0, arpu: 0 });
      const bad = await f.report('revenue', { websiteId: site, type: 'revenue', filters: {}, parameters: { ...parameters, compare: 'week' } });
      assert.equal(bad.status, 400, JSON.stringify(bad.body));
      assert.match(bad.body.error.message, /compare/);
    });

    test('filters narrow revenue and sessions alike', async () => {
      // country DE: A and B pay 95 EUR; DE sessions in range: A, B. Before: E (40), F.
      const res = await f.report('revenue', { websiteId: site, type: 'revenue', filters: { country: 'DE' }, parameters });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.total, {
        sum: 95,
        count: 3,
        unique_count: 2,
        total_sessions: 2,
        average: round4(95 / 3),
        arpu: 47.5,
        comparison: { sum: 40, count: 1, unique_count: 1, total_sessions: 2, average: 40, arpu: 20 },
      });
      assert.deepEqual(res.body.channel, [{ name: 'organicSearch', value: 75 }, { name: 'email', value: 20 }]);
    });

    test('the seed 001 body keeps its shape', async () => {
      const res = await f.report('revenue', { websiteId: site, dateRange: dateRange(parameters.startDate, parameters.endDate), timezone: 'UTC', currency: 'EUR' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(Object.keys(res.body).sort(), ['chart', 'country', 'table', 'total']);
      assert.deepEqual(res.body.total, { sum: 105, count: 4, unique_count: 3, average: 26.25 });
      assert.deepEqual(res.body.table, [
        { currency: 'EUR', sum: 105, count: 4, unique_count: 3 },
        { currency: 'USD', sum: 5, count: 1, unique_count: 1 },
      ]);
    });
  });
});
