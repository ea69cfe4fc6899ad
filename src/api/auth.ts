// Login, token checks, logout, and the caller's own account (/api/me*), plus public config.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../server/context.js';
import type { User } from '../store/types.js';
import { AUTH_COOKIE, hashPassword, checkPassword } from '../server/auth-service.js';
import { addressKey, loginAddress, LoginThrottle, proxyMatcher } from '../server/login-throttle.js';
import { fromBrowser, overHttps } from '../server/csrf.js';
import { usesDefaultPassword } from '../server/default-admin.js';
import { badRequest, forbidden, HttpError, tooManyRequests } from '../server/errors.js';
import { keyWebsiteIds, requireAuth, requireUser } from '../server/permissions.js';
import { serialized } from '../server/lock.js';
import { parse } from '../server/validate.js';
import { includeTeams, parsePaging, paged } from './paging.js';
import { userJson, websiteJson } from './shapes.js';
import { pagedTeams } from './teams.js';
import { listWebsitesFor } from './websites.js';

export const loginBody = z.object({
  username: z.string().min(1).max(255),
  password: z.string().min(1).max(255),
});

export const passwordBody = z.object({
  currentPassword: z.string().min(1).max(255),
  newPassword: z.string().min(8, 'must be at least 8 characters').max(255),
});

export function registerAuth(app: FastifyInstance, ctx: AppContext): void {
  const throttle = new LoginThrottle();
  const trusted = proxyMatcher(ctx.config.trustedProxies);

  const cookieOptions = (req: FastifyRequest) => ({
    path: ctx.config.basePath || '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: overHttps(req),
    maxAge: ctx.config.tokenTtlSeconds,
  });

  app.post('/api/auth/login', async (req, reply) => {
    if (ctx.config.disableLogin) throw forbidden('Login is disabled');
    const body = parse(loginBody, req.body);
    const ip = addressKey(loginAddress(req.headers, req.socket.remoteAddress, ctx.config.clientIpHeader, trusted));
    const wait = throttle.retryAfter(ip, body.username);
    if (wait > 0) throw tooManyRequests(wait, 'Too many failed login attempts, try again later');
    const user = await ctx.auth.verifyLogin(body.username, body.password);
    if (!user) {
      throttle.fail(ip, body.username);
      throw new HttpError(401, 'incorrect-username-password', 'Incorrect username and/or password');
    }
    throttle.succeed(ip, body.username);
    const token = await ctx.auth.issueLoginToken(user);
    const teams = await ctx.store.teams.list(user.id, { page: 1, pageSize: 100 });
    // The v1 cookie goes only to clients that are not browsers (curl and scripts with a cookie
    // jar, as seed 000 describes); the dashboard and any page use the token as a bearer, so no
    // browser holds a cookie that other sites' requests would carry.
    if (!fromBrowser(req)) reply.setCookie(AUTH_COOKIE, token, cookieOptions(req));
    return {
      token,
      user: {
        ...userJson(user),
        teams: teams.data.map((t) => ({ id: t.id, name: t.name, logoUrl: t.logoUrl })),
        usesDefaultPassword: await usesDefaultPassword(ctx.store, user),
      },
    };
  });

  const verify = async (req: FastifyRequest) => {
    const user = await requireUser(req, ctx);
    return { ...userJson(user), usesDefaultPassword: await usesDefaultPassword(ctx.store, user) };
  };
  app.post('/api/auth/verify', verify);
  app.get('/api/auth/verify', verify);

  app.post('/api/auth/logout', serialized(async (req, reply) => {
    const auth = await requireAuth(req, ctx);
    if (auth.kind === 'user') await ctx.store.tokens.revoke(auth.tokenId, auth.expiresAt);
    const { maxAge: _keep, ...attributes } = cookieOptions(req);
    reply.clearCookie(AUTH_COOKIE, attributes);
    return { ok: true };
  }));

  app.get('/api/me', async (req) => {
    const user = await requireUser(req, ctx);
    // Umami's shape, but the token is not echoed: whoever asks already holds it, and an answer
    // that repeats it turns any leak of this response into a leak of the credential.
    return { token: null, authKey: null, shareToken: null, user: userJson(user), usesDefaultPassword: await usesDefaultPassword(ctx.store, user) };
  });

  app.post('/api/me/password', serialized(async (req, reply) => {
    const user = await requireUser(req, ctx);
    const body = parse(passwordBody, req.body);
    const full = await ctx.store.users.getWithHash(user.id);
    if (!full || !(await checkPassword(body.currentPassword, full.passwordHash))) {
      throw badRequest('currentPassword: the current password is incorrect');
    }
    const updated = await ctx.store.users.update(user.id, { passwordHash: await hashPassword(body.newPassword) });
    return { ...userJson(updated!), token: await renewSession(ctx, req, reply, updated!) };
  }));

  app.get('/api/me/websites', async (req) => {
    const user = await requireUser(req, ctx);
    const page = parsePaging(req.query, 10);
    return paged(await listWebsitesFor(ctx, user, page, includeTeams(req.query), await keyWebsiteIds(req, ctx)), page, websiteJson);
  });

  app.get('/api/me/teams', async (req) => {
    const user = await requireUser(req, ctx);
    const page = parsePaging(req.query);
    return pagedTeams(ctx, user, await ctx.store.teams.list(user.id, page), page);
  });

  app.get('/api/config', async () => ({
    cloudMode: false,
    privateMode: false,
    telemetryDisabled: true,
    updatesDisabled: true,
    trackerScriptName: ctx.config.trackerScriptNames.join(',') || null,
    disableLogin: ctx.config.disableLogin,
  }));
}

/**
 * A password change ended every session of the user (src/server/auth-service.ts); the session that made
 * the change goes on with a fresh token, returned in the body and, when it came as the cookie,
 * as the cookie.
 */
export async function renewSession(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, user: User): Promise<string> {
  const token = await ctx.auth.issueLoginToken(user);
  const auth = await ctx.auth.resolve(req);
  if (auth?.kind === 'user' && auth.via === 'cookie') {
    reply.setCookie(AUTH_COOKIE, token, { path: ctx.config.basePath || '/', httpOnly: true, sameSite: 'lax', maxAge: ctx.config.tokenTtlSeconds });
  }
  return token;
}
