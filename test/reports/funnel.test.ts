// Funnel report, golden: hand-designed sessions, some reaching a step outside the window.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { close, dateRange, ReportFixture, visitor, STORES, stopAllStores } from '../helpers/reports-fixtures.js';

after(stopAllStores);

const RANGE = dateRange('2025-03-10T00:00:00.000Z', '2025-03-10T23:59:59.999Z');
const STEPS = [
  { type: 'url', value: '/' },
  { type: 'url', value: '/pricing' },
  { type: 'event', value: 'signup' },
];

for (const store of STORES) describe(`funnel (${store.name})`, () => {
  let f: ReportFixture;

  before(async () => {
    f = await ReportFixture.start(store);
    const day = (hm: string) => `2025-03-10T${hm}:00Z`;
    // A: / 10:00 -> /pricing 10:10 (10 min) -> signup 10:20 (10 min): all three steps.
    await f.hits(visitor(), [[day('10:00'), '/'], [day('10:10'), '/pricing'], [day('10:20'), { url: '/pricing', name: 'signup' }]]);
    // B: / 10:00 -> /pricing 10:45: 45 min > 30, outside the window: step 1 only.
    await f.hits(visitor(), [[day('10:00'), '/'], [day('10:45'), '/pricing']]);
    // C: / 11:00, / 11:50, /pricing 12:10: 70 min after the first '/', but 20 min after the
    // second, so step 2 is reached; signup 12:50 is 40 min after /pricing: stops at step 2.
    await f.hits(visitor(), [[day('11:00'), '/'], [day('11:50'), '/'], [day('12:10'), '/pricing'], [day('12:50'), { url: '/pricing', name: 'signup' }]]);
    // D: /pricing 09:00 then / 09:10: /pricing came before '/', so step 1 only.
    await f.hits(visitor(), [[day('09:00'), '/pricing'], [day('09:10'), '/']]);
    // E: /blog only: never enters the funnel.
    await f.hits(visitor(), [[day('09:00'), '/blog']]);
    // F: / 13:00 then signup 13:05, skipping /pricing: step 1 only.
    await f.hits(visitor(), [[day('13:00'), '/'], [day('13:05'), { url: '/', name: 'signup' }]]);
    // G: / 14:00 -> /pricing 14:30 (exactly 30 min: the window is inclusive) -> signup 14:59
    // (29 min): all three steps.
    await f.hits(visitor(), [[day('14:00'), '/'], [day('14:30'), '/pricing'], [day('14:59'), { url: '/pricing', name: 'signup' }]]);
    // H: the day before the range: / and /pricing, not counted at all.
    await f.hits(visitor(), [['2025-03-09T10:00:00Z', '/'], ['2025-03-09T10:05:00Z', '/pricing']]);

    // 11 March, for event-data steps: each visitor lands on / at 10:00, then signs up.
    const d11 = (hm: string) => `2025-03-11T${hm}:00Z`;
    const signup = (data?: Record<string, unknown>) => ({ url: '/signup', name: 'signup', data });
    // P: plan 'pro', 3 seats.
    await f.hits(visitor(), [[d11('10:00'), '/'], [d11('10:05'), signup({ plan: 'pro', seats: 3 })]]);
    // Q: plan 'free'.
    await f.hits(visitor(), [[d11('10:00'), '/'], [d11('10:05'), signup({ plan: 'free', seats: 1 })]]);
    // R: plan 'Pro-Annual' (contains 'pro', case aside).
    await f.hits(visitor(), [[d11('10:00'), '/'], [d11('10:05'), signup({ plan: 'Pro-Annual' })]]);
    // S: signup without data.
    await f.hits(visitor(), [[d11('10:00'), '/'], [d11('10:05'), signup()]]);
    // T: 'free' at 10:01, then 'pro' at 10:50, outside the 30-minute window.
    await f.hits(visitor(), [[d11('10:00'), '/'], [d11('10:01'), signup({ plan: 'free' })], [d11('10:50'), signup({ plan: 'pro' })]]);
  });

  // Step 1 reached by A, B, C, D, F, G = 6; step 2 by A, C, G = 3; step 3 by A, G = 2.
  const expected = [
    { type: 'url', value: '/', visitors: 6, previous: 0, dropped: 0, dropoff: null, remaining: 1 },
    { type: 'url', value: '/pricing', visitors: 3, previous: 6, dropped: 3, dropoff: 0.5, remaining: 0.5 },
    { type: 'event', value: 'signup', visitors: 2, previous: 3, dropped: 1, dropoff: 1 / 3, remaining: 1 / 3 },
  ];

  function check(body: any[]) {
    assert.equal(body.length, 3, JSON.stringify(body));
    body.forEach((row, i) => {
      const e = expected[i];
      assert.equal(row.type, e.type);
      assert.equal(row.value, e.value);
      assert.equal(row.visitors, e.visitors, `step ${i + 1} visitors`);
      assert.equal(row.previous, e.previous, `step ${i + 1} previous`);
      assert.equal(row.dropped, e.dropped, `step ${i + 1} dropped`);
      if (e.dropoff === null) assert.equal(row.dropoff, null);
      else close(row.dropoff, e.dropoff, `step ${i + 1} dropoff`);
      close(row.remaining, e.remaining, `step ${i + 1} remaining`);
    });
  }

  test('seed 001 body: window 30 minutes', async () => {
    const res = await f.report('funnel', { dateRange: RANGE, timezone: 'UTC', window: 30, steps: STEPS });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    check(res.body);
  });

  test('newer Umami body: {type, filters, parameters}', async () => {
    const res = await f.report('funnel', {
      type: 'funnel',
      filters: {},
      parameters: { startDate: RANGE.startDate, endDate: RANGE.endDate, window: 30, steps: STEPS.map((s) => ({ ...s, type: s.type === 'url' ? 'path' : s.type })) },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.map((r: any) => r.visitors), [6, 3, 2]);
    assert.equal(res.body[0].type, 'path');
  });

  test('a wider window lets B and C through', async () => {
    // window 50: B's /pricing (45 min) now counts -> step 2: A, B, C, G = 4. C's signup is 40
    // min after /pricing -> step 3: A, C, G = 3.
    const res = await f.report('funnel', { dateRange: RANGE, timezone: 'UTC', window: 50, steps: STEPS });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.map((r: any) => r.visitors), [6, 4, 3]);
  });

  test('wildcards at either end of a value', async () => {
    // '/pri*' (start), '*cing' (end) and '*ricin*' (anywhere) all match /pricing and nothing
    // else, so the answer is the exact-value one: 6 then 3.
    for (const value of ['/pri*', '*cing', '*ricin*']) {
      const res = await f.report('funnel', { dateRange: RANGE, timezone: 'UTC', window: 30, steps: [STEPS[0], { type: 'url', value }] });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.map((r: any) => r.visitors), [6, 3], value);
    }
  });

  test('event steps with event data filters', async () => {
    const range = dateRange('2025-03-11T00:00:00.000Z', '2025-03-11T23:59:59.999Z');
    const run = async (filters: unknown[]) => {
      const res = await f.report('funnel', {
        type: 'funnel',
        filters: {},
        parameters: { startDate: range.startDate, endDate: range.endDate, window: 30, steps: [{ type: 'path', value: '/' }, { type: 'event', value: 'signup', filters }] },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };
    // Step 1: P, Q, R, S, T = 5. No filters: all five sign up within 30 minutes.
    assert.deepEqual((await run([])).map((r: any) => r.visitors), [5, 5]);
    // plan = pro: P (T's 'pro' came 50 minutes after /).
    const eq = await run([{ property: 'plan', operator: 'eq', value: 'pro' }]);
    assert.deepEqual(eq.map((r: any) => r.visitors), [5, 1]);
    assert.deepEqual(eq[1].filters, [{ property: 'plan', operator: 'eq', value: 'pro' }]);
    assert.equal(eq[0].filters, undefined);
    close(eq[1].dropoff, 0.8);
    // plan <> pro, among events that have a plan: Q, R, T (its 'free' at 10:01).
    assert.deepEqual((await run([{ property: 'plan', operator: 'neq', value: 'pro' }])).map((r: any) => r.visitors), [5, 3]);
    // plan contains 'pro' (case-insensitively): P, R.
    assert.deepEqual((await run([{ property: 'plan', operator: 'c', value: 'pro' }])).map((r: any) => r.visitors), [5, 2]);
    // plan does not contain 'pro': Q, T.
    assert.deepEqual((await run([{ property: 'plan', operator: 'dnc', value: 'pro' }])).map((r: any) => r.visitors), [5, 2]);
    // Both must hold: contains 'pro' and is not 'pro': R.
    const both = [{ property: 'plan', operator: 'c', value: 'pro' }, { property: 'plan', operator: 'neq', value: 'pro' }];
    assert.deepEqual((await run(both)).map((r: any) => r.visitors), [5, 1]);
    // Numbers compare as their text: seats = 3 is P; seats = 1 is Q.
    const seats = await run([{ property: 'seats', operator: 'eq', value: 3 }]);
    assert.deepEqual(seats.map((r: any) => r.visitors), [5, 1]);
    assert.deepEqual(seats[1].filters, [{ property: 'seats', operator: 'eq', value: 3 }], 'filters are echoed as sent');
    assert.deepEqual((await run([{ property: 'seats', operator: 'eq', value: '1' }])).map((r: any) => r.visitors), [5, 1]);
    // A property no event has.
    assert.deepEqual((await run([{ property: 'coupon', operator: 'neq', value: 'x' }])).map((r: any) => r.visitors), [5, 0]);
  });

  test('event data filters: bad input is a 400', async () => {
    const bad = async (step: unknown, pattern: RegExp) => {
      const res = await f.report('funnel', { dateRange: RANGE, timezone: 'UTC', window: 30, steps: [STEPS[0], step] });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.match(res.body.error.message, pattern);
    };
    await bad({ type: 'event', value: 'signup', filters: [{ property: 'plan', operator: 'gt', value: 'x' }] }, /steps\.1\.filters\.0\.operator/);
    await bad({ type: 'event', value: 'signup', filters: [{ operator: 'eq', value: 'x' }] }, /steps\.1\.filters\.0\.property/);
    await bad({ type: 'event', value: 'signup', filters: [{ property: 'plan', operator: 'constructor', value: 'x' }] }, /steps\.1\.filters\.0\.operator/);
    await bad({ type: 'url', value: '/pricing', filters: [{ property: 'plan', operator: 'eq', value: 'x' }] }, /event steps only/);
  });

  test('filters choose the sessions that enter', async () => {
    // No hit has country ZZ, so no session enters and every level is 0.
    const res = await f.report('funnel', {
      dateRange: RANGE,
      timezone: 'UTC',
      window: 30,
      steps: STEPS,
      filters: [{ name: 'country', operator: 'eq', value: 'ZZ' }],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.map((r: any) => [r.visitors, r.remaining]), [[0, 0], [0, 0], [0, 0]]);
  });
});
