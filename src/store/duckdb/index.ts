// The embedded store: one DuckDB file under DATA_DIR holding metadata and analytics.
// DuckDB allows one process per file, so the embedded mode is a single Dashi process.
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../types.js';
import { migrate } from '../sql/migrate.js';
import { SqlPurgeLogRepo, SqlWebsiteSettingsRepo } from '../sql/data-control.js';
import { SqlReportRepo, SqlSegmentRepo, SqlTeamRepo, SqlTokenRepo, SqlUserRepo, SqlWebsiteRepo } from '../sql/metadata.js';
import { DuckDbPool } from './connection.js';
import { DuckDbAnalytics } from './analytics.js';
import { migrations } from './migrations.js';

export interface DuckDbStoreOptions {
  /** Directory for the database file; ':memory:' for a throwaway in-memory store. */
  dataDir: string;
  /** Connections for reads and metadata writes (the event writer has its own). */
  poolSize?: number;
}

export const DB_FILE = 'dashi.duckdb';

export async function openDuckDbStore(options: DuckDbStoreOptions): Promise<Store> {
  let file = ':memory:';
  if (options.dataDir !== ':memory:') {
    fs.mkdirSync(options.dataDir, { recursive: true });
    file = path.join(options.dataDir, DB_FILE);
  }
  let pool: DuckDbPool;
  try {
    pool = await DuckDbPool.open(file, options.poolSize ?? 4);
  } catch (err) {
    const msg = (err as Error).message;
    if (/lock/i.test(msg)) {
      throw new Error(`${file} is in use by another process (the embedded store allows one Dashi process): ${msg}`);
    }
    throw err;
  }
  await migrate(pool, migrations);
  const analytics = await DuckDbAnalytics.open(pool, options.dataDir === ':memory:' ? null : path.join(options.dataDir, 'journal'));
  return {
    kind: 'duckdb',
    users: new SqlUserRepo(pool),
    teams: new SqlTeamRepo(pool),
    websites: new SqlWebsiteRepo(pool),
    reports: new SqlReportRepo(pool),
    segments: new SqlSegmentRepo(pool),
    tokens: new SqlTokenRepo(pool),
    websiteSettings: new SqlWebsiteSettingsRepo(pool),
    purgeLog: new SqlPurgeLogRepo(pool),
    analytics,
    metadataDb: pool,
    async close() {
      await analytics.close();
      // CHECKPOINT folds the WAL into the file so the next start opens fast.
      await pool.run('CHECKPOINT').catch(() => undefined);
      await pool.close();
    },
  };
}
