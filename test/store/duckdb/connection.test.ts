// The embedded store's DuckDB instance takes its memory limit and threads from the pool's options
// (DUCKDB_MEMORY_LIMIT, DUCKDB_THREADS) and keeps DuckDB's defaults without them; runStatements
// runs statements in order, those without parameters several to a call.
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbPool, runStatements } from '../../../src/store/duckdb/connection.js';

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

test('runStatements keeps the order of statements with and without parameters, and stops at the first that fails', async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const plain = (text: string) => ({ text, params: [] });
    await runStatements(c, [
      plain('CREATE TABLE t (i INTEGER, v VARCHAR)'),
      plain("INSERT INTO t VALUES (1, 'a') -- a comment at the end"),
      { text: 'INSERT INTO t VALUES (2, $1)', params: ['b'] },
      plain("INSERT INTO t SELECT 3, v || 'c' FROM t WHERE i = 2"),
      plain("INSERT INTO t VALUES (4, 'd')"),
    ]);
    const rows = (await c.runAndReadAll('SELECT i, v FROM t ORDER BY i')).getRowObjectsJS();
    assert.deepEqual(rows, [{ i: 1, v: 'a' }, { i: 2, v: 'b' }, { i: 3, v: 'bc' }, { i: 4, v: 'd' }]);
    await assert.rejects(runStatements(c, [plain("INSERT INTO t VALUES (5, 'e')"), plain('SELECT * FROM missing'), plain("INSERT INTO t VALUES (6, 'f')")]), /missing/);
    const after = (await c.runAndReadAll('SELECT max(i) AS i FROM t')).getRowObjectsJS();
    assert.deepEqual(after, [{ i: 5 }]);
  } finally {
    c.closeSync();
    db.closeSync();
  }
});
