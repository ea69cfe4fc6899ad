// Copy everything from one store to another (`dashi migrate-store`): metadata rows by primary key
// (rows already there are kept), then analytics by website-day. A day whose row counts already
// match is skipped and a partial one is deleted and copied again, so an interrupted run resumes
// where it stopped. Days are read in time slices of about CHUNK_ROWS rows and written in batches of
// about CHUNK_ROWS rows (several small days in one, a big day in several), so every write takes
// the target's bulk path and memory stays bounded. At the end every table's counts are compared.
import type { AnalyticsStore, Store } from './types.js';
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

const DAY = 86_400_000;
/** Rows per read and per write (the targets' bulk paths start well below this). */
const CHUNK_ROWS = 50_000;

export interface TransferProgress {
  (done: number, total: number, label: string): void;
}

export interface TransferReport {
  metadata: Record<string, number>;
  analytics: Record<string, { source: number; target: number }>;
  chunksCopied: number;
  chunksSkipped: number;
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

async function websiteDays(source: Store, websiteId: string): Promise<Date[]> {
  const p = placeholders(source.analytics);
  let min = Infinity;
  let max = -Infinity;
  for (const { table } of tables) {
    const [r] = await source.analytics.query(`SELECT min(created_at) AS lo, max(created_at) AS hi, count(*) AS n FROM ${table} WHERE website_id = ${p.uuid(1)}`, [websiteId]);
    if (!Number(r.n)) continue;
    min = Math.min(min, (r.lo as Date).getTime());
    max = Math.max(max, (r.hi as Date).getTime());
  }
  const days: Date[] = [];
  if (min === Infinity) return days;
  for (let t = Math.floor(min / DAY) * DAY; t <= max; t += DAY) days.push(new Date(t));
  return days;
}

export interface TransferOptions {
  /** Rows per read and per write; CHUNK_ROWS unless set. */
  chunkRows?: number;
}

export async function transferStore(source: Store, target: Store, progress: TransferProgress = () => undefined, options: TransferOptions = {}): Promise<TransferReport> {
  const chunkRows = options.chunkRows ?? CHUNK_ROWS;
  const metadata = await copyMetadata(source, target);
  const websites = (await source.metadataCopy.rows('websites')).map((r) => String(r.website_id));
  const plan: [string, Date][] = [];
  for (const w of websites) for (const day of await websiteDays(source, w)) plan.push([w, day]);

  let copied = 0;
  let skipped = 0;
  let batch = emptyBatch();
  const write = async () => {
    if (batchSize(batch) > 0) await target.analytics.write(batch);
    batch = emptyBatch();
  };
  for (const [i, [websiteId, from]] of plan.entries()) {
    const to = new Date(from.getTime() + DAY);
    progress(i, plan.length, `${websiteId.slice(0, 8)} ${from.toISOString().slice(0, 10)}`);
    const want = await Promise.all(tables.map(({ table }) => chunkCount(source, table, websiteId, from, to)));
    const have = await Promise.all(tables.map(({ table }) => chunkCount(target, table, websiteId, from, to)));
    if (want.every((n, k) => n === have[k])) {
      skipped++;
      continue;
    }
    if (have.some((n) => n > 0)) await target.analytics.deleteWebsiteData(websiteId, { from, to });
    for (const [t, { table, rows }] of tables.entries()) {
      // Equal slices of the day, about CHUNK_ROWS rows each if the day's rows are spread evenly.
      const slices = Math.max(1, Math.ceil(want[t] / chunkRows));
      for (let k = 0; k < slices && want[t] > 0; k++) {
        const lo = new Date(from.getTime() + Math.floor((k * DAY) / slices));
        const hi = new Date(from.getTime() + Math.floor(((k + 1) * DAY) / slices));
        const raw = await source.analytics.query(`SELECT * FROM ${table} WHERE ${rangeWhere(source)}`, [websiteId, isoParam(lo), isoParam(hi)]);
        const list = rows(batch) as Record<string, unknown>[];
        for (const r of raw) list.push(toWriterRow[t](r));
        if (batchSize(batch) >= chunkRows) await write();
      }
    }
    copied++;
  }
  await write();
  progress(plan.length, plan.length, 'done');

  const analytics: TransferReport['analytics'] = {};
  for (const { table } of tables) analytics[table] = { source: await totals(source, table), target: await totals(target, table) };
  return { metadata, analytics, chunksCopied: copied, chunksSkipped: skipped };
}
