// The flat event export as a Parquet file, written by an in-memory DuckDB (whatever the store):
// rows are streamed to a temporary NDJSON file, DuckDB converts it with bounded memory, and the
// caller streams the result and removes the directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { DuckDBInstance } from '@duckdb/node-api';
import { FLAT_EVENT_COLUMNS } from './event-lines.js';

const TYPES: Record<string, string> = { created_at: 'TIMESTAMP', event_type: 'SMALLINT' };
const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Writes the rows to `<dir>/events.parquet` (dir: a fresh temporary directory) and answers the file. */
export async function writeParquet(rows: AsyncIterable<Record<string, unknown>>, parent = os.tmpdir()): Promise<{ file: string; dir: string }> {
  const dir = fs.mkdtempSync(path.join(parent, 'dashi-parquet-'));
  try {
    const source = path.join(dir, 'events.ndjson');
    const out = fs.createWriteStream(source);
    for await (const row of rows) if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, 'drain');
    out.end();
    await once(out, 'close');
    const file = path.join(dir, 'events.parquet');
    const db = await DuckDBInstance.create(':memory:', { memory_limit: '256MB', threads: '1', temp_directory: dir });
    const conn = await db.connect();
    try {
      const columns = FLAT_EVENT_COLUMNS.map((c) => `${quote(c)}: ${quote(TYPES[c] ?? 'VARCHAR')}`).join(', ');
      // An empty export still has its columns.
      const read = fs.statSync(source).size === 0 ? `SELECT ${FLAT_EVENT_COLUMNS.map((c) => `CAST(NULL AS ${TYPES[c] ?? 'VARCHAR'}) AS ${c}`).join(', ')} LIMIT 0` : `SELECT * FROM read_json(${quote(source)}, format = 'newline_delimited', columns = {${columns}})`;
      await conn.run(`COPY (${read}) TO ${quote(file)} (FORMAT parquet)`);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
    fs.rmSync(source);
    return { file, dir };
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
