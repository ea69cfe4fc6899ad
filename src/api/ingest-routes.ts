// Ingestion routes (public, no auth): /api/send, /api/batch, /api/collect (v1), the
// COLLECT_API_ENDPOINT alias, and the tracker script under /script.js and TRACKER_SCRIPT_NAME.
// The POST routes exist twice: as Fastify routes, and as a fast path (src/ingest/fast-path.ts)
// that answers their usual requests (JSON or text/plain body with a Content-Length) without
// Fastify's per-request machinery, with the same answers, headers and errors. Requests it does
// not recognise, and every request once the server is closing, go to the Fastify routes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../server/context.js';
import { apiHeaders } from '../server/cors.js';
import { badRequest, HttpError, parseJsonText, serverError, tooLarge } from '../server/errors.js';
import { setFastPath } from '../ingest/fast-path.js';
import { GeoDb } from '../ingest/geo.js';
import { Ingestor, WEBSITE_CACHE_MS_SHARED, type HitRequest, type Outcome, type SendResult } from '../ingest/ingest.js';
import { loadTracker } from '../ingest/tracker-asset.js';
import { Writer } from '../ingest/writer.js';
import { requireAdmin } from '../server/permissions.js';

const HIT_BODY_LIMIT = 64 * 1024;
const BATCH_BODY_LIMIT = 1024 * 1024;
const BATCH_MAX_ITEMS = 500;

function hitRequest(req: FastifyRequest | IncomingMessage): HitRequest {
  return { headers: req.headers, socketIp: req.socket.remoteAddress };
}

function reply(outcome: Outcome): Answer {
  return outcome.kind === 'bot' ? { json: { beep: 'boop' } } : { result: outcome.result };
}

/** An answer: a JSON value, a hit's result (JSON too), or (v1 collect) plain text. */
type Answer = { json: unknown } | { result: SendResult } | { text: string };

/** Text JSON.stringify leaves as it is (uuids, tokens). */
const PLAIN = /^[\w.-]*$/;
const jsonText = (s: string) => (PLAIN.test(s) ? `"${s}"` : JSON.stringify(s));

/** JSON.stringify(result), built directly: the answer to nearly every hit. */
const resultJson = (r: SendResult) => `{"cache":${jsonText(r.cache)},"sessionId":${jsonText(r.sessionId)},"visitId":${jsonText(r.visitId)}}`;

export async function registerIngest(parent: FastifyInstance, ctx: AppContext): Promise<void> {
  await parent.register(async (app) => ingestRoutes(app, ctx));
}

async function ingestRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { config, store, log } = ctx;
  // Umami parses any body as JSON (curl -d sends form encoding): so do we, on these routes only.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonText(body as string));
    } catch (err) {
      done(err as Error, undefined);
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

  // For operators: the writer's counters and the journal lines the embedded store set aside.
  app.get('/api/admin/ingest', async (req) => {
    await requireAdmin(req, ctx);
    const dead = store.analytics.deadLetters?.() ?? null;
    return {
      queued: writer.pending,
      committed: writer.committed,
      rejected: writer.rejected,
      deadLetterLines: dead?.lines ?? 0,
      deadLetterSegments: dead?.segments ?? 0,
      deadLetterDir: dead?.dir ?? null,
    };
  });

  const ingestor = new Ingestor(
    {
      appSecret: config.appSecret,
      saltRotation: config.saltRotation,
      removeTrailingSlash: config.removeTrailingSlash,
      disableBotCheck: config.disableBotCheck,
      ignoreIp: config.ignoreIp,
      clientIpHeader: config.clientIpHeader,
      skipLocationHeaders: config.skipLocationHeaders,
      // The embedded store has one process, which hears of every change; with a server store
      // other processes may delete or change a website, seen here within this bound.
      websiteCacheMs: store.kind === 'duckdb' ? 60_000 : WEBSITE_CACHE_MS_SHARED,
      log,
    },
    store.websites,
    writer,
    geo,
    { salts: store.salts, refused: store.refused },
  );

  const send = async (body: unknown, request: HitRequest): Promise<Answer> => reply(await ingestor.send(body, request));
  const collect = async (body: unknown, request: HitRequest): Promise<Answer> => {
    const outcome = await ingestor.collect(body, request);
    // Umami v1 answered with the bare cache token.
    return outcome.kind === 'bot' ? { json: { beep: 'boop' } } : { text: outcome.result.cache };
  };
  const batch = async (items: unknown, request: HitRequest): Promise<Answer> => {
    if (!Array.isArray(items)) throw badRequest('Body must be a JSON array of {type, payload} items');
    if (items.length > BATCH_MAX_ITEMS) throw badRequest(`Batch has more than ${BATCH_MAX_ITEMS} items`);
    // All items enter the writer queue together and share one commit.
    const results = await Promise.allSettled(items.map((item) => ingestor.send(item, request)));
    let cache: string | undefined;
    const details: { index: number; response: unknown }[] = [];
    results.forEach((r, index) => {
      if (r.status === 'fulfilled') {
        if (r.value.kind === 'ok') cache ??= r.value.result.cache;
        return;
      }
      const err = r.reason;
      if (!(err instanceof HttpError)) log.error({ err }, 'batch item failed');
      const response = (err instanceof HttpError ? err : serverError()).toBody();
      details.push({ index, response });
    });
    return { json: { size: items.length, processed: items.length - details.length, errors: details.length, details, cache } };
  };

  const route =
    (handle: (body: unknown, request: HitRequest) => Promise<Answer>) =>
    async (req: FastifyRequest, res: FastifyReply) => {
      const answer = await handle(req.body, hitRequest(req));
      if ('text' in answer) return res.type('text/plain; charset=utf-8').send(answer.text);
      return 'result' in answer ? answer.result : answer.json;
    };
  const endpoint = config.collectApiEndpoint;
  const routes = new Map<string, { handle: typeof send; limit: number }>();
  const post = (path: string, handle: typeof send, limit: number) => {
    app.post(path, { bodyLimit: limit }, route(handle));
    routes.set(`${config.basePath}${path}`, { handle, limit });
  };
  post('/api/send', send, HIT_BODY_LIMIT);
  if (endpoint && endpoint !== '/api/send') post(endpoint, send, HIT_BODY_LIMIT);
  post('/api/collect', collect, HIT_BODY_LIMIT);
  post('/api/batch', batch, BATCH_BODY_LIMIT);

  // The fast path for the routes above. Fastify answers 503 once it is closing: leave it to it.
  let closing = false;
  app.addHook('preClose', () => {
    closing = true;
  });
  const cors = (path: string): [string, string][] => (path.startsWith(`${config.basePath}/api/`) ? apiHeaders(config) : []);
  const fastRoutes = new Map([...routes].map(([path, r]) => [path, { ...r, headers: cors(path) }]));
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  const parseJson = (text: string): unknown => {
    let value: unknown;
    let failed = false;
    jsonParser(undefined as never, text, (err, parsed) => {
      failed = err != null;
      value = parsed;
    });
    if (failed) throw badRequest('Body is not valid JSON');
    return value;
  };
  const parsers: Record<string, (text: string) => unknown> = {
    // as the application/json parser of src/app/app.ts: blank is no body, then secure-json-parse
    json: (text) => (text.trim() === '' ? undefined : parseJson(text)),
    text: parseJsonText,
  };
  const contentTypes = new Map<string, (text: string) => unknown>();
  for (const [kind, types] of [
    ['json', ['application/json']],
    ['text', ['text/plain']],
  ] as const) {
    for (const t of types) for (const suffix of ['', '; charset=utf-8', ';charset=utf-8']) contentTypes.set(t + suffix, parsers[kind]);
  }

  const write = (res: ServerResponse, headers: [string, string][], status: number, answer: Answer, extra?: Record<string, string>) => {
    const isText = 'text' in answer;
    const body = isText ? answer.text : 'result' in answer ? resultJson(answer.result) : JSON.stringify(answer.json);
    const list: string[] = [];
    for (const [k, v] of headers) list.push(k, v);
    if (extra) for (const k in extra) list.push(k, extra[k]);
    list.push('content-type', isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8', 'content-length', String(Buffer.byteLength(body)));
    res.writeHead(status, list);
    res.end(body);
  };
  const fail = (res: ServerResponse, headers: [string, string][], err: unknown, req: IncomingMessage) => {
    if (err instanceof HttpError) return write(res, headers, err.status, { json: err.toBody() }, err.headers);
    log.error({ err, url: req.url?.split('?')[0], method: req.method }, 'request failed');
    write(res, headers, 500, { json: serverError().toBody() });
  };

  setFastPath(app.server, (req, res) => {
    if (req.method !== 'POST' || closing) return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const r = fastRoutes.get(q < 0 ? url : url.slice(0, q));
    if (r === undefined) return false;
    const { headers } = req;
    const type = headers['content-type'];
    const length = headers['content-length'];
    if (type === undefined || length === undefined || headers['transfer-encoding'] !== undefined) return false;
    const parse = contentTypes.get(type.toLowerCase());
    if (parse === undefined) return false;
    if (Number(length) > r.limit) {
      req.resume();
      write(res, r.headers, 413, { json: tooLarge().toBody() });
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
    });
    req.on('error', () => undefined); // the client went away: nothing to answer
    req.on('end', () => {
      let body: unknown;
      try {
        body = parse(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8'));
      } catch (err) {
        return fail(res, r.headers, err, req);
      }
      r.handle(body, hitRequest(req)).then(
        (answer) => write(res, r.headers, 200, answer),
        (err: unknown) => fail(res, r.headers, err, req),
      );
    });
    return true;
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
