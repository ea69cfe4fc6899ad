// API keys in the shared metadata schema (DuckDB and PostgreSQL). Only the key's SHA-256 is stored.
import { randomUUID } from 'node:crypto';
import type { ApiKey, ApiKeyRepo, ApiKeyScope, Row } from '../types.js';
import { iso, isUuid, type Executor } from './executor.js';

const date = (v: unknown): Date | null => (v == null ? null : v instanceof Date ? v : new Date(String(v)));

function websiteIds(v: unknown): string[] | null {
  if (v == null) return null;
  try {
    const parsed = JSON.parse(String(v));
    return Array.isArray(parsed) ? parsed.map(String) : null;
  } catch {
    // Unreadable: limit the key to nothing rather than to everything.
    return [];
  }
}

function toApiKey(r: Row): ApiKey {
  return {
    id: String(r.api_key_id),
    userId: String(r.user_id),
    name: String(r.name),
    prefix: String(r.key_prefix),
    scope: r.scope as ApiKeyScope,
    websiteIds: websiteIds(r.website_ids),
    expiresAt: date(r.expires_at),
    createdAt: date(r.created_at)!,
    lastUsedAt: date(r.last_used_at),
  };
}

export class SqlApiKeyRepo implements ApiKeyRepo {
  constructor(private readonly db: Executor) {}

  async create(input: { userId: string; name: string; hash: string; prefix: string; scope: ApiKeyScope; websiteIds: string[] | null; expiresAt: Date | null }) {
    const id = randomUUID();
    await this.db.run(
      `INSERT INTO api_keys (api_key_id, user_id, name, key_hash, key_prefix, scope, website_ids, expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::TIMESTAMP, $9::TIMESTAMP)`,
      [
        id,
        input.userId,
        input.name,
        input.hash,
        input.prefix,
        input.scope,
        input.websiteIds ? JSON.stringify(input.websiteIds) : null,
        iso(input.expiresAt),
        new Date().toISOString(),
      ],
    );
    const rows = await this.db.all('SELECT * FROM api_keys WHERE api_key_id = $1', [id]);
    return toApiKey(rows[0]);
  }

  async getByHash(hash: string) {
    const rows = await this.db.all('SELECT * FROM api_keys WHERE key_hash = $1', [hash]);
    return rows[0] ? toApiKey(rows[0]) : null;
  }

  async listByUser(userId: string) {
    if (!isUuid(userId)) return [];
    const rows = await this.db.all('SELECT * FROM api_keys WHERE user_id = $1 ORDER BY created_at DESC, name', [userId]);
    return rows.map(toApiKey);
  }

  async delete(userId: string, id: string) {
    if (!isUuid(userId) || !isUuid(id)) return false;
    return this.db.transaction(async (tx) => {
      const found = await tx.all('SELECT 1 FROM api_keys WHERE api_key_id = $1 AND user_id = $2', [id, userId]);
      if (!found.length) return false;
      await tx.run('DELETE FROM api_keys WHERE api_key_id = $1', [id]);
      return true;
    });
  }

  async touch(id: string, at: Date) {
    if (!isUuid(id)) return;
    await this.db.run('UPDATE api_keys SET last_used_at = $1::TIMESTAMP WHERE api_key_id = $2', [at.toISOString(), id]);
  }
}
