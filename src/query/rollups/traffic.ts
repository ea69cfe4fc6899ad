// Page-traffic totals and time series from the store's rollups (src/query/rollups/traffic-maintenance.ts), for
// queries without filters whose range and buckets are whole slots. The raw path counts distinct
// sessions over every row; here visitors are a sum: a session-slot row counts when the session's
// previous slot lies outside the window (or bucket). Visits, bounces and time are sums per pair of
// first and last slot (visit_span); the few visits cut by the range's ends are recounted from
// their raw rows in range.
// test/query-rollup.test.ts checks every answer against the raw path.

import type { Row, TrafficRollups } from '../../store/types.js';
import { breakdownConditions, dimensionExpr, metricAlias, tail, validate, type Instant } from '../compile.js';
import type { Dialect } from '../dialects/dialect.js';
import { canonicalDimension, dimension, visitParts } from '../dimensions.js';
import { TRAFFIC_TYPES } from '../filters.js';
import { metric } from '../metrics.js';
import { pagePath, pagePathRows } from './page-visit.js';
import { int, join, raw, sql, type Sql } from '../sql.js';
import { offsetSegments } from '../time.js';
import type { MetricName, Query } from '../types.js';

const SLOT_METRICS: readonly MetricName[] = ['pageviews', 'visitors', 'countries'];
/** The visit metrics the rollups answer; visit_span keeps each summed in a column of its name. */
export const VISIT_METRICS: readonly MetricName[] = ['visits', 'bounces', 'totaltime'];

/** Can the rollups answer `q` with exactly the raw path's numbers? */
export function usesRollups(q: Query, rollups: Pick<TrafficRollups, 'slotMs' | 'attributes' | 'pageColumns' | 'visitAttributes'>): boolean {
  const slotMs = rollups.slotMs;
  if (q.rows !== 'traffic' || q.restOf?.length) return false;
  if (q.filter !== null && (q.dimensions.length > 0 || !attributeFilter(q, rollups))) return false;
  const start = q.range.start.getTime();
  const end = q.range.end.getTime() + 1;
  if (start < 0 || start % slotMs !== 0 || end % slotMs !== 0) return false;
  // Buckets in the zone must be made of whole slots: its offsets and the instants they change at.
  const segments = offsetSegments(q.timeZone, q.range);
  if (!segments.every((s) => (s.offsetMinutes * 60_000) % slotMs === 0 && (s.from === null || s.from.getTime() % slotMs === 0))) return false;
  if (q.dimensions.length === 0) return q.offset === 0 && q.metrics.every((m) => SLOT_METRICS.includes(m) || VISIT_METRICS.includes(m));
  if (pageColumn(q, rollups.pageColumns) || visitPath(q) || visitChannel(q) || pagePath(q)) return true;
  if (!q.metrics.every((m) => SLOT_METRICS.includes(m))) return false;
  const [dim] = q.dimensions;
  if (dim.kind === 'time') return q.dimensions.length === 1 && dim.unit !== 'minute';
  if (q.dimensions.every((ref) => ref.kind === 'weekday' || ref.kind === 'hourOfDay')) return true;
  return slotAttribute(q, rollups.attributes) !== null;
}

/**
 * A filter the rollups can apply to totals: one session attribute that visit_rollup keeps, equal
 * to one value (an empty value also matches rows without one: left to the raw path).
 */
function attributeFilter(q: Query, rollups: Pick<TrafficRollups, 'visitAttributes'>): { column: string; value: string } | null {
  const f = q.filter;
  if (f?.kind !== 'leaf' || f.op !== 'eq' || f.values.length !== 1 || f.values[0] === '') return null;
  const column = canonicalDimension(f.dim);
  return column && rollups.visitAttributes.includes(column) ? { column, value: f.values[0] } : null;
}

/** The dimension of a one-field breakdown that counts only `metric`, by its canonical name. */
function breakdownBy(q: Query, metric: MetricName): string | undefined {
  const [ref] = q.dimensions;
  if (q.dimensions.length !== 1 || ref.kind !== 'field' || q.metrics.join() !== metric) return undefined;
  return canonicalDimension(ref.name);
}

/** Visits by entry or exit page. */
const visitPath = (q: Query) => ['entry', 'exit'].includes(breakdownBy(q, 'visits') ?? '');

/** Visitors by channel. */
const visitChannel = (q: Query) => breakdownBy(q, 'visitors') === 'channel';

/** The page column a page-view breakdown reads, when slot_count counts it. */
function pageColumn(q: Query, columns: readonly string[]): string | null {
  const name = breakdownBy(q, 'pageviews');
  const def = name ? dimension(name) : null;
  return def && def.grain === 'row' && def.rows === 'traffic' && def.column && columns.includes(def.column) ? def.column : null;
}

/** The session attribute a breakdown is by, when session_slot keeps a pointer for exactly its dimensions. */
function slotAttribute(q: Query, attributes: TrafficRollups['attributes']): string | null {
  const names = q.dimensions.map((ref) => (ref.kind === 'field' ? canonicalDimension(ref.name) : undefined));
  const name = names[0];
  if (!name || !Object.hasOwn(attributes, name)) return null;
  return attributes[name].join() === names.join() ? name : null;
}

/** Rows shaped like compileAggregate's (d0.., m0..) for a query usesRollups accepted. */
export async function rollupRows(q: Query, d: Dialect, rollups: TrafficRollups, run: (stmt: Sql) => Promise<Row[]>): Promise<Row[]> {
  validate(q);
  if (visitPath(q)) return visitPathRows(q, d, rollups, run);
  if (visitChannel(q)) return channelRows(q, d, rollups, run);
  if (pagePath(q)) return pagePathRows(q, d, run);
  if (q.dimensions.length > 0) return run(slotQuery(q, d, rollups));
  const wantsSlots = q.metrics.some((m) => SLOT_METRICS.includes(m));
  const wantsVisits = q.metrics.some((m) => VISIT_METRICS.includes(m));
  const [slots, visits] = await Promise.all([wantsSlots ? run(slotQuery(q, d, rollups)) : ([{}] as Row[]), wantsVisits ? visitTotals(q, d, rollups, run) : {}]);
  const row: Row = {};
  q.metrics.forEach((m, i) => {
    row[metricAlias(i)] = SLOT_METRICS.includes(m) ? slots[0]?.[metricAlias(i)] : (visits as Record<string, number>)[m];
  });
  return [row];
}

/**
 * Pageviews and visitors from session_slot, in total or per time bucket. A session counts in a
 * bucket on its first slot there: the one whose previous slot is before the bucket's first slot
 * (or the range's). Buckets come from a small table of the range's slots, so each session-slot
 * row costs one join probe instead of time-zone arithmetic.
 */
function slotQuery(q: Query, d: Dialect, rollups: TrafficRollups): Sql {
  const slotMs = rollups.slotMs;
  const [first, last] = slotBounds(q, slotMs);
  // A sum over a CASE scans about a third faster here than count(*) FILTER (... IS NULL OR ...).
  const value = (m: MetricName, since: Sql, pointer = 'prev_slot') =>
    m === 'visitors' ? sql`sum(CASE WHEN coalesce(${raw(pointer)}, -1) < ${since} THEN 1 ELSE 0 END)` : distinctValue(m);
  const website = sql`website_id = ${d.uuid(q.websiteId)} AND slot BETWEEN ${first} AND ${last}`;
  const dim = q.dimensions[0];
  if (!dim) {
    // Only the slot metrics; the visit metrics come from visitTotals. With a filter on an
    // attribute, a session counts on its first slot in range with that value.
    const f = attributeFilter(q, rollups);
    const pointer = f ? `prev_${f.column}` : 'prev_slot';
    const select = q.metrics.flatMap((m, i) => (SLOT_METRICS.includes(m) ? [sql`${value(m, first, pointer)} AS ${raw(metricAlias(i))}`] : []));
    return sql`SELECT ${join(select)} FROM session_slot WHERE ${website}${f ? sql` AND ${raw(f.column)} = ${d.text(f.value)}` : raw('')}`;
  }
  const column = pageColumn(q, rollups.pageColumns);
  if (dim.kind === 'field' && column) {
    // Page views by value; the breakdown's own rules read the value (and hostname) as columns.
    const columns = column === 'referrer_domain' ? raw('value AS referrer_domain, host AS hostname') : raw(`value AS ${column}`);
    const rows = sql`SELECT c, ${columns} FROM slot_count WHERE ${website} AND col = ${d.text(column)}`;
    const conditions = breakdownConditions(q, d);
    const where = conditions.length ? sql` WHERE ${join(conditions, ' AND ')}` : raw('');
    return sql`SELECT ${dimensionExpr(dim, q, d)} AS d0, sum(c) AS m0 FROM (${rows}) r${where}${tail(q, 1)}`;
  }
  if (dim.kind === 'field') {
    // A session counts under a value on its first slot with that value in the range.
    const attribute = slotAttribute(q, rollups.attributes) as string;
    const select = [
      ...rollups.attributes[attribute].map((column, i) => sql`${raw(column)} AS ${raw(`d${i}`)}`),
      ...q.metrics.map((m, i) => sql`${value(m, first, `prev_${attribute}`)} AS ${raw(metricAlias(i))}`),
    ];
    return sql`SELECT ${join(select)} FROM session_slot WHERE ${website}${tail(q, q.dimensions.length)}`;
  }
  // Clock dimensions: one row per slot of the range with its bucket (or weekday and hour).
  const at: Instant = { ms: sql`(s * ${int(slotMs)})`, since: (from) => sql`s >= ${int(from.getTime() / slotMs)}` };
  const keys = q.dimensions.map((ref, i) => sql`${dimensionExpr(ref, q, d, at)} AS ${raw(`d${i}`)}`);
  const slots = sql`SELECT CAST(s AS INTEGER) AS slot, ${join(keys)} FROM range(${first}, ${last} + 1) r(s)`;
  const dims = q.dimensions.map((_, i) => raw(`d${i}`));
  if (dim.kind === 'time') {
    const buckets = sql`SELECT slot, d0, greatest(${first}, min(slot) OVER (PARTITION BY d0)) AS since FROM (${slots}) b`;
    const select = [raw('d0'), ...q.metrics.map((m, i) => sql`${value(m, raw('since'))} AS ${raw(metricAlias(i))}`)];
    return sql`SELECT ${join(select)} FROM session_slot JOIN (${buckets}) b USING (slot) WHERE ${website}${tail(q, 1)}`;
  }
  // Weekday and hour cells are not one stretch of time: visitors there are distinct sessions.
  const select = [...dims, ...q.metrics.map((m, i) => sql`${m === 'visitors' ? raw('count(DISTINCT session_id)') : distinctValue(m)} AS ${raw(metricAlias(i))}`)];
  return sql`SELECT ${join(select)} FROM session_slot JOIN (${slots}) b USING (slot) WHERE ${website}${tail(q, dims.length)}`;
}

/** Page views and countries over session_slot rows: every country of a traffic row is on one of them. */
const distinctValue = (m: MetricName) => raw(m === 'pageviews' ? 'sum(c)' : 'count(DISTINCT country)');

/** The range's first and last slot. */
const slotBounds = (q: Query, slotMs: number) => [int(q.range.start.getTime() / slotMs), int((q.range.end.getTime() + 1) / slotMs - 1)] as const;

/**
 * Visits, bounces and time: whole visits summed per pair of slots (visit_span), plus the visits
 * cut by the range's ends regrouped from their rows in range. With an attribute filter, whole
 * visits with that value come from visit_rollup, and the rare whole visits whose attributes vary
 * are regrouped from their matching rows, like the cut ones.
 */
async function visitTotals(q: Query, d: Dialect, rollups: TrafficRollups, run: (stmt: Sql) => Promise<Row[]>): Promise<Record<string, number>> {
  const aggregates = join(VISIT_METRICS.map((m) => sql`${(metric(m).visit as (d: Dialect) => Sql)(d)} AS ${raw(m)}`));
  const f = attributeFilter(q, rollups);
  const [first, last] = slotBounds(q, rollups.slotMs);
  const matches = f ? sql`${raw(f.column)} = ${d.text(f.value)}` : null;
  const spans = sql`SELECT ${join(VISIT_METRICS.map((m) => sql`sum(${raw(m)}) AS ${raw(m)}`))}, sum(mixed) AS mixed FROM visit_span
    WHERE website_id = ${d.uuid(q.websiteId)} AND slot0 >= ${first} AND slot1 <= ${last}`;
  const filtered = matches && sql`SELECT ${aggregates} FROM visit_rollup WHERE ${wholeVisits(q, d)} AND NOT mixed AND ${matches}`;
  const [[span], cut, [sums]] = await Promise.all([run(spans), cutVisitRows(q, d, rollups.slotMs, run), filtered ? run(filtered) : [undefined]]);
  const totals = Object.fromEntries(VISIT_METRICS.map((m) => [m, Number((filtered ? sums : span)?.[m] ?? 0)]));
  const regroup: Sql[] = cut ? [cut] : [];
  if (filtered && Number(span?.mixed ?? 0) > 0) {
    regroup.push(sql`SELECT * FROM website_event WHERE website_id = ${d.uuid(q.websiteId)} AND ${TRAFFIC_TYPES}
      AND created_at BETWEEN ${d.timestamp(q.range.start)} AND ${d.timestamp(q.range.end)}
      AND visit_id IN (SELECT visit_id FROM visit_rollup WHERE ${wholeVisits(q, d)} AND mixed)`);
  }
  if (regroup.length === 0) return totals;
  const [edge] = await run(
    sql`SELECT ${aggregates} FROM (SELECT count(*) AS c, min(created_at) AS t0, max(created_at) AS t1
      FROM (${join(regroup, ' UNION ALL ')}) r${matches ? sql` WHERE ${matches}` : raw('')} GROUP BY visit_id) v`,
  );
  for (const m of VISIT_METRICS) totals[m] += Number(edge?.[m] ?? 0);
  return totals;
}

/** Visits by entry or exit page: whole visits' stored paths, and the cut ones' from their rows in range. */
async function visitPathRows(q: Query, d: Dialect, rollups: TrafficRollups, run: (stmt: Sql) => Promise<Row[]>): Promise<Row[]> {
  const name = breakdownBy(q, 'visits') as 'entry' | 'exit';
  const cut = await cutVisitRows(q, d, rollups.slotMs, run);
  const paths = [sql`SELECT ${raw(`${name}_path`)} AS d0 FROM visit_rollup WHERE ${wholeVisits(q, d)}`];
  if (cut) paths.push(sql`SELECT ${dimension(name).expr(d)} AS d0 FROM (${cut}) r GROUP BY visit_id`);
  return run(sql`SELECT d0, count(*) AS m0 FROM (${join(paths, ' UNION ALL ')}) v${tail(q, 1)}`);
}

/**
 * Visitors by channel. A session counts once per channel: through its first whole visit in the
 * range in that channel (the one whose previous visit in the channel started before the range),
 * or else through a visit cut by the range's ends, classified from its rows in range.
 */
async function channelRows(q: Query, d: Dialect, rollups: TrafficRollups, run: (stmt: Sql) => Promise<Row[]>): Promise<Row[]> {
  const parts = visitParts(dimension('channel'), d);
  const cut = await cutVisitRows(q, d, rollups.slotMs, run);
  const firsts = sql`SELECT session_id, channel AS d0 FROM visit_rollup
    WHERE ${wholeVisits(q, d)} AND (prev_channel_t0 IS NULL OR prev_channel_t0 < ${d.timestamp(q.range.start)})`;
  if (!cut) return run(sql`SELECT d0, count(*) AS m0 FROM (${firsts}) v GROUP BY 1${tail(q, 0)}`);
  const inputs = join(parts.inputs.map(([name, agg]) => sql`${agg} AS ${raw(name)}`));
  const cutPairs = sql`SELECT DISTINCT session_id, ${parts.value((name) => raw(name))} AS d0
    FROM (SELECT ${d.anyValue(raw('session_id'))} AS session_id, ${inputs} FROM (${cut}) r GROUP BY visit_id) c`;
  // Pairs counted both ways are subtracted once: one join probe per whole visit, against the few cut ones.
  const whole = sql`SELECT f.d0, count(*) AS n, count(c.session_id) AS counted
    FROM (${firsts}) f LEFT JOIN cut_pairs c ON c.session_id = f.session_id AND c.d0 IS NOT DISTINCT FROM f.d0 GROUP BY 1`;
  return run(sql`WITH cut_pairs AS (${cutPairs})
    SELECT d0, sum(n) AS m0 FROM (SELECT d0, n - counted AS n FROM (${whole}) w UNION ALL SELECT d0, count(*) AS n FROM cut_pairs GROUP BY 1) v
    GROUP BY 1${tail(q, 0)}`);
}

const wholeVisits = (q: Query, d: Dialect) =>
  sql`website_id = ${d.uuid(q.websiteId)} AND t0 >= ${d.timestamp(q.range.start)} AND t1 <= ${d.timestamp(q.range.end)}`;

/**
 * The traffic rows in range of the visits cut by the range's ends, or null when there are none.
 * visit_span tells whether there are any and bounds their first and last slots, so that the
 * scans for them read only the row groups of those slots.
 */
async function cutVisitRows(q: Query, d: Dialect, slotMs: number, run: (stmt: Sql) => Promise<Row[]>): Promise<Sql | null> {
  const website = sql`website_id = ${d.uuid(q.websiteId)}`;
  const [first, last] = slotBounds(q, slotMs);
  const [span] = await run(sql`SELECT min(slot0) FILTER (WHERE slot0 < ${first}) AS start_lo, max(slot1) FILTER (WHERE slot0 < ${first}) AS start_hi,
      min(slot0) FILTER (WHERE slot1 > ${last}) AS end_lo
    FROM visit_span WHERE ${website} AND slot1 >= ${first} AND slot0 <= ${last} AND (slot0 < ${first} OR slot1 > ${last})`);
  const at = (slot: unknown) => new Date(Number(slot) * slotMs);
  const a = q.range.start;
  const b = q.range.end;
  // Cut at the start: t0 < a <= t1, so their rows in range lie in [a, the start of the slot after their last].
  const atStart = span?.start_lo == null ? null : { t0: at(span.start_lo), rowsTo: at(Number(span.start_hi) + 1) };
  // Cut at the end: t0 <= b < t1, so their rows in range lie in [the start of their first slot, b].
  const atEnd = span?.end_lo == null ? null : { t0: at(span.end_lo) };
  if (!atStart && !atEnd) return null;
  const cutVisits: Sql[] = [];
  const windows: [Date, Date][] = [];
  if (atStart) {
    cutVisits.push(sql`SELECT visit_id FROM visit_rollup WHERE ${website} AND t0 >= ${d.timestamp(atStart.t0)} AND t0 < ${d.timestamp(a)} AND t1 >= ${d.timestamp(a)}`);
    windows.push([a, atStart.rowsTo < b ? atStart.rowsTo : b]);
  }
  if (atEnd) {
    cutVisits.push(sql`SELECT visit_id FROM visit_rollup WHERE ${website} AND t0 >= ${d.timestamp(atEnd.t0)} AND t0 <= ${d.timestamp(b)} AND t1 > ${d.timestamp(b)}`);
    const from = atEnd.t0 > a ? atEnd.t0 : a;
    // Overlapping windows become one, so that no row is read twice.
    if (windows.length && windows[0][1] >= from) windows[0] = [a, b];
    else windows.push([from, b]);
  }
  const rows = windows.map(
    ([from, to]) =>
      sql`SELECT * FROM website_event WHERE ${website} AND ${TRAFFIC_TYPES} AND created_at BETWEEN ${d.timestamp(from)} AND ${d.timestamp(to)} AND visit_id IN (${join(cutVisits, ' UNION ALL ')})`,
  );
  return join(rows, ' UNION ALL ');
}
