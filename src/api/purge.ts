// "Your data, yours": purge analytics rows by filter, forget one visitor (GDPR erasure), and the
// log of both (and of retention deletes). Filters use the read routes' syntax and compiler.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { FILTER_PARAMS, parseFilterParams } from '../query/filters.js';
import { QueryEngine } from '../query/engine.js';
import { countPurge, forgetSession, purge, type Selection } from '../query/purge.js';
import { QueryError } from '../query/types.js';
import type { PurgeRecord } from '../store/types.js';
import type { AppContext } from '../server/context.js';
import { badRequest } from '../server/errors.js';
import { requireUser, requireWebsite } from '../server/permissions.js';
import { parse, uuid } from '../server/validate.js';
import { parsePaging, paged } from './paging.js';

/** Far enough for "no end": every store's timestamp type holds it. */
const NO_END = new Date('2200-01-01T00:00:00Z');
const MAX_FILTERS = 20;

const filterKey = (key: string) => {
  const m = /^([A-Za-z_]+?)(\d*)$/.exec(key);
  return key === 'match' || (!!m && FILTER_PARAMS.includes(m[1]));
};
const filterValue = z.string().min(1).max(1000);
const filters = z
  .record(z.string(), z.union([filterValue, z.array(filterValue).min(1).max(20)]), 'must be an object of filter parameters')
  .superRefine((f, ctx) => {
    const keys = Object.keys(f);
    if (keys.length > MAX_FILTERS) ctx.addIssue({ code: 'custom', message: `at most ${MAX_FILTERS} filters` });
    for (const key of keys) {
      if (!filterKey(key)) ctx.addIssue({ code: 'custom', path: [key], message: `not a filter parameter (one of ${FILTER_PARAMS.join(', ')}, or match)` });
    }
    if ('match' in f && f.match !== 'any' && f.match !== 'all') ctx.addIssue({ code: 'custom', path: ['match'], message: "must be 'any' or 'all'" });
  });
const ms = z.number('must be a time in milliseconds').int('must be whole milliseconds').min(0).max(NO_END.getTime());

export const purgeBody = z
  .object({ filters: filters.default({}), startAt: ms.optional(), endAt: ms.optional(), dryRun: z.boolean('must be true or false').default(false) })
  .refine((b) => b.startAt === undefined || b.endAt === undefined || b.startAt <= b.endAt, { message: 'must not be before startAt', path: ['endAt'] })
  .refine((b) => Object.keys(b.filters).some((k) => k !== 'match') || b.startAt !== undefined || b.endAt !== undefined, {
    message: 'give at least one filter or a range (POST /api/websites/:websiteId/reset removes everything)',
    path: ['filters'],
  });

const websiteParams = z.object({ websiteId: uuid });
const sessionParams = z.object({ websiteId: uuid, sessionId: uuid });

export const purgeJson = (p: PurgeRecord) => ({
  id: p.id,
  websiteId: p.websiteId,
  userId: p.userId,
  kind: p.kind,
  filters: p.filters,
  startAt: p.startAt,
  endAt: p.endAt,
  events: p.events,
  sessions: p.sessions,
  createdAt: p.createdAt,
});

export function registerPurge(app: FastifyInstance, ctx: AppContext): void {
  // Not under the metadata write lock: a big purge takes a while, and its log entry is a plain insert.
  app.post('/api/websites/:websiteId/purge', async (req) => {
    const { websiteId } = parse(websiteParams, req.params, 'path');
    await requireWebsite(req, ctx, websiteId, 'delete');
    const user = await requireUser(req, ctx);
    const body = parse(purgeBody, req.body);
    let selection: Selection;
    try {
      selection = {
        websiteId,
        filter: parseFilterParams(body.filters),
        range: { start: new Date(body.startAt ?? 0), end: new Date(body.endAt ?? NO_END.getTime()) },
      };
    } catch (err) {
      if (err instanceof QueryError) throw badRequest(`Invalid body: filters.${err.message.replace(/^Invalid /, '')}`);
      throw err;
    }
    const engine = new QueryEngine(ctx.store.analytics);
    if (body.dryRun) {
      const counts = await countPurge(engine, selection);
      return { dryRun: true, count: counts.events, events: counts.events, sessions: counts.sessions };
    }
    const counts = await purge(engine, ctx.store.analytics, selection);
    const record = await ctx.store.purgeLog.add({
      websiteId,
      userId: user.id,
      kind: 'purge',
      filters: body.filters,
      startAt: body.startAt === undefined ? null : selection.range.start,
      endAt: body.endAt === undefined ? null : selection.range.end,
      events: counts.events,
      sessions: counts.sessions,
    });
    return { dryRun: false, count: counts.events, events: counts.events, sessions: counts.sessions, id: record.id };
  });

  app.get('/api/websites/:websiteId/purges', async (req) => {
    const { websiteId } = parse(websiteParams, req.params, 'path');
    await requireWebsite(req, ctx, websiteId, 'update');
    const page = parsePaging(req.query, 20);
    return paged(await ctx.store.purgeLog.list(websiteId, page), page, purgeJson);
  });

  app.delete('/api/websites/:websiteId/sessions/:sessionId', async (req) => {
    const { websiteId, sessionId } = parse(sessionParams, req.params, 'path');
    await requireWebsite(req, ctx, websiteId, 'delete');
    const user = await requireUser(req, ctx);
    const done = await forgetSession(new QueryEngine(ctx.store.analytics), ctx.store.analytics, websiteId, sessionId);
    // Recorded even when nothing was found: the request itself is part of the erasure record.
    await ctx.store.purgeLog.add({
      websiteId,
      userId: user.id,
      kind: 'forget',
      filters: { sessionId },
      startAt: null,
      endAt: null,
      events: done.events,
      sessions: done.rows > 0 ? 1 : 0,
    });
    return { ok: true, deleted: done.rows };
  });
}
