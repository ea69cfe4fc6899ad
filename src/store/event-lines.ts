// Dashi's raw exchange format: NDJSON, one session or one event per line, each with its data
// items. `GET /api/websites/:id/export/events`, `dashi export` and `dashi import` (a Dashi export,
// or rows read from Umami and sent to a running server) all speak it. Sessions come before their
// events in an export, but a reader accepts any order: a line is self-contained.
import { z } from 'zod';
import { storableText } from '../lib/storable-text.js';
import type { EventDataRow, EventRow, SessionDataRow, SessionRow, WriteBatch } from './types.js';
import { tables } from './sql/columns.js';

/** Bumped when a line's meaning changes; readers refuse versions they do not know. */
export const EVENT_LINES_VERSION = 1;

const MAX_TEXT = 65_535;
const text = z.string().max(MAX_TEXT).transform(storableText);
const optText = text.nullable().default(null);
const uuid = z.uuid({ version: undefined });
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const optInstant = instant.nullable().default(null);

/** The session attributes on both session and event lines. */
const sessionAttributes = {
  browser: optText,
  os: optText,
  device: optText,
  screen: optText,
  language: optText,
  country: optText,
  region: optText,
  city: optText,
  distinctId: optText,
};

const dataItem = z.strictObject({
  key: text.pipe(z.string().min(1)),
  dataType: z.number().int().min(1).max(5),
  string: optText,
  number: z.number().finite().nullable().default(null),
  date: optInstant,
  createdAt: instant,
});

const sessionLine = z.strictObject({
  type: z.literal('session'),
  v: z.literal(EVENT_LINES_VERSION).optional(),
  sessionId: uuid,
  websiteId: uuid,
  createdAt: instant,
  ...sessionAttributes,
  data: z.array(dataItem.extend({ distinctId: optText })).max(1000).default([]),
});

const eventLine = z.strictObject({
  type: z.literal('event'),
  v: z.literal(EVENT_LINES_VERSION).optional(),
  eventId: uuid,
  websiteId: uuid,
  sessionId: uuid,
  visitId: uuid,
  createdAt: instant,
  eventType: z.number().int().min(1).max(5),
  eventName: optText,
  eventCategory: optText,
  urlPath: text,
  urlQuery: optText,
  pageTitle: optText,
  hostname: optText,
  referrerDomain: optText,
  referrerPath: optText,
  referrerQuery: optText,
  utmSource: optText,
  utmMedium: optText,
  utmCampaign: optText,
  utmContent: optText,
  utmTerm: optText,
  gclid: optText,
  fbclid: optText,
  msclkid: optText,
  ttclid: optText,
  liFatId: optText,
  twclid: optText,
  tag: optText,
  ...sessionAttributes,
  data: z.array(dataItem).max(1000).default([]),
});

const line = z.discriminatedUnion('type', [sessionLine, eventLine]);

/** A line that is not a valid session or event, with its 1-based number. */
export class EventLineError extends Error {
  constructor(
    readonly lineNumber: number,
    reason: string,
  ) {
    super(`line ${lineNumber}: ${reason}`);
    this.name = 'EventLineError';
  }
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** One data row as a line's data item. */
export function dataItemOf(r: EventDataRow | SessionDataRow) {
  return { key: r.dataKey, dataType: r.dataType, string: r.stringValue, number: r.numberValue, date: iso(r.dateValue), createdAt: r.createdAt.toISOString() };
}

/** The session's line, with its session data rows. */
export function sessionLineOf(s: SessionRow, data: readonly SessionDataRow[] = []): string {
  return JSON.stringify({
    type: 'session',
    v: EVENT_LINES_VERSION,
    ...s,
    createdAt: s.createdAt.toISOString(),
    data: data.map((d) => ({ ...dataItemOf(d), distinctId: d.distinctId })),
  });
}

/** The event's line, with its event data rows. */
export function eventLineOf(e: EventRow, data: readonly EventDataRow[] = []): string {
  return JSON.stringify({ type: 'event', v: EVENT_LINES_VERSION, ...e, createdAt: e.createdAt.toISOString(), data: data.map(dataItemOf) });
}

/** A whole batch as lines: sessions first, then events, each with its data. */
export function batchLines(batch: WriteBatch): string[] {
  const sessionData = groupBy(batch.sessionData, (d) => d.sessionId);
  const eventData = groupBy(batch.eventData, (d) => d.eventId);
  return [
    ...batch.sessions.map((s) => sessionLineOf(s, sessionData.get(s.sessionId))),
    ...batch.events.map((e) => eventLineOf(e, eventData.get(e.eventId))),
  ];
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

export const emptyBatch = (): WriteBatch => ({ events: [], eventData: [], sessions: [], sessionData: [] });

/** Rows in a batch (events, data items and sessions), to size chunks by. */
export const batchSize = (b: WriteBatch) => b.events.length + b.eventData.length + b.sessions.length + b.sessionData.length;

/**
 * Adds one line's rows to `batch`; throws EventLineError for anything but a valid line. Blank
 * lines are skipped. Text is made storable (lone surrogates and NUL become U+FFFD), as ingestion does.
 */
export function addLine(batch: WriteBatch, raw: string, lineNumber: number): void {
  if (raw.trim() === '') return;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new EventLineError(lineNumber, 'not JSON');
  }
  const parsed = line.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EventLineError(lineNumber, `${issue.path.join('.') || 'line'}: ${issue.message}`);
  }
  const l = parsed.data;
  if (l.type === 'session') {
    const { type: _t, v: _v, data, ...session } = l;
    batch.sessions.push(session);
    for (const d of data) {
      batch.sessionData.push({
        websiteId: l.websiteId, sessionId: l.sessionId, createdAt: d.createdAt, dataKey: d.key,
        stringValue: d.string, numberValue: d.number, dateValue: d.date, dataType: d.dataType, distinctId: d.distinctId,
      });
    }
    return;
  }
  const { type: _t, v: _v, data, ...event } = l;
  batch.events.push(event);
  for (const d of data) {
    batch.eventData.push({
      websiteId: l.websiteId, sessionId: l.sessionId, eventId: l.eventId, eventName: l.eventName, urlPath: l.urlPath, createdAt: d.createdAt,
      dataKey: d.key, stringValue: d.string, numberValue: d.number, dateValue: d.date, dataType: d.dataType,
    });
  }
}

/** Longest line a reader accepts (a full event with 1000 data items fits easily). */
export const MAX_LINE_CHARS = 4 * 1024 * 1024;

/**
 * The lines of a UTF-8 stream with their 1-based numbers, without holding more than one line:
 * a line longer than MAX_LINE_CHARS is an EventLineError, not a buffer that grows without end.
 * Ill-formed UTF-8 decodes to U+FFFD (and then fails or passes validation like any text).
 */
export async function* readLines(source: AsyncIterable<Buffer | string>, maxChars = MAX_LINE_CHARS): AsyncGenerator<[line: string, lineNumber: number]> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let n = 0;
  for await (const chunk of source) {
    // `pending` holds no line end yet: search only what arrived.
    let nl = pending.length;
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let from = 0;
    while ((nl = pending.indexOf('\n', nl)) !== -1) {
      n++;
      if (nl - from > maxChars) throw new EventLineError(n, `longer than ${maxChars} characters`);
      yield [pending.slice(from, nl).replace(/\r$/, ''), n];
      from = nl + 1;
      nl = from;
    }
    pending = pending.slice(from);
    if (pending.length > maxChars) throw new EventLineError(n + 1, `longer than ${maxChars} characters`);
  }
  pending += decoder.decode();
  if (pending !== '') yield [pending.replace(/\r$/, ''), n + 1];
}

const eventColumns = () => tables.find((t) => t.table === 'website_event')!.columns;

/** Columns of the flat (CSV, Parquet) export: website_event's, then the event's data as JSON text. */
export const FLAT_EVENT_COLUMNS: readonly string[] = [...eventColumns().map(([name]) => name), 'event_data'];

/** One event as a flat row: website_event's columns (times as ISO 8601), `event_data` a JSON array of its data items. */
export function flatEventRow(e: EventRow, data: readonly EventDataRow[]): Record<string, string | number | null> {
  const row: Record<string, string | number | null> = {};
  for (const [name, , get] of eventColumns()) {
    const v = get(e);
    row[name] = v instanceof Date ? v.toISOString() : (v as string | number | null);
  }
  row.event_data = JSON.stringify(data.map(dataItemOf));
  return row;
}
