// The visitor salt of the current SALT_ROTATION period: random, created once per period by
// whichever process needs it first and shared through the store, kept in memory until the
// period ends, then replaced (the store's row is overwritten, this process forgets the old one).
//
// The period is the server clock's, not the hit's (a back-dated hit is salted with today's
// salt: older salts are gone). No previous-period salt is kept for visits crossing the
// boundary: a visitor active across it becomes a new session, as with Umami's date salts.
import { randomBytes } from 'node:crypto';
import type { SaltRepo } from '../store/types.js';
import { nextPeriodStart, periodStart, type PeriodSalt, type SaltRotation } from './ids.js';

interface Current extends PeriodSalt {
  /** The period's end (ms): the salt is used until the clock reaches it. */
  until: number;
}

export class SaltKeeper {
  private current: Current | null = null;
  private loading: Promise<PeriodSalt> | null = null;

  /** `repo` null: a salt per period in this process only (benchmarks, unit tests). */
  constructor(
    private readonly repo: SaltRepo | null,
    private readonly rotation: SaltRotation,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The salt in force now; a value (no await needed) except at a period's first hit. */
  salt(): PeriodSalt | Promise<PeriodSalt> {
    const c = this.current;
    if (c !== null && this.clock() < c.until) return c;
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(): Promise<PeriodSalt> {
    const now = new Date(this.clock());
    const start = periodStart(now, this.rotation);
    const candidate = randomBytes(32).toString('hex');
    const got = this.repo ? await this.repo.claim(this.rotation, start, candidate) : { periodStart: start, salt: candidate };
    // Another process may already be in a later period (its clock is ahead): use its salt.
    const from = got.periodStart.getTime() > start.getTime() ? got.periodStart : start;
    const current: Current = { start: from.getTime(), value: got.salt, until: nextPeriodStart(from, this.rotation).getTime() };
    this.current = current;
    return current;
  }
}
