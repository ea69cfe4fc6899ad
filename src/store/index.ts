import type { Config } from '../config.js';
import { openDuckDbStore } from './duckdb/index.js';
import type { Store } from './types.js';

/** The store the configuration asks for: embedded DuckDB unless DATABASE_URL is set. */
export async function openStore(config: Config): Promise<Store> {
  if (config.databaseUrl || config.clickhouseUrl) {
    throw new Error('DATABASE_URL / CLICKHOUSE_URL: the PostgreSQL and ClickHouse stores are not available in this version; unset them to use the embedded store');
  }
  return openDuckDbStore({ dataDir: config.dataDir });
}
