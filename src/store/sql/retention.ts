// Retention deletes for the SQL stores (DuckDB and PostgreSQL accept the same text): rows created
// before a cutoff go one UTC day at a time, oldest first, so each transaction stays small; then
// the session rows no event refers to any more.
import type { Statement, Row } from '../types.js';

const DAY = 86_400_000;
/** Tables whose rows carry their own time; session rows go once no event refers to them. */
const TIMED = ['website_event', 'event_data', 'session_data'];

export interface RetentionStep {
  /** Events (website_event rows) the step deletes: one row, column n. */
  count: Statement;
  /** website_event first, then the other tables. */
  deletes: Statement[];
  /** The step deletes rows created before this instant. */
  to: Date;
}

/**
 * The next day's deletes, or null when no row of the website is older than `before`.
 * `minMs`: the store's expression for min(created_at) as epoch milliseconds.
 */
export async function retentionStep(
  websiteId: string,
  before: Date,
  all: (text: string, params: unknown[]) => Promise<Row[]>,
  minMs: string,
): Promise<RetentionStep | null> {
  const oldest = TIMED.map((t) => `SELECT ${minMs} AS t FROM ${t} WHERE website_id = $1 AND created_at < $2::TIMESTAMP`).join(' UNION ALL ');
  const [{ t }] = await all(`SELECT min(t) AS t FROM (${oldest}) o`, [websiteId, before.toISOString()]);
  if (t == null) return null;
  const to = new Date(Math.min((Math.floor(Number(t) / DAY) + 1) * DAY, before.getTime()));
  const params = [websiteId, to.toISOString()];
  const where = 'website_id = $1 AND created_at < $2::TIMESTAMP';
  return {
    count: { text: `SELECT count(*) AS n FROM website_event WHERE ${where}`, params },
    deletes: TIMED.map((t) => ({ text: `DELETE FROM ${t} WHERE ${where}`, params })),
    to,
  };
}

/** Session rows first seen before `before` with no event left; count (column n) and delete. */
export function orphanSessions(websiteId: string, before: Date): { count: Statement; delete: Statement } {
  const where = `website_id = $1 AND created_at < $2::TIMESTAMP AND session_id NOT IN (SELECT session_id FROM website_event WHERE website_id = $1)`;
  const params = [websiteId, before.toISOString()];
  return {
    count: { text: `SELECT count(DISTINCT session_id) AS n FROM session WHERE ${where}`, params },
    delete: { text: `DELETE FROM session WHERE ${where}`, params },
  };
}
