// The composition root of the HTTP server: Fastify with Umami's error envelope, CORS on /api/*,
// cookies, and every route registered under BASE_PATH. Routes live in src/api/; this file only
// wires them.
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { registerApi } from '../api/index.js';
import { QueryError } from '../query/types.js';
import { fastPathServerFactory } from '../ingest/fast-path.js';
import type { AppContext } from '../server/context.js';
import { apiHeaders } from '../server/cors.js';
import { errorBody, HttpError, serverError } from '../server/errors.js';
import { registerUi } from '../server/ui.js';

/** Structured logs (pino); credentials never reach them. */
export function loggerOptions(level: string) {
  return {
    level,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-umami-share-token"]', 'req.headers["x-umami-api-key"]', 'password', '*.password'],
  };
}

export async function buildApp(ctx: Omit<AppContext, 'log'>): Promise<{ app: FastifyInstance; ctx: AppContext }> {
  const app = Fastify({
    logger: loggerOptions(ctx.config.logLevel),
    // Per-request logs would cost more than the whole /api/send hot path; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Lets the ingestion routes answer their common requests without Fastify (src/api/ingest-routes.ts).
    serverFactory: fastPathServerFactory(),
  });
  const full: AppContext = { ...ctx, log: app.log };

  await app.register(cookie);

  // Umami's api-client and dashboard send `Content-Type: application/json` with no body on POSTs
  // such as /reset and /logout: an empty JSON body means "no body", not a parse error.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if ((body as string).trim() === '') return done(null, undefined);
    json(req, body as string, done);
  });

  // Only the ingestion routes read other content types (text/plain from sendBeacon, ...) as JSON,
  // in their own scope (src/api/ingest-routes.ts): elsewhere an HTML form on any page could post JSON so.
  app.removeContentTypeParser('text/plain');

  const api = `${ctx.config.basePath}/api/`;
  const headers = apiHeaders(ctx.config);
  app.addHook('onRequest', async (req, reply) => {
    // Every answer: no MIME sniffing, and no URL (share slugs, website ids) in other sites' logs.
    reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'same-origin');
    if (!req.url.startsWith(api)) return;
    for (const [name, value] of headers) reply.header(name, value);
    if (req.method === 'OPTIONS') return reply.code(204).send();
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof HttpError) {
      return reply.code(err.status).headers(err.headers).send(err.toBody());
    }
    // The query and report layers' input errors (a bad range, filter, unit, segment...) name the
    // parameter: the caller's fault, mapped here once.
    if (err instanceof QueryError) return reply.code(400).send(errorBody(400, err.message));
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      let message = err.message;
      if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') message = `Unsupported content type: ${String(req.headers['content-type'] ?? 'none').slice(0, 100)} (send application/json)`;
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') message = 'Request body is too large';
      if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') message = 'Body must not be empty';
      if (err instanceof SyntaxError || /JSON/.test(err.code ?? '')) message = 'Body is not valid JSON';
      return reply.code(status).send(errorBody(status, message));
    }
    // A unique constraint lost a race with another request (or another process): the client's
    // request names something that exists now.
    if (/duplicate key|unique constraint|violates unique|Duplicate key/i.test(err.message)) {
      return reply.code(400).send(errorBody(400, 'Already exists'));
    }
    req.log.error({ err, url: req.url.split('?')[0], method: req.method }, 'request failed');
    return reply.code(500).send(serverError().toBody());
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(errorBody(404, `Route ${req.method} ${req.url.split('?')[0]} not found`));
  });

  await app.register(
    async (scope) => {
      await registerApi(scope, full);
    },
    { prefix: ctx.config.basePath },
  );
  await registerUi(app, full);

  return { app, ctx: full };
}
