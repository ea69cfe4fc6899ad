// Copy everything from one store to another (`dashi migrate-store`): metadata rows by primary key
// (rows already there are kept), then analytics by website-day (day-copy.ts: complete days are
// skipped, partial ones copied again, so an interrupted run resumes where it stopped). Between
// the embedded store and PostgreSQL the rows go as CSV (the source's csvOut into the target's
// bulk load); otherwise days are read in time slices of about CHUNK_ROWS rows and written in
// batches of about CHUNK_ROWS rows, so memory stays bounded. At the end every table's counts are
// compared.
import type { AnalyticsStore, CsvRows, Store } from './types.js';
import { BULK_CHUNK_ROWS, copyByDays, DAY, websitePlan, type CopyDay, type DayCopyReport, type DayRange } from './day-copy.js';
import { batchSize, emptyBatch } from './event-lines.js';
import { tables } from './sql/columns.js';
import { sqlTimestamp } from '../lib/timestamp.js';

const METADATA_TABLES: [table: string, key: string][] = [
  ['users', 'user_id'],
  ['teams', 'team_id'],
  ['team_users', 'team_user_id'],
  ['websites', 'website_id'],
  // Tombstones too, so a deleted website's id stays unusable in the new store.
  ['website_ids', 'website_id'],
  ['website_hostnames', 'website_id'],
  ['shares', 'share_id'],
  ['reports', 'report_id'],
  ['segments', 'segment_id'],
  ['revoked_tokens', 'token_id'],
  ['session_epochs', 'user_id'],
  ['api_keys', 'api_key_id'],
  ['website_settings', 'website_id'],
  ['purge_log', 'purge_id'],
];

/** Rows per read and per write on the rows path (the targets' bulk paths start well below this). */
const CHUNK_ROWS = 50_000;

export interface TransferProgress {
  (done: number, total: number, label: string): void;
}

export interface TransferReport {
  metadata: Record<string, number>;
  analytics: Record<string, { source: number; target: number }>;
  /** Website-days copied, and already complete. */
  chunksCopied: number;
  chunksSkipped: number;
  /** Of the days copied, those the target's bulk load took from the source's CSV. */
  chunksBulkLoaded: number;
  bulkFallbacks: DayCopyReport['fallbacks'];
}

export const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Each table's rows as read (snake_case columns) to the writer's rows (camelCase fields). */
const toWriterRow = tables.map(({ columns }) => {
  const names = columns.map(([name]) => [name, camel(name)]);
  return (r: Record<string, unknown>) => {
    const o: Record<string, unknown> = {};
    for (const [name, field] of names) o[field] = r[name];
    return o;
  };
});


/** `$1` for the SQL stores, `{p1:Type}` for ClickHouse. */
export function placeholders(a: Pick<AnalyticsStore, 'dialect'>) {
  const ch = a.dialect === 'clickhouse';
  return {
    uuid: (n: number) => (ch ? `toUUID({p${n}:String})` : `CAST($${n} AS UUID)`),
    ts: (n: number) => (ch ? `toDateTime64({p${n}:String}, 3, 'UTC')` : `CAST($${n} AS TIMESTAMP)`),
  };
}

function rangeWhere(store: Store): string {
  const p = placeholders(store.analytics);
  return `website_id = ${p.uuid(1)} AND created_at >= ${p.ts(2)} AND created_at < ${p.ts(3)}`;
}

const isoParam = sqlTimestamp;

/** Rows of one analytics table of a website created in [from, to). */
export async function chunkCount(store: Store, table: string, websiteId: string, from: Date, to: Date): Promise<number> {
  const rows = await store.analytics.query(`SELECT count(*) AS n FROM ${table} WHERE ${rangeWhere(store)}`, [websiteId, isoParam(from), isoParam(to)]);
  return Number(rows[0].n);
}

/** A website's rows per UTC day (days since 1970) created at or after `since`, in one analytics table. */
export async function storeDays(store: AnalyticsStore, table: string, websiteId: string, since: Date): Promise<Map<number, number>> {
  const p = placeholders(store);
  const day = store.dialect === 'clickhouse' ? 'intDiv(toUnixTimestamp(created_at), 86400)' : 'floor(extract(epoch FROM created_at) / 86400)';
  const rows = await store.query(`SELECT ${day} AS day, count(*) AS n FROM ${table} WHERE website_id = ${p.uuid(1)} AND created_at >= ${p.ts(2)} GROUP BY day`, [websiteId, isoParam(since)]);
  return new Map(rows.map((r) => [Number(r.day), Number(r.n)]));
}

/** The key (tables[t].key, as keyText writes it) of every row of tables[t] a website has created in [from, to). */
export async function storedKeys(store: AnalyticsStore, t: number, websiteId: string, { from, to }: DayRange): Promise<Set<string>> {
  const p = placeholders(store);
  const { table, key } = tables[t];
  const rows = await store.query(`SELECT ${key.join(', ')} FROM ${table} WHERE website_id = ${p.uuid(1)} AND created_at >= ${p.ts(2)} AND created_at < ${p.ts(3)}`, [websiteId, isoParam(from), isoParam(to)]);
  const text = keyText(t);
  return new Set(rows.map((r) => text((k) => r[k])));
}

/** A row's key of tables[t] as one string, its values read by `value(column)` (uuids in lower case, as every store returns them). */
export function keyText(t: number): (value: (column: string) => unknown) => string {
  const { key, columns } = tables[t];
  const uuid = key.map((k) => columns.find(([name]) => name === k)?.[1] === 'uuid');
  return (value) => JSON.stringify(key.map((k, i) => (uuid[i] ? String(value(k)).toLowerCase() : value(k))));
}

async function totals(store: Store, table: string): Promise<number> {
  return Number((await store.analytics.query(`SELECT count(*) AS n FROM ${table}`))[0].n);
}

export async function copyMetadata(source: Store, target: Store): Promise<Record<string, number>> {
  const copied: Record<string, number> = {};
  for (const [table, key] of METADATA_TABLES) {
    copied[table] = await target.metadataCopy.insertMissing(table, key, await source.metadataCopy.rows(table));
  }
  // Keep v1's integer ids growing past the copied ones.
  await target.metadataCopy.syncSequences();
  return copied;
}

/** The start of the UTC day of a website's first row in the store, or null if it has none. */
async function firstDay(store: Store, websiteId: string): Promise<Date | null> {
  const p = placeholders(store.analytics);
  let min = Infinity;
  for (const { table } of tables) {
    const [r] = await store.analytics.query(`SELECT min(created_at) AS lo, count(*) AS n FROM ${table} WHERE website_id = ${p.uuid(1)}`, [websiteId]);
    if (Number(r.n)) min = Math.min(min, (r.lo as Date).getTime());
  }
  return min === Infinity ? null : new Date(Math.floor(min / DAY) * DAY);
}

export interface TransferOptions {
  /** Rows per read and per write on the rows path, and at most per bulk-loaded chunk; CHUNK_ROWS and BULK_CHUNK_ROWS unless set. */
  chunkRows?: number;
  /** false: every day through the target's write() even where both stores have a CSV path (tests compare the two). */
  bulk?: boolean;
}

export async function transferStore(source: Store, target: Store, progress: TransferProgress = () => undefined, options: TransferOptions = {}): Promise<TransferReport> {
  const chunkRows = options.chunkRows ?? CHUNK_ROWS;
  const metadata = await copyMetadata(source, target);
  const websites = (await source.metadataCopy.rows('websites')).map((r) => String(r.website_id));
  const plan: CopyDay[] = [];
  let since = Infinity;
  for (const w of websites) {
    const first = [await firstDay(source, w), await firstDay(target, w)].filter((d): d is Date => d !== null);
    if (!first.length) continue;
    const from = new Date(Math.min(...first.map((d) => d.getTime())));
    since = Math.min(since, from.getTime());
    const want = await Promise.all(tables.map(({ table }) => storeDays(source.analytics, table, w, from)));
    const have = await Promise.all(tables.map(({ table }) => storeDays(target.analytics, table, w, from)));
    plan.push(...websitePlan(w, want, have));
  }
  const wanted = new Map(plan.map((d) => [`${d.websiteId} ${d.day}`, d.want]));

  // Both stores' CSV paths where they have them: no value passes through JavaScript.
  const csvOut = source.analytics.csvOut?.bind(source.analytics);
  const csvParts = (websiteId: string, range: DayRange): CsvRows[] => tables.map(({ table }) => ({ table, csv: () => csvOut!(table, websiteId, range) }));

  let batch = emptyBatch();
  const write = async () => {
    if (batchSize(batch) > 0) await target.analytics.write(batch);
    batch = emptyBatch();
  };
  // The rows path: each day read in time slices of about chunkRows rows, written in batches of
  // about chunkRows rows (several small days in one, a big day in several).
  const writeRows = async (websiteId: string, days: readonly DayRange[]) => {
    for (const { from, to } of days) {
      const want = wanted.get(`${websiteId} ${Math.floor(from.getTime() / DAY)}`) ?? tables.map(() => 0);
      for (const [t, { table, rows }] of tables.entries()) {
        // Equal slices of the day, about chunkRows rows each if the day's rows are spread evenly.
        const slices = Math.max(1, Math.ceil(want[t] / chunkRows));
        const span = to.getTime() - from.getTime();
        for (let k = 0; k < slices && want[t] > 0; k++) {
          const lo = new Date(from.getTime() + Math.floor((k * span) / slices));
          const hi = new Date(from.getTime() + Math.floor(((k + 1) * span) / slices));
          const raw = await source.analytics.query(`SELECT * FROM ${table} WHERE ${rangeWhere(source)}`, [websiteId, isoParam(lo), isoParam(hi)]);
          const list = rows(batch) as Record<string, unknown>[];
          for (const r of raw) list.push(toWriterRow[t](r));
          if (batchSize(batch) >= chunkRows) await write();
        }
      }
    }
    await write();
  };
  const copy = await copyByDays({
    target: target.analytics,
    plan,
    since: new Date(Number.isFinite(since) ? since : 0),
    chunkRows: options.chunkRows ?? BULK_CHUNK_ROWS,
    csvParts: csvOut && options.bulk !== false ? csvParts : null,
    writeRows,
    stopped: (done, total) => new Error(`stopped after ${done} of ${total} website-days`),
    progress,
  });
  await target.analytics.rollups?.refresh();
  progress(plan.length, plan.length, 'done');

  const analytics: TransferReport['analytics'] = {};
  for (const { table } of tables) analytics[table] = { source: await totals(source, table), target: await totals(target, table) };
  return { metadata, analytics, chunksCopied: copy.copied, chunksSkipped: copy.skipped, chunksBulkLoaded: copy.bulkLoaded, bulkFallbacks: copy.fallbacks };
}
