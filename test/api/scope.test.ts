// One scope from a GET's parameters and from a report body: the same question asked both ways
// gives the same range, zone, unit and filter tree (segment, cohort and excludeBounce included).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { resolveScope } from '../../src/api/scope.js';
import { QueryEngine } from '../../src/query/engine.js';
import { trafficRollups } from '../../src/query/rollups/embedded-rollups.js';
import { QueryError } from '../../src/query/types.js';
import { openDuckDbStore } from '../../src/store/duckdb/index.js';
import type { Store, Website } from '../../src/store/types.js';
import type { Analytics } from '../../src/api/analytics/params.js';
import type { AppContext } from '../../src/server/context.js';

let store: Store;
let a: Analytics;
let website: Website;
let segmentId: string;
let cohortId: string;
const now = new Date('2026-03-15T12:00:00.000Z');
const start = Date.parse('2026-03-01T00:00:00.000Z');
const end = Date.parse('2026-03-07T23:59:59.999Z');

before(async () => {
  store = await openDuckDbStore({ dataDir: ':memory:', rollups: trafficRollups });
  const user = await store.users.create({ username: `u-${randomUUID()}`, passwordHash: 'x', role: 'admin' });
  website = await store.websites.create({ name: 'site', domain: 'example.com', shareId: null, userId: user.id, teamId: null, createdBy: user.id });
  segmentId = (await store.segments.create({ websiteId: website.id, type: 'segment', name: 'chrome', parameters: { filters: [{ name: 'browser', operator: 'eq', value: 'chrome' }] } })).id;
  cohortId = (
    await store.segments.create({ websiteId: website.id, type: 'cohort', name: 'signups', parameters: { filters: [], action: { type: 'event', value: 'signup' }, dateRange: '7day' } })
  ).id;
  a = { ctx: { store } as unknown as AppContext, engine: new QueryEngine(store.analytics), now: () => now };
});

after(() => store.close());

test('a GET and a report body asking the same thing get the same scope', async () => {
  const get = await resolveScope(a, website, {
    kind: 'params',
    values: { startAt: String(start), endAt: String(end), timezone: 'Europe/Berlin', unit: 'hour', path: 'c.blog', country: 'DE', segment: segmentId, cohort: cohortId, excludeBounce: 'true' },
  });
  const body = await resolveScope(a, website, {
    kind: 'body',
    values: {
      startDate: new Date(start).toISOString(),
      endDate: String(end),
      timezone: 'Europe/Berlin',
      unit: 'hour',
      filters: [
        { name: 'path', operator: 'contains', value: 'blog' },
        { name: 'country', operator: 'eq', value: 'DE' },
      ],
      segment: segmentId,
      cohort: cohortId,
      excludeBounce: true,
    },
  });
  assert.deepEqual(body.range(), get.range());
  assert.deepEqual(body.range(), { start: new Date(start), end: new Date(end) });
  assert.equal(body.timeZone(), get.timeZone());
  assert.equal(body.unit(), get.unit());
  assert.deepEqual(body.filter(), get.filter());
  // The request's own filters, then excludeBounce, the segment's and the cohort's, ANDed.
  const tree = get.filter();
  assert.equal(tree?.kind, 'and');
  const json = JSON.stringify(tree);
  for (const part of ['"excludeBounce"', '"chrome"', '"cohort"', '"signup"', '"blog"', '"DE"']) assert.ok(json.includes(part), `${part} in ${json}`);
  assert.deepEqual(body.report(), { ...get.report() });
});

test('both ways clamp to the data start and refuse the same bad input, naming the field', async () => {
  const old = await resolveScope(a, website, { kind: 'params', values: { startAt: '0', endAt: String(end) } });
  assert.equal(old.range().start.toISOString(), '2000-01-01T00:00:00.000Z');
  const oldBody = await resolveScope(a, website, { kind: 'body', values: { startDate: '1990-01-01', endDate: String(end) } });
  assert.deepEqual(oldBody.range(), old.range());

  const bad = async (kind: 'params' | 'body', values: Record<string, unknown>, field: RegExp) => {
    await assert.rejects(
      (async () => {
        const s = await resolveScope(a, website, { kind, values });
        s.report();
      })(),
      (e: unknown) => e instanceof QueryError && field.test(e.message),
      `${kind} ${JSON.stringify(values)}`,
    );
  };
  await bad('params', { startAt: String(end), endAt: String(start) }, /startAt/);
  await bad('body', { startDate: String(end), endDate: String(start) }, /startDate/);
  await bad('params', { startAt: String(start), endAt: String(end), unit: 'week' }, /unit/);
  await bad('body', { startDate: String(start), endDate: String(end), unit: 'constructor' }, /unit/);
  await bad('params', { startAt: String(start), endAt: String(end), timezone: 'Mars/Olympus' }, /timezone/);
  await bad('body', { startDate: String(start), endDate: String(end), timezone: 'Mars/Olympus' }, /timezone/);
  await bad('params', { segment: 'nope' }, /segment/);
  await bad('body', { segment: randomUUID() }, /segment/);
  await bad('params', { cohort: segmentId }, /cohort/);
  await bad('body', { excludeBounce: 'often' }, /excludeBounce/);
});
