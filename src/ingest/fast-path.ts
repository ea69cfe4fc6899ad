// A lane beside Fastify for the ingestion hot path. Fastify's per-request machinery (request and
// reply objects, hook chains, content-type parsers, serializers) costs more than the hit itself,
// so the HTTP server built here offers each request to a lean handler first; whatever it declines
// (any other route, or an unusual request to an ingestion route) goes to Fastify unchanged.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { FastifyServerOptions } from 'fastify';

/** Takes the request (and answers it) and returns true, or returns false without touching it. */
export type FastHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

const SLOT = Symbol('dashi.fastPath');

interface Slot {
  handler: FastHandler | null;
}

type ServerOptions = Pick<FastifyServerOptions, 'keepAliveTimeout' | 'requestTimeout' | 'connectionTimeout' | 'maxRequestsPerSocket'> & {
  http?: http.ServerOptions | null;
};

/**
 * A Fastify `serverFactory`: the same http.Server Fastify would create (same timeouts), that
 * first offers each request to the handler installed with `setFastPath`. Fastify may call it more
 * than once (one server per address for `localhost`); all of them share the handler.
 */
export function fastPathServerFactory() {
  const slot: Slot = { handler: null };
  return (fastify: (req: IncomingMessage, res: ServerResponse) => void, opts: ServerOptions): http.Server => {
    const server = http.createServer(opts.http ?? {}, (req, res) => {
      const fast = slot.handler;
      if (fast === null || !fast(req, res)) fastify(req, res);
    });
    if (opts.keepAliveTimeout !== undefined) server.keepAliveTimeout = opts.keepAliveTimeout;
    if (opts.requestTimeout !== undefined) server.requestTimeout = opts.requestTimeout;
    server.setTimeout(opts.connectionTimeout ?? 0);
    if (opts.maxRequestsPerSocket !== undefined && opts.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = opts.maxRequestsPerSocket;
    (server as http.Server & { [SLOT]?: Slot })[SLOT] = slot;
    return server;
  };
}

/** Installs the handler on a server made by fastPathServerFactory; false (a no-op) on any other server. */
export function setFastPath(server: unknown, handler: FastHandler | null): boolean {
  const slot = (server as { [SLOT]?: Slot } | null)?.[SLOT];
  if (!slot) return false;
  slot.handler = handler;
  return true;
}
