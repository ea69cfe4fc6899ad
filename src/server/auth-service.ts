// Login tokens and share tokens (HS256 JWTs signed with a key derived from APP_SECRET), password
// hashing, and how a request proves who it is: `Authorization: Bearer`, the `umami.auth` cookie
// (v1), or `x-umami-share-token` (read-only access to one shared website).
//
// A login token names the user's session epoch (`ep`). Changing a password raises the user's epoch
// (table session_epochs, src/store/sql/metadata.ts), so every token issued before it is refused at
// once, by every process: each request already reads the user (the epoch comes joined to that
// row), so the check costs no extra query and nothing is cached. Tokens from before epochs existed carry none and count as 0.
import { createHash, randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { jwtVerify, SignJWT } from 'jose';
import type { FastifyRequest } from 'fastify';
import type { Store, User } from '../store/types.js';
import { ApiKeyAuth, apiKeyCredential, type ApiKeyGrant } from './key-auth.js';

export const AUTH_COOKIE = 'umami.auth';
export const SHARE_TOKEN_HEADER = 'x-umami-share-token';
const BCRYPT_ROUNDS = 10;

export type Auth =
  | { kind: 'user'; user: User; tokenId: string; expiresAt: Date; via: 'bearer' | 'cookie' | 'api-key'; apiKey?: ApiKeyGrant }
  | { kind: 'share'; websiteId: string; shareId: string };

export const hashPassword = (password: string) => bcrypt.hash(password, BCRYPT_ROUNDS);
export const checkPassword = (password: string, hash: string) => bcrypt.compare(password, hash);
// Compared against when the username is unknown, so both paths cost one bcrypt.
const DUMMY_HASH = bcrypt.hashSync('dashi-no-such-user', BCRYPT_ROUNDS);

export class AuthService {
  private readonly key: Uint8Array;
  readonly apiKeys: ApiKeyAuth;

  constructor(
    appSecret: string,
    private readonly store: Store,
    private readonly ttlSeconds: number,
  ) {
    this.key = createHash('sha256').update(`dashi-auth:${appSecret}`).digest();
    this.apiKeys = new ApiKeyAuth(store);
  }

  /** The user for a username and password, or null. Always costs one bcrypt compare. */
  async verifyLogin(username: string, password: string): Promise<User | null> {
    const found = await this.store.users.getWithHashByUsername(username);
    const ok = await checkPassword(password, found?.passwordHash ?? DUMMY_HASH);
    if (!found || !ok) return null;
    const { passwordHash: _omit, ...user } = found;
    return user;
  }

  async issueLoginToken(user: User): Promise<string> {
    return new SignJWT({ typ: 'login', ep: user.sessionEpoch })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + this.ttlSeconds)
      .sign(this.key);
  }

  async issueShareToken(websiteId: string, shareId: string): Promise<string> {
    return new SignJWT({ typ: 'share', websiteId, shareId }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().sign(this.key);
  }

  private async claims(token: string): Promise<Record<string, unknown> | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      return payload as Record<string, unknown>;
    } catch {
      return null;
    }
  }

  async userFromToken(token: string, via: 'bearer' | 'cookie'): Promise<Auth | null> {
    const c = await this.claims(token);
    if (!c || c.typ !== 'login' || typeof c.sub !== 'string' || typeof c.jti !== 'string' || typeof c.exp !== 'number') return null;
    if (await this.store.tokens.isRevoked(c.jti)) return null;
    const user = await this.store.users.get(c.sub);
    if (!user || (c.ep ?? 0) !== user.sessionEpoch) return null;
    return { kind: 'user', user, tokenId: c.jti, expiresAt: new Date(c.exp * 1000), via };
  }

  async shareFromToken(token: string): Promise<Auth | null> {
    const c = await this.claims(token);
    if (!c || c.typ !== 'share' || typeof c.websiteId !== 'string' || typeof c.shareId !== 'string') return null;
    // Turning sharing off (or changing the slug) invalidates every token issued for it.
    const website = await this.store.websites.get(c.websiteId);
    if (!website || website.shareId !== c.shareId) return null;
    return { kind: 'share', websiteId: website.id, shareId: c.shareId };
  }

  /** Who the request is, resolved once per request. */
  resolve(req: FastifyRequest): Promise<Auth | null> {
    const cached = (req as AuthedRequest)[AUTH];
    if (cached) return cached;
    const p = this.resolveNow(req);
    (req as AuthedRequest)[AUTH] = p;
    return p;
  }

  private async resolveNow(req: FastifyRequest): Promise<Auth | null> {
    const apiKey = apiKeyCredential(req);
    if (apiKey !== null) return this.apiKeys.authenticate(apiKey);
    const header = req.headers.authorization;
    if (header && /^bearer\s+/i.test(header)) return this.userFromToken(header.replace(/^bearer\s+/i, '').trim(), 'bearer');
    const cookie = req.cookies?.[AUTH_COOKIE];
    if (cookie) return this.userFromToken(cookie, 'cookie');
    const share = req.headers[SHARE_TOKEN_HEADER];
    if (typeof share === 'string' && share) return this.shareFromToken(share);
    return null;
  }
}

const AUTH = Symbol('auth');
type AuthedRequest = FastifyRequest & { [AUTH]?: Promise<Auth | null> };
