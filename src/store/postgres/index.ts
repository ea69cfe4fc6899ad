// PostgreSQL for everything (DATABASE_URL=postgresql://…): the shared schema plus indexes for
// website-and-time scans, the shared metadata repositories, and one multi-row INSERT per table
// per batch inside one transaction.
import type { AnalyticsStore, RenderedSql, Row, Store, WriteBatch } from '../types.js';
import { orphanSessions, retentionStep } from '../sql/retention.js';
import type { Migration } from '../sql/migrate.js';
import { migrate } from '../sql/migrate.js';
import { baseMigrations } from '../sql/schema.js';
import { tables } from '../sql/columns.js';
import { isUuid, websiteRows, type Executor } from '../sql/executor.js';
import { SqlPurgeLogRepo, SqlWebsiteSettingsRepo } from '../sql/data-control.js';
import { SqlReportRepo, SqlSegmentRepo, SqlTeamRepo, SqlTokenRepo, SqlUserRepo, SqlWebsiteRepo } from '../sql/metadata.js';
import { connect, PgExecutor } from './connection.js';

export const pgMigrations: Migration[] = [
  ...baseMigrations,
  {
    version: 100,
    name: 'postgres-indexes',
    statements: [
      'CREATE INDEX website_event_website_time ON website_event (website_id, created_at)',
      'CREATE INDEX website_event_session ON website_event (website_id, session_id, created_at)',
      'CREATE INDEX event_data_website_time ON event_data (website_id, created_at)',
      'CREATE INDEX event_data_event ON event_data (event_id)',
      'CREATE INDEX session_website_session ON session (website_id, session_id)',
      'CREATE INDEX session_data_website_session ON session_data (website_id, session_id)',
      'CREATE INDEX team_users_user ON team_users (user_id)',
      'CREATE INDEX team_users_team ON team_users (team_id)',
      'CREATE INDEX websites_user ON websites (user_id)',
      'CREATE INDEX websites_team ON websites (team_id)',
    ],
  },
];

// PostgreSQL accepts at most 65535 parameters in one statement.
const MAX_PARAMS = 60_000;

export class PgAnalytics implements AnalyticsStore {
  readonly dialect = 'postgres' as const;

  constructor(private readonly db: Executor) {}

  query(sql: string, params: unknown[] = []): Promise<Row[]> {
    return this.db.all(sql, params);
  }

  async write(batch: WriteBatch): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const { table, columns, rows: pick } of tables) {
        const rows = pick(batch);
        const perStatement = Math.floor(MAX_PARAMS / columns.length);
        for (let i = 0; i < rows.length; i += perStatement) {
          const chunk = rows.slice(i, i + perStatement);
          const params: unknown[] = [];
          const values = chunk.map((row) => {
            const slots = columns.map(([, kind, get]) => {
              const v = get(row);
              params.push(v == null ? null : kind === 'ts' ? (v as Date).toISOString() : v);
              return kind === 'ts' ? `$${params.length}::TIMESTAMP` : `$${params.length}`;
            });
            return `(${slots.join(', ')})`;
          });
          await tx.run(`INSERT INTO ${table} (${columns.map((c) => c[0]).join(', ')}) VALUES ${values.join(', ')}`, params);
        }
      }
    });
  }

  async deleteWebsiteData(websiteId: string, range?: { from: Date; to: Date }): Promise<void> {
    if (!isUuid(websiteId)) return;
    const { where, params } = websiteRows(websiteId, range);
    await this.db.transaction(async (tx) => {
      for (const { table } of tables) await tx.run(`DELETE FROM ${table} WHERE ${where}`, params);
    });
  }

  async deleteRows(websiteId: string, statements: readonly RenderedSql[]): Promise<void> {
    if (!isUuid(websiteId)) return;
    await this.db.transaction(async (tx) => {
      for (const { text, params } of statements) await tx.run(text, [...params]);
    });
  }

  /** One short transaction per UTC day of rows, oldest first (row locks only; readers never wait). */
  async deleteOlderThan(websiteId: string, before: Date): Promise<{ events: number; sessions: number }> {
    const done = { events: 0, sessions: 0 };
    if (!isUuid(websiteId)) return done;
    let steps = 0;
    for (;;) {
      const step = await retentionStep(websiteId, before, (text, params) => this.db.all(text, params), '(extract(epoch FROM min(created_at)) * 1000)::BIGINT');
      if (!step) break;
      steps++;
      await this.db.transaction(async (tx) => {
        // Counted by the delete itself: a back-filled hit arriving meanwhile is counted if deleted.
        const [events, ...others] = step.deletes;
        const [{ n }] = await tx.all(`WITH d AS (${events.text} RETURNING 1) SELECT count(*) AS n FROM d`, [...events.params]);
        done.events += Number(n);
        for (const { text, params } of others) await tx.run(text, [...params]);
      });
    }
    // Sessions lose their last event only when events go: with no step, there are no new orphans.
    if (steps === 0) return done;
    const orphans = orphanSessions(websiteId, before);
    const [{ n }] = await this.db.all(`WITH d AS (${orphans.delete.text} RETURNING session_id) SELECT count(DISTINCT session_id) AS n FROM d`, [...orphans.delete.params]);
    done.sessions = Number(n);
    return done;
  }
}

export async function openPostgresStore(url: string): Promise<Store> {
  const sql = connect(url);
  const db = new PgExecutor(sql);
  // Several Dashi processes may start together: one migrates, the others wait for it.
  const lock = await sql.reserve();
  try {
    await lock.unsafe('SELECT pg_advisory_lock(7202611)');
    await migrate(new PgExecutor(lock), pgMigrations);
  } finally {
    await lock.unsafe('SELECT pg_advisory_unlock(7202611)').catch(() => undefined);
    lock.release();
  }
  return {
    kind: 'postgres',
    users: new SqlUserRepo(db),
    teams: new SqlTeamRepo(db),
    websites: new SqlWebsiteRepo(db),
    reports: new SqlReportRepo(db),
    segments: new SqlSegmentRepo(db),
    tokens: new SqlTokenRepo(db),
    websiteSettings: new SqlWebsiteSettingsRepo(db),
    purgeLog: new SqlPurgeLogRepo(db),
    analytics: new PgAnalytics(db),
    metadataDb: db,
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}
