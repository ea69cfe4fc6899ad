// ClickHouse's engine in-process through chdb (a dev dependency): the same SQL as a server, used
// by the test suite and for trying the ClickHouse store on one machine (CLICKHOUSE_URL=chdb:<dir>).
import type { Row } from '../types.js';
import { rowsFromJson, type ChExecutor, type JsonResult } from './executor.js';

export async function clickhouseEmbedded(dir: string): Promise<ChExecutor> {
  let chdb: typeof import('chdb');
  try {
    chdb = await import('chdb');
  } catch {
    throw new Error('CLICKHOUSE_URL=chdb:… needs the chdb package (npm install chdb)');
  }
  const session = new chdb.Session(dir);
  const settings = 'SETTINGS output_format_json_quote_64bit_integers = 0';
  return {
    async query(sql: string, params: Record<string, unknown> = {}): Promise<Row[]> {
      const result = await session.queryBindAsync(`${sql}\n${settings}`, params, { format: 'JSON' });
      // Statements without a result set (INSERT … SELECT) answer nothing.
      return result.bytes().length ? rowsFromJson(result.json<JsonResult>()) : [];
    },
    async command(sql: string, params?: Record<string, unknown>): Promise<void> {
      if (params) await session.queryBindAsync(sql, params, { format: 'Null' });
      else await session.queryAsync(sql, { format: 'Null' });
    },
    async insert(table: string, rows: Record<string, unknown>[]): Promise<void> {
      if (!rows.length) return;
      const body = rows.map((r) => JSON.stringify(r)).join('\n');
      await session.queryAsync(`INSERT INTO ${table} FORMAT JSONEachRow\n${body}`, { format: 'Null' });
    },
    async close(): Promise<void> {
      session.cleanup();
    },
  };
}
