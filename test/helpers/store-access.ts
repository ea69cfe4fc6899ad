// Test-only: open the store a server used (DuckDB: only while that server is stopped; PostgreSQL
// and ClickHouse's PostgreSQL metadata: any time) and run fn on it.
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/store/index.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import type { Store } from '../../src/store/types.js';
import type { Dashi } from './server.js';
import { trafficRollups } from '../../src/query/rollups/embedded-rollups.js';

export async function withStore<T>(dashi: Dashi, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(loadConfig({ DATA_DIR: dashi.dataDir, ...dashi.env }), trafficRollups);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Rows of one website in each analytics table. */
export async function websiteRowCounts(store: Store, websiteId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const ch = store.analytics.dialect === 'clickhouse';
  for (const table of ['website_event', 'event_data', 'session', 'session_data']) {
    const where = ch ? `website_id = toUUID({p1:String})` : 'website_id = CAST($1 AS UUID)';
    const [row] = await store.analytics.query(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, [websiteId]);
    counts[table] = Number(row.n);
  }
  return counts;
}

/**
 * The metadata tables only: PostgreSQL when the server uses it (for ClickHouse too, without
 * opening chdb, which allows one directory per process), else its DuckDB file (server stopped).
 */
export async function withMetadata<T>(dashiOrEnv: Dashi | { env: Record<string, string>; dataDir: string }, fn: (store: Store) => Promise<T>): Promise<T> {
  const { env, dataDir } = dashiOrEnv;
  const store = env.DATABASE_URL ? await openPostgresStore(env.DATABASE_URL) : await openStore(loadConfig({ DATA_DIR: dataDir, ...env }), trafficRollups);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
