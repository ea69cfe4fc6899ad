// Every analytics read endpoint (v2 seed 001 and v1 seed 000). Routes parse parameters, build
// Queries and shape results; SQL lives in src/query/.

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../server/context.js';
import { registerEvents } from './events.js';
import { registerExport } from './export.js';
import { registerLive } from './live.js';
import { analytics } from './params.js';
import { registerQuery } from '../query.js';
import { registerSessions } from './sessions.js';
import { registerStats } from './stats.js';
import { registerAnalyticsV1 } from './v1.js';

export function registerAnalytics(app: FastifyInstance, ctx: AppContext): void {
  const a = analytics(ctx);
  registerStats(app, a);
  registerEvents(app, a);
  registerSessions(app, a);
  registerLive(app, a);
  registerExport(app, a);
  registerAnalyticsV1(app, a);
  registerQuery(app, a);
}
