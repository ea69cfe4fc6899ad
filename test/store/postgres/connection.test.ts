// Every analytics read runs with the read settings (SET LOCAL in its transaction: no server
// configuration needed), on every connection of the pool, with or without a statement timeout.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openPostgresStore } from '../../../src/store/postgres/index.js';
import { READ_SETTINGS } from '../../../src/store/postgres/connection.js';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const name = `dashi_test_${randomBytes(6).toString('hex')}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
await admin.unsafe(`CREATE DATABASE ${name}`);
const url = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();

after(async () => {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

test('every read connection runs with the read settings', async () => {
  assert.deepEqual(READ_SETTINGS, { jit: 'off' });
  const store = await openPostgresStore(url);
  try {
    // Several reads at once: every connection the pool opens has the settings.
    const reads = await Promise.all(
      Array.from({ length: 4 }, () => store.analytics.query("SELECT current_setting('jit') AS jit, current_setting('TimeZone') AS tz, pg_backend_pid() AS pid")),
    );
    assert.ok(new Set(reads.map(([row]) => row.pid)).size > 1, 'the reads ran on more than one connection');
    for (const [row] of reads) assert.deepEqual({ jit: row.jit, tz: row.tz }, { jit: 'off', tz: 'UTC' });
    // With a statement timeout too.
    const timed = await openPostgresStore(url, { queryTimeoutMs: 5000 });
    try {
      const [row] = await timed.analytics.query("SELECT current_setting('jit') AS jit, current_setting('statement_timeout') AS st");
      assert.deepEqual({ ...row }, { jit: 'off', st: '5s' });
    } finally {
      await timed.close();
    }
  } finally {
    await store.close();
  }
});
