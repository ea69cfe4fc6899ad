// The DuckDB dialect: the only file that knows DuckDB's function names.

import { int, join, raw, renderNumbered, sql, type Sql } from '../sql.js';
import type { Unit } from '../types.js';
import type { Dialect } from './dialect.js';
import { regexProblem, RE2_RULES } from '../regex.js';
import { localTimeCase } from './offsets.js';
import { sqlTimestamp } from '../../lib/timestamp.js';

function plusMinutes(ts: Sql, minutes: number): Sql {
  if (minutes === 0) return ts;
  return sql`(${ts} + to_minutes(${int(minutes)}))`;
}

export const duckdb: Dialect = {
  name: 'duckdb',
  render: renderNumbered,

  uuid: (value) => sql`CAST(${value} AS UUID)`,
  timestamp: (value) => sql`CAST(${sqlTimestamp(value)} AS TIMESTAMP)`,
  text: (value) => sql`${value}`,

  uuidText: (expr) => sql`CAST(${expr} AS VARCHAR)`,
  countDistinct: (expr) => sql`count(DISTINCT ${expr})`,
  anyValue: (expr) => sql`any_value(${expr})`,
  // The _null forms keep a NULL value (plain arg_min skips rows whose value is NULL).
  argMin: (expr, order) => sql`arg_min_null(${expr}, ${order})`,
  argMax: (expr, order) => sql`arg_max_null(${expr}, ${order})`,
  tuple: (items) => sql`row(${join(items)})`,
  secondsBetween: (from, to) => sql`((epoch_ms(${to}) - epoch_ms(${from})) // 1000)`,

  containsCi: (expr, needle) => sql`contains(lower(${expr}), ${needle.toLowerCase()})`,
  // A prefix test and substring, not a regex: this runs on every row of referrer breakdowns.
  stripWww: (expr) => sql`(CASE WHEN starts_with(${expr}, 'www.') THEN substr(${expr}, 5) ELSE ${expr} END)`,
  regexCi: (expr, pattern) => sql`regexp_matches(${expr}, ${pattern}, 'i')`,
  regexProblem: (pattern) => regexProblem(pattern, RE2_RULES),

  localTime: (ts, segments) => localTimeCase(ts, segments, plusMinutes, (d) => duckdb.timestamp(d)),

  bucketLabel: (local, unit: Unit) => sql`strftime(date_trunc(${raw(`'${unit}'`)}, ${local}), '%Y-%m-%d %H:%M:%S')`,

  epochMs: (ts) => sql`epoch_ms(${ts})`,
  intDiv: (a, n) => sql`(${a} // ${int(n)})`,
  monthKey: (ms) => sql`(year(epoch_ms(${ms})) * 12 + month(epoch_ms(${ms})) - 1)`,
  yearKey: (ms) => sql`year(epoch_ms(${ms}))`,

  timestampText: (expr) => sql`strftime(${expr}, '%Y-%m-%dT%H:%M:%SZ')`,
  numberText: (expr) =>
    sql`(CASE WHEN ${expr} = trunc(${expr}) THEN CAST(CAST(${expr} AS BIGINT) AS VARCHAR) ELSE CAST(CAST(${expr} AS DOUBLE) AS VARCHAR) END)`,
  toDouble: (expr) => sql`CAST(${expr} AS DOUBLE)`,
};
