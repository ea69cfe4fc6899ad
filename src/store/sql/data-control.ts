// Website data settings (retention) and the purge log, in SQL that DuckDB and PostgreSQL both accept.
import { randomUUID } from 'node:crypto';
import type { Page, PageRequest, PurgeKind, PurgeLogRepo, PurgeRecord, Row, WebsiteSettings, WebsiteSettingsRepo } from '../types.js';
import { iso, isUuid, type Executor } from './executor.js';

const toSettings = (r: Row): WebsiteSettings => ({
  websiteId: String(r.website_id),
  retentionDays: r.retention_days == null ? null : Number(r.retention_days),
});

export class SqlWebsiteSettingsRepo implements WebsiteSettingsRepo {
  constructor(private readonly db: Executor) {}

  async get(websiteId: string): Promise<WebsiteSettings | null> {
    if (!isUuid(websiteId)) return null;
    const rows = await this.db.all('SELECT website_id, retention_days FROM website_settings WHERE website_id = $1', [websiteId]);
    return rows.length ? toSettings(rows[0]) : null;
  }

  async set(websiteId: string, settings: { retentionDays: number | null }): Promise<void> {
    // UPDATE in place when the row exists: deleting and re-inserting a primary key in one
    // transaction is what DuckDB's WAL replay has been fragile about.
    const params = [websiteId, settings.retentionDays, new Date().toISOString()];
    await this.db.transaction(async (tx) => {
      const existing = await tx.all('SELECT 1 FROM website_settings WHERE website_id = $1', [websiteId]);
      if (existing.length) await tx.run('UPDATE website_settings SET retention_days = $2, updated_at = $3::TIMESTAMP WHERE website_id = $1', params);
      else await tx.run('INSERT INTO website_settings (website_id, retention_days, updated_at) VALUES ($1, $2, $3::TIMESTAMP)', params);
    });
  }

  async delete(websiteId: string): Promise<void> {
    if (isUuid(websiteId)) await this.db.run('DELETE FROM website_settings WHERE website_id = $1', [websiteId]);
  }

  async list(): Promise<WebsiteSettings[]> {
    return (await this.db.all('SELECT website_id, retention_days FROM website_settings ORDER BY website_id')).map(toSettings);
  }
}

const date = (v: unknown): Date | null => (v == null ? null : v instanceof Date ? v : new Date(String(v)));

function toRecord(r: Row): PurgeRecord {
  let filters: Record<string, unknown> = {};
  try {
    filters = JSON.parse(String(r.filters)) as Record<string, unknown>;
  } catch {
    // written by us as JSON; an unreadable entry shows no filters rather than failing the list
  }
  return {
    id: String(r.purge_id),
    websiteId: String(r.website_id),
    userId: r.user_id == null ? null : String(r.user_id),
    kind: String(r.kind) as PurgeKind,
    filters,
    startAt: date(r.start_at),
    endAt: date(r.end_at),
    events: Number(r.events),
    sessions: Number(r.sessions),
    createdAt: date(r.created_at)!,
  };
}

export class SqlPurgeLogRepo implements PurgeLogRepo {
  constructor(private readonly db: Executor) {}

  async add(entry: Omit<PurgeRecord, 'id' | 'createdAt'>): Promise<PurgeRecord> {
    const record: PurgeRecord = { ...entry, id: randomUUID(), createdAt: new Date() };
    await this.db.run(
      `INSERT INTO purge_log (purge_id, website_id, user_id, kind, filters, start_at, end_at, events, sessions, created_at)
       VALUES ($1, $2, $3, $4, $5, $6::TIMESTAMP, $7::TIMESTAMP, $8, $9, $10::TIMESTAMP)`,
      [record.id, record.websiteId, record.userId, record.kind, JSON.stringify(record.filters), iso(record.startAt), iso(record.endAt), record.events, record.sessions, iso(record.createdAt)],
    );
    return record;
  }

  async list(websiteId: string, page: PageRequest): Promise<Page<PurgeRecord>> {
    if (!isUuid(websiteId)) return { data: [], count: 0 };
    const offset = (page.page - 1) * page.pageSize;
    const rows = await this.db.all(
      `SELECT * FROM purge_log WHERE website_id = $1 ORDER BY created_at DESC, purge_id LIMIT ${Number(page.pageSize)} OFFSET ${Number(offset)}`,
      [websiteId],
    );
    const [{ n }] = await this.db.all('SELECT count(*) AS n FROM purge_log WHERE website_id = $1', [websiteId]);
    return { data: rows.map(toRecord), count: Number(n) };
  }
}
