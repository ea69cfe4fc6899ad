// Reports: run one (`POST /api/reports/<type>`, seed 001 and newer Umami bodies), list the
// currencies seen, and saved reports (list, create, read, update, delete). The reports
// themselves live in src/reports/, one module each.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { depthProblem } from '../lib/json-depth.js';
import { own } from '../lib/own.js';
import { QueryError } from '../query/types.js';
import { REPORTS, SAVED_REPORT_TYPES } from '../reports/index.js';
import { currencies, parseCurrency } from '../reports/revenue.js';
import { flattenBody } from '../reports/report-input.js';
import type { AppContext } from '../server/context.js';
import { badRequest, notFound, unauthorized } from '../server/errors.js';
import { isAdmin, keyAllowsWebsite, keyWebsiteIds, requireAuth, requireUser, requireWebsite } from '../server/permissions.js';
import { parse, uuid } from '../server/validate.js';
import type { Report, User } from '../store/types.js';
import { analytics } from './analytics/params.js';
import { heavyReads } from './heavy.js';
import { parsePaging, paged } from './paging.js';
import { bodyScopeOf, resolveScope } from './scope.js';

export const reportJson = (r: Report) => ({
  id: r.id,
  userId: r.userId,
  websiteId: r.websiteId,
  type: r.type,
  name: r.name,
  description: r.description,
  parameters: r.parameters,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

const reportType = z.string().refine((t) => SAVED_REPORT_TYPES.includes(t), { message: `must be one of ${SAVED_REPORT_TYPES.join(', ')}` });
const parameters = z.record(z.string(), z.unknown(), 'must be an object');

export const createBody = z.object({
  websiteId: uuid,
  type: reportType,
  name: z.string().trim().min(1).max(200),
  description: z.string().max(500).nullish(),
  parameters,
});

export const updateBody = z.object({
  websiteId: uuid.optional(),
  type: reportType.optional(),
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(500).nullish(),
  parameters: parameters.optional(),
});

export const listQuery = z.object({ websiteId: uuid.optional(), type: z.string().max(50).optional() }).passthrough();

/** Saved parameters of a known report type must make sense (dates are not required there). */
function checkParameters(type: string, params: Record<string, unknown>): void {
  const deep = depthProblem(params, 'parameters');
  if (deep) throw badRequest(deep);
  const def = own(REPORTS, type);
  if (!def) return;
  const fields = flattenBody({ parameters: params });
  // Only check what was given: a saved report may be a draft without steps yet.
  if (!def.savedFields?.some((k) => fields[k] !== undefined)) return;
  try {
    def.validate(fields);
  } catch (err) {
    // A saved report's fields live under `parameters`.
    if (err instanceof QueryError) throw new QueryError(err.message.replace(/^Invalid /, 'Invalid parameters.'), err.param && `parameters.${err.param}`);
    throw err;
  }
}

/** The saved report, if the caller may see it (owner, admin, or a viewer of its website). */
async function readable(req: FastifyRequest, ctx: AppContext, user: User, id: string): Promise<Report> {
  if (!uuid.safeParse(id).success) throw badRequest('Invalid reportId: must be a uuid');
  const report = await ctx.store.reports.get(id);
  if (!report) {
    if (isAdmin(user)) throw notFound('Report not found');
    throw unauthorized();
  }
  if (!keyAllowsWebsite(await requireAuth(req, ctx), report.websiteId)) throw unauthorized();
  if (report.userId === user.id || isAdmin(user)) return report;
  await requireWebsite(req, ctx, report.websiteId, 'view');
  return report;
}

/** Changing or deleting: the owner, an admin, or someone who may update its website. */
async function writable(req: FastifyRequest, ctx: AppContext, user: User, id: string): Promise<Report> {
  const report = await readable(req, ctx, user, id);
  if (report.userId === user.id || isAdmin(user)) return report;
  await requireWebsite(req, ctx, report.websiteId, 'update');
  return report;
}

export function registerReports(app: FastifyInstance, ctx: AppContext): void {
  const a = analytics(ctx);
  const { engine } = a;
  const heavy = heavyReads(ctx);

  for (const [type, def] of Object.entries(REPORTS)) {
    app.post(`/api/reports/${type}`, async (req) => {
      const deep = depthProblem(req.body, 'body');
      if (deep) throw badRequest(deep);
      const s = await bodyScopeOf(req, a);
      const scope = s.report();
      def.validate(s.values);
      return heavy.run(() => def.run({ engine, scope, fields: s.values }));
    });
  }

  app.get('/api/reports/revenue', async (req) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const websiteId = parse(uuid, q.websiteId, 'websiteId');
    const website = await requireWebsite(req, ctx, websiteId, 'view');
    // Read as a report body: `startDate`/`endDate` (ISO or ms) or `startAt`/`endAt`.
    const scope = (await resolveScope(a, website, { kind: 'body', values: q })).report();
    const list = await heavy.run(() => currencies({ engine, scope }));
    if (typeof q.currency === 'string' && q.currency) {
      const c = parseCurrency(q.currency);
      return list.filter((x) => x.currency === c);
    }
    return list;
  });

  app.get('/api/reports', async (req) => {
    const user = await requireUser(req, ctx);
    const page = parsePaging(req.query);
    const q = parse(listQuery, req.query ?? {}, 'query');
    if (q.websiteId) {
      await requireWebsite(req, ctx, q.websiteId, 'view');
      return paged(await ctx.store.reports.list({ websiteIds: [q.websiteId], type: q.type }, page), page, reportJson);
    }
    // An API key limited to some websites: the reports of those of them the owner still sees.
    const only = await keyWebsiteIds(req, ctx);
    if (only) {
      const visible: string[] = [];
      for (const id of only) if (await requireWebsite(req, ctx, id, 'view').then(() => true, () => false)) visible.push(id);
      return paged(await ctx.store.reports.list({ websiteIds: visible, type: q.type }, page), page, reportJson);
    }
    // The caller's own reports, and reports of every website they can see.
    const filter = isAdmin(user) ? { type: q.type } : { viewerId: user.id, type: q.type };
    return paged(await ctx.store.reports.list(filter, page), page, reportJson);
  });

  app.post('/api/reports', async (req) => {
    const user = await requireUser(req, ctx);
    const body = parse(createBody, req.body);
    await requireWebsite(req, ctx, body.websiteId, 'update');
    checkParameters(body.type, body.parameters);
    const report = await ctx.store.reports.create({
      userId: user.id,
      websiteId: body.websiteId,
      type: body.type,
      name: body.name,
      description: body.description ?? '',
      parameters: body.parameters,
    });
    return reportJson(report);
  });

  app.get('/api/reports/:reportId', async (req) => {
    const user = await requireUser(req, ctx);
    return reportJson(await readable(req, ctx, user, (req.params as { reportId: string }).reportId));
  });

  app.post('/api/reports/:reportId', async (req) => {
    const user = await requireUser(req, ctx);
    const report = await writable(req, ctx, user, (req.params as { reportId: string }).reportId);
    const body = parse(updateBody, req.body);
    if (body.websiteId && body.websiteId !== report.websiteId) await requireWebsite(req, ctx, body.websiteId, 'update');
    checkParameters(body.type ?? report.type, (body.parameters ?? report.parameters ?? {}) as Record<string, unknown>);
    const updated = await ctx.store.reports.update(report.id, {
      websiteId: body.websiteId,
      type: body.type,
      name: body.name,
      description: body.description === undefined ? undefined : (body.description ?? ''),
      parameters: body.parameters,
    });
    if (!updated) throw notFound('Report not found');
    return reportJson(updated);
  });

  app.delete('/api/reports/:reportId', async (req) => {
    const user = await requireUser(req, ctx);
    const report = await writable(req, ctx, user, (req.params as { reportId: string }).reportId);
    await ctx.store.reports.delete(report.id);
    return { ok: true };
  });

  app.get('/api/websites/:websiteId/reports', async (req) => {
    const websiteId = parse(uuid, (req.params as { websiteId: string }).websiteId, 'websiteId');
    await requireWebsite(req, ctx, websiteId, 'view');
    const page = parsePaging(req.query);
    const q = parse(listQuery, req.query ?? {}, 'query');
    return paged(await ctx.store.reports.list({ websiteIds: [websiteId], type: q.type }, page), page, reportJson);
  });
}
