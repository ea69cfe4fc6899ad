// Now-ish and helper reads: /active, /daterange, /values, and GET /api/realtime/:websiteId.

import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../server/errors.js';
import { canonicalDimension, dimension } from '../../query/dimensions.js';
import { andFilters, FILTER_PARAMS } from '../../query/filters.js';
import { dateRange, recentRows } from '../../query/lists.js';
import type { Filter, Query } from '../../query/types.js';
import { dataStart, scopeOf } from '../scope.js';
import { query, str, type Analytics } from './params.js';

const MINUTE = 60_000;

function asMap(rows: { dims: readonly (string | number | null)[]; values: Record<string, number> }[], metric: string) {
  // Keys are stored values (a path may be `__proto__`): an object without a prototype keeps them all.
  const out: Record<string, number> = Object.create(null);
  for (const r of rows) out[String(r.dims[0] ?? '')] = r.values[metric] ?? 0;
  return out;
}

export function registerLive(app: FastifyInstance, a: Analytics): void {
  app.get('/api/websites/:websiteId/active', async (req) => {
    const s = await scopeOf(req, a);
    const website = s.website;
    const now = a.now();
    const range = { start: new Date(Math.max(now.getTime() - 5 * MINUTE, dataStart(website).getTime())), end: now };
    const result = await a.engine.run(s.query({ range, filter: null, rows: 'all', metrics: ['visitors'] }));
    return { visitors: result.rows[0]?.values.visitors ?? 0 };
  });

  app.get('/api/websites/:websiteId/daterange', async (req) => {
    const s = await scopeOf(req, a);
    const website = s.website;
    return dateRange(a.engine, website.id, dataStart(website));
  });

  app.get('/api/websites/:websiteId/values', async (req) => {
    const s = await scopeOf(req, a);
    const p = query(req);
    const type = str(p, 'type');
    const name = type && FILTER_PARAMS.includes(type) ? canonicalDimension(type) : undefined;
    if (!name) throw badRequest(`Invalid type: '${type ?? ''}' is not a filter field`);
    const def = dimension(name);
    const range = s.range();
    // Search: a comma list, any of up to five terms.
    const terms = (str(p, 'search') ?? '').split(',').map((t) => t.trim()).filter(Boolean).slice(0, 5);
    const search: Filter | null = terms.length ? { kind: 'or', children: terms.map((t) => ({ kind: 'leaf', dim: name, op: 'contains', values: [t] })) } : null;
    const metric = def.rows === 'custom' ? 'events' : 'pageviews';
    const result = await a.engine.run(
      s.query({ range,
        rows: def.rows,
        metrics: [metric],
        dimensions: [{ kind: 'field', name }],
        filter: andFilters(s.filter(), search, { kind: 'leaf', dim: name, op: 'neq', values: [''] }),
        orderBy: [{ key: metric, dir: 'desc' }, { key: 'd0', dir: 'asc' }],
        limit: 10,
      }),
    );
    return result.rows.map((r) => ({ value: r.dims[0], count: r.values[metric] ?? 0 }));
  });

  app.get('/api/realtime/:websiteId', async (req) => {
    const s = await scopeOf(req, a);
    const website = s.website;
    const now = a.now();
    // Umami shows the last 30 minutes whatever the client asks for.
    const range: Query['range'] = { start: new Date(Math.max(now.getTime() - 30 * MINUTE, dataStart(website).getTime())), end: now };
    const tz = s.timeZone();
    const q = (parts: Partial<Query> & Pick<Query, 'metrics'>) => s.query({ range, filter: null, timeZone: tz, ...parts });
    const top = (name: string, metric: 'pageviews' | 'visitors') =>
      q({ metrics: [metric], dimensions: [{ kind: 'field', name }], orderBy: [{ key: metric, dir: 'desc' }, { key: 'd0', dir: 'asc' }] });
    const [urls, referrers, countries, minutes, traffic, custom, recent] = await Promise.all([
      a.engine.run(top('path', 'pageviews')),
      a.engine.run(top('referrer', 'pageviews')),
      a.engine.run(top('country', 'visitors')),
      a.engine.run(q({ metrics: ['pageviews', 'visitors'], dimensions: [{ kind: 'time', unit: 'minute' }], orderBy: [{ key: 'd0', dir: 'asc' }] })),
      a.engine.run(q({ metrics: ['pageviews', 'visitors', 'countries'] })),
      a.engine.run(q({ rows: 'custom', metrics: ['events'] })),
      recentRows(a.engine, { websiteId: website.id, range, filter: null }, 100),
    ]);
    const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));
    const events = [
      ...recent.rows.map((r) => ({
        __type: Number(r.event_type) === 2 ? 'event' : 'pageview',
        sessionId: String(r.session_id),
        eventName: r.event_name ?? null,
        createdAt: iso(r.created_at),
        browser: r.browser ?? null,
        os: r.os ?? null,
        device: r.device ?? null,
        country: r.country ?? null,
        urlPath: r.url_path ?? null,
        referrerDomain: r.referrer_domain ?? null,
        hostname: r.hostname ?? null,
      })),
      ...recent.firsts.map((r) => ({
        __type: 'session',
        sessionId: String(r.session_id),
        createdAt: iso(r.first_at),
        browser: r.s_browser ?? null,
        os: r.s_os ?? null,
        device: r.s_device ?? null,
        country: r.s_country ?? null,
      })),
    ]
      .sort((x, y) => (x.createdAt < y.createdAt ? 1 : x.createdAt > y.createdAt ? -1 : x.__type === 'session' ? 1 : -1))
      .slice(0, 100);
    const t = traffic.rows[0]?.values ?? {};
    return {
      countries: asMap(countries.rows, 'visitors'),
      urls: asMap(urls.rows, 'pageviews'),
      referrers: asMap(referrers.rows, 'pageviews'),
      events,
      series: {
        views: minutes.rows.map((r) => ({ x: r.dims[0], y: r.values.pageviews ?? 0 })),
        visitors: minutes.rows.map((r) => ({ x: r.dims[0], y: r.values.visitors ?? 0 })),
      },
      totals: { views: t.pageviews ?? 0, visitors: t.visitors ?? 0, events: custom.rows[0]?.values.events ?? 0, countries: t.countries ?? 0 },
      timestamp: now.getTime(),
    };
  });
}
