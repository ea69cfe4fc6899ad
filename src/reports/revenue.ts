// Revenue: custom events whose data carries a numeric `revenue` and a `currency`. Amounts in
// different currencies are never added together: chart (per event name and time bucket), country
// and total are for the requested currency; `table` has one row per currency seen.

import type { Dialect } from '../query/dialects/dialect.js';
import { compileFilter, CUSTOM_TYPES, inRange } from '../query/filters.js';
import { raw, sql, type Sql } from '../query/sql.js';
import type { TimeRange } from '../query/types.js';
import { and, num, scopeRange, type ReportDef, type ReportEnv } from './report.js';
import { fail, type ReportScope } from './scope.js';
import { localBucket } from './time.js';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** ISO 4217 code, upper-cased; anything else is a 400 naming `field`. */
export function parseCurrency(v: unknown, field = 'currency'): string {
  if (v === undefined || v === null || v === '') return fail(field, 'required: an ISO 4217 code such as EUR');
  if (typeof v !== 'string' || !/^[A-Za-z]{3}$/.test(v.trim()) || !CURRENCIES.has(v.trim().toUpperCase())) {
    return fail(field, `unknown currency '${String(v)}'`);
  }
  return v.trim().toUpperCase();
}

/**
 * One row per revenue event: event_id, session_id, created_at, event_name, country, amount,
 * currency. Data rows share their event's created_at, so both sides prune on the range.
 */
export function revenueRows(websiteId: string, range: TimeRange, filterSql: Sql, d: Dialect): Sql {
  const dataRange = inRange({ websiteId, range }, d);
  return sql`SELECT e.event_id, e.session_id, e.created_at, e.event_name, e.country, r.amount, c.currency
    FROM (SELECT event_id, session_id, created_at, event_name, country FROM website_event WHERE ${filterSql} AND ${CUSTOM_TYPES}) e
    JOIN (SELECT event_id, ${d.toDouble(raw('number_value'))} AS amount FROM event_data
          WHERE ${dataRange} AND data_key = 'revenue' AND data_type = 2 AND number_value IS NOT NULL) r ON r.event_id = e.event_id
    JOIN (SELECT event_id, upper(string_value) AS currency FROM event_data
          WHERE ${dataRange} AND data_key = 'currency' AND string_value IS NOT NULL) c ON c.event_id = e.event_id`;
}

function scopeRevenue(env: ReportEnv, s: ReportScope): Sql {
  const d = env.engine.dialect;
  const where = and([scopeRange(s, env), compileFilter(s.filter, { websiteId: s.website.id, range: s.range, rows: 'all' }, d)]);
  return revenueRows(s.website.id, s.range, where, d);
}

function parseRevenue(fields: Record<string, unknown>) {
  return parseCurrency(fields.currency);
}

async function run(env: ReportEnv) {
  const currency = parseRevenue(env.fields);
  const s = env.scope;
  const d = env.engine.dialect;
  const rows = scopeRevenue(env, s);
  const mine = sql`SELECT * FROM (${rows}) x WHERE currency = ${d.text(currency)}`;
  const bucket = localBucket(s, d, s.unit);

  const chart = await env.engine.rows(sql`SELECT event_name AS x, ${bucket} AS t, sum(amount) AS y, count(*) AS n
    FROM (${mine}) m GROUP BY 1, 2 ORDER BY 2, 1`);
  const country = await env.engine.rows(sql`SELECT country AS name, sum(amount) AS value
    FROM (${mine}) m GROUP BY 1 ORDER BY value DESC, name`);
  const table = await env.engine.rows(sql`SELECT currency, sum(amount) AS total, count(*) AS n, ${d.countDistinct(raw('session_id'))} AS sessions
    FROM (${rows}) x GROUP BY 1 ORDER BY total DESC, currency`);

  const cur = table.find((r) => r.currency === currency);
  const sum = round(num(cur?.total));
  const count = num(cur?.n);
  return {
    chart: chart.map((r) => ({ x: r.x == null ? '' : String(r.x), t: String(r.t), y: round(num(r.y)), count: num(r.n) })),
    country: country.map((r) => ({ name: r.name == null ? '' : String(r.name), value: round(num(r.value)) })),
    total: { sum, count, unique_count: num(cur?.sessions), average: count === 0 ? 0 : round(sum / count) },
    table: table.map((r) => ({ currency: String(r.currency), sum: round(num(r.total)), count: num(r.n), unique_count: num(r.sessions) })),
  };
}

/** Amounts are stored with 4 decimals; sums of doubles get float noise, so round to that. */
const round = (n: number) => Math.round(n * 10_000) / 10_000;

/** Currencies seen in a range: [{currency}], most revenue first. */
export async function currencies(env: Omit<ReportEnv, 'fields'>) {
  const s = env.scope;
  const rows = await env.engine.rows(sql`SELECT currency, sum(amount) AS total FROM (${scopeRevenue({ ...env, fields: {} }, s)}) x
    GROUP BY 1 ORDER BY total DESC, currency`);
  return rows.map((r) => ({ currency: String(r.currency) }));
}

export const revenue: ReportDef = { validate: parseRevenue, run };
