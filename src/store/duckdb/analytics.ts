// Analytics tables on DuckDB: batched writes through appenders (one transaction per batch, so a
// batch is durable in the WAL when write() resolves), and compiled-query execution.
import { DuckDBAppender, DuckDBConnection, DuckDBTimestampValue } from '@duckdb/node-api';
import type { AnalyticsStore, Row, WriteBatch } from '../types.js';
import { tables, type Column } from '../sql/columns.js';
import { isUuid, websiteRows } from '../sql/executor.js';
import type { DuckDbPool } from './connection.js';

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
    for (const { table, columns } of tables) {
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
      for (const { table, columns, rows: pick } of tables) {
        const rows = pick(batch);
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

  async deleteWebsiteData(websiteId: string, range?: { from: Date; to: Date }): Promise<void> {
    if (!isUuid(websiteId)) return;
    await this.writing;
    const { where, params } = websiteRows(websiteId, range);
    await this.pool.transaction(async (tx) => {
      for (const { table } of tables) await tx.run(`DELETE FROM ${table} WHERE ${where}`, params);
    });
  }

  close(): void {
    this.writer.closeSync();
  }
}
