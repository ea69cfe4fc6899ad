// Every analytics read endpoint (v2 seed 001 and v1 seed 000). Routes parse parameters, build
// Queries and shape results; SQL lives in src/query/.

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../server/context.js';
import { trackAnswerSources } from '../answer-source.js';
import { limitShareReads } from '../heavy.js';
import { registerEvents } from './events.js';
import { registerExport } from './export.js';
import { registerExportEvents } from '../export-events.js';
import { registerLive } from './live.js';
import { analytics } from './params.js';
import { registerQuery } from '../query.js';
import { registerSessions } from './sessions.js';
import { registerStats } from './stats.js';
import { registerAnalyticsV1 } from './v1-reads.js';

export async function registerAnalytics(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const a = analytics(ctx);
  // A scope of their own, so the share-link limit applies to these routes only.
  await app.register(async (scope) => {
    limitShareReads(scope, ctx);
    trackAnswerSources(scope, ctx);
    registerStats(scope, a);
    registerEvents(scope, a);
    registerSessions(scope, a);
    registerLive(scope, a);
    registerExport(scope, a);
    registerExportEvents(scope, a);
    registerAnalyticsV1(scope, a);
    registerQuery(scope, a);
  });
}
