// A minimal SQL executor shared by the relational stores (DuckDB, PostgreSQL): `$1..$n`
// placeholders, rows as plain JS objects. The metadata repositories are written once against it.
import type { Row, StoredRows } from '../types.js';
import { tables } from './columns.js';
import { sqlTimestamp } from '../../lib/timestamp.js';

export interface Executor {
  all(sql: string, params?: unknown[]): Promise<Row[]>;
  run(sql: string, params?: unknown[]): Promise<void>;
  /** Run fn inside one transaction on one connection; rolls back if fn throws. */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids come from URLs; anything that is not a UUID cannot exist, so it never reaches SQL. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}

/** Bigints (counts) become numbers; everything else is already plain. */
export function plainRow(row: Record<string, unknown>): Row {
  for (const key in row) {
    const v = row[key];
    if (typeof v === 'bigint') row[key] = Number(v);
  }
  return row;
}

/** WHERE clause for a website's analytics rows, optionally created in [from, to). */
export function websiteRows(websiteId: string, range?: { from: Date; to: Date }): { where: string; params: unknown[] } {
  if (!range) return { where: 'website_id = $1', params: [websiteId] };
  return {
    where: 'website_id = $1 AND created_at >= $2::TIMESTAMP AND created_at < $3::TIMESTAMP',
    params: [websiteId, range.from.toISOString(), range.to.toISOString()],
  };
}

/**
 * websiteRows with the values written into the text, for statements that take no parameters
 * (COPY): the website id must be a uuid, the instants are formatted here.
 */
export function websiteRowsLiteral(websiteId: string, { from, to }: { from: Date; to: Date }, alias = ''): string {
  if (!isUuid(websiteId)) throw new Error('not a website id');
  const a = alias ? `${alias}.` : '';
  return `${a}website_id = '${websiteId}' AND ${a}created_at >= TIMESTAMP '${sqlTimestamp(from)}' AND ${a}created_at < TIMESTAMP '${sqlTimestamp(to)}'`;
}

/**
 * The condition an incoming row of tables[t] meets when no row of `keep` has its key;
 * `incoming(column)` is the row's value of a key column, as the statement reads it.
 */
export function notStored(t: number, keep: StoredRows, incoming: (column: string) => string): string {
  const { table, key } = tables[t];
  const same = key.map((k) => `s.${k} = ${incoming(k)}`).join(' AND ');
  return `NOT EXISTS (SELECT 1 FROM ${table} s WHERE ${websiteRowsLiteral(keep.websiteId, keep, 's')} AND ${same})`;
}

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
