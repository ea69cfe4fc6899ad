// Declared source over page_visit (schema and upkeep: page-visit-maintenance.ts): one row per
// website, visit and path with the session, first and last row (t0, t1), row count c and a
// pointer prev_t0 to the session's previous row with that path. Its rows are the (path, visit)
// groups the compiler builds from raw rows.

import type { Dialect } from '../dialects/dialect.js';
import { canonicalDimension } from '../dimensions.js';
import { metric } from '../metrics.js';
import { sql, type Sql } from '../sql.js';
import { covers, type Source } from '../sources.js';
import type { Query } from '../types.js';

export type PathMetric = 'pageviews' | 'visitors' | 'visits' | 'bounces' | 'totaltime';

/** How a metric reads (path, visit) groups; `first` is true on a session's first group of the path in range. */
export interface PathGroups {
  readonly d: Dialect;
  readonly first: Sql;
}

const visitAggregate = (m: PathMetric) => ({ d }: PathGroups) => (metric(m).visit as (d: Dialect) => Sql)(d);

export const pageVisit: Source<PathMetric, (g: PathGroups) => Sql> = {
  table: 'page_visit',
  rows: 'traffic',
  formulas: {
    pageviews: visitAggregate('pageviews'),
    visitors: ({ first }) => sql`count(*) FILTER (WHERE ${first})`,
    visits: visitAggregate('visits'),
    bounces: visitAggregate('bounces'),
    totaltime: visitAggregate('totaltime'),
  },
};

/** A breakdown by path with visit metrics. Page views alone are cheaper from raw rows. */
export function pagePath(q: Query): boolean {
  const [ref] = q.dimensions;
  return (
    q.dimensions.length === 1 && ref.kind === 'field' && canonicalDimension(ref.name) === 'path' &&
    q.metrics.length > 0 && covers(pageVisit, q.metrics) && q.metrics.some((m) => m !== 'pageviews')
  );
}
