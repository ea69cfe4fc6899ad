// What the compiler needs from a SQL dialect. Everything that differs between DuckDB, PostgreSQL
// and ClickHouse goes through here; the compiler itself only writes portable SQL.

import type { Sql, SqlValue } from '../sql.js';
import type { OffsetSegment } from '../time.js';
import type { Unit } from '../types.js';

export interface Dialect {
  readonly name: 'duckdb' | 'postgres' | 'clickhouse';
  /** Whole statement to text plus ordered parameters for the store's driver. */
  render(stmt: Sql): { text: string; params: SqlValue[] };

  /** Bound parameters with an explicit type, so drivers only ever see strings and numbers. */
  uuid(value: string): Sql;
  timestamp(value: Date): Sql;
  text(value: string): Sql;

  /** A UUID column as text. */
  uuidText(expr: Sql): Sql;
  countDistinct(expr: Sql): Sql;
  /** Any one value of `expr` in the group (all are equal where it is used). */
  anyValue(expr: Sql): Sql;
  /** Value of `expr` (NULL included) on the row with the smallest / largest `order`. */
  argMin(expr: Sql, order: Sql): Sql;
  argMax(expr: Sql, order: Sql): Sql;
  /** The items as one value ordered by each in turn, NULL after every value (an argMin/argMax order). */
  tuple(items: readonly Sql[]): Sql;
  /** Whole seconds from `from` to `to` (truncated). */
  secondsBetween(from: Sql, to: Sql): Sql;

  /** Case-insensitive substring test; `needle` is bound. */
  containsCi(expr: Sql, needle: string): Sql;
  /** `expr` without a leading `www.`. */
  stripWww(expr: Sql): Sql;
  /** Case-insensitive regular expression test; `pattern` is bound. */
  regexCi(expr: Sql, pattern: string): Sql;
  /** Why the store's regex engine would refuse `pattern` (see src/query/regex.ts), or null. */
  regexProblem(pattern: string): string | null;

  /** Wall-clock time in the zone whose offsets over the range are `segments`. */
  localTime(ts: Sql, segments: readonly OffsetSegment[]): Sql;
  /** Start of the unit containing a wall-clock timestamp, as `YYYY-MM-DD HH:MM:SS` text. */
  bucketLabel(local: Sql, unit: Unit): Sql;

  /** Milliseconds since 1970 of a timestamp, as a 64-bit integer. */
  epochMs(ts: Sql): Sql;
  /** Integer division (operands are non-negative). */
  intDiv(a: Sql, n: number): Sql;
  /** year * 12 + month - 1, and the year, of a wall-clock time given as epoch milliseconds. */
  monthKey(localMs: Sql): Sql;
  yearKey(localMs: Sql): Sql;

  /** Render a stored timestamp / number as text, for property values. */
  timestampText(expr: Sql): Sql;
  numberText(expr: Sql): Sql;
  toDouble(expr: Sql): Sql;
}
