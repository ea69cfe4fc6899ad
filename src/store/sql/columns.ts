// The analytics tables' columns in table order, with how each is read from a written row.
// One definition for every store's writer.
import type { EventDataRow, EventRow, SessionDataRow, SessionRow, WriteBatch } from '../types.js';

export type Kind = 'uuid' | 'text' | 'ts' | 'int' | 'num';
export type Column<T> = [name: string, kind: Kind, get: (row: T) => unknown];

/** 1 when a website_event row carries an ad click id, else 0. */
export const CLICK_ID_FLAG =
  '(CASE WHEN gclid IS NOT NULL OR msclkid IS NOT NULL OR fbclid IS NOT NULL OR ttclid IS NOT NULL OR li_fat_id IS NOT NULL OR twclid IS NOT NULL THEN 1 ELSE 0 END)';

// Column order must match the table definitions (checked at open).
const eventColumns: Column<EventRow>[] = [
  ['event_id', 'uuid', (r) => r.eventId],
  ['website_id', 'uuid', (r) => r.websiteId],
  ['session_id', 'uuid', (r) => r.sessionId],
  ['visit_id', 'uuid', (r) => r.visitId],
  ['created_at', 'ts', (r) => r.createdAt],
  ['event_type', 'int', (r) => r.eventType],
  ['event_name', 'text', (r) => r.eventName],
  ['event_category', 'text', (r) => r.eventCategory],
  ['url_path', 'text', (r) => r.urlPath],
  ['url_query', 'text', (r) => r.urlQuery],
  ['page_title', 'text', (r) => r.pageTitle],
  ['hostname', 'text', (r) => r.hostname],
  ['referrer_domain', 'text', (r) => r.referrerDomain],
  ['referrer_path', 'text', (r) => r.referrerPath],
  ['referrer_query', 'text', (r) => r.referrerQuery],
  ['utm_source', 'text', (r) => r.utmSource],
  ['utm_medium', 'text', (r) => r.utmMedium],
  ['utm_campaign', 'text', (r) => r.utmCampaign],
  ['utm_content', 'text', (r) => r.utmContent],
  ['utm_term', 'text', (r) => r.utmTerm],
  ['gclid', 'text', (r) => r.gclid],
  ['fbclid', 'text', (r) => r.fbclid],
  ['msclkid', 'text', (r) => r.msclkid],
  ['ttclid', 'text', (r) => r.ttclid],
  ['li_fat_id', 'text', (r) => r.liFatId],
  ['twclid', 'text', (r) => r.twclid],
  ['tag', 'text', (r) => r.tag],
  ['browser', 'text', (r) => r.browser],
  ['os', 'text', (r) => r.os],
  ['device', 'text', (r) => r.device],
  ['screen', 'text', (r) => r.screen],
  ['language', 'text', (r) => r.language],
  ['country', 'text', (r) => r.country],
  ['region', 'text', (r) => r.region],
  ['city', 'text', (r) => r.city],
  ['distinct_id', 'text', (r) => r.distinctId],
];

const eventDataColumns: Column<EventDataRow>[] = [
  ['website_id', 'uuid', (r) => r.websiteId],
  ['session_id', 'uuid', (r) => r.sessionId],
  ['event_id', 'uuid', (r) => r.eventId],
  ['event_name', 'text', (r) => r.eventName],
  ['url_path', 'text', (r) => r.urlPath],
  ['created_at', 'ts', (r) => r.createdAt],
  ['data_key', 'text', (r) => r.dataKey],
  ['string_value', 'text', (r) => r.stringValue],
  ['number_value', 'num', (r) => r.numberValue],
  ['date_value', 'ts', (r) => r.dateValue],
  ['data_type', 'int', (r) => r.dataType],
];

const sessionColumns: Column<SessionRow>[] = [
  ['session_id', 'uuid', (r) => r.sessionId],
  ['website_id', 'uuid', (r) => r.websiteId],
  ['created_at', 'ts', (r) => r.createdAt],
  ['browser', 'text', (r) => r.browser],
  ['os', 'text', (r) => r.os],
  ['device', 'text', (r) => r.device],
  ['screen', 'text', (r) => r.screen],
  ['language', 'text', (r) => r.language],
  ['country', 'text', (r) => r.country],
  ['region', 'text', (r) => r.region],
  ['city', 'text', (r) => r.city],
  ['distinct_id', 'text', (r) => r.distinctId],
];

const sessionDataColumns: Column<SessionDataRow>[] = [
  ['website_id', 'uuid', (r) => r.websiteId],
  ['session_id', 'uuid', (r) => r.sessionId],
  ['created_at', 'ts', (r) => r.createdAt],
  ['data_key', 'text', (r) => r.dataKey],
  ['string_value', 'text', (r) => r.stringValue],
  ['number_value', 'num', (r) => r.numberValue],
  ['date_value', 'ts', (r) => r.dateValue],
  ['data_type', 'int', (r) => r.dataType],
  ['distinct_id', 'text', (r) => r.distinctId],
];

/**
 * Each analytics table with its columns, the part of a WriteBatch it receives, and the columns
 * that tell one copied row from another (an import skips a row whose key is stored already).
 */
export const tables: { table: string; columns: Column<any>[]; rows: (b: WriteBatch) => unknown[]; key: readonly string[] }[] = [
  { table: 'website_event', columns: eventColumns, rows: (b) => b.events, key: ['event_id'] },
  { table: 'event_data', columns: eventDataColumns, rows: (b) => b.eventData, key: ['event_id', 'data_key'] },
  { table: 'session', columns: sessionColumns, rows: (b) => b.sessions, key: ['session_id'] },
  { table: 'session_data', columns: sessionDataColumns, rows: (b) => b.sessionData, key: ['session_id', 'data_key'] },
];

