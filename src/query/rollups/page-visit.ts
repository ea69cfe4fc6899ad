// Per-path visit metrics (/metrics/expanded?type=path, insights by path) from page_visit
// (src/query/rollups/page-visit-maintenance.ts): one row per path and visit, i.e. the (path, visit) groups the
// compiler builds from raw rows, with their session, first and last row and row count.
//
// - Rows wholly inside the range are those groups as they are: pageviews, visits, bounces and
//   time are the metrics' own visit aggregates over them. A session counts once per path, on its
//   first row there: the one whose pointer (t0 of the session's previous row with that path) is
//   before the range.
// - Rows cut by the range's ends are regrouped from their raw rows in range. Their sessions add a
//   visitor unless the session was already counted on a whole row of that path (if the session's
//   first row in the range is cut, none of its whole rows counted it).
// test/query/rollups.test.ts checks every answer against the raw path.

import type { Row } from '../../store/types.js';
import { metricAlias, tail } from '../compile.js';
import type { Dialect } from '../dialects/dialect.js';
import { TRAFFIC_TYPES } from '../filters.js';
import { metric } from '../metrics.js';
import { join, raw, sql, type Sql } from '../sql.js';
import type { Query } from '../types.js';
import { covers } from '../sources.js';
import { pageVisit, type PathMetric } from './page-visit-source.js';

/**
 * Rows shaped like compileAggregate's (d0, m0..) for a query the planner gave to page_visit;
 * `match`, a condition on url_path, keeps only the paths a filter lets through.
 */
export async function pagePathRows(q: Query, d: Dialect, run: (stmt: Sql) => Promise<Row[]>, match: Sql | null = null): Promise<Row[]> {
  if (!covers(pageVisit, q.metrics)) throw new Error(`page_visit cannot answer ${q.metrics}`);
  const metrics = q.metrics;
  const website = sql`website_id = ${d.uuid(q.websiteId)}`;
  const a = d.timestamp(q.range.start);
  const b = d.timestamp(q.range.end);
  const whole = sql`${website} AND t0 >= ${a} AND t1 <= ${b}${match ? sql` AND ${match}` : raw('')}`;
  const first = sql`(prev_t0 IS NULL OR prev_t0 < ${a})`;
  const visit = (m: PathMetric) => pageVisit.formulas[m]({ d, first });
  const none = raw('NULL');
  // One select per part, each metric in its column; parts are summed per path.
  const part = (value: (m: PathMetric) => Sql, from: Sql) =>
    sql`SELECT d0, ${join(metrics.map((m, i) => sql`${value(m)} AS ${raw(metricAlias(i))}`))} FROM ${from} GROUP BY d0`;
  const parts = [
    part(
      visit,
      sql`(SELECT url_path AS d0, c, t0, t1, prev_t0 FROM page_visit WHERE ${whole}) w`,
    ),
  ];
  const cut = await cutGroups(q, d, run, match);
  if (cut) {
    // Cut groups are regrouped raw rows: their visitors are distinct sessions, counted below.
    const cutValue = (m: PathMetric) => (m === 'visitors' ? none : visit(m));
    parts.push(part(cutValue, raw('cut')));
    if (metrics.includes('visitors')) {
      const counted = sql`SELECT url_path AS d0, session_id AS visit_session FROM page_visit
        WHERE ${whole} AND ${first} AND session_id IN (SELECT visit_session FROM cut)`;
      const uncounted = sql`(SELECT g.* FROM cut g ANTI JOIN (${counted}) k ON g.d0 IS NOT DISTINCT FROM k.d0 AND g.visit_session = k.visit_session) u`;
      parts.push(part((m) => (m === 'visitors' ? (metric('visitors').visit as (d: Dialect) => Sql)(d) : none), uncounted));
    }
  }
  const sums = q.metrics.map((_, i) => raw(`sum(${metricAlias(i)}) AS ${metricAlias(i)}`));
  const cte = cut ? sql`WITH cut AS MATERIALIZED (${cut}) ` : raw('');
  return run(sql`${cte}SELECT d0, ${join(sums)} FROM (${join(parts, ' UNION ALL ')}) p${tail(q, 1)}`);
}

/**
 * The (path, visit) groups of the page_visit rows cut by the range's ends, from their raw rows in
 * range (columns d0, visit_session, visit_id, c, t0, t1), or null when there are none; `match`
 * keeps only the paths it lets through.
 */
export async function cutGroups(q: Query, d: Dialect, run: (stmt: Sql) => Promise<Row[]>, match: Sql | null = null): Promise<Sql | null> {
  const website = sql`website_id = ${d.uuid(q.websiteId)}${match ? sql` AND ${match}` : raw('')}`;
  const a = d.timestamp(q.range.start);
  const b = d.timestamp(q.range.end);
  // Plain conjunctions, so the scans skip row groups by their t0/t1 ranges.
  const cutAtStart = sql`${website} AND t1 >= ${a} AND t0 < ${a}`;
  const cutAtEnd = sql`${website} AND t0 <= ${b} AND t1 > ${b}`;
  const [cut] = await run(
    sql`SELECT (SELECT ${d.epochMs(raw('max(t1)'))} FROM page_visit WHERE ${cutAtStart}) AS hi, (SELECT ${d.epochMs(raw('min(t0)'))} FROM page_visit WHERE ${cutAtEnd}) AS lo`,
  );
  if (cut.hi == null && cut.lo == null) return null;
  // Their rows in range lie in [a, hi] and [lo, b] (hi rounded up: t1 may have microseconds).
  const hi = cut.hi == null ? null : new Date(Math.min(Number(cut.hi) + 1, q.range.end.getTime()));
  const lo = cut.lo == null ? null : new Date(Number(cut.lo));
  const windows: [Date, Date][] =
    hi && lo && hi.getTime() >= lo.getTime()
      ? [[q.range.start, q.range.end]]
      : [...(hi ? [[q.range.start, hi] as [Date, Date]] : []), ...(lo ? [[lo, q.range.end] as [Date, Date]] : [])];
  const pairs = sql`SELECT visit_id, url_path FROM page_visit WHERE ${cutAtStart} UNION SELECT visit_id, url_path FROM page_visit WHERE ${cutAtEnd}`;
  const rows = windows.map(
    ([from, to]) =>
      sql`SELECT session_id, visit_id, url_path, created_at FROM website_event
        WHERE ${website} AND ${TRAFFIC_TYPES} AND created_at BETWEEN ${d.timestamp(from)} AND ${d.timestamp(to)}`,
  );
  // The windows may overlap only when they are one window: no row is read twice.
  return sql`SELECT r.url_path AS d0, ${d.anyValue(raw('r.session_id'))} AS visit_session, r.visit_id, count(*) AS c, min(r.created_at) AS t0, max(r.created_at) AS t1
    FROM (${join(rows, ' UNION ALL ')}) r SEMI JOIN (${pairs}) p ON r.visit_id = p.visit_id AND r.url_path IS NOT DISTINCT FROM p.url_path
    GROUP BY r.url_path, r.visit_id`;
}
