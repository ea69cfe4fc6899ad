// Revenue: custom events whose data carries a numeric `revenue` and a `currency`. Amounts in
// different currencies are never added together: chart (per event name and time bucket), country
// and total are for the requested currency; `table` has one row per currency seen.
//
// That is seed 001's answer, for its body ({websiteId, dateRange, currency}). Newer Umami's body
// ({websiteId, type, filters, parameters}) gets newer Umami's answer: no `table`; `total` adds the
// sessions in range, ARPU (revenue per session in range) and a `comparison` with the same numbers
// for the previous period (`compare`: prev, or yoy for a year earlier); and besides `country`,
// revenue by `region`, and by the `referrer` and `channel` of each paying session's first row in
// the range.

import { dimension, visitParts } from '../query/dimensions.js';
import type { Dialect } from '../query/dialects/dialect.js';
import { compileFilter, CUSTOM_TYPES, inRange, TRAFFIC_TYPES } from '../query/filters.js';
import { join, raw, sql, type Sql } from '../query/sql.js';
import { compareRange } from '../query/time.js';
import type { TimeRange } from '../query/types.js';
import { and, num, scopeRange, type ReportDef, type ReportEnv } from './report.js';
import { fail, scopeQuery, type ReportScope } from './report-input.js';
import { localBucket } from './local-time.js';

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
 * One row per revenue event: event_id, session_id, created_at, event_name, country, region, amount,
 * currency. Data rows share their event's created_at, so both sides prune on the range.
 */
export function revenueRows(websiteId: string, range: TimeRange, filterSql: Sql, d: Dialect): Sql {
  const dataRange = inRange({ websiteId, range }, d);
  return sql`SELECT e.event_id, e.session_id, e.created_at, e.event_name, e.country, e.region, r.amount, c.currency
    FROM (SELECT event_id, session_id, created_at, event_name, country, region FROM website_event WHERE ${filterSql} AND ${CUSTOM_TYPES}) e
    JOIN (SELECT event_id, ${d.toDouble(raw('number_value'))} AS amount FROM event_data
          WHERE ${dataRange} AND data_key = 'revenue' AND data_type = 2 AND number_value IS NOT NULL) r ON r.event_id = e.event_id
    JOIN (SELECT event_id, upper(string_value) AS currency FROM event_data
          WHERE ${dataRange} AND data_key = 'currency' AND string_value IS NOT NULL) c ON c.event_id = e.event_id`;
}

/** The scope's rows in `range` (the scope's own by default): website, range and filters. */
function scopeRows(env: ReportEnv, s: ReportScope, range: TimeRange = s.range): Sql {
  const d = env.engine.dialect;
  const q = { websiteId: s.website.id, range, rows: 'all' as const };
  return and([range === s.range ? scopeRange(s, env) : inRange(q, d), compileFilter(s.filter, q, d)]);
}

function scopeRevenue(env: ReportEnv, s: ReportScope, range: TimeRange = s.range): Sql {
  return revenueRows(s.website.id, range, scopeRows(env, s, range), env.engine.dialect);
}

function parseRevenue(fields: Record<string, unknown>) {
  const currency = parseCurrency(fields.currency);
  const compare = fields.compare ?? 'prev';
  if (compare !== 'prev' && compare !== 'yoy') fail('compare', `'${String(compare)}' is not one of prev, yoy`);
  return { currency, compare: compare as 'prev' | 'yoy' };
}

/** Newer Umami's body carries the report's settings in `parameters`. */
const isNewerBody = (fields: Record<string, unknown>) => typeof fields.parameters === 'object' && fields.parameters !== null && !Array.isArray(fields.parameters);

const text = (v: unknown) => (v == null ? '' : String(v));

async function run(env: ReportEnv) {
  const { currency, compare } = parseRevenue(env.fields);
  const s = env.scope;
  const d = env.engine.dialect;
  const rows = scopeRevenue(env, s);
  const mine = sql`SELECT * FROM (${rows}) x WHERE currency = ${d.text(currency)}`;
  const bucket = localBucket(s, d, s.unit);

  if (isNewerBody(env.fields)) {
    const [breakdowns, total, comparison, sources] = await Promise.all([
      // Chart (1), country (2) and region (3) from one pass over the revenue rows.
      env.engine.rows(sql`WITH m AS (${mine})
        SELECT 1 AS k, event_name AS a, ${bucket} AS b, sum(amount) AS v, count(*) AS n FROM m GROUP BY 2, 3
        UNION ALL SELECT 2 AS k, country AS a, '' AS b, sum(amount) AS v, count(*) AS n FROM m GROUP BY 2
        UNION ALL SELECT 3 AS k, country AS a, region AS b, sum(amount) AS v, count(*) AS n FROM m GROUP BY 2, 3`),
      stats(env, currency, s.range),
      stats(env, currency, compareRange(s.range, compare)),
      bySource(env, mine),
    ]);
    const kind = (k: number) => breakdowns.filter((r) => num(r.k) === k).map((r) => ({ a: text(r.a), b: text(r.b), v: round(num(r.v)), n: num(r.n) }));
    return {
      chart: kind(1)
        .sort((x, y) => cmp(x.b, y.b) || cmp(x.a, y.a))
        .map((r) => ({ x: r.a, t: r.b, y: r.v, count: r.n })),
      total: { ...total, comparison },
      country: byValue(kind(2).map((r) => ({ name: r.a, value: r.v }))),
      region: kind(3)
        .sort((x, y) => y.v - x.v || cmp(x.a, y.a) || cmp(x.b, y.b))
        .map((r) => ({ name: r.b, value: r.v, country: r.a })),
      ...sources,
    };
  }

  const [chart, country, table] = await Promise.all([
    env.engine.rows(sql`SELECT event_name AS x, ${bucket} AS t, sum(amount) AS y, count(*) AS n FROM (${mine}) m GROUP BY 1, 2 ORDER BY 2, 1`),
    env.engine.rows(sql`SELECT country AS name, sum(amount) AS value FROM (${mine}) m GROUP BY 1 ORDER BY value DESC, name`),
    env.engine.rows(sql`SELECT currency, sum(amount) AS total, count(*) AS n, ${d.countDistinct(raw('session_id'))} AS sessions
      FROM (${rows}) x GROUP BY 1 ORDER BY total DESC, currency`),
  ]);
  const cur = table.find((r) => r.currency === currency);
  const sum = round(num(cur?.total));
  const count = num(cur?.n);
  return {
    chart: chart.map((r) => ({ x: text(r.x), t: String(r.t), y: round(num(r.y)), count: num(r.n) })),
    country: country.map((r) => ({ name: text(r.name), value: round(num(r.value)) })),
    total: { sum, count, unique_count: num(cur?.sessions), average: count === 0 ? 0 : round(sum / count) },
    table: table.map((r) => ({ currency: String(r.currency), sum: round(num(r.total)), count: num(r.n), unique_count: num(r.sessions) })),
  };
}

/** Newer Umami's totals over `range`: revenue, events, paying sessions, sessions, average, ARPU. */
async function stats(env: ReportEnv, currency: string, range: TimeRange) {
  const d = env.engine.dialect;
  const s = env.scope;
  const [[r], totalSessions] = await Promise.all([
    env.engine.rows(sql`SELECT sum(amount) AS total, count(*) AS n, ${d.countDistinct(raw('session_id'))} AS sessions
      FROM (${scopeRevenue(env, s, range)}) x WHERE currency = ${d.text(currency)}`),
    sessionsIn(env, range),
  ]);
  const sum = round(num(r?.total));
  const count = num(r?.n);
  return {
    sum,
    count,
    unique_count: num(r?.sessions),
    total_sessions: totalSessions,
    average: count === 0 ? 0 : round(sum / count),
    arpu: totalSessions === 0 ? 0 : round(sum / totalSessions),
  };
}

/**
 * Sessions with any row in `range` (and the scope's filters), as Umami counts them for ARPU: the
 * shared `visitors` metric (sessions with page traffic, which the engine may answer from rollups)
 * plus the sessions that only sent custom events, such as purchases tracked from a server.
 */
async function sessionsIn(env: ReportEnv, range: TimeRange): Promise<number> {
  const s = env.scope;
  const d = env.engine.dialect;
  const where = scopeRows(env, s, range);
  const [traffic, [custom]] = await Promise.all([
    env.engine.run(scopeQuery(s, { range, metrics: ['visitors'] })),
    env.engine.rows(sql`WITH c AS (SELECT DISTINCT session_id FROM website_event WHERE ${where} AND ${CUSTOM_TYPES})
      SELECT a.n AS custom, b.n AS seen FROM (SELECT count(*) AS n FROM c) a
      CROSS JOIN (SELECT ${d.countDistinct(raw('session_id'))} AS n FROM website_event
        WHERE ${where} AND ${TRAFFIC_TYPES} AND session_id IN (SELECT session_id FROM c)) b`),
  ]);
  return num(traffic.rows[0]?.values.visitors) + num(custom?.custom) - num(custom?.seen);
}

/**
 * Revenue per paying session, credited to the referrer domain (as stored; '' for none) and to the
 * channel (the shared channel definition) of the session's first row in the range, whatever its
 * type. Like Umami, the first row is looked for among all the session's rows, filters aside.
 */
async function bySource(env: ReportEnv, mine: Sql) {
  const d = env.engine.dialect;
  const s = env.scope;
  const channel = visitParts(dimension('channel'), d);
  const alias = (name: string) => raw(`i_${name}`);
  const inputs = [sql`${d.argMin(raw('referrer_domain'), raw('created_at'))} AS first_referrer`, ...channel.inputs.map(([name, agg]) => sql`${agg} AS ${alias(name)}`)];
  const rows = await env.engine.rows(sql`WITH paid AS (SELECT session_id, sum(amount) AS value FROM (${mine}) m GROUP BY session_id),
    firsts AS (SELECT session_id, ${join(inputs)} FROM website_event
      WHERE ${scopeRange(s, env)} AND session_id IN (SELECT session_id FROM paid) GROUP BY session_id),
    credited AS (SELECT coalesce(firsts.first_referrer, '') AS referrer, ${channel.value(alias)} AS channel, paid.value AS value
      FROM paid JOIN firsts ON firsts.session_id = paid.session_id)
    SELECT 1 AS k, referrer AS name, sum(value) AS value FROM credited GROUP BY referrer
    UNION ALL SELECT 2 AS k, channel AS name, sum(value) AS value FROM credited GROUP BY channel`);
  const kind = (k: number) => byValue(rows.filter((r) => num(r.k) === k).map((r) => ({ name: text(r.name), value: round(num(r.value)) })));
  return { referrer: kind(1), channel: kind(2) };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Most revenue first, then by name. */
const byValue = <T extends { name: string; value: number }>(list: T[]) => list.sort((a, b) => b.value - a.value || cmp(a.name, b.name));

/** Amounts are stored with 4 decimals; sums of doubles get float noise, so round to that. */
const round = (n: number) => Math.round(n * 10_000) / 10_000;

/** Currencies seen in a range: [{currency}], most revenue first. */
export async function currencies(env: Omit<ReportEnv, 'fields'>) {
  const s = env.scope;
  const rows = await env.engine.rows(sql`SELECT currency, sum(amount) AS total FROM (${scopeRevenue({ ...env, fields: {} }, s)}) x
    GROUP BY 1 ORDER BY total DESC, currency`);
  return rows.map((r) => ({ currency: String(r.currency) }));
}

export const revenue: ReportDef = { validate: parseRevenue, savedFields: ['currency'], run };
