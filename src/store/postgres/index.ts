// PostgreSQL for everything (DATABASE_URL=postgresql://…): the shared schema plus indexes for
// website-and-time scans, the shared metadata repositories, and one multi-row INSERT per table
// per batch inside one transaction.
import type { AnalyticsStore, BulkLoad, CsvRows, Statement, Row, Store, StoredRows, WriteBatch } from '../types.js';
import { orphanSessions, retentionStep } from '../sql/retention.js';
import type { Migration } from '../sql/migrate.js';
import { migrate } from '../sql/migrate.js';
import { baseMigrations } from '../sql/schema.js';
import { tables } from '../sql/columns.js';
import { isUuid, notStored, websiteRows, websiteRowsLiteral, type Executor } from '../sql/executor.js';
import { SqlApiKeyRepo } from '../sql/api-key-repo.js';
import { SqlRefusedRepo } from '../sql/refused.js';
import { SqlSaltRepo } from '../sql/salts.js';
import { SqlPurgeLogRepo, SqlWebsiteSettingsRepo } from '../sql/data-control.js';
import { SqlReportRepo, SqlSegmentRepo, SqlTeamRepo, SqlTokenRepo, SqlUserRepo, SqlWebsiteRepo } from '../sql/metadata.js';
import { connect, PgExecutor, READ_SETTINGS } from './connection.js';
import { tableIndex } from '../sql/csv.js';
import { SqlMetadataCopy } from '../sql/metadata-copy.js';
import { classify } from '../store-errors.js';

/** SQLSTATE classes 22 (data exception: NUL in text, a date out of range) and 23 (a constraint). */
const refused = (err: unknown) => /^2[23]/.test(String((err as { code?: unknown })?.code ?? ''));

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
/** A table's rows in a batch from which they go as one INSERT … SELECT FROM unnest(column arrays). */
export const ARRAYS_AT_ROWS = 1_000;
const PG_TYPE: Record<string, string> = { uuid: 'uuid', ts: 'timestamp', int: 'integer', num: 'numeric', text: 'text' };

export class PgAnalytics implements AnalyticsStore {
  readonly dialect = 'postgres' as const;

  /**
   * `reads`: the pool analytics queries run on; `writes`: the ingest writer's (and deletes').
   * `timeoutMs`: statement_timeout of each read (the server cancels it past that, SQLSTATE 57014).
   */
  readonly bulk: BulkLoad = {
    // Nothing to stage apart: the load copies straight from the streams.
    stage: async (parts, keep) => ({ load: () => this.loadCsv(parts, keep), discard: async () => undefined }),
  };

  constructor(
    private readonly reads: Executor,
    private readonly writes: PgExecutor,
    private readonly timeoutMs: number | null = null,
  ) {}

  /**
   * One transaction: each table's CSV copied into a temporary table of text columns (text
   * without NUL is never refused, see PgExecutor.copyIn), then cast into the table, where a
   * refused value fails the statement, and the transaction, as any INSERT would.
   */
  private async loadCsv(parts: readonly CsvRows[], keep: StoredRows | undefined): Promise<void> {
    await this.writes
      .transaction(async (tx) => {
        for (const part of parts) {
          const t = tableIndex(part.table);
          const { table, columns } = tables[t];
          const stage = `csv_${table}`;
          await tx.run(`CREATE TEMP TABLE ${stage} (${columns.map(([name]) => `${name} text`).join(', ')}) ON COMMIT DROP`);
          await tx.copyIn(`COPY ${stage} FROM STDIN (FORMAT csv)`, await part.csv());
          const cast = columns.map(([name, kind]) => `${name}::${PG_TYPE[kind]}`).join(', ');
          const type = (k: string) => PG_TYPE[columns.find(([name]) => name === k)![1]];
          const unseen = keep ? ` WHERE ${notStored(t, keep, (k) => `r.${k}::${type(k)}`)}` : '';
          await tx.run(`INSERT INTO ${table} (${columns.map((c) => c[0]).join(', ')}) SELECT ${cast} FROM ${stage} r${unseen}`);
        }
      })
      .catch((err: unknown) => classify(err, refused));
  }

  /** Instants to the microsecond, in the text both stores' CSV readers take whatever the server's DateStyle. */
  async csvOut(table: string, websiteId: string, range: { from: Date; to: Date }): Promise<NodeJS.ReadableStream> {
    const where = websiteRowsLiteral(websiteId, range);
    const { columns } = tables[tableIndex(table)];
    const select = columns.map(([name, kind]) => (kind === 'ts' ? `to_char(${name}, 'YYYY-MM-DD HH24:MI:SS.US')` : name)).join(', ');
    return this.writes.copyOut(`COPY (SELECT ${select} FROM ${table} WHERE ${where}) TO STDOUT (FORMAT csv)`);
  }

  query(sql: string, params: unknown[] = []): Promise<Row[]> {
    const ms = this.timeoutMs;
    // SET LOCAL, inside the read's own transaction: the settings and the budget apply to this
    // statement only, and not to postgres.js's own queries when it opens a connection.
    const settings = Object.entries(READ_SETTINGS).map(([name, value]) => `${name} = ${value}`);
    if (ms !== null) settings.push(`statement_timeout = ${Math.max(1, Math.floor(ms))}`);
    return this.reads.transaction(async (tx) => {
      for (const setting of settings) await tx.run(`SET LOCAL ${setting}`);
      return tx.all(sql, params);
    });
  }

  /**
   * One transaction: all of the batch or none of it, so a retry never duplicates a row. A table's
   * rows go as column arrays from ARRAYS_AT_ROWS on (imports, migrate-store): same values, a fraction
   * of the cost. (COPY FROM STDIN would be faster still, but postgres.js never ends its stream when
   * the server refuses a row, so a refused row would hang the writer.)
   */
  async write(batch: WriteBatch): Promise<void> {
    await this.writeNow(batch).catch((err: unknown) => classify(err, refused));
  }

  private async writeNow(batch: WriteBatch): Promise<void> {
    await this.writes.transaction(async (tx) => {
      for (const { table, columns, rows: pick } of tables) {
        const rows = pick(batch);
        if (rows.length >= ARRAYS_AT_ROWS) {
          // One array per column (values as the multi-row INSERT sends them, as text): a few
          // parameters however many rows, and one statement for the server to plan.
          const arrays = columns.map(([, kind, get]) =>
            rows.map((row) => {
              const v = get(row);
              return v == null ? null : kind === 'ts' ? (v as Date).toISOString() : String(v);
            }),
          );
          const list = columns.map(([, kind], i) => `$${i + 1}::text[]::${PG_TYPE[kind]}[]`).join(', ');
          await tx.run(`INSERT INTO ${table} (${columns.map((c) => c[0]).join(', ')}) SELECT * FROM unnest(${list})`, arrays);
          continue;
        }
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
    await this.writes.transaction(async (tx) => {
      for (const { table } of tables) await tx.run(`DELETE FROM ${table} WHERE ${where}`, params);
    });
  }

  async deleteRows(websiteId: string, statements: readonly Statement[]): Promise<void> {
    if (!isUuid(websiteId)) return;
    await this.writes.transaction(async (tx) => {
      for (const { text, params } of statements) await tx.run(text, [...params]);
    });
  }

  /** One short transaction per UTC day of rows, oldest first (row locks only; readers never wait). */
  async deleteOlderThan(websiteId: string, before: Date): Promise<{ events: number; sessions: number }> {
    const done = { events: 0, sessions: 0 };
    if (!isUuid(websiteId)) return done;
    let steps = 0;
    for (;;) {
      const step = await retentionStep(websiteId, before, (text, params) => this.writes.all(text, params), '(extract(epoch FROM min(created_at)) * 1000)::BIGINT');
      if (!step) break;
      steps++;
      await this.writes.transaction(async (tx) => {
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
    const [{ n }] = await this.writes.all(`WITH d AS (${orphans.delete.text} RETURNING session_id) SELECT count(DISTINCT session_id) AS n FROM d`, [...orphans.delete.params]);
    done.sessions = Number(n);
    return done;
  }
}

export interface PgStoreOptions {
  /** statement_timeout of analytics reads, in milliseconds (QUERY_TIMEOUT_MS). */
  queryTimeoutMs?: number;
}

// Three pools, so that no kind of work can take every connection from another: long analytics
// reads (bounded by statement_timeout) cannot stall the ingest writer or logins.
const POOL = { metadata: 4, reads: 8, writer: 2 };

export async function openPostgresStore(url: string, options: PgStoreOptions = {}): Promise<Store> {
  const sql = connect(url, POOL.metadata);
  const reads = connect(url, POOL.reads);
  const writer = connect(url, POOL.writer);
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
  const refused = new SqlRefusedRepo(db);
  return {
    kind: 'postgres',
    users: new SqlUserRepo(db),
    teams: new SqlTeamRepo(db),
    websites: new SqlWebsiteRepo(db),
    reports: new SqlReportRepo(db),
    segments: new SqlSegmentRepo(db),
    tokens: new SqlTokenRepo(db),
    apiKeys: new SqlApiKeyRepo(db),
    salts: new SqlSaltRepo(db),
    refused,
    analytics: new PgAnalytics(new PgExecutor(reads), new PgExecutor(writer), options.queryTimeoutMs ?? null),
    metadataCopy: new SqlMetadataCopy(db, true),
    websiteSettings: new SqlWebsiteSettingsRepo(db),
    purgeLog: new SqlPurgeLogRepo(db),
    async close() {
      await refused.close();
      await Promise.all([sql.end({ timeout: 5 }), reads.end({ timeout: 5 }), writer.end({ timeout: 5 })]);
    },
  };
}
