// Journey report, golden: visits with repeated pages (a reload collapses; coming back does not).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dateRange, ReportFixture, visitor, STORES, stopAllStores } from './reports-fixtures.js';

after(stopAllStores);

const RANGE = dateRange('2025-04-02T00:00:00.000Z', '2025-04-02T23:59:59.999Z');
const at = (hm: string) => `2025-04-02T${hm}:00Z`;

/** Order-free comparison of [{items, count}]. */
const sorted = (rows: { items: string[]; count: number }[]) =>
  rows.map((r) => `${r.count} ${r.items.join(' > ')}`).sort();

for (const store of STORES) describe(`journey (${store.name})`, () => {
  let f: ReportFixture;

  before(async () => {
    f = await ReportFixture.start(store);
    // Every visit stays inside one clock hour, so each is one visit.
    // V1: / /a /a /b /        -> [/, /a, /b, /]        (the second /a is a reload)
    await f.hits(visitor(), [[at('10:00'), '/'], [at('10:01'), '/a'], [at('10:02'), '/a'], [at('10:03'), '/b'], [at('10:04'), '/']]);
    // V2: / /a /b /c          -> [/, /a, /b, /c]
    const v2 = visitor();
    await f.hits(v2, [[at('10:00'), '/'], [at('10:01'), '/a'], [at('10:02'), '/b'], [at('10:03'), '/c']]);
    // V3: / / /a /b           -> [/, /a, /b]
    await f.hits(visitor(), [[at('11:00'), '/'], [at('11:01'), '/'], [at('11:02'), '/a'], [at('11:03'), '/b']]);
    // V4: /x /a signup(event) / -> [/x, /a, signup, /]
    await f.hits(visitor(), [[at('11:00'), '/x'], [at('11:01'), '/a'], [at('11:02'), { url: '/a', name: 'signup' }], [at('11:03'), '/']]);
    // V5: / /a /b / /a        -> [/, /a, /b, /, /a]
    await f.hits(visitor(), [[at('12:00'), '/'], [at('12:01'), '/a'], [at('12:02'), '/b'], [at('12:03'), '/'], [at('12:04'), '/a']]);
    // V6: V2's visitor again, later, a new visit: /c /c /d -> [/c, /d]
    await f.hits(v2, [[at('15:00'), '/c'], [at('15:01'), '/c'], [at('15:02'), '/d']]);
  });

  test('3 steps: first three steps of each visit, grouped', async () => {
    const res = await f.report('journey', { dateRange: RANGE, timezone: 'UTC', steps: 3 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    // V1, V2, V3, V5 start [/, /a, /b]; V4 [/x, /a, signup]; V6 [/c, /d].
    assert.deepEqual(res.body[0], { items: ['/', '/a', '/b'], count: 4 });
    assert.deepEqual(sorted(res.body), ['1 /c > /d', '1 /x > /a > signup', '4 / > /a > /b']);
  });

  test('5 steps keep pages visited again later', async () => {
    const res = await f.report('journey', { dateRange: RANGE, timezone: 'UTC', steps: 5 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(sorted(res.body), [
      '1 / > /a > /b',
      '1 / > /a > /b > /',
      '1 / > /a > /b > / > /a',
      '1 / > /a > /b > /c',
      '1 /c > /d',
      '1 /x > /a > signup > /',
    ]);
  });

  test('startStep starts at the first occurrence', async () => {
    // From the first /a: V1 [/a,/b,/], V2 [/a,/b,/c], V3 [/a,/b], V4 [/a,signup,/], V5 [/a,/b,/];
    // V6 never visits /a.
    const res = await f.report('journey', { dateRange: RANGE, timezone: 'UTC', steps: 3, startStep: '/a' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(sorted(res.body), ['1 /a > /b', '1 /a > /b > /c', '1 /a > signup > /', '2 /a > /b > /']);
  });

  test('startStep and endStep', async () => {
    // From /a, up to 4 steps, only paths reaching '/', cut there: V1 [/a,/b,/], V4 [/a,signup,/],
    // V5 [/a,/b,/]; V2 and V3 never reach '/' after /a.
    const res = await f.report('journey', { dateRange: RANGE, timezone: 'UTC', steps: 4, startStep: '/a', endStep: '/' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, [
      { items: ['/a', '/b', '/'], count: 2 },
      { items: ['/a', 'signup', '/'], count: 1 },
    ]);
  });

  test('a startStep no visit reaches gives no paths', async () => {
    const res = await f.report('journey', { dateRange: RANGE, timezone: 'UTC', steps: 3, startStep: '/nowhere' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, []);
  });

  test('same-second steps order by value; equal counts order by path, a prefix first', async () => {
    // A second website. Hits carry whole seconds, so steps sent in the same second tie in time.
    const site = await f.createWebsite('Ties', 'ties.example');
    const day = (hms: string) => `2025-04-03T${hms}Z`;
    const send = async (list: [string, string][]) => {
      const v = visitor();
      for (const [t, url] of list) await f.hit(v, day(t), { url }, site);
    };
    await send([['09:00:00', '/z'], ['09:00:00', '/b'], ['09:01:00', '/b']]); // [/b, /z, /b]
    await send([['09:00:00', '/b'], ['09:00:00', '/z'], ['09:02:00', '/z']]); // [/b, /z] (sent b, z; then a reload of /z)
    await send([['09:10:00', '/a']]); // [/a]
    await send([['09:20:00', '/c'], ['09:21:00', '/a']]); // [/c, /a]
    await send([['09:30:00', '/c'], ['09:31:00', '/a'], ['09:32:00', '/a']]); // [/c, /a]
    const res = await f.report('journey', {
      websiteId: site,
      dateRange: dateRange('2025-04-03T00:00:00.000Z', '2025-04-03T23:59:59.999Z'),
      timezone: 'UTC',
      steps: 3,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, [
      { items: ['/c', '/a'], count: 2 },
      { items: ['/a'], count: 1 },
      { items: ['/b', '/z'], count: 1 },
      { items: ['/b', '/z', '/b'], count: 1 },
    ]);
  });
});
