// ClickHouse's engine in-process through chdb: the same SQL as a server, used by the test suite
// and for trying the ClickHouse store on one machine (CLICKHOUSE_URL=chdb:<dir>). chdb is not a
// dependency (543 MB, Linux x64 and macOS only, and its other platforms' packages are missing from
// the registry, which breaks `npm ci`): whoever wants it installs it, so its types are stated here.
import type { Row } from '../types.js';
import { rowsFromJson, type ChExecutor, type JsonResult } from './executor.js';

interface ChdbResult {
  bytes(): Uint8Array;
  json<T>(): T;
}
interface ChdbSession {
  queryBindAsync(sql: string, params: Record<string, unknown>, options: { format: string }): Promise<ChdbResult>;
  queryAsync(sql: string, options: { format: string }): Promise<ChdbResult>;
  cleanup(): void;
}
interface Chdb {
  Session: new (dir?: string) => ChdbSession;
}

/** The chdb module, or null when it is not installed. */
export async function loadChdb(): Promise<Chdb | null> {
  const name = 'chdb'; // a variable, so TypeScript does not look for the package's types
  try {
    return (await import(name)) as Chdb;
  } catch {
    return null;
  }
}

export async function clickhouseEmbedded(dir: string): Promise<ChExecutor> {
  const chdb = await loadChdb();
  if (!chdb) throw new Error('CLICKHOUSE_URL=chdb:… needs the chdb package (npm install --no-save chdb)');
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
    query(sql: string, params: Record<string, unknown> = {}, extra: Record<string, number> = {}): Promise<Row[]> {
      // Our own setting names and numbers only, so they can be written into the text.
      const more = Object.entries(extra).map(([k, v]) => `, ${k} = ${Number(v)}`).join('');
      return serial(async () => {
        const result = await session.queryBindAsync(`${sql}\n${settings}${more}`, params, { format: 'JSON' });
        // Statements without a result set (INSERT … SELECT) answer nothing.
        if (!result.bytes().length) return [];
        // A query cancelled once its output had begun (a timeout) can still leave that partial
        // output in front of this result. Strings in the JSON format never hold a raw newline, so
        // `}\n{` only ever separates two documents: the last one is this query's.
        const text = Buffer.from(result.bytes()).toString('utf8');
        const cut = text.lastIndexOf('}\n{');
        return rowsFromJson(JSON.parse(cut < 0 ? text : text.slice(cut + 2)) as JsonResult);
      });
    },
    async command(sql: string, params?: Record<string, unknown>): Promise<void> {
      await serial(() => (params ? session.queryBindAsync(sql, params, { format: 'Null' }) : session.queryAsync(sql, { format: 'Null' })));
    },
    async insert(table: string, rows: Record<string, unknown>[], token?: string): Promise<void> {
      if (!rows.length) return;
      const body = rows.map((r) => JSON.stringify(r)).join('\n');
      // The token is base64url (no quotes to escape).
      const dedup = token ? ` SETTINGS insert_deduplication_token = '${token}'` : '';
      await serial(() => session.queryAsync(`INSERT INTO ${table}${dedup} FORMAT JSONEachRow\n${body}`, { format: 'Null' }));
    },
    async close(): Promise<void> {
      session.cleanup();
    },
  };
}
