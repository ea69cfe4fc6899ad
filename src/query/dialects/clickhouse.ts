// The ClickHouse dialect (ClickHouse 23.8+, and chdb): the only file that knows ClickHouse's
// function names. Parameters render as typed `{pN:Type}` placeholders. Distinct counts are exact
// (uniqExact) so every store gives the same numbers.

import { int, join, raw, renderWith, sql, type Sql, type SqlValue } from '../sql.js';
import type { Unit } from '../types.js';
import type { Dialect } from './dialect.js';
import { regexProblem, RE2_RULES } from '../regex.js';
import { localTimeCase } from './offsets.js';
import { sqlTimestamp } from '../../lib/timestamp.js';

function typeOf(value: SqlValue): string {
  if (value === null) return 'Nullable(String)';
  if (typeof value === 'boolean') return 'Bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Int64' : 'Float64';
  return 'String';
}

/** Render with typed `{pN:Type}` placeholders. */
const render = (stmt: Sql) => renderWith(stmt, (n, value) => `{p${n}:${typeOf(value)}}`);

function plusMinutes(ts: Sql, minutes: number): Sql {
  if (minutes === 0) return ts;
  return sql`addMinutes(${ts}, ${int(minutes)})`;
}

const TRUNC: Record<Unit, string> = {
  minute: 'toStartOfMinute(%)',
  hour: 'toStartOfHour(%)',
  day: "toDateTime(toStartOfDay(%), 'UTC')",
  week: "toDateTime(toMonday(%), 'UTC')",
  month: "toDateTime(toStartOfMonth(%), 'UTC')",
  year: "toDateTime(toStartOfYear(%), 'UTC')",
};

export const clickhouse: Dialect = {
  name: 'clickhouse',
  render,

  uuid: (value) => sql`toUUID(${value})`,
  timestamp: (value) => sql`toDateTime64(${sqlTimestamp(value)}, 3, 'UTC')`,
  text: (value) => sql`${value}`,

  uuidText: (expr) => sql`toString(${expr})`,
  countDistinct: (expr) => sql`uniqExact(${expr})`,
  anyValue: (expr) => sql`any(${expr})`,
  // A one-element tuple is never NULL, so a NULL value is kept (argMin skips NULL arguments).
  argMin: (expr, order) => sql`argMin(tuple(${expr}), ${order}).1`,
  argMax: (expr, order) => sql`argMax(tuple(${expr}), ${order}).1`,
  tuple: (items) => sql`tuple(${join(items)})`,
  secondsBetween: (from, to) => sql`intDiv(toUnixTimestamp64Milli(${to}) - toUnixTimestamp64Milli(${from}), 1000)`,

  containsCi: (expr, needle) => sql`(positionCaseInsensitiveUTF8(${expr}, ${needle}) > 0)`,
  stripWww: (expr) => sql`replaceRegexpOne(${expr}, '^www\\.', '')`,
  regexCi: (expr, pattern) => sql`match(${expr}, concat('(?i)', ${pattern}))`,
  regexProblem: (pattern) => regexProblem(pattern, RE2_RULES),

  localTime: (ts, segments) => localTimeCase(ts, segments, plusMinutes, (d) => clickhouse.timestamp(d)),

  bucketLabel: (local, unit: Unit) => {
    const [before, after] = TRUNC[unit].split('%');
    return sql`formatDateTime(${raw(before)}${local}${raw(after)}, '%Y-%m-%d %H:%i:%S', 'UTC')`;
  },

  epochMs: (ts) => sql`toUnixTimestamp64Milli(${ts})`,
  intDiv: (a, n) => sql`intDiv(${a}, ${int(n)})`,
  monthKey: (ms) => sql`(toYear(fromUnixTimestamp64Milli(${ms}, 'UTC')) * 12 + toMonth(fromUnixTimestamp64Milli(${ms}, 'UTC')) - 1)`,
  yearKey: (ms) => sql`toYear(fromUnixTimestamp64Milli(${ms}, 'UTC'))`,

  timestampText: (expr) => sql`formatDateTime(${expr}, '%Y-%m-%dT%H:%i:%SZ', 'UTC')`,
  numberText: (expr) => sql`if(${expr} = trunc(${expr}), toString(toInt64(${expr})), toString(toFloat64(${expr})))`,
  toDouble: (expr) => sql`toFloat64(${expr})`,
};
