// A website's raw rows in pages, for the raw export (`GET /api/websites/:id/export/events`,
// `dashi export`): first every session that started in the range with all its session data, then
// every event of the range with its event data, both in (created_at, id) order; a session that
// started before the range comes, with its data, just before the first page holding its events. Memory stays
// bounded at any size: each table is read by keyset within a time window that adapts to the
// data's density, so no read scans much more than the page it answers (the embedded store has
// no indexes; its per-row-group min/max prune the window).
import type { AnalyticsStore, EventDataRow, EventRow, Row, SessionDataRow, SessionRow, WriteBatch } from './types.js';
import { tables } from './sql/columns.js';
import { camel, placeholders } from './transfer.js';
import { sqlTimestamp } from '../lib/timestamp.js';

/** Events per page; sessions per page (their data is read by an IN list of their ids). */
const EVENT_PAGE = 5000;
const SESSION_PAGE = 1000;
const MIN_SPAN = 60_000;
const MAX_SPAN = 366 * 86_400_000;
/** Sessions started before the range that one export remembers having sent. */
const SENT_SESSIONS = 100_000;

/** Inclusive range of created_at. */
export interface ExportRange {
  start: Date;
  end: Date;
}

const columnsOf = (table: string) => tables.find((t) => t.table === table)!.columns;

/** Per table: stored column name, row key and kind, worked out once. */
const FIELDS = new Map(tables.map(({ table, columns }) => [table, columns.map(([name, kind]) => [name, camel(name), kind] as const)]));

/** A stored row as the writer's row type: camelCase keys, Date times, number numbers. */
function rowOf<T>(table: string, raw: Row): T {
  const out: Record<string, unknown> = {};
  for (const [name, key, kind] of FIELDS.get(table)!) {
    const v = raw[name];
    out[key] = v === null || v === undefined ? null : kind === 'ts' ? (v instanceof Date ? v : new Date(String(v))) : kind === 'int' || kind === 'num' ? Number(v) : String(v);
  }
  return out as T;
}

type Pager = (lo: Date, hi: Date, after: { at: Date; id: string } | null, limit: number) => Promise<Row[]>;

function pager(a: AnalyticsStore, table: string, idColumn: string, websiteId: string): Pager {
  const p = placeholders(a);
  const select = columnsOf(table).map(([name]) => name).join(', ');
  const base = `SELECT ${select} FROM ${table} WHERE website_id = ${p.uuid(1)} AND created_at >= ${p.ts(2)} AND created_at < ${p.ts(3)}`;
  const order = ` ORDER BY created_at, ${idColumn} LIMIT `;
  return (lo, hi, after, limit) =>
    after
      ? a.query(`${base} AND (created_at > ${p.ts(4)} OR (created_at = ${p.ts(4)} AND ${idColumn} > ${p.uuid(5)}))${order}${limit}`, [websiteId, sqlTimestamp(lo), sqlTimestamp(hi), sqlTimestamp(after.at), after.id])
      : a.query(`${base}${order}${limit}`, [websiteId, sqlTimestamp(lo), sqlTimestamp(hi)]);
}

/** Pages of one table's rows of the website in the range, in (created_at, id) order. */
async function* pages(a: AnalyticsStore, table: string, idColumn: string, websiteId: string, range: ExportRange, limit: number): AsyncGenerator<Row[]> {
  const p = placeholders(a);
  const endExclusive = new Date(range.end.getTime() + 1);
  const [bounds] = await a.query(
    `SELECT min(created_at) AS lo, max(created_at) AS hi, count(*) AS n FROM ${table} WHERE website_id = ${p.uuid(1)} AND created_at >= ${p.ts(2)} AND created_at < ${p.ts(3)}`,
    [websiteId, sqlTimestamp(range.start), sqlTimestamp(endExclusive)],
  );
  if (!Number(bounds.n)) return;
  const next = pager(a, table, idColumn, websiteId);
  const last = new Date(bounds.hi as Date).getTime();
  let lo = new Date(bounds.lo as Date).getTime();
  let span = 86_400_000;
  while (lo <= last) {
    const hi = Math.min(lo + span, last + 1);
    let after: { at: Date; id: string } | null = null;
    let pagesInWindow = 0;
    for (;;) {
      const rows = await next(new Date(lo), new Date(hi), after, limit);
      if (rows.length) yield rows;
      pagesInWindow++;
      if (rows.length < limit) break;
      const tail = rows[rows.length - 1];
      after = { at: tail.created_at as Date, id: String(tail[idColumn]) };
    }
    // Dense windows shrink (fewer rows scanned per page), empty ones grow (gaps cross quickly).
    if (pagesInWindow > 2) span = Math.max(MIN_SPAN, span / 2);
    else if (pagesInWindow === 1) span = Math.min(MAX_SPAN, span * 2);
    lo = hi;
  }
}

/** Every data row of these sessions. */
async function sessionDataOf(a: AnalyticsStore, websiteId: string, ids: readonly string[]): Promise<SessionDataRow[]> {
  const p = placeholders(a);
  const select = columnsOf('session_data').map(([name]) => name).join(', ');
  const list = ids.map((_, i) => p.uuid(i + 2)).join(', ');
  const data = await a.query(
    `SELECT ${select} FROM session_data WHERE website_id = ${p.uuid(1)} AND session_id IN (${list}) ORDER BY session_id, created_at, data_key`,
    [websiteId, ...ids],
  );
  return data.map((r) => rowOf<SessionDataRow>('session_data', r));
}

/** Sessions that started in the range, each with every data row of its session. */
async function* sessionChunks(a: AnalyticsStore, websiteId: string, range: ExportRange): AsyncGenerator<WriteBatch> {
  for await (const raw of pages(a, 'session', 'session_id', websiteId, range, SESSION_PAGE)) {
    const sessions = raw.map((r) => rowOf<SessionRow>('session', r));
    yield { events: [], eventData: [], sessions, sessionData: await sessionDataOf(a, websiteId, [...new Set(sessions.map((s) => s.sessionId))]) };
  }
}

/**
 * Sessions started before the range that some of `ids` belong to, not among `sent`. `sent` is
 * bounded: once full it starts over, and a session line sent twice is skipped by the import.
 */
async function earlierSessions(a: AnalyticsStore, websiteId: string, range: ExportRange, ids: readonly string[], sent: Set<string>): Promise<WriteBatch | null> {
  const fresh = ids.filter((id) => !sent.has(id));
  if (!fresh.length) return null;
  const p = placeholders(a);
  const select = columnsOf('session').map(([name]) => name).join(', ');
  const list = fresh.map((_, i) => p.uuid(i + 3)).join(', ');
  const raw = await a.query(
    `SELECT ${select} FROM session WHERE website_id = ${p.uuid(1)} AND created_at < ${p.ts(2)} AND session_id IN (${list}) ORDER BY created_at, session_id`,
    [websiteId, sqlTimestamp(range.start), ...fresh],
  );
  if (sent.size + fresh.length > SENT_SESSIONS) sent.clear();
  for (const id of fresh) sent.add(id);
  if (!raw.length) return null;
  const sessions = raw.map((r) => rowOf<SessionRow>('session', r));
  return { events: [], eventData: [], sessions, sessionData: await sessionDataOf(a, websiteId, sessions.map((s) => s.sessionId)) };
}

/** Events of the range, each with its data (stored at the event's created_at), and with `sessions` their sessions that started earlier. */
async function* eventChunks(a: AnalyticsStore, websiteId: string, range: ExportRange, sessions: boolean): AsyncGenerator<WriteBatch> {
  const p = placeholders(a);
  const select = columnsOf('event_data').map(([name]) => name).join(', ');
  const sent = new Set<string>();
  for await (const raw of pages(a, 'website_event', 'event_id', websiteId, range, EVENT_PAGE)) {
    const events = raw.map((r) => rowOf<EventRow>('website_event', r));
    if (sessions) {
      const earlier = await earlierSessions(a, websiteId, range, [...new Set(events.map((e) => e.sessionId))], sent);
      if (earlier) yield earlier;
    }
    const first = events[0].createdAt;
    const last = events[events.length - 1].createdAt;
    const ids = new Set(events.map((e) => e.eventId));
    // Data rows of the page's time span; those at a boundary instant whose event is on the next page wait for it.
    const data = await a.query(
      `SELECT ${select} FROM event_data WHERE website_id = ${p.uuid(1)} AND created_at >= ${p.ts(2)} AND created_at <= ${p.ts(3)} ORDER BY event_id, data_key`,
      [websiteId, sqlTimestamp(first), sqlTimestamp(last)],
    );
    const eventData = data.map((r) => rowOf<EventDataRow>('event_data', r)).filter((d) => ids.has(d.eventId));
    yield { events, eventData, sessions: [], sessionData: [] };
  }
}

/** Every raw row of the website in the range, sessions first, in chunks of a few thousand rows. */
export async function* websiteChunks(a: AnalyticsStore, websiteId: string, range: ExportRange, what: 'all' | 'events' = 'all'): AsyncGenerator<WriteBatch> {
  if (what === 'all') yield* sessionChunks(a, websiteId, range);
  yield* eventChunks(a, websiteId, range, what === 'all');
}
