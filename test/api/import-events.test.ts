// Raw export -> POST /api/admin/import round trip between every pair of stores in a ring
// (embedded -> PostgreSQL -> ClickHouse -> embedded): the import answers exact counts, every
// analytics endpoint of the new store answers as the old one, and the NDJSON re-exported from
// the new store equals the first. Re-importing stores nothing twice; a bad line is a 400 with
// its number and stores nothing; a missing website is named; only admins may import.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';
import { assertError, assertUnauthorized, createUser, UNKNOWN_UUID, type TestUser } from '../helpers/api.js';
import { ALL, FULL_COUNTS, linesOf, sendDataset } from '../helpers/raw-dataset.js';
import { METRIC_TYPES } from '../../src/query/dimensions.js';

const stores = await testStores();
after(stopAll);

const range = `startAt=${ALL.startAt}&endAt=${ALL.endAt}`;
/** Every v2 analytics read, by path and query (the session routes are added per session). */
const ENDPOINTS = [
  `/stats?${range}`,
  `/pageviews?${range}&unit=hour`,
  `/pageviews?${range}&unit=day&timezone=America/New_York`,
  ...METRIC_TYPES.map((t) => `/metrics?${range}&type=${t}`),
  `/events?${range}`,
  `/events/series?${range}&unit=hour`,
  `/events/stats?${range}`,
  `/event-data/events?${range}`,
  `/event-data/fields?${range}`,
  `/event-data/properties?${range}`,
  `/event-data/values?${range}&propertyName=plan`,
  `/event-data/stats?${range}`,
  `/sessions?${range}`,
  `/sessions/stats?${range}`,
  `/sessions/weekly?${range}&timezone=UTC`,
  `/session-data/properties?${range}`,
  `/session-data/values?${range}&propertyName=company`,
  '/daterange',
];

const sorted = (text: string) => text.split('\n').filter((l) => l !== '').sort();

for (const [i, from] of stores.entries()) {
  const to = stores[(i + 1) % stores.length];
  describe(`export from ${from.name}, import into ${to.name}`, () => {
    let a: Dashi;
    let b: Dashi;
    let adminA: string;
    let adminB: string;
    let outsider: TestUser;
    let site: string;
    let exported: string;

    /** `token` '' sends none. */
    const importLines = (text: string, token = adminB, type = 'application/x-ndjson') =>
      b.request('POST', '/api/admin/import', { token: token || undefined, rawBody: text, headers: { 'content-type': type } });
    const exportOf = async (d: Dashi, token: string, websiteId = site) => {
      const res = await d.get(`/api/websites/${websiteId}/export/events?${range}`, { token });
      assert.equal(res.status, 200, String(res.body));
      return (res.body ?? '') as string;
    };
    const sameAnswers = async () => {
      const sessionIds = linesOf(exported).sessions.map((s) => s.sessionId);
      const paths = [...ENDPOINTS, ...sessionIds.flatMap((id) => [`/sessions/${id}`, `/sessions/${id}/activity?${range}`, `/sessions/${id}/properties`])];
      for (const p of paths) {
        const [x, y] = await Promise.all([a.get(`/api/websites/${site}${p}`, { token: adminA }), b.get(`/api/websites/${site}${p}`, { token: adminB })]);
        assert.equal(x.status, 200, `${p}: ${JSON.stringify(x.body)}`);
        assert.deepEqual(y.body, x.body, p);
      }
    };

    before(async () => {
      a = await startDashi({ env: await from.env() });
      b = await startDashi({ env: await to.env() });
      adminA = await a.login();
      adminB = await b.login();
      outsider = await createUser(b, adminB, 'outsider');
      site = (await a.post('/api/websites', { name: 'Site', domain: 'example.com' }, { token: adminA })).body.id;
      await sendDataset(a, site);
      exported = await exportOf(a, adminA);
    });
    after(async () => {
      await from.cleanup();
      if (to !== from) await to.cleanup();
    });

    test('the import answers exact counts; every endpoint answers the same; the re-export equals the export', async () => {
      const created = await b.post('/api/websites', { id: site, name: 'Site', domain: 'example.com' }, { token: adminB });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const res = await importLines(exported);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, {
        lines: FULL_COUNTS.sessions + FULL_COUNTS.events,
        written: { website_event: FULL_COUNTS.events, event_data: FULL_COUNTS.eventData, session: FULL_COUNTS.sessions, session_data: FULL_COUNTS.sessionData },
        skipped: { events: 0, sessions: 0 },
      });
      await sameAnswers();
      assert.deepEqual(sorted(await exportOf(b, adminB)), sorted(exported));
    });

    test('importing the same file again stores nothing twice', async () => {
      const res = await importLines(exported);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.written, { website_event: 0, event_data: 0, session: 0, session_data: 0 });
      assert.deepEqual(res.body.skipped, { events: FULL_COUNTS.events, sessions: FULL_COUNTS.sessions });
      await sameAnswers();
      assert.deepEqual(sorted(await exportOf(b, adminB)), sorted(exported));
    });

    test('a bad line is a 400 with its number and stores nothing; missing websites are named', async () => {
      const other = (await b.post('/api/websites', { name: 'Other', domain: 'other.example' }, { token: adminB })).body.id;
      const lines = sorted(exported).map((l) => l.replaceAll(site, other));
      const bad: [string[], RegExp][] = [
        [[...lines.slice(0, 4), '{"type":"event",', ...lines.slice(4)], /^line 5: not JSON/],
        [[...lines.slice(0, 6), lines[6].replace('"type":', '"__proto__":{"x":1},"type":')], /^line 7: /],
        [[...lines, lines[0].replace('"createdAt":"', '"createdAt":"x')], new RegExp(`^line ${lines.length + 1}: createdAt`)],
        // The last of two equal keys counts, so the huge title goes last.
        [[`${lines[0].slice(0, -1)},"pageTitle":"${'x'.repeat(70_000)}"}`, ...lines], /^line 1: pageTitle/],
        [[...lines, lines[1].replaceAll(other, UNKNOWN_UUID)], new RegExp(`no such website: ${UNKNOWN_UUID}`)],
      ];
      for (const [body, message] of bad) assertError(await importLines(`${body.join('\n')}\n`), 400, message);
      assertError(await importLines('x'.repeat(5 * 1024 * 1024)), 400, /^line 1: longer than/);
      assert.equal(await exportOf(b, adminB, other), '', 'nothing was stored for the other website');
      // The same lines without the bad one go in whole.
      const ok = await importLines(lines.join('\n'));
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.written.website_event, FULL_COUNTS.events);
      assert.deepEqual(sorted(await exportOf(b, adminB, other)), lines);
    });

    test('only admins may import, and only NDJSON', async () => {
      assertUnauthorized(await importLines(exported, outsider.token));
      assertUnauthorized(await importLines(exported, ''));
      assertError(await importLines('{"a":1}', adminB, 'application/json'), 400, /x-ndjson/);
      assert.equal((await importLines(exported, adminB, 'text/csv')).status, 415);
    });
  });
}
