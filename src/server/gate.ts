// A concurrency limit with a short, bounded queue: at most `limit` callers run at once, up to
// `queueSize` more wait up to `waitMs` for a place, and the rest get a 429 with Retry-After.
import { tooManyRequests } from './errors.js';

export interface GateOptions {
  limit: number;
  queueSize: number;
  waitMs: number;
  /** Retry-After of the 429, in seconds. */
  retryAfter: number;
  /** What the 429 says. */
  message: string;
}

export class Gate {
  private running = 0;
  private readonly waiting: { admit(): void; timer: NodeJS.Timeout }[] = [];

  constructor(readonly options: GateOptions) {}

  /** Wait for a place; resolves with the function that gives it back (call it exactly once). */
  async enter(): Promise<() => void> {
    const { limit, queueSize, waitMs, retryAfter, message } = this.options;
    if (this.running < limit) this.running++;
    else {
      if (this.waiting.length >= queueSize) throw tooManyRequests(retryAfter, message);
      await new Promise<void>((resolve, reject) => {
        const entry = {
          admit: resolve,
          timer: setTimeout(() => {
            this.waiting.splice(this.waiting.indexOf(entry), 1);
            reject(tooManyRequests(retryAfter, message));
          }, waitMs),
        };
        this.waiting.push(entry);
      });
    }
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.leave();
    };
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const leave = await this.enter();
    try {
      return await fn();
    } finally {
      leave();
    }
  }

  /** The place passes straight to the first waiter, so `running` never drops below the queue. */
  private leave(): void {
    const next = this.waiting.shift();
    if (next) {
      clearTimeout(next.timer);
      next.admit();
    } else this.running--;
  }
}
