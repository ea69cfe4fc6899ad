// Metadata repositories (users, teams, websites, shares, reports, segments, revoked tokens),
// written once in SQL that DuckDB and PostgreSQL both accept. Times are passed as ISO strings
// and cast, so neither driver's date binding matters.
import { randomUUID } from 'node:crypto';
import type {
  Page,
  PageRequest,
  Report,
  ReportRepo,
  Row,
  Segment,
  SegmentRepo,
  Team,
  TeamMember,
  TeamRepo,
  TeamRole,
  TokenRepo,
  User,
  UserRepo,
  UserRole,
  UserWithHash,
  Website,
  WebsiteChange,
  WebsiteFilter,
  WebsitePatch,
  WebsiteRepo,
  NewWebsite,
} from '../types.js';
import { WebsiteIdTakenError } from '../types.js';
import { iso, isUuid, type Executor } from './executor.js';
import { pageOf } from './pages.js';

const now = () => new Date().toISOString();
const date = (v: unknown): Date | null => (v == null ? null : v instanceof Date ? v : new Date(String(v)));
const str = (v: unknown): string | null => (v == null ? null : String(v));

/** Builds `SET a = $n, b = $m` from a patch of column -> value, skipping undefined. */
function assignments(patch: Record<string, unknown>, params: unknown[]): string[] {
  const sets: string[] = [];
  for (const [col, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    params.push(value);
    sets.push(col.endsWith('_at') ? `${col} = $${params.length}::TIMESTAMP` : `${col} = $${params.length}`);
  }
  return sets;
}


function toUser(r: Row): User {
  return {
    id: String(r.user_id),
    legacyId: Number(r.legacy_id),
    username: String(r.username),
    role: r.role as UserRole,
    displayName: str(r.display_name),
    logoUrl: str(r.logo_url),
    sessionEpoch: Number(r.session_epoch ?? 0),
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at),
  };
}

const USER_COLUMNS = 'SELECT u.*, e.epoch AS session_epoch';
const USER_FROM = ' FROM users u LEFT JOIN session_epochs e ON e.user_id = u.user_id';
const USER_SELECT = USER_COLUMNS + USER_FROM;

export class SqlUserRepo implements UserRepo {
  constructor(private readonly db: Executor) {}

  async create(input: { id?: string; username: string; passwordHash: string; role: UserRole }): Promise<User> {
    const id = input.id ?? randomUUID();
    await this.db.run(
      'INSERT INTO users (user_id, username, password, role, created_at) VALUES ($1, $2, $3, $4, $5::TIMESTAMP)',
      [id, input.username, input.passwordHash, input.role, now()],
    );
    return (await this.get(id))!;
  }

  async get(id: string): Promise<User | null> {
    const u = await this.getWithHash(id);
    if (!u) return null;
    const { passwordHash: _omit, ...user } = u;
    return user;
  }

  async getWithHash(id: string): Promise<UserWithHash | null> {
    if (!isUuid(id)) return null;
    const rows = await this.db.all(`${USER_SELECT} WHERE u.user_id = $1`, [id]);
    return rows[0] ? { ...toUser(rows[0]), passwordHash: String(rows[0].password) } : null;
  }

  async getWithHashByUsername(username: string): Promise<UserWithHash | null> {
    const rows = await this.db.all(`${USER_SELECT} WHERE u.username = $1`, [username]);
    return rows[0] ? { ...toUser(rows[0]), passwordHash: String(rows[0].password) } : null;
  }

  async update(id: string, patch: { username?: string; passwordHash?: string; role?: UserRole; displayName?: string | null }) {
    if (!isUuid(id)) return null;
    const params: unknown[] = [];
    const sets = assignments(
      { username: patch.username, password: patch.passwordHash, role: patch.role, display_name: patch.displayName, updated_at: now() },
      params,
    );
    params.push(id);
    await this.db.transaction(async (tx) => {
      await tx.run(`UPDATE users SET ${sets.join(', ')} WHERE user_id = $${params.length}`, params);
      // A new password ends every session issued before it (see AuthService).
      if (patch.passwordHash !== undefined) {
        await tx.run(
          'INSERT INTO session_epochs (user_id, epoch) VALUES ($1, 1) ON CONFLICT (user_id) DO UPDATE SET epoch = session_epochs.epoch + 1',
          [id],
        );
      }
    });
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    if (!isUuid(id)) return;
    await this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM team_users WHERE user_id = $1', [id]);
      await tx.run('DELETE FROM reports WHERE user_id = $1', [id]);
      await tx.run('DELETE FROM session_epochs WHERE user_id = $1', [id]);
      await tx.run('DELETE FROM api_keys WHERE user_id = $1', [id]);
      await tx.run('DELETE FROM users WHERE user_id = $1', [id]);
    });
  }

  list(page: PageRequest): Promise<Page<User>> {
    const order = { username: 'username', createdAt: 'u.created_at', role: 'role' };
    return pageOf(this.db, { select: USER_COLUMNS, from: USER_FROM, search: ['username'], order, fallback: 'username' }, page, toUser);
  }

  async count(): Promise<number> {
    const [{ n }] = await this.db.all('SELECT count(*) AS n FROM users');
    return Number(n);
  }
}

function toTeam(r: Row): Team {
  return {
    id: String(r.team_id),
    name: String(r.name),
    accessCode: str(r.access_code),
    logoUrl: str(r.logo_url),
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at),
  };
}

function toMember(r: Row): TeamMember {
  return {
    id: String(r.team_user_id),
    teamId: String(r.team_id),
    userId: String(r.user_id),
    role: r.role as TeamRole,
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at),
  };
}

export class SqlTeamRepo implements TeamRepo {
  constructor(private readonly db: Executor) {}

  async create(input: { name: string; accessCode: string; ownerId: string }) {
    const teamId = randomUUID();
    const memberId = randomUUID();
    const at = now();
    await this.db.transaction(async (tx) => {
      await tx.run('INSERT INTO teams (team_id, name, access_code, created_at) VALUES ($1, $2, $3, $4::TIMESTAMP)', [
        teamId,
        input.name,
        input.accessCode,
        at,
      ]);
      await tx.run(
        'INSERT INTO team_users (team_user_id, team_id, user_id, role, created_at) VALUES ($1, $2, $3, $4, $5::TIMESTAMP)',
        [memberId, teamId, input.ownerId, 'team-owner', at],
      );
    });
    return { team: (await this.get(teamId))!, member: (await this.member(teamId, input.ownerId))! };
  }

  async get(id: string) {
    if (!isUuid(id)) return null;
    const rows = await this.db.all('SELECT * FROM teams WHERE team_id = $1', [id]);
    return rows[0] ? toTeam(rows[0]) : null;
  }

  async getByAccessCode(code: string) {
    const rows = await this.db.all('SELECT * FROM teams WHERE access_code = $1', [code]);
    return rows[0] ? toTeam(rows[0]) : null;
  }

  async update(id: string, patch: { name?: string; accessCode?: string }) {
    if (!isUuid(id)) return null;
    const params: unknown[] = [];
    const sets = assignments({ name: patch.name, access_code: patch.accessCode, updated_at: now() }, params);
    params.push(id);
    await this.db.run(`UPDATE teams SET ${sets.join(', ')} WHERE team_id = $${params.length}`, params);
    return this.get(id);
  }

  async delete(id: string) {
    if (!isUuid(id)) return;
    await this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM team_users WHERE team_id = $1', [id]);
      await tx.run('DELETE FROM teams WHERE team_id = $1', [id]);
    });
  }

  list(userId: string | null, page: PageRequest): Promise<Page<Team>> {
    const mine = userId ? { conds: ['team_id IN (SELECT team_id FROM team_users WHERE user_id = $1)'], params: [userId] } : {};
    return pageOf(this.db, { select: 'SELECT *', from: ' FROM teams', ...mine, search: ['name'], order: { name: 'name', createdAt: 'created_at' }, fallback: 'name' }, page, toTeam);
  }

  async members(teamId: string, page: PageRequest) {
    if (!isUuid(teamId)) return { data: [], count: 0 };
    const q = {
      select: 'SELECT tu.*, u.username',
      from: ' FROM team_users tu JOIN users u ON u.user_id = tu.user_id',
      conds: ['tu.team_id = $1'],
      params: [teamId],
      search: ['u.username'],
      order: { username: 'u.username', role: 'tu.role', createdAt: 'tu.created_at' },
      fallback: 'username',
    };
    return pageOf(this.db, q, page, (r) => ({ ...toMember(r), username: String(r.username) }));
  }

  async member(teamId: string, userId: string) {
    if (!isUuid(teamId) || !isUuid(userId)) return null;
    const rows = await this.db.all('SELECT * FROM team_users WHERE team_id = $1 AND user_id = $2', [teamId, userId]);
    return rows[0] ? toMember(rows[0]) : null;
  }

  async membershipsOf(userId: string) {
    if (!isUuid(userId)) return [];
    return (await this.db.all('SELECT * FROM team_users WHERE user_id = $1', [userId])).map(toMember);
  }

  async addMember(teamId: string, userId: string, role: TeamRole) {
    await this.db.run(
      'INSERT INTO team_users (team_user_id, team_id, user_id, role, created_at) VALUES ($1, $2, $3, $4, $5::TIMESTAMP)',
      [randomUUID(), teamId, userId, role, now()],
    );
    return (await this.member(teamId, userId))!;
  }

  async updateMember(teamId: string, userId: string, role: TeamRole) {
    if (!isUuid(teamId) || !isUuid(userId)) return null;
    await this.db.run('UPDATE team_users SET role = $1, updated_at = $2::TIMESTAMP WHERE team_id = $3 AND user_id = $4', [
      role,
      now(),
      teamId,
      userId,
    ]);
    return this.member(teamId, userId);
  }

  async removeMember(teamId: string, userId: string) {
    if (!isUuid(teamId) || !isUuid(userId)) return;
    await this.db.run('DELETE FROM team_users WHERE team_id = $1 AND user_id = $2', [teamId, userId]);
  }
}

const WEBSITE_COLUMNS = 'SELECT w.*, s.slug AS share_slug, h.patterns AS allowed_hostnames';
const WEBSITE_FROM = ' FROM websites w LEFT JOIN shares s ON s.website_id = w.website_id LEFT JOIN website_hostnames h ON h.website_id = w.website_id';
const WEBSITE_SELECT = WEBSITE_COLUMNS + WEBSITE_FROM;

function toWebsite(r: Row): Website {
  return {
    id: String(r.website_id),
    legacyId: Number(r.legacy_id),
    name: String(r.name),
    domain: str(r.domain),
    shareId: str(r.share_slug),
    resetAt: date(r.reset_at),
    userId: str(r.user_id),
    teamId: str(r.team_id),
    createdBy: str(r.created_by),
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at),
    allowedHostnames: hostnameList(r.allowed_hostnames),
  };
}

function hostnameList(v: unknown): string[] {
  const list = parseJson(v);
  return Array.isArray(list) ? list.filter((h): h is string => typeof h === 'string') : [];
}

async function setHostnames(tx: Executor, websiteId: string, list: string[]): Promise<void> {
  if (!list.length) return tx.run('DELETE FROM website_hostnames WHERE website_id = $1', [websiteId]);
  await tx.run(
    'INSERT INTO website_hostnames (website_id, patterns) VALUES ($1, $2) ON CONFLICT (website_id) DO UPDATE SET patterns = excluded.patterns',
    [websiteId, JSON.stringify(list)],
  );
}

export class SqlWebsiteRepo implements WebsiteRepo {
  private readonly listeners = new Set<(change: WebsiteChange) => void | Promise<void>>();

  constructor(private readonly db: Executor) {}

  onChange(listener: (change: WebsiteChange) => void | Promise<void>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async changed(change: WebsiteChange): Promise<void> {
    await Promise.all([...this.listeners].map((l) => l(change)));
  }

  async create(input: NewWebsite) {
    const id = input.id ?? randomUUID();
    const at = now();
    await this.db.transaction(async (tx) => {
      // The primary key of website_ids is what makes an id single-use, across processes too.
      const claimed = await tx.all('INSERT INTO website_ids (website_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING website_id', [id]);
      if (!claimed.length) {
        const [row] = await tx.all('SELECT deleted_at FROM website_ids WHERE website_id = $1', [id]);
        throw new WebsiteIdTakenError(row?.deleted_at != null);
      }
      await tx.run(
        `INSERT INTO websites (website_id, name, domain, user_id, team_id, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::TIMESTAMP)`,
        [id, input.name, input.domain, input.userId, input.teamId, input.createdBy, at],
      );
      if (input.shareId) await this.setShare(tx, id, input.shareId, at);
      if (input.allowedHostnames?.length) await setHostnames(tx, id, input.allowedHostnames);
    });
    const website = (await this.get(id))!;
    await this.changed({ kind: 'create', id, legacyId: website.legacyId });
    return website;
  }

  private async setShare(tx: Executor, websiteId: string, slug: string | null, at: string) {
    const current = await tx.all('SELECT slug FROM shares WHERE website_id = $1', [websiteId]);
    if (current[0] && current[0].slug === slug) return;
    await tx.run('DELETE FROM shares WHERE website_id = $1', [websiteId]);
    if (slug) {
      await tx.run('INSERT INTO shares (share_id, website_id, slug, created_at) VALUES ($1, $2, $3, $4::TIMESTAMP)', [
        randomUUID(),
        websiteId,
        slug,
        at,
      ]);
    }
  }

  async get(id: string) {
    if (!isUuid(id)) return null;
    const rows = await this.db.all(`${WEBSITE_SELECT} WHERE w.website_id = $1`, [id]);
    return rows[0] ? toWebsite(rows[0]) : null;
  }

  async getByLegacyId(legacyId: number) {
    if (!Number.isSafeInteger(legacyId)) return null;
    const rows = await this.db.all(`${WEBSITE_SELECT} WHERE w.legacy_id = $1`, [legacyId]);
    return rows[0] ? toWebsite(rows[0]) : null;
  }

  async getByShareId(shareId: string) {
    const rows = await this.db.all(`${WEBSITE_SELECT} WHERE s.slug = $1`, [shareId]);
    return rows[0] ? toWebsite(rows[0]) : null;
  }

  async update(id: string, patch: WebsitePatch) {
    if (!isUuid(id)) return null;
    const at = now();
    await this.db.transaction(async (tx) => {
      const params: unknown[] = [];
      const sets = assignments(
        {
          name: patch.name,
          domain: patch.domain,
          user_id: patch.userId,
          team_id: patch.teamId,
          reset_at: patch.resetAt && iso(patch.resetAt),
          updated_at: at,
        },
        params,
      );
      params.push(id);
      await tx.run(`UPDATE websites SET ${sets.join(', ')} WHERE website_id = $${params.length}`, params);
      if (patch.shareId !== undefined) await this.setShare(tx, id, patch.shareId, at);
      if (patch.allowedHostnames !== undefined) await setHostnames(tx, id, patch.allowedHostnames);
    });
    const website = await this.get(id);
    if (website) await this.changed({ kind: 'update', id, legacyId: website.legacyId });
    return website;
  }

  async delete(id: string) {
    if (!isUuid(id)) return;
    const [row] = await this.db.all('SELECT legacy_id FROM websites WHERE website_id = $1', [id]);
    await this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO website_ids (website_id, deleted_at) VALUES ($1, $2::TIMESTAMP)
         ON CONFLICT (website_id) DO UPDATE SET deleted_at = excluded.deleted_at`,
        [id, now()],
      );
      await tx.run('DELETE FROM shares WHERE website_id = $1', [id]);
      await tx.run('DELETE FROM reports WHERE website_id = $1', [id]);
      await tx.run('DELETE FROM segments WHERE website_id = $1', [id]);
      await tx.run('DELETE FROM refused_hits WHERE website_id = $1', [id]);
      await tx.run('DELETE FROM website_hostnames WHERE website_id = $1', [id]);
      await tx.run('DELETE FROM websites WHERE website_id = $1', [id]);
    });
    if (row) await this.changed({ kind: 'delete', id, legacyId: Number(row.legacy_id) });
  }

  async list(filter: WebsiteFilter, page: PageRequest): Promise<Page<Website>> {
    const params: unknown[] = [];
    const owners: string[] = [];
    if (filter.userId) {
      params.push(filter.userId);
      owners.push(`w.user_id = $${params.length}`);
    }
    const teamIds = (filter.teamIds ?? []).filter(isUuid);
    if (teamIds.length) {
      owners.push(`w.team_id IN (${teamIds.map((t) => (params.push(t), `$${params.length}`)).join(', ')})`);
    }
    const conds: string[] = [];
    if (filter.userId || filter.teamIds) conds.push(owners.length ? `(${owners.join(' OR ')})` : 'FALSE');
    if (filter.ids) {
      const ids = filter.ids.filter(isUuid);
      conds.push(ids.length ? `w.website_id IN (${ids.map((w) => (params.push(w), `$${params.length}`)).join(', ')})` : 'FALSE');
    }
    const order = { name: 'w.name', domain: 'w.domain', createdAt: 'w.created_at' };
    return pageOf(this.db, { select: WEBSITE_COLUMNS, from: WEBSITE_FROM, conds, params, search: ['w.name', 'w.domain'], order, fallback: 'name' }, page, toWebsite);
  }
}

function parseJson(v: unknown): unknown {
  try {
    return typeof v === 'string' ? JSON.parse(v) : v;
  } catch {
    return null;
  }
}

function toReport(r: Row): Report {
  return {
    id: String(r.report_id),
    userId: String(r.user_id),
    websiteId: String(r.website_id),
    type: String(r.type),
    name: String(r.name),
    description: String(r.description ?? ''),
    parameters: parseJson(r.parameters),
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at),
  };
}

export class SqlReportRepo implements ReportRepo {
  constructor(private readonly db: Executor) {}

  async create(input: { userId: string; websiteId: string; type: string; name: string; description: string; parameters: unknown }) {
    const id = randomUUID();
    await this.db.run(
      `INSERT INTO reports (report_id, user_id, website_id, type, name, description, parameters, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::TIMESTAMP)`,
      [id, input.userId, input.websiteId, input.type, input.name, input.description, JSON.stringify(input.parameters ?? {}), now()],
    );
    return (await this.get(id))!;
  }

  async get(id: string) {
    if (!isUuid(id)) return null;
    const rows = await this.db.all('SELECT * FROM reports WHERE report_id = $1', [id]);
    return rows[0] ? toReport(rows[0]) : null;
  }

  async update(id: string, patch: { websiteId?: string; type?: string; name?: string; description?: string; parameters?: unknown }) {
    if (!isUuid(id)) return null;
    const params: unknown[] = [];
    const sets = assignments(
      {
        website_id: patch.websiteId,
        type: patch.type,
        name: patch.name,
        description: patch.description,
        parameters: patch.parameters === undefined ? undefined : JSON.stringify(patch.parameters),
        updated_at: now(),
      },
      params,
    );
    params.push(id);
    await this.db.run(`UPDATE reports SET ${sets.join(', ')} WHERE report_id = $${params.length}`, params);
    return this.get(id);
  }

  async delete(id: string) {
    if (!isUuid(id)) return;
    await this.db.run('DELETE FROM reports WHERE report_id = $1', [id]);
  }

  async list(filter: { websiteIds?: string[]; userId?: string; viewerId?: string; type?: string }, page: PageRequest): Promise<Page<Report>> {
    const params: unknown[] = [];
    const ors: string[] = [];
    if (filter.viewerId) {
      params.push(filter.viewerId);
      const v = `$${params.length}`;
      ors.push(
        `user_id = ${v} OR website_id IN (SELECT website_id FROM websites WHERE user_id = ${v} OR team_id IN (SELECT team_id FROM team_users WHERE user_id = ${v}))`,
      );
    }
    if (filter.userId) {
      params.push(filter.userId);
      ors.push(`user_id = $${params.length}`);
    }
    const ids = (filter.websiteIds ?? []).filter(isUuid);
    if (ids.length) ors.push(`website_id IN (${ids.map((w) => (params.push(w), `$${params.length}`)).join(', ')})`);
    const conds: string[] = [];
    if (filter.userId || filter.websiteIds || filter.viewerId) conds.push(ors.length ? `(${ors.join(' OR ')})` : 'FALSE');
    if (filter.type) {
      params.push(filter.type);
      conds.push(`type = $${params.length}`);
    }
    const order = { name: 'name', type: 'type', createdAt: 'created_at', updatedAt: 'updated_at' };
    return pageOf(this.db, { select: 'SELECT *', from: ' FROM reports', conds, params, search: ['name'], order, fallback: 'name' }, page, toReport);
  }
}

function toSegment(r: Row): Segment {
  return {
    id: String(r.segment_id),
    websiteId: String(r.website_id),
    type: String(r.type),
    name: String(r.name),
    parameters: parseJson(r.parameters),
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at),
  };
}

export class SqlSegmentRepo implements SegmentRepo {
  constructor(private readonly db: Executor) {}

  async create(input: { websiteId: string; type: string; name: string; parameters: unknown }) {
    const id = randomUUID();
    await this.db.run(
      `INSERT INTO segments (segment_id, website_id, type, name, parameters, created_at) VALUES ($1, $2, $3, $4, $5, $6::TIMESTAMP)`,
      [id, input.websiteId, input.type, input.name, JSON.stringify(input.parameters ?? {}), now()],
    );
    return (await this.get(id))!;
  }

  async get(id: string) {
    if (!isUuid(id)) return null;
    const rows = await this.db.all('SELECT * FROM segments WHERE segment_id = $1', [id]);
    return rows[0] ? toSegment(rows[0]) : null;
  }

  async update(id: string, patch: { type?: string; name?: string; parameters?: unknown }) {
    if (!isUuid(id)) return null;
    const params: unknown[] = [];
    const sets = assignments(
      {
        type: patch.type,
        name: patch.name,
        parameters: patch.parameters === undefined ? undefined : JSON.stringify(patch.parameters),
        updated_at: now(),
      },
      params,
    );
    params.push(id);
    await this.db.run(`UPDATE segments SET ${sets.join(', ')} WHERE segment_id = $${params.length}`, params);
    return this.get(id);
  }

  async delete(id: string) {
    if (!isUuid(id)) return;
    await this.db.run('DELETE FROM segments WHERE segment_id = $1', [id]);
  }

  async list(websiteId: string, filter: { type?: string }, page: PageRequest) {
    if (!isUuid(websiteId)) return { data: [], count: 0 };
    const conds = ['website_id = $1', ...(filter.type ? ['type = $2'] : [])];
    const params = [websiteId, ...(filter.type ? [filter.type] : [])];
    return pageOf(this.db, { select: 'SELECT *', from: ' FROM segments', conds, params, search: ['name'], order: { name: 'name', createdAt: 'created_at' }, fallback: 'name' }, page, toSegment);
  }
}

export class SqlTokenRepo implements TokenRepo {
  constructor(private readonly db: Executor) {}

  async revoke(tokenId: string, expiresAt: Date) {
    await this.db.transaction(async (tx) => {
      // Expired entries are dead weight: a token past its expiry is rejected anyway.
      await tx.run('DELETE FROM revoked_tokens WHERE expires_at < $1::TIMESTAMP', [now()]);
      const existing = await tx.all('SELECT 1 FROM revoked_tokens WHERE token_id = $1', [tokenId]);
      if (!existing.length) {
        await tx.run('INSERT INTO revoked_tokens (token_id, expires_at) VALUES ($1, $2::TIMESTAMP)', [tokenId, iso(expiresAt)]);
      }
    });
  }

  async isRevoked(tokenId: string) {
    const rows = await this.db.all('SELECT 1 FROM revoked_tokens WHERE token_id = $1', [tokenId]);
    return rows.length > 0;
  }
}
