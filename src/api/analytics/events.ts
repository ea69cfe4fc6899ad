// Custom events and their data: /events, /events/series, /events/stats, /event-data/*.

import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../server/errors.js';
import { andFilters } from '../../query/filters.js';
import { listEvents } from '../../query/lists.js';
import { eventDataEvents, eventDataFields, eventDataProperties, eventDataStats, eventDataValues } from '../../query/properties.js';
import type { Filter, MetricName, Query } from '../../query/types.js';
import type { Website } from '../../store/types.js';
import { paged, parsePaging } from '../paging.js';
import { baseQuery, guard, parseCompare, parseFilters, parseInteger, parseRange, parseTimeZone, parseUnit, query, str, websiteOf, type Analytics, type Params } from './params.js';

const EVENT_STATS: MetricName[] = ['events', 'visitors', 'visits', 'uniqueEvents'];

/** `[{x: eventName, t: bucket, y: count}]`, optionally only the `limit` most frequent events. */
export async function eventSeries(a: Analytics, website: Website, p: Params, range: Query['range'], tz: string, unit: Query['dimensions'][number]) {
  let filter = parseFilters(p);
  const limit = str(p, 'limit') ? parseInteger(p, 'limit', 0, 1, 10_000) : null;
  if (limit) {
    const top = await a.engine.run(
      baseQuery(a, website, range, { rows: 'custom', metrics: ['events'], dimensions: [{ kind: 'field', name: 'event' }], filter, orderBy: [{ key: 'events', dir: 'desc' }, { key: 'd0', dir: 'asc' }], limit }),
    );
    const names = top.rows.map((r) => String(r.dims[0]));
    if (names.length === 0) return [];
    filter = andFilters(filter, { kind: 'leaf', dim: 'event', op: 'eq', values: names });
  }
  const result = await a.engine.run(
    baseQuery(a, website, range, {
      rows: 'custom',
      timeZone: tz,
      metrics: ['events'],
      dimensions: [{ kind: 'field', name: 'event' }, unit],
      filter: andFilters(filter, { kind: 'leaf', dim: 'event', op: 'neq', values: [''] }),
      orderBy: [{ key: 'd1', dir: 'asc' }, { key: 'd0', dir: 'asc' }],
    }),
  );
  return result.rows.map((r) => ({ x: r.dims[0], t: r.dims[1], y: r.values.events ?? 0 }));
}

function scope(website: Website, range: Query['range'], filter: Filter | null) {
  return { websiteId: website.id, range, filter };
}

export function registerEvents(app: FastifyInstance, a: Analytics): void {
  app.get('/api/websites/:websiteId/events', async (req) => {
    const website = await websiteOf(req, a);
    const p = query(req);
    return guard(async () => {
      const range = parseRange(p, website);
      const paging = parsePaging(p);
      // Here `query` is the search text (seed 001), not the URL-query filter.
      const result = await listEvents(a.engine, scope(website, range, parseFilters(p, ['query'])), paging);
      return paged(result, paging, (x) => x);
    });
  });

  app.get('/api/websites/:websiteId/events/series', async (req) => {
    const website = await websiteOf(req, a);
    const p = query(req);
    return guard(async () => eventSeries(a, website, p, parseRange(p, website), parseTimeZone(p), { kind: 'time', unit: parseUnit(p, 'unit', 'day') }));
  });

  app.get('/api/websites/:websiteId/events/stats', async (req) => {
    const website = await websiteOf(req, a);
    const p = query(req);
    return guard(async () => {
      const q = baseQuery(a, website, parseRange(p, website), { rows: 'custom', metrics: EVENT_STATS, filter: parseFilters(p), compare: parseCompare(p) });
      const result = await a.engine.run(q);
      const cur = result.rows[0]?.values ?? {};
      const prev = result.prev?.[0]?.values ?? {};
      const pick = (v: Record<string, number>) => Object.fromEntries(EVENT_STATS.map((m) => [m, v[m] ?? 0]));
      return { data: { ...pick(cur), comparison: pick(prev) } };
    });
  });

  app.get('/api/websites/:websiteId/event-data/events', async (req) => {
    const website = await websiteOf(req, a);
    const p = query(req);
    return guard(async () => {
      const range = parseRange(p, website);
      return eventDataEvents(a.engine, scope(website, range, parseFilters(p, ['event'])), str(p, 'event') ?? str(p, 'eventName'));
    });
  });

  app.get('/api/websites/:websiteId/event-data/fields', async (req) => {
    const website = await websiteOf(req, a);
    const p = query(req);
    return guard(async () => eventDataFields(a.engine, scope(website, parseRange(p, website), parseFilters(p))));
  });

  app.get('/api/websites/:websiteId/event-data/properties', async (req) => {
    const website = await websiteOf(req, a);
    const p = query(req);
    return guard(async () => eventDataProperties(a.engine, scope(website, parseRange(p, website), parseFilters(p))));
  });

  app.get('/api/websites/:websiteId/event-data/values', async (req) => {
    const website = await websiteOf(req, a);
    const p = query(req);
    return guard(async () => {
      const range = parseRange(p, website);
      const propertyName = str(p, 'propertyName');
      if (!propertyName) throw badRequest('Invalid propertyName: required');
      const event = str(p, 'eventName') ?? str(p, 'event');
      return eventDataValues(a.engine, scope(website, range, parseFilters(p, ['event'])), propertyName, event);
    });
  });

  app.get('/api/websites/:websiteId/event-data/stats', async (req) => {
    const website = await websiteOf(req, a);
    const p = query(req);
    return guard(async () => {
      const s = await eventDataStats(a.engine, scope(website, parseRange(p, website), parseFilters(p)));
      // Seed 001 calls the distinct property names `fields`; newer Umami calls them `properties`.
      return [{ events: s.events, fields: s.fields, properties: s.fields, records: s.records }];
    });
  });
}
