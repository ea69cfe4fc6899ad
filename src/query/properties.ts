// Event data and session data (custom properties). Values are shown as text by type: numbers
// without trailing zeros, dates as ISO instants, strings and booleans as stored.

import { toNumber, type QueryEngine } from './engine.js';
import { compileFilter, inRange } from './filters.js';
import type { Scope } from './lists.js';
import { int, join, raw, sql, type Sql } from './sql.js';

const str = (v: unknown) => (v == null ? null : String(v));

/** A data row's value as text, as the property endpoints show it. */
export function valueText(e: QueryEngine, alias = ''): Sql {
  const d = e.dialect;
  const c = (name: string) => raw(`${alias}${name}`);
  return sql`(CASE WHEN ${c('data_type')} = 2 THEN ${d.numberText(c('number_value'))}
    WHEN ${c('data_type')} = 4 THEN ${d.timestampText(c('date_value'))} ELSE ${c('string_value')} END)`;
}

/** event_data rows of events in the scope: time range on the data row, filters through its event. */
function eventDataWhere(e: QueryEngine, s: Scope, extra: Sql[] = []): Sql {
  const q = { websiteId: s.websiteId, range: s.range, rows: 'all' as const };
  const parts = [inRange(q, e.dialect), ...extra];
  if (s.filter) parts.push(sql`event_id IN (SELECT event_id FROM website_event WHERE ${inRange(q, e.dialect)} AND ${compileFilter(s.filter, q, e.dialect)})`);
  return join(parts, ' AND ');
}

/** Property names per event name: [{eventName, propertyName, dataType, total}] (+ value when an event is given). */
export async function eventDataEvents(e: QueryEngine, s: Scope, event?: string) {
  if (event) {
    const rows = await e.rows(sql`SELECT event_name, data_key, data_type, ${valueText(e)} AS value, count(*) AS total
      FROM event_data WHERE ${eventDataWhere(e, s, [sql`event_name = ${event}`])}
      GROUP BY 1, 2, 3, 4 ORDER BY 2, total DESC, 4 LIMIT 500`);
    return rows.map((r) => ({ eventName: str(r.event_name), propertyName: str(r.data_key), dataType: toNumber(r.data_type), propertyValue: str(r.value), total: toNumber(r.total) }));
  }
  const rows = await e.rows(sql`SELECT event_name, data_key, data_type, count(*) AS total
    FROM event_data WHERE ${eventDataWhere(e, s)} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 LIMIT 500`);
  return rows.map((r) => ({ eventName: str(r.event_name), propertyName: str(r.data_key), dataType: toNumber(r.data_type), total: toNumber(r.total) }));
}

/** [{propertyName, dataType, value, total}], most frequent first. */
export async function eventDataFields(e: QueryEngine, s: Scope) {
  const rows = await e.rows(sql`SELECT data_key, data_type, ${valueText(e)} AS value, count(*) AS total
    FROM event_data WHERE ${eventDataWhere(e, s)} GROUP BY 1, 2, 3 ORDER BY total DESC, 1, 3 LIMIT 500`);
  return rows.map((r) => ({ propertyName: str(r.data_key), dataType: toNumber(r.data_type), value: str(r.value), total: toNumber(r.total) }));
}

/** [{eventName, propertyName, total}], most frequent first. */
export async function eventDataProperties(e: QueryEngine, s: Scope) {
  const rows = await e.rows(sql`SELECT event_name, data_key, count(*) AS total
    FROM event_data WHERE ${eventDataWhere(e, s)} GROUP BY 1, 2 ORDER BY total DESC, 1, 2 LIMIT 500`);
  return rows.map((r) => ({ eventName: str(r.event_name), propertyName: str(r.data_key), total: toNumber(r.total) }));
}

/** [{value, total}] of one property (optionally of one event), top 100. */
export async function eventDataValues(e: QueryEngine, s: Scope, propertyName: string, event?: string) {
  const extra = [sql`data_key = ${propertyName}`];
  if (event) extra.push(sql`event_name = ${event}`);
  const rows = await e.rows(sql`SELECT ${valueText(e)} AS value, count(*) AS total
    FROM event_data WHERE ${eventDataWhere(e, s, extra)} GROUP BY 1 ORDER BY total DESC, 1 LIMIT 100`);
  return rows.map((r) => ({ value: str(r.value), total: toNumber(r.total) }));
}

/** {events, fields, records}: events with data, distinct property names, data rows. */
export async function eventDataStats(e: QueryEngine, s: Scope) {
  const d = e.dialect;
  const [r] = await e.rows(sql`SELECT ${d.countDistinct(raw('event_id'))} AS events, ${d.countDistinct(raw('data_key'))} AS fields,
    count(*) AS records FROM event_data WHERE ${eventDataWhere(e, s)}`);
  return { events: toNumber(r?.events), fields: toNumber(r?.fields), records: toNumber(r?.records) };
}

/**
 * Latest value per (session, key) of sessions active in the scope (identify data is not
 * time-bound: a session identified last month and active today counts today).
 */
function latestSessionData(e: QueryEngine, s: Scope, extra: Sql[] = []): Sql {
  const q = { websiteId: s.websiteId, range: s.range, rows: 'all' as const };
  const d = e.dialect;
  const active = sql`SELECT session_id FROM website_event WHERE ${inRange(q, d)} AND ${compileFilter(s.filter, q, d)}`;
  return sql`SELECT * FROM (
      SELECT sd.*, row_number() OVER (PARTITION BY session_id, data_key ORDER BY created_at DESC) AS rn
      FROM session_data sd WHERE website_id = ${d.uuid(s.websiteId)} AND ${join([raw('TRUE'), ...extra], ' AND ')}
        AND session_id IN (${active})) latest
    WHERE rn = 1`;
}

/** [{propertyName, total}]: sessions having each property. */
export async function sessionDataProperties(e: QueryEngine, s: Scope) {
  const rows = await e.rows(sql`SELECT data_key, ${e.dialect.countDistinct(raw('session_id'))} AS total
    FROM (${latestSessionData(e, s)}) x GROUP BY 1 ORDER BY total DESC, 1 LIMIT 500`);
  return rows.map((r) => ({ propertyName: str(r.data_key), total: toNumber(r.total) }));
}

/** [{value, total}]: sessions per value of one property. */
export async function sessionDataValues(e: QueryEngine, s: Scope, propertyName: string) {
  const rows = await e.rows(sql`SELECT ${valueText(e)} AS value, ${e.dialect.countDistinct(raw('session_id'))} AS total
    FROM (${latestSessionData(e, s, [sql`data_key = ${propertyName}`])}) x GROUP BY 1 ORDER BY total DESC, 1 LIMIT 100`);
  return rows.map((r) => ({ value: str(r.value), total: toNumber(r.total) }));
}

/** Latest value of each property of one session. */
export async function sessionProperties(e: QueryEngine, websiteId: string, sessionId: string) {
  const d = e.dialect;
  const rows = await e.rows(sql`SELECT * FROM (
      SELECT website_id, session_id, data_key, data_type, string_value, ${d.toDouble(raw('number_value'))} AS number_value, date_value, created_at,
        row_number() OVER (PARTITION BY data_key ORDER BY created_at DESC) AS rn
      FROM session_data WHERE website_id = ${d.uuid(websiteId)} AND session_id = ${d.uuid(sessionId)}) latest
    WHERE rn = 1 ORDER BY data_key LIMIT ${int(500)}`);
  return rows.map((r) => ({
    websiteId: String(r.website_id),
    sessionId: String(r.session_id),
    dataKey: str(r.data_key),
    dataType: toNumber(r.data_type),
    stringValue: str(r.string_value),
    numberValue: r.number_value == null ? null : Number(r.number_value),
    dateValue: r.date_value instanceof Date ? r.date_value.toISOString() : null,
    createdAt: r.created_at instanceof Date ? r.created_at.toISOString() : null,
  }));
}
