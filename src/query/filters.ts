// Filter trees: parsing Umami's `op.value` query parameters, and compiling a tree to a WHERE
// condition with bound values only.

import { canonicalDimension, dimension, visitParts } from './dimensions.js';
import type { Dialect } from './dialects/dialect.js';
import { DIALECTS } from './dialects/index.js';
import { join, raw, sql, type Sql } from './sql.js';
import { QueryError, type Filter, type FilterOp, type Query } from './types.js';
import { storableText } from '../lib/storable-text.js';

/** Query parameters that filter, as Umami names them (a few spelled two ways). */
export const FILTER_PARAMS: readonly string[] = [
  'path', 'url', 'referrer', 'title', 'query', 'host', 'hostname', 'event', 'os', 'browser', 'device',
  'country', 'region', 'city', 'tag', 'language', 'screen', 'distinctId', 'entry', 'exit', 'domain', 'channel',
  'utmSource', 'utmMedium', 'utmCampaign', 'utmContent', 'utmTerm',
  'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term',
];

/** Filter operators by every name Umami uses for them: `op.value` prefixes and report bodies' long names. */
const OPS = new Map<string, FilterOp>([
  ['eq', 'eq'], ['equals', 'eq'],
  ['neq', 'neq'], ['notEquals', 'neq'],
  ['c', 'contains'], ['contains', 'contains'],
  ['dnc', 'notContains'], ['doesNotContain', 'notContains'],
  ['re', 'regex'], ['regex', 'regex'],
  ['nre', 'notRegex'], ['notRegex', 'notRegex'],
]);

/** The operator an Umami name stands for, or undefined. */
export const filterOperator = (name: string): FilterOp | undefined => OPS.get(name);
/** Operators Umami's syntax knows but its SQL (and ours) does not apply to text fields. */
const UNSUPPORTED_OPS = new Set(['s', 'ns', 't', 'f', 'gt', 'lt', 'gte', 'lte', 'bf', 'af']);

/** One `op.value` parameter as a leaf. `eq`/`neq` take comma-separated lists; bare value = eq. */
export function parseFilterValue(param: string, dim: string, text: string): Filter {
  const dot = text.indexOf('.');
  const prefix = dot > 0 ? text.slice(0, dot) : '';
  let op: FilterOp = 'eq';
  let value = text;
  const named = OPS.get(prefix);
  if (named) {
    op = named;
    value = text.slice(dot + 1);
  } else if (UNSUPPORTED_OPS.has(prefix)) {
    throw new QueryError(`Invalid ${param}: filter operator '${prefix}' is not supported (use eq, neq, c, dnc, re, nre)`, param);
  }
  if (op === 'regex' || op === 'notRegex') checkRegex(param, value);
  const values = op === 'eq' || op === 'neq' ? value.split(',') : [value];
  const leaf: Leaf = { kind: 'leaf', dim, op, values };
  leafParams.set(leaf, param);
  return leaf;
}

type Leaf = Extract<Filter, { kind: 'leaf' }>;

/** The request field each parsed leaf came from (`path`, `filters.0.value`), named in errors. */
const leafParams = new WeakMap<Leaf, string>();
const paramOf = (leaf: Leaf) => leafParams.get(leaf) ?? leaf.dim;

// A pattern must be valid JavaScript and usable by every store's engine, so that a saved segment
// or report means the same on each store (and survives `dashi migrate-store`). The compiler checks
// again for its own dialect (Dialect.regexProblem) for trees not built here.
function checkRegex(param: string, pattern: string): void {
  let ok = true;
  try {
    new RegExp(pattern);
  } catch {
    ok = false;
  }
  if (!ok || pattern.length > 500) throw new QueryError(`Invalid ${param}: not a valid regular expression`, param);
  for (const d of DIALECTS) {
    const problem = d.regexProblem(pattern);
    if (problem) throw new QueryError(`Invalid ${param}: ${problem}`, param);
  }
}

/** The request parameters of the regular-expression leaves of a tree, for error messages. */
export function regexParams(filter: Filter | null): string[] {
  if (!filter) return [];
  switch (filter.kind) {
    case 'leaf':
      return filter.op === 'regex' || filter.op === 'notRegex' ? [paramOf(filter)] : [];
    case 'not':
      return regexParams(filter.child);
    case 'and':
    case 'or':
      return [...new Set(filter.children.flatMap(regexParams))];
    case 'cohort':
      return regexParams(filter.filter);
    case 'excludeBounce':
      return [];
  }
}

/**
 * All filter parameters of a request as one tree. Repeats use numeric suffixes (`path1=`);
 * `match=any` ORs them instead of ANDing.
 */
export function parseFilterParams(params: Record<string, unknown>, skip: readonly string[] = []): Filter | null {
  const leaves: Filter[] = [];
  for (const [key, raw] of Object.entries(params)) {
    const m = /^([A-Za-z_]+?)(\d*)$/.exec(key);
    if (!m || !FILTER_PARAMS.includes(m[1]) || skip.includes(m[1])) continue;
    const dim = canonicalDimension(m[1]);
    if (!dim) continue;
    for (const text of Array.isArray(raw) ? raw : [raw]) {
      if (typeof text !== 'string' || text === '') continue;
      leaves.push(parseFilterValue(key, dim, text));
    }
  }
  if (leaves.length === 0) return null;
  if (leaves.length === 1) return leaves[0];
  return { kind: params.match === 'any' ? 'or' : 'and', children: leaves };
}

export function andFilters(...filters: (Filter | null | undefined)[]): Filter | null {
  const present = filters.filter((f): f is Filter => !!f);
  if (present.length === 0) return null;
  if (present.length === 1) return present[0];
  return { kind: 'and', children: present };
}

/**
 * Names of the dimensions a tree applies to the query's own rows. A cohort's filter is about rows
 * of another range, so it is not listed; `excludeBounce` and `cohort` nodes are found with
 * hasFilterKind.
 */
export function filterDimensions(filter: Filter | null): string[] {
  if (!filter) return [];
  switch (filter.kind) {
    case 'leaf':
      return [filter.dim];
    case 'not':
      return filterDimensions(filter.child);
    case 'and':
    case 'or':
      return filter.children.flatMap(filterDimensions);
    case 'excludeBounce':
    case 'cohort':
      return [];
  }
}

/** Does the tree contain a node of this kind (anywhere but inside a cohort's own filter)? */
export function hasFilterKind(filter: Filter | null, kind: Filter['kind']): boolean {
  if (!filter) return false;
  if (filter.kind === kind) return true;
  if (filter.kind === 'not') return hasFilterKind(filter.child, kind);
  if (filter.kind === 'and' || filter.kind === 'or') return filter.children.some((c) => hasFilterKind(c, kind));
  return false;
}

/**
 * True when every row the tree lets through belongs to a visit with more than one page-traffic
 * row: an `excludeBounce` node ANDed in at the top. Umami then reports bounces as 0, even when
 * other filters leave a single row of such a visit.
 */
export function excludesBounces(filter: Filter | null): boolean {
  if (!filter) return false;
  if (filter.kind === 'excludeBounce') return true;
  return filter.kind === 'and' && filter.children.some(excludesBounces);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function predicate(e: Sql, leaf: Leaf, d: Dialect, uuid = false): Sql {
  const { op } = leaf;
  // Stored text holds no NUL or lone surrogate (src/lib/text.ts): compare with what is stored.
  const values = leaf.values.map(storableText);
  if (uuid && (op === 'eq' || op === 'neq')) {
    // A value that is not a UUID matches no row.
    const ids = values.filter((x) => UUID_RE.test(x)).map((x) => d.uuid(x));
    if (ids.length === 0) return raw(op === 'eq' ? 'FALSE' : 'TRUE');
    return sql`${e} ${raw(op === 'eq' ? 'IN' : 'NOT IN')} (${join(ids)})`;
  }
  if (uuid) e = d.uuidText(e);
  const v = sql`coalesce(${e}, '')`;
  switch (op) {
    case 'eq':
      return sql`${v} IN (${join(values.map((x) => d.text(x)))})`;
    case 'neq':
      return sql`${v} NOT IN (${join(values.map((x) => d.text(x)))})`;
    case 'contains':
      return d.containsCi(v, values[0]);
    case 'notContains':
      return sql`NOT ${d.containsCi(v, values[0])}`;
    case 'regex':
    case 'notRegex': {
      const problem = d.regexProblem(values[0]);
      if (problem) {
        const param = paramOf(leaf);
        throw new QueryError(`Invalid ${param}: ${problem}`, param);
      }
      const test = d.regexCi(v, values[0]);
      return op === 'regex' ? test : sql`NOT ${test}`;
    }
  }
}

export const TRAFFIC_TYPES = raw('event_type IN (1, 3, 4)');
export const CUSTOM_TYPES = raw('event_type = 2');

/** Rows of one website inside the query's range (no event-type condition). */
export function inRange(q: Pick<Query, 'websiteId' | 'range'>, d: Dialect): Sql {
  return sql`website_id = ${d.uuid(q.websiteId)} AND created_at BETWEEN ${d.timestamp(q.range.start)} AND ${d.timestamp(q.range.end)}`;
}

/**
 * Semi-join on visits: `visit_id` of the visits in the query's range whose per-visit aggregates
 * (`inputs`, over their page-traffic rows) satisfy `cond`. Visit-grain leaves and excludeBounce
 * both go through here.
 */
function visitsWhere(q: Pick<Query, 'websiteId' | 'range'>, d: Dialect, inputs: readonly [string, Sql][], cond: (input: (name: string) => Sql) => Sql): Sql {
  const alias = (name: string) => raw(`i_${name}`);
  const cols = join(inputs.map(([name, agg]) => sql`${agg} AS ${alias(name)}`));
  return sql`visit_id IN (SELECT visit_id FROM (SELECT visit_id, ${cols} FROM website_event WHERE ${inRange(q, d)} AND ${TRAFFIC_TYPES} GROUP BY visit_id) vf WHERE ${cond(alias)})`;
}

/**
 * WHERE condition for a filter tree over rows of kind `rows`. A leaf that is not a value of those
 * rows (an event name on pageview rows, an entry page) becomes a semi-join on visits that match;
 * `excludeBounce` is a semi-join on visits too, and `cohort` one on sessions.
 */
export function compileFilter(filter: Filter | null, q: Pick<Query, 'websiteId' | 'range' | 'rows'>, d: Dialect): Sql {
  if (!filter) return raw('TRUE');
  switch (filter.kind) {
    case 'and':
    case 'or':
      if (filter.children.length === 0) return raw(filter.kind === 'and' ? 'TRUE' : 'FALSE');
      return sql`(${join(filter.children.map((c) => compileFilter(c, q, d)), filter.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return sql`NOT (${compileFilter(filter.child, q, d)})`;
    case 'excludeBounce':
      return visitsWhere(q, d, [['n', raw('count(*)')]], (input) => sql`${input('n')} > 1`);
    case 'cohort': {
      // The cohort's own range and rows of every kind: an action can be a custom event.
      const c = { websiteId: q.websiteId, range: filter.range ?? q.range, rows: 'all' as const };
      return sql`session_id IN (SELECT session_id FROM website_event WHERE ${inRange(c, d)} AND ${compileFilter(filter.filter, c, d)})`;
    }
    case 'leaf': {
      const def = dimension(filter.dim);
      if (def.grain === 'visit') {
        const parts = visitParts(def, d);
        return visitsWhere(q, d, parts.inputs, (input) => predicate(parts.value(input), filter, d));
      }
      if (def.rows === 'custom' && q.rows === 'traffic') {
        return sql`visit_id IN (SELECT visit_id FROM website_event WHERE ${inRange(q, d)} AND ${CUSTOM_TYPES} AND ${predicate(def.expr(d), filter, d)})`;
      }
      return predicate(def.expr(d), filter, d, def.uuid);
    }
  }
}
