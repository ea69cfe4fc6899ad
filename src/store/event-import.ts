// Loads lines of Dashi's exchange format into a store (`POST /api/admin/import`, `dashi import
// dashi FILE`). All or nothing for bad input: every line is validated first, while it is copied
// to a temporary file, so a bad line (or a website that does not exist) stores nothing. Only
// then are the lines read back and written in large batches through the store's writer. Re-running
// an import does not duplicate anything: an event whose id is already stored is skipped, and so
// is a session line whose session is already stored (with their data). That also makes an import
// cut off midway (a crash, a dropped connection) safe to run again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { addLine, batchSize, emptyBatch, readLines } from './event-lines.js';
import { placeholders } from './transfer.js';
import type { AnalyticsStore, Store, WriteBatch } from './types.js';
import { sqlTimestamp } from '../lib/timestamp.js';

/** Rows per write (h6's bulk path makes large batches cheap). */
const WRITE_ROWS = 50_000;
/** Distinct websites one import may name. */
const MAX_WEBSITES = 10_000;

export interface ImportCounts {
  lines: number;
  /** Rows written per table. */
  written: { website_event: number; event_data: number; session: number; session_data: number };
  /** Lines skipped because their event or session was already stored. */
  skipped: { events: number; sessions: number };
}

/** The import names websites the store does not have (or had, and deleted). */
export class MissingWebsitesError extends Error {
  constructor(readonly websiteIds: string[]) {
    super(`no such website: ${websiteIds.slice(0, 20).join(', ')}${websiteIds.length > 20 ? ` (and ${websiteIds.length - 20} more)` : ''}; create them first`);
    this.name = 'MissingWebsitesError';
  }
}

export class TooManyWebsitesError extends Error {
  constructor() {
    super(`an import may name at most ${MAX_WEBSITES} websites`);
  }
}

/** One parsed line: its rows, and what identifies it for skipping. */
interface Parsed {
  kind: 'event' | 'session';
  id: string;
  websiteId: string;
  createdAt: Date;
  rows: WriteBatch;
}

function parsedLine(raw: string, lineNumber: number): Parsed | null {
  const rows = emptyBatch();
  addLine(rows, raw, lineNumber);
  const event = rows.events[0];
  if (event) return { kind: 'event', id: event.eventId, websiteId: event.websiteId, createdAt: event.createdAt, rows };
  const session = rows.sessions[0];
  if (session) return { kind: 'session', id: session.sessionId, websiteId: session.websiteId, createdAt: session.createdAt, rows };
  return null;
}

/** Ids of `table` stored for the website between the instants (inclusive). */
async function storedIds(a: AnalyticsStore, table: string, idColumn: string, websiteId: string, from: Date, to: Date): Promise<Set<string>> {
  const p = placeholders(a);
  const rows = await a.query(
    `SELECT DISTINCT ${idColumn} AS id FROM ${table} WHERE website_id = ${p.uuid(1)} AND created_at >= ${p.ts(2)} AND created_at <= ${p.ts(3)}`,
    [websiteId, sqlTimestamp(from), sqlTimestamp(to)],
  );
  return new Set(rows.map((r) => String(r.id)));
}

/** Writes the lines not stored yet; answers what it wrote and skipped. */
async function writeNew(a: AnalyticsStore, lines: Parsed[], counts: ImportCounts): Promise<void> {
  // Lines are read in file order, which an export keeps in time order: each chunk's ids are
  // looked up in the few time windows it spans, never across a whole table.
  const known = new Map<string, Set<string>>();
  const groups = new Map<string, Parsed[]>();
  for (const l of lines) {
    const key = `${l.kind}:${l.websiteId}`;
    const g = groups.get(key);
    if (g) g.push(l);
    else groups.set(key, [l]);
  }
  for (const [key, group] of groups) {
    let from = Infinity;
    let to = -Infinity;
    for (const l of group) {
      from = Math.min(from, l.createdAt.getTime());
      to = Math.max(to, l.createdAt.getTime());
    }
    const [table, idColumn] = group[0].kind === 'event' ? ['website_event', 'event_id'] : ['session', 'session_id'];
    known.set(key, await storedIds(a, table, idColumn, group[0].websiteId, new Date(from), new Date(to)));
  }
  const batch = emptyBatch();
  for (const l of lines) {
    const seen = known.get(`${l.kind}:${l.websiteId}`)!;
    if (seen.has(l.id)) {
      counts.skipped[l.kind === 'event' ? 'events' : 'sessions']++;
      continue;
    }
    seen.add(l.id);
    batch.events.push(...l.rows.events);
    batch.eventData.push(...l.rows.eventData);
    batch.sessions.push(...l.rows.sessions);
    batch.sessionData.push(...l.rows.sessionData);
  }
  if (batchSize(batch) === 0) return;
  await a.write(batch);
  counts.written.website_event += batch.events.length;
  counts.written.event_data += batch.eventData.length;
  counts.written.session += batch.sessions.length;
  counts.written.session_data += batch.sessionData.length;
}

/**
 * Validates every line of `source` (throws EventLineError naming the first bad line, or
 * MissingWebsitesError), then writes them to the store. Nothing is written unless all are valid.
 */
export async function importEventLines(store: Store, source: AsyncIterable<Buffer | string>, tmpDir = os.tmpdir()): Promise<ImportCounts> {
  const file = path.join(tmpDir, `dashi-import-${randomUUID()}.ndjson`);
  const out = fs.createWriteStream(file, { mode: 0o600 });
  // Kept, not thrown from an event: the stream is destroyed mid-write when a line is refused.
  let writeError: Error | null = null;
  out.on('error', (err) => (writeError ??= err));
  const counts: ImportCounts = { lines: 0, written: { website_event: 0, event_data: 0, session: 0, session_data: 0 }, skipped: { events: 0, sessions: 0 } };
  try {
    const websites = new Set<string>();
    for await (const [raw, n] of readLines(source)) {
      const l = parsedLine(raw, n);
      if (!l) continue;
      counts.lines++;
      if (!websites.has(l.websiteId)) {
        if (websites.size >= MAX_WEBSITES) throw new TooManyWebsitesError();
        websites.add(l.websiteId);
      }
      if (!out.write(`${raw}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'close');
    if (writeError) throw writeError;
    const missing: string[] = [];
    for (const id of websites) if (!(await store.websites.get(id))) missing.push(id);
    if (missing.length) throw new MissingWebsitesError(missing);

    let chunk: Parsed[] = [];
    let rows = 0;
    for await (const [raw, n] of readLines(fs.createReadStream(file))) {
      const l = parsedLine(raw, n);
      if (!l) continue;
      chunk.push(l);
      rows += batchSize(l.rows);
      if (rows >= WRITE_ROWS) {
        await writeNew(store.analytics, chunk, counts);
        chunk = [];
        rows = 0;
      }
    }
    if (chunk.length) await writeNew(store.analytics, chunk, counts);
    return counts;
  } finally {
    out.destroy();
    fs.rmSync(file, { force: true });
  }
}
