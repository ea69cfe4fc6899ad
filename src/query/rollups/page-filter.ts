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
import { metricAlias } from '../compile.js';
import type { Dialect } from '../dialects/dialect.js';
import { compileFilter } from '../filters.js';
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
  const stored = new Set(f.values.map(storableText));
  if (stored.size > 1 || stored.has('')) {
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
