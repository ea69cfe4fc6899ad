import type { Config } from '../config.js';
import { openClickHouseStore } from './clickhouse/index.js';
import { openDuckDbStore } from './duckdb/index.js';
import { openPostgresStore } from './postgres/index.js';
import type { RollupMaintenance, Store } from './types.js';

/**
 * The store the configuration asks for: embedded DuckDB by default; PostgreSQL for everything
 * with DATABASE_URL; metadata in PostgreSQL and events in ClickHouse with both.
 */
export async function openStore(config: Config, rollups: RollupMaintenance): Promise<Store> {
  if (config.clickhouseUrl) {
    if (!config.databaseUrl) throw new Error('CLICKHOUSE_URL needs DATABASE_URL too: users, teams and websites live in PostgreSQL');
    return openClickHouseStore(config.databaseUrl, config.clickhouseUrl, { queryTimeoutMs: config.queryTimeoutMs });
  }
  if (config.databaseUrl) return openPostgresStore(config.databaseUrl, { queryTimeoutMs: config.queryTimeoutMs });
  const limits = { memoryLimit: config.duckdbMemoryLimit, threads: config.duckdbThreads ?? undefined };
  return openDuckDbStore({ dataDir: config.dataDir, rollups, queryTimeoutMs: config.queryTimeoutMs, limits });
}
