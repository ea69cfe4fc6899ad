// Temporary harness while the store cannot open (ICU). Not part of the repo.
import { DuckDBInstance } from '@duckdb/node-api';
import { migrations } from '/work/main/src/store/duckdb/migrations.js';
import { DuckDbPool } from '/work/main/src/store/duckdb/connection.js';
import { DuckDbAnalytics } from '/work/main/src/store/duckdb/analytics.js';
export async function openTmpStore() {
  const instance = await DuckDBInstance.create(':memory:');
  const pool: any = Object.create(DuckDbPool.prototype);
  Object.assign(pool, { instance, idle: [], waiters: [], all_: [], closed: false });
  for (let i = 0; i < 2; i++) { const c = await instance.connect(); pool.all_.push(c); pool.idle.push(c); }
  for (const m of migrations) for (const s of m.statements) await pool.run(s);
  const analytics = await DuckDbAnalytics.open(pool);
  return { analytics, close: async () => { analytics.close(); await pool.close(); } };
}
