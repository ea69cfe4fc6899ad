// What every report starts from: the body of `POST /api/reports/<type>` in either of Umami's
// shapes, flattened into one record of fields (from which src/api/scope.ts makes the scope:
// website, UTC range, time zone, unit, filter tree), and the report's own fields. Seed 001 sends
// `{websiteId, dateRange:{startDate, endDate, unit}, timezone, ...fields}`; newer Umami sends
// `{websiteId, type, filters, parameters:{startDate, endDate, ...}}`.

import { z } from 'zod';
import { canonicalDimension } from '../query/dimensions.js';
import { filterOperator, parseFilterParams, parseFilterValue } from '../query/filters.js';
import { QueryError, type Filter, type FilterOp, type Query, type TimeRange, type Unit } from '../query/types.js';
import type { Website } from '../store/types.js';

/** A report's input that is not the report's own business. */
export interface ReportScope {
  readonly website: Website;
  readonly range: TimeRange;
  readonly timeZone: string;
  readonly unit: Unit;
  readonly filter: Filter | null;
  readonly now: Date;
}

/** Raised for bad report input; the API turns it into a 400 naming the field. */
export class ReportInputError extends QueryError {}

export const fail = (field: string, message: string): never => {
  throw new ReportInputError(`Invalid ${field}: ${message}`, field);
};

/** Parse with zod; the first issues become one message that names the fields. */
export function parseFields<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 3);
  const name = (path: PropertyKey[]) => [...(prefix ? [prefix] : []), ...path.map(String)].join('.') || 'body';
  const field = name(issues[0]?.path ?? []);
  const text = issues.map((i) => `${name(i.path)}: ${i.message}`).join('; ');
  throw new ReportInputError(`Invalid ${field}: ${text}`, field);
}

type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One flat record: top level, then `parameters` (newer Umami), then `dateRange` (seed 001). */
export function flattenBody(body: unknown): Fields {
  if (!isObject(body)) fail('body', 'must be a JSON object');
  const b = body as Fields;
  const out: Fields = { ...b };
  // Newer Umami's `type` at the top names the report; inside `parameters` it is a step's type.
  if (isObject(b.parameters)) {
    for (const [k, v] of Object.entries(b.parameters)) if (k !== 'websiteId' && v !== undefined) out[k] = v;
  }
  if (isObject(b.dateRange)) {
    const dr = b.dateRange;
    for (const k of ['startDate', 'endDate', 'unit', 'timezone'] as const) if (dr[k] !== undefined && out[k] === undefined) out[k] = dr[k];
  }
  return out;
}

const filterItem = z.object({
  name: z.string().min(1).max(50),
  operator: z.string().max(20).optional(),
  filter: z.string().max(20).optional(),
  value: z.union([z.string().max(500), z.number(), z.array(z.union([z.string().max(500), z.number()])).max(100)]),
});

/** One filter tree from `[{name, operator, value}]` (reports, segments) or `{path: 'eq./', ...}`. */
export function parseFilterInput(input: unknown, field = 'filters', match?: unknown): Filter | null {
  if (input === undefined || input === null) return null;
  try {
    if (Array.isArray(input)) {
      const items = parseFields(z.array(filterItem).max(50), input);
      const leaves = items.map((item, i): Filter => {
        const dim = canonicalDimension(item.name);
        if (!dim) return fail(`${field}.${i}.name`, `unknown filter field '${item.name}'`);
        const opName = item.operator ?? item.filter ?? 'eq';
        const op = filterOperator(opName);
        if (!op) return fail(`${field}.${i}.operator`, `'${opName}' is not one of eq, neq, c, dnc, re, nre`);
        const values = (Array.isArray(item.value) ? item.value : [item.value]).map(String);
        if (values.length === 0) return fail(`${field}.${i}.value`, 'required');
        if (op === 'eq' || op === 'neq') return { kind: 'leaf', dim, op, values };
        return parseFilterValue(`${field}.${i}.value`, dim, `${opName}.${values[0]}`);
      });
      if (leaves.length === 0) return null;
      if (leaves.length === 1) return leaves[0];
      return { kind: match === 'any' ? 'or' : 'and', children: leaves };
    }
    if (isObject(input)) {
      const params: Fields = { ...input };
      if (match !== undefined && params.match === undefined) params.match = match;
      return parseFilterParams(params);
    }
  } catch (err) {
    if (err instanceof ReportInputError) throw err;
    if (err instanceof QueryError) fail(field, err.message.replace(/^Invalid /, ''));
    throw err;
  }
  return fail(field, 'must be an array of {name, operator, value} or an object of filter parameters');
}

/** A Query over a scope: the one Query builder of every route and report; `parts` set the rest. */
export function scopeQuery(s: Omit<ReportScope, 'unit'>, parts: Partial<Query> & Pick<Query, 'metrics'>): Query {
  return {
    websiteId: s.website.id,
    websiteDomain: s.website.domain,
    range: s.range,
    timeZone: s.timeZone,
    rows: 'traffic',
    dimensions: [],
    filter: s.filter,
    orderBy: [],
    limit: null,
    offset: 0,
    compare: null,
    now: s.now,
    ...parts,
  };
}

export type { FilterOp };
