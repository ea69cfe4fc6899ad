// The embedded store: one DuckDB file under DATA_DIR holding metadata and analytics.
// DuckDB allows one process per file, so the embedded mode is a single Dashi process.
import fs from 'node:fs';
import path from 'node:path';
import type { RollupMaintenance, Store } from '../types.js';
import { migrate } from '../sql/migrate.js';
import { SqlMetadataCopy } from '../sql/metadata-copy.js';
import { SqlApiKeyRepo } from '../sql/api-key-repo.js';
import { SqlRefusedRepo } from '../sql/refused.js';
import { SqlSaltRepo } from '../sql/salts.js';
import { SqlPurgeLogRepo, SqlWebsiteSettingsRepo } from '../sql/data-control.js';
import { SqlReportRepo, SqlSegmentRepo, SqlTeamRepo, SqlTokenRepo, SqlUserRepo, SqlWebsiteRepo } from '../sql/metadata.js';
import { DB_FILE, DuckDbPool, type DuckDbLimits } from './connection.js';
import { writeBackup } from './backup.js';
import { DuckDbAnalytics } from './analytics.js';
import { migrations } from './migrations.js';

export interface DuckDbStoreOptions {
  /** Directory for the database file; ':memory:' for a throwaway in-memory store. */
  dataDir: string;
  /** Connections for reads and metadata writes (the event writer has its own). */
  poolSize?: number;
  /** The traffic rollups to keep (the query layer's, src/query/rollups/). */
  rollups: RollupMaintenance;
  /** Reads still running after this many milliseconds are interrupted (QUERY_TIMEOUT_MS). */
  queryTimeoutMs?: number;
  /** Memory limit and threads (DUCKDB_MEMORY_LIMIT, DUCKDB_THREADS); DuckDB's defaults otherwise. */
  limits?: DuckDbLimits;
}

export { DB_FILE };

export async function openDuckDbStore(options: DuckDbStoreOptions): Promise<Store> {
  let file = ':memory:';
  if (options.dataDir !== ':memory:') {
    fs.mkdirSync(options.dataDir, { recursive: true });
    file = path.join(options.dataDir, DB_FILE);
  }
  let pool: DuckDbPool;
  try {
    pool = await DuckDbPool.open(file, options.poolSize ?? 4, options.queryTimeoutMs ?? null, options.limits);
  } catch (err) {
    const msg = (err as Error).message;
    if (/lock/i.test(msg)) {
      throw new Error(`${file} is in use by another process (the embedded store allows one Dashi process): ${msg}`);
    }
    throw err;
  }
  await migrate(pool, migrations);
  const analytics = await DuckDbAnalytics.open(pool, options.dataDir === ':memory:' ? null : path.join(options.dataDir, 'journal'), options.rollups);
  const refused = new SqlRefusedRepo(pool);
  // One backup at a time: a scheduled one and one asked for through the API wait for each other.
  let backups: Promise<unknown> = Promise.resolve();
  const backup = (target: string, dashiVersion: string) => {
    const run = backups.then(() => writeBackup({ pool, dataDir: options.dataDir, flush: () => analytics.flush() }, target, dashiVersion));
    backups = run.catch(() => undefined);
    return run;
  };
  return {
    kind: 'duckdb',
    users: new SqlUserRepo(pool),
    teams: new SqlTeamRepo(pool),
    websites: new SqlWebsiteRepo(pool),
    reports: new SqlReportRepo(pool),
    segments: new SqlSegmentRepo(pool),
    tokens: new SqlTokenRepo(pool),
    apiKeys: new SqlApiKeyRepo(pool),
    salts: new SqlSaltRepo(pool),
    refused,
    websiteSettings: new SqlWebsiteSettingsRepo(pool),
    purgeLog: new SqlPurgeLogRepo(pool),
    analytics,
    metadataCopy: new SqlMetadataCopy(pool, false),
    backup: options.dataDir === ':memory:' ? undefined : backup,
    async close() {
      await refused.close();
      await analytics.close();
      // CHECKPOINT folds the WAL into the file so the next start opens fast.
      await pool.run('CHECKPOINT').catch(() => undefined);
      await pool.close();
    },
  };
}
