// A live Umami database, read-only: PostgreSQL (Umami v2 and v3) or MySQL/MariaDB (Umami v2).
// Statements use `?` placeholders and `"name"` quoting; the MySQL side swaps the quotes.
import { copyOut } from '../postgres/connection.js';
import postgres from 'postgres';
import mysql from 'mysql2/promise';
import type { Row } from '../types.js';

export type UmamiDialect = 'postgresql' | 'mysql';

export interface UmamiSource {
  readonly dialect: UmamiDialect;
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  /**
   * PostgreSQL only: the rows of a SELECT as CSV, by `COPY (…) TO STDOUT (FORMAT csv)`. COPY takes
   * no parameters: the `?` are filled in with `params` as literals (strings, and instants as
   * timestamptz). Read it with stream.pipeline (or another flowing consumer).
   */
  copyCsv?(select: string, params: (string | Date)[]): Promise<NodeJS.ReadableStream>;
  /** Column names of each of Umami's tables that exist, lower case. */
  columns(): Promise<Map<string, Set<string>>>;
  close(): Promise<void>;
}

/** The source URL's password never reaches a log or an error message. */
export class UmamiSourceError extends Error {}

const CONNECT_TIMEOUT_S = 10;

export function umamiDialect(url: string): UmamiDialect | null {
  const scheme = /^([a-z]+):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'postgresql' || scheme === 'postgres') return 'postgresql';
  if (scheme === 'mysql' || scheme === 'mariadb') return 'mysql';
  return null;
}

/** `text` with the URL's password (and the whole URL) replaced by `***`. */
export function redact(text: string, url: string): string {
  let out = text.split(url).join('***');
  try {
    const pw = decodeURIComponent(new URL(url).password);
    if (pw) out = out.split(pw).join('***');
  } catch {
    // not a URL: nothing more to hide
  }
  return out;
}

function toPg(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function literal(v: string | Date): string {
  if (v instanceof Date) return `'${v.toISOString()}'::timestamptz`;
  return `'${v.replaceAll("'", "''")}'`;
}

function inline(sql: string, params: (string | Date)[]): string {
  let n = 0;
  return sql.replace(/\?/g, () => {
    if (n >= params.length) throw new Error('more placeholders than parameters');
    return literal(params[n++]);
  });
}

async function pgSource(url: string): Promise<UmamiSource> {
  // ISO dates and the shortest exact text of a float (what COPY writes for the CSV path).
  const connection = { TimeZone: 'UTC', DateStyle: 'ISO', extra_float_digits: '1' };
  const sql = postgres(url, { max: 2, connect_timeout: CONNECT_TIMEOUT_S, onnotice: () => undefined, prepare: false, idle_timeout: 30, connection });
  return {
    dialect: 'postgresql',
    query: async (text, params = []) => (await sql.unsafe(toPg(text), params as never[])) as unknown as Row[],
    copyCsv: async (select, params) =>
      copyOut(await sql.unsafe(`COPY (${inline(select, params)}) TO STDOUT (FORMAT csv)`).readable()),
    columns: async () =>
      group(
        (await sql.unsafe(
          `SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema()`,
        )) as unknown as Row[],
      ),
    close: () => sql.end({ timeout: 5 }),
  };
}

async function mysqlSource(url: string): Promise<UmamiSource> {
  const u = new URL(url);
  u.protocol = 'mysql:';
  // Umami's MySQL TIMESTAMP columns hold UTC; read them as UTC instants.
  const pool = mysql.createPool({ uri: u.toString(), connectionLimit: 2, timezone: 'Z', connectTimeout: CONNECT_TIMEOUT_S * 1000, dateStrings: false, supportBigNumbers: true, decimalNumbers: true });
  pool.on('connection', (c) => void c.query("SET time_zone = '+00:00'"));
  const quote = (text: string) => text.replace(/"/g, '`');
  return {
    dialect: 'mysql',
    query: async (text, params = []) => (await pool.query(quote(text), params))[0] as Row[],
    columns: async () =>
      group(
        (await pool.query(`SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE()`))[0] as Row[],
      ),
    close: () => pool.end(),
  };
}

function group(rows: Row[]): Map<string, Set<string>> {
  const tables = new Map<string, Set<string>>();
  for (const r of rows) {
    const t = String(r.t ?? r.T ?? r.TABLE_NAME).toLowerCase();
    const c = String(r.c ?? r.C ?? r.COLUMN_NAME).toLowerCase();
    if (!tables.has(t)) tables.set(t, new Set());
    tables.get(t)!.add(c);
  }
  return tables;
}

/** Connects and checks the connection works; errors never carry the URL or its password. */
export async function openUmamiSource(url: string): Promise<UmamiSource> {
  const dialect = umamiDialect(url);
  if (!dialect) throw new UmamiSourceError('the Umami database URL must start with postgresql://, postgres://, mysql:// or mariadb://');
  let source: UmamiSource | null = null;
  try {
    new URL(url);
    source = dialect === 'postgresql' ? await pgSource(url) : await mysqlSource(url);
    await source.query('SELECT 1');
    return source;
  } catch (err) {
    await source?.close().catch(() => undefined);
    throw new UmamiSourceError(`cannot read the Umami database: ${redact(err instanceof Error ? err.message : String(err), url)}`);
  }
}
