// A rollup merge DuckDB has no memory for (a back-fill in random time order touches every visit of
// its range) is retried in smaller shares, rather than failing every time and leaving each
// rollup read to a failed merge and the raw path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDuckDbStore } from '../../../src/store/duckdb/index.js';
import { trafficRollups } from '../../../src/query/rollups/embedded-rollups.js';
import { QueryEngine } from '../../../src/query/engine.js';
import type { AnalyticsStore } from '../../../src/store/types.js';
import { pageView } from '../../helpers/event-row.js';
import type { Query } from '../../../src/query/types.js';

const W = '0b0b0000-0000-4000-8000-00000000c33f';
const T0 = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;
const ROWS = 120_000;
const id = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;

test('a merge out of memory goes on in smaller shares, and the rollups answer as raw rows do', async () => {
  // In memory with 48 MB: at this size a merge of the whole back-fill runs out, a share of ~15k rows does not.
  const store = await openDuckDbStore({ dataDir: ':memory:', rollups: trafficRollups, limits: { memoryLimit: '48MB', threads: 1 } });
  try {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const events = Array.from({ length: ROWS }, (_, i) => {
      const session = i % (ROWS / 4);
      return pageView({
        eventId: id('e0000000', i), websiteId: W, sessionId: id('5e550000', session), visitId: id('7151e000', session), createdAt: new Date(T0 + Math.floor(rand() * 30 * DAY)),
        urlPath: `/p${i % 50}`, pageTitle: `t${i % 40}`, hostname: 'h.example', referrerDomain: `r${i % 30}.example`, browser: 'chrome', os: 'Linux', device: 'desktop', country: 'DE',
      });
    });
    for (let i = 0; i < ROWS; i += 40_000) await store.analytics.write({ events: events.slice(i, i + 40_000), eventData: [], sessions: [], sessionData: [] });
    const analytics = store.analytics as AnalyticsStore & { mergeRows: number };
    const first = analytics.mergeRows;
    await store.analytics.rollups!.refresh();
    assert.ok(analytics.mergeRows < first, `merged in smaller shares (${analytics.mergeRows} rows)`);
    const [{ n }] = await store.analytics.query('SELECT count(*) AS n FROM rollup_pending');
    assert.equal(Number(n), 0, 'every share merged');

    const q: Query = {
      websiteId: W, websiteDomain: 'h.example', range: { start: new Date(T0), end: new Date(T0 + 30 * DAY - 1) }, timeZone: 'UTC', rows: 'traffic',
      metrics: ['pageviews', 'visitors', 'visits', 'bounces', 'totaltime'], dimensions: [], filter: null, orderBy: [], limit: null, offset: 0, compare: null, now: new Date(T0 + 30 * DAY),
    };
    const [got, want] = await Promise.all([new QueryEngine(store.analytics).run(q), new QueryEngine(store.analytics, { rollups: false }).run(q)]);
    assert.deepEqual(got.sources, ['rollups']);
    assert.deepEqual(got.rows, want.rows);
    assert.equal(want.rows[0].values.pageviews, ROWS);
  } finally {
    await store.close();
  }
});
