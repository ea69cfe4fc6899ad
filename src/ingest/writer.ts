// Group commit: hits queue in memory and ONE writer flushes them to the store as a single
// WriteBatch every few milliseconds or every maxBatch hits. A hit's promise settles only after
// the batch that holds it committed, so a request is acknowledged only once its rows are durable.
import type { WriteBatch } from '../store/types.js';
import { RowRejectedError } from '../store/store-errors.js';

export type HitRows = WriteBatch;

export class QueueFullError extends Error {
  constructor() {
    super('Ingestion queue is full, retry shortly');
  }
}

export class WriterClosedError extends Error {
  constructor() {
    super('Server is shutting down');
  }
}

export interface WriterOptions {
  /** Most hits in one flush. */
  maxBatch?: number;
  /** How long the first hit of an idle queue waits for company. */
  flushMs?: number;
  /** Most hits waiting (not counting the batch being written); beyond it enqueue throws QueueFullError. */
  maxQueue?: number;
  onError?: (err: unknown) => void;
}

interface Pending {
  rows: HitRows;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class Writer {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly maxBatch: number;
  private readonly flushMs: number;
  private readonly maxQueue: number;
  /** Hits committed since start, for benchmarks and tests. */
  committed = 0;
  /** Hits the store refused (answered 400) since start. */
  rejected = 0;

  constructor(
    private readonly write: (batch: WriteBatch) => Promise<void>,
    private readonly options: WriterOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 2000;
    this.flushMs = options.flushMs ?? 2;
    this.maxQueue = options.maxQueue ?? 50_000;
  }

  get pending(): number {
    return this.queue.length;
  }

  enqueue(rows: HitRows): Promise<void> {
    if (this.closed) return Promise.reject(new WriterClosedError());
    if (this.queue.length >= this.maxQueue) return Promise.reject(new QueueFullError());
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      if (this.flushing) return; // the running flush picks these up when it ends
      if (this.queue.length >= this.maxBatch) this.flush();
      else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.flushMs);
    });
  }

  /** Stops accepting hits and resolves once everything queued is written. */
  async drain(): Promise<void> {
    this.closed = true;
    while (this.flushing || this.queue.length > 0) {
      if (this.flushing) await this.flushing;
      else this.flush();
    }
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.flushing || this.queue.length === 0) return;
    const items = this.queue.splice(0, this.maxBatch);
    this.flushing = this.writeItems(items).finally(() => {
      this.flushing = null;
      // Hits that arrived during the write already waited one commit: write them now.
      if (this.queue.length > 0) this.flush();
    });
  }

  /**
   * Writes items as one batch. When the store refuses rows (RowRejectedError), halves the batch so
   * one bad hit cannot sink the others, and only that hit fails. Any other failure is the store's:
   * the batch is tried once more, then every hit in it fails (the client answer is a 503), so an
   * unreachable store costs two attempts per batch, not two per hit. Retrying is safe: each store
   * writes a batch all-or-nothing, or (ClickHouse) never writes a row it already wrote.
   */
  private async writeItems(items: Pending[], retried = false): Promise<void> {
    try {
      await this.write(merge(items));
      this.committed += items.length;
      for (const item of items) item.resolve();
    } catch (err) {
      if (err instanceof RowRejectedError) {
        if (items.length === 1) {
          this.rejected++;
          this.options.onError?.(err);
          items[0].reject(err);
          return;
        }
        const half = items.length >> 1;
        await this.writeItems(items.slice(0, half), retried);
        await this.writeItems(items.slice(half), retried);
        return;
      }
      if (!retried) return this.writeItems(items, true);
      this.options.onError?.(err);
      for (const item of items) item.reject(err);
    }
  }
}

function merge(items: Pending[]): WriteBatch {
  if (items.length === 1) return items[0].rows;
  const batch: WriteBatch = { events: [], eventData: [], sessions: [], sessionData: [] };
  for (const { rows } of items) {
    for (const r of rows.events) batch.events.push(r);
    for (const r of rows.eventData) batch.eventData.push(r);
    for (const r of rows.sessions) batch.sessions.push(r);
    for (const r of rows.sessionData) batch.sessionData.push(r);
  }
  return batch;
}
