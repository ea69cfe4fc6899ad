// DuckDB connections for one database file. Each connection runs one statement at a time, so
// callers borrow one from a small pool; a transaction keeps its connection until it ends.
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Row, Statement } from '../types.js';
import { plainRow, type Executor } from '../sql/executor.js';

/** The embedded store's database file in DATA_DIR. */
export const DB_FILE = 'dashi.duckdb';

class ConnectionExecutor implements Executor {
  constructor(private readonly conn: DuckDBConnection) {}

  async all(sql: string, params: unknown[] = []): Promise<Row[]> {
    const reader = await this.conn.runAndReadAll(sql, params as never);
    return reader.getRowObjectsJS().map((r) => plainRow(r as Record<string, unknown>));
  }

  async run(sql: string, params: unknown[] = []): Promise<void> {
    await this.conn.run(sql, params as never);
  }

  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    // Already inside a transaction on this connection: join it.
    return fn(this);
  }
}

/** A statement's rows on `c`, as the pool's reads give them. */
export function rowsOn(c: DuckDBConnection, sql: string, params: unknown[] = []): Promise<Row[]> {
  return new ConnectionExecutor(c).all(sql, params);
}

/**
 * Runs statements on `c` in order, each run of statements without parameters in one call: every
 * call waits for the event loop, which a busy ingestion holds for ~200 ms at a time (bench/query.ts
 * --load=batch: a 27-statement rollup merge spent over 5 s waiting).
 */
export async function runStatements(c: DuckDBConnection, statements: readonly Statement[]): Promise<void> {
  let script: string[] = [];
  const runScript = async () => {
    if (script.length > 0) await c.run(script.join('\n;\n'));
    script = [];
  };
  for (const { text, params } of statements) {
    if (params.length === 0) {
      script.push(text);
      continue;
    }
    await runScript();
    await c.run(text, params as never);
  }
  await runScript();
}

export interface DuckDbLimits {
  /** Such as `256MB`; past it DuckDB spills to a temporary directory beside the file. */
  memoryLimit?: string;
  threads?: number;
}

export class DuckDbPool implements Executor {
  private readonly idle: DuckDBConnection[] = [];
  private readonly waiters: ((c: DuckDBConnection) => void)[] = [];
  private readonly all_: DuckDBConnection[] = [];
  private closed = false;

  private constructor(
    readonly instance: DuckDBInstance,
    private readonly timeoutMs: number | null,
  ) {}

  /**
   * `timeoutMs`: analytics reads (`read`) still running after it are interrupted (QUERY_TIMEOUT_MS).
   * `limits`: DuckDB's memory_limit and threads (DUCKDB_MEMORY_LIMIT, DUCKDB_THREADS); DuckDB's
   * own default memory limit is 80 % of the machine's RAM.
   */
  static async open(file: string, size: number, timeoutMs: number | null = null, limits: DuckDbLimits = {}): Promise<DuckDbPool> {
    const settings: Record<string, string> = {};
    if (limits.memoryLimit) settings.memory_limit = limits.memoryLimit;
    if (limits.threads) settings.threads = String(limits.threads);
    const instance = await DuckDBInstance.create(file, settings);
    const pool = new DuckDbPool(instance, timeoutMs);
    for (let i = 0; i < size; i++) {
      const conn = await instance.connect();
      pool.all_.push(conn);
      pool.idle.push(conn);
    }
    return pool;
  }

  /** A dedicated connection outside the pool (the event writer keeps one). */
  connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  private acquire(): Promise<DuckDBConnection> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    const conn = this.idle.pop();
    if (conn) return Promise.resolve(conn);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(conn: DuckDBConnection): void {
    const next = this.waiters.shift();
    if (next) next(conn);
    else this.idle.push(conn);
  }

  async with<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const conn = await this.acquire();
    try {
      return await fn(conn);
    } finally {
      this.release(conn);
    }
  }

  all(sql: string, params?: unknown[]): Promise<Row[]> {
    return this.with((c) => new ConnectionExecutor(c).all(sql, params));
  }

  /** `all` within the pool's time budget: DuckDB interrupts the statement when it runs out. */
  read(sql: string, params?: unknown[]): Promise<Row[]> {
    return this.with((c) => this.timed(c, sql, params));
  }

  /**
   * Reads in one snapshot: `fn`'s statements run in one read transaction on one connection (its
   * snapshot is taken at the first statement), each within the time budget, then rolled back.
   */
  snapshot<T>(fn: (read: (sql: string, params?: unknown[]) => Promise<Row[]>) => Promise<T>): Promise<T> {
    return this.with(async (c) => {
      await c.run('BEGIN TRANSACTION');
      try {
        return await fn((sql, params) => this.timed(c, sql, params));
      } finally {
        await c.run('ROLLBACK').catch(() => undefined);
      }
    });
  }

  private async timed(c: DuckDBConnection, sql: string, params?: unknown[]): Promise<Row[]> {
    if (this.timeoutMs === null) return new ConnectionExecutor(c).all(sql, params);
    // The connection is ours until `with` releases it, so an interrupt cannot reach another
    // caller's statement. DuckDB forgets an interrupt that comes before the statement starts
    // executing, so once the budget is spent, interrupt again until the statement has ended.
    let again: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      c.interrupt();
      again = setInterval(() => c.interrupt(), 5);
    }, this.timeoutMs);
    try {
      return await new ConnectionExecutor(c).all(sql, params);
    } finally {
      clearTimeout(timer);
      clearInterval(again);
    }
  }

  run(sql: string, params?: unknown[]): Promise<void> {
    return this.with((c) => new ConnectionExecutor(c).run(sql, params));
  }

  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    return this.with(async (c) => {
      await c.run('BEGIN TRANSACTION');
      try {
        const result = await fn(new ConnectionExecutor(c));
        await c.run('COMMIT');
        return result;
      } catch (err) {
        await c.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.all_) c.closeSync();
    this.instance.closeSync();
  }
}
