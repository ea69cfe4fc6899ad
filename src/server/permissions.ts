// Who may do what, as Umami: user roles admin / user / view-only, team roles owner / manager /
// member / view-only. One rule everywhere: authorize first, then load. A caller that may not
// act gets 401, whether or not the thing exists; only admins learn that an id does not exist (404).
import type { FastifyRequest } from 'fastify';
import type { TeamRole, User, UserRole, Website } from '../store/types.js';
import type { AppContext } from './context.js';
import type { Auth } from './auth-service.js';
import { notFound, unauthorized } from './errors.js';
import { checkCookieWrite } from './csrf.js';

export type Permission =
  | 'website:create'
  | 'website:update'
  | 'website:delete'
  | 'website:transfer-to-team'
  | 'website:transfer-to-user'
  | 'team:create'
  | 'team:update'
  | 'team:delete';

const ROLE_PERMISSIONS: Record<UserRole, Permission[]> = {
  admin: ['website:create', 'website:update', 'website:delete', 'team:create', 'team:update', 'team:delete'],
  user: ['website:create', 'website:update', 'website:delete', 'team:create'],
  'view-only': [],
};

const TEAM_PERMISSIONS: Record<TeamRole, Permission[]> = {
  'team-owner': ['team:update', 'team:delete', 'website:create', 'website:update', 'website:delete', 'website:transfer-to-team', 'website:transfer-to-user'],
  'team-manager': ['team:update', 'website:create', 'website:update', 'website:delete', 'website:transfer-to-team'],
  'team-member': ['website:create', 'website:update', 'website:delete'],
  'team-view-only': [],
};

export const USER_ROLES = Object.keys(ROLE_PERMISSIONS) as [UserRole, ...UserRole[]];
export const TEAM_ROLES = Object.keys(TEAM_PERMISSIONS) as [TeamRole, ...TeamRole[]];

export const isAdmin = (user: User) => user.role === 'admin';
export const userCan = (user: User, p: Permission) => ROLE_PERMISSIONS[user.role]?.includes(p) ?? false;
export const teamRoleCan = (role: TeamRole | undefined, p: Permission) => (role ? TEAM_PERMISSIONS[role].includes(p) : false);

/** Who may manage a team (its settings, access code and members): owners, managers and admins. */
export const mayManageTeam = (user: User, role: TeamRole | undefined) => isAdmin(user) || teamRoleCan(role, 'team:update');

/**
 * Whether the caller may give a member holding `current` (undefined: not yet a member) the role
 * `next` (undefined: removal). Managing members takes team:update; whatever makes, changes or
 * removes a team-owner takes a team-owner (or an admin), so a manager cannot promote itself,
 * demote the owner and then take the team's websites.
 */
export function mayChangeMember(user: User, callerRole: TeamRole | undefined, current: TeamRole | undefined, next: TeamRole | undefined): boolean {
  if (isAdmin(user)) return true;
  if (!teamRoleCan(callerRole, 'team:update')) return false;
  return (current !== 'team-owner' && next !== 'team-owner') || callerRole === 'team-owner';
}

/** Who the request is; a write authenticated only by the cookie must be same-origin (csrf.ts). */
async function resolveAuth(req: FastifyRequest, ctx: AppContext): Promise<Auth | null> {
  const auth = await ctx.auth.resolve(req);
  if (auth?.kind === 'user' && auth.via === 'cookie') checkCookieWrite(req);
  return auth;
}

export async function requireAuth(req: FastifyRequest, ctx: AppContext): Promise<Auth> {
  const auth = await resolveAuth(req, ctx);
  if (!auth) throw unauthorized();
  return auth;
}

export async function requireUser(req: FastifyRequest, ctx: AppContext): Promise<User> {
  const auth = await resolveAuth(req, ctx);
  if (!auth || auth.kind !== 'user') throw unauthorized();
  return auth.user;
}

export async function requireAdmin(req: FastifyRequest, ctx: AppContext): Promise<User> {
  const user = await requireUser(req, ctx);
  if (!isAdmin(user)) throw unauthorized();
  return user;
}

export async function teamRole(ctx: Pick<AppContext, 'store'>, teamId: string | null, userId: string): Promise<TeamRole | undefined> {
  if (!teamId) return undefined;
  return (await ctx.store.teams.member(teamId, userId))?.role;
}

/** False when the request's API key is limited to other websites. */
export function keyAllowsWebsite(auth: Auth, websiteId: string): boolean {
  return auth.kind !== 'user' || !auth.apiKey?.websiteIds || auth.apiKey.websiteIds.includes(websiteId);
}

/** The websites the request's API key is limited to, or null (no key, or a key for all websites). */
export async function keyWebsiteIds(req: FastifyRequest, ctx: AppContext): Promise<string[] | null> {
  const auth = await ctx.auth.resolve(req);
  return auth?.kind === 'user' ? (auth.apiKey?.websiteIds ?? null) : null;
}

export type WebsiteAction = 'view' | 'update' | 'delete';

export async function canOnWebsite(ctx: Pick<AppContext, 'store'>, auth: Auth, website: Website, action: WebsiteAction): Promise<boolean> {
  if (auth.kind === 'share') return action === 'view' && auth.websiteId === website.id;
  if (!keyAllowsWebsite(auth, website.id)) return false;
  const user = auth.user;
  if (isAdmin(user)) return true;
  if (website.userId) return website.userId === user.id;
  const role = await teamRole(ctx, website.teamId, user.id);
  if (action === 'view') return role !== undefined;
  return teamRoleCan(role, action === 'update' ? 'website:update' : 'website:delete');
}

/**
 * The website the caller may act on, by uuid; 401 when not allowed (or unknown, for non-admins),
 * 404 for admins asking for an id that does not exist.
 */
export async function requireWebsite(req: FastifyRequest, ctx: AppContext, websiteId: string, action: WebsiteAction = 'view'): Promise<Website> {
  const auth = await requireAuth(req, ctx);
  if (!keyAllowsWebsite(auth, websiteId)) throw unauthorized();
  const website = await ctx.store.websites.get(websiteId);
  if (!website) {
    if (auth.kind === 'user' && isAdmin(auth.user)) throw notFound('Website not found');
    throw unauthorized();
  }
  if (!(await canOnWebsite(ctx, auth, website, action))) throw unauthorized();
  return website;
}

/** requireWebsite with the name the analytics routes use. */
export const requireWebsiteView = (req: FastifyRequest, ctx: AppContext, websiteId: string) => requireWebsite(req, ctx, websiteId, 'view');
