// Totals of the traffic rows on some paths (`path = X`, one or more values) from page_visit
// (page-visit-source.ts): the raw path groups the rows that match into visits, and a visit's
// matching rows are exactly its page_visit rows with those paths.
//
// - One path (not the empty one, which also matches rows without a path): a visit has at most one
//   such row, so they are the source's formulas over the rows (visitors by pointer).
// - Several paths: a visit's rows with any of them are merged (count summed, first and last row
//   kept) before the metrics' own visit aggregates read them; visitors are distinct sessions.
// In both, rows cut by the range's ends are regrouped from their raw rows in range.
// test/query/rollups.test.ts checks every answer against the raw path.

import type { Row } from '../../store/types.js';
import { dimensionExpr, metricAlias, tail, type Instant } from '../compile.js';
import type { Dialect } from '../dialects/dialect.js';
import { compileFilter, TRAFFIC_TYPES } from '../filters.js';
import { metric } from '../metrics.js';
import type { PathFilter } from '../plan.js';
import { join, raw, sql, type Sql } from '../sql.js';
import { covers } from '../sources.js';
import type { Query } from '../types.js';
import { storableText } from '../../lib/storable-text.js';
import { cutGroups } from './page-visit.js';
import { pageVisit, type PathMetric } from './page-visit-source.js';

type Run = (stmt: Sql) => Promise<Row[]>;

/** The condition a path filter puts on url_path: the raw path's own (compileFilter). */
export const pathMatch = (f: PathFilter, q: Query, d: Dialect): Sql => compileFilter({ kind: 'leaf', dim: 'path', op: 'eq', values: f.values }, q, d);

/** The one path a filter matches, or null when it matches several (the empty value also matches none). */
export function onePath(f: PathFilter): string | null {
  const stored = new Set(f.values.map(storableText));
  const [only] = stored;
  return stored.size === 1 && only !== '' ? only : null;
}

/** One row shaped like compileAggregate's (m0..) for totals the planner gave to page_visit with a path filter. */
export async function pathTotalsRows(q: Query, d: Dialect, f: PathFilter, run: Run): Promise<Row[]> {
  if (!covers(pageVisit, q.metrics)) throw new Error(`page_visit cannot answer ${q.metrics}`);
  const metrics = q.metrics;
  const match = pathMatch(f, q, d);
  const a = d.timestamp(q.range.start);
  const whole = sql`website_id = ${d.uuid(q.websiteId)} AND t0 >= ${a} AND t1 <= ${d.timestamp(q.range.end)} AND ${match}`;
  const cut = await cutGroups(q, d, run, match);
  const cte = cut ? sql`WITH cut AS MATERIALIZED (${cut}) ` : raw('');
  const own = (m: PathMetric) => (metric(m).visit as (d: Dialect) => Sql)(d);
  const select = (value: (m: PathMetric) => Sql) => join(metrics.map((m, i) => sql`${value(m)} AS ${raw(metricAlias(i))}`));
  if (onePath(f) === null) {
    const groups = [sql`SELECT visit_id, session_id AS visit_session, c, t0, t1 FROM page_visit WHERE ${whole}`];
    if (cut) groups.push(raw('SELECT visit_id, visit_session, c, t0, t1 FROM cut'));
    const visits = sql`SELECT visit_id, ${d.anyValue(raw('visit_session'))} AS visit_session, sum(c) AS c, min(t0) AS t0, max(t1) AS t1
      FROM (${join(groups, ' UNION ALL ')}) g GROUP BY visit_id`;
    return run(sql`${cte}SELECT ${select(own)} FROM (${visits}) v`);
  }
  // One path: a session counts on its first whole row in range (by pointer) unless a cut row,
  // regrouped from raw rows, counts it. One scan of page_visit, probing the few cut sessions.
  const first = sql`(prev_t0 IS NULL OR prev_t0 < ${a})`;
  if (!cut) return run(sql`SELECT ${select((m) => pageVisit.formulas[m]({ d, first }))} FROM page_visit WHERE ${whole}`);
  const uncut = sql`${first} AND k.visit_session IS NULL`;
  const wholePart = sql`SELECT ${select((m) => pageVisit.formulas[m]({ d, first: uncut }))}
    FROM page_visit w LEFT JOIN (SELECT DISTINCT visit_session FROM cut) k ON k.visit_session = w.session_id WHERE ${whole}`;
  const sums = join(q.metrics.map((_, i) => raw(`sum(${metricAlias(i)}) AS ${metricAlias(i)}`)));
  return run(sql`${cte}SELECT ${sums} FROM (${wholePart} UNION ALL SELECT ${select(own)} FROM cut) p`);
}

/**
 * The page-view series (page views, visitors per time bucket) of one path. A page_visit row in
 * range whose first and last row share a bucket adds its count there, and its session once: on
 * its first such row of the bucket (pointer before the bucket or the range). The rows that span
 * buckets or are cut by the range's ends ("odd") are read from raw rows, in windows around them;
 * their sessions count once per bucket, and not again on a page_visit row.
 */
export async function pathSeriesRows(q: Query, d: Dialect, f: PathFilter, run: Run): Promise<Row[]> {
  const [ref] = q.dimensions;
  const a = d.timestamp(q.range.start);
  const b = d.timestamp(q.range.end);
  const match = pathMatch(f, q, d);
  const website = sql`website_id = ${d.uuid(q.websiteId)}`;
  const keyOf = (column: string) => {
    const at: Instant = { ms: d.epochMs(raw(column)), since: (from) => sql`${raw(column)} >= ${d.timestamp(from)}` };
    return dimensionExpr(ref, q, d, at);
  };
  const odd = sql`${website} AND ${match} AND t0 <= ${b} AND t1 >= ${a} AND (t0 < ${a} OR t1 > ${b} OR ${keyOf('t0')} <> ${keyOf('t1')})`;
  const spans = await run(sql`SELECT ${d.epochMs(raw('min(t0)'))} AS lo, ${d.epochMs(raw('max(t1)'))} AS hi FROM page_visit WHERE ${odd} GROUP BY ${keyOf('t0')}`);
  const whole = sql`${website} AND ${match} AND t0 >= ${a} AND t1 <= ${b} AND ${keyOf('t0')} = ${keyOf('t1')}`;
  const first = sql`(prev_t0 IS NULL OR prev_t0 < ${a} OR ${keyOf('prev_t0')} <> ${keyOf('t0')})`;
  const metrics = q.metrics as readonly ('pageviews' | 'visitors')[];
  const sums = join(metrics.map((_, i) => raw(`sum(${metricAlias(i)}) AS ${metricAlias(i)}`)));
  if (spans.length === 0) {
    const select = join(metrics.map((m, i) => sql`${pageVisit.formulas[m]({ d, first })} AS ${raw(metricAlias(i))}`));
    return run(sql`SELECT d0, ${sums} FROM (SELECT ${keyOf('t0')} AS d0, ${select} FROM page_visit WHERE ${whole} GROUP BY 1) p${tail(q, 1)}`);
  }
  // The odd rows' raw rows lie in their [t0, t1] (t1 rounded up: it may have microseconds), within the range.
  const windows = mergeWindows(spans.map((r) => [Math.max(Number(r.lo), q.range.start.getTime()), Math.min(Number(r.hi) + 1, q.range.end.getTime())]));
  const reads = windows.map(([from, to]) => sql`SELECT session_id, visit_id, url_path, created_at FROM website_event
    WHERE ${website} AND ${TRAFFIC_TYPES} AND ${match} AND created_at BETWEEN ${d.timestamp(new Date(from))} AND ${d.timestamp(new Date(to))}`);
  const oddRows = sql`SELECT ${keyOf('created_at')} AS d0, r.session_id FROM (${join(reads, ' UNION ALL ')}) r
    SEMI JOIN (SELECT visit_id, url_path FROM page_visit WHERE ${odd}) o ON r.visit_id = o.visit_id AND r.url_path IS NOT DISTINCT FROM o.url_path`;
  const uncut = sql`${first} AND k.session_id IS NULL`;
  const wholeSelect = join(metrics.map((m, i) => sql`${pageVisit.formulas[m]({ d, first: uncut })} AS ${raw(metricAlias(i))}`));
  const wholePart = sql`SELECT w.d0, ${wholeSelect}
    FROM (SELECT ${keyOf('t0')} AS d0, session_id, c, t0, t1, prev_t0 FROM page_visit WHERE ${whole}) w
    LEFT JOIN (SELECT DISTINCT d0, session_id FROM odd_rows) k ON k.d0 = w.d0 AND k.session_id = w.session_id GROUP BY 1`;
  const rowSelect = join(metrics.map((m, i) => sql`${(metric(m).row as (d: Dialect) => Sql)(d)} AS ${raw(metricAlias(i))}`));
  return run(sql`WITH odd_rows AS MATERIALIZED (${oddRows})
    SELECT d0, ${sums} FROM (${wholePart} UNION ALL SELECT d0, ${rowSelect} FROM odd_rows GROUP BY 1) p${tail(q, 1)}`);
}

/**
 * Overlapping or touching windows as one (so that no raw row is read twice), and at most
 * MAX_WINDOWS of them: the closest ones are joined, reading a few more rows in one statement.
 */
function mergeWindows(windows: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [from, to] of windows.filter(([x, y]) => x <= y).sort((x, y) => x[0] - y[0])) {
    const last = out.at(-1);
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  while (out.length > MAX_WINDOWS) {
    let at = 0;
    for (let i = 1; i < out.length - 1; i++) if (out[i + 1][0] - out[i][1] < out[at + 1][0] - out[at][1]) at = i;
    out.splice(at, 2, [out[at][0], out[at + 1][1]]);
  }
  return out;
}

const MAX_WINDOWS = 32;
