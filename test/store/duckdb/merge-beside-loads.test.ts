// Rollup merges run on their own connection: a load commits while a merge share is under way,
// its rows stay pending for the next share (DuckDB's MVCC), and that share follows on its own.
// A read with pending rows answers inside a merge share's transaction, so a load during that
// share neither waits for it nor keeps the read from the rollups.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDuckDbStore } from '../../../src/store/duckdb/index.js';
import { trafficRollups } from '../../../src/query/rollups/embedded-rollups.js';
import type { AnalyticsStore } from '../../../src/store/types.js';
import { pageView } from '../../helpers/event-row.js';

const W = '0b0b0000-0000-4000-8000-00000000c0c1';
const LATE = '0b0b0000-0000-4000-8000-00000000c0c2';
const T0 = Date.UTC(2024, 0, 1);
const id = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;
const view = (websiteId: string, i: number, sessions: number) =>
  pageView({
    eventId: id(websiteId === W ? 'e0000000' : 'e1000000', i), websiteId, sessionId: id('5e550000', i % sessions), visitId: id('7151e000', i % sessions),
    createdAt: new Date(T0 + i * 7_000), urlPath: `/p${i % 7}`, hostname: 'h.example', browser: 'chrome', os: 'Linux', device: 'desktop', country: 'DE',
  });

test('a load commits while a merge share is under way; the next share merges its rows', async () => {
  const store = await openDuckDbStore({ dataDir: ':memory:', rollups: trafficRollups });
  try {
    const analytics = store.analytics as AnalyticsStore & { refreshRollups(turns: number): Promise<void> };
    const count = async (sql: string) => Number((await store.analytics.query(sql))[0].n);
    await analytics.write({ events: Array.from({ length: 60_000 }, (_, i) => view(W, i, 20_000)), eventData: [], sessions: [], sessionData: [] });
    const order: string[] = [];
    const merge = analytics.refreshRollups(1).then(() => order.push('merge'));
    await sleep(50); // the share has taken its snapshot
    await analytics.write({ events: [view(LATE, 0, 1)], eventData: [], sessions: [], sessionData: [] });
    order.push('load');
    await merge;
    assert.deepEqual(order, ['load', 'merge'], 'the load did not wait for the merge');
    assert.equal(await count('SELECT count(*) AS n FROM visit_rollup'), 20_000, 'the share merged what it found');
    // The load's row was not in the share's snapshot: still pending, and merged by the share it scheduled.
    const until = Date.now() + 15_000;
    while ((await count('SELECT count(*) AS n FROM rollup_pending')) > 0 && Date.now() < until) await sleep(250);
    assert.equal(await count('SELECT count(*) AS n FROM rollup_pending'), 0, 'the next share took the late row');
    assert.equal(await count(`SELECT count(*) AS n FROM visit_rollup WHERE website_id = '${LATE}'`), 1);
    assert.equal(await count(`SELECT count(*) AS n FROM session_slot WHERE website_id = '${LATE}'`), 1);
  } finally {
    await store.close();
  }
});

test('a read with pending rows answers from inside a merge share; a load meanwhile neither waits nor shows', async () => {
  const store = await openDuckDbStore({ dataDir: ':memory:', rollups: trafficRollups });
  try {
    const analytics = store.analytics as AnalyticsStore & { readMergeRows: number };
    analytics.readMergeRows = 100_000;
    await analytics.write({ events: Array.from({ length: 60_000 }, (_, i) => view(W, i, 20_000)), eventData: [], sessions: [], sessionData: [] });
    const order: string[] = [];
    const read = analytics.rollups!.read(W, async (run) => {
      const [pending] = await run('SELECT count(*) AS n FROM rollup_pending', []);
      const [visits] = await run(`SELECT count(*) AS n FROM visit_rollup WHERE website_id = '${W}'`, []);
      return { pending: Number(pending.n), visits: Number(visits.n) };
    }).then((r) => {
      order.push('read');
      return r;
    });
    await sleep(50); // the read has joined the merge share, which has taken its snapshot
    await analytics.write({ events: [view(W, 60_000, 1)], eventData: [], sessions: [], sessionData: [] });
    order.push('load');
    const answer = await read;
    assert.deepEqual(order, ['load', 'read'], 'the load did not wait for the read or its merge');
    // Inside the share: every row the read had to see merged, the later load's row not there.
    assert.deepEqual(answer, { answer: { pending: 0, visits: 20_000 } });
    const count = async (sql: string) => Number((await store.analytics.query(sql))[0].n);
    assert.equal(await count('SELECT count(*) AS n FROM rollup_pending'), 1, 'the late row waits for the next share');
  } finally {
    await store.close();
  }
});
