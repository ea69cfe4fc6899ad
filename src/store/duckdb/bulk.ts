// Large batches (imports, migrate-store) on the embedded store: rows go through DuckDB's appender,
// column by column, into per-table staging tables on the writer's connection, and from there into
// the tables inside the caller's transaction. No JSON text is built or parsed and no journal
// segment is written: DuckDB's commit makes the batch durable.
//
// Staging columns are VARCHAR for uuids (cast, and so validated, by the INSERT … SELECT) and DOUBLE
// for decimals (cast as from_json casts a JSON number). A batch holding any value the journal path
// would read differently (a string with a lone surrogate, a fractional int, an out-of-range date, a
// value of the wrong JS type) is not bulk-loaded at all: the caller writes it the usual way, so
// every row is stored, or refused, exactly as it would be in small batches.
import { DOUBLE, DuckDBDataChunk, DuckDBTimestampValue, INTEGER, TIMESTAMP, VARCHAR, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import type { WriteBatch } from '../types.js';
import { tables, type Kind } from '../sql/columns.js';

const STAGE_TYPE: Record<Kind, string> = { uuid: 'VARCHAR', ts: 'TIMESTAMP', int: 'INTEGER', num: 'DOUBLE', text: 'VARCHAR' };
const CHUNK_TYPE: Record<Kind, DuckDBType> = { uuid: VARCHAR, ts: TIMESTAMP, int: INTEGER, num: DOUBLE, text: VARCHAR };
// DuckDB's vector size: a data chunk holds at most this many rows.
const CHUNK_ROWS = 2048;
// 0001-01-01 and 9999-12-31T23:59:59.999Z: dates the journal's text form writes as plain years.
const MIN_MS = -62_135_596_800_000;
const MAX_MS = 253_402_300_799_999;

export const stageTable = (table: string) => `bulk_${table}`;

// String.prototype.isWellFormed (Node 20+; TypeScript's ES2022 lib does not declare it).
const wellFormed = (v: unknown) => typeof v === 'string' && (v as unknown as { isWellFormed(): boolean }).isWellFormed();

const fits: Record<Kind, (v: unknown) => boolean> = {
  uuid: wellFormed,
  text: wellFormed,
  int: (v) => Number.isInteger(v) && (v as number) >= -2_147_483_648 && (v as number) <= 2_147_483_647,
  num: (v) => Number.isFinite(v),
  ts: (v) => v instanceof Date && v.getTime() >= MIN_MS && v.getTime() <= MAX_MS,
};

const toChunkValue: Record<Kind, (v: never) => DuckDBValue> = {
  uuid: (v: string) => v,
  text: (v: string) => v,
  int: (v: number) => v,
  num: (v: number) => v,
  ts: (v: Date) => new DuckDBTimestampValue(BigInt(v.getTime()) * 1000n),
};

/** Whether every value of the batch bulk-loads exactly as the journal path would load it. */
export function bulkLoadable(batch: WriteBatch): boolean {
  for (const { columns, rows } of tables) {
    for (const row of rows(batch)) {
      for (const [, kind, get] of columns) {
        const v = get(row);
        if (v != null && !fits[kind](v)) return false;
      }
    }
  }
  return true;
}

/**
 * Stages a table's rows on `c` (the writer's connection, inside its transaction: a rollback takes
 * them back) and answers the columns staged. Columns null in every row are left out (the target
 * fills them with NULL): a null VARCHAR costs the appender almost as much as a short string.
 */
export async function stageRows(c: DuckDBConnection, t: number, rows: readonly unknown[]): Promise<string[]> {
  const { table, columns: all } = tables[t];
  const columns = all.filter(([, , get]) => rows.some((row) => get(row) != null));
  const stage = stageTable(table);
  await c.run(`CREATE OR REPLACE TEMP TABLE ${stage} (${columns.map(([name, kind]) => `${name} ${STAGE_TYPE[kind]}`).join(', ')})`);
  const types = columns.map(([, kind]) => CHUNK_TYPE[kind]);
  const appender = await c.createAppender(stage, 'main', 'temp');
  try {
    for (let first = 0; first < rows.length; first += CHUNK_ROWS) {
      const part = rows.slice(first, first + CHUNK_ROWS);
      const chunk = DuckDBDataChunk.create(types, part.length);
      for (let i = 0; i < columns.length; i++) {
        const [, kind, get] = columns[i];
        const convert = toChunkValue[kind];
        chunk.setColumnValues(
          i,
          part.map((row) => {
            const v = get(row);
            return v == null ? null : convert(v as never);
          }),
        );
      }
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } catch (err) {
    appender.clear(); // rows not yet flushed: closing would flush them
    throw err;
  } finally {
    appender.closeSync();
  }
  return columns.map(([name]) => name);
}
