// Deleting analytics rows on request: purge by filter (the read routes' filter syntax and
// compiler, so a purge removes exactly the rows a read with the same filters counts), and
// forgetting one visitor (every row of a session). Statements are built here and run by the store
// (AnalyticsStore.deleteRows), which keeps its rollups exact.

import type { AnalyticsStore, Statement } from '../store/types.js';
import type { QueryEngine } from './engine.js';
import { compileFilter, inRange, TRAFFIC_TYPES } from './filters.js';
import { join, raw, sql, type Sql } from './sql.js';
import type { Dialect } from './dialects/dialect.js';
import type { Filter } from './types.js';

/** The rows a purge removes: a website's event rows in a range that pass a filter tree. */
export interface Selection {
  websiteId: string;
  filter: Filter | null;
  range: { start: Date; end: Date };
}

export interface PurgeCounts {
  /** Event rows (website_event). */
  events: number;
  /** Distinct sessions among them. */
  sessions: number;
}

function matching(s: Selection, d: Dialect): Sql {
  const q = { websiteId: s.websiteId, range: s.range, rows: 'all' as const };
  return sql`${inRange(q, d)} AND ${compileFilter(s.filter, q, d)}`;
}

/** Counts of the rows a purge of `s` removes. */
export function purgeCountSql(s: Selection, d: Dialect): Sql {
  return sql`SELECT count(*) AS events, ${d.countDistinct(raw('session_id'))} AS sessions FROM website_event WHERE ${matching(s, d)}`;
}

/**
 * The deletes of a purge, in order: sessions (and their identify data) none of whose events
 * survive, then the matching events' data, then the events.
 */
export function purgeStatements(s: Selection, d: Dialect): Sql[] {
  const site = sql`website_id = ${d.uuid(s.websiteId)}`;
  const cond = matching(s, d);
  const emptied = sql`${site} AND session_id IN (SELECT session_id FROM website_event WHERE ${cond})
    AND session_id NOT IN (SELECT session_id FROM website_event WHERE ${site} AND NOT (${cond}))`;
  return [
    sql`DELETE FROM session_data WHERE ${emptied}`,
    sql`DELETE FROM session WHERE ${emptied}`,
    sql`DELETE FROM event_data WHERE ${site} AND event_id IN (SELECT event_id FROM website_event WHERE ${cond})`,
    sql`DELETE FROM website_event WHERE ${cond}`,
  ];
}

/** Traffic rows a purge removes, for the store's rollups (AnalyticsStore.deleteRows `touched`). */
export function purgedTrafficSql(s: Selection, d: Dialect): Sql {
  return sql`SELECT session_id, visit_id, created_at FROM website_event WHERE ${matching(s, d)} AND ${TRAFFIC_TYPES}`;
}

const SESSION_TABLES = ['website_event', 'event_data', 'session', 'session_data'] as const;

const ofSession = (websiteId: string, sessionId: string, d: Dialect) => sql`website_id = ${d.uuid(websiteId)} AND session_id = ${d.uuid(sessionId)}`;

/** Rows of one session per table: one row with a column per table. */
export function sessionCountSql(websiteId: string, sessionId: string, d: Dialect): Sql {
  const where = ofSession(websiteId, sessionId, d);
  return sql`SELECT ${join(SESSION_TABLES.map((t) => sql`(SELECT count(*) FROM ${raw(t)} WHERE ${where}) AS ${raw(t)}`))}`;
}

export function sessionDeleteStatements(websiteId: string, sessionId: string, d: Dialect): Sql[] {
  return SESSION_TABLES.map((t) => sql`DELETE FROM ${raw(t)} WHERE ${ofSession(websiteId, sessionId, d)}`);
}

const render = (engine: QueryEngine, stmts: Sql[]): Statement[] => stmts.map((s) => engine.dialect.render(s));

export async function countPurge(engine: QueryEngine, s: Selection): Promise<PurgeCounts> {
  const [row] = await engine.rows(purgeCountSql(s, engine.dialect));
  return { events: Number(row?.events ?? 0), sessions: Number(row?.sessions ?? 0) };
}

/** Delete the selection; answers what was deleted (counted just before). */
export async function purge(engine: QueryEngine, store: AnalyticsStore, s: Selection): Promise<PurgeCounts> {
  const counts = await countPurge(engine, s);
  if (counts.events > 0) {
    await store.deleteRows(s.websiteId, render(engine, purgeStatements(s, engine.dialect)), engine.dialect.render(purgedTrafficSql(s, engine.dialect)));
  }
  return counts;
}

/** Delete every row of one session; answers the rows deleted (all tables) and the events among them. */
export async function forgetSession(engine: QueryEngine, store: AnalyticsStore, websiteId: string, sessionId: string): Promise<{ rows: number; events: number }> {
  const [row] = await engine.rows(sessionCountSql(websiteId, sessionId, engine.dialect));
  const rows = SESSION_TABLES.reduce((n, t) => n + Number(row?.[t] ?? 0), 0);
  if (rows > 0) {
    const d = engine.dialect;
    const touched = d.render(sql`SELECT session_id, visit_id, created_at FROM website_event WHERE ${ofSession(websiteId, sessionId, d)} AND ${TRAFFIC_TYPES}`);
    await store.deleteRows(websiteId, render(engine, sessionDeleteStatements(websiteId, sessionId, d)), touched);
  }
  return { rows, events: Number(row?.website_event ?? 0) };
}
