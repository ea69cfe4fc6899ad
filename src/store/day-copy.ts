// Copying analytics rows between two databases by website-day (`dashi import umami`, `dashi
// migrate-store`). Each table's rows per day are counted on both sides: a day whose counts all
// match is skipped, any other is copied again, so an interrupted copy resumes and a second run
// adds nothing. Copied again means deleted on the target first (migrate-store: the target becomes
// a copy), or with `keepStored` (the import) copied without the rows whose key the target has
// already, so hits the target received itself stay, and days the source has no rows on are never
// touched. Consecutive days to copy go in one
// chunk of up to `chunkRows` rows (a single day is never split): one bulk load, staged while the
// chunk before it loads. A chunk the bulk load refuses is retried day by day, and a day it still
// refuses is written row by row through the target's write().
import type { AnalyticsStore, CsvRows, StagedRows, StoredRows } from './types.js';
import { firstLine } from './store-errors.js';

export const DAY = 86_400_000;
/** Rows (of all tables together) one bulk-loaded chunk holds at most: bounds the staged files and one load's transaction. */
export const BULK_CHUNK_ROWS = 250_000;

/** One website-day: rows per table on the source (`want`) and on the target (`have`), tables in the caller's order. */
export interface CopyDay {
  websiteId: string;
  /** Days since 1970-01-01 (UTC). */
  day: number;
  want: number[];
  have: number[];
}

export interface DayRange {
  from: Date;
  to: Date;
}

export interface DayCopyOptions {
  target: AnalyticsStore;
  /** Every website-day with rows on either side, grouped by website, days ascending. */
  plan: readonly CopyDay[];
  /** Rows before this instant are not copied (the first day's range starts here). */
  since: Date;
  chunkRows: number;
  /** A range's tables as CSV for the target's bulk load; null: every chunk takes the rows path. */
  csvParts: ((websiteId: string, range: DayRange) => CsvRows[]) | null;
  /** Add the source's rows to the target's rather than replace them (see the top of this file). */
  keepStored?: boolean;
  /** Copies the rows of these days (a chunk's, or one day's) through the target's write(); `keep`: without the rows the target has. */
  writeRows(websiteId: string, days: readonly DayRange[], keep: boolean): Promise<void>;
  /** Checked before each chunk. */
  signal?: AbortSignal;
  /** The error an aborted copy throws, told how many website-days of the plan came before it. */
  stopped(done: number, total: number): Error;
  /** Before each chunk (the caller reports the end, after whatever it does last). */
  progress(done: number, total: number, label: string): void;
}

export interface DayCopyReport {
  /** Website-days copied. */
  copied: number;
  /** Of those, the days the target's bulk load took. */
  bulkLoaded: number;
  /** Website-days whose counts already matched. */
  skipped: number;
  /** Days the bulk load refused, written row by row instead, with the first line of the error. */
  fallbacks: { websiteId: string; from: Date; to: Date; reason: string }[];
}

/** The lines both CLIs print of a copy's website-days (the import's report and migrate-store's carry the same fields). */
export function describeDays(r: { chunksCopied: number; chunksSkipped: number; chunksBulkLoaded: number; bulkFallbacks: DayCopyReport['fallbacks'] }): string[] {
  return [
    `Analytics website-days: ${r.chunksCopied} copied, ${r.chunksSkipped} already complete (${r.chunksBulkLoaded} of them as CSV)`,
    ...r.bulkFallbacks.map((f) => `  ${f.websiteId} ${f.from.toISOString().slice(0, 10)}: copied row by row, the bulk load refused it (${f.reason})`),
  ];
}

interface Chunk {
  websiteId: string;
  days: CopyDay[];
  /** The chunk's first day's index in the plan. */
  first: number;
}

const complete = (d: CopyDay) => d.want.every((n, k) => n === d.have[k]);
const rowsOf = (d: CopyDay) => d.want.reduce((a, b) => a + b, 0);
const stored = (d: CopyDay) => d.have.some((n) => n > 0);

/** Runs of consecutive days to copy, up to `chunkRows` rows each; a complete day ends a run, so a chunk's delete never touches one. */
function chunksOf(plan: readonly CopyDay[], chunkRows: number): Chunk[] {
  const chunks: Chunk[] = [];
  let open: (Chunk & { rows: number }) | null = null;
  for (const [i, d] of plan.entries()) {
    if (complete(d)) {
      open = null;
    } else if (open && open.websiteId === d.websiteId && open.rows + rowsOf(d) <= chunkRows) {
      open.days.push(d);
      open.rows += rowsOf(d);
    } else {
      open = { websiteId: d.websiteId, days: [d], first: i, rows: rowsOf(d) };
      chunks.push(open);
    }
  }
  return chunks;
}

const reason = (err: unknown) => firstLine(err) || 'refused';

type Staged = { staged: StagedRows } | { failed: string };

export async function copyByDays(o: DayCopyOptions): Promise<DayCopyReport> {
  const { target } = o;
  // Adding rows, a day the source has none on is the target's own: not part of the copy.
  const plan = o.keepStored ? o.plan.filter((d) => rowsOf(d) > 0) : o.plan;
  const dayRange = (d: CopyDay): DayRange => ({ from: new Date(Math.max(d.day * DAY, o.since.getTime())), to: new Date((d.day + 1) * DAY) });
  const range = (c: Chunk): DayRange => ({ from: dayRange(c.days[0]).from, to: dayRange(c.days.at(-1)!).to });
  const { csvParts } = o;
  const bulk = csvParts ? target.bulk : undefined;
  const keep = (c: Chunk) => o.keepStored === true && c.days.some(stored);
  const stage = (c: Chunk): Promise<Staged> | null => {
    if (!bulk || !csvParts) return null;
    const kept: StoredRows | undefined = keep(c) ? { websiteId: c.websiteId, ...range(c) } : undefined;
    const next: Promise<Staged> = bulk.stage(csvParts(c.websiteId, range(c)), kept).then(
      (staged) => ({ staged }),
      (err: unknown) => ({ failed: reason(err) }),
    );
    next.catch(() => undefined); // awaited in its turn; if the copy stops first, it is dropped
    return next;
  };
  const drop = async (ahead: Promise<Staged> | null) => {
    const a = await ahead?.catch(() => null);
    if (a && 'staged' in a) await a.staged.discard();
  };
  const report: DayCopyReport = { copied: 0, bulkLoaded: 0, skipped: 0, fallbacks: [] };
  /** Loads what was staged: null once stored, else why not (one transaction that stored nothing). */
  const load = async (s: Staged, days: number): Promise<string | null> => {
    if ('failed' in s) return s.failed;
    try {
      await s.staged.load();
      report.bulkLoaded += days;
      return null;
    } catch (err) {
      return reason(err);
    }
  };

  const chunks = chunksOf(plan, o.chunkRows);
  let ahead = chunks.length ? stage(chunks[0]) : null;
  for (const [k, c] of chunks.entries()) {
    if (o.signal?.aborted) {
      await drop(ahead); // let the read finish before the caller closes the source
      throw o.stopped(c.first, plan.length);
    }
    const { from, to } = range(c);
    o.progress(c.first, plan.length, `${c.websiteId.slice(0, 8)} ${from.toISOString().slice(0, 10)}`);
    const got = await ahead;
    ahead = k + 1 < chunks.length ? stage(chunks[k + 1]) : null;
    try {
      if (!o.keepStored && c.days.some(stored)) await target.deleteWebsiteData(c.websiteId, { from, to });
      const failed = got ? await load(got, c.days.length) : null;
      if (!got) {
        await o.writeRows(c.websiteId, c.days.map(dayRange), keep(c));
      } else if (failed !== null) {
        for (const d of c.days) {
          const one: Chunk = { websiteId: c.websiteId, days: [d], first: 0 };
          const why = c.days.length === 1 ? failed : await load((await stage(one))!, 1);
          if (why === null) continue;
          report.fallbacks.push({ websiteId: c.websiteId, ...dayRange(d), reason: why });
          await o.writeRows(c.websiteId, [dayRange(d)], keep(one));
        }
      }
    } catch (err) {
      await drop(ahead);
      throw err;
    }
    report.copied += c.days.length;
  }
  report.skipped = plan.length - report.copied;
  return report;
}

/** The plan of one website: every day with rows on either side, from each table's counts per day on both sides. */
export function websitePlan(websiteId: string, want: readonly Map<number, number>[], have: readonly Map<number, number>[]): CopyDay[] {
  const days = new Set([...want, ...have].flatMap((m) => [...m.keys()]));
  return [...days].sort((a, b) => a - b).map((day) => ({ websiteId, day, want: want.map((m) => m.get(day) ?? 0), have: have.map((m) => m.get(day) ?? 0) }));
}
