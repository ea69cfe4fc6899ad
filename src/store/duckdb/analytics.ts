// Analytics tables on DuckDB: batched writes through appenders (one transaction per batch, so a
// batch is durable in the WAL when write() resolves), and compiled-query execution.
import { DuckDBAppender, DuckDBConnection, DuckDBTimestampValue } from '@duckdb/node-api';
import type { AnalyticsStore, EventDataRow, EventRow, Row, SessionDataRow, SessionRow, WriteBatch } from '../types.js';
import { isUuid } from '../sql/executor.js';
import type { DuckDbPool } from './connection.js';

type Kind = 'uuid' | 'text' | 'ts' | 'int' | 'num';
type Column<T> = [name: string, kind: Kind, get: (row: T) => unknown];

// Column order must match the table definitions (checked at open).
const eventColumns: Column<EventRow>[] = [
  ['event_id', 'uuid', (r) => r.eventId],
  ['website_id', 'uuid', (r) => r.websiteId],
  ['session_id', 'uuid', (r) => r.sessionId],
  ['visit_id', 'uuid', (r) => r.visitId],
  ['created_at', 'ts', (r) => r.createdAt],
  ['event_type', 'int', (r) => r.eventType],
  ['event_name', 'text', (r) => r.eventName],
  ['event_category', 'text', (r) => r.eventCategory],
  ['url_path', 'text', (r) => r.urlPath],
  ['url_query', 'text', (r) => r.urlQuery],
  ['page_title', 'text', (r) => r.pageTitle],
  ['hostname', 'text', (r) => r.hostname],
  ['referrer_domain', 'text', (r) => r.referrerDomain],
  ['referrer_path', 'text', (r) => r.referrerPath],
  ['referrer_query', 'text', (r) => r.referrerQuery],
  ['utm_source', 'text', (r) => r.utmSource],
  ['utm_medium', 'text', (r) => r.utmMedium],
  ['utm_campaign', 'text', (r) => r.utmCampaign],
  ['utm_content', 'text', (r) => r.utmContent],
  ['utm_term', 'text', (r) => r.utmTerm],
  ['gclid', 'text', (r) => r.gclid],
  ['fbclid', 'text', (r) => r.fbclid],
  ['msclkid', 'text', (r) => r.msclkid],
  ['ttclid', 'text', (r) => r.ttclid],
  ['li_fat_id', 'text', (r) => r.liFatId],
  ['twclid', 'text', (r) => r.twclid],
  ['tag', 'text', (r) => r.tag],
  ['browser', 'text', (r) => r.browser],
  ['os', 'text', (r) => r.os],
  ['device', 'text', (r) => r.device],
  ['screen', 'text', (r) => r.screen],
  ['language', 'text', (r) => r.language],
  ['country', 'text', (r) => r.country],
  ['region', 'text', (r) => r.region],
  ['city', 'text', (r) => r.city],
  ['distinct_id', 'text', (r) => r.distinctId],
];

const eventDataColumns: Column<EventDataRow>[] = [
  ['website_id', 'uuid', (r) => r.websiteId],
  ['session_id', 'uuid', (r) => r.sessionId],
  ['event_id', 'uuid', (r) => r.eventId],
  ['event_name', 'text', (r) => r.eventName],
  ['url_path', 'text', (r) => r.urlPath],
  ['created_at', 'ts', (r) => r.createdAt],
  ['data_key', 'text', (r) => r.dataKey],
  ['string_value', 'text', (r) => r.stringValue],
  ['number_value', 'num', (r) => r.numberValue],
  ['date_value', 'ts', (r) => r.dateValue],
  ['data_type', 'int', (r) => r.dataType],
];

const sessionColumns: Column<SessionRow>[] = [
  ['session_id', 'uuid', (r) => r.sessionId],
  ['website_id', 'uuid', (r) => r.websiteId],
  ['created_at', 'ts', (r) => r.createdAt],
  ['browser', 'text', (r) => r.browser],
  ['os', 'text', (r) => r.os],
  ['device', 'text', (r) => r.device],
  ['screen', 'text', (r) => r.screen],
  ['language', 'text', (r) => r.language],
  ['country', 'text', (r) => r.country],
  ['region', 'text', (r) => r.region],
  ['city', 'text', (r) => r.city],
  ['distinct_id', 'text', (r) => r.distinctId],
];

const sessionDataColumns: Column<SessionDataRow>[] = [
  ['website_id', 'uuid', (r) => r.websiteId],
  ['session_id', 'uuid', (r) => r.sessionId],
  ['created_at', 'ts', (r) => r.createdAt],
  ['data_key', 'text', (r) => r.dataKey],
  ['string_value', 'text', (r) => r.stringValue],
  ['number_value', 'num', (r) => r.numberValue],
  ['date_value', 'ts', (r) => r.dateValue],
  ['data_type', 'int', (r) => r.dataType],
  ['distinct_id', 'text', (r) => r.distinctId],
];

const tables: [string, Column<any>[]][] = [
  ['website_event', eventColumns],
  ['event_data', eventDataColumns],
  ['session', sessionColumns],
  ['session_data', sessionDataColumns],
];

function appendRows<T>(appender: DuckDBAppender, columns: Column<T>[], rows: T[]): void {
  for (const row of rows) {
    for (const [, kind, get] of columns) {
      const v = get(row);
      if (v == null) appender.appendNull();
      else if (kind === 'ts') appender.appendTimestamp(new DuckDBTimestampValue(BigInt((v as Date).getTime()) * 1000n));
      else if (kind === 'int') appender.appendInteger(v as number);
      else if (kind === 'num') appender.appendDouble(v as number);
      else appender.appendVarchar(v as string);
    }
    appender.endRow();
  }
}

export class DuckDbAnalytics implements AnalyticsStore {
  readonly dialect = 'duckdb' as const;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly pool: DuckDbPool,
    private readonly writer: DuckDBConnection,
  ) {}

  static async open(pool: DuckDbPool): Promise<DuckDbAnalytics> {
    for (const [table, columns] of tables) {
      const rows = await pool.all(
        `SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
        [table],
      );
      const actual = rows.map((r) => r.column_name).join(',');
      const expected = columns.map((c) => c[0]).join(',');
      if (actual !== expected) throw new Error(`${table} columns (${actual}) do not match the writer (${expected})`);
    }
    return new DuckDbAnalytics(pool, await pool.connect());
  }

  query(sql: string, params: unknown[] = []): Promise<Row[]> {
    return this.pool.all(sql, params);
  }

  write(batch: WriteBatch): Promise<void> {
    // One writer connection: batches are applied strictly one after another.
    const next = this.writing.then(() => this.writeNow(batch));
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async writeNow(batch: WriteBatch): Promise<void> {
    const c = this.writer;
    await c.run('BEGIN TRANSACTION');
    try {
      const parts: [string, Column<any>[], unknown[]][] = [
        ['website_event', eventColumns, batch.events],
        ['event_data', eventDataColumns, batch.eventData],
        ['session', sessionColumns, batch.sessions],
        ['session_data', sessionDataColumns, batch.sessionData],
      ];
      for (const [table, columns, rows] of parts) {
        if (!rows.length) continue;
        const appender = await c.createAppender(table);
        try {
          appendRows(appender, columns, rows);
          appender.flushSync();
        } finally {
          appender.closeSync();
        }
      }
      await c.run('COMMIT');
    } catch (err) {
      await c.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  async deleteWebsiteData(websiteId: string): Promise<void> {
    if (!isUuid(websiteId)) return;
    await this.writing;
    await this.pool.transaction(async (tx) => {
      for (const table of ['event_data', 'session_data', 'session', 'website_event']) {
        await tx.run(`DELETE FROM ${table} WHERE website_id = $1`, [websiteId]);
      }
    });
  }

  close(): void {
    this.writer.closeSync();
  }
}
