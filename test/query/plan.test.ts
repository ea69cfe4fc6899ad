// The planner alone (no store): which source answers which query, and why not. The numbers the
// chosen readers give are checked against the raw path in test/query/rollups.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gridOf, plan, type RollupShape } from '../../src/query/plan.js';
import type { Query } from '../../src/query/types.js';

const SLOT = 900_000;
const ROLLUPS: RollupShape = {
  slotMs: SLOT,
  attributes: { browser: ['browser'], country: ['country'], region: ['region', 'country'] },
  pageColumns: ['referrer_domain', 'utm_source'],
  visitAttributes: ['browser', 'country'],
};
// 2024-03-07T00:00Z, a slot boundary.
const T = Date.UTC(2024, 2, 7);
const DAY = 86_400_000;

const totals: Query = {
  websiteId: '0b0b0000-0000-4000-8000-00000000a11d', websiteDomain: null, range: { start: new Date(T), end: new Date(T + DAY - 1) },
  timeZone: 'UTC', rows: 'traffic', metrics: ['pageviews', 'visitors', 'visits', 'bounces', 'totaltime'], dimensions: [], filter: null,
  orderBy: [], limit: null, offset: 0, compare: null, now: new Date(T + DAY),
};
const shifted = { start: new Date(T + 1234), end: new Date(T + DAY + 999) };
const why = (q: Query) => {
  const p = plan(q, ROLLUPS);
  return p.source === 'events' ? p.why : null;
};
const readerOf = (q: Query) => {
  const p = plan(q, ROLLUPS);
  return p.source === 'rollups' ? p.reader.kind : `events: ${p.why}`;
};

test('the grid of a range: whole slots inside it and the edges around them', () => {
  assert.deepEqual(gridOf(totals, SLOT), { slotMs: SLOT, first: T / SLOT, last: (T + DAY) / SLOT - 1, head: false, tail: false });
  // 1.234 s into the first slot, 1 s past the last whole slot's end.
  assert.deepEqual(gridOf({ range: shifted }, SLOT), { slotMs: SLOT, first: T / SLOT + 1, last: (T + DAY) / SLOT - 1, head: true, tail: true });
  // One whole slot: [T + 15 min, T + 30 min).
  assert.deepEqual(gridOf({ range: { start: new Date(T + 1), end: new Date(T + 2 * SLOT - 1) } }, SLOT), { slotMs: SLOT, first: T / SLOT + 1, last: T / SLOT + 1, head: true, tail: false });
  // Shorter than a slot, and across one boundary without a whole slot.
  assert.equal(gridOf({ range: { start: new Date(T + 5), end: new Date(T + 600_000) } }, SLOT), null);
  assert.equal(gridOf({ range: { start: new Date(T + 600_000), end: new Date(T + SLOT + 600_000) } }, SLOT), null);
});

test('every reader answers ranges off the slot grid too', () => {
  assert.deepEqual(plan(totals, ROLLUPS), { source: 'rollups', reader: { kind: 'totals', filter: null }, grid: gridOf(totals, SLOT), edges: false });
  const off = plan({ ...totals, range: shifted }, ROLLUPS);
  assert.equal(off.source === 'rollups' && off.edges && off.reader.kind, 'totals');
  const filtered = plan({ ...totals, range: shifted, filter: { kind: 'leaf', dim: 'browser', op: 'eq', values: ['Chrome'] } }, ROLLUPS);
  assert.deepEqual(filtered.source === 'rollups' && filtered.reader, { kind: 'totals', filter: { column: 'browser', value: 'Chrome' } });
  const series = { ...totals, range: shifted, metrics: ['pageviews', 'visitors'], dimensions: [{ kind: 'time', unit: 'hour' }], timeZone: 'Asia/Kathmandu' } as Query;
  assert.equal(readerOf(series), 'series');
  const chrome = plan({ ...series, filter: { kind: 'leaf', dim: 'browser', op: 'eq', values: ['Chrome'] } }, ROLLUPS);
  assert.deepEqual(chrome.source === 'rollups' && chrome.reader, { kind: 'series', filter: { column: 'browser', value: 'Chrome' } });
  assert.equal(readerOf({ ...totals, range: shifted, metrics: ['visitors'], dimensions: [{ kind: 'field', name: 'browser' }] }), 'attribute');
  assert.equal(readerOf({ ...totals, range: shifted, metrics: ['pageviews'], dimensions: [{ kind: 'field', name: 'referrer' }] }), 'pageColumn');
  assert.equal(readerOf({ ...totals, range: shifted, metrics: ['visits'], dimensions: [{ kind: 'field', name: 'entry' }] }), 'entryExit');
  assert.equal(readerOf({ ...totals, range: shifted, metrics: ['visitors'], dimensions: [{ kind: 'field', name: 'channel' }] }), 'channel');
  assert.equal(readerOf({ ...totals, range: shifted, metrics: ['visitors', 'visits'], dimensions: [{ kind: 'field', name: 'path' }] }), 'pagePath');
  assert.equal(readerOf({ ...totals, range: shifted, metrics: ['visitors'], dimensions: [{ kind: 'weekday' }] }), 'cells');
});

test('each reader the rollups have, on a range of whole slots', () => {
  const by = (name: string, metrics: Query['metrics']) => ({ ...totals, metrics, dimensions: [{ kind: 'field', name }] }) as Query;
  assert.equal(readerOf(by('referrer', ['pageviews'])), 'pageColumn');
  assert.equal(readerOf(by('entry', ['visits'])), 'entryExit');
  assert.equal(readerOf(by('channel', ['visitors'])), 'channel');
  assert.equal(readerOf(by('path', ['visitors', 'visits'])), 'pagePath');
  assert.equal(readerOf(by('browser', ['visitors'])), 'attribute');
  assert.equal(readerOf({ ...totals, metrics: ['visitors'], dimensions: [{ kind: 'field', name: 'region' }, { kind: 'field', name: 'country' }] }), 'attribute');
  assert.equal(readerOf({ ...totals, metrics: ['visitors'], dimensions: [{ kind: 'weekday' }, { kind: 'hourOfDay' }] }), 'cells');
});

test('totals of some paths and their path breakdown come from page_visit, on any range', () => {
  const paths = (values: string[], dim = 'path') => ({ kind: 'leaf', dim, op: 'eq', values }) as const;
  for (const values of [['/'], ['/a', '/b'], [''], ['', '/']]) {
    for (const range of [totals.range, shifted]) {
      const p = plan({ ...totals, range, filter: paths(values) }, ROLLUPS);
      assert.deepEqual(p.source === 'rollups' && p.reader, { kind: 'pathTotals', filter: { values } });
    }
  }
  assert.equal(readerOf({ ...totals, filter: paths(['/x'], 'url'), metrics: ['pageviews'] }), 'pathTotals');
  const byPath = { ...totals, metrics: ['visitors', 'visits'], dimensions: [{ kind: 'field', name: 'path' }], filter: paths(['/', '/b']) } as Query;
  const p = plan(byPath, ROLLUPS);
  assert.deepEqual(p.source === 'rollups' && p.reader, { kind: 'pagePath', filter: { values: ['/', '/b'] } });
  // Other breakdowns and the series with a path filter read raw rows.
  assert.equal(plan({ ...byPath, dimensions: [{ kind: 'field', name: 'browser' }] }, ROLLUPS).source, 'events');
  assert.equal(plan({ ...byPath, metrics: ['pageviews', 'visitors'], dimensions: [{ kind: 'time', unit: 'day' }] }, ROLLUPS).source, 'events');
});

test('why not: what the rollups cannot answer exactly goes to raw rows', () => {
  assert.equal(plan(totals, undefined).source, 'events');
  assert.equal(plan(totals, ROLLUPS, 'events').source, 'events');
  assert.match(why({ ...totals, rows: 'all' })!, /page traffic, not all rows/);
  assert.match(why({ ...totals, range: { start: new Date(T + 5), end: new Date(T + 600_000) } })!, /no whole slot/);
  assert.match(why({ ...totals, metrics: ['pageviews', 'uniqueEvents'] })!, /no rollup answers uniqueEvents/);
  assert.match(why({ ...totals, filter: { kind: 'leaf', dim: 'path', op: 'neq', values: ['/'] } })!, /one session attribute/);
  assert.match(why({ ...totals, metrics: ['countries'], filter: { kind: 'leaf', dim: 'path', op: 'eq', values: ['/'] } })!, /page_visit answers pageviews, visitors, visits, bounces, totaltime of some paths/);
  assert.match(why({ ...totals, offset: 1, filter: { kind: 'leaf', dim: 'path', op: 'eq', values: ['/'] } })!, /offset/);
  assert.match(why({ ...totals, filter: { kind: 'and', children: [{ kind: 'leaf', dim: 'path', op: 'eq', values: ['/'] }] } })!, /one session attribute/);
  assert.match(why({ ...totals, filter: { kind: 'leaf', dim: 'browser', op: 'neq', values: ['Chrome'] } })!, /one session attribute/);
  const byBrowser = { ...totals, metrics: ['visitors'], dimensions: [{ kind: 'field', name: 'browser' }] } as Query;
  assert.match(why({ ...byBrowser, filter: { kind: 'leaf', dim: 'country', op: 'eq', values: ['DE'] } })!, /on totals and the page-view series/);
  // An empty value also matches rows without one.
  assert.match(why({ ...totals, filter: { kind: 'leaf', dim: 'browser', op: 'eq', values: [''] } })!, /one session attribute/);
  assert.match(why({ ...totals, offset: 1 })!, /offset/);
  assert.match(why({ ...totals, metrics: ['pageviews'], dimensions: [{ kind: 'time', unit: 'minute' }] })!, /minute/);
  assert.match(why({ ...totals, metrics: ['pageviews', 'visits'], dimensions: [{ kind: 'time', unit: 'day' }] })!, /session_slot answers pageviews, visitors, countries/);
  assert.match(why({ ...totals, metrics: ['visitors'], dimensions: [{ kind: 'field', name: 'os' }] })!, /no rollup keeps/);
  assert.match(why({ ...totals, restOf: [{ kind: 'field', name: 'browser' }] })!, /rest of a breakdown/);
  // Monrovia was 44 min 30 s behind UTC until 1972: its hours are not made of slots.
  const y1971 = Date.UTC(1971, 0, 1);
  assert.match(why({ ...totals, timeZone: 'Africa/Monrovia', range: { start: new Date(y1971), end: new Date(y1971 + DAY - 1) } })!, /off the slot grid/);
});
