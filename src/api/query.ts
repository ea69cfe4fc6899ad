// POST /api/websites/:websiteId/query: the Query model as JSON. Any registry metrics, up to three
// dimensions, an and/or/not filter tree, a date range (absolute or relative), comparison, order,
// limit and offset; answered by the same engine (and rollups) as the fixed analytics routes.
// A breakdown cut by its limit gets one more row, "other": the remaining rows as one group.

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest } from '../server/errors.js';
import { validate } from '../query/compile.js';
import { canonicalDimension, dimension, METRIC_TYPES } from '../query/dimensions.js';
import { andFilters, parseFilterValue } from '../query/filters.js';
import { metric, METRIC_NAMES } from '../query/metrics.js';
import { compareRange, normalizeTimeZone, parseInstant, relativeRange } from '../query/time.js';
import { QueryError, type DimensionRef, type Filter, type FilterOp, type MetricName, type OrderBy, type Query, type ResultRow, type RowKind, type TimeRange, type Unit } from '../query/types.js';
import type { Website } from '../store/types.js';
import type { Analytics } from './analytics/params.js';
import { dataStart, scopeOf } from './scope.js';
import { scopeQuery } from '../reports/report-input.js';

export const QUERY_LIMIT = { default: 100, max: 10_000 } as const;
export const MAX_DIMENSIONS = 3;
/** Filter trees: at most this deep and this many nodes (checked before parsing). */
const MAX_FILTER_DEPTH = 8;
const MAX_FILTER_NODES = 200;
/** With two or three dimensions the "other" row is computed for limits up to this (its filter lists every row above it). */
const OTHER_MAX_TUPLES = 1000;

/** Operator names: the GET routes' short forms and spelled-out ones. */
const OPERATORS: Record<string, FilterOp> = {
  eq: 'eq', equals: 'eq', neq: 'neq', notEquals: 'neq',
  contains: 'contains', c: 'contains', doesNotContain: 'notContains', notContains: 'notContains', dnc: 'notContains',
  regex: 'regex', re: 'regex', notRegex: 'notRegex', nre: 'notRegex',
};
const SHORT: Record<FilterOp, string> = { eq: 'eq', neq: 'neq', contains: 'c', notContains: 'dnc', regex: 're', notRegex: 'nre' };

const FIELDS: [string, ...string[]] = ['sessionId', ...METRIC_TYPES];
const SERIES_UNITS = ['minute', 'hour', 'day', 'month', 'year'] as const;
const CLOCK_DIMENSIONS = ['time', 'weekday', 'hourOfDay'] as const;

const text = z.string().max(500);

export interface FilterInput {
  dimension?: string;
  operator?: string;
  value?: string | string[];
  and?: FilterInput[];
  or?: FilterInput[];
  not?: FilterInput;
}

const filterLeaf = z
  .strictObject({
    dimension: z.enum(FIELDS).describe('A dimension of the registry (or an alias such as url, host, utm_source)'),
    operator: z.enum(Object.keys(OPERATORS) as [string, ...string[]]).default('eq'),
    value: z.union([text, z.array(text).min(1).max(100)]).describe('One value; eq and neq also take a list (any of)'),
  })
  .meta({ id: 'QueryFilterCondition' });

export const queryFilter: z.ZodType<FilterInput> = z
  .lazy(() =>
    z.union([
      filterLeaf,
      z.strictObject({ and: z.array(queryFilter).min(1).max(50) }),
      z.strictObject({ or: z.array(queryFilter).min(1).max(50) }),
      z.strictObject({ not: queryFilter }),
    ]),
  )
  .meta({ id: 'QueryFilter', description: 'A condition, or {and: [...]}, {or: [...]}, {not: ...} of filters' });

const orderKey = z.union([
  z.strictObject({ by: z.string().max(50).describe('A metric or dimension of this query'), dir: z.enum(['asc', 'desc']).default('desc') }),
  z.string().max(60).regex(/^[A-Za-z_]+(:(asc|desc))?$/, 'must be a metric or dimension name, optionally with :asc or :desc').describe('name or name:asc|desc (desc by default)'),
]);

const instant = z.union([z.number().int(), z.string().max(40)]).describe('Epoch milliseconds, or an ISO 8601 date');

export const queryBody = z
  .strictObject({
    metrics: z
      .array(z.enum(METRIC_NAMES as [MetricName, ...MetricName[]]))
      .min(1)
      .max(METRIC_NAMES.length)
      .describe('bounceRate = bounces / visits, visitDuration = totaltime / visits (s), viewsPerVisit = pageviews / visits'),
    dimensions: z
      .array(z.union([z.enum([...FIELDS, ...CLOCK_DIMENSIONS] as [string, ...string[]]), z.strictObject({ time: z.enum(SERIES_UNITS) })]))
      .max(MAX_DIMENSIONS)
      .default([])
      .describe('Registry dimensions, "time" (buckets of `unit`, or {time: unit}), "weekday" (0 = Sunday), "hourOfDay"'),
    filters: z.union([queryFilter, z.array(queryFilter).max(50)]).optional().describe('A filter tree; a list is ANDed'),
    dateRange: z
      .union([
        z.strictObject({ startAt: instant, endAt: instant }),
        z.string().max(40).describe('all, today, thisHour|thisDay|thisWeek|thisMonth|thisYear, <n>hour|day|week|month|year (24hour, 7day: the current unit and n - 1 before), range:<startMs>:<endMs>'),
      ])
      .describe('Inclusive range; relative forms are calendar units in `timezone`'),
    timezone: z.string().max(100).optional().describe('IANA time zone for time buckets and relative ranges (default UTC)'),
    unit: z.enum(SERIES_UNITS).optional().describe('Bucket of the "time" dimension (default day)'),
    compare: z.enum(['prev', 'yoy']).optional().describe('Also answer the period just before (prev) or a year earlier (yoy), as `prev`'),
    orderBy: z
      .union([orderKey, z.array(orderKey).max(MAX_DIMENSIONS + METRIC_NAMES.length)])
      .optional()
      .describe('Default: time ascending for series, else the first metric descending; dimensions break ties'),
    limit: z.int().min(1).max(QUERY_LIMIT.max).default(QUERY_LIMIT.default),
    offset: z.int().min(0).max(1_000_000_000).default(0),
    other: z.boolean().default(true).describe('When a breakdown by fields is cut by limit, add one row for the rest (offset 0; with two or three dimensions, limit up to 1000)'),
  })
  .meta({ id: 'QueryRequest' });

export type QueryBody = z.output<typeof queryBody>;

const column = z.object({ name: z.string(), type: z.enum(['string', 'datetime', 'integer', 'number']), role: z.enum(['dimension', 'metric']) });

export const queryAnswer = z
  .object({
    data: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))).describe('One object per row: dimension columns, then metric columns'),
    prev: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))).optional().describe('The same query over the comparison period'),
    meta: z.object({
      columns: z.array(column),
      sources: z.array(z.enum(['rollups', 'events'])).describe('What answered: pre-aggregated rollups or raw event rows'),
      truncated: z.boolean().describe('More rows matched than `limit`'),
      other: z.boolean().describe('The last row of data (marked other: true) holds the rows after the limit as one group'),
      rows: z.enum(['traffic', 'custom']).describe('Rows counted: page traffic or custom events'),
      limit: z.int(),
      offset: z.int(),
      timezone: z.string(),
      startAt: z.iso.datetime(),
      endAt: z.iso.datetime(),
      compare: z.object({ mode: z.enum(['prev', 'yoy']), startAt: z.iso.datetime(), endAt: z.iso.datetime() }).optional(),
    }),
  })
  .meta({ id: 'QueryAnswer' });

export type QueryAnswer = z.output<typeof queryAnswer>;

const fail = (field: string, message: string): never => {
  throw badRequest(`Invalid ${field}: ${message}`);
};

/** The issue a client should read: inside a union, the branch that got furthest. */
function deepest(issue: z.core.$ZodIssue, prefix: PropertyKey[] = []): { path: PropertyKey[]; message: string } {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // A branch that does not know one of the keys given is the wrong branch, unless all are.
    const branches = issue.errors.filter((b) => b.length > 0).map((b) => ({ foreign: b.some((i) => i.code === 'unrecognized_keys'), best: deepest(b[0], path) }));
    const known = branches.filter((b) => !b.foreign);
    const pool = (known.length ? known : branches).map((b) => b.best);
    if (pool.length) return pool.reduce((a, b) => (b.path.length > a.path.length ? b : a));
  }
  return { path, message: issue.message };
}

/** Depth and size of the filter input, walked without recursion (hostile input may be deep). */
function checkFilterSize(input: unknown): void {
  const stack: [unknown, number][] = [[input, 1]];
  let nodes = 0;
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > MAX_FILTER_DEPTH * 2 + 1) fail('filters', `nested deeper than ${MAX_FILTER_DEPTH} levels`);
    if (++nodes > MAX_FILTER_NODES * 3) fail('filters', `more than ${MAX_FILTER_NODES} conditions`);
    for (const v of Object.values(node)) stack.push([v, depth + 1]);
  }
}

export function parseQueryBody(body: unknown): QueryBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) fail('body', 'must be a JSON object');
  checkFilterSize((body as Record<string, unknown>).filters);
  const result = queryBody.safeParse(body);
  if (result.success) return result.data;
  const parts = result.error.issues.slice(0, 3).map((issue) => {
    const { path, message } = deepest(issue);
    return { field: path.length ? path.join('.') : 'body', message };
  });
  throw badRequest(`Invalid ${parts[0].field}: ${parts.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
}

/** JSON filter input -> the engine's filter tree; leaves go through the GET routes' parser. */
function toFilter(input: FilterInput, field: string, depth = 1): Filter {
  if (depth > MAX_FILTER_DEPTH) return fail('filters', `nested deeper than ${MAX_FILTER_DEPTH} levels`);
  if (input.and) return { kind: 'and', children: input.and.map((f, i) => toFilter(f, `${field}.and.${i}`, depth + 1)) };
  if (input.or) return { kind: 'or', children: input.or.map((f, i) => toFilter(f, `${field}.or.${i}`, depth + 1)) };
  if (input.not) return { kind: 'not', child: toFilter(input.not, `${field}.not`, depth + 1) };
  const dim = canonicalDimension(input.dimension!) as string;
  const op = OPERATORS[input.operator ?? 'eq'];
  const values = Array.isArray(input.value) ? input.value : [input.value ?? ''];
  if (op === 'eq' || op === 'neq') return { kind: 'leaf', dim, op, values };
  if (values.length > 1) return fail(`${field}.value`, `operator ${input.operator} takes one value`);
  try {
    return parseFilterValue(`${field}.value`, dim, `${SHORT[op]}.${values[0]}`);
  } catch (err) {
    if (err instanceof QueryError) throw badRequest(err.message);
    throw err;
  }
}

const RELATIVE: Record<string, string> = { today: '0day', thisHour: '0hour', thisDay: '0day', thisWeek: '0week', thisMonth: '0month', thisYear: '0year' };

function parseDateRange(input: QueryBody['dateRange'], a: Analytics, website: Website, zone: string): TimeRange {
  const floor = dataStart(website);
  if (typeof input === 'string') {
    return relativeRange(Object.hasOwn(RELATIVE, input) ? RELATIVE[input] : input, a.now(), zone, floor, 'dateRange');
  }
  const start = parseInstant(input.startAt, 'dateRange.startAt');
  const end = parseInstant(input.endAt, 'dateRange.endAt');
  if (start > end) fail('dateRange.startAt', 'is after endAt');
  return { start: new Date(Math.max(start, floor.getTime())), end: new Date(end) };
}

interface Dimension {
  ref: DimensionRef;
  name: string;
  type: 'string' | 'datetime' | 'integer';
}

function parseDimensions(body: QueryBody): Dimension[] {
  const out: Dimension[] = body.dimensions.map((d) => {
    if (typeof d === 'object') return { ref: { kind: 'time', unit: d.time as Unit }, name: 'time', type: 'datetime' };
    if (d === 'time') return { ref: { kind: 'time', unit: (body.unit ?? 'day') as Unit }, name: 'time', type: 'datetime' };
    if (d === 'weekday') return { ref: { kind: 'weekday' }, name: 'weekday', type: 'integer' };
    if (d === 'hourOfDay') return { ref: { kind: 'hourOfDay' }, name: 'hourOfDay', type: 'integer' };
    const name = canonicalDimension(d) as string;
    return { ref: { kind: 'field', name }, name, type: 'string' };
  });
  out.forEach((d, i) => {
    if (out.findIndex((o) => o.name === d.name) !== i) fail(`dimensions.${i}`, `${d.name} is given twice`);
  });
  return out;
}

/** Custom-event rows when a metric or dimension lives only there; page traffic otherwise. */
function rowKind(metrics: readonly MetricName[], dims: readonly Dimension[]): Exclude<RowKind, 'all'> {
  const custom = metrics.some((m) => !metric(m).rows.includes('traffic')) || dims.some((d) => d.ref.kind === 'field' && dimension(d.ref.name).rows === 'custom');
  return custom ? 'custom' : 'traffic';
}

function parseOrder(body: QueryBody, dims: readonly Dimension[]): OrderBy[] {
  const list = body.orderBy === undefined ? [] : Array.isArray(body.orderBy) ? body.orderBy : [body.orderBy];
  const keys = list.map((o) => {
    if (typeof o !== 'string') return o;
    const [by, dir] = o.split(':');
    return { by, dir: (dir ?? 'desc') as 'asc' | 'desc' };
  });
  const field = (i: number) => (Array.isArray(body.orderBy) ? `orderBy.${i}` : 'orderBy') + (typeof list[i] === 'string' ? '' : '.by');
  const given: OrderBy[] = keys.map((o, i) => {
    const m = body.metrics.indexOf(o.by as MetricName);
    if (m >= 0) return { key: o.by, dir: o.dir };
    const d = dims.findIndex((x) => x.name === o.by || (x.ref.kind === 'field' && x.ref.name === canonicalDimension(o.by)));
    if (d >= 0) return { key: `d${d}`, dir: o.dir };
    return fail(field(i), `'${o.by}' is not a metric or dimension of this query`);
  });
  // Time first by default; otherwise the first metric, most first. Dimensions break ties.
  const defaults: OrderBy[] = dims[0]?.ref.kind === 'time' || dims.length === 0 ? [] : [{ key: body.metrics[0], dir: 'desc' }];
  const order = given.length ? given : defaults;
  const ties = dims.map((_, i) => ({ key: `d${i}`, dir: 'asc' as const })).filter((t) => !order.some((o) => o.key === t.key));
  return [...order, ...ties];
}

/** Everything but the given rows' dimension tuples. */
function excluding(rows: readonly ResultRow[], dims: readonly Dimension[]): Filter {
  const value = (v: string | number | null) => (v === null ? '' : String(v));
  const name = (i: number) => (dims[i].ref as { name: string }).name;
  if (dims.length === 1) return { kind: 'leaf', dim: name(0), op: 'neq', values: [...new Set(rows.map((r) => value(r.dims[0])))] };
  const tuples: Filter[] = rows.map((r) => ({ kind: 'and', children: r.dims.map((v, i) => ({ kind: 'leaf', dim: name(i), op: 'eq', values: [value(v)] }) as Filter) }));
  return { kind: 'not', child: { kind: 'or', children: tuples } };
}

const INTEGER_METRICS = new Set<MetricName>(['pageviews', 'events', 'visitors', 'visits', 'bounces', 'totaltime', 'countries', 'uniqueEvents']);

/** Run one query request for a website the caller may view. */
export async function runQueryRequest(a: Analytics, website: Website, input: unknown): Promise<QueryAnswer> {
  const body = parseQueryBody(input);
  if (new Set(body.metrics).size !== body.metrics.length) fail('metrics', 'a metric is given twice');
  let timeZone: string;
  try {
    timeZone = normalizeTimeZone(body.timezone, 'timezone');
  } catch (err) {
    if (err instanceof QueryError) throw badRequest(err.message);
    throw err;
  }
  const dims = parseDimensions(body);
  const rows = rowKind(body.metrics, dims);
  body.metrics.forEach((m, i) => {
    if (!metric(m).rows.includes(rows)) fail(`metrics.${i}`, `${m} is not counted on custom-event rows (asked for by event metrics or the event dimension)`);
  });
  const filterList = body.filters === undefined ? [] : Array.isArray(body.filters) ? body.filters : [body.filters];
  const filter = andFilters(...filterList.map((f, i) => toFilter(f, Array.isArray(body.filters) ? `filters.${i}` : 'filters')));
  const range = parseDateRange(body.dateRange, a, website, timeZone);
  const q: Query = scopeQuery({ website, range, timeZone, filter, now: a.now() }, {
    rows,
    timeZone,
    metrics: body.metrics,
    dimensions: dims.map((d) => d.ref),
    filter,
    orderBy: parseOrder(body, dims),
    // One row more than asked tells whether the limit cut the answer.
    limit: body.limit + 1,
    offset: body.offset,
    compare: body.compare ?? null,
  });
  try {
    validate(q);
  } catch (err) {
    if (err instanceof QueryError) fail('metrics', err.message);
    throw err;
  }

  const result = await a.engine.run(q);
  const sources = new Set(result.sources ?? []);
  const truncated = result.rows.length > body.limit;
  const shown = result.rows.slice(0, body.limit);
  const toJson = (r: ResultRow) => {
    const row: Record<string, string | number | boolean | null> = {};
    dims.forEach((d, i) => (row[d.name] = r.dims[i]));
    for (const m of body.metrics) row[m] = r.values[m] ?? 0;
    return row;
  };
  const data = shown.map(toJson);
  let other = false;
  const canGroupRest = dims.length > 0 && dims.every((d) => d.ref.kind === 'field') && body.offset === 0 && (dims.length === 1 || body.limit <= OTHER_MAX_TUPLES);
  if (truncated && body.other && canGroupRest) {
    const rest = await a.engine.run({ ...q, dimensions: [], restOf: q.dimensions, filter: andFilters(filter, excluding(shown, dims)), orderBy: [], limit: null, offset: 0, compare: null });
    for (const s of rest.sources ?? []) sources.add(s);
    const row = rest.rows[0] ?? { dims: [], values: {} };
    data.push({ ...Object.fromEntries(dims.map((d) => [d.name, null])), ...Object.fromEntries(body.metrics.map((m) => [m, row.values[m] ?? 0])), other: true });
    other = true;
  }
  const answer: QueryAnswer = {
    data,
    meta: {
      columns: [
        ...dims.map((d) => ({ name: d.name, type: d.type, role: 'dimension' as const })),
        ...body.metrics.map((m) => ({ name: m, type: INTEGER_METRICS.has(m) ? ('integer' as const) : ('number' as const), role: 'metric' as const })),
      ],
      sources: [...sources],
      truncated,
      other,
      rows,
      limit: body.limit,
      offset: body.offset,
      timezone: timeZone,
      startAt: range.start.toISOString(),
      endAt: range.end.toISOString(),
    },
  };
  if (q.compare && result.prev) {
    const prevRange = compareRange(range, q.compare);
    answer.prev = result.prev.slice(0, body.limit).map(toJson);
    answer.meta.compare = { mode: q.compare, startAt: prevRange.start.toISOString(), endAt: prevRange.end.toISOString() };
  }
  return answer;
}

export function registerQuery(app: FastifyInstance, a: Analytics): void {
  app.post('/api/websites/:websiteId/query', async (req) => runQueryRequest(a, (await scopeOf(req, a)).website, req.body));
}
