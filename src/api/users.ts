// Users (admin, or self for reads and own password) and the admin lists.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../server/context.js';
import { hashPassword } from '../server/auth-service.js';
import { badRequest, notFound, unauthorized } from '../server/errors.js';
import { isAdmin, keyWebsiteIds, requireAdmin, requireUser, USER_ROLES } from '../server/permissions.js';
import { serialized } from '../server/lock.js';
import { parse, uuid } from '../server/validate.js';
import { renewSession } from './auth.js';
import { includeTeams, parsePaging, paged } from './paging.js';
import { userJson, websiteJson } from './shapes.js';
import { pagedTeams } from './teams.js';
import { listWebsitesFor } from './websites.js';

const username = z.string().trim().min(1).max(255);
const password = z.string().min(8, 'must be at least 8 characters').max(255);
const role = z.enum(USER_ROLES);

export const createBody = z.object({ id: uuid.optional(), username, password, role });
export const updateBody = z.object({ username: username.optional(), password: password.optional(), role: role.optional() });
export const userParams = z.object({ userId: uuid });

export function registerUsers(app: FastifyInstance, ctx: AppContext): void {
  /** The user named in the path, if the caller is that user or an admin. */
  async function target(req: { params: unknown }, caller: Parameters<typeof isAdmin>[0]) {
    const { userId } = parse(userParams, req.params, 'path');
    if (!isAdmin(caller) && caller.id !== userId) throw unauthorized();
    const user = await ctx.store.users.get(userId);
    if (!user) throw notFound('User not found');
    return user;
  }

  app.post('/api/users', serialized(async (req) => {
    await requireAdmin(req, ctx);
    const body = parse(createBody, req.body);
    if (await ctx.store.users.getWithHashByUsername(body.username)) throw badRequest('User already exists');
    if (body.id && (await ctx.store.users.get(body.id))) throw badRequest('id: a user with this id already exists');
    const user = await ctx.store.users.create({ id: body.id, username: body.username, passwordHash: await hashPassword(body.password), role: body.role });
    return userJson(user);
  }));

  app.get('/api/users/:userId', async (req) => userJson(await target(req, await requireUser(req, ctx))));

  app.post('/api/users/:userId', serialized(async (req, reply) => {
    const caller = await requireUser(req, ctx);
    const user = await target(req, caller);
    const body = parse(updateBody, req.body);
    // Only admins change usernames and roles; everyone may change their own password.
    if (!isAdmin(caller) && (body.username !== undefined || body.role !== undefined)) throw unauthorized();
    if (body.username && body.username !== user.username && (await ctx.store.users.getWithHashByUsername(body.username))) {
      throw badRequest('User already exists');
    }
    if (isAdmin(caller) && caller.id === user.id && body.role && body.role !== 'admin') {
      throw badRequest('role: you cannot remove your own admin role');
    }
    const updated = await ctx.store.users.update(user.id, {
      username: body.username,
      role: body.role,
      passwordHash: body.password ? await hashPassword(body.password) : undefined,
    });
    // A new password ended the user's sessions; changing one's own renews this session.
    if (body.password && caller.id === user.id) return { ...userJson(updated!), token: await renewSession(ctx, req, reply, updated!) };
    return userJson(updated!);
  }));

  app.delete('/api/users/:userId', serialized(async (req) => {
    const caller = await requireAdmin(req, ctx);
    const { userId } = parse(userParams, req.params, 'path');
    if (caller.id === userId) throw badRequest('You cannot delete yourself');
    if (!(await ctx.store.users.get(userId))) throw notFound('User not found');
    // Their personal websites go with them, analytics included.
    // Lists are capped at 1000 rows a page: delete page 1 until none are left.
    const owned = async () => (await ctx.store.websites.list({ userId, teamIds: [] }, { page: 1, pageSize: 1000 })).data;
    for (let sites = await owned(); sites.length; sites = await owned()) {
      for (const w of sites) {
        await ctx.store.analytics.deleteWebsiteData(w.id);
        await ctx.store.websites.delete(w.id);
      }
    }
    await ctx.store.users.delete(userId);
    return { ok: true };
  }));

  app.get('/api/users/:userId/websites', async (req) => {
    const user = await target(req, await requireUser(req, ctx));
    const page = parsePaging(req.query, 10);
    return paged(await listWebsitesFor(ctx, user, page, includeTeams(req.query), await keyWebsiteIds(req, ctx)), page, websiteJson);
  });

  app.get('/api/users/:userId/teams', async (req) => {
    const caller = await requireUser(req, ctx);
    const user = await target(req, caller);
    const page = parsePaging(req.query);
    return pagedTeams(ctx, caller, await ctx.store.teams.list(user.id, page), page);
  });

  app.get('/api/admin/users', async (req) => {
    await requireAdmin(req, ctx);
    const page = parsePaging(req.query);
    return paged(await ctx.store.users.list(page), page, userJson);
  });

  app.get('/api/admin/websites', async (req) => {
    await requireAdmin(req, ctx);
    const page = parsePaging(req.query);
    return paged(await ctx.store.websites.list({ ids: (await keyWebsiteIds(req, ctx)) ?? undefined }, page), page, websiteJson);
  });

  app.get('/api/admin/teams', async (req) => {
    const admin = await requireAdmin(req, ctx);
    const page = parsePaging(req.query);
    return pagedTeams(ctx, admin, await ctx.store.teams.list(null, page), page);
  });
}
