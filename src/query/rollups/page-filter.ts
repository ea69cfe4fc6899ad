// Totals of the traffic rows on some paths (`path = X`, one or more values) from page_visit
// (page-visit-source.ts): the raw path groups the rows that match into visits, and a visit's
// matching rows are exactly its page_visit rows with those paths.
//
// - One path (not the empty one, which also matches rows without a path): a visit has at most one
//   such row, so the totals are the path breakdown's row for it (page-visit.ts, visitors by pointer).
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
import { cutGroups, pagePathRows } from './page-visit.js';
import { pageVisit } from './page-visit-source.js';

type Run = (stmt: Sql) => Promise<Row[]>;

/** The condition a path filter puts on url_path: the raw path's own (compileFilter). */
export const pathMatch = (f: PathFilter, q: Query, d: Dialect): Sql => compileFilter({ kind: 'leaf', dim: 'path', op: 'eq', values: f.values }, q, d);

/** One row shaped like compileAggregate's (m0..) for totals the planner gave to page_visit with a path filter. */
export async function pathTotalsRows(q: Query, d: Dialect, f: PathFilter, run: Run): Promise<Row[]> {
  if (!covers(pageVisit, q.metrics)) throw new Error(`page_visit cannot answer ${q.metrics}`);
  const match = pathMatch(f, q, d);
  const stored = new Set(f.values.map(storableText));
  if (stored.size === 1 && !stored.has('')) {
    const [row] = await pagePathRows({ ...q, dimensions: [{ kind: 'field', name: 'path' }], orderBy: [], limit: null, offset: 0 }, d, run, match);
    return [Object.fromEntries(q.metrics.map((_, i) => [metricAlias(i), row?.[metricAlias(i)] ?? null]))];
  }
  const website = sql`website_id = ${d.uuid(q.websiteId)}`;
  const whole = sql`${website} AND t0 >= ${d.timestamp(q.range.start)} AND t1 <= ${d.timestamp(q.range.end)} AND ${match}`;
  const cut = await cutGroups(q, d, run, match);
  const groups = [sql`SELECT visit_id, session_id AS visit_session, c, t0, t1 FROM page_visit WHERE ${whole}`];
  if (cut) groups.push(raw('SELECT visit_id, visit_session, c, t0, t1 FROM cut'));
  const visits = sql`SELECT visit_id, ${d.anyValue(raw('visit_session'))} AS visit_session, sum(c) AS c, min(t0) AS t0, max(t1) AS t1
    FROM (${join(groups, ' UNION ALL ')}) g GROUP BY visit_id`;
  const select = q.metrics.map((m, i) => sql`${(metric(m).visit as (d: Dialect) => Sql)(d)} AS ${raw(metricAlias(i))}`);
  const cte = cut ? sql`WITH cut AS MATERIALIZED (${cut}) ` : raw('');
  return run(sql`${cte}SELECT ${join(select)} FROM (${visits}) v`);
}
