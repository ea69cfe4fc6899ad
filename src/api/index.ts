// Every route of the API, registered under BASE_PATH. Each area is a small module.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../server/context.js';
import { registerAuth } from './auth.js';
import { registerUsers } from './users.js';
import { registerTeams } from './teams.js';
import { registerWebsites } from './websites.js';
import { registerV1 } from './v1-websites.js';
import { registerIngest } from './ingest-routes.js';
import { registerAnalytics } from './analytics/index.js';
import { registerReports } from './reports.js';
import { registerSegments } from './segments.js';
import { registerOpenApi } from './openapi/document.js';
import { apiKeyGate, registerApiKeys } from './api-keys.js';
import { registerMcp } from '../mcp/http.js';
import { registerPurge } from './purge.js';
import { registerBackup } from './backup.js';
import { registerImportEvents } from './import-events.js';
import { registerImportUmami } from './import-umami.js';

export async function registerApi(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.addHook('onRequest', apiKeyGate(ctx));
  app.get('/api/heartbeat', async () => ({ ok: true }));
  registerAuth(app, ctx);
  registerUsers(app, ctx);
  registerTeams(app, ctx);
  registerWebsites(app, ctx);
  registerV1(app, ctx);
  await registerIngest(app, ctx);
  await registerAnalytics(app, ctx);
  registerReports(app, ctx);
  registerSegments(app, ctx);
  registerOpenApi(app, ctx);
  registerApiKeys(app, ctx);
  registerMcp(app, ctx);
  registerPurge(app, ctx);
  registerBackup(app, ctx);
  await registerImportEvents(app, ctx);
  registerImportUmami(app, ctx);
}
