// The ClickHouse schema as versioned migrations (src/store/clickhouse/migrations.ts), on chdb: a
// database made before versioning adopts version 1 and keeps its rows, a second run does nothing,
// a later migration runs once, and the migrated tables have exactly the columns the writer sends.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { clickhouseEmbedded } from '../../src/store/clickhouse/embedded.js';
import { CH_MIGRATIONS, migrateClickHouse } from '../../src/store/clickhouse/migrations.js';
import { tables } from '../../src/store/sql/columns.js';

test('ClickHouse migrations: adopted by an unversioned database, run once each, and match the writer', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-chdb-'));
  const ch = await clickhouseEmbedded(dir);
  try {
    // As releases before versioning left it: the tables, a row, no schema_migrations.
    for (const statement of CH_MIGRATIONS[0].statements) await ch.command(statement);
    await ch.insert('session', [{ session_id: '00000000-0000-4000-8000-000000000001', website_id: '00000000-0000-4000-8000-000000000002', created_at: '2026-10-01 00:00:00.000' }]);

    assert.deepEqual(await migrateClickHouse(ch), [1]);
    assert.deepEqual(await ch.query('SELECT count() AS n FROM session'), [{ n: 1 }]);
    assert.deepEqual(await migrateClickHouse(ch), []);

    const columns = await ch.query(`SELECT table, name FROM system.columns WHERE database = currentDatabase() AND table != 'schema_migrations' ORDER BY table, position`);
    const byTable = (t: string) => columns.filter((c) => c.table === t).map((c) => c.name);
    for (const { table, columns: cols } of tables) assert.deepEqual(byTable(table), cols.map(([name]) => name), table);
    assert.deepEqual([...new Set(columns.map((c) => c.table))].sort(), tables.map((t) => t.table).sort());

    const later = [...CH_MIGRATIONS, { version: 2, name: 'test-column', statements: ['ALTER TABLE session ADD COLUMN IF NOT EXISTS note Nullable(String)'] }];
    assert.deepEqual(await migrateClickHouse(ch, later), [2]);
    assert.deepEqual(await migrateClickHouse(ch, later), []);
    assert.deepEqual(await ch.query('SELECT note FROM session'), [{ note: null }]);
    assert.deepEqual(await ch.query('SELECT version, name FROM schema_migrations ORDER BY version'), [{ version: 1, name: 'events' }, { version: 2, name: 'test-column' }]);
  } finally {
    await ch.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
