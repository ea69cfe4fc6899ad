// Website summary, page-view series and breakdowns: /stats, /pageviews, /metrics, /metrics/expanded.

import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../server/errors.js';
import { canonicalDimension, dimension, METRIC_TYPES } from '../../query/dimensions.js';
import { andFilters } from '../../query/filters.js';
import { compareRange } from '../../query/time.js';
import type { DimensionRef, Filter, MetricName, Query, QueryResult } from '../../query/types.js';
import { scopeOf, type RequestScope } from '../scope.js';
import { parseCompare, parseInteger, query, str, type Analytics, type Params } from './params.js';

const STATS: MetricName[] = ['pageviews', 'visitors', 'visits', 'bounces', 'totaltime'];

/** `{metric: {value, prev}}` from a one-row result with comparison. */
export function valuePrev(result: QueryResult, metrics: readonly MetricName[], names: Partial<Record<MetricName, string>> = {}) {
  const cur = result.rows[0]?.values ?? {};
  const prev = result.prev?.[0]?.values ?? {};
  return Object.fromEntries(metrics.map((m) => [names[m] ?? m, { value: cur[m] ?? 0, prev: prev[m] ?? 0 }]));
}

/** `[{x, y}]` of a series query with one time dimension, oldest bucket first. */
export function series(result: QueryResult['rows'], metric: MetricName) {
  return result.map((r) => ({ x: r.dims[0] as string, y: r.values[metric] ?? 0 }));
}

export function pageviewsQuery(s: RequestScope, range: Query['range'], tz: string): Query {
  return s.query({
    range,
    timeZone: tz,
    metrics: ['pageviews', 'visitors'],
    dimensions: [{ kind: 'time', unit: s.unit() }],
    filter: s.filter(),
    orderBy: [{ key: 'd0', dir: 'asc' }],
  });
}

/** The breakdown query behind /metrics and /metrics/expanded for `type`. */
export function metricType(p: Params, name = 'type') {
  const type = str(p, name);
  if (!type) throw badRequest(`Invalid ${name}: required`);
  const canonical = METRIC_TYPES.includes(type) ? canonicalDimension(type) : undefined;
  if (!canonical) throw badRequest(`Invalid ${name}: unknown metric type '${type}'`);
  return dimension(canonical);
}

function searchFilter(p: Params, dim: string): Filter | null {
  const search = str(p, 'search');
  return search ? { kind: 'leaf', dim, op: 'contains', values: [search] } : null;
}

export function breakdownQuery(s: RequestScope, range: Query['range'], type: ReturnType<typeof metricType>, metrics: MetricName[]): Query {
  const p = s.values;
  const dims: DimensionRef[] = [{ kind: 'field', name: type.name }];
  // Umami adds the country to city and region rows (a city name alone is ambiguous).
  if (type.name === 'city' || type.name === 'region') dims.push({ kind: 'field', name: 'country' });
  return s.query({
    range,
    rows: type.rows,
    metrics,
    dimensions: dims,
    filter: andFilters(s.filter(), searchFilter(p, type.name)),
    orderBy: [{ key: metrics[0], dir: 'desc' }, { key: 'd0', dir: 'asc' }],
    limit: parseInteger(p, 'limit', 500, 1, 100_000),
    offset: parseInteger(p, 'offset', 0, 0, 1_000_000_000),
  });
}

export function registerStats(app: FastifyInstance, a: Analytics): void {
  app.get('/api/websites/:websiteId/stats', async (req) => {
    const s = await scopeOf(req, a);
    const p = query(req);
    const q = s.query({ metrics: STATS, compare: parseCompare(p) });
    return valuePrev(await a.engine.run(q), STATS);
  });

  app.get('/api/websites/:websiteId/pageviews', async (req) => {
    const s = await scopeOf(req, a);
    const p = query(req);
    const range = s.range();
    const q = pageviewsQuery(s, range, s.timeZone());
    const compare = str(p, 'compare') ? parseCompare(p) : null;
    const result = await a.engine.run({ ...q, compare });
    const body: Record<string, unknown> = { pageviews: series(result.rows, 'pageviews'), sessions: series(result.rows, 'visitors') };
    if (compare && result.prev) {
      const prevRange = compareRange(range, compare);
      body.startDate = range.start.toISOString();
      body.endDate = range.end.toISOString();
      body.compare = {
        pageviews: series(result.prev, 'pageviews'),
        sessions: series(result.prev, 'visitors'),
        startDate: prevRange.start.toISOString(),
        endDate: prevRange.end.toISOString(),
      };
    }
    return body;
  });

  app.get('/api/websites/:websiteId/metrics', async (req) => {
    const s = await scopeOf(req, a);
    const p = query(req);
    const type = metricType(p);
    const range = s.range();
    const result = await a.engine.run(breakdownQuery(s, range, type, [type.countBy]));
    return result.rows.map((r) => {
      const row: Record<string, unknown> = { x: r.dims[0], y: r.values[type.countBy] ?? 0 };
      if (r.dims.length > 1) row.country = r.dims[1];
      return row;
    });
  });

  app.get('/api/websites/:websiteId/metrics/expanded', async (req) => {
    const s = await scopeOf(req, a);
    const p = query(req);
    const type = metricType(p);
    const range = s.range();
    // On custom-event rows the first column counts events; Umami still calls it pageviews.
    const first: MetricName = type.rows === 'custom' ? 'events' : 'pageviews';
    const metrics: MetricName[] = [first, 'visitors', 'visits', 'bounces', 'totaltime'];
    const result = await a.engine.run(breakdownQuery(s, range, type, metrics));
    return result.rows.map((r) => {
      const row: Record<string, unknown> = {
        name: r.dims[0],
        pageviews: r.values[first] ?? 0,
        visitors: r.values.visitors ?? 0,
        visits: r.values.visits ?? 0,
        bounces: r.values.bounces ?? 0,
        totaltime: r.values.totaltime ?? 0,
      };
      if (r.dims.length > 1) row.country = r.dims[1];
      return row;
    });
  });
}
