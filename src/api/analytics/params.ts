// Request parameters -> parts of a Query. Every analytics route goes through these, so the
// rules (required dates, reset clamp, time zone, unit, filters) live in one place.

import type { FastifyRequest } from 'fastify';
import { badRequest } from '../../server/errors.js';
import type { AppContext } from '../../server/context.js';
import { requireWebsiteView } from '../../server/permissions.js';
import type { Website } from '../../store/types.js';
import { QueryEngine } from '../../query/engine.js';
import { andFilters, parseFilterParams } from '../../query/filters.js';
import { segmentFilter } from '../../reports/segments.js';
import { normalizeTimeZone } from '../../query/time.js';
import { QueryError, type Filter, type MetricName, type Query, type TimeRange, type Unit } from '../../query/types.js';

export type Params = Record<string, unknown>;

export interface Analytics {
  ctx: AppContext;
  engine: QueryEngine;
  /** The clock; tests and benchmarks may pin it. */
  now(): Date;
}

export function analytics(ctx: AppContext): Analytics {
  return { ctx, engine: new QueryEngine(ctx.store.analytics), now: () => new Date() };
}

export const query = (req: FastifyRequest): Params => (req.query ?? {}) as Params;

/** Turn the engine's QueryError into the API's 400. */
export async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof QueryError) throw badRequest(err.message);
    throw err;
  }
}

// `segment=<id>`: the saved segment's filters, resolved once per request by websiteOf and added to
// every filter parseFilters builds for that request's parameters.
const segmentFilters = new WeakMap<Params, Filter>();

export async function websiteOf(req: FastifyRequest, a: Analytics, param = 'websiteId'): Promise<Website> {
  const id = (req.params as Record<string, string>)[param];
  const website = await requireWebsiteView(req, a.ctx, id);
  const p = query(req);
  const segment = await guard(() => segmentFilter(a.ctx.store, website.id, str(p, 'segment')));
  if (segment) segmentFilters.set(p, segment);
  return website;
}

function single(p: Params, name: string): string | undefined {
  const v = p[name];
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  return v === undefined || v === null ? undefined : String(v);
}

export function str(p: Params, name: string): string | undefined {
  const v = single(p, name);
  return v === '' ? undefined : v;
}

function epochMs(p: Params, name: string): number {
  const v = single(p, name);
  if (v === undefined || v === '') throw badRequest(`Invalid ${name}: required (epoch milliseconds)`);
  if (!/^-?\d{1,16}$/.test(v.trim())) throw badRequest(`Invalid ${name}: must be a number (epoch milliseconds)`);
  const n = Number(v);
  if (Math.abs(n) > 8.64e15) throw badRequest(`Invalid ${name}: out of range`);
  return n;
}

const EPOCH_2000 = Date.UTC(2000, 0, 1);

/** Website data starts at its last reset (and never before 2000). */
export function dataStart(website: Website): Date {
  return new Date(Math.max(EPOCH_2000, website.resetAt ? website.resetAt.getTime() : 0));
}

/** Inclusive [startAt, endAt] from epoch-ms parameters, clamped to the website's reset. */
export function parseRange(p: Params, website: Website, names: [string, string] = ['startAt', 'endAt']): TimeRange {
  const start = epochMs(p, names[0]);
  const end = epochMs(p, names[1]);
  if (start > end) throw badRequest(`Invalid ${names[0]}: ${names[0]} is after ${names[1]}`);
  // Data from before a reset is gone as far as the API is concerned.
  const from = website.resetAt && website.resetAt.getTime() > start ? website.resetAt.getTime() : start;
  return { start: new Date(from), end: new Date(end) };
}

export function parseTimeZone(p: Params, name = 'timezone'): string {
  try {
    return normalizeTimeZone(str(p, name), name);
  } catch (err) {
    if (err instanceof QueryError) throw badRequest(err.message);
    throw err;
  }
}

const SERIES_UNITS: readonly Unit[] = ['minute', 'hour', 'day', 'month', 'year'];

export function parseUnit(p: Params, name = 'unit', fallback: Unit = 'day', allowed: readonly Unit[] = SERIES_UNITS): Unit {
  const v = str(p, name);
  if (v === undefined) return fallback;
  if (!allowed.includes(v as Unit)) throw badRequest(`Invalid ${name}: '${v}' is not one of ${allowed.join(', ')}`);
  return v as Unit;
}

export function parseInteger(p: Params, name: string, fallback: number, min: number, max: number): number {
  const v = str(p, name);
  if (v === undefined) return fallback;
  if (!/^\d{1,9}$/.test(v)) throw badRequest(`Invalid ${name}: must be a whole number`);
  const n = Number(v);
  if (n < min || n > max) throw badRequest(`Invalid ${name}: must be between ${min} and ${max}`);
  return n;
}

export function parseFilters(p: Params, skip: readonly string[] = []): Filter | null {
  try {
    return andFilters(parseFilterParams(p, skip), segmentFilters.get(p));
  } catch (err) {
    if (err instanceof QueryError) throw badRequest(err.message);
    throw err;
  }
}

export function parseCompare(p: Params): 'prev' | 'yoy' {
  const v = str(p, 'compare');
  if (v === undefined || v === 'prev') return 'prev';
  if (v === 'yoy') return 'yoy';
  throw badRequest(`Invalid compare: '${v}' is not one of prev, yoy`);
}

/** A Query with the common parts filled; callers set metrics, dimensions and the rest. */
export function baseQuery(
  a: Analytics,
  website: Website,
  range: TimeRange,
  parts: Partial<Query> & { metrics: readonly MetricName[] },
): Query {
  return {
    websiteId: website.id,
    websiteDomain: website.domain,
    range,
    timeZone: 'UTC',
    rows: 'traffic',
    dimensions: [],
    filter: null,
    orderBy: [],
    limit: null,
    offset: 0,
    compare: null,
    now: a.now(),
    ...parts,
  };
}
