// JSON shapes of metadata objects, one definition each. A password hash never appears here.
import type { Team, TeamMember, User, Website } from '../store/types.js';

export const userJson = (u: User) => ({
  id: u.id,
  username: u.username,
  role: u.role,
  displayName: u.displayName,
  createdAt: u.createdAt,
  isAdmin: u.role === 'admin',
});

export const websiteJson = (w: Website) => ({
  id: w.id,
  name: w.name,
  domain: w.domain,
  shareId: w.shareId,
  resetAt: w.resetAt,
  userId: w.userId,
  teamId: w.teamId,
  createdBy: w.createdBy,
  createdAt: w.createdAt,
  updatedAt: w.updatedAt,
  deletedAt: null,
  allowedHostnames: w.allowedHostnames,
});

/** The access code lets anyone join as team-member: only those who may manage the team see it. */
export const teamJson = (t: Team, withAccessCode: boolean) => ({
  id: t.id,
  name: t.name,
  accessCode: withAccessCode ? t.accessCode : null,
  logoUrl: t.logoUrl,
  createdAt: t.createdAt,
  updatedAt: t.updatedAt,
});

export const memberJson = (m: TeamMember & { username?: string }) => ({
  id: m.id,
  teamId: m.teamId,
  userId: m.userId,
  role: m.role,
  createdAt: m.createdAt,
  updatedAt: m.updatedAt,
  ...(m.username !== undefined ? { user: { id: m.userId, username: m.username } } : {}),
});
