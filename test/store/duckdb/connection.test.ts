// The embedded store's DuckDB instance takes its memory limit and threads from the pool's options
// (DUCKDB_MEMORY_LIMIT, DUCKDB_THREADS) and keeps DuckDB's defaults without them.
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { DuckDbPool } from '../../../src/store/duckdb/connection.js';

const settings = async (pool: DuckDbPool) => {
  const [row] = await pool.all("SELECT current_setting('memory_limit') AS memory, current_setting('threads') AS threads");
  return { memory: String(row.memory), threads: Number(row.threads) };
};

test('memory limit and threads are applied when the store opens', async () => {
  const pool = await DuckDbPool.open(':memory:', 2, null, { memoryLimit: '256MB', threads: 1 });
  try {
    // DuckDB reports the limit in MiB: 256,000,000 bytes.
    assert.deepEqual(await settings(pool), { memory: '244.1 MiB', threads: 1 });
  } finally {
    await pool.close();
  }
});

test("without limits DuckDB's defaults stay: one thread per core", async () => {
  const pool = await DuckDbPool.open(':memory:', 1);
  try {
    const s = await settings(pool);
    assert.equal(s.threads, os.availableParallelism());
    assert.notEqual(s.memory, '244.1 MiB');
  } finally {
    await pool.close();
  }
});
