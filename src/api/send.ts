// Ingestion routes (public, no auth): /api/send, /api/batch, /api/collect (v1), the
// COLLECT_API_ENDPOINT alias, and the tracker script under /script.js and TRACKER_SCRIPT_NAME.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../server/context.js';
import { HttpError } from '../server/errors.js';
import { GeoDb } from '../ingest/geo.js';
import { IngestError, Ingestor, type HitRequest, type Outcome } from '../ingest/ingest.js';
import { loadTracker } from '../ingest/tracker-asset.js';
import { Writer } from '../ingest/writer.js';

const HIT_BODY_LIMIT = 64 * 1024;
const BATCH_BODY_LIMIT = 1024 * 1024;
const BATCH_MAX_ITEMS = 500;

function hitRequest(req: FastifyRequest): HitRequest {
  return { headers: req.headers, socketIp: req.socket.remoteAddress };
}

function toHttp(err: unknown): unknown {
  return err instanceof IngestError ? new HttpError(err.status, err.code, err.message, err.headers) : err;
}

function reply(outcome: Outcome) {
  return outcome.kind === 'bot' ? { beep: 'boop' } : outcome.result;
}

export async function registerIngest(parent: FastifyInstance, ctx: AppContext): Promise<void> {
  await parent.register(async (app) => ingestRoutes(app, ctx));
}

async function ingestRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { config, store, log } = ctx;
  // Umami parses any body as JSON (curl -d sends form encoding): so do we, on these routes only.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, body === '' ? undefined : JSON.parse(body as string));
    } catch {
      done(new HttpError(400, 'bad-request', 'Body is not valid JSON'), undefined);
    }
  });
  let geo: GeoDb | null = null;
  try {
    geo = await GeoDb.open(config.geoDbPath ?? undefined);
  } catch (err) {
    log.warn({ err }, 'geo database not available: hits get no country, region or city');
  }
  const writer = new Writer((batch) => store.analytics.write(batch), {
    maxQueue: config.ingestQueueSize,
    onError: (err) => log.error({ err }, 'ingest write failed'),
  });
  app.addHook('onClose', () => writer.drain());

  const ingestor = new Ingestor(
    {
      appSecret: config.appSecret,
      saltRotation: config.saltRotation,
      removeTrailingSlash: config.removeTrailingSlash,
      disableBotCheck: config.disableBotCheck,
      ignoreIp: config.ignoreIp,
      clientIpHeader: config.clientIpHeader,
      skipLocationHeaders: config.skipLocationHeaders,
    },
    store.websites,
    writer,
    geo,
  );

  const send = async (req: FastifyRequest) => {
    try {
      return reply(await ingestor.send(req.body, hitRequest(req)));
    } catch (err) {
      throw toHttp(err);
    }
  };
  app.post('/api/send', { bodyLimit: HIT_BODY_LIMIT }, send);
  const endpoint = config.collectApiEndpoint;
  if (endpoint && endpoint !== '/api/send') app.post(endpoint, { bodyLimit: HIT_BODY_LIMIT }, send);

  app.post('/api/collect', { bodyLimit: HIT_BODY_LIMIT }, async (req, res) => {
    try {
      const outcome = await ingestor.collect(req.body, hitRequest(req));
      // Umami v1 answered with the bare cache token.
      return outcome.kind === 'bot' ? { beep: 'boop' } : res.type('text/plain; charset=utf-8').send(outcome.result.cache);
    } catch (err) {
      throw toHttp(err);
    }
  });

  app.post('/api/batch', { bodyLimit: BATCH_BODY_LIMIT }, async (req) => {
    const items = req.body;
    if (!Array.isArray(items)) throw new HttpError(400, 'bad-request', 'Body must be a JSON array of {type, payload} items');
    if (items.length > BATCH_MAX_ITEMS) throw new HttpError(400, 'bad-request', `Batch has more than ${BATCH_MAX_ITEMS} items`);
    const request = hitRequest(req);
    // All items enter the writer queue together and share one commit.
    const results = await Promise.allSettled(items.map((item) => ingestor.send(item, request)));
    let cache: string | undefined;
    const details: { index: number; response: unknown }[] = [];
    results.forEach((r, index) => {
      if (r.status === 'fulfilled') {
        if (r.value.kind === 'ok') cache ??= r.value.result.cache;
        return;
      }
      const err = toHttp(r.reason);
      if (!(err instanceof HttpError)) log.error({ err }, 'batch item failed');
      const response = err instanceof HttpError ? err.toBody() : { error: { message: 'Server error', code: 'server-error', status: 500 } };
      details.push({ index, response });
    });
    return { size: items.length, processed: items.length - details.length, errors: details.length, details, cache };
  });

  const tracker = await loadTracker(`${config.basePath}${endpoint || '/api/send'}`);
  const serveTracker = async (req: FastifyRequest, res: FastifyReply) => {
    res
      .header('content-type', 'application/javascript; charset=utf-8')
      .header('access-control-allow-origin', '*')
      .header('cache-control', 'public, max-age=86400, must-revalidate')
      .header('etag', tracker.etag)
      .header('vary', 'accept-encoding');
    if (req.headers['if-none-match'] === tracker.etag) return res.code(304).send();
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return res.header('content-encoding', 'gzip').send(tracker.gzip);
    return res.send(tracker.js);
  };
  const scriptPaths = new Set(['/script.js']);
  for (const name of config.trackerScriptNames) {
    const path = name.startsWith('/') ? name : `/${name}`;
    scriptPaths.add(path);
    if (!/\.[a-z0-9]+$/i.test(path)) scriptPaths.add(`${path}.js`);
  }
  for (const path of scriptPaths) app.get(path, serveTracker);
}
