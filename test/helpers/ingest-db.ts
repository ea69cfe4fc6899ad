// Test-only: read what a server stored, through the same store it used (DuckDB file, PostgreSQL,
// or PostgreSQL + ClickHouse). The embedded store allows one process per file, so call this only
// while the server is stopped.
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/store/index.js';
import type { Dashi } from './server.js';
import { trafficRollups } from '../../src/query/rollups/embedded-rollups.js';

export type Rows = Record<string, any>[];

export async function readStored(dashi: Dashi, sql: string): Promise<Rows> {
  const store = await openStore(loadConfig({ DATA_DIR: dashi.dataDir, ...dashi.env }), trafficRollups);
  try {
    return await store.analytics.query(sql);
  } finally {
    await store.close();
  }
}

/** Every analytics table. */
export async function readAll(dashi: Dashi): Promise<{ events: Rows; eventData: Rows; sessions: Rows; sessionData: Rows }> {
  return {
    events: await readStored(dashi, 'SELECT * FROM website_event ORDER BY created_at, url_path'),
    eventData: await readStored(dashi, 'SELECT * FROM event_data ORDER BY created_at, data_key'),
    sessions: await readStored(dashi, 'SELECT * FROM session ORDER BY created_at'),
    sessionData: await readStored(dashi, 'SELECT * FROM session_data ORDER BY created_at, data_key'),
  };
}
