// A request's scope: the website, its range, time zone, unit and filters (the request's own, its
// saved segment, its cohort and excludeBounce), from either a GET's parameters or a report's body.
// Every analytics and report route gets one from here, so none can skip a part of it; what the
// route asks for is parsed when it asks (a route without a range never needs startAt).

import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireWebsiteView } from '../server/permissions.js';
import { parse, uuid } from '../server/validate.js';
import type { Website } from '../store/types.js';
import { canonicalDimension } from '../query/dimensions.js';
import { andFilters, parseFilterParams, parseFilterValue } from '../query/filters.js';
import { normalizeTimeZone, parseInstant, relativeRange } from '../query/time.js';
import { QueryError, type Filter, type MetricName, type Query, type TimeRange, type Unit } from '../query/types.js';
import { flattenBody, parseFilterInput, scopeQuery, type ReportScope } from '../reports/report-input.js';
import { segmentFilter, segmentParameters } from '../reports/segment-filters.js';
import { str, type Analytics, type Params } from './analytics/params.js';

/** Where a scope's parts are read from: a GET's query string, or a report body's flattened fields. */
export type ScopeSource = { kind: 'params'; values: Params } | { kind: 'body'; values: Params };

const SERIES_UNITS: readonly Unit[] = ['minute', 'hour', 'day', 'month', 'year'];
const EPOCH_2000 = Date.UTC(2000, 0, 1);

/** Website data starts at its last reset (and never before 2000). */
export function dataStart(website: Website): Date {
  return new Date(Math.max(EPOCH_2000, website.resetAt ? website.resetAt.getTime() : 0));
}

const invalid = (field: string, message: string): never => {
  throw new QueryError(`Invalid ${field}: ${message}`, field);
};

export class RequestScope {
  private filterCache = new Map<string, Filter | null>();

  constructor(
    readonly a: Analytics,
    readonly website: Website,
    private readonly source: ScopeSource,
    /** excludeBounce, segment and cohort, resolved once: ANDed into every filter of the request. */
    private readonly extra: Filter | null,
    readonly now: Date,
  ) {}

  /** The request's own values (query parameters, or a report's flattened body). */
  get values(): Params {
    return this.source.values;
  }

  /**
   * Inclusive UTC range, clamped to the website's data start. GET: epoch-ms `startAt`/`endAt` (or
   * other names, as v1's `start_at`/`end_at`); bodies: `dateRange.startDate`/`endDate` (ISO or ms).
   */
  range(names?: [string, string]): TimeRange {
    const v = this.source.values;
    const body = this.source.kind === 'body';
    const pick = (candidates: string[]): [string, unknown] => {
      for (const n of candidates) if (v[n] !== undefined && v[n] !== null && v[n] !== '') return [n, Array.isArray(v[n]) ? (v[n] as unknown[]).at(-1) : v[n]];
      return [candidates[0], undefined];
    };
    const label = (n: string) => (body && (n === 'startDate' || n === 'endDate') ? `dateRange.${n}` : n);
    const [sName, sRaw] = pick(names ? [names[0]] : body ? ['startDate', 'startAt'] : ['startAt']);
    const [eName, eRaw] = pick(names ? [names[1]] : body ? ['endDate', 'endAt'] : ['endAt']);
    if (sRaw === undefined) invalid(label(sName), body ? 'required' : 'required (epoch milliseconds)');
    if (eRaw === undefined) invalid(label(eName), body ? 'required' : 'required (epoch milliseconds)');
    const start = parseInstant(sRaw, label(sName), body);
    const end = parseInstant(eRaw, label(eName), body);
    if (start > end) invalid(label(sName), `${sName} is after ${eName}`);
    return { start: new Date(Math.max(start, dataStart(this.website).getTime())), end: new Date(end) };
  }

  timeZone(name = 'timezone'): string {
    const v = this.source.values[name];
    return normalizeTimeZone(typeof v === 'string' && v !== '' ? v : undefined, name);
  }

  unit(fallback: Unit = 'day', name = 'unit'): Unit {
    const v = this.source.kind === 'params' ? str(this.source.values, name) : this.source.values[name];
    if (v === undefined || v === null || v === '') return fallback;
    const field = this.source.kind === 'body' ? `dateRange.${name}` : name;
    if (typeof v !== 'string' || !SERIES_UNITS.includes(v as Unit)) return invalid(field, `'${String(v)}' is not one of ${SERIES_UNITS.join(', ')}`);
    return v as Unit;
  }

  /** The request's filters (without the parameters in `skip`) AND its segment, cohort and excludeBounce. */
  filter(skip: readonly string[] = []): Filter | null {
    const key = skip.join();
    if (!this.filterCache.has(key)) {
      const v = this.source.values;
      const own = this.source.kind === 'params' ? parseFilterParams(v, skip) : parseFilterInput(v.filters, 'filters', v.match);
      this.filterCache.set(key, andFilters(own, this.extra));
    }
    return this.filterCache.get(key) ?? null;
  }

  /** A Query over this scope; the parts a route gives win over the scope's. */
  query(parts: Partial<Query> & { metrics: readonly MetricName[] }): Query {
    return scopeQuery(
      {
        website: this.website,
        range: parts.range ?? this.range(),
        timeZone: parts.timeZone ?? 'UTC',
        filter: 'filter' in parts ? (parts.filter ?? null) : this.filter(),
        now: this.now,
      },
      parts,
    );
  }

  /** Everything a report reads: range, zone, unit and filter, all required to be valid. */
  report(): ReportScope {
    return { website: this.website, range: this.range(), timeZone: this.timeZone(), unit: this.unit(), filter: this.filter(), now: this.now };
  }
}

/** The one way a request becomes a scope, whatever carried its parameters. */
export async function resolveScope(a: Analytics, website: Website, source: ScopeSource): Promise<RequestScope> {
  const v = source.values;
  const now = a.now();
  const segmentId = source.kind === 'body' && v.filters && typeof v.filters === 'object' && !Array.isArray(v.filters) ? (v.segment ?? (v.filters as Params).segment) : v.segment;
  const extra = andFilters(
    excludeBounceFilter(v.excludeBounce),
    await segmentFilter(a.ctx.store, website.id, segmentIdOf(segmentId)),
    await cohortFilter(a, website, v.cohort, now, () => new RequestScope(a, website, source, null, now).timeZone()),
  );
  return new RequestScope(a, website, source, extra, now);
}

/** GET routes under /api/websites/:websiteId: the caller must see the website. */
export async function scopeOf(req: FastifyRequest, a: Analytics, param = 'websiteId'): Promise<RequestScope> {
  const website = await requireWebsiteView(req, a.ctx, (req.params as Record<string, string>)[param]);
  return scopeFor(req, a, website);
}

/** A GET route whose website was found another way (v1's integer ids); the caller saw it. */
export function scopeFor(req: FastifyRequest, a: Analytics, website: Website): Promise<RequestScope> {
  return resolveScope(a, website, { kind: 'params', values: (req.query ?? {}) as Params });
}

/** `POST /api/reports/<type>` bodies, in seed 001's shape or newer Umami's. */
export async function bodyScopeOf(req: FastifyRequest, a: Analytics): Promise<RequestScope> {
  const fields = flattenBody(req.body);
  const websiteId = parse(uuid, fields.websiteId, 'websiteId');
  const website = await requireWebsiteView(req, a.ctx, websiteId);
  return resolveScope(a, website, { kind: 'body', values: fields });
}

function segmentIdOf(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const last = Array.isArray(v) ? v.at(-1) : v;
  if (typeof last !== 'string' || !z.guid().safeParse(last).success) return invalid('segment', 'must be a segment id (uuid)');
  return last;
}

/** `excludeBounce=true|1` (or a boolean in a body): only visits with more than one pageview. */
export function excludeBounceFilter(value: unknown): Filter | null {
  const v = Array.isArray(value) ? value.at(-1) : value;
  if (v === undefined || v === null || v === '' || v === false || v === 'false' || v === '0') return null;
  if (v === true || v === 'true' || v === '1') return { kind: 'excludeBounce' };
  return invalid('excludeBounce', `'${String(v)}' is not one of true, false, 1, 0`);
}

const badCohort = (message: string): never => invalid('cohort', message);

/**
 * `cohort=<id>`: a saved segment of type cohort, `parameters: {filters, match?, dateRange?,
 * action?: {type, value}}`. The query keeps the sessions that, inside the cohort's date range,
 * have a row matching its filters (ORed under `match: any`) and its action (`type` is a filter
 * field such as path or event; always ANDed). Without a dateRange, the range being queried.
 */
async function cohortFilter(a: Analytics, website: Website, value: unknown, now: Date, zone: () => string): Promise<Filter | null> {
  const id = Array.isArray(value) ? value.at(-1) : value;
  if (id === undefined || id === null || id === '') return null;
  if (typeof id !== 'string' || !z.guid().safeParse(id).success) return badCohort('must be a cohort id (uuid)');
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
  const range = c.dateRange === undefined || c.dateRange === null || c.dateRange === '' ? null : relativeRange(c.dateRange, now, zone(), dataStart(website), 'cohort.dateRange');
  return { kind: 'cohort', range, filter };
}

