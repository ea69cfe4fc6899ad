// Regression: strings a store cannot hold. A lone UTF-16 surrogate ("\ud800", which JSON allows)
// in any field of /api/send, /api/batch or /api/collect, NUL (which PostgreSQL text cannot hold),
// and event-data dates out of a store's range (year 10000, year 0) are each acknowledged and
// stored: surrogates and NUL as U+FFFD, out-of-range dates as string values. Before, DuckDB's
// loader retried the refused journal segment forever (every read of every website answered 500,
// and a restart failed), and PostgreSQL and ClickHouse answered 503 to the client's own input.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';
import { readAll } from '../helpers/ingest-db.js';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const ua = { headers: { 'user-agent': CHROME } };
const HIGH = '\ud800';
const LOW = '\udfff';
const NUL = '\u0000';
const BAD = /[\0\ud800-\udfff]/u; // a lone surrogate or NUL

const stores = await testStores();
after(async () => {
  await stopAll();
  for (const s of stores) await s.cleanup();
});

for (const store of stores) {
  describe(`ill-formed strings are stored well-formed (${store.name})`, () => {
    let dashi: Dashi;
    let token: string;
    let siteA: string;
    let siteB: string;
    const range = () => `startAt=0&endAt=${Date.now() + 86_400_000}`;

    const stats = async (site: string) => {
      const res = await dashi.get(`/api/websites/${site}/stats?${range()}`, { token });
      assert.equal(res.status, 200, `stats: ${JSON.stringify(res.body)}`);
      return res.body;
    };

    before(async () => {
      dashi = await startDashi({ env: await store.env() });
      token = await dashi.login();
      const create = async (name: string) => {
        const res = await dashi.post('/api/websites', { name, domain: 'example.com' }, { token });
        assert.equal(res.status, 200);
        return res.body.id as string;
      };
      siteA = await create('A');
      siteB = await create('B');
    });

    // Each field kind, one hit each, so every field is checked on its own.
    const sendFields: [string, Record<string, unknown>][] = [
      ['title', { title: `T${HIGH}itle` }],
      ['title %00', { title: 'a%00b' }],
      ['name', { name: `sign${LOW}up` }],
      ['tag', { tag: `t${HIGH}` }],
      ['hostname', { hostname: `ex${HIGH}ample.com` }],
      ['language', { language: `en${LOW}` }],
      ['screen', { screen: `1${HIGH}x1` }],
      ['id', { id: `user${HIGH}` }],
      ['url', { url: `/p${HIGH}th?utm_source=s${LOW}&utm_medium=%00` }],
      ['referrer', { referrer: `https://ref.example/${HIGH}?q=${LOW}` }],
      ['data key', { name: 'ev', data: { [`k${HIGH}`]: 'v' } }],
      ['data value', { name: 'ev', data: { k: `v${LOW}${HIGH}`, nested: { [`n${LOW}`]: [`a${HIGH}`] } } }],
      ['NUL in fields', { title: `a${NUL}b`, tag: `x${NUL}`, name: `n${NUL}`, data: { [`k${NUL}`]: `v${NUL}` } }],
      ['dates out of range', { name: 'dates', data: { late: '9999-12-31T23:59:59-01:00', zero: '0000-01-01T00:00:00Z', ok: '2024-05-10T12:00:00.000Z' } }],
    ];

    test('/api/send: each field kind with a lone surrogate or NUL answers 200', async () => {
      for (const [what, fields] of sendFields) {
        const res = await dashi.post('/api/send', { type: 'event', payload: { website: siteA, url: '/', hostname: 'example.com', ...fields } }, ua);
        assert.equal(res.status, 200, `${what}: ${JSON.stringify(res.body)}`);
      }
      const identify = await dashi.post('/api/send', { type: 'identify', payload: { website: siteA, id: `u${HIGH}`, data: { [`plan${HIGH}`]: `pro${LOW}${NUL}` } } }, ua);
      assert.equal(identify.status, 200, JSON.stringify(identify.body));
    });

    test('/api/batch: items with lone surrogates all processed', async () => {
      const items = sendFields.map(([, fields]) => ({ type: 'event', payload: { website: siteA, url: '/batch', hostname: 'example.com', ...fields } }));
      const res = await dashi.post('/api/batch', items, ua);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.errors, 0, JSON.stringify(res.body.details));
      assert.equal(res.body.processed, items.length);
    });

    test('/api/collect (v1): event_type, event_value, event_data and fields with lone surrogates', async () => {
      const payloads = [
        { type: 'event', payload: { website: siteA, url: `/c${HIGH}`, event_type: `cat${HIGH}`, event_value: `val${LOW}`, event_data: { [`k${LOW}`]: `v${HIGH}${NUL}` } } },
        { type: 'pageview', payload: { website: siteA, url: '/collect', hostname: 'example.com', language: `de${HIGH}`, screen: `2${LOW}x2`, referrer: `https://r.example/${HIGH}` } },
      ];
      for (const body of payloads) {
        const res = await dashi.post('/api/collect', body, ua);
        assert.equal(res.status, 200, JSON.stringify(res.body));
      }
    });

    // Page views among the hits above: every /api/send and /api/batch hit without a `name`, plus the v1 pageview.
    const views = sendFields.filter(([, f]) => !('name' in f)).length * 2 + 1;

    test('then an ordinary hit loads, and every website answers its stats', async () => {
      const res = await dashi.post('/api/send', { type: 'event', payload: { website: siteB, url: '/ordinary', hostname: 'example.com' } }, ua);
      assert.equal(res.status, 200);
      assert.equal((await stats(siteB)).pageviews.value, 1);
      assert.equal((await stats(siteA)).pageviews.value, views);
      const titles = await dashi.get(`/api/websites/${siteA}/metrics?type=title&${range()}`, { token });
      assert.equal(titles.status, 200, JSON.stringify(titles.body));
      const names = titles.body.map((r: { x: string }) => r.x);
      assert.ok(names.includes('T\ufffditle'), JSON.stringify(names));
      assert.ok(names.includes('a\ufffdb'), `%00 and NUL become U+FFFD: ${JSON.stringify(names)}`);
      const reset = await dashi.post(`/api/websites/${siteB}/reset`, undefined, { token });
      assert.equal(reset.status, 200, JSON.stringify(reset.body));
      assert.equal((await stats(siteB)).pageviews.value, 0);
    });

    test('a restart on the same data succeeds and keeps every hit', async () => {
      await dashi.restart();
      token = await dashi.login();
      assert.equal((await stats(siteA)).pageviews.value, views);
    });

    test('stored: no lone surrogate or NUL anywhere; out-of-range dates kept as strings', async () => {
      await dashi.stop();
      const all = await readAll(dashi);
      let strings = 0;
      for (const rows of Object.values(all)) {
        for (const row of rows) {
          for (const [column, v] of Object.entries(row)) {
            if (typeof v !== 'string') continue;
            strings++;
            assert.doesNotMatch(v, BAD, `${column}: ${JSON.stringify(v)}`);
          }
        }
      }
      assert.ok(strings > 100);
      assert.ok(all.eventData.some((r) => String(r.data_key).includes('\ufffd')), 'data keys kept, with U+FFFD');
      const byKey = (key: string) => all.eventData.filter((r) => r.data_key === key);
      for (const key of ['late', 'zero']) {
        assert.equal(byKey(key).length, 2, key);
        for (const r of byKey(key)) {
          assert.equal(Number(r.data_type), 1, `${key} is a string value`);
          assert.equal(r.date_value, null);
        }
      }
      assert.deepEqual(byKey('late').map((r) => r.string_value), ['9999-12-31T23:59:59-01:00', '9999-12-31T23:59:59-01:00']);
      for (const r of byKey('ok')) {
        assert.equal(Number(r.data_type), 4, 'an in-range date stays a date');
        assert.equal((r.date_value as Date).toISOString(), '2024-05-10T12:00:00.000Z');
      }
      assert.ok(all.sessionData.some((r) => r.string_value === 'pro\ufffd\ufffd'), JSON.stringify(all.sessionData));
      await dashi.start();
    });
  });
}
