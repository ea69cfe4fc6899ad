// Retention report, golden: cohorts across a month boundary in a non-UTC time zone
// (America/New_York, UTC-5 in winter), against the same instants read in UTC.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dateRange, ReportFixture, visitor, STORES, stopAllStores } from '../helpers/reports-fixtures.js';

after(stopAllStores);

for (const store of STORES) describe(`retention (${store.name})`, () => {
  let f: ReportFixture;

  // Identified visitors (`id`): their session id does not rotate with the monthly salt, so one
  // person stays one session across 31 Jan -> 1 Feb.
  before(async () => {
    f = await ReportFixture.start(store);
    // P: 31 Jan 03:00Z = 30 Jan 22:00 NY; 1 Feb 04:30Z = 31 Jan 23:30 NY; 1 Feb 06:00Z = 1 Feb 01:00 NY.
    await f.hits(visitor('p'), [['2025-01-31T03:00:00Z', '/'], ['2025-02-01T04:30:00Z', '/a'], ['2025-02-01T06:00:00Z', '/b']]);
    // Q: 31 Jan 12:00Z = 31 Jan 07:00 NY; 31 Jan 20:00Z = 31 Jan 15:00 NY (same day again);
    //    2 Feb 02:00Z = 1 Feb 21:00 NY.
    await f.hits(visitor('q'), [['2025-01-31T12:00:00Z', '/'], ['2025-01-31T20:00:00Z', '/a'], ['2025-02-02T02:00:00Z', '/']]);
    // R: 1 Feb 05:30Z = 1 Feb 00:30 NY; 3 Feb 04:00Z = 2 Feb 23:00 NY.
    await f.hits(visitor('r'), [['2025-02-01T05:30:00Z', '/'], ['2025-02-03T04:00:00Z', '/']]);
    // S: 30 Jan 04:00Z = 29 Jan 23:00 NY is before the range; 31 Jan 15:00Z = 31 Jan 10:00 NY is
    //    its first sighting in range, so its cohort is 31 Jan.
    await f.hits(visitor('s'), [['2025-01-30T04:00:00Z', '/'], ['2025-01-31T15:00:00Z', '/']]);
  });

  test('cohorts by first local day, America/New_York', async () => {
    // Range: 30 Jan 00:00 NY .. 3 Feb 23:59:59.999 NY.
    const res = await f.report('retention', {
      dateRange: dateRange('2025-01-30T05:00:00.000Z', '2025-02-04T04:59:59.999Z'),
      timezone: 'America/New_York',
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    // Local days seen: P {30 Jan, 31 Jan, 1 Feb}; Q {31 Jan, 1 Feb}; R {1 Feb, 2 Feb}; S {31 Jan}.
    // Cohort 30 Jan = {P}: day 0, 1, 2 each 1 of 1.
    // Cohort 31 Jan = {Q, S}: day 0 2 of 2; day 1 (1 Feb) Q only: 1 of 2 = 50 %.
    // Cohort 1 Feb = {R}: day 0 and day 1 (2 Feb) 1 of 1.
    // `date` is local midnight as an instant: 05:00Z in EST.
    assert.deepEqual(res.body, [
      { date: '2025-01-30T05:00:00.000Z', day: 0, visitors: 1, returnVisitors: 1, percentage: 100 },
      { date: '2025-01-30T05:00:00.000Z', day: 1, visitors: 1, returnVisitors: 1, percentage: 100 },
      { date: '2025-01-30T05:00:00.000Z', day: 2, visitors: 1, returnVisitors: 1, percentage: 100 },
      { date: '2025-01-31T05:00:00.000Z', day: 0, visitors: 2, returnVisitors: 2, percentage: 100 },
      { date: '2025-01-31T05:00:00.000Z', day: 1, visitors: 2, returnVisitors: 1, percentage: 50 },
      { date: '2025-02-01T05:00:00.000Z', day: 0, visitors: 1, returnVisitors: 1, percentage: 100 },
      { date: '2025-02-01T05:00:00.000Z', day: 1, visitors: 1, returnVisitors: 1, percentage: 100 },
    ]);
  });

  test('the same instants read in UTC give other cohorts', async () => {
    // Same absolute range, UTC days: P {31 Jan, 1 Feb}; Q {31 Jan, 2 Feb}; R {1 Feb, 3 Feb};
    // S {31 Jan} (its 30 Jan 04:00Z hit is before 05:00Z). Cohort 31 Jan = {P, Q, S}: day 0 3,
    // day 1 P, day 2 Q. Cohort 1 Feb = {R}: day 0, day 2.
    const res = await f.report('retention', {
      dateRange: dateRange('2025-01-30T05:00:00.000Z', '2025-02-04T04:59:59.999Z'),
      timezone: 'UTC',
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.map((r: any) => [r.date, r.day, r.visitors, r.returnVisitors, Math.round(r.percentage * 100) / 100]),
      [
        ['2025-01-31T00:00:00.000Z', 0, 3, 3, 100],
        ['2025-01-31T00:00:00.000Z', 1, 3, 1, 33.33],
        ['2025-01-31T00:00:00.000Z', 2, 3, 1, 33.33],
        ['2025-02-01T00:00:00.000Z', 0, 1, 1, 100],
        ['2025-02-01T00:00:00.000Z', 2, 1, 1, 100],
      ],
    );
  });
});
