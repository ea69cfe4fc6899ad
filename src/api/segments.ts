// Segments (newer Umami): saved filter sets of a website, `type` segment or cohort.
// GET/POST /api/websites/:websiteId/segments, GET/POST/DELETE .../segments/:segmentId.

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { depthProblem } from '../lib/json-depth.js';
import { dialectFor, type Dialect } from '../query/dialects/index.js';
import { QueryError } from '../query/types.js';
import { checkSegmentParameters, SEGMENT_TYPES } from '../reports/segment-filters.js';
import type { AppContext } from '../server/context.js';
import { badRequest, notFound } from '../server/errors.js';
import { requireWebsite } from '../server/permissions.js';
import { parse } from '../server/validate.js';
import type { Segment } from '../store/types.js';
import { parsePaging, paged } from './paging.js';

const uuid = z.string().uuid('must be a uuid');
export const params = z.object({ websiteId: uuid, segmentId: uuid.optional() });
export const listQuery = z.object({ type: z.enum(SEGMENT_TYPES).optional() }).passthrough();

export const segmentJson = (s: Segment) => ({
  id: s.id,
  websiteId: s.websiteId,
  type: s.type,
  name: s.name,
  parameters: s.parameters,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

export const createBody = z.object({
  type: z.enum(SEGMENT_TYPES).default('segment'),
  name: z.string().trim().min(1).max(200),
  parameters: z.unknown(),
});

export const updateBody = z.object({
  type: z.enum(SEGMENT_TYPES).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  parameters: z.unknown().optional(),
});

function checked(parameters: unknown, dialect: Dialect) {
  const deep = depthProblem(parameters, 'parameters');
  if (deep) throw badRequest(deep);
  try {
    return checkSegmentParameters(parameters, dialect);
  } catch (err) {
    if (err instanceof QueryError) throw badRequest(err.message.replace(/^Invalid /, 'Invalid parameters.'));
    throw err;
  }
}

export function registerSegments(app: FastifyInstance, ctx: AppContext): void {
  const base = '/api/websites/:websiteId/segments';
  const dialect = dialectFor(ctx.store.analytics.dialect);

  /** The segment, if it belongs to the website (checked after the website permission). */
  async function segmentOf(websiteId: string, segmentId: string): Promise<Segment> {
    const segment = await ctx.store.segments.get(segmentId);
    if (!segment || segment.websiteId !== websiteId) throw notFound('Segment not found');
    return segment;
  }

  app.get(base, async (req) => {
    const p = parse(params, req.params, 'path');
    await requireWebsite(req, ctx, p.websiteId, 'view');
    const page = parsePaging(req.query);
    const q = parse(listQuery, req.query ?? {}, 'query');
    return paged(await ctx.store.segments.list(p.websiteId, { type: q.type }, page), page, segmentJson);
  });

  app.post(base, async (req) => {
    const p = parse(params, req.params, 'path');
    await requireWebsite(req, ctx, p.websiteId, 'update');
    const body = parse(createBody, req.body);
    const parameters = checked(body.parameters, dialect);
    return segmentJson(await ctx.store.segments.create({ websiteId: p.websiteId, type: body.type, name: body.name, parameters }));
  });

  app.get(`${base}/:segmentId`, async (req) => {
    const p = parse(params.required(), req.params, 'path');
    await requireWebsite(req, ctx, p.websiteId, 'view');
    return segmentJson(await segmentOf(p.websiteId, p.segmentId));
  });

  app.post(`${base}/:segmentId`, async (req) => {
    const p = parse(params.required(), req.params, 'path');
    await requireWebsite(req, ctx, p.websiteId, 'update');
    const segment = await segmentOf(p.websiteId, p.segmentId);
    const body = parse(updateBody, req.body);
    const parameters = body.parameters === undefined ? undefined : checked(body.parameters, dialect);
    const updated = await ctx.store.segments.update(segment.id, { type: body.type, name: body.name, parameters });
    if (!updated) throw notFound('Segment not found');
    return segmentJson(updated);
  });

  app.delete(`${base}/:segmentId`, async (req) => {
    const p = parse(params.required(), req.params, 'path');
    await requireWebsite(req, ctx, p.websiteId, 'delete');
    const segment = await segmentOf(p.websiteId, p.segmentId);
    await ctx.store.segments.delete(segment.id);
    return { ok: true };
  });
}
