// ClickHouse for events (CLICKHOUSE_URL), PostgreSQL for metadata (DATABASE_URL), as Umami does.
// MergeTree tables partitioned by month and ordered for website-and-time scans; one insert per
// table per batch. Minimum ClickHouse: 23.8 (DateTime64, query parameters, lightweight DELETE).
import { createHash, randomUUID } from 'node:crypto';
import type { AnalyticsStore, Row, Statement, Store, WriteBatch } from '../types.js';
import { classify } from '../store-errors.js';
import { tables } from '../sql/columns.js';
import { isUuid } from '../sql/executor.js';
import { openPostgresStore } from '../postgres/index.js';
import { chTimestamp, type ChExecutor } from './executor.js';
import { clickhouseServer } from './server.js';
import { clickhouseEmbedded } from './embedded.js';
import { migrateClickHouse } from './migrations.js';

// ClickHouse error codes for values or rows it refuses (parse errors, types, ranges, constraints),
// as opposed to a server that is failing.
const REFUSED_CODES = new Set([6, 25, 26, 27, 38, 41, 53, 69, 70, 72, 117, 131, 321, 349, 407, 469]);

/** The server's error code: chdb's clickhouseCode, @clickhouse/client's code, or the message's "Code: N.". */
function refused(err: unknown): boolean {
  const e = err as { clickhouseCode?: unknown; code?: unknown; message?: unknown } | null;
  const code = [e?.clickhouseCode, e?.code, /\bCode: (\d+)\./.exec(String(e?.message ?? ''))?.[1]].find((c) => /^\d+$/.test(String(c)));
  return REFUSED_CODES.has(Number(code));
}

/** Blocks remembered per table for insert_deduplication_token (a retried block is dropped). */
const DEDUP_WINDOW = 1000;

export class ClickHouseAnalytics implements AnalyticsStore {
  readonly dialect = 'clickhouse' as const;
  private writing: Promise<void> = Promise.resolve();
  /**
   * Rows already inserted. ClickHouse has no transaction across tables: when event_data fails
   * after website_event committed, the writer retries the same row objects, and those already in
   * are skipped, so a retry never duplicates a row.
   */
  private readonly written = new WeakSet<object>();
  /** Row object -> number, for insert_deduplication_token; the nonce keeps tokens to this process. */
  private readonly rowIds = new WeakMap<object, number>();
  private nextRowId = 0;
  private readonly nonce = randomUUID();

  /** `timeoutMs`: ClickHouse's max_execution_time for every read (QUERY_TIMEOUT_MS). */
  constructor(
    private readonly ch: ChExecutor,
    private readonly timeoutMs: number | null = null,
  ) {}

  /** Compiled SQL names its parameters p1, p2, … in order. */
  query(sql: string, params: unknown[] = []): Promise<Row[]> {
    const settings: Record<string, number> = this.timeoutMs === null ? {} : { max_execution_time: this.timeoutMs / 1000 };
    return this.ch.query(sql, Object.fromEntries(params.map((v, i) => [`p${i + 1}`, v])), settings);
  }

  write(batch: WriteBatch): Promise<void> {
    const next = this.writing.then(() => this.writeNow(batch));
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async writeNow(batch: WriteBatch): Promise<void> {
    const done: { table: string; rows: object[]; objects: Record<string, unknown>[] }[] = [];
    for (const { table, columns, rows } of tables) {
      const todo = (rows(batch) as object[]).filter((row) => !this.written.has(row));
      if (!todo.length) continue;
      const objects = todo.map((row) => {
        const o: Record<string, unknown> = {};
        for (const [name, kind, get] of columns) {
          const v = get(row);
          o[name] = v == null ? null : kind === 'ts' ? chTimestamp(v as Date) : v;
        }
        return o;
      });
      // The same row objects sent again (a retry after an answer was lost) carry the same token,
      // and the server drops the repeated block. Rows built anew (an import) are new blocks.
      const hash = createHash('sha256').update(`${this.nonce}:${table}`);
      for (const row of todo) {
        let id = this.rowIds.get(row);
        if (id === undefined) this.rowIds.set(row, (id = this.nextRowId++));
        hash.update(`,${id}`);
      }
      const token = hash.digest('base64url');
      try {
        await this.ch.insert(table, objects, token);
      } catch (err) {
        if (!refused(err)) throw err;
        // The batch will be split to find the refused hit: take back this call's rows from the
        // tables before, so the refused hit leaves nothing behind (the others are written again).
        await this.undo(done).catch(() => undefined);
        classify(err, refused);
      }
      for (const row of todo) this.written.add(row);
      done.push({ table, rows: todo, objects });
    }
  }

  /** Deletes rows this store wrote, by event id (events, event data) or session and time. */
  private async undo(done: { table: string; rows: object[]; objects: Record<string, unknown>[] }[]): Promise<void> {
    for (const { table, rows, objects } of done) {
      const byEvent = 'event_id' in objects[0];
      const keys = objects.map((o) =>
        byEvent ? `'${o.event_id}'` : `('${o.session_id}', toDateTime64('${o.created_at}', 3, 'UTC'))`,
      );
      // Ids and times are our own (uuids, chTimestamp text): checked, then inlined.
      if (!objects.every((o) => isUuid(String(byEvent ? o.event_id : o.session_id)) && /^[\d :.-]+$/.test(String(o.created_at)))) return;
      await this.ch.command(`DELETE FROM ${table} WHERE ${byEvent ? 'event_id' : '(session_id, created_at)'} IN (${keys.join(', ')})`);
      for (const row of rows) {
        this.written.delete(row);
        // Taken back: written again, the rows are a new block (the old token would be dropped as a repeat).
        this.rowIds.delete(row);
      }
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
  async deleteRows(websiteId: string, statements: readonly Statement[]): Promise<void> {
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

export async function openClickHouseStore(databaseUrl: string, clickhouseUrl: string, options: { queryTimeoutMs?: number } = {}): Promise<Store> {
  const meta = await openPostgresStore(databaseUrl);
  const ch = await openClickHouseExecutor(clickhouseUrl);
  await migrateClickHouse(ch);
  // Lets insert_deduplication_token work on plain MergeTree tables. A user without ALTER rights
  // still starts: retries then rely on the rows-already-written check alone.
  for (const { table } of tables) {
    await ch.command(`ALTER TABLE ${table} MODIFY SETTING non_replicated_deduplication_window = ${DEDUP_WINDOW}`).catch(() => undefined);
  }
  return {
    ...meta,
    kind: 'clickhouse',
    analytics: new ClickHouseAnalytics(ch, options.queryTimeoutMs ?? null),
    async close() {
      await ch.close();
      await meta.close();
    },
  };
}
