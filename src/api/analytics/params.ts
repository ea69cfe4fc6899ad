// Request parameters -> parts of a Query. Every analytics route goes through these, so the
// rules (required dates, reset clamp, time zone, unit, filters) live in one place.

import type { FastifyRequest } from 'fastify';
import { badRequest } from '../../server/errors.js';
import type { AppContext } from '../../server/context.js';
import { requireWebsiteView } from '../../server/permissions.js';
import type { Website } from '../../store/types.js';
import { z } from 'zod';
import { canonicalDimension } from '../../query/dimensions.js';
import { QueryEngine } from '../../query/engine.js';
import { andFilters, parseFilterParams, parseFilterValue } from '../../query/filters.js';
import { parseFilterInput } from '../../reports/scope.js';
import { segmentFilter, segmentParameters } from '../../reports/segments.js';
import { normalizeTimeZone, offsetMinutes } from '../../query/time.js';
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

// `segment=<id>`, `cohort=<id>` and `excludeBounce`: resolved once per request by websiteOf (after
// the permission check, so ids of other websites cannot be probed) and ANDed into every filter
// parseFilters builds for that request's parameters, also under `match=any`.
const requestFilters = new WeakMap<Params, Filter>();

export async function websiteOf(req: FastifyRequest, a: Analytics, param = 'websiteId'): Promise<Website> {
  const id = (req.params as Record<string, string>)[param];
  const website = await requireWebsiteView(req, a.ctx, id);
  const p = query(req);
  const extra = await guard(async () =>
    andFilters(excludeBounceFilter(p), await segmentFilter(a.ctx.store, website.id, str(p, 'segment')), await cohortFilter(a, website, p)),
  );
  if (extra) requestFilters.set(p, extra);
  return website;
}

/** `excludeBounce=true|1`: only visits with more than one pageview. */
export function excludeBounceFilter(p: Params): Filter | null {
  const v = str(p, 'excludeBounce');
  if (v === undefined || v === 'false' || v === '0') return null;
  if (v === 'true' || v === '1') return { kind: 'excludeBounce' };
  throw new QueryError(`Invalid excludeBounce: '${v}' is not one of true, false, 1, 0`, 'excludeBounce');
}

const badCohort = (message: string): never => {
  throw new QueryError(`Invalid cohort: ${message}`, 'cohort');
};

/**
 * `cohort=<id>`: a saved segment of type cohort, `parameters: {filters, match?, dateRange?,
 * action?: {type, value}}`. The query keeps the sessions that, inside the cohort's date range,
 * have a row matching its filters (ORed under `match: any`) and its action (`type` is a filter
 * field such as path or event; always ANDed). Without a dateRange, the range being queried.
 */
export async function cohortFilter(a: Analytics, website: Website, p: Params): Promise<Filter | null> {
  const id = str(p, 'cohort');
  if (!id) return null;
  if (!z.guid().safeParse(id).success) return badCohort('must be a cohort id (uuid)');
  const segment = await a.ctx.store.segments.get(id);
  if (!segment || segment.websiteId !== website.id) return badCohort('no such cohort for this website');
  if (segment.type !== 'cohort') return badCohort(`segment ${id} is a ${segment.type}, not a cohort`);
  const parsed = segmentParameters.safeParse(segment.parameters ?? {});
  if (!parsed.success) return badCohort('its saved parameters are not valid');
  const c = parsed.data;
  let filter = parseFilterInput(c.filters, 'cohort.filters', c.match);
  if (c.action) {
    const dim = canonicalDimension(c.action.type);
    if (!dim) return badCohort(`unknown action type '${c.action.type}'`);
    filter = andFilters(filter, parseFilterValue('cohort.action', dim, `eq.${c.action.value}`));
  }
  const range = c.dateRange === undefined || c.dateRange === null || c.dateRange === '' ? null : cohortRange(c.dateRange, a.now(), parseTimeZone(p), dataStart(website));
  return { kind: 'cohort', range, filter };
}

type CalendarUnit = 'hour' | 'day' | 'week' | 'month' | 'year';

/** Start of the unit containing wall-clock time `wall` (ms, UTC fields = local time), `back` units earlier. */
function wallStart(wall: number, unit: CalendarUnit, back: number): number {
  const t = new Date(wall);
  const [y, m, d, h] = [t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours()];
  switch (unit) {
    case 'hour':
      return Date.UTC(y, m, d, h - back);
    case 'day':
      return Date.UTC(y, m, d - back);
    case 'week':
      // Weeks start on Sunday, as in Umami's date ranges (en-US).
      return Date.UTC(y, m, d - t.getUTCDay() - 7 * back);
    case 'month':
      return Date.UTC(y, m - back, 1);
    case 'year':
      return Date.UTC(y - back, 0, 1);
  }
}

/** The instant whose wall-clock time in `zone` is `wall`. */
function wallToUtc(wall: number, zone: string): number {
  const guess = wall - offsetMinutes(zone, wall) * 60_000;
  return wall - offsetMinutes(zone, guess) * 60_000;
}

/**
 * A cohort's date range as Umami's date filter writes it: `range:<startMs>:<endMs>`, `all`, or
 * `<n><unit>` (unit hour, day, week, month or year): the current unit and the n - 1 before it
 * (`0day` = today), in the request's time zone. An object `{startDate, endDate}` works too.
 */
export function cohortRange(value: unknown, now: Date, zone: string, floor: Date): TimeRange {
  const clamp = (start: number, end: number): TimeRange => ({ start: new Date(Math.max(start, floor.getTime())), end: new Date(end) });
  const instant = (v: unknown): number => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d{1,16}$/.test(v) ? Number(v) : typeof v === 'string' ? Date.parse(v) : NaN;
    if (!Number.isFinite(n) || Math.abs(n) > 8.64e15) return badCohort(`dateRange ${JSON.stringify(v)} is not a date`);
    return n;
  };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    return clamp(instant(o.startDate), instant(o.endDate));
  }
  if (typeof value !== 'string') return badCohort('dateRange must be a string such as 30day or range:<startMs>:<endMs>');
  if (value === 'all') return clamp(floor.getTime(), now.getTime());
  const custom = /^range:(\d{1,16}):(\d{1,16})$/.exec(value);
  if (custom) return clamp(instant(custom[1]), instant(custom[2]));
  const rel = /^(\d{1,4})(hour|day|week|month|year)$/.exec(value);
  if (!rel) return badCohort(`dateRange '${value}' is not one of all, range:<startMs>:<endMs>, <n>hour|day|week|month|year`);
  const n = Number(rel[1]);
  const unit = rel[2] as CalendarUnit;
  const wallNow = now.getTime() + offsetMinutes(zone, now.getTime()) * 60_000;
  const start = wallToUtc(wallStart(wallNow, unit, Math.max(n - 1, 0)), zone);
  const end = wallToUtc(wallStart(wallNow, unit, -1), zone) - 1;
  return clamp(start, end);
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
    return andFilters(parseFilterParams(p, skip), requestFilters.get(p));
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
