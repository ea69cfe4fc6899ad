// Page-traffic totals, time series and breakdowns from the store's rollups (upkeep:
// traffic-maintenance.ts; the tables are declared sources in slot-source.ts and visit-source.ts),
// for the queries the planner (../plan.ts) gave them. The raw path counts distinct sessions over
// every row; here visitors are a sum: a session-slot row counts when the session's previous slot
// lies outside the window (or bucket). Visits, bounces and time are sums per pair of first and
// last slot (visit_span); the few visits cut by the range's ends are recounted from their raw
// rows in range.
//
// A range off the slot grid is answered from its whole slots plus its ragged edges' raw rows:
// the edge rows join the session-slot rows as rows of their own (one per page view, and one per
// edge session the whole slots did not count), so that the source's formulas apply unchanged.
// test/query/rollups.test.ts checks every answer against the raw path.

import type { Row, TrafficRollups } from '../../store/types.js';
import { breakdownConditions, dimensionExpr, metricAlias, tail, type Instant } from '../compile.js';
import type { Dialect } from '../dialects/dialect.js';
import { dimension, visitParts } from '../dimensions.js';
import { compileFilter, TRAFFIC_TYPES } from '../filters.js';
import type { AttributeFilter, Grid, Plan, Reader } from '../plan.js';
import { covers } from '../sources.js';
import { pathMatch, pathTotalsRows } from './page-filter.js';
import { pagePathRows } from './page-visit.js';
import { sessionSlot, slotCount, type SlotMetric } from './slot-source.js';
import { VISIT_METRICS, visitRollup, visitSpan, type VisitMetric } from './visit-source.js';
import { int, join, raw, sql, type Sql } from '../sql.js';
import type { Query } from '../types.js';

type Run = (stmt: Sql) => Promise<Row[]>;
type RollupPlan = Extract<Plan, { source: 'rollups' }>;

/** Rows shaped like compileAggregate's (d0.., m0..) for a query the planner gave the rollups. */
export async function rollupRows(p: RollupPlan, q: Query, d: Dialect, rollups: TrafficRollups, run: Run): Promise<Row[]> {
  const r: Reader = p.reader;
  switch (r.kind) {
    case 'entryExit':
      return visitPathRows(q, d, r.name, p.grid, run);
    case 'channel':
      return channelRows(q, d, p.grid, run);
    case 'pagePath':
      return pagePathRows(q, d, run, r.filter && pathMatch(r.filter, q, d));
    case 'pathTotals':
      return pathTotalsRows(q, d, r.filter, run);
    case 'pageColumn':
      return run(pageColumnQuery(q, d, r.column, p.grid));
    case 'attribute': {
      const read = { pointer: `prev_${r.attribute}`, filter: null, keys: { kind: 'columns', columns: rollups.attributes[r.attribute] } } as const;
      return run(slotQuery(q, d, p.grid, read, slotMetrics(q)));
    }
    case 'cells':
      return run(cellsQuery(q, d, p.grid));
    case 'series':
      return run(slotQuery(q, d, p.grid, { pointer: r.filter ? `prev_${r.filter.column}` : 'prev_slot', filter: r.filter, keys: { kind: 'bucket' } }, slotMetrics(q)));
    case 'totals':
      return totalsRows(q, d, r.filter, p.grid, run);
  }
}

async function totalsRows(q: Query, d: Dialect, f: AttributeFilter | null, grid: Grid, run: Run): Promise<Row[]> {
  const slotPart = slotMetrics(q);
  const wantsVisits = q.metrics.some((m) => covers(visitRollup, [m]));
  const [slots, visits] = await Promise.all([slotPart.length ? run(slotQuery(q, d, grid, { pointer: f ? `prev_${f.column}` : 'prev_slot', filter: f, keys: { kind: 'total' } }, slotPart)) : ([{}] as Row[]), wantsVisits ? visitTotals(q, d, f, grid, run) : null]);
  const row: Row = {};
  q.metrics.forEach((m, i) => {
    const asked = [m];
    row[metricAlias(i)] = covers(visitRollup, asked) ? visits?.[asked[0]] : slots[0]?.[metricAlias(i)];
  });
  return [row];
}

/** The query's metrics session_slot answers, with their positions. */
function slotMetrics(q: Query): { m: SlotMetric; i: number }[] {
  return q.metrics.flatMap((m, i) => {
    const one = [m];
    return covers(sessionSlot, one) ? [{ m: one[0], i }] : [];
  });
}

const website = (q: Query, d: Dialect) => sql`website_id = ${d.uuid(q.websiteId)}`;
const at = (ms: number, d: Dialect) => d.timestamp(new Date(ms));

/** The one attribute equality as a condition on rollup rows (they keep the attribute as a column). */
const attributeIs = (f: AttributeFilter | null, d: Dialect) => (f ? sql` AND ${raw(f.column)} = ${d.text(f.value)}` : raw(''));

/** How session-slot rows are grouped: one total, per time bucket, or per attribute value (its columns). */
type Keys = { readonly kind: 'total' } | { readonly kind: 'bucket' } | { readonly kind: 'columns'; readonly columns: readonly string[] };

/** A session_slot read: its pointer (prev_slot or prev_<attribute>), an attribute filter, its grouping. */
interface SlotRead {
  readonly pointer: string;
  readonly filter: AttributeFilter | null;
  readonly keys: Keys;
}

const keyNames = (keys: Keys) => (keys.kind === 'total' ? [] : keys.kind === 'bucket' ? ['d0'] : keys.columns.map((_, i) => `d${i}`));

/**
 * Pageviews, visitors and countries from session_slot, in total, per time bucket or per value of
 * an attribute. A session counts in a bucket (or under a value) on its first slot there: the one
 * whose pointer is before the bucket's first slot (or the range's). Buckets come from a small
 * table of the range's slots, so each session-slot row costs one join probe instead of time-zone
 * arithmetic. With an attribute filter, a session counts on its first slot in range with that value.
 */
function slotQuery(q: Query, d: Dialect, grid: Grid, read: SlotRead, metrics: readonly { m: SlotMetric; i: number }[]): Sql {
  const { first, last } = grid;
  const interior = sql`${website(q, d)} AND slot BETWEEN ${int(first)} AND ${int(last)}${attributeIs(read.filter, d)}`;
  const buckets = read.keys.kind === 'bucket' ? bucketTable(q, d, grid) : null;
  const names = keyNames(read.keys);
  const keys = read.keys.kind === 'columns' ? read.keys.columns.map((c, i) => raw(`${c} AS d${i}, `)) : [];
  // The rows the formulas read: (keys, since, c, p, country).
  const parts = [
    buckets
      ? sql`SELECT b.d0, b.since, s.c, s.${raw(read.pointer)} AS p, s.country FROM session_slot s JOIN (${buckets}) b USING (slot) WHERE ${interior}`
      : sql`SELECT ${join(keys, '')}${int(first)} AS since, c, ${raw(read.pointer)} AS p, country FROM session_slot WHERE ${interior}`,
  ];
  const edges = grid.head || grid.tail ? edgeRows(q, d, grid, read, buckets) : null;
  if (edges) parts.push(edges.rows);
  const value = (m: SlotMetric) => sessionSlot.formulas[m]({ since: raw('since'), pointer: 'p', cells: false });
  const select = [...names.map((n) => raw(n)), ...metrics.map(({ m, i }) => sql`${value(m)} AS ${raw(metricAlias(i))}`)];
  const withEdges = edges ? sql`WITH ${edges.ctes} ` : raw('');
  const groups = names.length ? tail(q, names.length) : raw('');
  return sql`${withEdges}SELECT ${join(select)} FROM (${join(parts, ' UNION ALL ')}) r${groups}`;
}

/** The range's slots with their bucket (d0) and the bucket's first slot in range (since). */
function bucketTable(q: Query, d: Dialect, grid: Grid): Sql {
  const slots = slotKeys(q, d, grid);
  return sql`SELECT slot, d0, greatest(${int(grid.first)}, min(slot) OVER (PARTITION BY d0)) AS since FROM (${slots}) k`;
}

/** One row per whole slot of the range with its clock dimensions (d0, d1, ...). */
function slotKeys(q: Query, d: Dialect, grid: Grid): Sql {
  const slotAt: Instant = { ms: sql`(s * ${int(grid.slotMs)})`, since: (from) => sql`s >= ${int(from.getTime() / grid.slotMs)}` };
  const keys = q.dimensions.map((ref, i) => sql`${dimensionExpr(ref, q, d, slotAt)} AS ${raw(`d${i}`)}`);
  return sql`SELECT CAST(s AS INTEGER) AS slot, ${join(keys)} FROM range(${int(grid.first)}, ${int(grid.last)} + 1) r(s)`;
}

/** The traffic rows of the range's edges, with `columns` (and head: whether in the head slot). */
function edgeWindows(q: Query, d: Dialect, grid: Grid, columns: string): Sql {
  const { first, last, slotMs } = grid;
  const filter = q.filter ? sql` AND ${compileFilter(q.filter, q, d)}` : raw('');
  const traffic = sql`${website(q, d)} AND ${TRAFFIC_TYPES}${filter}`;
  const windows: Sql[] = [];
  if (grid.head) {
    windows.push(sql`SELECT ${raw(columns)}, TRUE AS head FROM website_event
      WHERE ${traffic} AND created_at >= ${d.timestamp(q.range.start)} AND created_at < ${at(first * slotMs, d)}`);
  }
  if (grid.tail) {
    windows.push(sql`SELECT ${raw(columns)}, FALSE AS head FROM website_event
      WHERE ${traffic} AND created_at >= ${at((last + 1) * slotMs, d)} AND created_at <= ${d.timestamp(q.range.end)}`);
  }
  return join(windows, ' UNION ALL ');
}

/**
 * The ragged edges as session-slot-like rows (keys, since, c, p, country): each page view in
 * [start, first whole slot) and [last whole slot's end, end] counts once, with a pointer that
 * never counts it as a visitor; each edge session that no whole slot of its bucket (or with its
 * value) holds adds a row that counts it once. Whether a whole slot holds it is read from
 * pointers on the edge slots' own rows: a session in the head slot (first - 1) is in the whole
 * slots when its row there points forward into them; a session in the tail slot (last + 1) when
 * its row there points back into them. (The constant slots let each lookup read one slot's rows.)
 */
function edgeRows(q: Query, d: Dialect, grid: Grid, read: SlotRead, buckets: Sql | null): { ctes: Sql; rows: Sql } {
  const { first, last } = grid;
  const names = keyNames(read.keys);
  const columns = read.keys.kind === 'columns' ? [...new Set([...read.keys.columns, 'country'])] : ['country', 'created_at'];
  const keyOf =
    read.keys.kind === 'bucket' ? [sql`${dimensionExpr(q.dimensions[0], q, d)} AS d0`] : read.keys.kind === 'columns' ? read.keys.columns.map((c, i) => raw(`${c} AS d${i}`)) : [];
  const hits = sql`SELECT ${join([raw('session_id, country, head'), ...keyOf])} FROM (${edgeWindows(q, d, grid, ['session_id', ...columns].join(', '))}) w`;
  // The whole slots of each edge row's bucket, lo..hi (none: NULL); without buckets, all of them.
  const edge = buckets
    ? sql`SELECT * FROM (${hits}) e LEFT JOIN (SELECT d0, min(slot) AS lo, max(slot) AS hi FROM buckets GROUP BY d0) k USING (d0)`
    : sql`SELECT *, ${int(first)} AS lo, ${int(last)} AS hi FROM (${hits}) e`;
  const ptr = raw(`s.${read.pointer}`);
  const next = raw(`s.${read.pointer.replace(/^prev_/, 'next_')}`);
  const same = read.keys.kind === 'columns' ? raw(read.keys.columns.map((c, i) => ` AND s.${c} IS NOT DISTINCT FROM e.d${i}`).join('')) : raw('');
  const slotRows = sql`SELECT 1 FROM session_slot s WHERE s.website_id = ${d.uuid(q.websiteId)} AND s.session_id = e.session_id${attributeIs(read.filter, d)}${same}`;
  const held = sql`CASE WHEN e.head
      THEN EXISTS (${slotRows} AND s.slot = ${int(first - 1)} AND ${next} BETWEEN ${int(first)} AND e.hi)
      ELSE EXISTS (${slotRows} AND s.slot = ${int(last + 1)} AND ${ptr} BETWEEN e.lo AND ${int(last)}) END`;
  const ctes = join([...(buckets ? [sql`buckets AS (${buckets})`] : []), sql`edge AS MATERIALIZED (${edge})`], ', ');
  const keys = names.map((n) => `${n}, `).join('');
  // A pointer of 2^31 - 1 is never before a window's first slot; NULL always is.
  const rows = sql`SELECT ${raw(keys)}${int(first)} AS since, 1 AS c, 2147483647 AS p, country FROM edge
    UNION ALL SELECT ${raw(keys)}${int(first)} AS since, 0 AS c, NULL AS p, NULL AS country
    FROM (SELECT DISTINCT ${raw(names.map((n) => `e.${n}, `).join(''))}e.session_id FROM edge e WHERE NOT (${held})) u`;
  return { ctes, rows };
}

/**
 * Page views by a page column's value from slot_count, plus the edge rows' values when the range
 * is off the grid; the breakdown's own rules read the value (and hostname) as columns, once per
 * distinct pair rather than once per slot.
 */
function pageColumnQuery(q: Query, d: Dialect, column: string, grid: Grid): Sql {
  const raws = column === 'referrer_domain' ? 'referrer_domain, hostname' : column;
  const columns = column === 'referrer_domain' ? 'value AS referrer_domain, host AS hostname' : `value AS ${column}`;
  const parts = [sql`SELECT c, ${raw(columns)} FROM slot_count WHERE ${website(q, d)} AND slot BETWEEN ${int(grid.first)} AND ${int(grid.last)} AND col = ${d.text(column)}`];
  if (grid.head || grid.tail) parts.push(sql`SELECT 1 AS c, ${raw(raws)} FROM (${edgeWindows(q, d, grid, raws)}) e`);
  const values = sql`SELECT ${slotCount.formulas.pageviews()} AS c, ${raw(raws)} FROM (${join(parts, ' UNION ALL ')}) p GROUP BY ALL`;
  const conditions = breakdownConditions(q, d);
  const where = conditions.length ? sql` WHERE ${join(conditions, ' AND ')}` : raw('');
  return sql`SELECT ${dimensionExpr(q.dimensions[0], q, d)} AS d0, ${slotCount.formulas.pageviews()} AS m0 FROM (${values}) r${where}${tail(q, 1)}`;
}

/**
 * Weekday and hour cells: the range's session-slot rows with their slot's cell, and the edge rows
 * off the grid with their own (visitors are distinct sessions here, so edge rows need no dedupe).
 */
function cellsQuery(q: Query, d: Dialect, grid: Grid): Sql {
  if (!covers(sessionSlot, q.metrics)) throw new Error(`session_slot cannot answer ${q.metrics}`);
  const metrics: readonly SlotMetric[] = q.metrics;
  const window = { since: int(grid.first), pointer: 'prev_slot', cells: true };
  const dims = q.dimensions.map((_, i) => raw(`d${i}`));
  const select = [...dims, ...metrics.map((m, i) => sql`${sessionSlot.formulas[m](window)} AS ${raw(metricAlias(i))}`)];
  const parts = [
    sql`SELECT ${join(dims)}, session_id, c, prev_slot, country FROM session_slot JOIN (${slotKeys(q, d, grid)}) b USING (slot)
    WHERE ${website(q, d)} AND slot BETWEEN ${int(grid.first)} AND ${int(grid.last)}`,
  ];
  if (grid.head || grid.tail) {
    const cells = q.dimensions.map((ref, i) => sql`${dimensionExpr(ref, q, d)} AS ${raw(`d${i}`)}`);
    parts.push(sql`SELECT ${join(cells)}, session_id, 1 AS c, NULL AS prev_slot, country FROM (${edgeWindows(q, d, grid, 'session_id, country, created_at')}) e`);
  }
  return sql`SELECT ${join(select)} FROM (${join(parts, ' UNION ALL ')}) r${tail(q, dims.length)}`;
}

/**
 * Visits, bounces and time: whole visits summed per pair of whole slots (visit_span), the whole
 * visits that start or end in an edge slot from visit_rollup, plus the visits cut by the range's
 * ends regrouped from their rows in range. With an attribute filter, the whole visits with that
 * value in whole slots come from visit_attribute_span (visits whose attributes do not vary), and
 * the rare whole visits whose attributes vary are regrouped from their matching rows, like the
 * cut ones. Three statements at most: the spans (which also bound the visits that may be cut),
 * the edge slots' visits (which also tell the cut ones exactly), the regrouping when there is any.
 */
async function visitTotals(q: Query, d: Dialect, f: AttributeFilter | null, grid: Grid, run: Run): Promise<Record<VisitMetric, number>> {
  const aggregates = join(VISIT_METRICS.map((m) => sql`${visitRollup.formulas[m](d)} AS ${raw(m)}`));
  const { first, last, slotMs } = grid;
  const a = q.range.start.getTime();
  const b = q.range.end.getTime();
  const matches = f ? sql`${raw(f.column)} = ${d.text(f.value)}` : null;
  const slotOf = (ms: number) => int(Math.floor(ms / slotMs));
  const inWhole = sql`slot0 >= ${int(first)} AND slot1 <= ${int(last)}`;
  const sums = (table: string, where: Sql) =>
    join(VISIT_METRICS.map((m) => sql`(SELECT ${visitSpan.formulas[m]()} FROM ${raw(table)} WHERE ${website(q, d)} AND ${inWhole}${where}) AS ${raw(m)}`));
  // Visits that may be cut: first slot at or before the instant before the range, last at or after
  // its first slot; likewise at the end (on the grid, exactly the cut ones).
  const [span] = await run(sql`SELECT ${f ? sql`${sums('visit_attribute_span', sql` AND attribute = ${d.text(f.column)} AND value = ${d.text(f.value)}`)}, ` : raw('')}s.*
    FROM (SELECT ${f ? raw('') : sql`${join(VISIT_METRICS.map((m) => sql`${visitSpan.formulas[m]()} FILTER (WHERE ${inWhole}) AS ${raw(m)}`))}, `}sum(mixed) FILTER (WHERE ${inWhole}) AS mixed,
      min(slot0) FILTER (WHERE slot0 <= ${slotOf(a - 1)}) AS start_lo, min(slot0) FILTER (WHERE slot1 >= ${slotOf(b + 1)}) AS end_lo
      FROM visit_span WHERE ${website(q, d)} AND slot1 >= ${slotOf(a)} AND slot0 <= ${slotOf(b)}) s`);
  const part = (r: Row | undefined, m: string) => Number(r?.[m] ?? 0);
  const totals = Object.fromEntries(VISIT_METRICS.map((m) => [m, part(span, m)])) as Record<VisitMetric, number>;
  // Whole visits in range that start in the head slot or end in the tail slot, and the cut ones:
  // plain conjunctions, so that each scan reads only the row groups of its slots.
  const edgeWhole: Sql[] = [];
  if (grid.head) edgeWhole.push(sql`${wholeVisits(q, d)} AND t0 < ${at(first * slotMs, d)}`);
  if (grid.tail) edgeWhole.push(sql`${wholeVisits(q, d)} AND t0 >= ${at(first * slotMs, d)} AND t1 >= ${at((last + 1) * slotMs, d)}`);
  const cutAtStart = span?.start_lo == null ? null : sql`${website(q, d)} AND t0 >= ${at(Number(span.start_lo) * slotMs, d)} AND t0 < ${at(a, d)} AND t1 >= ${at(a, d)}`;
  const cutAtEnd = span?.end_lo == null ? null : sql`${website(q, d)} AND t0 >= ${at(Number(span.end_lo) * slotMs, d)} AND t0 <= ${at(b, d)} AND t1 > ${at(b, d)}`;
  let mixed = part(span, 'mixed');
  let cut: { start: number | null; end: number | null } = { start: null, end: null };
  if (edgeWhole.length || cutAtStart || cutAtEnd) {
    const columns = raw(`c, t0, t1, mixed${f ? `, ${f.column}` : ''}`);
    const edge = join(edgeWhole.map((w) => sql`SELECT ${columns} FROM visit_rollup WHERE ${w}`), ' UNION ALL ');
    const parts: Sql[] = [];
    if (edgeWhole.length) {
      parts.push(sql`(SELECT ${aggregates} FROM (${edge}) v${matches ? sql` WHERE NOT mixed AND ${matches}` : raw('')}) w`);
      parts.push(sql`(SELECT count(*) FILTER (WHERE mixed) AS edge_mixed FROM (${edge}) v) x`);
    }
    // Their rows in range: [range start, the last one's end] and [the first one's start, range end].
    if (cutAtStart) parts.push(sql`(SELECT ${d.epochMs(raw('max(t1)'))} AS start_t1 FROM visit_rollup WHERE ${cutAtStart}) cs`);
    if (cutAtEnd) parts.push(sql`(SELECT ${d.epochMs(raw('min(t0)'))} AS end_t0 FROM visit_rollup WHERE ${cutAtEnd}) ce`);
    const [edges] = await run(sql`SELECT * FROM ${join(parts, ', ')}`);
    for (const m of VISIT_METRICS) totals[m] += part(edges, m);
    mixed += part(edges, 'edge_mixed');
    cut = { start: edges?.start_t1 == null ? null : Number(edges.start_t1), end: edges?.end_t0 == null ? null : Number(edges.end_t0) };
  }
  const regroup: Sql[] = [];
  const traffic = sql`${website(q, d)} AND ${TRAFFIC_TYPES}`;
  const cutVisits = join(
    [cutAtStart && cut.start !== null ? cutAtStart : null, cutAtEnd && cut.end !== null ? cutAtEnd : null].filter((w): w is Sql => w !== null).map((w) => sql`SELECT visit_id FROM visit_rollup WHERE ${w}`),
    ' UNION ALL ',
  );
  // The end of the rows of the visits cut at the start is rounded up: t1 may have microseconds.
  const windows: [number, number][] = [];
  if (cut.start !== null) windows.push([a, Math.min(cut.start + 1, b)]);
  if (cut.end !== null) {
    const from = Math.max(cut.end, a);
    // Overlapping windows become one, so that no row is read twice.
    if (windows.length && windows[0][1] >= from) windows[0] = [a, b];
    else windows.push([from, b]);
  }
  for (const [from, to] of windows) {
    regroup.push(sql`SELECT * FROM website_event WHERE ${traffic} AND created_at BETWEEN ${at(from, d)} AND ${at(to, d)} AND visit_id IN (${cutVisits})`);
  }
  if (f && mixed > 0) {
    regroup.push(sql`SELECT * FROM website_event WHERE ${traffic}
      AND created_at BETWEEN ${d.timestamp(q.range.start)} AND ${d.timestamp(q.range.end)}
      AND visit_id IN (SELECT visit_id FROM visit_rollup WHERE ${wholeVisits(q, d)} AND mixed)`);
  }
  if (regroup.length === 0) return totals;
  const [regrouped] = await run(
    sql`SELECT ${aggregates} FROM (SELECT count(*) AS c, min(created_at) AS t0, max(created_at) AS t1
      FROM (${join(regroup, ' UNION ALL ')}) r${matches ? sql` WHERE ${matches}` : raw('')} GROUP BY visit_id) v`,
  );
  for (const m of VISIT_METRICS) totals[m] += part(regrouped, m);
  return totals;
}

/** Visits by entry or exit page: whole visits' stored paths, and the cut ones' from their rows in range. */
async function visitPathRows(q: Query, d: Dialect, name: 'entry' | 'exit', grid: Grid, run: Run): Promise<Row[]> {
  const cut = await cutVisitRows(q, d, grid, run);
  const paths = [sql`SELECT ${raw(`${name}_path`)} AS d0 FROM visit_rollup WHERE ${wholeVisits(q, d)}`];
  if (cut) paths.push(sql`SELECT ${dimension(name).expr(d)} AS d0 FROM (${cut}) r GROUP BY visit_id`);
  return run(sql`SELECT d0, ${visitRollup.formulas.visits(d)} AS m0 FROM (${join(paths, ' UNION ALL ')}) v${tail(q, 1)}`);
}

/**
 * Visitors by channel. A session counts once per channel: through its first whole visit in the
 * range in that channel (the one whose previous visit in the channel started before the range),
 * or else through a visit cut by the range's ends, classified from its rows in range.
 */
async function channelRows(q: Query, d: Dialect, grid: Grid, run: Run): Promise<Row[]> {
  const parts = visitParts(dimension('channel'), d);
  const cut = await cutVisitRows(q, d, grid, run);
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
  sql`${website(q, d)} AND t0 >= ${d.timestamp(q.range.start)} AND t1 <= ${d.timestamp(q.range.end)}`;

/**
 * The traffic rows in range of the visits cut by the range's ends, or null when there are none.
 * visit_span tells whether there are any and bounds their first and last slots, so that the
 * scans for them read only the row groups of those slots. Cut at the start: first slot at or
 * before the slot of the instant before the range, last slot at or after the range's first;
 * cut at the end likewise (on the grid, these are the slots just outside and just inside it).
 */
async function cutVisitRows(q: Query, d: Dialect, grid: Grid, run: Run): Promise<Sql | null> {
  const slotMs = grid.slotMs;
  const a = q.range.start;
  const b = q.range.end;
  const slotOf = (ms: number) => int(Math.floor(ms / slotMs));
  const [startIn, startBefore, endIn, endAfter] = [slotOf(a.getTime()), slotOf(a.getTime() - 1), slotOf(b.getTime()), slotOf(b.getTime() + 1)];
  const [span] = await run(sql`SELECT min(slot0) FILTER (WHERE slot0 <= ${startBefore}) AS start_lo, max(slot1) FILTER (WHERE slot0 <= ${startBefore}) AS start_hi,
      min(slot0) FILTER (WHERE slot1 >= ${endAfter}) AS end_lo
    FROM visit_span WHERE ${website(q, d)} AND slot1 >= ${startIn} AND slot0 <= ${endIn} AND (slot0 <= ${startBefore} OR slot1 >= ${endAfter})`);
  const slotStart = (slot: unknown) => new Date(Number(slot) * slotMs);
  // Cut at the start: t0 < a <= t1, so their rows in range lie in [a, the start of the slot after their last].
  const atStart = span?.start_lo == null ? null : { t0: slotStart(span.start_lo), rowsTo: slotStart(Number(span.start_hi) + 1) };
  // Cut at the end: t0 <= b < t1, so their rows in range lie in [the start of their first slot, b].
  const atEnd = span?.end_lo == null ? null : { t0: slotStart(span.end_lo) };
  if (!atStart && !atEnd) return null;
  const cutVisits: Sql[] = [];
  const windows: [Date, Date][] = [];
  if (atStart) {
    cutVisits.push(sql`SELECT visit_id FROM visit_rollup WHERE ${website(q, d)} AND t0 >= ${d.timestamp(atStart.t0)} AND t0 < ${d.timestamp(a)} AND t1 >= ${d.timestamp(a)}`);
    windows.push([a, atStart.rowsTo < b ? atStart.rowsTo : b]);
  }
  if (atEnd) {
    cutVisits.push(sql`SELECT visit_id FROM visit_rollup WHERE ${website(q, d)} AND t0 >= ${d.timestamp(atEnd.t0)} AND t0 <= ${d.timestamp(b)} AND t1 > ${d.timestamp(b)}`);
    const from = atEnd.t0 > a ? atEnd.t0 : a;
    // Overlapping windows become one, so that no row is read twice.
    if (windows.length && windows[0][1] >= from) windows[0] = [a, b];
    else windows.push([from, b]);
  }
  const rows = windows.map(
    ([from, to]) =>
      sql`SELECT * FROM website_event WHERE ${website(q, d)} AND ${TRAFFIC_TYPES} AND created_at BETWEEN ${d.timestamp(from)} AND ${d.timestamp(to)} AND visit_id IN (${join(cutVisits, ' UNION ALL ')})`,
  );
  return join(rows, ' UNION ALL ');
}

