// Websites (v2, seed 001): list, create, read, update, delete, reset, transfer; public share lookup;
// the counts of hits ingestion refused.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { WebsiteIdTakenError, type PageRequest, type User, type Website } from '../store/types.js';
import { MAX_ALLOWED_HOSTNAMES, normalizeHostnamePattern } from '../ingest/hostnames.js';
import { WEBSITE_CACHE_MS_SHARED } from '../ingest/ingest.js';
import type { AppContext } from '../server/context.js';
import { badRequest, notFound, unauthorized } from '../server/errors.js';
import { isAdmin, keyWebsiteIds, requireAuth, requireUser, requireWebsite, teamRole, teamRoleCan, userCan } from '../server/permissions.js';
import { serialized } from '../server/lock.js';
import { retentionDays } from '../server/retention.js';
import { parse, uuid } from '../server/validate.js';
import { includeTeams, parsePaging, paged } from './paging.js';
import { websiteJson } from './shapes.js';
import { v1WebsitesJson } from './v1-shapes.js';

const shareSlug = z.string().trim().min(1).max(50).regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, _ and -');
const domain = z.string().trim().min(1).max(500);
const name = z.string().trim().min(1).max(100);
const allowedHostnames = z
  .array(z.string().max(300))
  .max(MAX_ALLOWED_HOSTNAMES)
  .transform((list, ctx) => {
    const out = new Set<string>();
    list.forEach((text, i) => {
      const pattern = normalizeHostnamePattern(text);
      if (pattern === null) ctx.addIssue({ code: 'custom', path: [i], message: 'expected a hostname such as example.com or *.example.com' });
      else out.add(pattern);
    });
    return [...out];
  });

export const createBody = z.object({
  name,
  domain,
  shareId: shareSlug.nullish(),
  teamId: uuid.nullish(),
  id: uuid.optional(),
  allowedHostnames: allowedHostnames.optional(),
});

export const updateBody = z.object({
  name: name.optional(),
  domain: domain.optional(),
  shareId: shareSlug.nullable().optional(),
  allowedHostnames: allowedHostnames.optional(),
  retentionDays: z.number('must be a whole number of days or null').int('must be a whole number of days').min(1).max(36500).nullable().optional(),
});

export const transferBody = z
  .object({ userId: uuid.optional(), teamId: uuid.optional() })
  .refine((b) => (b.userId === undefined) !== (b.teamId === undefined), 'give exactly one of userId or teamId');
export const websiteParams = z.object({ websiteId: uuid });
export const shareParams = z.object({ shareId: z.string().min(1).max(50) });

/** The website JSON with the retention limit that applies to it (days, or null: kept forever). */
async function withRetention(ctx: AppContext, w: Website) {
  return { ...websiteJson(w), retentionDays: retentionDays(await ctx.store.websiteSettings.get(w.id), ctx.config.dataRetentionDays) };
}

/** A random share slug, as Umami's share links use. */
export const newShareSlug = () => randomBytes(12).toString('base64url').slice(0, 16);

export async function assertShareFree(ctx: AppContext, slug: string | null | undefined, websiteId?: string): Promise<void> {
  if (!slug) return;
  const taken = await ctx.store.websites.getByShareId(slug);
  if (taken && taken.id !== websiteId) throw badRequest('That share ID is already taken.');
}

/** Websites a user sees: their own, plus (optionally) their teams'; `only` those (an API key's limit). */
export async function listWebsitesFor(ctx: AppContext, user: User, page: PageRequest, withTeams: boolean, only: string[] | null = null) {
  const teamIds = withTeams ? (await ctx.store.teams.membershipsOf(user.id)).map((m) => m.teamId) : [];
  return ctx.store.websites.list({ userId: user.id, teamIds, ids: only ?? undefined }, page);
}

/** Create a website owned by the user, or by a team where the user may create websites. */
export async function createWebsite(
  ctx: AppContext,
  user: User,
  input: { id?: string; name: string; domain: string; shareId?: string | null; teamId?: string | null; allowedHostnames?: string[] },
): Promise<Website> {
  if (input.teamId) {
    if (!(await ctx.store.teams.get(input.teamId))) throw badRequest('teamId: team not found');
    if (!isAdmin(user) && !teamRoleCan(await teamRole(ctx, input.teamId, user.id), 'website:create')) throw unauthorized();
  } else if (!userCan(user, 'website:create')) {
    throw unauthorized();
  }
  await assertShareFree(ctx, input.shareId);
  try {
    return await ctx.store.websites.create({
      id: input.id,
      name: input.name,
      domain: input.domain,
      shareId: input.shareId ?? null,
      userId: input.teamId ? null : user.id,
      teamId: input.teamId ?? null,
      createdBy: user.id,
      allowedHostnames: input.allowedHostnames,
    });
  } catch (err) {
    if (err instanceof WebsiteIdTakenError) throw badRequest(`id: ${err.message}`);
    throw err;
  }
}

export function registerWebsites(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/websites', async (req) => {
    const auth = await requireAuth(req, ctx);
    if (auth.kind !== 'user') throw unauthorized();
    // Seed 000 (v1): a request authenticated only by the umami.auth cookie gets the v1 array.
    if (auth.via === 'cookie') {
      const all = await listWebsitesFor(ctx, auth.user, { page: 1, pageSize: 1000 }, true);
      return v1WebsitesJson(ctx, all.data);
    }
    const page = parsePaging(req.query, 10);
    return paged(await listWebsitesFor(ctx, auth.user, page, includeTeams(req.query), await keyWebsiteIds(req, ctx)), page, websiteJson);
  });

  app.post('/api/websites', serialized(async (req) => {
    const user = await requireUser(req, ctx);
    const body = parse(createBody, req.body);
    return withRetention(ctx, await createWebsite(ctx, user, body));
  }));

  app.get('/api/websites/:websiteId', async (req) => {
    const { websiteId } = parse(websiteParams, req.params, 'path');
    return withRetention(ctx, await requireWebsite(req, ctx, websiteId, 'view'));
  });

  app.post('/api/websites/:websiteId', serialized(async (req) => {
    const { websiteId } = parse(websiteParams, req.params, 'path');
    await requireWebsite(req, ctx, websiteId, 'update');
    const { retentionDays, ...body } = parse(updateBody, req.body);
    await assertShareFree(ctx, body.shareId, websiteId);
    if (retentionDays !== undefined) await ctx.store.websiteSettings.set(websiteId, { retentionDays });
    return withRetention(ctx, (await ctx.store.websites.update(websiteId, body))!);
  }));

  app.delete('/api/websites/:websiteId', serialized(async (req) => {
    const { websiteId } = parse(websiteParams, req.params, 'path');
    await requireWebsite(req, ctx, websiteId, 'delete');
    // Metadata first: from here this process takes no hit for it, and its queued hits are
    // written before the rows are deleted. The id stays a tombstone, never reused.
    await ctx.store.websites.delete(websiteId);
    await ctx.store.analytics.deleteWebsiteData(websiteId);
    if (ctx.store.kind !== 'duckdb') sweepLater(ctx, websiteId);
    return { ok: true };
  }));

  app.post('/api/websites/:websiteId/reset', serialized(async (req) => {
    const { websiteId } = parse(websiteParams, req.params, 'path');
    await requireWebsite(req, ctx, websiteId, 'update');
    await ctx.store.websites.update(websiteId, { resetAt: new Date() });
    await ctx.store.analytics.deleteWebsiteData(websiteId);
    await ctx.store.refused.clear(websiteId);
    return { ok: true };
  }));

  app.get('/api/websites/:websiteId/refused', async (req) => {
    const { websiteId } = parse(websiteParams, req.params, 'path');
    await requireUser(req, ctx); // not for share links
    await requireWebsite(req, ctx, websiteId, 'view');
    return ctx.store.refused.get(websiteId);
  });

  app.post('/api/websites/:websiteId/transfer', serialized(async (req) => {
    const { websiteId } = parse(websiteParams, req.params, 'path');
    const user = await requireUser(req, ctx);
    const website = await requireWebsite(req, ctx, websiteId, 'view');
    const body = parse(transferBody, req.body);
    if (body.teamId !== undefined) {
      // To a team: the website's owner, holding a transfer right in the target team.
      if (!(await ctx.store.teams.get(body.teamId))) throw badRequest('teamId: team not found');
      const allowed = isAdmin(user) || (website.userId === user.id && teamRoleCan(await teamRole(ctx, body.teamId, user.id), 'website:transfer-to-team'));
      if (!allowed) throw unauthorized();
      return websiteJson((await ctx.store.websites.update(websiteId, { teamId: body.teamId, userId: null }))!);
    }
    // To a user: a team owner taking a team website for themselves (admins: to anyone).
    const userId = body.userId!;
    if (!(await ctx.store.users.get(userId))) throw badRequest('userId: user not found');
    const allowed =
      isAdmin(user) ||
      (website.teamId !== null && userId === user.id && teamRoleCan(await teamRole(ctx, website.teamId, user.id), 'website:transfer-to-user'));
    if (!allowed) throw unauthorized();
    return websiteJson((await ctx.store.websites.update(websiteId, { userId, teamId: null }))!);
  }));

  // Public: a share slug gives a read-only token for that one website.
  app.get('/api/share/:shareId', async (req) => {
    const { shareId } = parse(shareParams, req.params, 'path');
    const website = await ctx.store.websites.getByShareId(shareId);
    if (!website) throw notFound('Share not found');
    return { websiteId: website.id, token: await ctx.auth.issueShareToken(website.id, shareId) };
  });
}

/**
 * Other processes on a server store may take a deleted website's hits until their cache expires
 * (WEBSITE_CACHE_MS_SHARED): delete what they wrote once that has passed. Best effort: a
 * process stopped meanwhile leaves those rows, unreachable since the id is never reused.
 */
function sweepLater(ctx: AppContext, websiteId: string): void {
  const timer = setTimeout(() => {
    ctx.store.analytics.deleteWebsiteData(websiteId).catch((err: unknown) => ctx.log.warn({ err, websiteId }, 'second sweep of a deleted website failed'));
  }, WEBSITE_CACHE_MS_SHARED + 2_000);
  timer.unref();
}
