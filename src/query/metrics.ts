// Metric registry: each metric defined once, at two grains. `row` aggregates event rows directly;
// `visit` aggregates the per-visit groups the compiler builds when any metric or dimension needs
// them (columns: visit_session, visit_id, c = rows in the visit, t0/t1 = first/last row time).

import type { Dialect } from './dialects/dialect.js';
import { raw, sql, type Sql } from './sql.js';
import type { MetricName, RowKind } from './types.js';

/** An additive count (sums over parts), an exact distinct count (parts overlap), or a ratio of two others. */
export type MetricKind = 'additive' | 'distinct' | 'ratio';

export interface MetricDef {
  readonly name: MetricName;
  readonly kind: MetricKind;
  /** Row kinds the metric is defined on. */
  readonly rows: readonly RowKind[];
  /** Aggregate over event rows; absent when the metric needs visit groups. */
  readonly row?: (d: Dialect) => Sql;
  /** Aggregate over visit groups; absent when it cannot be derived from them. */
  readonly visit?: (d: Dialect) => Sql;
  /** A ratio of two other metrics (null when the denominator is 0, reported as 0). */
  readonly ratio?: { readonly num: MetricName; readonly den: MetricName };
}

/** `num / den` at whichever grains both parts are defined on. */
function ratio(name: MetricName, num: MetricName, den: MetricName, rows: readonly RowKind[]): MetricDef {
  const [n, m] = [metric(num), metric(den)];
  const divide = (a: (d: Dialect) => Sql, b: (d: Dialect) => Sql) => (d: Dialect) => sql`${d.toDouble(a(d))} / nullif(${d.toDouble(b(d))}, 0)`;
  return { name, kind: 'ratio', rows, ratio: { num, den }, row: n.row && m.row ? divide(n.row, m.row) : undefined, visit: n.visit && m.visit ? divide(n.visit, m.visit) : undefined };
}

const defs: MetricDef[] = [
  { name: 'pageviews', kind: 'additive', rows: ['traffic'], row: () => raw('count(*)'), visit: () => raw('sum(c)') },
  { name: 'events', kind: 'additive', rows: ['custom'], row: () => raw('count(*)'), visit: () => raw('sum(c)') },
  {
    name: 'visitors',
    kind: 'distinct',
    rows: ['traffic', 'custom', 'all'],
    row: (d) => d.countDistinct(raw('session_id')),
    visit: (d) => d.countDistinct(raw('visit_session')),
  },
  {
    name: 'visits',
    kind: 'distinct',
    rows: ['traffic', 'custom', 'all'],
    row: (d) => d.countDistinct(raw('visit_id')),
    visit: () => raw('count(*)'),
  },
  // A bounce is a visit with exactly one matching row (one pageview, on traffic rows).
  { name: 'bounces', kind: 'additive', rows: ['traffic', 'custom', 'all'], visit: () => raw('sum(CASE WHEN c = 1 THEN 1 ELSE 0 END)') },
  // Time from first to last hit of each visit; a one-hit visit adds nothing.
  { name: 'totaltime', kind: 'additive', rows: ['traffic', 'custom', 'all'], visit: (d) => sql`sum(${d.secondsBetween(raw('t0'), raw('t1'))})` },
  { name: 'countries', kind: 'distinct', rows: ['traffic', 'custom', 'all'], row: (d) => d.countDistinct(raw('country')) },
  { name: 'uniqueEvents', kind: 'distinct', rows: ['custom'], row: (d) => d.countDistinct(raw('event_name')) },
];

const registry = new Map(defs.map((m) => [m.name, m]));

// Ratios: bounces per visit (0..1), seconds per visit, page views per visit.
for (const def of [
  ratio('bounceRate', 'bounces', 'visits', ['traffic', 'custom', 'all']),
  ratio('visitDuration', 'totaltime', 'visits', ['traffic', 'custom', 'all']),
  ratio('viewsPerVisit', 'pageviews', 'visits', ['traffic']),
]) {
  defs.push(def);
  registry.set(def.name, def);
}

/** Every metric name, in registry order. */
export const METRIC_NAMES: readonly MetricName[] = defs.map((m) => m.name);

export function metric(name: MetricName): MetricDef {
  const def = registry.get(name);
  if (!def) throw new Error(`unknown metric ${name}`);
  return def;
}
