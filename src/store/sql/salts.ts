// The current period's visitor salt, one row per SALT_ROTATION kind (see SaltRepo).
import type { SaltRepo } from '../types.js';
import type { Executor } from './executor.js';

export class SqlSaltRepo implements SaltRepo {
  // One claim at a time in this process (DuckDB would report concurrent writers of the row as
  // a conflict); across processes the statements below are what keeps it race-free.
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: Executor) {}

  claim(rotation: string, periodStart: Date, candidate: string): Promise<{ periodStart: Date; salt: string }> {
    const next = this.chain.then(() => this.claimNow(rotation, periodStart, candidate));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async claimNow(rotation: string, periodStart: Date, candidate: string): Promise<{ periodStart: Date; salt: string }> {
    const start = periodStart.toISOString();
    // Each statement is atomic on its own: of several processes entering the period together,
    // the first UPDATE (or INSERT, on an empty table) wins and the others find its row. The
    // UPDATE overwrites the previous period's salt rather than adding a row beside it, and a
    // process whose clock is behind never moves the row back.
    await this.db.run('UPDATE visitor_salts SET period_start = $2::TIMESTAMP, salt = $3 WHERE rotation = $1 AND period_start < $2::TIMESTAMP', [
      rotation,
      start,
      candidate,
    ]);
    await this.db.run('INSERT INTO visitor_salts (rotation, period_start, salt) VALUES ($1, $2::TIMESTAMP, $3) ON CONFLICT DO NOTHING', [
      rotation,
      start,
      candidate,
    ]);
    // Salts of another rotation (SALT_ROTATION was changed) are not in use any more.
    await this.db.run('DELETE FROM visitor_salts WHERE rotation <> $1', [rotation]);
    const [row] = await this.db.all('SELECT period_start, salt FROM visitor_salts WHERE rotation = $1', [rotation]);
    if (!row) throw new Error('visitor salt vanished while it was being read');
    const at = row.period_start instanceof Date ? row.period_start : new Date(String(row.period_start));
    return { periodStart: at, salt: String(row.salt) };
  }
}
