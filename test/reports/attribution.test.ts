// Attribution report, golden: first-click against last-click on the same sessions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dateRange, ReportFixture, visitor, STORES, stopAllStores } from '../helpers/reports-fixtures.js';

after(stopAllStores);

const RANGE = dateRange('2025-05-06T00:00:00.000Z', '2025-05-06T23:59:59.999Z');
const at = (hm: string) => `2025-05-06T${hm}:00Z`;
const purchase = { url: '/checkout', name: 'purchase' };

for (const store of STORES) describe(`attribution (${store.name})`, () => {
  let f: ReportFixture;

  before(async () => {
    f = await ReportFixture.start(store, 'shop.example');
    // S1: google ad click (gclid, utm google/cpc) at 10:00; back from a newsletter at 12:00
    // (utm newsletter/email, no referrer); internal page 12:03 (self-referral, not a source);
    // purchase 12:05.
    await f.hits(visitor(), [
      [at('10:00'), { url: '/?utm_source=google&utm_medium=cpc&gclid=abc', referrer: 'https://www.google.com/' }],
      [at('12:00'), { url: '/?utm_source=newsletter&utm_medium=email' }],
      [at('12:03'), { url: '/checkout', referrer: 'https://shop.example/' }],
      [at('12:05'), purchase],
    ]);
    // S2: from Hacker News 09:00; via t.co with fbclid and utm_source twitter 09:30; purchase
    // 09:40; a bing visit at 09:50 comes after the conversion and gets no credit.
    await f.hits(visitor(), [
      [at('09:00'), { url: '/', referrer: 'https://news.ycombinator.com/item?id=1' }],
      [at('09:30'), { url: '/?utm_source=twitter&fbclid=xyz', referrer: 'https://t.co/abc' }],
      [at('09:40'), purchase],
      [at('09:50'), { url: '/?utm_source=late', referrer: 'https://bing.com/' }],
    ]);
    // S3: google, never buys: not counted.
    await f.hits(visitor(), [
      [at('08:00'), { url: '/', referrer: 'https://google.com/' }],
      [at('08:10'), '/pricing'],
    ]);
    // S4: google cpc without click id at 11:00; buys twice (11:05, 11:10), converting at 11:05.
    await f.hits(visitor(), [
      [at('11:00'), { url: '/?utm_source=google&utm_medium=cpc', referrer: 'https://google.com/' }],
      [at('11:05'), purchase],
      [at('11:10'), purchase],
    ]);
  });

  // The conversion step: 4 purchase events, by 3 sessions, in 3 visits (S4's two are one visit).
  const total = { pageviews: 4, visitors: 3, visits: 3 };

  test('first click', async () => {
    const res = await f.report('attribution', { dateRange: RANGE, timezone: 'UTC', model: 'firstClick', steps: [{ type: 'event', value: 'purchase' }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    // First touch of each kind, per converting session (S1, S2, S4):
    // referrer S1 google.com, S2 news.ycombinator.com, S4 google.com; paid S1 gclid, S2 fbclid;
    // utm_source S1 google, S2 twitter, S4 google; utm_medium S1 cpc, S4 cpc.
    assert.deepEqual(res.body, {
      referrer: [{ name: 'google.com', value: 2 }, { name: 'news.ycombinator.com', value: 1 }],
      paidAds: [{ name: 'Facebook / Meta', value: 1 }, { name: 'Google Ads', value: 1 }],
      utm_source: [{ name: 'google', value: 2 }, { name: 'twitter', value: 1 }],
      utm_medium: [{ name: 'cpc', value: 2 }],
      utm_campaign: [],
      utm_content: [],
      utm_term: [],
      total,
    });
  });

  test('last click on the same sessions', async () => {
    const res = await f.report('attribution', { dateRange: RANGE, timezone: 'UTC', model: 'lastClick', steps: [{ type: 'event', value: 'purchase' }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    // Last touch of each kind up to the conversion: referrer S1 google.com (the self-referral
    // does not count), S2 t.co (bing is after), S4 google.com; utm_source S1 newsletter, S2
    // twitter, S4 google; utm_medium S1 email, S4 cpc.
    assert.deepEqual(res.body, {
      referrer: [{ name: 'google.com', value: 2 }, { name: 't.co', value: 1 }],
      paidAds: [{ name: 'Facebook / Meta', value: 1 }, { name: 'Google Ads', value: 1 }],
      utm_source: [{ name: 'google', value: 1 }, { name: 'newsletter', value: 1 }, { name: 'twitter', value: 1 }],
      utm_medium: [{ name: 'cpc', value: 1 }, { name: 'email', value: 1 }],
      utm_campaign: [],
      utm_content: [],
      utm_term: [],
      total,
    });
  });

  test('newer Umami body: model last-click, type + step', async () => {
    const res = await f.report('attribution', {
      type: 'attribution',
      filters: {},
      parameters: { startDate: RANGE.startDate, endDate: RANGE.endDate, model: 'last-click', type: 'event', step: 'purchase' },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.referrer, [{ name: 'google.com', value: 2 }, { name: 't.co', value: 1 }]);
  });

  test('a page as the conversion step', async () => {
    // Conversion = pageview of /pricing: only S3 (08:10). First referrer touch: google.com.
    const res = await f.report('attribution', { dateRange: RANGE, timezone: 'UTC', model: 'firstClick', steps: [{ type: 'url', value: '/pricing' }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.referrer, [{ name: 'google.com', value: 1 }]);
    assert.deepEqual(res.body.total, { pageviews: 1, visitors: 1, visits: 1 });
  });
});
