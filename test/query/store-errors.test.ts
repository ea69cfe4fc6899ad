// The query engine's answer to what a store says about a query, on every store: a statement
// past the time budget (QUERY_TIMEOUT_MS) becomes the `query-timeout` answer (503), one past
// DuckDB's memory limit `store-out-of-memory` (503), and a regular
// expression the store's own engine refuses becomes a 400-class QueryError naming the filter,
// even when the per-dialect check (src/query/regex.ts) did not foresee it.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { HttpError } from '../../src/lib/http-error.js';
import { QueryEngine } from '../../src/query/engine.js';
import { raw, sql } from '../../src/query/sql.js';
import { QueryError, type Query } from '../../src/query/types.js';
import { openStore } from '../../src/store/index.js';
import { openDuckDbStore } from '../../src/store/duckdb/index.js';
import type { EventRow, SessionRow, Store } from '../../src/store/types.js';
import { testStores } from '../helpers/stores.js';
import { trafficRollups } from '../../src/query/rollups/embedded-rollups.js';

const STORES = await testStores();
const WEBSITE = '00000000-0000-4000-8000-000000000001';
const NULLABLE = [
  'eventName', 'eventCategory', 'urlQuery', 'pageTitle', 'hostname', 'referrerDomain', 'referrerPath', 'referrerQuery', 'utmSource', 'utmMedium',
  'utmCampaign', 'utmContent', 'utmTerm', 'gclid', 'fbclid', 'msclkid', 'ttclid', 'liFatId', 'twclid', 'tag', 'browser', 'os', 'device', 'screen',
  'language', 'country', 'region', 'city', 'distinctId',
];

/** A statement that runs for many seconds on each store, reading no table. */
const HEAVY = {
  duckdb: 'SELECT count(*) AS n FROM range(100000000000) t(x) WHERE x % 7 = 3',
  postgres: 'SELECT count(*) AS n FROM generate_series(1, 10000000000) x WHERE x % 7 = 3',
  clickhouse: 'SELECT count() AS n FROM numbers(100000000000) WHERE number % 7 = 3',
};

after(async () => {
  for (const s of STORES) await s.cleanup();
});

test('a query DuckDB has no memory for (DUCKDB_MEMORY_LIMIT) is answered as store-out-of-memory, 503', async () => {
  const small = await openDuckDbStore({ dataDir: ':memory:', rollups: trafficRollups, limits: { memoryLimit: '32MB' } });
  try {
    const engine = new QueryEngine(small.analytics);
    // A list cannot spill to disk: 20M integers are far past 32 MB.
    const err = await engine.rows(raw('SELECT length(list(x)) AS n FROM range(20000000) t(x)')).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof HttpError, `expected an HttpError, got ${String(err)}`);
    assert.equal(err.status, 503);
    assert.equal(err.code, 'store-out-of-memory');
    assert.equal(err.headers['retry-after'], '5');
    assert.deepEqual((await engine.rows(raw('SELECT 1 AS one'))).map((r) => Number(r.one)), [1]);
  } finally {
    await small.close();
  }
});

for (const store of STORES) {
  describe(`store errors through the engine (${store.name})`, () => {
    let s: Store;
    let engine: QueryEngine;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-store-errors-'));

    before(async () => {
      s = await openStore(loadConfig({ ...process.env, ...(await store.env()), DATA_DIR: dir, QUERY_TIMEOUT_MS: '200' }), trafficRollups);
      engine = new QueryEngine(s.analytics);
      // One page view in range, so every store evaluates the filter below on a row.
      const at = new Date('2024-01-01T12:00:00Z');
      const ids = { websiteId: WEBSITE, sessionId: '00000000-0000-4000-8000-000000000002', createdAt: at };
      const nulls = Object.fromEntries(NULLABLE.map((k) => [k, null]));
      await s.analytics.write({
        events: [{ ...nulls, ...ids, eventId: '00000000-0000-4000-8000-000000000003', visitId: '00000000-0000-4000-8000-000000000004', eventType: 1, urlPath: '/a' } as EventRow],
        eventData: [],
        sessions: [{ ...nulls, ...ids } as SessionRow],
        sessionData: [],
      });
    });
    after(async () => {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('a query past QUERY_TIMEOUT_MS is cancelled and answered as query-timeout', async () => {
      const started = Date.now();
      const err = await engine.rows(raw(HEAVY[store.name])).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof HttpError, `expected an HttpError, got ${String(err)}`);
      assert.equal(err.status, 503);
      assert.equal(err.code, 'query-timeout');
      assert.match(err.message, /took too long/);
      assert.equal(err.headers['retry-after'], '5');
      // Cancelled by the store, not left to run: well before the statement could finish.
      assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
      // The store still answers afterwards (the connection was not left interrupted).
      assert.deepEqual((await engine.rows(raw('SELECT 1 AS one'))).map((r) => Number(r.one)), [1]);
    });

    test("a regular expression the store's engine refuses is a QueryError, not a server error", async () => {
      const d = engine.dialect;
      const err = await engine.rows(sql`SELECT ${d.regexCi(d.text('abc'), '\\p{Foo}')} AS m`).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof QueryError, `expected a QueryError, got ${String(err)}`);
      assert.match(err.message, new RegExp(`^Invalid regular expression filter \\(re\\. or nre\\.\\): the ${store.name} store refused it: `));
    });

    test('inside a Query the refused pattern names its filter parameter', async () => {
      const q: Query = {
        websiteId: WEBSITE,
        websiteDomain: null,
        range: { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-01-02T00:00:00Z') },
        timeZone: 'UTC',
        rows: 'traffic',
        metrics: ['pageviews'],
        dimensions: [],
        // Built by hand, past the parser's portable checks: only this store's checks (or the store) see it.
        filter: { kind: 'leaf', dim: 'path', op: 'regex', values: ['\\p{Foo}'] },
        orderBy: [],
        limit: null,
        offset: 0,
        compare: null,
        now: new Date('2024-01-03T00:00:00Z'),
      };
      const err = await new QueryEngine(s.analytics, { rollups: false }).run(q).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof QueryError, `expected a QueryError, got ${String(err)}`);
      assert.match(err.message, /^Invalid path: /);
    });
  });
}
