// How the ClickHouse store reaches an engine: a ClickHouse server over HTTP (@clickhouse/client,
// production) or ClickHouse's engine in-process (chdb, tests and single-machine trials). Both run
// the same SQL with `{name:Type}` parameters; results come back in the JSON format, whose column
// types tell which strings are DateTime values to turn into Date.
import type { Row } from '../types.js';

export interface ChExecutor {
  /** `settings`: ClickHouse settings for this query only (numbers). */
  query(sql: string, params?: Record<string, unknown>, settings?: Record<string, number>): Promise<Row[]>;
  /** A statement without a result; `params` fill its `{name:Type}` placeholders. */
  command(sql: string, params?: Record<string, unknown>): Promise<void>;
  /** `token`: insert_deduplication_token, so the same block inserted twice is stored once. */
  insert(table: string, rows: Record<string, unknown>[], token?: string): Promise<void>;
  close(): Promise<void>;
}

export interface JsonResult {
  meta: { name: string; type: string }[];
  data: Record<string, unknown>[];
}

const NUMERIC = /^(Nullable\()?(U?Int(8|16|32|64|128|256)|Float(32|64)|Decimal.*)\)?$/;
const DATETIME = /DateTime/;

/** Typed values from ClickHouse's JSON output: 64-bit ints and decimals as numbers, DateTime as Date. */
export function rowsFromJson(result: JsonResult): Row[] {
  const dates = result.meta.filter((m) => DATETIME.test(m.type) && !/Array/.test(m.type)).map((m) => m.name);
  const numbers = result.meta.filter((m) => NUMERIC.test(m.type)).map((m) => m.name);
  for (const row of result.data) {
    for (const name of dates) {
      const v = row[name];
      if (typeof v === 'string') row[name] = new Date(v.replace(' ', 'T') + (v.includes('Z') ? '' : 'Z'));
    }
    for (const name of numbers) {
      const v = row[name];
      if (typeof v === 'string') row[name] = Number(v);
    }
  }
  return result.data;
}

/** `2024-01-02 03:04:05.678`: the text form DateTime64(3, 'UTC') columns accept on insert. */
export { sqlTimestamp as chTimestamp } from '../../lib/timestamp.js';
