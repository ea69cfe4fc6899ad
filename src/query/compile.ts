// Query -> SQL. Two shapes: metrics that only count rows aggregate event rows directly; metrics
// about visits (bounces, time, entry pages) first group rows into visits, then aggregate those.

import { dimension } from './dimensions.js';
import type { Dialect } from './dialects/dialect.js';
import { compileFilter, CUSTOM_TYPES, inRange, TRAFFIC_TYPES } from './filters.js';
import { metric } from './metrics.js';
import { int, join, raw, sql, type Sql } from './sql.js';
import { offsetSegments } from './time.js';
import { QueryError, type DimensionRef, type Query, type RowKind } from './types.js';

export function rowTypes(rows: RowKind): Sql {
  if (rows === 'traffic') return TRAFFIC_TYPES;
  if (rows === 'custom') return CUSTOM_TYPES;
  return raw('TRUE');
}

/** Wall-clock time of each row in the query's zone. */
export function localCreatedAt(q: Pick<Query, 'timeZone' | 'range'>, d: Dialect): Sql {
  return d.localTime(raw('created_at'), offsetSegments(q.timeZone, q.range));
}

function dimensionExpr(ref: DimensionRef, q: Query, d: Dialect): Sql {
  switch (ref.kind) {
    case 'field':
      return dimension(ref.name).expr(d);
    case 'time':
      return d.bucketLabel(localCreatedAt(q, d), ref.unit);
    case 'weekday':
      return d.weekday(localCreatedAt(q, d));
    case 'hourOfDay':
      return d.hourOfDay(localCreatedAt(q, d));
  }
}

const isVisitDim = (ref: DimensionRef) => ref.kind === 'field' && dimension(ref.name).grain === 'visit';

/** Does the query need rows grouped into visits first? */
export function needsVisits(q: Query): boolean {
  return q.dimensions.some(isVisitDim) || q.metrics.some((m) => !metric(m).row);
}

export function validate(q: Query): void {
  for (const name of q.metrics) {
    if (!metric(name).rows.includes(q.rows)) throw new QueryError(`metric ${name} is not defined on ${q.rows} rows`);
  }
  if (needsVisits(q)) {
    for (const name of q.metrics) {
      if (!metric(name).visit) throw new QueryError(`metric ${name} cannot be combined with visit metrics`);
    }
  }
  if (q.limit !== null && (!Number.isSafeInteger(q.limit) || q.limit < 0)) throw new QueryError('Invalid limit', 'limit');
  if (!Number.isSafeInteger(q.offset) || q.offset < 0) throw new QueryError('Invalid offset', 'offset');
}

/** WHERE clause shared by every shape: website, range, row kind, filters, breakdown rules. */
export function whereClause(q: Query, d: Dialect): Sql {
  const parts: Sql[] = [inRange(q, d), rowTypes(q.rows)];
  if (q.filter) parts.push(compileFilter(q.filter, q, d));
  for (const ref of q.dimensions) {
    if (ref.kind !== 'field') continue;
    const def = dimension(ref.name);
    if (def.breakdownWhere) parts.push(def.breakdownWhere(q, d));
    if (def.skipEmpty && def.grain === 'row') parts.push(sql`${def.expr(d)} IS NOT NULL AND ${def.expr(d)} <> ''`);
  }
  return join(parts, ' AND ');
}

function tail(q: Query, groupCount: number): Sql {
  const pieces: Sql[] = [];
  if (groupCount > 0) pieces.push(sql` GROUP BY ${raw(Array.from({ length: groupCount }, (_, i) => i + 1).join(', '))}`);
  if (q.orderBy.length > 0) {
    const keys = q.orderBy.map((o) => {
      if (!/^d\d+$/.test(o.key) && !q.metrics.includes(o.key as never)) throw new QueryError(`cannot order by ${o.key}`);
      return raw(`${o.key} ${o.dir === 'desc' ? 'DESC' : 'ASC'} NULLS LAST`);
    });
    pieces.push(sql` ORDER BY ${join(keys)}`);
  }
  if (q.limit !== null) pieces.push(sql` LIMIT ${int(q.limit)}`);
  if (q.offset > 0) pieces.push(sql` OFFSET ${int(q.offset)}`);
  return pieces.reduce((a, b) => sql`${a}${b}`, raw(''));
}

export function compileAggregate(q: Query, d: Dialect): Sql {
  validate(q);
  const where = whereClause(q, d);
  const dimAliases = q.dimensions.map((_, i) => raw(`d${i}`));

  if (!needsVisits(q)) {
    const select = [
      ...q.dimensions.map((ref, i) => sql`${dimensionExpr(ref, q, d)} AS ${dimAliases[i]}`),
      ...q.metrics.map((m) => sql`${(metric(m).row as (d: Dialect) => Sql)(d)} AS ${raw(m)}`),
    ];
    return sql`SELECT ${join(select)} FROM website_event WHERE ${where}${tail(q, q.dimensions.length)}`;
  }

  const rowDims = q.dimensions.map((ref, i) => ({ ref, i })).filter(({ ref }) => !isVisitDim(ref));
  const inner = [
    ...q.dimensions.map((ref, i) => sql`${dimensionExpr(ref, q, d)} AS ${dimAliases[i]}`),
    sql`${d.anyValue(raw('session_id'))} AS session_id`,
    raw('visit_id'),
    raw('count(*) AS c'),
    raw('min(created_at) AS t0'),
    raw('max(created_at) AS t1'),
  ];
  const innerGroup = join([...rowDims.map(({ i }) => dimAliases[i]), raw('visit_id')]);
  const outer = [...dimAliases, ...q.metrics.map((m) => sql`${(metric(m).visit as (d: Dialect) => Sql)(d)} AS ${raw(m)}`)];
  return sql`SELECT ${join(outer)} FROM (SELECT ${join(inner)} FROM website_event WHERE ${where} GROUP BY ${innerGroup}) v${tail(q, q.dimensions.length)}`;
}
