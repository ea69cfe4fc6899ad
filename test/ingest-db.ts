// Test-only: read what the server stored, straight from its DuckDB file. DuckDB allows one
// process per file, so call this only while the server is stopped.
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export type Rows = Record<string, any>[];

export async function readStored(dataDir: string, sql: string, params: unknown[] = []): Promise<Rows> {
  const instance = await DuckDBInstance.create(path.join(dataDir, 'dashi.duckdb'));
  try {
    const conn = await instance.connect();
    try {
      const reader = await conn.runAndReadAll(sql, params as never);
      return reader.getRowObjectsJson() as Rows;
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Every analytics table, as JSON rows. */
export async function readAll(dataDir: string): Promise<{ events: Rows; eventData: Rows; sessions: Rows; sessionData: Rows }> {
  return {
    events: await readStored(dataDir, 'SELECT * FROM website_event ORDER BY created_at, url_path'),
    eventData: await readStored(dataDir, 'SELECT * FROM event_data ORDER BY created_at, data_key'),
    sessions: await readStored(dataDir, 'SELECT * FROM session ORDER BY created_at'),
    sessionData: await readStored(dataDir, 'SELECT * FROM session_data ORDER BY created_at, data_key'),
  };
}
