// The traffic rollups (src/query/rollups/traffic-maintenance.ts, src/query/rollups/traffic.ts) must give exactly the raw
// path's numbers. Random traffic over a DST change arrives in batches, partly late (back-filled
// into old visits and slots), with overlapping visits, custom events, visits cut by range ends and
// sessions whose attributes change; after each batch every total, series and breakdown the
// rollups answer is compared with the raw path.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDuckDbStore } from '../../src/store/duckdb/index.js';
import type { AnalyticsStore, EventRow, Row, Store } from '../../src/store/types.js';
import { QueryEngine } from '../../src/query/engine.js';
import { gridOf, plan } from '../../src/query/plan.js';
import type { MetricName, Query, Unit } from '../../src/query/types.js';
import { trafficRollups } from '../../src/query/rollups/embedded-rollups.js';

const W = '0b0b0000-0000-4000-8000-00000000a11d';
const OTHER = '0b0b0000-0000-4000-8000-00000000b22e';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// New York springs forward on 2024-03-10 at 07:00 UTC.
const T0 = Date.UTC(2024, 2, 7);
const SPAN = 7 * DAY;

let seed = 7;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = (n: number) => Math.floor(rand() * n);
const id = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;

let eventNo = 0;
/** A visit belongs to one session (its id is derived from it). */
const sessionOf = new Map<number, number>();
function row(websiteId: string, session: number, visit: number, at: number, eventType = 1): EventRow {
  sessionOf.set(visit, session);
  return {
    eventId: id('e0000000', eventNo++), websiteId, sessionId: id('5e000000', session), visitId: id('71000000', visit),
    createdAt: new Date(at), eventType, eventName: eventType === 2 ? 'click' : null, eventCategory: null, urlPath: PATHS[pick(PATHS.length)],
    urlQuery: maybe(['a=1', 'b=2', '']), pageTitle: maybe(['Home', 'Docs']), hostname: maybe(['x.com', 'www.x.com', 'blog.x.com']),
    referrerDomain: maybe(['google.com', 'www.x.com', 'X.com', 'blog.x.com', 'news.ycombinator.com', '']), referrerPath: null, referrerQuery: null,
    utmSource: maybe(['google', 'mail']), utmMedium: maybe(['cpc']), utmCampaign: maybe(['spring', 'fall']), utmContent: maybe(['a']),
    utmTerm: maybe(['t1', 't2']), gclid: rand() < 0.05 ? 'g' : null, fbclid: null, msclkid: null, ttclid: null, liFatId: null, twclid: null, tag: maybe(['beta']),
    ...attributes(session), distinctId: null,
  };
}

/** Paths of hits, with the site's root and the empty path. */
const PATHS = ['/p0', '/p1', '/p2', '/p3', '/', ''];

/** Path filters: one path, the root, the empty path (which also matches none), a path without rows, several. */
const PATH_FILTERS: readonly string[][] = [['/p1'], ['/'], [''], ['/none'], ['/p0', '/p2'], ['', '/p1'], ['/p3', '/p3']];
const pathIs = (values: readonly string[]) => ({ kind: 'leaf', dim: 'path', op: 'eq', values }) as const;

/** One of the values, or none. */
const maybe = (values: string[]) => (rand() < 0.4 ? null : values[pick(values.length)]);

/**
 * One set per session; in a third of the sessions some hits differ (an identified session on
 * another device), some are empty (the rollups give the others' pointers a cheaper path).
 */
function attributes(session: number) {
  const varies = session % 3 === 0;
  const v = (n: number, k: string) => (varies && rand() < 0.08 ? (rand() < 0.3 ? null : `${k}${pick(n)}`) : `${k}${(session * 7 + k.charCodeAt(0)) % n}`);
  const country = v(3, 'C');
  return { browser: v(4, 'b'), os: v(3, 'o'), device: v(3, 'd'), screen: v(5, 's'), language: v(4, 'l'), country, region: v(2, 'R'), city: v(3, 'Y') };
}

/** Visits of 1-6 hits a few minutes apart; sessions come back; some visits overlap in time. */
function traffic(visits: number, firstVisit: number, from: number, span: number): EventRow[] {
  const out: EventRow[] = [];
  for (let v = firstVisit; v < firstVisit + visits; v++) {
    const session = pick(120);
    const website = rand() < 0.1 ? OTHER : W;
    let at = from + pick(span);
    const hits = 1 + pick(6);
    for (let h = 0; h < hits; h++) {
      out.push(row(website, session, v, at, rand() < 0.15 ? 2 : rand() < 0.05 ? 3 : 1));
      at += pick(25 * 60_000);
    }
  }
  return out;
}

const batch = (events: EventRow[]) => ({ events, eventData: [], sessions: [], sessionData: [] });

/**
 * Ranges off the 15-minute grid (inclusive ends to the millisecond): both ends shifted, one end
 * shifted, a range holding one whole slot, ranges shorter than a slot (raw rows alone answer
 * those), and random ones from a seed of their own so that the traffic stays the same.
 */
function offGridRanges(): [number, number][] {
  const MIN = 60_000;
  let s = 99;
  const r = (n: number) => Math.floor(((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * n);
  const random: [number, number][] = Array.from({ length: 4 }, () => {
    const a = T0 - DAY + r(SPAN + DAY);
    return [a, a + 1 + r(3 * DAY)];
  });
  return [
    [T0 + 1234, T0 + SPAN - 777],
    [T0 + DAY + 13 * MIN + 517, T0 + 3 * DAY + 7 * MIN + 3],
    [T0 + 2 * DAY + 5 * HOUR, T0 + 2 * DAY + 9 * HOUR + 40_001],
    [T0 + 3 * DAY + 44 * MIN + 999, T0 + 3 * DAY + 2 * HOUR - 1],
    [T0 + DAY + 14 * MIN + 1, T0 + DAY + 31 * MIN],
    [T0 + 3 * DAY + 10 * MIN + 5, T0 + 3 * DAY + 22 * MIN],
    [T0 + 3 * DAY + 10 * MIN + 5, T0 + 3 * DAY + 34 * MIN],
    ...random,
  ];
}

/** The queries the rollups answer on any range: totals (also filtered by one attribute), the page-view series, attribute, page-column, entry/exit, channel and per-path breakdowns, weekday and hour cells. */
function offGridQueries(): Query[] {
  const base = { websiteId: W, websiteDomain: 'x.com', rows: 'traffic', filter: null, limit: null, offset: 0, compare: null, now: new Date() } as const;
  const totals: MetricName[] = ['pageviews', 'visitors', 'visits', 'bounces', 'totaltime'];
  const out: Query[] = [];
  for (const [a, b] of offGridRanges()) {
    const range = { start: new Date(a), end: new Date(b) };
    out.push({ ...base, range, timeZone: 'UTC', metrics: totals, dimensions: [], orderBy: [] });
    out.push({ ...base, range, timeZone: 'UTC', metrics: ['pageviews', 'visitors', 'visits', 'countries'], dimensions: [], orderBy: [] });
    out.push({ ...base, range, timeZone: 'UTC', metrics: ['bounceRate', 'visitDuration', 'viewsPerVisit'], dimensions: [], orderBy: [] });
    for (const [name, value] of [['browser', 'b1'], ['country', 'C1'], ['os', 'o2']]) {
      const filter = { kind: 'leaf', dim: name, op: 'eq', values: [value] } as const;
      out.push({ ...base, range, timeZone: 'UTC', metrics: totals, dimensions: [], orderBy: [], filter });
      out.push({ ...base, range, timeZone: 'Asia/Kathmandu', metrics: ['pageviews', 'visitors'], dimensions: [{ kind: 'time', unit: 'hour' }], orderBy: [{ key: 'd0', dir: 'asc' }], filter });
    }
    // Each attribute's rows of visit_attribute_span.
    for (const [name, value] of [['device', 'd2'], ['screen', 's1'], ['language', 'l1']]) {
      out.push({ ...base, range, timeZone: 'UTC', metrics: totals, dimensions: [], orderBy: [], filter: { kind: 'leaf', dim: name, op: 'eq', values: [value] } });
    }
    for (const values of PATH_FILTERS) {
      out.push({ ...base, range, timeZone: 'UTC', metrics: totals, dimensions: [], orderBy: [], filter: pathIs(values) });
    }
    out.push({ ...base, range, timeZone: 'UTC', metrics: ['visitors', 'bounceRate', 'viewsPerVisit'], dimensions: [], orderBy: [], filter: pathIs(['/']) });
    for (const zone of ['UTC', 'America/New_York', 'Asia/Kathmandu']) {
      for (const unit of ['hour', 'day', 'week', 'month'] as Unit[]) {
        out.push({ ...base, range, timeZone: zone, metrics: ['pageviews', 'visitors', 'countries'], dimensions: [{ kind: 'time', unit }], orderBy: [{ key: 'd0', dir: 'asc' }] });
      }
    }
    for (const name of ['browser', 'country', 'region', 'city']) {
      const dims = name === 'region' || name === 'city' ? [name, 'country'] : [name];
      out.push({
        ...base, range, timeZone: 'UTC', metrics: ['visitors', 'pageviews'], dimensions: dims.map((n) => ({ kind: 'field', name: n })),
        orderBy: [{ key: 'visitors', dir: 'desc' }, ...dims.map((_, i) => ({ key: `d${i}`, dir: 'asc' as const }))], limit: 6,
      });
    }
    for (const name of ['referrer', 'query', 'utmSource', 'tag']) {
      out.push({
        ...base, range, timeZone: 'UTC', metrics: ['pageviews'], dimensions: [{ kind: 'field', name }],
        orderBy: [{ key: 'pageviews', dir: 'desc' }, { key: 'd0', dir: 'asc' }], limit: 5,
      });
    }
    for (const name of ['entry', 'exit']) {
      out.push({ ...base, range, timeZone: 'UTC', metrics: ['visits'], dimensions: [{ kind: 'field', name }], orderBy: [{ key: 'visits', dir: 'desc' }, { key: 'd0', dir: 'asc' }], limit: 3 });
    }
    out.push({ ...base, range, timeZone: 'UTC', metrics: ['visitors'], dimensions: [{ kind: 'field', name: 'channel' }], orderBy: [{ key: 'visitors', dir: 'desc' }, { key: 'd0', dir: 'asc' }], limit: 20 });
    for (const metrics of [totals, ['visitors'], ['pageviews', 'visitors']] as MetricName[][]) {
      out.push({ ...base, range, timeZone: 'UTC', metrics, dimensions: [{ kind: 'field', name: 'path' }], orderBy: [{ key: metrics[0], dir: 'desc' }, { key: 'd0', dir: 'asc' }], limit: 500 });
    }
    for (const dimensions of [[{ kind: 'weekday' }, { kind: 'hourOfDay' }], [{ kind: 'hourOfDay' }]] as Query['dimensions'][]) {
      out.push({ ...base, range, timeZone: 'America/New_York', metrics: ['visitors', 'pageviews', 'countries'], dimensions, orderBy: dimensions.map((_, i) => ({ key: `d${i}`, dir: 'asc' as const })) });
    }
  }
  return out;
}

function queries(): Query[] {
  const base = { websiteId: W, websiteDomain: 'x.com', rows: 'traffic', filter: null, limit: null, offset: 0, compare: null, now: new Date() } as const;
  const ranges: [number, number][] = [
    [T0, T0 + SPAN],
    [T0 + DAY, T0 + 3 * DAY],
    [T0 + 2 * DAY + 5 * HOUR, T0 + 4 * DAY + 15 * 60_000],
    [T0 + 3 * DAY + 45 * 60_000, T0 + 3 * DAY + 2 * HOUR],
    [T0 - DAY, T0 + 8 * DAY],
  ];
  const out: Query[] = [];
  const totals: MetricName[] = ['pageviews', 'visitors', 'visits', 'bounces', 'totaltime'];
  for (const [a, b] of ranges) {
    const range = { start: new Date(a), end: new Date(b - 1) };
    out.push({ ...base, range, timeZone: 'UTC', metrics: totals, dimensions: [], orderBy: [] });
    out.push({ ...base, range, timeZone: 'UTC', metrics: ['visits', 'totaltime'], dimensions: [], orderBy: [] });
    // /sessions/stats' traffic totals.
    out.push({ ...base, range, timeZone: 'UTC', metrics: ['pageviews', 'visitors', 'visits', 'countries'], dimensions: [], orderBy: [] });
    // Totals filtered by one session attribute (some visits have hits with other values).
    for (const [name, value] of [['browser', 'b1'], ['os', 'o1'], ['device', 'd2'], ['screen', 's1'], ['language', 'l1'], ['country', 'C1']]) {
      const filter = { kind: 'leaf', dim: name, op: 'eq', values: [value] } as const;
      out.push({ ...base, range, timeZone: 'UTC', metrics: totals, dimensions: [], orderBy: [], filter });
      // The page-view series of the sessions with that value.
      out.push({ ...base, range, timeZone: 'America/New_York', metrics: ['pageviews', 'visitors', 'countries'], dimensions: [{ kind: 'time', unit: 'day' }], orderBy: [{ key: 'd0', dir: 'asc' }], filter });
    }
    for (const name of ['browser', 'os', 'device', 'screen', 'language', 'country', 'region', 'city']) {
      const dims = name === 'region' || name === 'city' ? [name, 'country'] : [name];
      for (const metrics of [['visitors'], ['pageviews', 'visitors']] as MetricName[][]) {
        out.push({
          ...base, range, timeZone: 'UTC', metrics, dimensions: dims.map((n) => ({ kind: 'field', name: n })),
          orderBy: [{ key: 'visitors', dir: 'desc' }, ...dims.map((_, i) => ({ key: `d${i}`, dir: 'asc' as const }))], limit: 4,
        });
      }
    }
    out.push({
      ...base, range, timeZone: 'UTC', metrics: ['visitors'], dimensions: [{ kind: 'field', name: 'channel' }],
      orderBy: [{ key: 'visitors', dir: 'desc' }, { key: 'd0', dir: 'asc' }], limit: 20,
    });
    // Per path (/metrics/expanded, insights): the (path, visit) groups of page_visit.
    for (const metrics of [totals, ['visitors'], ['visits', 'bounces', 'totaltime'], ['pageviews', 'visitors']] as MetricName[][]) {
      out.push({
        ...base, range, timeZone: 'UTC', metrics, dimensions: [{ kind: 'field', name: 'path' }],
        orderBy: [{ key: metrics[0], dir: 'desc' }, { key: 'd0', dir: 'asc' }], limit: 500,
      });
    }
    // Totals of some paths, and the path breakdown of some paths.
    for (const values of PATH_FILTERS) {
      out.push({ ...base, range, timeZone: 'UTC', metrics: totals, dimensions: [], orderBy: [], filter: pathIs(values) });
    }
    out.push({ ...base, range, timeZone: 'UTC', metrics: ['visits', 'visitors'], dimensions: [], orderBy: [], filter: pathIs(['/p2']) });
    out.push({
      ...base, range, timeZone: 'UTC', metrics: totals, dimensions: [{ kind: 'field', name: 'path' }], filter: pathIs(['/p0', '/', '']),
      orderBy: [{ key: 'visitors', dir: 'desc' }, { key: 'd0', dir: 'asc' }],
    });
    out.push({
      ...base, range, timeZone: 'America/New_York', metrics: totals, dimensions: [{ kind: 'field', name: 'url' }],
      orderBy: [{ key: 'visitors', dir: 'asc' }, { key: 'd0', dir: 'desc' }], limit: 3, offset: 1,
    });
    for (const name of ['entry', 'exit']) {
      out.push({
        ...base, range, timeZone: 'UTC', metrics: ['visits'], dimensions: [{ kind: 'field', name }],
        orderBy: [{ key: 'visits', dir: 'desc' }, { key: 'd0', dir: 'asc' }], limit: 3,
      });
    }
    for (const name of ['referrer', 'domain', 'query', 'title', 'hostname', 'tag', 'utmSource', 'utmMedium', 'utmCampaign', 'utmContent', 'utmTerm']) {
      out.push({
        ...base, range, timeZone: 'UTC', metrics: ['pageviews'], dimensions: [{ kind: 'field', name }],
        orderBy: [{ key: 'pageviews', dir: 'desc' }, { key: 'd0', dir: 'asc' }], limit: 5,
      });
    }
    for (const zone of ['UTC', 'America/New_York', 'Asia/Kathmandu']) {
      for (const dimensions of [[{ kind: 'weekday' }, { kind: 'hourOfDay' }], [{ kind: 'hourOfDay' }]] as Query['dimensions'][]) {
        const orderBy = dimensions.map((_, i) => ({ key: `d${i}`, dir: 'asc' as const }));
        out.push({ ...base, range, timeZone: zone, metrics: ['visitors', 'pageviews', 'countries'], dimensions, orderBy });
      }
      for (const unit of ['hour', 'day', 'week', 'month'] as Unit[]) {
        out.push({ ...base, range, timeZone: zone, metrics: ['pageviews', 'visitors', 'countries'], dimensions: [{ kind: 'time', unit }], orderBy: [{ key: 'd0', dir: 'asc' }] });
      }
    }
  }
  return out;
}

describe('traffic rollups give the raw numbers', () => {
  let dir: string;
  let store: Store;
  let fast: QueryEngine;
  let raw: QueryEngine;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-rollup-'));
    store = await openDuckDbStore({ dataDir: dir, rollups: trafficRollups });
    fast = new QueryEngine(store.analytics);
    raw = new QueryEngine(store.analytics, { rollups: false });
  });

  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /**
   * The merged rollup tables hold exactly the rows a rebuild from website_event gives (the
   * rebuild's stay). A visit whose attributes vary is regrouped from raw rows whenever they matter,
   * so which of its values visit_rollup keeps is left out.
   */
  async function sameAsRebuilt(label: string) {
    const tables = ['visit_rollup', 'visit_span', 'visit_attribute_span', 'session_slot', 'slot_count', 'page_visit'];
    const kept = trafficRollups.visitAttributes.map((a) => `CASE WHEN mixed THEN NULL ELSE ${a} END AS ${a}`).join(', ');
    const columns = (t: string) => (t === 'visit_rollup' ? `* REPLACE (${kept})` : '*');
    for (const t of tables) await store.analytics.query(`CREATE TABLE merged_${t} AS SELECT * FROM ${t}`);
    try {
      await store.analytics.rollups!.rebuild();
      for (const t of tables) {
        const [{ extra, missing }] = await store.analytics.query(`SELECT
          (SELECT count(*) FROM (SELECT ${columns(t)} FROM merged_${t} EXCEPT ALL SELECT ${columns(t)} FROM ${t})) AS extra,
          (SELECT count(*) FROM (SELECT ${columns(t)} FROM ${t} EXCEPT ALL SELECT ${columns(t)} FROM merged_${t})) AS missing`);
        assert.deepEqual([Number(extra), Number(missing)], [0, 0], `${label}: ${t} as merged (rows only there, rows missing) is as rebuilt`);
      }
    } finally {
      for (const t of tables) await store.analytics.query(`DROP TABLE merged_${t}`);
    }
  }

  async function compare(label: string) {
    // A refresh that fails would send every query to the raw path and hide a wrong rollup.
    await store.analytics.rollups!.refresh();
    await sameAsRebuilt(label);
    for (const q of queries()) {
      assert.ok(plan(q, store.analytics.rollups!).source === 'rollups', `${label}: the rollups answer ${JSON.stringify(q.dimensions)}`);
      const [got, want] = await Promise.all([fast.run(q), raw.run(q)]);
      assert.deepEqual(got.rows, want.rows, `${label}: ${q.timeZone} ${JSON.stringify(q.dimensions)} ${JSON.stringify(q.filter)} ${q.range.start.toISOString()}..${q.range.end.toISOString()} ${q.metrics}`);
    }
    let edged = 0;
    for (const q of offGridQueries()) {
      const [got, want] = await Promise.all([fast.run(q), raw.run(q)]);
      // Only a range without a whole slot is left to raw rows.
      const whole = gridOf(q, store.analytics.rollups!.slotMs) !== null;
      assert.deepEqual(got.sources, whole ? ['rollups', 'events'] : ['events'], `${label}: who answers ${q.range.start.toISOString()}..${q.range.end.toISOString()} ${q.metrics}`);
      if (whole) edged++;
      const what = `${label} off the grid: ${q.timeZone} ${JSON.stringify(q.dimensions)} ${JSON.stringify(q.filter)} ${q.range.start.toISOString()}..${q.range.end.toISOString()} ${q.metrics}`;
      assert.deepEqual(got.rows, want.rows, what);
    }
    assert.ok(edged > 100, `whole slots and raw edges answered ${edged} queries`);
  }

  test('in time order, in several batches', async () => {
    const rows = traffic(900, 0, T0, SPAN).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    for (let i = 0; i < rows.length; i += 700) await store.analytics.write(batch(rows.slice(i, i + 700)));
    await compare('in order');
    const totals = (await raw.run(queries()[0])).rows[0].values;
    assert.ok(totals.visitors > 50 && totals.bounces > 20 && totals.totaltime > 0, 'the fixture has visitors, bounces and time');
  });

  /** For each of `n` visits: an existing visit gets a hit anywhere in the span, and a new visit (from `firstNew` on) appears days back. */
  function lateHits(n: number, firstNew: number): EventRow[] {
    const late: EventRow[] = [];
    for (let v = 0; v < n; v++) {
      const visit = pick(900);
      late.push(row(W, sessionOf.get(visit)!, visit, T0 + pick(SPAN)));
      late.push(row(W, pick(120), firstNew + v, T0 + pick(SPAN)));
    }
    return late;
  }

  test('late hits into old visits, old slots and new visits', async () => {
    await store.analytics.write(batch(lateHits(200, 5000)));
    await compare('late hits');
  });

  test('a backlog merged a share at a time (mergeRows) gives the same numbers', async () => {
    const analytics = store.analytics as AnalyticsStore & { mergeRows: number };
    const before = analytics.mergeRows;
    analytics.mergeRows = 37;
    try {
      await store.analytics.write(batch(lateHits(150, 7000)));
      await store.analytics.rollups!.refresh();
      const [{ n }] = await store.analytics.query('SELECT count(*) AS n FROM rollup_pending');
      assert.equal(Number(n), 0, 'every share merged');
      await compare('merged in shares of 37 rows');
    } finally {
      analytics.mergeRows = before;
    }
  });

  test('a read behind a large backlog answers from raw rows at once, and from the rollups once merged', async () => {
    const analytics = store.analytics as AnalyticsStore & { readMergeRows: number };
    const before = analytics.readMergeRows;
    analytics.readMergeRows = 50;
    try {
      await store.analytics.write(batch(lateHits(100, 9000)));
      for (const q of queries().slice(0, 3)) {
        const [got, want] = await Promise.all([fast.run(q), raw.run(q)]);
        assert.deepEqual(got.sources, ['events'], 'answered from raw rows rather than after a merge of 200 rows');
        assert.deepEqual(got.rows, want.rows);
      }
    } finally {
      analytics.readMergeRows = before;
    }
    await store.analytics.rollups!.refresh();
    for (const q of queries().slice(0, 3)) {
      const [got, want] = await Promise.all([fast.run(q), raw.run(q)]);
      assert.deepEqual(got.sources, ['rollups']);
      assert.deepEqual(got.rows, want.rows);
    }
  });

  test('a read while a merge is under way waits for it and answers from the rollups', async () => {
    await store.analytics.write(batch(lateHits(100, 11000)));
    await store.analytics.query('SELECT 1'); // loaded, so the merge below has rows to take
    const merging = store.analytics.rollups!.refresh();
    await new Promise((r) => setTimeout(r, 20));
    const q = queries()[0];
    const [got, want] = await Promise.all([fast.run(q), raw.run(q)]);
    await merging;
    assert.deepEqual(got.sources, ['rollups']);
    assert.deepEqual(got.rows, want.rows);
  });

  test('reads racing loads and merges answer from one state', async () => {
    // Entry pages, channels and totals on shifted ranges read visit_span, visit_rollup and raw
    // rows in several statements; late hits landing between them must not mix two states.
    const shifted = { start: new Date(T0 + DAY + 13 * 60_000 + 517), end: new Date(T0 + 3 * DAY + 7 * 60_000 + 3) };
    const picked = [...queries(), ...offGridQueries()].filter((q) => q.dimensions.length === 0 || (q.dimensions[0].kind === 'field' && ['entry', 'exit', 'channel'].includes(q.dimensions[0].name)));
    const checked = [...new Map(picked.map((q) => [JSON.stringify({ ...q, range: null, now: null }), { ...q, range: shifted }])).values()].slice(0, 12);
    for (let round = 0; round < 3; round++) {
      const before = await Promise.all(checked.map((q) => raw.run(q)));
      const late: EventRow[] = [];
      for (let v = 0; v < 40; v++) {
        const visit = pick(900);
        // An earlier hit just before the range's start moves a whole visit to a cut one.
        late.push(row(W, sessionOf.get(visit)!, visit, shifted.start.getTime() - pick(20 * 60_000)));
        late.push(row(W, sessionOf.get(visit)!, visit, T0 + pick(SPAN)));
      }
      const reads = checked.map((q, i) => new Promise((r) => setTimeout(r, i)).then(() => fast.run(q)));
      const [, ...got] = await Promise.all([store.analytics.write(batch(late)), ...reads]);
      const after = await Promise.all(checked.map((q) => raw.run(q)));
      got.forEach((g, i) => {
        const seen = JSON.stringify(g.rows);
        assert.ok(seen === JSON.stringify(before[i].rows) || seen === JSON.stringify(after[i].rows),
          `round ${round}: ${JSON.stringify(checked[i].dimensions)} ${checked[i].metrics} ${seen} is neither ${JSON.stringify(before[i].rows)} nor ${JSON.stringify(after[i].rows)}`);
      });
    }
    await compare('after racing reads');
  });

  test('rows loaded and merged while a read runs do not reach it', async () => {
    // Deterministic: after the first statement of each rollup read, late hits are written, loaded
    // and merged; the read's later statements still see the state its first one saw.
    const shifted = { start: new Date(T0 + 2 * DAY + 5 * HOUR + 7), end: new Date(T0 + 4 * DAY + 11 * 60_000) };
    const real = store.analytics;
    const checked = [...queries(), ...offGridQueries()]
      .filter((q) => q.dimensions.length === 0 || (q.dimensions[0].kind === 'field' && ['entry', 'channel'].includes(q.dimensions[0].name)))
      .slice(0, 6).map((q) => ({ ...q, range: shifted }));
    for (const q of checked) {
      const want = await raw.run(q);
      let injected = false;
      const rollups = { ...real.rollups!, read: <T>(id: string, body: (run: (sql: string, params: unknown[]) => Promise<Row[]>) => Promise<T>) =>
        real.rollups!.read(id, (run) => body(async (sql, params) => {
          const rows = await run(sql, params);
          if (!injected) {
            injected = true;
            const late: EventRow[] = [];
            for (let v = 0; v < 30; v++) {
              const visit = pick(900);
              late.push(row(W, sessionOf.get(visit)!, visit, shifted.start.getTime() - 1 - pick(20 * 60_000)));
              late.push(row(W, sessionOf.get(visit)!, visit, shifted.end.getTime() - pick(20 * 60_000)));
            }
            await real.write(batch(late));
            await real.rollups!.refresh();
          }
          return rows;
        })) };
      const wrapped = new QueryEngine({ ...real, dialect: real.dialect, query: real.query.bind(real), rollups } as AnalyticsStore);
      const got = await wrapped.run(q);
      assert.ok(injected, `${JSON.stringify(q.dimensions)}: rows were loaded during the read`);
      assert.deepEqual(got.rows, want.rows, `${JSON.stringify(q.dimensions)} ${q.metrics}: the state before the load`);
      assert.notDeepEqual((await raw.run(q)).rows, want.rows, 'the load changed the answer');
    }
    await compare('after reads with loads inside');
  });

  test('a visit whose later hit has another attribute value counts under each value', async () => {
    const [totals] = queries();
    const at = T0 + 2 * DAY + 10 * 60_000;
    const hit = (n: number, country: string) => ({ ...row(W, 7000, 7000, at + n * 60_000), browser: 'b9', os: 'o9', device: 'd9', screen: 's9', language: 'l9', country });
    // Two merges: the visit is rolled up before its last hit arrives.
    await store.analytics.write(batch([hit(0, 'C8'), hit(1, 'C8')]));
    await store.analytics.rollups!.refresh();
    await store.analytics.write(batch([hit(2, 'C9')]));
    await store.analytics.rollups!.refresh();
    // On the grid; with the visit in the head slot of a range off the grid; and cut by its start.
    const ranges = [totals.range, { start: new Date(at - 5 * 60_000 + 7), end: totals.range.end }, { start: new Date(at + 30_000), end: totals.range.end }];
    for (const range of ranges) {
      for (const country of ['C8', 'C9']) {
        const q = { ...totals, range, filter: { kind: 'leaf', dim: 'country', op: 'eq', values: [country] } } as Query;
        assert.ok(plan(q, store.analytics.rollups!).source === 'rollups');
        const [got, want] = await Promise.all([fast.run(q), raw.run(q)]);
        assert.deepEqual(got.rows, want.rows, `country ${country} ${range.start.toISOString()}`);
        assert.equal(want.rows[0].values.visits, 1);
      }
    }
  });

  test("a session's later slot, merged after its first, moves the first's forward pointers (the head edge of a range off the grid)", async () => {
    const HEAD = '0b0b0000-0000-4000-8000-00000000c340';
    const totals = { ...queries()[0], websiteId: HEAD };
    const at = T0 + 5 * DAY + 3 * 60_000;
    const attrs = { os: 'o9', device: 'd9', screen: 's9', language: 'l9', country: 'C7' };
    // One session keeps its attributes; the other's later hit has another browser.
    const hit = (session: number, n: number, browser: string) => ({ ...row(HEAD, session, session + n, at + n * 3 * HOUR), ...attrs, browser });
    // A third changes browser after its first hit: its first row's forward pointer per country
    // (the next slot, before the later merge's) must stay.
    const third = (ms: number, browser: string) => ({ ...row(HEAD, 7203, 7203, at + ms), ...attrs, browser });
    await store.analytics.write(batch([hit(7201, 0, 'b9'), hit(7202, 0, 'b9'), third(0, 'b1'), third(HOUR, 'b2'), third(2 * HOUR, 'b2')]));
    await store.analytics.rollups!.refresh();
    await store.analytics.write(batch([hit(7201, 1, 'b9'), hit(7202, 1, 'b8'), third(5 * HOUR, 'b2')]));
    await store.analytics.rollups!.refresh();
    const filters = [null, ...['country', 'browser'].map((dim) => ({ kind: 'leaf', dim, op: 'eq', values: [dim === 'country' ? 'C7' : 'b9'] }))];
    const ends = [[6 * HOUR, 3], [1.5 * HOUR, 3]] as const;
    for (const [end, visitors] of ends) {
      const range = { start: new Date(at - 60_000), end: new Date(at + end) };
      for (const filter of filters) {
        const q = { ...totals, range, filter } as Query;
        assert.ok(plan(q, store.analytics.rollups!).source === 'rollups');
        const [got, want] = await Promise.all([fast.run(q), raw.run(q)]);
        if (filter?.dim !== 'browser') assert.equal(want.rows[0].values.visitors, visitors, JSON.stringify(filter));
        assert.deepEqual(got.rows, want.rows, `${end} ${JSON.stringify(filter)}`);
      }
    }
  });

  test('a query right after a write sees it', async () => {
    const q = queries()[0];
    const before = (await fast.run(q)).rows[0].values.pageviews;
    await store.analytics.write(batch([row(W, 1, 9000, T0 + DAY)]));
    assert.equal((await fast.run(q)).rows[0].values.pageviews, before + 1);
  });

  test('hits in one instant: the entry page is the least path, the exit page the greatest, on every path', async () => {
    const TIE = '0b0b0000-0000-4000-8000-00000000c33f';
    const first = T0 + 4 * DAY + 20 * 60_000 + 123;
    const last = first + 5 * 60_000;
    const hit = (at: number, urlPath: string) => ({ ...row(TIE, 7100, 7100, at), urlPath });
    const base = { websiteId: TIE, websiteDomain: 'x.com', rows: 'traffic', filter: null, limit: null, offset: 0, compare: null, now: new Date(), timeZone: 'UTC' } as const;
    const ranges = [
      { start: new Date(T0 + 4 * DAY), end: new Date(T0 + 4 * DAY + HOUR - 1) },
      { start: new Date(first - 1), end: new Date(last + 7) },
      // Cut by the start: only the rows of its last instant are in range (raw edges).
      { start: new Date(first + 1), end: new Date(last + 7) },
    ];
    const pages = async (name: string) => {
      const out: string[] = [];
      for (const range of ranges) {
        const q: Query = { ...base, range, metrics: ['visits'], dimensions: [{ kind: 'field', name }], orderBy: [{ key: 'visits', dir: 'desc' }, { key: 'd0', dir: 'asc' }] };
        const [got, want] = await Promise.all([fast.run(q), raw.run(q)]);
        assert.deepEqual(got.rows, want.rows, `${name} ${range.start.toISOString()}`);
        out.push(...got.rows.map((r) => String(r.dims[0])));
      }
      return out;
    };
    // Stored in an order that is neither the paths' nor their reverse.
    await store.analytics.write(batch([hit(first, '/m'), hit(first, '/z'), hit(first, '/k'), hit(last, '/q'), hit(last, '/c')]));
    await store.analytics.rollups!.refresh();
    assert.deepEqual(await pages('entry'), ['/k', '/k', '/c']);
    assert.deepEqual(await pages('exit'), ['/q', '/q', '/q']);
    // Merged later, into the same instants.
    await store.analytics.write(batch([hit(first, '/b'), hit(last, '/y')]));
    await store.analytics.rollups!.refresh();
    assert.deepEqual(await pages('entry'), ['/b', '/b', '/c']);
    assert.deepEqual(await pages('exit'), ['/y', '/y', '/y']);
  });

  test('after deleting part of the data, and after a restart', async () => {
    await store.analytics.deleteWebsiteData(W, { from: new Date(T0 + 2 * DAY), to: new Date(T0 + 3 * DAY) });
    await compare('after delete');
    await store.analytics.write(batch(traffic(100, 10_000, T0, SPAN)));
    await store.close();
    store = await openDuckDbStore({ dataDir: dir, rollups: trafficRollups });
    fast = new QueryEngine(store.analytics);
    raw = new QueryEngine(store.analytics, { rollups: false });
    await compare('after restart');
  });

  test('rows with microseconds, rolled up from SQL', async () => {
    // Imports and bulk loads may keep sub-millisecond times. Without the visits that late hits
    // stretched over days, the rows of the page visits cut by a range's ends lie in short windows
    // that end at a row with microseconds.
    await store.analytics.query(`UPDATE website_event SET created_at = created_at + INTERVAL 700 MICROSECOND`);
    await store.analytics.query(`DELETE FROM website_event WHERE visit_id IN
      (SELECT visit_id FROM website_event GROUP BY visit_id HAVING max(created_at) - min(created_at) > INTERVAL 3 HOUR)`);
    await store.analytics.rollups!.rebuild();
    await compare('microseconds');
    const field = (name: string) => queries().find((q) => q.dimensions[0]?.kind === 'field' && q.dimensions[0].name === name) as Query;
    // Page visits, and the visit totals, channels and entry pages that recount cut visits.
    const some = queries().filter((q) => q.filter?.kind === 'leaf' && q.filter.dim === 'path' && q.range.start.getTime() === T0);
    const checked = [field('path'), queries()[0], field('channel'), field('entry'), ...some];
    let cut = 0;
    for (let h = 0; h < 7 * 24; h += 5) {
      const range = { start: new Date(T0 + h * HOUR), end: new Date(T0 + (h + 3) * HOUR - 1) };
      for (const q of checked.map((x) => ({ ...x, range }))) {
        assert.deepEqual((await fast.run(q)).rows, (await raw.run(q)).rows, `microseconds: ${JSON.stringify(q.dimensions)} ${JSON.stringify(q.filter)} ${q.range.start.toISOString()}`);
      }
      const [{ n }] = await store.analytics.query('SELECT count(*) AS n FROM page_visit WHERE t0 < $1 AND t1 >= $1', [range.start.toISOString()]);
      cut += Number(n);
    }
    assert.ok(cut > 10, `the ranges cut page visits (${cut})`);
  });

  test('rollups that cannot catch up are skipped, not trusted', async () => {
    await store.analytics.query('DROP TABLE slot_count');
    await store.analytics.write(batch([row(W, 2, 9001, T0 + DAY)]));
    const warnings: string[] = [];
    const log = { debug: () => undefined, warn: (_: object, msg: string) => void warnings.push(msg) };
    const [q] = queries();
    const got = await new QueryEngine(store.analytics, { log }).run(q);
    assert.deepEqual(got.rows, (await raw.run(q)).rows);
    assert.deepEqual(got.sources, ['events']);
    assert.deepEqual(warnings, ['rollup refresh failed; answering from raw rows']);
  });
});
