// Counts of refused hits (see RefusedRepo): added in memory on the ingest path, written to
// refused_hits every few seconds, on flush() and on close().
import { REFUSED_REASONS, type RefusedReason, type RefusedRepo } from '../types.js';
import { isUuid, type Executor } from './executor.js';

const FLUSH_MS = 5_000;

interface Pending {
  websiteId: string;
  reason: RefusedReason;
  hits: number;
  firstAt: Date;
}

const zero = (): Record<RefusedReason, number> => Object.fromEntries(REFUSED_REASONS.map((r) => [r, 0])) as Record<RefusedReason, number>;

export class SqlRefusedRepo implements RefusedRepo {
  private pending = new Map<string, Pending>();
  // Flushes and clears run one at a time, so a clear cannot be undone by a flush in progress.
  private chain: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly db: Executor) {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), FLUSH_MS);
    this.timer.unref();
  }

  add(websiteId: string, reason: RefusedReason): void {
    const key = `${websiteId} ${reason}`;
    const p = this.pending.get(key);
    if (p) p.hits++;
    else this.pending.set(key, { websiteId, reason, hits: 1, firstAt: new Date() });
  }

  get(websiteId: string) {
    return this.serial(() => this.read(websiteId));
  }

  private async read(websiteId: string) {
    const reasons = zero();
    let since: Date | null = null;
    const earliest = (d: Date) => {
      if (!since || d < since) since = d;
    };
    if (isUuid(websiteId)) {
      const rows = await this.db.all('SELECT reason, hits, first_at FROM refused_hits WHERE website_id = $1', [websiteId]);
      for (const r of rows) {
        const reason = String(r.reason) as RefusedReason;
        if (!(reason in reasons)) continue;
        reasons[reason] += Number(r.hits);
        earliest(r.first_at instanceof Date ? r.first_at : new Date(String(r.first_at)));
      }
    }
    for (const p of this.pending.values()) {
      if (p.websiteId !== websiteId) continue;
      reasons[p.reason] += p.hits;
      earliest(p.firstAt);
    }
    return { reasons, since: since as Date | null };
  }

  clear(websiteId: string): Promise<void> {
    return this.serial(async () => {
      for (const [key, p] of this.pending) if (p.websiteId === websiteId) this.pending.delete(key);
      if (isUuid(websiteId)) await this.db.run('DELETE FROM refused_hits WHERE website_id = $1', [websiteId]);
    });
  }

  flush(): Promise<void> {
    return this.serial(async () => {
      if (this.pending.size === 0) return;
      const batch = [...this.pending.values()];
      this.pending = new Map();
      try {
        await this.db.transaction(async (tx) => {
          for (const p of batch) {
            // Counts for a website deleted meanwhile (here or by another process) are dropped.
            await tx.run(
              `INSERT INTO refused_hits (website_id, reason, hits, first_at)
               SELECT $1::UUID, $2, $3::BIGINT, $4::TIMESTAMP WHERE EXISTS (SELECT 1 FROM websites WHERE website_id = $1::UUID)
               ON CONFLICT (website_id, reason) DO UPDATE SET hits = refused_hits.hits + excluded.hits`,
              [p.websiteId, p.reason, p.hits, p.firstAt.toISOString()],
            );
          }
        });
      } catch (err) {
        // Not written: keep the counts for the next flush.
        for (const p of batch) {
          const key = `${p.websiteId} ${p.reason}`;
          const now = this.pending.get(key);
          if (now) {
            now.hits += p.hits;
            if (p.firstAt < now.firstAt) now.firstAt = p.firstAt;
          } else this.pending.set(key, p);
        }
        throw err;
      }
    });
  }

  /** Stops the timer and writes what is pending. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => undefined);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn);
    this.chain = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }
}
