// The PostgreSQL dialect (PostgreSQL 13+): the only file that knows PostgreSQL's function names.
// Parameters are cast explicitly, since postgres.js sends them untyped.

import { int, join, raw, renderNumbered, sql, type Sql } from '../sql.js';
import type { Unit } from '../types.js';
import type { Dialect } from './dialect.js';
import { regexProblem, POSTGRES_RULES } from '../regex.js';
import { localTimeCase } from './offsets.js';
import { sqlTimestamp } from '../../lib/timestamp.js';

function plusMinutes(ts: Sql, minutes: number): Sql {
  if (minutes === 0) return ts;
  return sql`(${ts} + ${int(minutes)} * INTERVAL '1 minute')`;
}

export const postgres: Dialect = {
  name: 'postgres',
  render: renderNumbered,

  uuid: (value) => sql`CAST(${value} AS UUID)`,
  timestamp: (value) => sql`CAST(${sqlTimestamp(value)} AS TIMESTAMP)`,
  text: (value) => sql`CAST(${value} AS TEXT)`,

  uuidText: (expr) => sql`CAST(${expr} AS TEXT)`,
  countDistinct: (expr) => sql`count(DISTINCT ${expr})`,
  // any_value() arrives only in PostgreSQL 16, and uuid has no min().
  anyValue: (expr) => sql`(array_agg(${expr}))[1]`,
  argMin: (expr, order) => sql`(array_agg(${expr} ORDER BY ${order} ASC))[1]`,
  argMax: (expr, order) => sql`(array_agg(${expr} ORDER BY ${order} DESC))[1]`,
  tuple: (items) => sql`ROW(${join(items)})`,
  secondsBetween: (from, to) => sql`CAST(floor(extract(epoch FROM (${to} - ${from}))) AS BIGINT)`,

  containsCi: (expr, needle) => sql`(strpos(lower(${expr}), CAST(${needle.toLowerCase()} AS TEXT)) > 0)`,
  stripWww: (expr) => sql`regexp_replace(${expr}, '^www\\.', '')`,
  regexCi: (expr, pattern) => sql`(${expr} ~* CAST(${pattern} AS TEXT))`,
  regexProblem: (pattern) => regexProblem(pattern, POSTGRES_RULES),

  localTime: (ts, segments) => localTimeCase(ts, segments, plusMinutes, (d) => postgres.timestamp(d)),

  bucketLabel: (local, unit: Unit) => sql`to_char(date_trunc(${raw(`'${unit}'`)}, ${local}), 'YYYY-MM-DD HH24:MI:SS')`,

  epochMs: (ts) => sql`CAST(floor(extract(epoch FROM ${ts}) * 1000) AS BIGINT)`,
  intDiv: (a, n) => sql`div(${a}, ${int(n)})`,
  monthKey: (ms) =>
    sql`CAST(extract(year FROM to_timestamp(${ms} / 1000.0) AT TIME ZONE 'UTC') * 12 + extract(month FROM to_timestamp(${ms} / 1000.0) AT TIME ZONE 'UTC') - 1 AS BIGINT)`,
  yearKey: (ms) => sql`CAST(extract(year FROM to_timestamp(${ms} / 1000.0) AT TIME ZONE 'UTC') AS BIGINT)`,

  timestampText: (expr) => sql`to_char(${expr}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`,
  numberText: (expr) =>
    sql`(CASE WHEN ${expr} = trunc(${expr}) THEN CAST(CAST(${expr} AS BIGINT) AS TEXT) ELSE CAST(CAST(${expr} AS DOUBLE PRECISION) AS TEXT) END)`,
  toDouble: (expr) => sql`CAST(${expr} AS DOUBLE PRECISION)`,
};
