// Compiler and engine tests on an in-memory store: time-zone offsets and buckets checked against
// the runtime's own IANA data on DST days and odd-offset zones, filter parsing, parameter binding,
// and equivalence of the session-page shortcut with plain grouping.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openDuckDbStore } from '../../src/store/duckdb/index.js';
import type { EventRow, Store } from '../../src/store/types.js';
import { QueryEngine } from '../../src/query/engine.js';
import { parseFilterParams, parseFilterValue } from '../../src/query/filters.js';
import { listSessions } from '../../src/query/lists.js';
import { raw, renderNumbered, sql } from '../../src/query/sql.js';
import { compareRange, normalizeTimeZone, offsetMinutes, offsetSegments, timeLabel } from '../../src/query/time.js';
import { compileAggregate } from '../../src/query/compile.js';
import { duckdb } from '../../src/query/dialects/duckdb.js';
import { QueryError, type Query, type Unit } from '../../src/query/types.js';
import { trafficRollups } from '../../src/query/rollups/embedded-rollups.js';

const W = '0b0b0000-0000-4000-8000-000000000000';

describe('time zones', () => {
  test('offset segments on DST days', () => {
    // New York falls back at 2024-11-03 06:00 UTC (02:00 EDT -> 01:00 EST).
    const ny = offsetSegments('America/New_York', { start: new Date('2024-11-02T00:00:00Z'), end: new Date('2024-11-04T00:00:00Z') });
    assert.deepEqual(ny, [
      { from: null, offsetMinutes: -240 },
      { from: new Date('2024-11-03T06:00:00Z'), offsetMinutes: -300 },
    ]);
    // Lord Howe moves by 30 minutes: +10:30 -> +11 at 2024-10-06 02:00 local (15:30 UTC the day before).
    const lh = offsetSegments('Australia/Lord_Howe', { start: new Date('2024-10-05T00:00:00Z'), end: new Date('2024-10-07T00:00:00Z') });
    assert.deepEqual(lh, [
      { from: null, offsetMinutes: 630 },
      { from: new Date('2024-10-05T15:30:00Z'), offsetMinutes: 660 },
    ]);
    assert.deepEqual(offsetSegments('Asia/Kathmandu', { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-12-31T00:00:00Z') }), [{ from: null, offsetMinutes: 345 }]);
    // A year of Berlin: two changes.
    assert.equal(offsetSegments('Europe/Berlin', { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-12-31T00:00:00Z') }).length, 3);
  });

  test('segments agree with hourly samples over whole years', () => {
    const range = { start: new Date('2023-01-01T00:00:00Z'), end: new Date('2025-01-01T00:00:00Z') };
    for (const zone of ['America/New_York', 'Africa/Casablanca', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Tehran', 'Pacific/Chatham']) {
      const segments = offsetSegments(zone, range);
      for (let t = range.start.getTime(); t <= range.end.getTime(); t += 3_600_000) {
        const seg = [...segments].reverse().find((s) => s.from === null || s.from.getTime() <= t)!;
        assert.equal(seg.offsetMinutes, offsetMinutes(zone, t), `${zone} at ${new Date(t).toISOString()}`);
      }
    }
    // 2000-2030 in New York: two changes a year.
    assert.equal(offsetSegments('America/New_York', { start: new Date('2000-01-01T00:00:00Z'), end: new Date('2030-01-01T00:00:00Z') }).length, 61);
  });

  test('names', () => {
    assert.equal(normalizeTimeZone('Asia/Calcutta'), 'Asia/Kolkata');
    assert.equal(normalizeTimeZone(undefined), 'UTC');
    assert.throws(() => normalizeTimeZone('Mars/Base', 'tz'), (e: unknown) => e instanceof QueryError && e.param === 'tz');
  });

  test('labels and comparison periods', () => {
    assert.equal(timeLabel('month', 2024 * 12 + 10), '2024-11-01 00:00:00');
    assert.equal(timeLabel('year', 2024), '2024-01-01 00:00:00');
    assert.equal(timeLabel('day', 20_031), '2024-11-04 00:00:00');
    // Week keys start on Monday: 2024-11-04 was a Monday.
    assert.equal(timeLabel('week', Math.floor((20_031 + 3) / 7)), '2024-11-04 00:00:00');
    assert.equal(timeLabel('week', Math.floor((20_037 + 3) / 7)), '2024-11-04 00:00:00');
    const day = { start: new Date('2024-11-02T00:00:00.000Z'), end: new Date('2024-11-02T23:59:59.999Z') };
    assert.deepEqual(compareRange(day), { start: new Date('2024-11-01T00:00:00.000Z'), end: new Date('2024-11-01T23:59:59.999Z') });
    assert.deepEqual(compareRange(day, 'yoy'), { start: new Date('2023-11-02T00:00:00.000Z'), end: new Date('2023-11-02T23:59:59.999Z') });
  });
});

describe('filters', () => {
  test('operator syntax', () => {
    assert.deepEqual(parseFilterValue('path', 'path', '/a'), { kind: 'leaf', dim: 'path', op: 'eq', values: ['/a'] });
    assert.deepEqual(parseFilterValue('path', 'path', 'eq./a,/b'), { kind: 'leaf', dim: 'path', op: 'eq', values: ['/a', '/b'] });
    assert.deepEqual(parseFilterValue('path', 'path', 'neq./a'), { kind: 'leaf', dim: 'path', op: 'neq', values: ['/a'] });
    assert.deepEqual(parseFilterValue('path', 'path', 'c.a,b'), { kind: 'leaf', dim: 'path', op: 'contains', values: ['a,b'] });
    assert.deepEqual(parseFilterValue('path', 'path', 'dnc.x'), { kind: 'leaf', dim: 'path', op: 'notContains', values: ['x'] });
    assert.deepEqual(parseFilterValue('path', 'path', 're.^/a'), { kind: 'leaf', dim: 'path', op: 'regex', values: ['^/a'] });
    assert.deepEqual(parseFilterValue('path', 'path', 'nre.^/a'), { kind: 'leaf', dim: 'path', op: 'notRegex', values: ['^/a'] });
    // A dotted value with no operator prefix is a plain value.
    assert.deepEqual(parseFilterValue('host', 'hostname', 'www.example.com'), { kind: 'leaf', dim: 'hostname', op: 'eq', values: ['www.example.com'] });
    assert.throws(() => parseFilterValue('path', 'path', 'gt.5'), /path/);
    assert.throws(() => parseFilterValue('path', 'path', 're.(?<=x)y'), /path/);
    assert.throws(() => parseFilterValue('path', 'path', 're.[a-'), /path/);
  });

  test('parameters to a tree', () => {
    assert.equal(parseFilterParams({ startAt: '1', unit: 'day' }), null);
    assert.deepEqual(parseFilterParams({ url: '/a', utm_source: 'x', path1: 'c.b', match: 'any' }), {
      kind: 'or',
      children: [
        { kind: 'leaf', dim: 'path', op: 'eq', values: ['/a'] },
        { kind: 'leaf', dim: 'utmSource', op: 'eq', values: ['x'] },
        { kind: 'leaf', dim: 'path', op: 'contains', values: ['b'] },
      ],
    });
    // `query` is skipped where it means search text.
    assert.equal(parseFilterParams({ query: 'abc' }, ['query']), null);
  });

  test('values are bound, never spliced', () => {
    const q: Query = {
      websiteId: W, websiteDomain: 'x.com', range: { start: new Date(0), end: new Date(1) }, timeZone: 'UTC', rows: 'traffic',
      metrics: ['pageviews'], dimensions: [{ kind: 'field', name: 'path' }], orderBy: [], limit: 5, offset: 0, compare: null, now: new Date(),
      filter: parseFilterParams({ path: "'; DROP TABLE website_event; --", referrer: 'c.%_' }),
    };
    const { text, params } = duckdb.render(compileAggregate(q, duckdb));
    assert.doesNotMatch(text, /DROP TABLE/);
    assert.ok(params.includes("'; DROP TABLE website_event; --"));
  });

  test('one placeholder per distinct value', () => {
    const a = 'same';
    const { text, params } = renderNumbered(sql`SELECT ${a}, ${a}, ${raw('1')}, ${'other'}`);
    assert.equal(text, 'SELECT $1, $1, 1, $2');
    assert.deepEqual(params, ['same', 'other']);
  });
});

// Random rows over DST changes, bucketed by the engine and by a brute force using Intl.
describe('engine against brute force', () => {
  let store: Store;
  let engine: QueryEngine;
  const rows: EventRow[] = [];
  const start = Date.UTC(2024, 9, 25);
  const end = Date.UTC(2024, 10, 8);

  before(async () => {
    store = await openDuckDbStore({ dataDir: ':memory:', rollups: trafficRollups });
    engine = new QueryEngine(store.analytics);
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 3000; i++) {
      const s = Math.floor(rand() * 400);
      rows.push({
        eventId: `e0000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        websiteId: W,
        sessionId: `5e000000-0000-4000-8000-${String(s).padStart(12, '0')}`,
        visitId: `71000000-0000-4000-8000-${String(s * 10 + Math.floor(rand() * 3)).padStart(12, '0')}`,
        createdAt: new Date(start + Math.floor(rand() * (end - start))),
        eventType: 1, eventName: null, eventCategory: null, urlPath: `/p${Math.floor(rand() * 5)}`, urlQuery: null, pageTitle: null,
        hostname: 'x.com', referrerDomain: null, referrerPath: null, referrerQuery: null, utmSource: null, utmMedium: null, utmCampaign: null,
        utmContent: null, utmTerm: null, gclid: null, fbclid: null, msclkid: null, ttclid: null, liFatId: null, twclid: null, tag: null,
        browser: 'b', os: 'o', device: 'd', screen: 's', language: 'l', country: 'C', region: null, city: null, distinctId: null,
      });
    }
    rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    await store.analytics.write({ events: rows, eventData: [], sessions: [], sessionData: [] });
  });

  after(() => store.close());

  function localParts(zone: string, ms: number) {
    const local = new Date(ms + offsetMinutes(zone, ms) * 60_000);
    return { y: local.getUTCFullYear(), mo: local.getUTCMonth(), d: local.getUTCDate(), h: local.getUTCHours(), mi: local.getUTCMinutes(), dow: local.getUTCDay() };
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  function label(zone: string, ms: number, unit: Unit): string {
    const p = localParts(zone, ms);
    if (unit === 'year') return `${p.y}-01-01 00:00:00`;
    if (unit === 'month') return `${p.y}-${pad(p.mo + 1)}-01 00:00:00`;
    if (unit === 'day') return `${p.y}-${pad(p.mo + 1)}-${pad(p.d)} 00:00:00`;
    if (unit === 'hour') return `${p.y}-${pad(p.mo + 1)}-${pad(p.d)} ${pad(p.h)}:00:00`;
    return `${p.y}-${pad(p.mo + 1)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:00`;
  }

  const base = (zone: string, unit: Unit): Query => ({
    websiteId: W, websiteDomain: 'x.com', range: { start: new Date(start), end: new Date(end) }, timeZone: zone, rows: 'traffic',
    metrics: ['pageviews', 'visitors'], dimensions: [{ kind: 'time', unit }], filter: null, orderBy: [{ key: 'd0', dir: 'asc' }],
    limit: null, offset: 0, compare: null, now: new Date(),
  });

  for (const zone of ['UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Santiago', 'Pacific/Chatham']) {
    for (const unit of ['hour', 'day', 'month'] as Unit[]) {
      test(`${unit} buckets in ${zone}`, async () => {
        const expected = new Map<string, { pv: number; s: Set<string> }>();
        for (const r of rows) {
          const k = label(zone, r.createdAt.getTime(), unit);
          const e = expected.get(k) ?? { pv: 0, s: new Set() };
          e.pv++;
          e.s.add(r.sessionId);
          expected.set(k, e);
        }
        const want = [...expected.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v.pv, v.s.size]);
        const got = (await engine.run(base(zone, unit))).rows.map((r) => [r.dims[0], r.values.pageviews, r.values.visitors]);
        assert.deepEqual(got, want);
      });
    }
  }

  test('weekday x hour in New York', async () => {
    const want = new Map<string, Set<string>>();
    for (const r of rows) {
      const p = localParts('America/New_York', r.createdAt.getTime());
      const k = `${p.dow}:${p.h}`;
      want.set(k, (want.get(k) ?? new Set()).add(r.sessionId));
    }
    const q = { ...base('America/New_York', 'day'), metrics: ['visitors'] as const, dimensions: [{ kind: 'weekday' as const }, { kind: 'hourOfDay' as const }], orderBy: [] };
    const got = (await engine.run(q)).rows;
    assert.equal(got.length, want.size);
    for (const r of got) assert.equal(r.values.visitors, want.get(`${r.dims[0]}:${r.dims[1]}`)?.size, `${r.dims}`);
  });

  test('session pages: every window of newest rows agrees with grouping them all', async () => {
    const scope = { websiteId: W, range: { start: new Date(start), end: new Date(end) }, filter: null };
    // Brute force: sessions by last activity, then id.
    const last = new Map<string, number>();
    for (const r of rows) last.set(r.sessionId, Math.max(last.get(r.sessionId) ?? 0, r.createdAt.getTime()));
    const order = [...last.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id]) => id);
    for (const windowShare of [1 / 5000, 1 / 100, 1]) {
      for (const page of [1, 3, 40]) {
        const res = await listSessions(engine, scope, { page, pageSize: 10, windowShare });
        assert.deepEqual(res.data.map((s) => s.id), order.slice((page - 1) * 10, page * 10), `window ${windowShare} page ${page}`);
        assert.equal(res.count, order.length);
      }
    }
  });
});
