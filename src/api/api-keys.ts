// API keys: create (the secret is answered once), list, revoke; for yourself under /api/me/api-keys,
// and for any user under /api/users/:userId/api-keys (admins, or that user). Also the gate every
// key-authenticated request passes: rate limit and its headers, the key's scope, and the routes a
// key may never use (users, passwords, keys).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { REPORTS } from '../reports/index.js';
import { apiKeyCredential, newApiKey } from '../server/key-auth.js';
import type { AppContext } from '../server/context.js';
import { badRequest, forbidden, notFound, tooManyRequests, unauthorized } from '../server/errors.js';
import { serialized } from '../server/lock.js';
import { canOnWebsite, isAdmin, requireAuth, requireUser } from '../server/permissions.js';
import { parse, uuid } from '../server/validate.js';
import type { ApiKey, Store, User } from '../store/types.js';
import { parsePaging, paged } from './paging.js';

/** Keys one user may hold. */
export const MAX_KEYS_PER_USER = 100;
const MAX_WEBSITES_PER_KEY = 100;

const instant = z.union([
  z.number().int().min(0).max(8.64e15),
  z
    .string()
    .max(40)
    .refine((s) => Number.isFinite(Date.parse(s)), 'must be a date (ISO 8601) or milliseconds'),
]);

export const createKeyBody = z.object({
  name: z.string().trim().min(1).max(100),
  scope: z.enum(['read', 'write'], 'must be read or write'),
  websiteIds: z.array(uuid).min(1).max(MAX_WEBSITES_PER_KEY).nullish(),
  expiresAt: instant.nullish(),
});

export const apiKeyJson = (k: ApiKey) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scope: k.scope,
  websiteIds: k.websiteIds,
  expiresAt: k.expiresAt,
  createdAt: k.createdAt,
  lastUsedAt: k.lastUsedAt,
});

/** Create a key for `user` (shared by the API and `dashi api-key create`). Answers the secret once. */
export async function issueApiKey(store: Store, user: User, input: z.input<typeof createKeyBody>, now = new Date()) {
  const body = parse(createKeyBody, input);
  const expiresAt = body.expiresAt == null ? null : new Date(typeof body.expiresAt === 'number' ? body.expiresAt : Date.parse(body.expiresAt));
  if (expiresAt && expiresAt.getTime() <= now.getTime()) throw badRequest('expiresAt: must be in the future');
  const websiteIds = body.websiteIds ? [...new Set(body.websiteIds.map((id) => id.toLowerCase()))] : null;
  const owner = { kind: 'user', user, tokenId: '', expiresAt: now, via: 'bearer' } as const;
  for (const id of websiteIds ?? []) {
    const website = await store.websites.get(id);
    if (!website || !(await canOnWebsite({ store }, owner, website, 'view'))) throw badRequest(`websiteIds: no website ${id} that ${user.username} may see`);
  }
  if ((await store.apiKeys.listByUser(user.id)).length >= MAX_KEYS_PER_USER) throw badRequest(`At most ${MAX_KEYS_PER_USER} API keys per user: revoke one first`);
  const secret = newApiKey();
  const key = await store.apiKeys.create({ userId: user.id, name: body.name, hash: secret.hash, prefix: secret.prefix, scope: body.scope, websiteIds, expiresAt });
  return { id: key.id, name: key.name, key: secret.key, prefix: key.prefix, scope: key.scope, websiteIds: key.websiteIds, expiresAt: key.expiresAt, createdAt: key.createdAt };
}

// ---- The gate -------------------------------------------------------------------------------

type Rule = (method: string, route: string) => boolean;

const KEY_ROUTES = new Set(['/api/me/api-keys', '/api/me/api-keys/:keyId', '/api/users/:userId/api-keys', '/api/users/:userId/api-keys/:keyId']);

/** Users, passwords, other keys and sessions: never with a key, whatever its scope. */
const neverWithKey: Rule = (method, route) =>
  KEY_ROUTES.has(route) ||
  (method === 'POST' && (route === '/api/me/password' || route === '/api/users' || route === '/api/auth/logout')) ||
  ((method === 'POST' || method === 'DELETE') && route === '/api/users/:userId');

/** POSTs that compute and save nothing: a read key may make them. */
const READ_POSTS = new Set(['/api/auth/verify', '/api/websites/:websiteId/query', '/mcp', ...Object.keys(REPORTS).map((t) => `/api/reports/${t}`)]);
const isRead: Rule = (method, route) => method === 'GET' || method === 'HEAD' || (method === 'POST' && READ_POSTS.has(route));

/** A key limited to some websites can neither add websites nor change teams (which move websites). */
const outsideLimit: Rule = (method, route) =>
  method !== 'GET' && method !== 'HEAD' && (route === '/api/websites' || route === '/api/website' || route === '/api/teams' || route.startsWith('/api/teams/'));

/** Public routes (ingestion, login) ignore credentials, so the gate leaves them alone. */
function publicRoutes(ctx: AppContext): Set<string> {
  const set = new Set(['/api/send', '/api/batch', '/api/collect', '/api/auth/login']);
  if (ctx.config.collectApiEndpoint) set.add(ctx.config.collectApiEndpoint);
  return set;
}

function rateHeaders(reply: FastifyReply, d: { limit: number; remaining: number; reset: number }) {
  reply.header('ratelimit-limit', String(d.limit));
  reply.header('ratelimit-remaining', String(d.remaining));
  reply.header('ratelimit-reset', String(d.reset));
}

export function apiKeyGate(ctx: AppContext) {
  const open = publicRoutes(ctx);
  const base = ctx.config.basePath;
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const pattern = req.routeOptions.url;
    if (pattern === undefined || apiKeyCredential(req) === null) return;
    const route = base && pattern.startsWith(base) ? pattern.slice(base.length) : pattern;
    if (open.has(route)) return;
    const auth = await ctx.auth.resolve(req);
    // No key, or one that is unknown, revoked or expired: the route itself answers 401.
    if (!auth || auth.kind !== 'user' || !auth.apiKey) return;
    const key = auth.apiKey;
    const decision = ctx.auth.apiKeys.limiter.take(key.id);
    rateHeaders(reply, decision);
    if (!decision.allowed) throw tooManyRequests(decision.reset, `Rate limit of ${decision.limit} requests per minute for this API key exceeded`);
    if (neverWithKey(req.method, route)) throw forbidden('API keys cannot manage users, passwords or API keys: log in instead');
    if (key.scope === 'read' && !isRead(req.method, route)) throw forbidden('This API key is read-only (scope read)');
    if (key.websiteIds && outsideLimit(req.method, route)) throw forbidden('This API key is limited to some websites: it cannot create websites or change teams');
    await ctx.auth.apiKeys.touch(key.id);
  };
}

// ---- Routes ---------------------------------------------------------------------------------

const keyParams = z.object({ keyId: uuid });
const userKeyParams = z.object({ userId: uuid, keyId: uuid.optional() });

function listAnswer(keys: ApiKey[], query: unknown) {
  const page = parsePaging(query, MAX_KEYS_PER_USER);
  const start = (page.page - 1) * page.pageSize;
  return paged({ data: keys.slice(start, start + page.pageSize), count: keys.length }, page, apiKeyJson);
}

export function registerApiKeys(app: FastifyInstance, ctx: AppContext): void {
  ctx.auth.apiKeys.limiter.limit = ctx.config.apiKeyRateLimit;

  /** The user named in the path, if the caller is that user or an admin. */
  async function owner(req: FastifyRequest): Promise<User> {
    const caller = await requireUser(req, ctx);
    const { userId } = parse(userKeyParams, req.params, 'path');
    if (!isAdmin(caller) && caller.id !== userId) throw unauthorized();
    const user = await ctx.store.users.get(userId);
    if (!user) throw notFound('User not found');
    return user;
  }

  async function revoke(user: User, keyId: string) {
    if (!(await ctx.store.apiKeys.delete(user.id, keyId))) throw notFound('API key not found');
    return { ok: true };
  }

  app.post('/api/me/api-keys', serialized(async (req) => issueApiKey(ctx.store, await requireUser(req, ctx), req.body as never)));

  app.get('/api/me/api-keys', async (req) => listAnswer(await ctx.store.apiKeys.listByUser((await requireUser(req, ctx)).id), req.query));

  // The key the request is made with (no secret): lets clients such as `dashi mcp` learn their scope.
  app.get('/api/me/api-keys/current', async (req) => {
    const auth = await requireAuth(req, ctx);
    if (auth.kind !== 'user' || !auth.apiKey) throw badRequest('This request is not authenticated with an API key');
    const key = (await ctx.store.apiKeys.listByUser(auth.user.id)).find((k) => k.id === auth.apiKey!.id);
    if (!key) throw unauthorized();
    return apiKeyJson(key);
  });

  app.delete('/api/me/api-keys/:keyId', serialized(async (req) => {
    const user = await requireUser(req, ctx);
    return revoke(user, parse(keyParams, req.params, 'path').keyId);
  }));

  app.get('/api/users/:userId/api-keys', async (req) => listAnswer(await ctx.store.apiKeys.listByUser((await owner(req)).id), req.query));

  app.delete('/api/users/:userId/api-keys/:keyId', serialized(async (req) => {
    const user = await owner(req);
    return revoke(user, parse(userKeyParams.required(), req.params, 'path').keyId);
  }));
}
