// The planner: a pure function from a Query and the declared rollup sources to a Plan, the one
// place that decides which source answers. The engine executes the plan (raw rows through the
// compiler, or a rollup reader); `why` says why the rollups could not answer.
//
// Ranges need not start or end on a slot: the rollups answer the whole slots inside the range
// and raw rows the ragged edges (`Grid`); the visit readers (entry/exit, channel, per path, totals of
// some paths) take the range's instants as they are (their cut visits come from raw rows in range).

import { canonicalDimension, dimension } from './dimensions.js';
import { covers } from './sources.js';
import { pagePath, pageVisit } from './rollups/page-visit-source.js';
import { sessionSlot, slotCount } from './rollups/slot-source.js';
import { visitRollup } from './rollups/visit-source.js';
import { offsetSegments } from './time.js';
import type { MetricName, Query } from './types.js';
import type { TrafficRollups } from '../store/types.js';

/** What the planner knows of the store's rollups: their declaration, not their data. */
export type RollupShape = Pick<TrafficRollups, 'slotMs' | 'attributes' | 'pageColumns' | 'visitAttributes'>;

/** One session attribute equal to one value: `column` is its canonical name. */
export interface AttributeFilter {
  readonly column: string;
  readonly value: string;
}

/** A path equal to one of `values` (the page_visit readers apply it as the raw path does). */
export interface PathFilter {
  readonly values: readonly string[];
}

export type Reader =
  | { readonly kind: 'totals'; readonly filter: AttributeFilter | null }
  | { readonly kind: 'series'; readonly filter: AttributeFilter | null }
  | { readonly kind: 'cells' }
  | { readonly kind: 'attribute'; readonly attribute: string }
  | { readonly kind: 'pageColumn'; readonly column: string }
  | { readonly kind: 'entryExit'; readonly name: 'entry' | 'exit' }
  | { readonly kind: 'channel' }
  | { readonly kind: 'pagePath'; readonly filter: PathFilter | null }
  | { readonly kind: 'pathTotals'; readonly filter: PathFilter };

/**
 * The range cut into whole slots `first..last` (inclusive) and the edges outside them: `head`
 * rows in [range start, first slot's start), `tail` rows in [last slot's end, range end].
 */
export interface Grid {
  readonly slotMs: number;
  readonly first: number;
  readonly last: number;
  readonly head: boolean;
  readonly tail: boolean;
}

export type Plan =
  | { readonly source: 'events'; readonly why: string }
  | { readonly source: 'rollups'; readonly reader: Reader; readonly grid: Grid; readonly edges: boolean };

const events = (why: string): Plan => ({ source: 'events', why });

/** `force: 'events'` (an admin debugging a number) answers from raw rows whatever the rollups hold. */
export function plan(q: Query, rollups: RollupShape | undefined, force?: 'events'): Plan {
  if (force === 'events') return events('raw rows were asked for');
  if (!rollups) return events('the store keeps no rollups');
  if (q.rows !== 'traffic') return events(`the rollups hold page traffic, not ${q.rows} rows`);
  if (q.restOf?.length) return events('the rest of a breakdown needs its exclusions');
  if (q.range.start.getTime() < 0) return events('the range starts before 1970');
  const grid = gridOf(q, rollups.slotMs);
  if (!grid) return events('the range holds no whole slot');
  // Buckets in the zone must be made of whole slots: its offsets and the instants they change at.
  const segments = offsetSegments(q.timeZone, q.range);
  if (!segments.every((s) => (s.offsetMinutes * 60_000) % rollups.slotMs === 0 && (s.from === null || s.from.getTime() % rollups.slotMs === 0))) {
    return events(`${q.timeZone} changes offset off the slot grid`);
  }
  const found = reader(q, rollups);
  if (typeof found === 'string') return events(found);
  return { source: 'rollups', reader: found, grid, edges: grid.head || grid.tail };
}

/** Whole slots of the range, or null when it holds none (a short range is cheap from raw rows). */
export function gridOf(q: Pick<Query, 'range'>, slotMs: number): Grid | null {
  const start = q.range.start.getTime();
  const end = q.range.end.getTime() + 1;
  const first = Math.ceil(start / slotMs);
  const last = Math.floor(end / slotMs) - 1;
  if (first > last) return null;
  return { slotMs, first, last, head: start < first * slotMs, tail: end > (last + 1) * slotMs };
}

/** The rollup reader that answers `q` exactly, or why none does. */
function reader(q: Query, rollups: RollupShape): Reader | string {
  const paths = pathFilter(q);
  if (paths) {
    if (q.dimensions.length === 0) {
      if (q.offset !== 0) return 'an offset on totals';
      return covers(pageVisit, q.metrics) ? { kind: 'pathTotals', filter: paths } : `${pageVisit.table} answers ${Object.keys(pageVisit.formulas).join(', ')} of some paths`;
    }
    if (pagePath(q)) return { kind: 'pagePath', filter: paths };
  }
  if (q.filter !== null) {
    const filter = attributeFilter(q, rollups);
    const why = 'the rollups apply only one session attribute equal to one value, on totals and the page-view series';
    if (!filter) return why;
    if (q.dimensions.length === 0) return totals(q, filter);
    const found = series(q, filter);
    return typeof found === 'string' || found.kind !== 'series' ? why : found;
  }
  if (q.dimensions.length === 0) return totals(q, null);
  const column = pageColumn(q, rollups.pageColumns);
  if (column) return { kind: 'pageColumn', column };
  const visits = breakdownBy(q, 'visits');
  if (visits === 'entry' || visits === 'exit') return { kind: 'entryExit', name: visits };
  if (breakdownBy(q, 'visitors') === 'channel') return { kind: 'channel' };
  if (pagePath(q)) return { kind: 'pagePath', filter: null };
  if (!covers(sessionSlot, q.metrics)) return `${sessionSlot.table} answers ${Object.keys(sessionSlot.formulas).join(', ')} per dimension`;
  if (q.dimensions[0].kind === 'time') return series(q, null);
  if (q.dimensions.every((ref) => ref.kind === 'weekday' || ref.kind === 'hourOfDay')) return { kind: 'cells' };
  const attribute = slotAttribute(q, rollups.attributes);
  return attribute ? { kind: 'attribute', attribute } : `no rollup keeps ${JSON.stringify(q.dimensions)}`;
}

/** Page views, visitors and countries per time bucket, of the sessions with one attribute value when filtered. */
function series(q: Query, filter: AttributeFilter | null): Reader | string {
  const [dim] = q.dimensions;
  if (dim.kind !== 'time' || q.dimensions.length > 1) return 'a time series with more dimensions';
  if (!covers(sessionSlot, q.metrics)) return `${sessionSlot.table} answers ${Object.keys(sessionSlot.formulas).join(', ')} per bucket`;
  return dim.unit === 'minute' ? 'minute buckets are finer than slots' : { kind: 'series', filter };
}

function totals(q: Query, filter: AttributeFilter | null): Reader | string {
  if (q.offset !== 0) return 'an offset on totals';
  const answered = q.metrics.every((m) => covers(sessionSlot, [m]) || covers(visitRollup, [m]));
  return answered ? { kind: 'totals', filter } : `no rollup answers ${q.metrics.filter((m) => !covers(sessionSlot, [m]) && !covers(visitRollup, [m])).join(', ')}`;
}

/**
 * One session attribute that visit_rollup keeps, equal to one value (an empty value also matches
 * rows without one: left to the raw path).
 */
function attributeFilter(q: Query, rollups: RollupShape): AttributeFilter | null {
  const f = q.filter;
  if (f?.kind !== 'leaf' || f.op !== 'eq' || f.values.length !== 1 || f.values[0] === '') return null;
  const column = canonicalDimension(f.dim);
  return column && rollups.visitAttributes.includes(column) ? { column, value: f.values[0] } : null;
}

/** A path equal to one of some values (the empty one also matches rows without a path). */
function pathFilter(q: Query): PathFilter | null {
  const f = q.filter;
  if (f?.kind !== 'leaf' || f.op !== 'eq' || f.values.length === 0 || canonicalDimension(f.dim) !== 'path') return null;
  return { values: f.values };
}

/** The dimension of a one-field breakdown that counts only `metric`, by its canonical name. */
function breakdownBy(q: Query, metric: MetricName): string | undefined {
  const [ref] = q.dimensions;
  if (q.dimensions.length !== 1 || ref.kind !== 'field' || q.metrics.join() !== metric) return undefined;
  return canonicalDimension(ref.name);
}

/** The page column a page-view breakdown reads, when slot_count counts it. */
function pageColumn(q: Query, columns: readonly string[]): string | null {
  const name = breakdownBy(q, 'pageviews');
  const def = name ? dimension(name) : null;
  return def && covers(slotCount, q.metrics) && def.grain === 'row' && def.rows === 'traffic' && def.column && columns.includes(def.column) ? def.column : null;
}

/** The session attribute a breakdown is by, when session_slot keeps a pointer for exactly its dimensions. */
function slotAttribute(q: Query, attributes: RollupShape['attributes']): string | null {
  const names = q.dimensions.map((ref) => (ref.kind === 'field' ? canonicalDimension(ref.name) : undefined));
  const name = names[0];
  if (!name || !Object.hasOwn(attributes, name)) return null;
  return attributes[name].join() === names.join() ? name : null;
}
