// The embedded store's CSV reader (csvRelation) reads back what csvLine wrote, whatever line the
// awkward values are on: a quoted "\r\n" on the first line once made DuckDB guess the wrong line
// ending and refuse the whole file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DuckDbPool } from '../../../src/store/duckdb/connection.js';
import { csvRelation } from '../../../src/store/duckdb/csv-load.js';
import { csvLine, tableIndex } from '../../../src/store/sql/csv.js';
import type { SessionRow } from '../../../src/store/types.js';

const AWKWARD = ['cr\r\nlf', 'line\nbreak', 'lone\rcr', 'a,b', 'say "hi"', '"', '', ' ', '\\N', 'é😀中', '\u2028'];

test('every awkward value reads back as written, on any line of the file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-csv-load-'));
  const pool = await DuckDbPool.open(':memory:', 1, null, {});
  try {
    const t = tableIndex('session');
    const line = csvLine(t);
    for (let first = 0; first < AWKWARD.length; first++) {
      const values = [...AWKWARD.slice(first), ...AWKWARD.slice(0, first)];
      const rows: SessionRow[] = values.map((v, i) => ({
        sessionId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        websiteId: '00000000-0000-4000-8000-000000000001',
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
        browser: v,
        os: i % 2 ? v : null,
        device: v,
        screen: v,
        language: v,
        country: 'US',
        region: v,
        city: v,
        distinctId: v,
      }));
      const file = path.join(dir, `${first}.csv`);
      fs.writeFileSync(file, rows.map(line).join(''));
      const read = await pool.all(`SELECT browser, os, device, screen, language, country, region, city, distinct_id FROM ${csvRelation(t, file)} ORDER BY created_at`);
      assert.deepEqual(
        read.map((r) => Object.values(r)),
        values.map((v, i) => [v, i % 2 ? v : null, v, v, v, 'US', v, v, v]),
        `first line: ${JSON.stringify(values[0])}`,
      );
    }
  } finally {
    await pool.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
