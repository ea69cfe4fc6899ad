// Journey report, golden: visits with repeated pages (a reload collapses; coming back does not).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, DuckDBTimestampValue, type DuckDBConnection } from '@duckdb/node-api';
import { dateRange, ReportFixture, visitor, STORES, stopAllStores } from '../helpers/reports-fixtures.js';
import { dialectFor } from '../../src/query/dialects/index.js';
import { duckdbSequences, maxCodeBase } from '../../src/query/dialects/sequences.js';
import { sql } from '../../src/query/sql.js';

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

// DuckDB encodes paths as BIGINT codes (digits = value ranks in base k), or as lists when k^steps
// does not fit: both, on random visits, against a plain reference. Values are ASCII, so JS string
// order is DuckDB's. Many ties in time, repeats, and up to 2000 distinct values (at 510, 7-step
// codes come near 2^63).
describe('journey paths on DuckDB: codes and lists against a reference', () => {
  type Row = { visit: number; ms: number; v: string };
  let conn: DuckDBConnection;
  let close: () => void;
  const d = dialectFor('duckdb');

  before(async () => {
    const db = await DuckDBInstance.create(':memory:');
    conn = await db.connect();
    close = () => {
      conn.closeSync();
      db.closeSync();
    };
  });
  after(() => close());

  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor((seed / 2147483648) * n);
  };

  function visits(count: number, values: string[]): Row[] {
    const rows: Row[] = [];
    for (let visit = 0; visit < count; visit++) {
      let ms = 1_000_000 + rand(1000) * 1000;
      const len = 1 + (rand(3) === 0 ? rand(14) : rand(4));
      let last = values[rand(values.length)];
      for (let i = 0; i < len; i++) {
        const r = rand(10);
        const v = r < 3 ? last : r < 5 ? values[rand(Math.min(4, values.length))] : values[rand(values.length)];
        rows.push({ visit, ms, v });
        last = v;
        if (rand(3) > 0) ms += 1 + rand(5000); // else the same millisecond as the next step
      }
    }
    return rows;
  }

  function reference(rows: Row[], steps: number, start?: string, end?: string) {
    const byVisit = new Map<number, Row[]>();
    for (const r of rows) byVisit.set(r.visit, [...(byVisit.get(r.visit) ?? []), r]);
    const counts = new Map<string, { items: string[]; count: number }>();
    for (const list of byVisit.values()) {
      list.sort((a, b) => a.ms - b.ms || (a.v < b.v ? -1 : a.v > b.v ? 1 : 0));
      let seq = list.map((r) => r.v).filter((v, i, all) => i === 0 || v !== all[i - 1]);
      if (start !== undefined) {
        const p = seq.indexOf(start);
        if (p < 0) continue;
        seq = seq.slice(p);
      }
      if (end !== undefined) {
        const p = seq.slice(0, steps).indexOf(end);
        if (p < 0) continue;
        seq = seq.slice(0, p + 1);
      }
      const items = seq.slice(0, steps);
      const key = JSON.stringify(items);
      const c = counts.get(key) ?? { items, count: 0 };
      c.count++;
      counts.set(key, c);
    }
    const cmp = (a: string[], b: string[]) => {
      for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
      return a.length - b.length;
    };
    return [...counts.values()].sort((a, b) => b.count - a.count || cmp(a.items, b.items)).slice(0, 100);
  }

  async function paths(rows: Row[], input: { steps: number; start?: string; end?: string }, maxBase?: number) {
    await conn.run('CREATE OR REPLACE TABLE src (visit_id INTEGER, created_at TIMESTAMP, v VARCHAR)');
    const appender = await conn.createAppender('src');
    for (const r of rows) {
      appender.appendInteger(r.visit);
      appender.appendTimestamp(new DuckDBTimestampValue(BigInt(r.ms) * 1000n));
      appender.appendVarchar(r.v);
      appender.endRow();
    }
    appender.closeSync();
    const statements = duckdbSequences(maxBase).paths({
      startMs: 0,
      steps: input.steps,
      start: input.start === undefined ? undefined : d.text(input.start),
      end: input.end === undefined ? undefined : d.text(input.end),
    });
    for (const [i, rest] of statements.entries()) {
      const { text, params } = d.render(sql`WITH ev AS (SELECT visit_id, created_at, v FROM src),${rest}`);
      const out = (await conn.runAndReadAll(text, params as never)).getRowObjectsJS();
      if (out.some((r) => r.fits === false)) continue;
      const result = out.filter((r) => r.items !== null).map((r) => ({ items: (r.items as unknown[]).map(String), count: Number(r.n) }));
      return { result, used: i };
    }
    throw new Error('no statement fits');
  }

  const cases: { steps: number; start?: string; end?: string }[] = [];
  for (const steps of [3, 5, 7]) cases.push({ steps }, { steps, start: 'v01' }, { steps, end: 'v02' }, { steps, start: 'v01', end: 'v03' }, { steps, start: 'v02', end: 'v02' }, { steps, start: 'nowhere' }, { steps, end: 'nowhere' });

  for (const distinct of [12, 510, 600, 2000]) {
    test(`${distinct} distinct values`, async () => {
      const values = Array.from({ length: distinct }, (_, i) => `v${String(i).padStart(2, '0')}`);
      // Many visits on the last values too, so 7-step codes with 510 values come near 2^63.
      const rows = visits(distinct > 12 ? 1500 : 600, values);
      for (const c of cases) {
        const want = reference(rows, c.steps, c.start, c.end);
        const codes = await paths(rows, c);
        const lists = await paths(rows, c, 1);
        const label = JSON.stringify(c);
        assert.deepEqual(codes.result, want, `codes ${label}`);
        assert.deepEqual(lists.result, want, `lists ${label}`);
        assert.equal(lists.used, 1, label);
        // k = distinct + 1: codes while k^steps fits a BIGINT (k <= 511 for 7 steps).
        assert.equal(codes.used, distinct + 1 <= maxCodeBase(c.steps) ? 0 : 1, label);
      }
    });
  }
});
