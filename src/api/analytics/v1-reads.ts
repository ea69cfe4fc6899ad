// Seed 000 (Umami v1) analytics: /api/website/:id/{stats,pageviews,events,metrics}. `:id` is the
// integer website id or the uuid; dates are start_at/end_at, the zone is `tz`.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireWebsiteView } from '../../server/permissions.js';
import type { Website } from '../../store/types.js';
import { resolveV1WebsiteId } from '../v1-websites.js';
import { eventSeries } from './events.js';
import { scopeFor } from '../scope.js';
import { query, type Analytics } from './params.js';
import { breakdownQuery, metricType } from './stats.js';

const NO_SUCH_WEBSITE = '00000000-0000-0000-0000-000000000000';
const V1_RANGE: [string, string] = ['start_at', 'end_at'];

async function v1Website(req: FastifyRequest, a: Analytics): Promise<Website> {
  const id = await resolveV1WebsiteId(a.ctx, (req.params as Record<string, string>).id);
  // An unknown id goes through the same check, so callers learn nothing they may not see.
  return requireWebsiteView(req, a.ctx, id ?? NO_SUCH_WEBSITE);
}

export function registerAnalyticsV1(app: FastifyInstance, a: Analytics): void {
  app.get('/api/website/:id/stats', async (req) => {
    const s = await scopeFor(req, a, await v1Website(req, a));
    const q = s.query({ range: s.range(V1_RANGE), metrics: ['pageviews', 'visitors', 'bounces', 'totaltime'] });
    const v = (await a.engine.run(q)).rows[0]?.values ?? {};
    return { pageviews: v.pageviews ?? 0, uniques: v.visitors ?? 0, bounces: v.bounces ?? 0, totaltime: v.totaltime ?? 0 };
  });

  app.get('/api/website/:id/pageviews', async (req) => {
    const s = await scopeFor(req, a, await v1Website(req, a));
    const q = s.query({ range: s.range(V1_RANGE),
      timeZone: s.timeZone('tz'),
      metrics: ['pageviews', 'visitors'],
      dimensions: [{ kind: 'time', unit: s.unit('day') }],
      filter: s.filter(),
      orderBy: [{ key: 'd0', dir: 'asc' }],
    });
    const rows = (await a.engine.run(q)).rows;
    return {
      pageviews: rows.map((r) => ({ t: r.dims[0], y: r.values.pageviews ?? 0 })),
      sessions: rows.map((r) => ({ t: r.dims[0], y: r.values.visitors ?? 0 })),
    };
  });

  app.get('/api/website/:id/events', async (req) => {
    const s = await scopeFor(req, a, await v1Website(req, a));
    return eventSeries(s, s.range(V1_RANGE), s.timeZone('tz'), { kind: 'time', unit: s.unit('day') });
  });

  app.get('/api/website/:id/metrics', async (req) => {
    const s = await scopeFor(req, a, await v1Website(req, a));
    const p = query(req);
    const type = metricType(p);
    const result = await a.engine.run(breakdownQuery(s, s.range(V1_RANGE), type, [type.countBy]));
    return result.rows.map((r) => ({ x: r.dims[0], y: r.values[type.countBy] ?? 0 }));
  });
}
