// Data retention: a timer inside the server that deletes each website's raw analytics rows older
// than its limit (its own setting, else DATA_RETENTION_DAYS). The cutoff is the start of a UTC
// day, so a website's rows change (and, on the embedded store, its rollups are rebuilt) at most
// once a day, whatever the interval. Runs once shortly after start, then every interval; the
// timer never keeps the process alive, and a run in progress is awaited on shutdown.
import type { FastifyBaseLogger } from 'fastify';
import type { Store, WebsiteSettings } from '../store/types.js';

const DAY = 86_400_000;
const FIRST_RUN_MAX_MS = 60_000;

/** The limit in days that applies to a website: its own setting (null: forever), else the default. */
export function retentionDays(own: WebsiteSettings | null, defaultDays: number | null): number | null {
  return own ? own.retentionDays : defaultDays;
}

/** Rows created before this instant are past a limit of `days`: the UTC day `days` days ago. */
export function retentionCutoff(days: number, now: Date): Date {
  return new Date(Math.floor((now.getTime() - days * DAY) / DAY) * DAY);
}

export interface RetentionOptions {
  defaultDays: number | null;
  intervalMs: number;
}

export class RetentionScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly options: RetentionOptions,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(): void {
    this.schedule(Math.min(FIRST_RUN_MAX_MS, this.options.intervalMs));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((err) => this.log.error({ err }, 'retention run failed'))
        .finally(() => {
          this.running = null;
          this.schedule(this.options.intervalMs);
        });
    }, ms).unref();
  }

  /** Websites with a limit, and each one's limit. */
  private async limits(): Promise<Map<string, number>> {
    const own = new Map((await this.store.websiteSettings.list()).map((s) => [s.websiteId, s] as const));
    const out = new Map<string, number>();
    const consider = (id: string) => {
      const days = retentionDays(own.get(id) ?? null, this.options.defaultDays);
      if (days !== null) out.set(id, days);
    };
    if (this.options.defaultDays === null) {
      // Only websites with a setting of their own can have a limit; skip settings of deleted websites.
      for (const id of own.keys()) if (await this.store.websites.get(id)) consider(id);
      return out;
    }
    for (let page = 1; ; page++) {
      const { data } = await this.store.websites.list({}, { page, pageSize: 500 });
      for (const w of data) consider(w.id);
      if (data.length < 500) return out;
    }
  }

  /** One pass over every website with a limit. */
  async runOnce(now = new Date()): Promise<void> {
    for (const [websiteId, days] of await this.limits()) {
      if (this.stopped) return;
      const before = retentionCutoff(days, now);
      let done: { events: number; sessions: number };
      try {
        done = await this.store.analytics.deleteOlderThan(websiteId, before);
      } catch (err) {
        // One website's failure must not stop the others; the next run tries again.
        this.log.error({ err, websiteId }, 'retention: deleting old rows failed');
        continue;
      }
      if (done.events === 0 && done.sessions === 0) continue;
      await this.store.purgeLog.add({
        websiteId,
        userId: null,
        kind: 'retention',
        filters: { retentionDays: days },
        startAt: null,
        endAt: before,
        events: done.events,
        sessions: done.sessions,
      });
      this.log.info({ websiteId, before: before.toISOString(), ...done }, 'retention: deleted rows past the limit');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
