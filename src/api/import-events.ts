// POST /api/admin/import (admins only): a body of Dashi's exchange format (NDJSON, as
// `GET /api/websites/:id/export/events` writes it) loaded into this server's store. The body is
// read as a stream, line by line, with no size limit: src/store/event-import.ts validates every
// line into a temporary file before anything is written, so a bad line answers 400 with its
// number and stores nothing, and a re-run skips what an earlier run stored.
import type { FastifyInstance } from 'fastify';
import { EventLineError } from '../store/event-lines.js';
import { importEventLines, MissingWebsitesError, TooManyWebsitesError } from '../store/event-import.js';
import type { AppContext } from '../server/context.js';
import { badRequest } from '../server/errors.js';
import { requireAdmin } from '../server/permissions.js';

export const IMPORT_CONTENT_TYPES = ['application/x-ndjson', 'application/jsonl'];

export async function registerImportEvents(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // A scope of its own: the stream-through body parser must not reach any other route.
  await app.register(async (scope) => {
    scope.addContentTypeParser(IMPORT_CONTENT_TYPES, (_req, payload, done) => done(null, payload));
    scope.post('/api/admin/import', async (req) => {
      await requireAdmin(req, ctx);
      if (typeof (req.body as AsyncIterable<Buffer> | undefined)?.[Symbol.asyncIterator] !== 'function') {
        throw badRequest(`Send the lines as ${IMPORT_CONTENT_TYPES.join(' or ')}`);
      }
      try {
        return await importEventLines(ctx.store, req.body as AsyncIterable<Buffer>);
      } catch (err) {
        if (err instanceof EventLineError || err instanceof MissingWebsitesError || err instanceof TooManyWebsitesError) throw badRequest(err.message);
        throw err;
      }
    });
  });
}
