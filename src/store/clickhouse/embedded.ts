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
  // A statement that fails leaves the output it had written in the session, and chdb prepends
  // it to the next statement's result (which then is not JSON). So statements run one at a time,
  // and after a failure a throwaway statement takes the leftover.
  let last: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = async () => {
      try {
        return await fn();
      } catch (err) {
        await session.queryAsync('SELECT 1', { format: 'Null' }).catch(() => undefined);
        throw err;
      }
    };
    const next = last.then(run, run);
    last = next.catch(() => undefined);
    return next;
  };
  return {
    query(sql: string, params: Record<string, unknown> = {}): Promise<Row[]> {
      return serial(async () => {
        const result = await session.queryBindAsync(`${sql}\n${settings}`, params, { format: 'JSON' });
        // Statements without a result set (INSERT … SELECT) answer nothing.
        return result.bytes().length ? rowsFromJson(result.json<JsonResult>()) : [];
      });
    },
    async command(sql: string): Promise<void> {
      await serial(() => session.queryAsync(sql, { format: 'Null' }));
    },
    async insert(table: string, rows: Record<string, unknown>[]): Promise<void> {
      if (!rows.length) return;
      const body = rows.map((r) => JSON.stringify(r)).join('\n');
      await serial(() => session.queryAsync(`INSERT INTO ${table} FORMAT JSONEachRow\n${body}`, { format: 'Null' }));
    },
    async close(): Promise<void> {
      session.cleanup();
    },
  };
}
