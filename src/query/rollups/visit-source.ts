// Declared sources over visit_rollup (one row per visit: session, first and last traffic row t0/t1,
// row count c, entry and exit path, channel, attributes) and visit_span (visit_rollup summed per
// website and pair of first and last slot). Schema and upkeep: traffic-maintenance.ts.

import type { Dialect } from '../dialects/dialect.js';
import { metric } from '../metrics.js';
import { raw, type Sql } from '../sql.js';
import { metricsOf, type Source } from '../sources.js';

export type VisitMetric = 'visits' | 'bounces' | 'totaltime';

/** visit_rollup rows are the compiler's visit groups (c, t0, t1): the metrics' own visit aggregates. */
const visitAggregate = (m: VisitMetric) => (d: Dialect) => (metric(m).visit as (d: Dialect) => Sql)(d);

export const visitRollup: Source<VisitMetric, (d: Dialect) => Sql> = {
  table: 'visit_rollup',
  rows: 'traffic',
  formulas: { visits: visitAggregate('visits'), bounces: visitAggregate('bounces'), totaltime: visitAggregate('totaltime') },
};

/** visit_span keeps each metric's visit aggregate in a column of the metric's name, summed here. */
export const visitSpan: Source<VisitMetric, () => Sql> = {
  table: 'visit_span',
  rows: 'traffic',
  formulas: { visits: () => raw('sum(visits)'), bounces: () => raw('sum(bounces)'), totaltime: () => raw('sum(totaltime)') },
};

export const VISIT_METRICS: readonly VisitMetric[] = metricsOf(visitRollup);
