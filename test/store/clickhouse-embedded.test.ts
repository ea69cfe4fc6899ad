// The in-process ClickHouse engine (chdb): a statement that fails must not spoil the next one.
// chdb keeps a failed statement's partial output and prepends it to the next result, which then
// did not parse (a 500 on a valid request right after a bad one).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { clickhouseEmbedded } from '../../src/store/clickhouse/embedded.js';

test('chdb: after a failed statement, the next answers are whole', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-chdb-'));
  const ch = await clickhouseEmbedded(dir);
  try {
    await ch.command('CREATE TABLE t (a String, n UInt32) ENGINE = MergeTree ORDER BY n');
    await ch.insert('t', [{ a: 'x', n: 1 }, { a: 'y', n: 2 }]);
    const bad = () => ch.query('SELECT count() AS c FROM t WHERE match(a, {p:String})', { p: 'a{1001}' });
    for (let i = 0; i < 2; i++) {
      await assert.rejects(bad(), /re2|repetition/i);
      assert.deepEqual(await ch.query('SELECT count() AS c, uniqExact(a) AS u FROM t WHERE n >= {n:UInt32}', { n: 0 }), [{ c: 2, u: 2 }]);
    }
    // Concurrent callers: each gets its own answer, failures included.
    const results = await Promise.allSettled([bad(), ch.query('SELECT count() AS c FROM t'), bad(), ch.query('SELECT max(n) AS m FROM t')]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual((results[1] as PromiseFulfilledResult<unknown>).value, [{ c: 2 }]);
    assert.deepEqual((results[3] as PromiseFulfilledResult<unknown>).value, [{ m: 2 }]);
  } finally {
    await ch.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
