// A ClickHouse server over HTTP (CLICKHOUSE_URL=http://user:pass@host:8123/db), for production.
import { createClient } from '@clickhouse/client';
import type { Row } from '../types.js';
import { rowsFromJson, type ChExecutor, type JsonResult } from './executor.js';

export function clickhouseServer(url: string): ChExecutor {
  const client = createClient({
    url,
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0, date_time_input_format: 'best_effort' },
  });
  return {
    async query(sql: string, params: Record<string, unknown> = {}, settings: Record<string, number> = {}): Promise<Row[]> {
      const rs = await client.query({ query: sql, query_params: params, format: 'JSON', clickhouse_settings: settings });
      return rowsFromJson((await rs.json()) as unknown as JsonResult);
    },
    async command(sql: string, params?: Record<string, unknown>): Promise<void> {
      await client.command({ query: sql, query_params: params });
    },
    async insert(table: string, rows: Record<string, unknown>[], token?: string): Promise<void> {
      if (!rows.length) return;
      await client.insert({ table, values: rows, format: 'JSONEachRow', clickhouse_settings: token ? { insert_deduplication_token: token } : {} });
    },
    close: () => client.close(),
  };
}
