// Login, token checks, logout, and the caller's own account (/api/me*), plus public config.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../server/context.js';
import { AUTH_COOKIE, hashPassword, checkPassword, LoginThrottle } from '../server/auth.js';
import { fromBrowser, overHttps } from '../server/csrf.js';
import { usesDefaultPassword } from '../server/default-admin.js';
import { badRequest, forbidden, HttpError, tooManyRequests } from '../server/errors.js';
import { requireAuth, requireUser } from '../server/permissions.js';
import { serialized } from '../server/lock.js';
import { parse } from '../server/validate.js';
import { parsePaging, paged } from './paging.js';
import { teamJson, userJson, websiteJson } from './shapes.js';
import { listWebsitesFor } from './websites.js';

const loginBody = z.object({
  username: z.string().min(1).max(255),
  password: z.string().min(1).max(255),
});

const passwordBody = z.object({
  currentPassword: z.string().min(1).max(255),
  newPassword: z.string().min(8, 'must be at least 8 characters').max(255),
});

/**
 * The address failed logins are counted against: the CLIENT_IP_HEADER value when the operator set
 * one (behind a proxy every request comes from the proxy), else the socket address. Other proxy
 * headers are not trusted here: a client could rotate them to dodge the throttle.
 */
function loginAddress(req: FastifyRequest, header: string | null): string {
  const value = header ? req.headers[header] : undefined;
  const first = (Array.isArray(value) ? value[0] : value)?.split(',')[0].trim();
  return first || req.ip;
}

export function registerAuth(app: FastifyInstance, ctx: AppContext): void {
  const throttle = new LoginThrottle();

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
    const ip = loginAddress(req, ctx.config.clientIpHeader);
    const keys = [`ip:${ip}`, `user:${ip}:${body.username.toLowerCase()}`];
    const wait = throttle.retryAfter(keys);
    if (wait > 0) throw tooManyRequests(wait, 'Too many failed login attempts, try again later');
    const user = await ctx.auth.verifyLogin(body.username, body.password);
    if (!user) {
      throttle.fail(keys);
      throw new HttpError(401, 'incorrect-username-password', 'Incorrect username and/or password');
    }
    throttle.succeed(keys);
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

  app.post('/api/me/password', serialized(async (req) => {
    const user = await requireUser(req, ctx);
    const body = parse(passwordBody, req.body);
    const full = await ctx.store.users.getWithHash(user.id);
    if (!full || !(await checkPassword(body.currentPassword, full.passwordHash))) {
      throw badRequest('currentPassword: the current password is incorrect');
    }
    const updated = await ctx.store.users.update(user.id, { passwordHash: await hashPassword(body.newPassword) });
    return userJson(updated!);
  }));

  app.get('/api/me/websites', async (req) => {
    const user = await requireUser(req, ctx);
    const page = parsePaging(req.query, 10);
    return paged(await listWebsitesFor(ctx, user, page, includeTeams(req.query)), page, websiteJson);
  });

  app.get('/api/me/teams', async (req) => {
    const user = await requireUser(req, ctx);
    const page = parsePaging(req.query);
    return paged(await ctx.store.teams.list(user.id, page), page, teamJson);
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

/** Umami's `includeTeams`: personal lists include team websites unless it is "false". */
export function includeTeams(query: unknown): boolean {
  const v = (query as Record<string, unknown> | undefined)?.includeTeams;
  return v !== 'false' && v !== '0';
}
