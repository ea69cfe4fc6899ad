// PostgreSQL through postgres.js, behind the shared Executor. Values come back as the DuckDB
// store returns them: counts as numbers, DECIMAL as numbers, TIMESTAMP (UTC) as Date.
import { pipeline } from 'node:stream/promises';
import { PassThrough, type Readable } from 'node:stream';
import postgres from 'postgres';
import type { Row } from '../types.js';
import { plainRow, type Executor } from '../sql/executor.js';

type Sql = postgres.Sql<Record<string, never>>;

const OID = { int8: 20, numeric: 1700, timestamp: 1114 };

/**
 * Settings of every analytics read, applied with SET LOCAL inside the read's transaction (no
 * server configuration needed, and poolers such as PgBouncer pass SET LOCAL through, unlike
 * startup parameters). JIT off: PostgreSQL compiles the big aggregates in the leader and again in
 * each parallel worker; on bench/query.ts's data (10M events) that was 1.6 s of CPU per stats
 * query (EXPLAIN ANALYZE's JIT timing), for no faster execution. work_mem stays the server's: more
 * of it turned the parallel sort plans of stats and series into serial hash aggregates, which were slower.
 */
export const READ_SETTINGS: Readonly<Record<string, string>> = { jit: 'off' };

/** A pool of at most `max` connections (postgres.js opens them on demand). */
export function connect(url: string, max = 10): Sql {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  return postgres(parsed.toString(), {
    max,
    onnotice: () => undefined,
    connection: { TimeZone: 'UTC', ...(schema ? { search_path: schema } : {}) },
    types: {
      bigint: { to: OID.int8, from: [OID.int8], serialize: (v: unknown) => String(v), parse: (v: string) => Number(v) },
      numeric: { to: OID.numeric, from: [OID.numeric], serialize: (v: unknown) => String(v), parse: (v: string) => Number(v) },
      // TIMESTAMP holds UTC; postgres.js would read it as local time.
      timestamp: {
        to: OID.timestamp,
        from: [OID.timestamp],
        serialize: (v: unknown) => (v instanceof Date ? v.toISOString() : String(v)),
        parse: (v: string) => new Date(v.replace(' ', 'T') + 'Z'),
      },
    },
  }) as unknown as Sql;
}

export class PgExecutor implements Executor {
  constructor(private readonly sql: Sql | postgres.TransactionSql<Record<string, never>>) {}

  async all(text: string, params: unknown[] = []): Promise<Row[]> {
    const rows = await this.sql.unsafe(text, params as never[]);
    return rows.map((r) => plainRow({ ...r }));
  }

  async run(text: string, params: unknown[] = []): Promise<void> {
    await this.sql.unsafe(text, params as never[]);
  }

  transaction<T>(fn: (tx: PgExecutor) => Promise<T>): Promise<T> {
    if (!('begin' in this.sql)) return fn(this); // already inside one
    return (this.sql as Sql).begin((tx) => fn(new PgExecutor(tx))) as Promise<T>;
  }

  /**
   * `COPY … FROM STDIN` of a stream. postgres.js never ends the statement when the server refuses
   * a row (the stream stays open): callers copy only text that cannot be refused, e.g. into
   * a table of text columns.
   */
  async copyIn(text: string, source: NodeJS.ReadableStream): Promise<void> {
    await pipeline(source as Readable, await this.sql.unsafe(text).writable());
  }

  /** `COPY … TO STDOUT`, as a stream (copyOut). */
  async copyOut(text: string): Promise<Readable> {
    return copyOut(await this.sql.unsafe(text).readable());
  }
}

const COPY_PIECE = 1 << 20;

/**
 * The rows of a postgres.js `COPY … TO STDOUT` stream, read in flowing mode, never paused: when
 * postgres.js's stream is full it pauses its socket until the next read, and if the COPY ended
 * meanwhile no read comes, so the connection's next query never answers. The rows wait here
 * instead (the caller keeps a COPY to one chunk's rows). Each row comes as its own buffer: they
 * go on in pieces of COPY_PIECE bytes (a write per row costs more than PostgreSQL's whole COPY).
 */
export function copyOut(copy: Readable): Readable {
  const out = new PassThrough();
  let parts: Buffer[] = [];
  let size = 0;
  const pass = () => {
    if (size) out.write(Buffer.concat(parts, size));
    parts = [];
    size = 0;
  };
  copy.on('data', (b: Buffer) => {
    parts.push(b);
    size += b.length;
    if (size >= COPY_PIECE) pass();
  });
  copy.on('end', () => {
    pass();
    out.end();
  });
  copy.on('error', (err) => out.destroy(err));
  return out;
}
