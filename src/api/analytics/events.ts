// Custom events and their data: /events, /events/series, /events/stats, /event-data/*.

import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../server/errors.js';
import { andFilters } from '../../query/filters.js';
import { listEvents } from '../../query/lists.js';
import { eventDataEvents, eventDataFields, eventDataProperties, eventDataStats, eventDataValues } from '../../query/properties.js';
import type { Filter, MetricName, Query } from '../../query/types.js';
import type { Website } from '../../store/types.js';
import { paged, parsePaging } from '../paging.js';
import { scopeOf, type RequestScope } from '../scope.js';
import { parseCompare, parseInteger, query, str, type Analytics } from './params.js';

const EVENT_STATS: MetricName[] = ['events', 'visitors', 'visits', 'uniqueEvents'];

/** `[{x: eventName, t: bucket, y: count}]`, optionally only the `limit` most frequent events. */
export async function eventSeries(s: RequestScope, range: Query['range'], tz: string, unit: Query['dimensions'][number]) {
  const { a, values: p } = s;
  let filter = s.filter();
  const limit = str(p, 'limit') ? parseInteger(p, 'limit', 0, 1, 10_000) : null;
  if (limit) {
    const top = await a.engine.run(
      s.query({ range, rows: 'custom', metrics: ['events'], dimensions: [{ kind: 'field', name: 'event' }], filter, orderBy: [{ key: 'events', dir: 'desc' }, { key: 'd0', dir: 'asc' }], limit }),
    );
    const names = top.rows.map((r) => String(r.dims[0]));
    if (names.length === 0) return [];
    filter = andFilters(filter, { kind: 'leaf', dim: 'event', op: 'eq', values: names });
  }
  const result = await a.engine.run(
    s.query({
      range,
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
    const s = await scopeOf(req, a);
    const website = s.website;
    const p = query(req);
    const range = s.range();
    const paging = parsePaging(p);
    // Here `query` is the search text (seed 001), not the URL-query filter.
    const result = await listEvents(a.engine, scope(website, range, s.filter(['query'])), paging);
    return paged(result, paging, (x) => x);
  });

  app.get('/api/websites/:websiteId/events/series', async (req) => {
    const s = await scopeOf(req, a);
    return eventSeries(s, s.range(), s.timeZone(), { kind: 'time', unit: s.unit('day') });
  });

  app.get('/api/websites/:websiteId/events/stats', async (req) => {
    const s = await scopeOf(req, a);
    const p = query(req);
    const q = s.query({ rows: 'custom', metrics: EVENT_STATS, compare: parseCompare(p) });
    const result = await a.engine.run(q);
    const cur = result.rows[0]?.values ?? {};
    const prev = result.prev?.[0]?.values ?? {};
    const pick = (v: Record<string, number>) => Object.fromEntries(EVENT_STATS.map((m) => [m, v[m] ?? 0]));
    return { data: { ...pick(cur), comparison: pick(prev) } };
  });

  app.get('/api/websites/:websiteId/event-data/events', async (req) => {
    const s = await scopeOf(req, a);
    const website = s.website;
    const p = query(req);
    const range = s.range();
    return eventDataEvents(a.engine, scope(website, range, s.filter(['event'])), str(p, 'event') ?? str(p, 'eventName'));
  });

  app.get('/api/websites/:websiteId/event-data/fields', async (req) => {
    const s = await scopeOf(req, a);
    const website = s.website;
    return eventDataFields(a.engine, scope(website, s.range(), s.filter()));
  });

  app.get('/api/websites/:websiteId/event-data/properties', async (req) => {
    const s = await scopeOf(req, a);
    const website = s.website;
    return eventDataProperties(a.engine, scope(website, s.range(), s.filter()));
  });

  app.get('/api/websites/:websiteId/event-data/values', async (req) => {
    const s = await scopeOf(req, a);
    const website = s.website;
    const p = query(req);
    const range = s.range();
    const propertyName = str(p, 'propertyName');
    if (!propertyName) throw badRequest('Invalid propertyName: required');
    const event = str(p, 'eventName') ?? str(p, 'event');
    return eventDataValues(a.engine, scope(website, range, s.filter(['event'])), propertyName, event);
  });

  app.get('/api/websites/:websiteId/event-data/stats', async (req) => {
    const s = await scopeOf(req, a);
    const website = s.website;
    const stats = await eventDataStats(a.engine, scope(website, s.range(), s.filter()));
    // Seed 001 calls the distinct property names `fields`; newer Umami calls them `properties`.
    return [{ events: stats.events, fields: stats.fields, properties: stats.fields, records: stats.records }];
  });
}
