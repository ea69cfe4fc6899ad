// What every report starts from: the body of `POST /api/reports/<type>` in either of Umami's
// shapes, turned into one scope (website, UTC range, time zone, unit, filter tree) and the
// report's own fields. Seed 001 sends `{websiteId, dateRange:{startDate, endDate, unit}, timezone,
// ...fields}`; newer Umami sends `{websiteId, type, filters, parameters:{startDate, endDate, ...}}`.
// Both are flattened into one record of fields before a report's own schema reads it.

import { z } from 'zod';
import { own } from '../lib/own.js';
import { canonicalDimension } from '../query/dimensions.js';
import { andFilters, parseFilterParams, parseFilterValue } from '../query/filters.js';
import { normalizeTimeZone } from '../query/time.js';
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

const MAX_DATE = 8.64e15;

function instant(v: unknown, field: string): Date {
  let d: Date | null = null;
  if (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= MAX_DATE) d = new Date(v);
  else if (typeof v === 'string' && /^-?\d{1,16}$/.test(v)) d = new Date(Number(v));
  else if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v)) d = new Date(v);
  if (!d || Number.isNaN(d.getTime())) return fail(field, 'must be an ISO date or epoch milliseconds');
  return d;
}

const EPOCH_2000 = Date.UTC(2000, 0, 1);
const UNITS: readonly Unit[] = ['minute', 'hour', 'day', 'month', 'year'];

function dateField(f: Fields, names: string[]): [string, unknown] {
  for (const n of names) if (f[n] !== undefined && f[n] !== null && f[n] !== '') return [n, f[n]];
  return [names[0], undefined];
}

/** Inclusive UTC range from dateRange / parameters / top-level dates, clamped to the website's reset. */
export function parseRange(f: Fields, website: Website): TimeRange {
  const [sName, sRaw] = dateField(f, ['startDate', 'startAt']);
  const [eName, eRaw] = dateField(f, ['endDate', 'endAt']);
  if (sRaw === undefined) fail('dateRange.startDate', 'required');
  if (eRaw === undefined) fail('dateRange.endDate', 'required');
  const start = instant(sRaw, sName === 'startDate' ? 'dateRange.startDate' : sName);
  const end = instant(eRaw, eName === 'endDate' ? 'dateRange.endDate' : eName);
  if (start.getTime() > end.getTime()) fail('dateRange.startDate', 'is after endDate');
  const floor = Math.max(EPOCH_2000, website.resetAt ? website.resetAt.getTime() : 0);
  return { start: new Date(Math.max(start.getTime(), floor)), end };
}

const OPERATORS: Record<string, string> = {
  eq: 'eq', equals: 'eq', neq: 'neq', notEquals: 'neq', c: 'c', contains: 'c', dnc: 'dnc', doesNotContain: 'dnc',
  re: 're', regex: 're', nre: 'nre', notRegex: 'nre',
};

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
        const op = own(OPERATORS, opName);
        if (!op) return fail(`${field}.${i}.operator`, `'${opName}' is not one of eq, neq, c, dnc, re, nre`);
        const values = (Array.isArray(item.value) ? item.value : [item.value]).map(String);
        if (values.length === 0) return fail(`${field}.${i}.value`, 'required');
        if (op === 'eq' || op === 'neq') return { kind: 'leaf', dim, op, values };
        return parseFilterValue(`${field}.${i}.value`, dim, `${op}.${values[0]}`);
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

export interface ScopeInput {
  website: Website;
  fields: Fields;
  /** Filter of a saved segment (`segment=<id>`), resolved by the caller. */
  segment: Filter | null;
  now: Date;
}

export function parseScope({ website, fields, segment, now }: ScopeInput): ReportScope {
  const range = parseRange(fields, website);
  let timeZone: string;
  try {
    timeZone = normalizeTimeZone(typeof fields.timezone === 'string' ? fields.timezone : undefined, 'timezone');
  } catch (err) {
    if (err instanceof QueryError) return fail('timezone', err.message.replace(/^Invalid timezone: /, ''));
    throw err;
  }
  const unitRaw = fields.unit;
  let unit: Unit = 'day';
  if (unitRaw !== undefined && unitRaw !== null && unitRaw !== '') {
    if (!UNITS.includes(unitRaw as Unit)) fail('dateRange.unit', `'${String(unitRaw)}' is not one of ${UNITS.join(', ')}`);
    unit = unitRaw as Unit;
  }
  const filter = andFilters(parseFilterInput(fields.filters, 'filters', fields.match), segment);
  return { website, range, timeZone, unit, filter, now };
}

/** The segment id a body names, if any: `segment` at the top, in `parameters`, or in `filters`. */
export function segmentIdOf(fields: Fields): string | undefined {
  const fromFilters = isObject(fields.filters) ? fields.filters.segment : undefined;
  const v = fields.segment ?? fromFilters;
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || !z.guid().safeParse(v).success) return fail('segment', 'must be a segment id (uuid)');
  return v;
}

/** A Query over the scope; reports set rows, metrics, dimensions and the rest. */
export function scopeQuery(s: ReportScope, parts: Partial<Query> & Pick<Query, 'metrics'>): Query {
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
