// ClickHouse for events (CLICKHOUSE_URL), PostgreSQL for metadata (DATABASE_URL), as Umami does.
// MergeTree tables partitioned by month and ordered for website-and-time scans; one insert per
// table per batch. Minimum ClickHouse: 23.8 (DateTime64, query parameters, lightweight DELETE).
import type { AnalyticsStore, RenderedSql, Row, Store, WriteBatch } from '../types.js';
import { tables } from '../sql/columns.js';
import { isUuid } from '../sql/executor.js';
import { openPostgresStore } from '../postgres/index.js';
import { chTimestamp, type ChExecutor } from './executor.js';
import { clickhouseServer } from './server.js';
import { clickhouseEmbedded } from './embedded.js';

const text = 'Nullable(String)';
const low = 'LowCardinality(Nullable(String))';

// Column types by name; names and order come from the shared column lists.
const TYPES: Record<string, string> = {
  event_id: 'UUID',
  website_id: 'UUID',
  session_id: 'UUID',
  visit_id: 'UUID',
  created_at: "DateTime64(3, 'UTC')",
  event_type: 'UInt8',
  data_type: 'UInt8',
  url_path: 'String',
  data_key: 'String',
  number_value: 'Nullable(Decimal(22, 4))',
  date_value: "Nullable(DateTime64(3, 'UTC'))",
  hostname: low,
  browser: low,
  os: low,
  device: low,
  screen: low,
  language: low,
  country: low,
  region: low,
};

const ENGINES: Record<string, string> = {
  website_event: 'ORDER BY (website_id, toStartOfHour(created_at), session_id, visit_id, created_at)',
  event_data: 'ORDER BY (website_id, toStartOfHour(created_at), event_id, data_key)',
  session: 'ORDER BY (website_id, session_id)',
  session_data: 'ORDER BY (website_id, session_id, data_key, created_at)',
};

export function clickhouseDdl(): string[] {
  return tables.map(({ table, columns }) => {
    const cols = columns.map(([name]) => `  ${name} ${TYPES[name] ?? text}`).join(',\n');
    return `CREATE TABLE IF NOT EXISTS ${table} (\n${cols}\n) ENGINE = MergeTree PARTITION BY toYYYYMM(created_at) ${ENGINES[table]}`;
  });
}

export class ClickHouseAnalytics implements AnalyticsStore {
  readonly dialect = 'clickhouse' as const;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly ch: ChExecutor) {}

  /** Compiled SQL names its parameters p1, p2, … in order. */
  query(sql: string, params: unknown[] = []): Promise<Row[]> {
    return this.ch.query(sql, Object.fromEntries(params.map((v, i) => [`p${i + 1}`, v])));
  }

  write(batch: WriteBatch): Promise<void> {
    const next = this.writing.then(() => this.writeNow(batch));
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async writeNow(batch: WriteBatch): Promise<void> {
    for (const { table, columns, rows } of tables) {
      const objects = rows(batch).map((row) => {
        const o: Record<string, unknown> = {};
        for (const [name, kind, get] of columns) {
          const v = get(row);
          o[name] = v == null ? null : kind === 'ts' ? chTimestamp(v as Date) : v;
        }
        return o;
      });
      await this.ch.insert(table, objects);
    }
  }

  async deleteWebsiteData(websiteId: string, range?: { from: Date; to: Date }): Promise<void> {
    if (!isUuid(websiteId)) return;
    await this.writing;
    // Both values are validated (a UUID, and our own ISO timestamps), so inlining them is safe.
    let where = `website_id = '${websiteId}'`;
    if (range) where += ` AND created_at >= toDateTime64('${chTimestamp(range.from)}', 3, 'UTC') AND created_at < toDateTime64('${chTimestamp(range.to)}', 3, 'UTC')`;
    for (const { table } of tables) await this.ch.command(`DELETE FROM ${table} WHERE ${where}`);
  }

  /** Lightweight DELETEs, one per statement, in order (ClickHouse has no multi-statement transactions). */
  async deleteRows(websiteId: string, statements: readonly RenderedSql[]): Promise<void> {
    if (!isUuid(websiteId)) return;
    await this.writing;
    for (const { text, params } of statements) await this.ch.command(text, Object.fromEntries(params.map((v, i) => [`p${i + 1}`, v])));
  }

  /** One lightweight DELETE per table: ClickHouse marks rows deleted without blocking reads or inserts. */
  async deleteOlderThan(websiteId: string, before: Date): Promise<{ events: number; sessions: number }> {
    if (!isUuid(websiteId)) return { events: 0, sessions: 0 };
    await this.writing;
    const params = { w: websiteId, t: chTimestamp(before) };
    const site = 'website_id = {w:UUID}';
    const old = `${site} AND created_at < toDateTime64({t:String}, 3, 'UTC')`;
    const orphan = `${old} AND session_id NOT IN (SELECT session_id FROM website_event WHERE ${site} AND created_at >= toDateTime64({t:String}, 3, 'UTC'))`;
    // Each count right before its delete: a back-filled hit older than the cutoff that arrives in
    // between is deleted without being counted (ClickHouse has no transactions to pin the rows).
    const [{ n: events, rest }] = await this.ch.query(
      `SELECT (SELECT count() FROM website_event WHERE ${old}) AS n,
        (SELECT count() FROM event_data WHERE ${old}) + (SELECT count() FROM session_data WHERE ${old}) AS rest`,
      params,
    );
    // A DELETE is a mutation: none at all in the usual hourly run that finds nothing to do (sessions
    // lose their last event only when events go, so orphans need no looking for either).
    if (Number(events) === 0 && Number(rest) === 0) return { events: 0, sessions: 0 };
    await this.ch.command(`DELETE FROM website_event WHERE ${old}`, params);
    for (const table of ['event_data', 'session_data']) await this.ch.command(`DELETE FROM ${table} WHERE ${old}`, params);
    const [{ n: sessions }] = await this.ch.query(`SELECT uniqExact(session_id) AS n FROM session WHERE ${orphan}`, params);
    await this.ch.command(`DELETE FROM session WHERE ${orphan}`, params);
    return { events: Number(events), sessions: Number(sessions) };
  }
}

/** CLICKHOUSE_URL: `http(s)://…` for a server, `chdb:<directory>` for the in-process engine. */
export async function openClickHouseExecutor(url: string): Promise<ChExecutor> {
  return url.startsWith('chdb:') ? clickhouseEmbedded(url.slice('chdb:'.length)) : clickhouseServer(url);
}

export async function openClickHouseStore(databaseUrl: string, clickhouseUrl: string): Promise<Store> {
  const meta = await openPostgresStore(databaseUrl);
  const ch = await openClickHouseExecutor(clickhouseUrl);
  for (const statement of clickhouseDdl()) await ch.command(statement);
  return {
    ...meta,
    kind: 'clickhouse',
    analytics: new ClickHouseAnalytics(ch),
    async close() {
      await ch.close();
      await meta.close();
    },
  };
}
