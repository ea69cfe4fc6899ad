// POST /api/admin/import (admins only): a body of Dashi's exchange format (NDJSON, as
// `GET /api/websites/:id/export/events` writes it) loaded into this server's store. The body is
// read as a stream, line by line, with no size limit: src/store/event-import.ts validates every
// line into a temporary file before anything is written, so a bad line answers 400 with its
// number and stores nothing, and a re-run skips what an earlier run stored.
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { EventLineError } from '../store/event-lines.js';
import { importEventLines, MissingWebsitesError, TooManyWebsitesError } from '../store/event-import.js';
import type { AppContext } from '../server/context.js';
import { badRequest } from '../server/errors.js';
import { requireAdmin } from '../server/permissions.js';

export const IMPORT_CONTENT_TYPES = ['application/x-ndjson', 'application/jsonl'];

/** Bytes of a refused body still read (and dropped) so the client gets its answer; past them the connection is cut. */
const DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * A client still sending when its body is refused would stall on a stream nobody reads and
 * never see the 400: read the rest and drop it (up to DRAIN_BYTES), then close the connection.
 */
function discardRest(raw: IncomingMessage, reply: FastifyReply): void {
  reply.header('connection', 'close');
  let seen = 0;
  raw.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DRAIN_BYTES) raw.socket.destroy();
  });
  raw.resume();
}

export async function registerImportEvents(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // A scope of its own: the stream-through body parser must not reach any other route.
  await app.register(async (scope) => {
    scope.addContentTypeParser(IMPORT_CONTENT_TYPES, (_req, payload, done) => done(null, payload));
    scope.post('/api/admin/import', async (req, reply) => {
      await requireAdmin(req, ctx);
      if (!(req.body instanceof Readable)) throw badRequest(`Send the lines as ${IMPORT_CONTENT_TYPES.join(' or ')}`);
      // Not destroyed when the reader stops early: a refused body is still drained (discardRest).
      const lines = req.body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
      try {
        return await importEventLines(ctx.store, lines);
      } catch (err) {
        if (!(err instanceof EventLineError || err instanceof MissingWebsitesError || err instanceof TooManyWebsitesError)) throw err;
        discardRest(req.raw, reply);
        throw badRequest(err.message);
      }
    });
  });
}
