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
    async query(sql: string, params: Record<string, unknown> = {}, extra: Record<string, number> = {}): Promise<Row[]> {
      // Our own setting names and numbers only, so they can be written into the text.
      const more = Object.entries(extra).map(([k, v]) => `, ${k} = ${Number(v)}`).join('');
      const result = await session.queryBindAsync(`${sql}\n${settings}${more}`, params, { format: 'JSON' });
      // Statements without a result set (INSERT … SELECT) answer nothing.
      if (!result.bytes().length) return [];
      // After a query that failed once its output had begun (a timeout), chdb hands that partial
      // output back in front of the next result. Strings in the JSON format never hold a raw
      // newline, so `}\n{` only ever separates two documents: the last one is this query's.
      const text = Buffer.from(result.bytes()).toString('utf8');
      const last = text.lastIndexOf('}\n{');
      return rowsFromJson(JSON.parse(last < 0 ? text : text.slice(last + 2)) as JsonResult);
    },
    async command(sql: string): Promise<void> {
      await session.queryAsync(sql, { format: 'Null' });
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
