// API keys: `dashi_` + 32 random bytes (base64url), sent as `x-umami-api-key: <key>` (Umami Cloud)
// or `Authorization: Bearer <key>` (self-hosted Umami 3.4). Stored as SHA-256 (the key is random,
// so a slow hash would add nothing) and looked up by hash on every request: a revoked key stops
// working at once on every process. Per key: a request budget per minute, and lastUsedAt written at
// most once a minute per process.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ApiKey, ApiKeyScope, Store, User } from '../store/types.js';
import type { Auth } from './auth-service.js';
import { metadataWrites } from './lock.js';

export const API_KEY_PREFIX = 'dashi_';
export const API_KEY_HEADER = 'x-umami-api-key';
const KEY_RE = /^dashi_[A-Za-z0-9_-]{43}$/;
/** lastUsedAt is written at most this often per key and process. */
export const TOUCH_INTERVAL_MS = 60_000;
const WINDOW_MS = 60_000;

/** What a request authenticated by a key may do beyond its owner's own rights. */
export interface ApiKeyGrant {
  id: string;
  name: string;
  scope: ApiKeyScope;
  websiteIds: string[] | null;
}

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** A new secret and what is stored of it. */
export function newApiKey(): { key: string; hash: string; prefix: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, hash: hashApiKey(key), prefix: key.slice(0, API_KEY_PREFIX.length + 4) };
}

/**
 * The API key a request carries, or null when it carries none: the x-umami-api-key header, or a
 * bearer token with the `dashi_` prefix (login tokens are JWTs and never start with it).
 */
export function apiKeyCredential(req: FastifyRequest): string | null {
  const header = req.headers[API_KEY_HEADER];
  if (typeof header === 'string' && header) return header.trim();
  const auth = req.headers.authorization;
  if (auth && /^bearer\s+dashi_/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
  return null;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the budget is full again. */
  reset: number;
}

/** A fixed one-minute window per key, in this process's memory. */
export class KeyRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(public limit: number) {}

  take(keyId: string, now = Date.now()): RateDecision {
    let w = this.windows.get(keyId);
    if (!w || now - w.start >= WINDOW_MS) {
      if (this.windows.size > 10_000) {
        for (const [id, old] of this.windows) if (now - old.start >= WINDOW_MS) this.windows.delete(id);
      }
      w = { start: now, count: 0 };
      this.windows.set(keyId, w);
    }
    const reset = Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000));
    if (w.count >= this.limit) return { allowed: false, limit: this.limit, remaining: 0, reset };
    w.count++;
    return { allowed: true, limit: this.limit, remaining: this.limit - w.count, reset };
  }
}

export class ApiKeyAuth {
  readonly limiter = new KeyRateLimiter(600);
  private readonly touched = new Map<string, number>();

  constructor(private readonly store: Store) {}

  /** The request's identity for a key, or null when the key is unknown, revoked or expired. */
  async authenticate(key: string, now = new Date()): Promise<Auth | null> {
    if (!KEY_RE.test(key)) return null;
    const found = await this.store.apiKeys.getByHash(hashApiKey(key));
    if (!found || (found.expiresAt && found.expiresAt.getTime() <= now.getTime())) return null;
    const user = await this.store.users.get(found.userId);
    if (!user) return null;
    return keyAuth(user, found);
  }

  /** Record use; writes lastUsedAt when this process has not written it within the interval. */
  async touch(keyId: string, now = Date.now()): Promise<void> {
    const last = this.touched.get(keyId);
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return;
    this.touched.set(keyId, now);
    if (this.touched.size > 10_000) this.touched.clear();
    await metadataWrites.run(() => this.store.apiKeys.touch(keyId, new Date(now)));
  }
}

export function keyAuth(user: User, key: ApiKey): Auth {
  return {
    kind: 'user',
    user,
    tokenId: key.id,
    expiresAt: key.expiresAt ?? new Date(8.64e15),
    via: 'api-key',
    apiKey: { id: key.id, name: key.name, scope: key.scope, websiteIds: key.websiteIds },
  };
}
