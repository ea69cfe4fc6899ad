// Sessions and session data: /sessions, /sessions/stats, /sessions/weekly, /sessions/:id[/...],
// /session-data/*.

import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../../server/errors.js';
import { isUuid } from '../../store/sql/executor.js';
import { getSession, listSessions, sessionActivity } from '../../query/lists.js';
import { sessionDataProperties, sessionDataValues, sessionProperties } from '../../query/properties.js';
import type { Query } from '../../query/types.js';
import { paged, parsePaging } from '../paging.js';
import { dataStart, scopeOf } from '../scope.js';
import { query, str, type Analytics } from './params.js';

const FOREVER = new Date(Date.UTC(9999, 11, 31));

function sessionIdOf(params: unknown): string {
  const id = (params as Record<string, string>).sessionId;
  if (!isUuid(id)) throw notFound('Session not found');
  return id;
}

export function registerSessions(app: FastifyInstance, a: Analytics): void {
  app.get('/api/websites/:websiteId/sessions', async (req) => {
    const s = await scopeOf(req, a);
    const website = s.website;
    const p = query(req);
    const range = s.range();
    const paging = parsePaging(p);
    const result = await listSessions(a.engine, { websiteId: website.id, range, filter: s.filter(['query']) }, paging);
    return paged(result, paging, (x) => x);
  });

  app.get('/api/websites/:websiteId/sessions/stats', async (req) => {
    const s = await scopeOf(req, a);
    const range = s.range();
    const filter = s.filter();
    const [traffic, custom] = await Promise.all([
      a.engine.run(s.query({ range, metrics: ['pageviews', 'visitors', 'visits', 'countries'], filter })),
      a.engine.run(s.query({ range, rows: 'custom', metrics: ['events'], filter })),
    ]);
    const t = traffic.rows[0]?.values ?? {};
    return {
      pageviews: { value: t.pageviews ?? 0 },
      visitors: { value: t.visitors ?? 0 },
      visits: { value: t.visits ?? 0 },
      countries: { value: t.countries ?? 0 },
      events: { value: custom.rows[0]?.values.events ?? 0 },
    };
  });

  app.get('/api/websites/:websiteId/sessions/weekly', async (req) => {
    const s = await scopeOf(req, a);
    const q = s.query({
      timeZone: s.timeZone(),
      metrics: ['visitors'],
      dimensions: [{ kind: 'weekday' }, { kind: 'hourOfDay' }],
      filter: s.filter(),
    });
    const grid = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
    for (const r of (await a.engine.run(q)).rows) grid[Number(r.dims[0])][Number(r.dims[1])] = r.values.visitors ?? 0;
    return grid;
  });

  app.get('/api/websites/:websiteId/sessions/:sessionId', async (req) => {
    const s = await scopeOf(req, a);
    const website = s.website;
    const sessionId = sessionIdOf(req.params);
    const range: Query['range'] = { start: dataStart(website), end: FOREVER };
    const session = await getSession(a.engine, { websiteId: website.id, range, filter: null }, sessionId);
    if (!session) throw notFound('Session not found');
    const time = await a.engine.run(
      s.query({ range, metrics: ['totaltime'], filter: { kind: 'leaf', dim: 'sessionId', op: 'eq', values: [sessionId] } }),
    );
    return { ...session, totaltime: time.rows[0]?.values.totaltime ?? 0 };
  });

  app.get('/api/websites/:websiteId/sessions/:sessionId/activity', async (req) => {
    const s = await scopeOf(req, a);
    const website = s.website;
    const sessionId = sessionIdOf(req.params);
    return sessionActivity(a.engine, { websiteId: website.id, range: s.range(), filter: null }, sessionId);
  });

  app.get('/api/websites/:websiteId/sessions/:sessionId/properties', async (req) => {
    const s = await scopeOf(req, a);
    const website = s.website;
    const sessionId = sessionIdOf(req.params);
    return sessionProperties(a.engine, website.id, sessionId);
  });

  app.get('/api/websites/:websiteId/session-data/properties', async (req) => {
    const s = await scopeOf(req, a);
    const website = s.website;
    return sessionDataProperties(a.engine, { websiteId: website.id, range: s.range(), filter: s.filter() });
  });

  app.get('/api/websites/:websiteId/session-data/values', async (req) => {
    const s = await scopeOf(req, a);
    const website = s.website;
    const p = query(req);
    const range = s.range();
    const propertyName = str(p, 'propertyName');
    if (!propertyName) throw badRequest('Invalid propertyName: required');
    return sessionDataValues(a.engine, { websiteId: website.id, range, filter: s.filter() }, propertyName);
  });
}
