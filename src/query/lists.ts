// Row-level reads: event and session lists, one session's detail and activity, date range,
// distinct values. Same rules as aggregates: website + range + filter tree, bound values only.

import type { Row } from '../store/types.js';
import { toNumber, type QueryEngine } from './engine.js';
import { compileFilter, inRange, TRAFFIC_TYPES } from './filters.js';
import { int, join, raw, sql, type Sql } from './sql.js';
import type { Filter, TimeRange } from './types.js';

export interface Scope {
  readonly websiteId: string;
  readonly range: TimeRange;
  readonly filter: Filter | null;
}

export interface PageArgs {
  readonly page: number; // 1-based
  readonly pageSize: number;
  readonly search?: string;
  /** The share of the range a session page reads first, newest rows first (tests vary it). */
  readonly windowShare?: number;
}

function where(e: QueryEngine, s: Scope, extra: Sql[] = []): Sql {
  const q = { websiteId: s.websiteId, range: s.range, rows: 'all' as const };
  return join([inRange(q, e.dialect), compileFilter(s.filter, q, e.dialect), ...extra], ' AND ');
}

function searchAny(e: QueryEngine, columns: string[], text: string | undefined): Sql[] {
  if (!text) return [];
  return [sql`(${join(columns.map((c) => e.dialect.containsCi(sql`coalesce(${raw(c)}, '')`, text)), ' OR ')})`];
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v == null ? null : String(v));

const EVENT_SEARCH = ['url_path', 'event_name', 'page_title', 'referrer_domain'];

/** Events (pageviews and custom events), newest first, one page. */
export async function listEvents(e: QueryEngine, s: Scope, p: PageArgs) {
  const w = where(e, s, searchAny(e, EVENT_SEARCH, p.search));
  const d = e.dialect;
  const [countRow] = await e.rows(sql`SELECT count(*) AS n FROM website_event WHERE ${w}`);
  const rows = await e.rows(sql`
    WITH page AS (
      SELECT event_id, website_id, session_id, created_at, hostname, url_path, url_query, referrer_path,
        referrer_query, referrer_domain, country, city, device, os, browser, page_title, event_type, event_name
      FROM website_event WHERE ${w}
      ORDER BY created_at DESC, event_id LIMIT ${int(p.pageSize)} OFFSET ${int((p.page - 1) * p.pageSize)})
    SELECT page.*, event_id IN (SELECT event_id FROM event_data WHERE website_id = ${d.uuid(s.websiteId)}
      AND event_id IN (SELECT event_id FROM page)) AS has_data
    FROM page ORDER BY created_at DESC, event_id`);
  return {
    count: toNumber(countRow?.n),
    data: rows.map((r) => ({
      id: String(r.event_id),
      websiteId: String(r.website_id),
      sessionId: String(r.session_id),
      createdAt: iso(r.created_at),
      hostname: r.hostname ?? null,
      urlPath: r.url_path ?? null,
      urlQuery: r.url_query ?? null,
      referrerPath: r.referrer_path ?? null,
      referrerQuery: r.referrer_query ?? null,
      referrerDomain: r.referrer_domain ?? null,
      country: r.country ?? null,
      city: r.city ?? null,
      device: r.device ?? null,
      os: r.os ?? null,
      browser: r.browser ?? null,
      pageTitle: r.page_title ?? null,
      eventType: toNumber(r.event_type),
      eventName: r.event_name ?? null,
      hasData: Boolean(r.has_data),
    })),
  };
}

const SESSION_ATTRS = ['hostname', 'browser', 'os', 'device', 'screen', 'language', 'country', 'region', 'city', 'distinct_id'];

function sessionSelect(e: QueryEngine): Sql {
  const d = e.dialect;
  return join([
    raw('session_id'),
    // Aliases never reuse a column name: ClickHouse would read them back into WHERE.
    sql`${d.anyValue(raw('website_id'))} AS s_website_id`,
    ...SESSION_ATTRS.map((c) => sql`${d.anyValue(raw(c))} AS ${raw(`s_${c}`)}`),
    raw('min(created_at) AS first_at'),
    raw('max(created_at) AS last_at'),
    sql`${d.countDistinct(raw('visit_id'))} AS visits`,
    sql`sum(CASE WHEN ${TRAFFIC_TYPES} THEN 1 ELSE 0 END) AS views`,
    raw('sum(CASE WHEN event_type = 2 THEN 1 ELSE 0 END) AS events'),
  ]);
}

function sessionJson(r: Row) {
  return {
    id: String(r.session_id),
    websiteId: String(r.s_website_id),
    distinctId: r.s_distinct_id ?? null,
    hostname: r.s_hostname ?? null,
    browser: r.s_browser ?? null,
    os: r.s_os ?? null,
    device: r.s_device ?? null,
    screen: r.s_screen ?? null,
    language: r.s_language ?? null,
    country: r.s_country ?? null,
    region: r.s_region ?? null,
    city: r.s_city ?? null,
    firstAt: iso(r.first_at),
    lastAt: iso(r.last_at),
    visits: toNumber(r.visits),
    views: toNumber(r.views),
    events: toNumber(r.events),
    createdAt: iso(r.first_at),
  };
}

/** The first window's share of the range, each next one WIDEN times wider, up to the whole range. */
const FIRST_WINDOW = 1 / 1024;
const WIDEN = 8;

/**
 * The ids of one page of sessions ordered by last activity, from the newest rows first: when the
 * rows at or after a cut hold at least a page's worth of sessions, no session without such a row
 * can be newer than one of them, and each of them has its last row there. The window widens until
 * that holds or it is the whole range.
 */
async function sessionPage(e: QueryEngine, s: Scope, search: Sql[], p: PageArgs): Promise<string[]> {
  const need = p.page * p.pageSize;
  const end = s.range.end.getTime();
  const span = end - s.range.start.getTime();
  for (let share = p.windowShare ?? FIRST_WINDOW; ; share *= WIDEN) {
    const whole = share >= 1;
    const since = whole ? [] : [sql`created_at >= ${e.dialect.timestamp(new Date(end - Math.floor(span * share)))}`];
    const rows = await e.rows(sql`SELECT session_id, max(created_at) AS last_at FROM website_event WHERE ${where(e, s, [...search, ...since])}
      GROUP BY session_id ORDER BY last_at DESC, session_id LIMIT ${int(need)}`);
    if (whole || rows.length === need) return rows.slice(need - p.pageSize).map((r) => String(r.session_id));
  }
}

/** Sessions active in the range, most recently active first, one page. */
export async function listSessions(e: QueryEngine, s: Scope, p: PageArgs) {
  const search = searchAny(e, ['distinct_id', 'city', 'browser', 'os', 'device'], p.search);
  const w = where(e, s, search);
  // The count (an exact distinct count over the range, the slow part) runs beside the page.
  const counted = e.rows(sql`SELECT ${e.dialect.countDistinct(raw('session_id'))} AS n FROM website_event WHERE ${w}`);
  counted.catch(() => undefined);
  const ids = await sessionPage(e, s, search, p);
  const rows = ids.length === 0 ? [] : await e.rows(sql`SELECT ${sessionSelect(e)} FROM website_event WHERE ${w}
    AND session_id IN (${join(ids.map((id) => e.dialect.uuid(id)))}) GROUP BY session_id ORDER BY last_at DESC, session_id`);
  const [countRow] = await counted;
  return { count: toNumber(countRow?.n), data: rows.map(sessionJson) };
}

/** One session over the given range (all its rows when the range is the website's lifetime). */
export async function getSession(e: QueryEngine, s: Scope, sessionId: string) {
  const w = where(e, s, [sql`session_id = ${e.dialect.uuid(sessionId)}`]);
  const [row] = await e.rows(sql`SELECT ${sessionSelect(e)} FROM website_event WHERE ${w} GROUP BY session_id`);
  return row ? sessionJson(row) : null;
}

/** A session's rows, newest first (at most `limit`). */
export async function sessionActivity(e: QueryEngine, s: Scope, sessionId: string, limit = 500) {
  const d = e.dialect;
  const w = where(e, s, [sql`session_id = ${d.uuid(sessionId)}`]);
  const rows = await e.rows(sql`
    WITH page AS (
      SELECT created_at, url_path, url_query, referrer_domain, event_id, event_type, event_name, visit_id, hostname
      FROM website_event WHERE ${w} ORDER BY created_at DESC, event_id LIMIT ${int(limit)})
    SELECT page.*, event_id IN (SELECT event_id FROM event_data WHERE website_id = ${d.uuid(s.websiteId)}
      AND session_id = ${d.uuid(sessionId)}) AS has_data
    FROM page ORDER BY created_at DESC, event_id`);
  return rows.map((r) => ({
    createdAt: iso(r.created_at),
    urlPath: r.url_path ?? null,
    urlQuery: r.url_query ?? null,
    referrerDomain: r.referrer_domain ?? null,
    eventId: String(r.event_id),
    eventType: toNumber(r.event_type),
    eventName: r.event_name ?? null,
    visitId: String(r.visit_id),
    hostname: r.hostname ?? null,
    hasData: Boolean(r.has_data),
  }));
}

/** First and last event time of a website (never before `since`). */
export async function dateRange(e: QueryEngine, websiteId: string, since: Date) {
  const d = e.dialect;
  const [row] = await e.rows(sql`SELECT min(created_at) AS first_at, max(created_at) AS last_at FROM website_event
    WHERE website_id = ${d.uuid(websiteId)} AND created_at >= ${d.timestamp(since)}`);
  return { startDate: iso(row?.first_at), endDate: iso(row?.last_at) };
}

/** Latest rows of any type in a scope (realtime feed). */
export async function recentRows(e: QueryEngine, s: Scope, limit: number) {
  const rows = await e.rows(sql`SELECT session_id, event_name, event_type, created_at, browser, os, device, country, url_path,
      referrer_domain, hostname FROM website_event WHERE ${where(e, s)} ORDER BY created_at DESC, event_id LIMIT ${int(limit)}`);
  const d = e.dialect;
  const firsts = await e.rows(sql`SELECT session_id, min(created_at) AS first_at, ${d.anyValue(raw('browser'))} AS s_browser,
      ${d.anyValue(raw('os'))} AS s_os, ${d.anyValue(raw('device'))} AS s_device, ${d.anyValue(raw('country'))} AS s_country
    FROM website_event WHERE ${where(e, s)} GROUP BY session_id ORDER BY first_at DESC, session_id LIMIT ${int(limit)}`);
  return { rows, firsts };
}
