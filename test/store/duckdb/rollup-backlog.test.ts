// A backlog larger than a read's merge turns goes on merging in the background: nothing has to
// come after the read (another load or read) for the rest of rollup_pending to be merged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openDuckDbStore } from '../../../src/store/duckdb/index.js';
import { trafficRollups } from '../../../src/query/rollups/embedded-rollups.js';
import type { AnalyticsStore } from '../../../src/store/types.js';
import { pageView } from '../../helpers/event-row.js';

const W = '0b0b0000-0000-4000-8000-00000000b4c1';
const T0 = Date.UTC(2024, 0, 1);
const id = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;

test('what a read leaves of a backlog is merged in the background', async () => {
  const store = await openDuckDbStore({ dataDir: ':memory:', rollups: trafficRollups });
  try {
    const events = Array.from({ length: 90 }, (_, i) =>
      pageView({
        eventId: id('e0000000', i), websiteId: W, sessionId: id('5e550000', i % 9), visitId: id('7151e000', i % 9), createdAt: new Date(T0 + i * 60_000),
        urlPath: `/p${i % 5}`, hostname: 'h.example', browser: 'chrome', os: 'Linux', device: 'desktop', country: 'DE',
      }),
    );
    await store.analytics.write({ events, eventData: [], sessions: [], sessionData: [] });
    const analytics = store.analytics as AnalyticsStore & { mergeRows: number; refreshRollups(turns: number): Promise<void> };
    analytics.mergeRows = 20;
    const pending = async () => Number((await store.analytics.query('SELECT count(*) AS n FROM rollup_pending'))[0].n);
    // A read's two turns: two shares of 20.
    await analytics.refreshRollups(2);
    assert.equal(await pending(), 50);
    // One share per timer (2 s): the last 50 rows take three more.
    const until = Date.now() + 15_000;
    while ((await pending()) > 0 && Date.now() < until) await sleep(250);
    assert.equal(await pending(), 0, 'the background merge took the rest');
  } finally {
    await store.close();
  }
});
