// GET /api/websites/:websiteId/export/events on every store: NDJSON with every session and event
// and their data, only the range asked for; CSV and Parquet one row per event; bad input 400;
// no access 401 (404 for an admin asking for a website that does not exist).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { startDashi, stopAll, type Dashi } from '../helpers/server.js';
import { testStores } from '../helpers/stores.js';
import { assertError, assertUnauthorized, createUser, UNKNOWN_UUID, type TestUser } from '../helpers/api.js';
import { ALL, countsOf, FULL_COUNTS, linesOf, NEAR, NEAR_COUNTS, sendDataset, T } from '../helpers/raw-dataset.js';
import { FLAT_EVENT_COLUMNS } from '../../src/store/event-lines.js';

const stores = await testStores();
after(stopAll);

const qs = (r: { startAt: number; endAt: number }, extra = '') => `startAt=${r.startAt}&endAt=${r.endAt}${extra}`;

for (const store of stores) {
  describe(`raw export (${store.name})`, () => {
    let d: Dashi;
    let admin: string;
    let outsider: TestUser;
    let site: string;
    const url = (r: { startAt: number; endAt: number }, extra = '') => `/api/websites/${site}/export/events?${qs(r, extra)}`;

    before(async () => {
      d = await startDashi({ env: await store.env() });
      admin = await d.login();
      outsider = await createUser(d, admin, 'outsider');
      site = (await d.post('/api/websites', { name: 'Site', domain: 'example.com' }, { token: admin })).body.id;
      await sendDataset(d, site);
    });
    after(() => store.cleanup());

    test('NDJSON holds every session and event with their data, sessions first', async () => {
      const res = await d.get(url(ALL), { token: admin });
      assert.equal(res.status, 200, String(res.body));
      assert.match(res.headers.get('content-type') ?? '', /application\/x-ndjson/);
      assert.match(res.headers.get('content-disposition') ?? '', new RegExp(`events-${site}\\.ndjson`));
      const text = res.body as string;
      assert.deepEqual(countsOf(text), FULL_COUNTS);
      const kinds = text.trim().split('\n').map((l) => JSON.parse(l).type);
      assert.deepEqual(kinds, ['session', 'session', 'session', 'event', 'event', 'event', 'event', 'event', 'event']);
      const { sessions, events } = linesOf(text);
      assert.deepEqual(events.map((e) => new Date(e.createdAt).getTime()), [T - 2 * 86_400_000, T, T + 60_000, T + 120_000, T + 3_600_000, T + 3_660_000]);
      const signup = events.find((e) => e.eventName === 'signup');
      assert.deepEqual(signup.data.map((x: any) => [x.key, x.dataType]).sort(), [['plan', 1], ['seats', 2], ['tags', 5], ['trial', 3], ['when', 4]]);
      assert.equal(signup.data.find((x: any) => x.key === 'seats').number, 3);
      assert.equal(signup.data.find((x: any) => x.key === 'when').date, '2026-01-02T03:04:05.000Z');
      assert.equal(signup.urlPath, '/b');
      assert.equal(signup.browser, 'chrome');
      const alice = sessions.find((s) => s.sessionId === signup.sessionId);
      assert.deepEqual(alice.data.map((x: any) => [x.key, x.dataType, x.string, x.number]).sort(), [['company', 1, 'Acme', null], ['size', 2, '10', 10]]);
      assert.equal(alice.language, 'en-GB');
      const bob = events.find((e) => e.urlQuery === 'utm_source=news');
      assert.equal(bob.utmSource, 'news');
    });

    test('a range exports just that range', async () => {
      const res = await d.get(url(NEAR), { token: admin });
      assert.equal(res.status, 200);
      assert.deepEqual(countsOf(res.body), NEAR_COUNTS);
      for (const e of linesOf(res.body).events) assert.ok(new Date(e.createdAt).getTime() >= NEAR.startAt && new Date(e.createdAt).getTime() <= NEAR.endAt);
      // endAt is inclusive: the instant of bob's click is in, a millisecond before it is not.
      const upTo = await d.get(url({ startAt: T + 3_600_000, endAt: T + 3_660_000 }), { token: admin });
      assert.equal(countsOf(upTo.body).events, 2);
      const before = await d.get(url({ startAt: T + 3_600_000, endAt: T + 3_659_999 }), { token: admin });
      assert.equal(countsOf(before.body).events, 1);
      // alice's session started at T: a range from T + 30 s still carries her session and its data.
      const late = linesOf((await d.get(url({ startAt: T + 30_000, endAt: T + 2 * 3_600_000 }), { token: admin })).body);
      const aliceLines = late.sessions.filter((s) => s.sessionId === late.events.find((e) => e.urlPath === '/b')?.sessionId);
      assert.equal(aliceLines.length, 1);
      assert.equal(aliceLines[0].data.length, 2);
      assert.equal(late.sessions.length, 2);
      const empty = await d.get(url({ startAt: T + 86_400_000, endAt: T + 2 * 86_400_000 }), { token: admin });
      assert.equal(empty.status, 200);
      assert.equal(empty.body, null, 'an empty NDJSON export is an empty body');
    });

    test('CSV: a header and one row per event, event data as JSON text', async () => {
      const res = await d.get(url(ALL, '&format=csv'), { token: admin });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
      const rows = (res.body as string).split('\r\n').filter((l) => l !== '');
      assert.equal(rows[0], FLAT_EVENT_COLUMNS.join(','));
      assert.equal(rows.length, 1 + FULL_COUNTS.events);
      const signup = rows.find((r) => r.includes(',signup,'))!;
      assert.ok(signup.includes('""key"":""plan""'), signup);
      assert.ok(rows.every((r) => r.startsWith('"') || /^[0-9a-f-]{36},/.test(r) || r === rows[0]));
    });

    test('Parquet: one row per event with the same columns', async () => {
      const res = await fetch(`${d.url}${url(ALL, '&format=parquet')}`, { headers: { authorization: `Bearer ${admin}` } });
      assert.equal(res.status, 200);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-parquet-test-'));
      try {
        const file = path.join(dir, 'e.parquet');
        fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
        const db = await DuckDBInstance.create(':memory:');
        const conn = await db.connect();
        const reader = await conn.runAndReadAll(`SELECT count(*) AS n, count(DISTINCT session_id) AS s, sum(json_array_length(event_data)) AS d, min(created_at) AS lo FROM read_parquet('${file}')`);
        const [row] = reader.getRowObjectsJS() as any[];
        assert.deepEqual([Number(row.n), Number(row.s), Number(row.d)], [FULL_COUNTS.events, FULL_COUNTS.sessions, FULL_COUNTS.eventData]);
        assert.equal(new Date(row.lo).getTime(), T - 2 * 86_400_000);
        const cols = (await conn.runAndReadAll(`SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('${file}'))`)).getRowObjectsJS().map((r: any) => r.column_name);
        assert.deepEqual(cols, FLAT_EVENT_COLUMNS);
        conn.closeSync();
        db.closeSync();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('bad input is a 400; no access is a 401, an unknown website a 404 for admins', async () => {
      assertError(await d.get(url(ALL, '&format=xlsx'), { token: admin }), 400, /format/);
      assertError(await d.get(`/api/websites/${site}/export/events?endAt=${T}`, { token: admin }), 400, /startAt/);
      assertError(await d.get(`/api/websites/${site}/export/events?startAt=${T}&endAt=${T - 1}`, { token: admin }), 400, /startAt/);
      assertError(await d.get(`/api/websites/${site}/export/events?startAt=soon&endAt=${T}`, { token: admin }), 400, /startAt/);
      assertError(await d.get(`/api/websites/not-a-site/export/events?${qs(ALL)}`, { token: admin }), 400, /websiteId/);
      assertUnauthorized(await d.get(url(ALL), { token: outsider.token }));
      assertUnauthorized(await d.get(url(ALL)));
      assertError(await d.get(`/api/websites/${UNKNOWN_UUID}/export/events?${qs(ALL)}`, { token: admin }), 404);
      assertUnauthorized(await d.get(`/api/websites/${UNKNOWN_UUID}/export/events?${qs(ALL)}`, { token: outsider.token }));
    });
  });
}
