// Teams and their members, with Umami's team roles (owner, manager, member, view-only).
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Page, PageRequest, Team, TeamRole, User } from '../store/types.js';
import type { AppContext } from '../server/context.js';
import { badRequest, notFound, unauthorized } from '../server/errors.js';
import { isAdmin, keyWebsiteIds, mayChangeMember, mayManageTeam, requireUser, TEAM_ROLES, teamRole, teamRoleCan, userCan, type Permission } from '../server/permissions.js';
import { serialized } from '../server/lock.js';
import { parse, uuid } from '../server/validate.js';
import { parsePaging, paged } from './paging.js';
import { memberJson, teamJson, websiteJson } from './shapes.js';

const teamName = z.string().trim().min(1).max(50);
const accessCode = z.string().trim().min(6).max(50).regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, _ and -');
export const teamParams = z.object({ teamId: uuid });
export const memberParams = z.object({ teamId: uuid, userId: uuid });
const role = z.enum(TEAM_ROLES);
export const createBody = z.object({ name: teamName, ownerId: uuid.optional() });
export const joinBody = z.object({ accessCode: z.string().trim().min(1).max(50) });
export const updateBody = z.object({ name: teamName.optional(), accessCode: accessCode.optional() });
export const addMemberBody = z.object({ userId: uuid, role });
export const memberBody = z.object({ role });

const newAccessCode = () => `team_${randomBytes(12).toString('base64url').slice(0, 16)}`;

/** Teams as `viewer` sees them: each access code only where the viewer may manage that team. */
export async function teamsJsonFor(ctx: AppContext, viewer: User, teams: Team[]) {
  const roles = isAdmin(viewer) ? null : new Map((await ctx.store.teams.membershipsOf(viewer.id)).map((m) => [m.teamId, m.role]));
  return teams.map((t) => teamJson(t, mayManageTeam(viewer, roles?.get(t.id))));
}

export async function pagedTeams(ctx: AppContext, viewer: User, result: Page<Team>, page: PageRequest) {
  return { ...paged(result, page, (t) => t), data: await teamsJsonFor(ctx, viewer, result.data) };
}

export function registerTeams(app: FastifyInstance, ctx: AppContext): void {
  /**
   * The team in the path, if the caller may: 'view' needs membership, otherwise the permission
   * from the caller's team role. Admins may do anything; others get 401 whether or not it exists.
   */
  async function teamFor(req: FastifyRequest, need: 'view' | Permission): Promise<{ team: Team; user: User; role?: TeamRole }> {
    const user = await requireUser(req, ctx);
    const { teamId } = parse(teamParams.passthrough(), req.params, 'path');
    const myRole = await teamRole(ctx, teamId, user.id);
    const allowed = isAdmin(user) || (need === 'view' ? myRole !== undefined : teamRoleCan(myRole, need));
    if (!allowed) throw unauthorized();
    const team = await ctx.store.teams.get(teamId);
    if (!team) throw notFound('Team not found');
    return { team, user, role: myRole };
  }

  /** No one, admins included, leaves a team without an owner: make someone else owner first. */
  async function assertOtherOwnerRemains(teamId: string, userId: string) {
    const member = await ctx.store.teams.member(teamId, userId);
    if (member?.role !== 'team-owner') return;
    const members = await ctx.store.teams.members(teamId, { page: 1, pageSize: 1000 });
    if (!members.data.some((m) => m.role === 'team-owner' && m.userId !== userId)) {
      throw badRequest('A team needs at least one owner: make someone else owner first');
    }
  }

  const teamSites = async (teamId: string) => (await ctx.store.websites.list({ teamIds: [teamId] }, { page: 1, pageSize: 1000 })).data;

  app.get('/api/teams', async (req) => {
    const user = await requireUser(req, ctx);
    const page = parsePaging(req.query);
    return pagedTeams(ctx, user, await ctx.store.teams.list(user.id, page), page);
  });

  app.post('/api/teams', serialized(async (req) => {
    const user = await requireUser(req, ctx);
    if (!userCan(user, 'team:create')) throw unauthorized();
    const body = parse(createBody, req.body);
    // Admins may create a team on behalf of another user (Umami's `ownerId`).
    const ownerId = body.ownerId ?? user.id;
    if (ownerId !== user.id) {
      if (!isAdmin(user)) throw unauthorized();
      if (!(await ctx.store.users.get(ownerId))) throw badRequest('ownerId: user not found');
    }
    const { team, member } = await ctx.store.teams.create({ name: body.name, accessCode: newAccessCode(), ownerId });
    return [teamJson(team, true), memberJson(member)];
  }));

  app.post('/api/teams/join', serialized(async (req) => {
    const user = await requireUser(req, ctx);
    const body = parse(joinBody, req.body);
    const team = await ctx.store.teams.getByAccessCode(body.accessCode);
    if (!team) throw notFound('Team not found');
    if (await ctx.store.teams.member(team.id, user.id)) throw badRequest('You are already a member of this team');
    return memberJson(await ctx.store.teams.addMember(team.id, user.id, 'team-member'));
  }));

  app.get('/api/teams/:teamId', async (req) => {
    const { team, user, role: myRole } = await teamFor(req, 'view');
    const members = await ctx.store.teams.members(team.id, { page: 1, pageSize: 1000 });
    return { ...teamJson(team, mayManageTeam(user, myRole)), members: members.data.map(memberJson) };
  });

  app.post('/api/teams/:teamId', serialized(async (req) => {
    const { team } = await teamFor(req, 'team:update');
    const body = parse(updateBody, req.body);
    if (body.accessCode) {
      const other = await ctx.store.teams.getByAccessCode(body.accessCode);
      if (other && other.id !== team.id) throw badRequest('accessCode: already in use');
    }
    return teamJson((await ctx.store.teams.update(team.id, body))!, true);
  }));

  app.delete('/api/teams/:teamId', serialized(async (req) => {
    const { team, user } = await teamFor(req, 'team:delete');
    // The team's websites stay alive: they pass to whoever deleted the team.
    // Lists are capped at 1000 rows a page; each pass moves what it saw, so page 1 until empty.
    for (let sites = await teamSites(team.id); sites.length; sites = await teamSites(team.id)) {
      for (const w of sites) await ctx.store.websites.update(w.id, { teamId: null, userId: user.id });
    }
    await ctx.store.teams.delete(team.id);
    return { ok: true };
  }));

  app.get('/api/teams/:teamId/users', async (req) => {
    const { team } = await teamFor(req, 'view');
    const page = parsePaging(req.query);
    return paged(await ctx.store.teams.members(team.id, page), page, memberJson);
  });

  app.post('/api/teams/:teamId/users', serialized(async (req) => {
    const { team, user, role: myRole } = await teamFor(req, 'team:update');
    const body = parse(addMemberBody, req.body);
    if (!mayChangeMember(user, myRole, undefined, body.role)) throw unauthorized();
    if (!(await ctx.store.users.get(body.userId))) throw badRequest('userId: user not found');
    if (await ctx.store.teams.member(team.id, body.userId)) throw badRequest('userId: already a member of this team');
    return memberJson(await ctx.store.teams.addMember(team.id, body.userId, body.role));
  }));

  app.get('/api/teams/:teamId/users/:userId', async (req) => {
    const { team } = await teamFor(req, 'view');
    const { userId } = parse(memberParams, req.params, 'path');
    const member = await ctx.store.teams.member(team.id, userId);
    if (!member) throw notFound('Team member not found');
    return memberJson(member);
  });

  app.post('/api/teams/:teamId/users/:userId', serialized(async (req) => {
    const { team, user, role: myRole } = await teamFor(req, 'team:update');
    const { userId } = parse(memberParams, req.params, 'path');
    const body = parse(memberBody, req.body);
    const member = await ctx.store.teams.member(team.id, userId);
    if (!member) throw notFound('Team member not found');
    if (!mayChangeMember(user, myRole, member.role, body.role)) throw unauthorized();
    if (body.role !== 'team-owner') await assertOtherOwnerRemains(team.id, userId);
    return memberJson((await ctx.store.teams.updateMember(team.id, userId, body.role))!);
  }));

  app.delete('/api/teams/:teamId/users/:userId', serialized(async (req) => {
    const user = await requireUser(req, ctx);
    const { teamId, userId } = parse(memberParams, req.params, 'path');
    // Members may leave; removing someone else takes team:update (and a team-owner to remove one).
    const leaving = userId === user.id;
    const { team, role: myRole } = await teamFor(req, leaving ? 'view' : 'team:update');
    const member = await ctx.store.teams.member(teamId, userId);
    if (!member) throw notFound('Team member not found');
    if (!leaving && !mayChangeMember(user, myRole, member.role, undefined)) throw unauthorized();
    await assertOtherOwnerRemains(team.id, userId);
    await ctx.store.teams.removeMember(team.id, userId);
    return { ok: true };
  }));

  app.get('/api/teams/:teamId/websites', async (req) => {
    const { team } = await teamFor(req, 'view');
    const page = parsePaging(req.query, 10);
    return paged(await ctx.store.websites.list({ teamIds: [team.id], ids: (await keyWebsiteIds(req, ctx)) ?? undefined }, page), page, websiteJson);
  });
}
