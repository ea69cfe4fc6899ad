// Analytics tables on DuckDB. A written batch is acknowledged once it is in the journal (see
// journal.ts); journal segments are loaded into DuckDB in large transactions every few hundred
// milliseconds, and before any read or delete, so every query sees every acknowledged hit.
// DuckDB reads a segment file itself (read_csv of its lines, from_json of each line, on its own
// threads): the event loop neither keeps the rows nor hands them over again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AnalyticsStore, BulkLoad, CsvRows, RollupMaintenance, RollupRead, Row, StagedRows, Statement, StoredRows, TrafficRollups, WriteBatch } from '../types.js';
import { orphanSessions, retentionStep } from '../sql/retention.js';
import { tables, type Kind } from '../sql/columns.js';
import { isUuid, notStored, websiteRows } from '../sql/executor.js';
import { rowsOn, runStatements, type DuckDbPool } from './connection.js';
import { Journal } from './journal.js';
import { bulkLoadable, stageRows, stageTable } from './bulk.js';
import { csvCopyOut, csvRelation, removeCsv, stageCsv, type CsvFile } from './csv-load.js';
import { DEAD_LETTER_DIR, DeadLetters, type DeadLetterStats } from './dead-letter.js';
import { classifyStoreError, firstLine, RowRejectedError } from '../store-errors.js';
import { sqlTimestamp } from '../../lib/timestamp.js';

// A load's cost per row falls with its size (DuckDB, this machine: ~40 µs per row at 500 rows,
// ~30 at 2,000, ~21 at 8,000, ~15 from 20,000 on), so loads wait a second for rows to gather;
// a read loads what is pending first, so it never misses an acknowledged hit.
const LOAD_AFTER_MS = 1000;
const LOAD_AT_ROWS = 20_000;
/**
 * A batch of at least this many rows (an import, migrate-store) skips the journal and is appended
 * straight to DuckDB in its own transaction (bulk.ts): at this size a commit (~20 ms) costs little
 * per row, and neither JSON text nor a journal file is written (bench/transfer.ts compares).
 */
export const BULK_AT_ROWS = 5_000;
/**
 * Rollups catch up this long after a load at the latest (queries that read them catch up first),
 * so that a read has at most a few seconds of rows to merge (bench/freshness.ts: merging after
 * every load kept the writer busier and reads slower).
 */
const ROLLUP_AFTER_MS = 2_000;
/** Pending rows one rollup merge takes at most (mergeShare), and at least after running out of memory. */
const MERGE_ROWS = 500_000;
const MIN_MERGE_ROWS = 5_000;
/**
 * Pending rows (of every website) a rollup read merges before it answers; with more it answers
 * from raw rows (bench/query.ts --load=batch: one merge share of a random-order back-fill took
 * 7-9 s at 1M stored events).
 */
const READ_MERGE_ROWS = 20_000;
const PENDING_LATER = 'rollup_pending_later';
/** Where bulk loads keep their CSV files: beside the journal (emptied at open), or for an in-memory store in the system's temp directory. */
export const CSV_DIR = 'bulk-load';

const plain = (text: string): Statement => ({ text, params: [] });

const DUCK_TYPE: Record<Kind, string> = { uuid: 'UUID', ts: 'TIMESTAMP', int: 'INTEGER', num: 'DECIMAL(19,4)', text: 'VARCHAR' };

// Event rows pass through this temporary table, so the rollups' queue is fed from the same parse.
const STAGED_EVENTS = 'staged_event';

// A journal line holds one row, {"<table>":[{…}]}; earlier versions wrote one line per batch,
// {"<table>":[{…},…],"<other table>":[…]}, and the same statement reads both. Lines without the
// table are skipped before parsing (a quote inside a JSON string is escaped, so `"<table>":[`
// only occurs as a key). Parsing each short line straight into the table's struct costs DuckDB
// about half the CPU of parsing one big JSON array and then each element again.
const LINE_TYPE = new Map(
  tables.map(({ table, columns }) => [table, JSON.stringify({ [table]: [Object.fromEntries(columns.map(([name, kind]) => [name, DUCK_TYPE[kind]]))] })]),
);

function insertSql(table: string, lines: string): string {
  const target = table === 'website_event' ? STAGED_EVENTS : table;
  return `INSERT INTO ${target} SELECT s.* FROM (SELECT unnest(from_json(l, '${LINE_TYPE.get(table)}').${table}) AS s FROM ${lines} WHERE contains(l, '"${table}":['))`;
}

/** Lines as a relation with one VARCHAR column `l`: from a segment file, or from $1. */
const fileLines = (file: string) =>
  // JSON text never holds a raw control character, so \x01 never splits a line; no quoting.
  `read_csv('${file.replaceAll("'", "''")}', columns = {'l': 'VARCHAR'}, delim = chr(1), quote = '', escape = '', header = false, auto_detect = false)`;
const PARAM_LINES = '(SELECT unnest(string_split($1, chr(10))) AS l)';

/** Rows to load: the lines of a segment file, or lines in memory; `tables`: bit i set if tables[i] has rows. */
type Source = { file: string; tables: number } | { text: string; tables: number };
const ALL_TABLES = (1 << tables.length) - 1;

const tsText = sqlTimestamp;

// The rows of one hit share one Date: remember the last one formatted.
let lastTs = NaN;
let lastTsText = '';
function tsJson(d: Date): string {
  const t = d.getTime();
  if (t !== lastTs) {
    lastTsText = `"${tsText(d)}"`;
    lastTs = t;
  }
  return lastTsText;
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Value = (row: never) => string;

/**
 * One JSON object per row, keyed by column: the same text as JSON.stringify of the object, built
 * directly (a third of the cost: no intermediate object, no key escaping, uuids unescaped).
 */
function rowSerializer(table: string, columns: (typeof tables)[number]['columns']): (row: never) => string {
  const prefixes = columns.map(([name], i) => `${i ? ',' : `{"${table}":[{`}${JSON.stringify(name)}:`);
  const values: Value[] = columns.map(([, kind, get]) => {
    if (kind === 'ts') return (r) => (get(r) == null ? 'null' : tsJson(get(r) as Date));
    if (kind === 'uuid')
      return (r) => {
        const v = get(r);
        return v == null ? 'null' : typeof v === 'string' && UUID_TEXT.test(v) ? `"${v}"` : JSON.stringify(v);
      };
    return (r) => {
      const v = get(r);
      return v == null ? 'null' : JSON.stringify(v);
    };
  });
  const n = columns.length;
  return (row) => {
    let out = prefixes[0] + values[0](row);
    for (let i = 1; i < n; i++) out += prefixes[i] + values[i](row);
    return out + '}]}';
  };
}

const serializers = tables.map(({ table, columns, rows }) => ({ rows, row: rowSerializer(table, columns) }));

/** A batch as journal lines, one row each ({"<table>":[{…}]}, each ending with a newline). */
function serialize(batch: WriteBatch): { text: string; count: number; tables: number } {
  const lines: string[] = [];
  let present = 0;
  for (let t = 0; t < serializers.length; t++) {
    const { rows, row } = serializers[t];
    const list = rows(batch);
    if (!list.length) continue;
    present |= 1 << t;
    for (let i = 0; i < list.length; i++) lines.push(row(list[i] as never));
  }
  lines.push('');
  return { text: lines.join('\n'), count: lines.length - 1, tables: present };
}

type Warn = (details: Record<string, unknown>, message: string) => void;

type ReadFn = (sql: string, params: unknown[]) => Promise<Row[]>;
/** A rollup read's answer, or (its website has pending rows in that snapshot) how many rows are pending in all. */
type Answer<T> = { answer: T } | { pending: number };

/**
 * One merge share (mergeShare) and the reads that joined it: each runs inside the share's
 * transaction after its statements, so it sees the merged rollups and none of the rows loaded
 * meanwhile. `seen`: the loads committed before the share began; `open`: reads may still join.
 */
interface MergeTurn {
  readonly readers: ((read: ReadFn) => Promise<void>)[];
  seen: number;
  open: boolean;
  done: Promise<void>;
}

/** A warning as one JSON log line on stderr, shaped like the server's log lines. */
const warnLine: Warn = (details, msg) => console.warn(JSON.stringify({ level: 40, time: Date.now(), ...details, msg }));

/**
 * In one snapshot (`read`): the answer if the website has no pending rows there, else how many
 * rows are pending in all.
 */
async function answerIn<T>(read: ReadFn, websiteId: string, body: (run: ReadFn) => Promise<T>): Promise<Answer<T>> {
  const [{ total, mine }] = await read('SELECT count(*) AS total, count(*) FILTER (WHERE website_id = CAST($1 AS UUID)) AS mine FROM rollup_pending', [websiteId]);
  if (Number(mine) > 0) return { pending: Number(total) };
  // One statement at a time on the snapshot's connection.
  let last: Promise<unknown> = Promise.resolve();
  const run: ReadFn = (sql, params) => {
    const next = last.then(() => read(sql, params));
    last = next.catch(() => undefined);
    return next;
  };
  return { answer: await body(run) };
}

export class DuckDbAnalytics implements AnalyticsStore {
  readonly dialect = 'duckdb' as const;
  /** Rows in the current journal segment, and which tables they belong to (bit i: tables[i]). */
  private pendingRows = 0;
  private pendingTables = 0;
  /** Closed segments not loaded yet (a load failed: retried, in order, before any later one). */
  private backlog: { n: number; tables: number }[] = [];
  /** Appends and rotations, one at a time. */
  private appends: Promise<unknown> = Promise.resolve();
  /** Loads into DuckDB, one at a time. */
  private loads: Promise<void> = Promise.resolve();
  /** Rollup merges, one at a time, on their own connection: loads go on while one runs. */
  private merges: Promise<void> = Promise.resolve();
  /** The merge share queued on `merges` that has not started yet: callers share it. */
  private queuedMerge: MergeTurn | null = null;
  /** The merge share under way. */
  private mergeUnderWay: MergeTurn | null = null;
  /** Loads with events committed so far (a merge that began after the n-th sees its rows). */
  private loadsCommitted = 0;
  /** The flush queued on `loads` that has not started yet. */
  private queuedFlush: Promise<void> | null = null;
  /** The latest flush until it ends (queued or under way). */
  private runningFlush: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /**
   * rollup_pending may hold rows a merge has not taken (loads, a migration or an earlier run put
   * them there). Cleared when a merge starts: a load that commits meanwhile sets it again.
   */
  private rollupsStale = false;
  private rollupTimer: NodeJS.Timeout | null = null;
  /** Deletes that rebuilt a website's rollups instead of cutting or patching them (deleteOlderThan, deleteRows). */
  rollupRebuilds = 0;
  readonly rollups: TrafficRollups;
  readonly bulk: BulkLoad;
  /** Pending rows one rollup merge takes at most (tests lower it). */
  mergeRows = MERGE_ROWS;
  /** Pending rows a rollup read merges before answering (tests change it). */
  readMergeRows = READ_MERGE_ROWS;
  /** Where bulk loads stage their CSV files and csvOut writes its own (emptied at every start). */
  private readonly csvDir: string;

  private constructor(
    private readonly pool: DuckDbPool,
    private readonly conn: DuckDBConnection,
    private readonly mergeConn: DuckDBConnection,
    private readonly journal: Journal | null,
    private readonly maintenance: RollupMaintenance,
    private readonly dead: DeadLetters | null,
    private readonly warn: Warn,
  ) {
    const { slotMs, attributes, pageColumns, visitAttributes } = maintenance;
    this.rollups = { slotMs, attributes, pageColumns, visitAttributes, refresh: () => this.refreshRollups(), read: (id, body) => this.readRollups(id, body), rebuild: () => this.rebuildRollups(null) };
    this.csvDir = journal ? path.join(path.dirname(journal.dir), CSV_DIR) : path.join(os.tmpdir(), `dashi-${CSV_DIR}`);
    this.bulk = { stage: (parts, keep) => this.stageCsv(this.csvDir, parts, keep) };
  }

  /**
   * `journalDir` null: an in-memory store, written straight to DuckDB. Refused journal lines go
   * to `dead-letter/` beside the journal directory, with a warning through `warn`.
   */
  static async open(pool: DuckDbPool, journalDir: string | null, maintenance: RollupMaintenance, warn: Warn = warnLine): Promise<DuckDbAnalytics> {
    for (const { table, columns } of tables) {
      const rows = await pool.all(`SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`, [table]);
      const actual = rows.map((r) => r.column_name).join(',');
      const expected = columns.map((c) => c[0]).join(',');
      if (actual !== expected) throw new Error(`${table} columns (${actual}) do not match the writer (${expected})`);
    }
    const conn = await pool.connect();
    const mergeConn = await pool.connect();
    await conn.run(`CREATE TEMP TABLE ${STAGED_EVENTS} AS SELECT * FROM website_event LIMIT 0`);
    const [{ queued }] = await pool.all('SELECT count(*) AS queued FROM rollup_pending');
    const [{ built }] = await pool.all('SELECT built FROM rollup_state');
    const opened = async (journal: Journal | null) => {
      const dead = journalDir ? new DeadLetters(path.join(path.dirname(journalDir), DEAD_LETTER_DIR)) : null;
      const store = new DuckDbAnalytics(pool, conn, mergeConn, journal, maintenance, dead, warn);
      store.rollupsStale = Number(queued) > 0;
      // Once, for rows stored before the rollups existed (~10 s per million events).
      if (!built) await store.rebuildRollups(null);
      if (store.rollupsStale) store.scheduleRollups();
      return store;
    };
    if (!journalDir) return opened(null);

    const [{ last }] = await pool.all('SELECT last_loaded AS last FROM journal_state');
    const { journal, leftover } = await Journal.open(journalDir, Number(last));
    // Files of a bulk load that a stop interrupted: never loaded (a load is one transaction), or loaded and not yet removed.
    fs.rmSync(path.join(path.dirname(journalDir), CSV_DIR), { recursive: true, force: true });
    const store = await opened(journal);
    for (const n of leftover) {
      // Read here rather than by DuckDB: a torn last line (never acknowledged) is dropped.
      if (n > Number(last)) await store.loadSegment(n, { text: journal.read(n).join('\n'), tables: ALL_TABLES });
      await journal.remove(n);
    }
    return store;
  }

  async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    await this.flush();
    return this.pool.read(sql, params);
  }

  write(batch: WriteBatch): Promise<void> {
    const rows = tables.reduce((n, { rows: pick }) => n + pick(batch).length, 0);
    if (rows >= BULK_AT_ROWS && bulkLoadable(batch)) {
      // Should DuckDB refuse any of it, the batch goes the usual way, which sets the refused rows aside
      // (journaled) or answers RowRejectedError (in memory), exactly as for small batches.
      return this.serial(() => this.bulkLoad(batch)).catch(() => this.writeLines(batch));
    }
    return this.writeLines(batch);
  }

  /** One transaction on the writer's connection: every row of the batch, through the staging tables. */
  private async bulkLoad(batch: WriteBatch): Promise<void> {
    const parts = tables.map((_, t) => t).filter((t) => tables[t].rows(batch).length > 0);
    await this.loadTables(parts, async (c, t, target) => {
      const list = tables[t].rows(batch);
      const stage = stageTable(tables[t].table);
      const staged = (await stageRows(c, t, list)).join(', ');
      await c.run(`INSERT INTO ${target} (${staged}) SELECT ${staged} FROM ${stage}`);
      await c.run(`DROP TABLE ${stage}`);
    });
  }

  /**
   * One transaction on the writer's connection: `insert` fills each of `parts` (indexes into
   * `tables`), events through the staging table so the rollups' queue gets them too.
   */
  private async loadTables(parts: readonly number[], insert: (c: DuckDBConnection, t: number, target: string) => Promise<void>): Promise<void> {
    let events = false;
    await this.inTransaction(async (c) => {
      for (const t of parts) {
        const { table } = tables[t];
        await insert(c, t, table === 'website_event' ? STAGED_EVENTS : table);
        if (table !== 'website_event') continue;
        await runStatements(c, this.stagedMoves());
        events = true;
      }
    });
    if (events) this.eventsLoaded();
  }

  /** After a load with events: count it, and merge it later. */
  private eventsLoaded(): void {
    this.loadsCommitted++;
    this.rollupsStale = true;
    this.scheduleRollups();
  }

  async csvOut(table: string, websiteId: string, range: { from: Date; to: Date }): Promise<NodeJS.ReadableStream> {
    await this.flush();
    const { file, sql } = csvCopyOut(this.csvDir, table, websiteId, range);
    await this.pool.all(sql);
    const stream = fs.createReadStream(file);
    stream.on('close', () => fs.rmSync(file, { force: true }));
    return stream;
  }

  private async stageCsv(dir: string, parts: readonly CsvRows[], keep: StoredRows | undefined): Promise<StagedRows> {
    const files = await stageCsv(dir, parts);
    let done = false;
    const discard = async () => {
      done = true;
      removeCsv(files);
    };
    return {
      load: async () => {
        if (done) throw new Error('these rows were loaded or discarded already');
        try {
          await this.serial(() => this.loadCsv(files, keep));
        } finally {
          await discard();
        }
      },
      discard,
    };
  }

  /** Every staged file in one transaction (loadTables), without the rows `keep` has already. */
  private loadCsv(files: readonly CsvFile[], keep: StoredRows | undefined): Promise<void> {
    const byTable = new Map(files.map((f) => [f.t, f.file]));
    return this.loadTables([...byTable.keys()], async (c, t, target) => {
      const unseen = keep ? ` WHERE ${notStored(t, keep, (k) => `r.${k}`)}` : '';
      await c.run(`INSERT INTO ${target} SELECT * FROM ${csvRelation(t, byTable.get(t)!)} r${unseen}`);
    });
  }

  /** Staged events into website_event, and into the rollups' queue from the same rows. */
  private stagedMoves(): Statement[] {
    return [`INSERT INTO website_event SELECT * FROM ${STAGED_EVENTS}`, this.maintenance.pendingInsert(STAGED_EVENTS), `DELETE FROM ${STAGED_EVENTS}`].map(plain);
  }

  /** The journal path: the batch as journal lines (in memory: loaded from the text at once). */
  private writeLines(batch: WriteBatch): Promise<void> {
    const { text, count, tables: present } = serialize(batch);
    if (count === 0) return this.appends.then(() => undefined);
    if (!this.journal) {
      const step = this.appends.then(() => this.loadOrRefuse({ text, tables: present }));
      this.appends = step.catch(() => undefined);
      return step;
    }
    const journal = this.journal;
    const step = this.appends.then(async () => {
      await journal.append(text);
      this.pendingRows += count;
      this.pendingTables |= present;
      if (this.pendingRows >= LOAD_AT_ROWS) void this.flush().catch(() => undefined);
      else this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), LOAD_AFTER_MS);
    });
    this.appends = step.catch(() => undefined);
    return step;
  }

  /** Loads every batch acknowledged so far into DuckDB. */
  flush(): Promise<void> {
    if (!this.journal) return this.appends.then(() => undefined);
    // A flush that has not started yet loads every row acknowledged by then: callers share it.
    if (this.queuedFlush) return this.queuedFlush;
    // Every acknowledged row is loaded, or in the flush under way: no need to queue on `loads`
    // behind a bulk load or a delete.
    if (this.pendingRows === 0 && this.backlog.length === 0) return this.runningFlush ?? Promise.resolve();
    const journal = this.journal;
    const next: Promise<void> = this.loads.then(async () => {
      this.queuedFlush = null;
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
      // Rotate between appends, so the closed segment holds exactly the rows counted here.
      const taken = this.appends.then(async () => {
        if (this.pendingRows === 0) return;
        const closed = { n: journal.current, tables: this.pendingTables };
        this.pendingRows = 0;
        this.pendingTables = 0;
        try {
          await journal.rotate();
        } finally {
          // Even if closing the file failed, every line in it is on disk: load it.
          this.backlog.push(closed);
        }
      });
      this.appends = taken.catch(() => undefined);
      await taken;
      // A segment that failed to load stays first in line (and on disk, for the next start).
      while (this.backlog.length > 0) {
        const { n, tables: present } = this.backlog[0];
        await this.loadSegment(n, { file: journal.file(n), tables: present });
        this.backlog.shift();
        await journal.remove(n).catch(() => undefined); // left behind, it is removed at the next start
      }
    });
    this.queuedFlush = next;
    this.runningFlush = next;
    this.loads = next.catch(() => undefined);
    void this.loads.then(() => {
      if (this.runningFlush === next) this.runningFlush = null;
    });
    return next;
  }

  /** Runs `fn` on the merge connection, after and before every rollup merge. */
  private serialMerge(fn: () => Promise<void>): Promise<void> {
    const step = this.merges.then(fn);
    this.merges = step.catch(() => undefined);
    return step;
  }

  /**
   * Runs `fn` with neither a load nor a merge under way (deletes and rebuilds, which change both
   * the rows and the rollups). Loads never wait for merges, so holding both cannot deadlock.
   */
  private exclusive(fn: () => Promise<void>): Promise<void> {
    return this.serialMerge(() => this.serial(fn));
  }

  /** Runs `fn` on the writer's connection, after and before every load. */
  private serial(fn: () => Promise<void>): Promise<void> {
    if (!this.journal) {
      const step = this.appends.then(fn);
      this.appends = step.catch(() => undefined);
      return step;
    }
    const step = this.loads.then(fn);
    this.loads = step.catch(() => undefined);
    return step;
  }

  private scheduleRollups(): void {
    // One share per timer: a backlog goes on ROLLUP_AFTER_MS later, and steady traffic does not
    // keep DuckDB merging all the time (merges share the cores with loads and reads).
    this.rollupTimer ??= setTimeout(() => {
      this.rollupTimer = null;
      // A share that leaves rows pending schedules the next one (mergeShare).
      this.refreshRollups(1).catch((err: unknown) => this.warn({ err: firstLine(err) }, 'rollup merge failed; rollup reads answer from raw rows until one succeeds'));
    }, ROLLUP_AFTER_MS).unref();
  }

  /**
   * Brings the rollups (src/query/rollups/) up to date with every hit acknowledged so far: one
   * share of rollup_pending per turn on the merge connection, while loads go on beside it.
   * `turns` bounds the turns (the timer's: one; under steady traffic, each turn would find new rows).
   */
  async refreshRollups(turns = Infinity): Promise<void> {
    await this.flush();
    // At least one turn: the next merge to start (after the one under way, if any) takes every row loaded by now.
    let turn = 0;
    do await this.nextMerge();
    while (this.rollupsStale && ++turn < turns);
  }

  /**
   * The next merge share to start, which takes every row loaded by now (shared by its callers);
   * `reader` runs inside it (MergeTurn).
   */
  private nextMerge(reader?: (read: ReadFn) => Promise<void>): Promise<void> {
    let turn = this.queuedMerge;
    if (!turn) {
      const t: MergeTurn = { readers: [], seen: 0, open: true, done: Promise.resolve() };
      t.done = this.serialMerge(() => {
        this.queuedMerge = null;
        return this.mergeShare(t);
      });
      turn = this.queuedMerge = t;
    }
    if (reader) turn.readers.push(reader);
    return turn.done;
  }

  /** Runs `reader` inside the first merge share that sees the first `loads` loads: the one under way if it can, or the next. */
  private mergedRead(loads: number, reader: (read: ReadFn) => Promise<void>): Promise<void> {
    const now = this.mergeUnderWay;
    if (now?.open && now.seen >= loads) {
      now.readers.push(reader);
      return now.done;
    }
    return this.nextMerge(reader);
  }

  /**
   * Merges the first `mergeRows` rows of rollup_pending into the rollups in one transaction.
   * With more pending, the transaction sets the rest aside and puts it back after the merge
   * (which empties rollup_pending), so a stop in between loses none; a later share merges as a
   * late hit would. A share DuckDB has no memory for (a back-fill in random time order touches
   * every visit of its range) is retried at half the size, and later shares keep that size.
   * Loads commit beside a share (DuckDB's MVCC: appends never conflict): the share merges and
   * deletes only the pending rows of its snapshot, and the rows loaded meanwhile wait for the next.
   */
  private async mergeShare(turn: MergeTurn): Promise<void> {
    if (this.rollupTimer) clearTimeout(this.rollupTimer);
    this.rollupTimer = null;
    // A read joined because it saw pending rows: whatever the flag says, it runs in a transaction.
    if (!this.rollupsStale && turn.readers.length === 0) return;
    this.rollupsStale = false;
    turn.seen = this.loadsCommitted;
    this.mergeUnderWay = turn;
    let more = false;
    try {
      await this.inTransaction(async (c) => {
        const [{ n }] = (await c.runAndReadAll('SELECT count(*)::INTEGER AS n FROM rollup_pending')).getRowObjects();
        if (Number(n) > 0) {
          more = Number(n) > this.mergeRows;
          const cut = `rowid >= (SELECT min(rowid) + ${Math.max(1, Math.floor(this.mergeRows))} FROM rollup_pending)`;
          const aside = more ? [`CREATE OR REPLACE TEMP TABLE ${PENDING_LATER} AS SELECT * FROM rollup_pending WHERE ${cut}`, `DELETE FROM rollup_pending WHERE ${cut}`] : [];
          const back = more ? [`INSERT INTO rollup_pending SELECT * FROM ${PENDING_LATER}`, `DROP TABLE ${PENDING_LATER}`] : [];
          await runStatements(c, [...aside.map(plain), ...this.maintenance.refreshStatements, ...back.map(plain)]);
        }
        turn.open = false;
        // No statement timeout here: interrupting one would roll the merge back. Rollup reads are short.
        for (const reader of turn.readers) await reader((sql, params) => rowsOn(c, sql, params));
      }, this.mergeConn);
    } catch (err) {
      this.rollupsStale = true;
      if (classifyStoreError(err) !== 'out-of-memory' || this.mergeRows <= MIN_MERGE_ROWS) throw err;
      this.mergeRows = Math.max(MIN_MERGE_ROWS, Math.floor(this.mergeRows / 2));
      this.warn({ mergeRows: this.mergeRows, err: firstLine(err) }, 'rollup merge ran out of memory; merging smaller shares');
      this.scheduleRollups();
      return;
    } finally {
      turn.open = false;
      this.mergeUnderWay = null;
    }
    // A share clears the timer when it starts: whatever it leaves goes on in the background.
    if (more) this.rollupsStale = true;
    if (this.rollupsStale) this.scheduleRollups();
  }

  /**
   * A read of rollups and raw rows in one snapshot without pending rows of the website. With
   * some pending and few in all (readMergeRows), the read runs inside the first merge share that
   * sees every row it must (the one under way if it began after the read's flush, else the next):
   * that share's transaction has the merged rollups and none of the rows loaded meanwhile, so
   * loads never wait for a read. With more pending (a back-fill) it answers from raw rows rather
   * than wait, while the merge goes on in the background.
   */
  private async readRollups<T>(websiteId: string, body: (run: ReadFn) => Promise<T>): Promise<RollupRead<T>> {
    if (!isUuid(websiteId)) return { behind: 'not a website id' };
    await this.flush();
    const loads = this.loadsCommitted;
    const first = await this.pool.snapshot((read) => answerIn(read, websiteId, body));
    if ('answer' in first) return first;
    if (first.pending > this.readMergeRows) {
      this.scheduleRollups();
      return { behind: `${first.pending} rows wait for the rollups (merging in the background)` };
    }
    const out: { got?: Answer<T> } = {};
    try {
      await this.mergedRead(loads, async (read) => {
        out.got = await answerIn(read, websiteId, body);
      });
    } catch (err) {
      return { failed: err };
    }
    if (out.got && 'answer' in out.got) return out.got;
    this.scheduleRollups();
    return { behind: out.got ? `${out.got.pending} rows wait for the rollups after a merge share` : 'the merge share was retried smaller' };
  }

  /** One transaction on `c` (by default the writer's connection). */
  private async inTransaction(body: (c: DuckDBConnection) => Promise<void>, c = this.conn): Promise<void> {
    await c.run('BEGIN TRANSACTION');
    try {
      await body(c);
      await c.run('COMMIT');
    } catch (err) {
      await c.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** One transaction: the rows, and (journaled) the segment number they came from. */
  private async load(segment: number | null, source: Source): Promise<void> {
    let events = false;
    await this.inTransaction(async (c) => {
      // A segment number is the journal's own integer.
      const mark = segment === null ? [] : [plain(`UPDATE journal_state SET last_loaded = ${Math.trunc(segment)}`)];
      events = await this.insertRows(c, source, mark);
    });
    if (events) this.eventsLoaded();
  }

  /** Inserts the source's rows on `c` (inside a transaction), then runs `after`; true if it had events. */
  private async insertRows(c: DuckDBConnection, source: Source, after: Statement[] = []): Promise<boolean> {
    const lines = 'file' in source ? fileLines(source.file) : PARAM_LINES;
    const params = 'file' in source ? [] : [source.text];
    const statements: Statement[] = [];
    let events = false;
    for (let t = 0; t < tables.length; t++) {
      if (!(source.tables & (1 << t))) continue;
      const { table } = tables[t];
      statements.push({ text: insertSql(table, lines), params });
      if (table !== 'website_event') continue;
      statements.push(...this.stagedMoves());
      events = true;
    }
    await runStatements(c, [...statements, ...after]);
    return events;
  }

  /**
   * Loads a journal segment exactly once. If DuckDB refuses it, finds the lines it refuses (by
   * halves, each tried in a transaction that is rolled back), keeps them in the dead-letter
   * directory, and loads every other line with the segment number in one transaction, so a crash
   * at any point neither loses nor doubles a row. Throws only when the store itself is failing.
   */
  private async loadSegment(n: number, source: Source): Promise<void> {
    try {
      await this.load(n, source);
      return;
    } catch (err) {
      const lines = 'file' in source ? this.journal!.read(n) : source.text.split('\n').filter(Boolean);
      // Lines that name no table are no row at all (every insert skips them): set aside too.
      const rows: string[] = [];
      const rowless: string[] = [];
      for (const l of lines) (tables.some(({ table }) => l.includes(`"${table}":[`)) ? rows : rowless).push(l);
      const { good, bad } = await this.sortLines(rows);
      bad.push(...rowless);
      if (bad.length > 0 && this.dead) {
        const file = await this.dead.keep(n, bad);
        this.warn({ segment: n, lines: bad.length, file, err: firstLine(err) }, 'journal lines refused by DuckDB set aside');
      }
      await this.load(n, { text: good.join('\n'), tables: ALL_TABLES });
    }
  }

  /** In-memory store: a batch DuckDB refuses is the hit's fault when the store still works. */
  private async loadOrRefuse(source: Source): Promise<void> {
    try {
      await this.load(null, source);
    } catch (err) {
      if (await this.works()) throw new RowRejectedError(err);
      throw err;
    }
  }

  /** Splits lines into those DuckDB loads and those it refuses, by halves. */
  private async sortLines(lines: string[]): Promise<{ good: string[]; bad: string[] }> {
    if (lines.length === 0 || (await this.tryLines(lines))) return { good: lines, bad: [] };
    if (lines.length === 1) {
      if (!(await this.works())) throw new Error('DuckDB takes no writes: the journal segment stays for a later load');
      return { good: [], bad: lines };
    }
    const half = lines.length >> 1;
    const a = await this.sortLines(lines.slice(0, half));
    const b = await this.sortLines(lines.slice(half));
    return { good: [...a.good, ...b.good], bad: [...a.bad, ...b.bad] };
  }

  /** Whether the lines insert, in a transaction that is always rolled back. */
  private async tryLines(lines: string[]): Promise<boolean> {
    return this.rolledBack(async (c) => {
      await this.insertRows(c, { text: lines.join('\n'), tables: ALL_TABLES });
    });
  }

  /** Whether the store takes a write at all (a no-op update, rolled back). */
  private works(): Promise<boolean> {
    return this.rolledBack((c) => c.run('UPDATE journal_state SET last_loaded = last_loaded').then(() => undefined));
  }

  private async rolledBack(body: (c: DuckDBConnection) => Promise<void>): Promise<boolean> {
    const c = this.conn;
    await c.run('BEGIN TRANSACTION');
    let ok = true;
    try {
      await body(c);
    } catch {
      ok = false;
    }
    await c.run('ROLLBACK');
    return ok;
  }

  deadLetters(): DeadLetterStats | null {
    return this.dead?.stats() ?? null;
  }

  async deleteWebsiteData(websiteId: string, range?: { from: Date; to: Date }): Promise<void> {
    if (!isUuid(websiteId)) return;
    await this.flush();
    const { where, params } = websiteRows(websiteId, range);
    await this.pool.transaction(async (tx) => {
      for (const { table } of tables) await tx.run(`DELETE FROM ${table} WHERE ${where}`, params);
    });
    await this.rebuildRollups(websiteId);
  }

  async deleteRows(websiteId: string, statements: readonly Statement[], touched?: Statement): Promise<void> {
    if (!isUuid(websiteId)) return;
    await this.flush();
    await this.exclusive(async () => {
      if (touched) {
        // The rollups of the sessions, visits and slots the rows belonged to, rolled up again (rollup-patch.ts).
        try {
          const stale = this.rollupsStale;
          await this.inTransaction(async (c) => {
            if (stale) await runStatements(c, this.maintenance.refreshStatements);
            await c.run(`CREATE OR REPLACE TEMP TABLE ${this.maintenance.purgedTable} AS ${touched.text}`, touched.params as never);
            await runStatements(c, statements);
            await runStatements(c, this.maintenance.patchStatements(websiteId));
          });
          if (stale) this.rollupsStale = false;
          return;
        } catch {
          // rolled back: delete and rebuild the website's rollups instead
        }
      }
      this.rollupRebuilds++;
      // The deletes and the website's rollup rebuild in one transaction: no read sees one without the other.
      await this.inTransaction(async (c) => {
        await runStatements(c, statements);
        await runStatements(c, this.maintenance.buildStatements(websiteId));
      });
    });
  }

  /**
   * One transaction per UTC day of rows, oldest first, each between loads and merges (ingestion
   * is acknowledged from the journal meanwhile). At a slot boundary each transaction also cuts the
   * website's rollups at the day's end (rollup-trim.ts), so they stay exact without a rebuild;
   * otherwise (or should a cut fail) the website's rollups are rebuilt once at the end.
   */
  async deleteOlderThan(websiteId: string, before: Date): Promise<{ events: number; sessions: number }> {
    const done = { events: 0, sessions: 0 };
    if (!isUuid(websiteId)) return done;
    await this.flush();
    let rebuild = false;
    const count = async (c: DuckDBConnection, { text, params }: Statement) =>
      Number(((await c.runAndReadAll(text, params as never)).getRowObjectsJS() as { n: unknown }[])[0].n);
    let steps = 0;
    for (;;) {
      const step = await retentionStep(websiteId, before, (text, params) => this.pool.all(text, params), 'epoch_ms(min(created_at))');
      if (!step) break;
      steps++;
      const deleteDay = async (c: DuckDBConnection) => {
        const n = await count(c, step.count);
        await runStatements(c, step.deletes);
        return n;
      };
      let n = 0;
      await this.exclusive(async () => {
        if (this.maintenance.trimmable(step.to)) {
          try {
            const stale = this.rollupsStale;
            await this.inTransaction(async (c) => {
              if (stale) await runStatements(c, this.maintenance.refreshStatements);
              n = await deleteDay(c);
              await runStatements(c, this.maintenance.trimStatements(websiteId, step.to));
            });
            if (stale) this.rollupsStale = false;
            return;
          } catch {
            // rolled back: delete without the cut, and rebuild at the end
          }
        }
        rebuild = true;
        await this.inTransaction(async (c) => {
          n = await deleteDay(c);
        });
      });
      done.events += n;
    }
    // Sessions lose their last event only when events go: with no step, there are no new orphans.
    if (steps === 0) return done;
    const orphans = orphanSessions(websiteId, before);
    await this.exclusive(() =>
      this.inTransaction(async (c) => {
        done.sessions = await count(c, orphans.count);
        await c.run(orphans.delete.text, orphans.delete.params as never);
      }),
    );
    if (rebuild) {
      this.rollupRebuilds++;
      await this.rebuildRollups(websiteId);
    }
    return done;
  }

  /** Roll up a website's stored rows (null: all) from scratch: after deletes, or bulk loads in SQL. */
  async rebuildRollups(websiteId: string | null): Promise<void> {
    await this.flush();
    await this.exclusive(() =>
      this.inTransaction(async (c) => {
        await runStatements(c, this.maintenance.buildStatements(websiteId));
        if (websiteId === null) await c.run('UPDATE rollup_state SET built = true');
      }),
    );
  }

  async close(): Promise<void> {
    await this.flush().catch(() => undefined);
    // A merge under way ends first; it may have scheduled the next.
    await this.merges;
    if (this.rollupTimer) clearTimeout(this.rollupTimer);
    await this.journal?.close();
    this.conn.closeSync();
    this.mergeConn.closeSync();
  }
}
