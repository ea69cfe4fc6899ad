// GET /api/websites/:websiteId/export/events?startAt&endAt&format=ndjson|csv|parquet: the
// website's raw rows, streamed as they are read (src/store/event-export.ts pages the store).
// NDJSON is Dashi's exchange format (src/store/event-lines.ts): sessions that started in the
// range with their session data, then every event of the range with its event data (and the
// earlier sessions those events belong to), which
// `POST /api/admin/import` and `dashi import dashi FILE` load back. CSV and Parquet hold one
// row per event (session attributes are on it) with its data as a JSON text column.
// A signed-in user (or API key) who may see the website; not share links: raw rows are more
// than a shared dashboard shows.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { websiteChunks, type ExportRange } from '../store/event-export.js';
import { eventLineOf, FLAT_EVENT_COLUMNS, flatEventRow, sessionLineOf } from '../store/event-lines.js';
import { writeParquet } from '../store/event-parquet.js';
import type { AnalyticsStore, EventDataRow, SessionDataRow, WriteBatch } from '../store/types.js';
import { requireUser, requireWebsiteView } from '../server/permissions.js';
import { parse, uuid } from '../server/validate.js';
import { csvCell } from './analytics/export.js';
import type { Analytics } from './analytics/params.js';
import { scopeFor } from './scope.js';

export const EXPORT_FORMATS = ['ndjson', 'csv', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

function groupBy<T extends { [k in K]: string }, K extends string>(rows: readonly T[], key: K): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const list = out.get(row[key]);
    if (list) list.push(row);
    else out.set(row[key], [row]);
  }
  return out;
}

/** One chunk as exchange-format lines. A session stored twice carries its data on its first line only. */
function chunkLines(chunk: WriteBatch): string {
  const sessionData = groupBy<SessionDataRow, 'sessionId'>(chunk.sessionData, 'sessionId');
  const eventData = groupBy<EventDataRow, 'eventId'>(chunk.eventData, 'eventId');
  let text = '';
  for (const s of chunk.sessions) {
    text += `${sessionLineOf(s, sessionData.get(s.sessionId))}\n`;
    sessionData.delete(s.sessionId);
  }
  for (const e of chunk.events) text += `${eventLineOf(e, eventData.get(e.eventId))}\n`;
  return text;
}

async function* flatRows(a: AnalyticsStore, websiteId: string, range: ExportRange): AsyncGenerator<Record<string, string | number | null>> {
  for await (const chunk of websiteChunks(a, websiteId, range, 'events')) {
    const data = groupBy<EventDataRow, 'eventId'>(chunk.eventData, 'eventId');
    for (const e of chunk.events) yield flatEventRow(e, data.get(e.eventId) ?? []);
  }
}

/** The export as text, chunk by chunk (NDJSON or CSV with a header row and CRLF line ends). */
export async function* exportText(a: AnalyticsStore, websiteId: string, range: ExportRange, format: 'ndjson' | 'csv'): AsyncGenerator<string> {
  if (format === 'ndjson') {
    for await (const chunk of websiteChunks(a, websiteId, range)) yield chunkLines(chunk);
    return;
  }
  yield `${FLAT_EVENT_COLUMNS.join(',')}\r\n`;
  let text = '';
  for await (const row of flatRows(a, websiteId, range)) {
    text += `${FLAT_EVENT_COLUMNS.map((c) => csvCell(row[c])).join(',')}\r\n`;
    if (text.length > 65_536) {
      yield text;
      text = '';
    }
  }
  if (text) yield text;
}

/** The export as a stream of bytes (Parquet: a temporary file, removed once the stream closes). */
export async function exportStream(a: AnalyticsStore, websiteId: string, range: ExportRange, format: ExportFormat): Promise<Readable> {
  if (format !== 'parquet') return Readable.from(exportText(a, websiteId, range, format));
  const { file, dir } = await writeParquet(flatRows(a, websiteId, range));
  const stream = fs.createReadStream(file);
  stream.once('close', () => fs.rmSync(dir, { recursive: true, force: true }));
  return stream;
}

const exportQuery = z.object({ format: z.enum(EXPORT_FORMATS, `must be one of ${EXPORT_FORMATS.join(', ')}`).default('ndjson') });
const websiteParams = z.object({ websiteId: uuid });

export function registerExportEvents(app: FastifyInstance, a: Analytics): void {
  app.get('/api/websites/:websiteId/export/events', async (req, reply) => {
    const { websiteId } = parse(websiteParams, req.params, 'path');
    await requireUser(req, a.ctx);
    const website = await requireWebsiteView(req, a.ctx, websiteId);
    const raw = (req.query ?? {}) as Record<string, unknown>;
    const { format } = parse(exportQuery, { format: Array.isArray(raw.format) ? raw.format.at(-1) : raw.format }, 'query');
    const range = (await scopeFor(req, a, website)).range();
    const stream = await exportStream(a.ctx.store.analytics, website.id, range, format);
    return reply
      .type(CONTENT_TYPES[format])
      .header('content-disposition', `attachment; filename="events-${website.id}.${format}"`)
      .send(stream);
  });
}
