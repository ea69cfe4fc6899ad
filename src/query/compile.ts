// Query -> SQL. Two shapes: metrics that only count rows aggregate event rows directly; metrics
// about visits (bounces, time, entry pages) first group rows into visits, then aggregate those.

import { dimension, visitParts } from './dimensions.js';
import type { Dialect } from './dialects/dialect.js';
import { compileFilter, CUSTOM_TYPES, excludesBounces, inRange, TRAFFIC_TYPES } from './filters.js';
import { metric } from './metrics.js';
import { int, join, raw, sql, type Sql } from './sql.js';
import { DAY_MS, offsetSegments, UNIT_MS } from './time.js';
import { QueryError, type DimensionRef, type Query, type RowKind, type Unit } from './types.js';

export function rowTypes(rows: RowKind): Sql {
  if (rows === 'traffic') return TRAFFIC_TYPES;
  if (rows === 'custom') return CUSTOM_TYPES;
  return raw('TRUE');
}

/** Wall-clock time of each row in the query's zone. */
export function localCreatedAt(q: Pick<Query, 'timeZone' | 'range'>, d: Dialect): Sql {
  return d.localTime(raw('created_at'), offsetSegments(q.timeZone, q.range));
}

/** An instant per row: as epoch milliseconds, and as a test for "at or after `from`". */
export interface Instant {
  readonly ms: Sql;
  since(from: Date): Sql;
}

const createdAt = (d: Dialect): Instant => ({ ms: d.epochMs(raw('created_at')), since: (from) => sql`created_at >= ${d.timestamp(from)}` });

/**
 * Wall-clock time of each row in the query's zone as epoch milliseconds: integer arithmetic,
 * several times cheaper per row than timestamp functions, and grouped as a plain BIGINT.
 */
export function localMs(q: Pick<Query, 'timeZone' | 'range'>, d: Dialect, at: Instant = createdAt(d)): Sql {
  const segments = offsetSegments(q.timeZone, q.range);
  const ms = at.ms;
  const shift = (minutes: number) => (minutes === 0 ? ms : sql`(${ms} + ${int(minutes * 60_000)})`);
  if (segments.length === 1) return shift(segments[0].offsetMinutes);
  const whens = segments
    .slice(1)
    .reverse()
    .map((s) => sql`WHEN ${at.since(s.from as Date)} THEN ${shift(s.offsetMinutes)} `);
  return sql`(CASE ${join(whens, '')}ELSE ${shift(segments[0].offsetMinutes)} END)`;
}

/** Integer key of a time bucket; timeLabel() turns it back into Umami's label. */
function timeKey(unit: Unit, ms: Sql, d: Dialect): Sql {
  switch (unit) {
    case 'month':
      return d.monthKey(ms);
    case 'year':
      return d.yearKey(ms);
    case 'week':
      // Weeks start on Monday; day 0 (1970-01-01) was a Thursday.
      return d.intDiv(sql`(${d.intDiv(ms, DAY_MS)} + 3)`, 7);
    default:
      return d.intDiv(ms, UNIT_MS[unit]);
  }
}

/** A dimension's value per row (`at`: the instant clock dimensions read, created_at by default). */
export function dimensionExpr(ref: DimensionRef, q: Query, d: Dialect, at?: Instant): Sql {
  switch (ref.kind) {
    case 'field':
      return dimension(ref.name).expr(d);
    case 'time':
      return timeKey(ref.unit, localMs(q, d, at), d);
    case 'weekday':
      // 0 = Sunday; day 0 (1970-01-01) was a Thursday.
      return sql`((${d.intDiv(localMs(q, d, at), DAY_MS)} + 4) % 7)`;
    case 'hourOfDay':
      return sql`(${d.intDiv(localMs(q, d, at), 3_600_000)} % 24)`;
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
  return join([...parts, ...breakdownConditions(q, d)], ' AND ');
}

/** The rows a breakdown leaves out: empty values, self-referrals. */
export function breakdownConditions(q: Query, d: Dialect): Sql[] {
  const parts: Sql[] = [];
  for (const ref of [...q.dimensions, ...(q.restOf ?? [])]) {
    if (ref.kind !== 'field') continue;
    const def = dimension(ref.name);
    if (def.breakdownWhere) parts.push(def.breakdownWhere(q, d));
    if (def.skipEmpty && def.grain === 'row') parts.push(sql`${def.expr(d)} IS NOT NULL AND ${def.expr(d)} <> ''`);
  }
  return parts;
}

export function tail(q: Query, groupCount: number): Sql {
  const pieces: Sql[] = [];
  if (groupCount > 0) pieces.push(sql` GROUP BY ${raw(Array.from({ length: groupCount }, (_, i) => i + 1).join(', '))}`);
  if (q.orderBy.length > 0) {
    const keys = q.orderBy.map((o) => {
      const m = q.metrics.indexOf(o.key as never);
      if (!/^d\d+$/.test(o.key) && m < 0) throw new QueryError(`cannot order by ${o.key}`);
      return raw(`${m >= 0 ? metricAlias(m) : o.key} ${o.dir === 'desc' ? 'DESC' : 'ASC'} NULLS LAST`);
    });
    pieces.push(sql` ORDER BY ${join(keys)}`);
  }
  if (q.limit !== null) pieces.push(sql` LIMIT ${int(q.limit)}`);
  if (q.offset > 0) pieces.push(sql` OFFSET ${int(q.offset)}`);
  return pieces.reduce((a, b) => sql`${a}${b}`, raw(''));
}

/** Column names are positional (d0.., m0..): PostgreSQL folds unquoted names to lower case. */
export const metricAlias = (i: number) => `m${i}`;

export function compileAggregate(q: Query, d: Dialect): Sql {
  validate(q);
  const where = whereClause(q, d);
  const dimAliases = q.dimensions.map((_, i) => raw(`d${i}`));

  if (!needsVisits(q)) {
    const select = [
      ...q.dimensions.map((ref, i) => sql`${dimensionExpr(ref, q, d)} AS ${dimAliases[i]}`),
      ...q.metrics.map((m, i) => sql`${(metric(m).row as (d: Dialect) => Sql)(d)} AS ${raw(metricAlias(i))}`),
    ];
    return sql`SELECT ${join(select)} FROM website_event WHERE ${where}${tail(q, q.dimensions.length)}`;
  }

  const rowDims = q.dimensions.map((ref, i) => ({ ref, i })).filter(({ ref }) => !isVisitDim(ref));
  // Visit dimensions: their per-visit aggregates inside, their value outside.
  const parts = q.dimensions.map((ref) => (ref.kind === 'field' && isVisitDim(ref) ? visitParts(dimension(ref.name), d) : null));
  const inputAlias = (i: number, name: string) => raw(`d${i}_${name}`);
  const inner = [
    ...q.dimensions.flatMap((ref, i) => {
      const p = parts[i];
      if (!p) return [sql`${dimensionExpr(ref, q, d)} AS ${dimAliases[i]}`];
      return p.inputs.map(([name, agg]) => sql`${agg} AS ${inputAlias(i, name)}`);
    }),
    sql`${d.anyValue(raw('session_id'))} AS visit_session`,
    raw('visit_id'),
    raw('count(*) AS c'),
    raw('min(created_at) AS t0'),
    raw('max(created_at) AS t1'),
  ];
  const innerGroup = join([...rowDims.map(({ i }) => dimAliases[i]), raw('visit_id')]);
  const outerDims = dimAliases.map((alias, i) => {
    const p = parts[i];
    return p ? sql`${p.value((name) => inputAlias(i, name))} AS ${alias}` : alias;
  });
  // With excludeBounce Umami reports no bounces, whatever other filters leave of a visit.
  const visitMetric = (m: Query['metrics'][number]) => (m === 'bounces' && excludesBounces(q.filter) ? raw('0') : (metric(m).visit as (d: Dialect) => Sql)(d));
  const outer = [...outerDims, ...q.metrics.map((m, i) => sql`${visitMetric(m)} AS ${raw(metricAlias(i))}`)];
  return sql`SELECT ${join(outer)} FROM (SELECT ${join(inner)} FROM website_event WHERE ${where} GROUP BY ${innerGroup}) v${tail(q, q.dimensions.length)}`;
}
