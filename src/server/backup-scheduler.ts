// Scheduled backups of the embedded store (BACKUP_DIR, BACKUP_EVERY, BACKUP_KEEP): every interval
// a backup into BACKUP_DIR/dashi-backup-<UTC time>, then the oldest of those beyond BACKUP_KEEP are
// deleted. Only directories with that name and a backup manifest count as this feature's: nothing
// else in BACKUP_DIR is touched. The first backup comes one interval after the newest one found
// (so restarts do not put it off), or shortly after start when none is due later. A failed backup
// is a warning; the server goes on. The timer never keeps the process alive.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { BackupManifest } from '../store/types.js';

const NAME = /^dashi-backup-(\d{8}T\d{6}\d{3}Z)$/;
/** What a backup interrupted by a crash leaves (src/store/duckdb/backup.ts writes there first). */
const PARTIAL = /^\.dashi-backup-\d{8}T\d{9}Z\.partial-[0-9a-f]+$/;
const FIRST_RUN_MIN_MS = 10_000;

export const backupName = (at: Date) => `dashi-backup-${at.toISOString().replace(/[-:.]/g, '')}`;

export interface BackupScheduleOptions {
  dir: string;
  everyMs: number;
  keep: number;
}

export class BackupScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly backup: (target: string) => Promise<BackupManifest>,
    private readonly options: BackupScheduleOptions,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** This feature's backups in BACKUP_DIR, oldest first. */
  backups(): string[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.options.dir);
    } catch {
      return [];
    }
    return names.filter((n) => NAME.test(n) && fs.existsSync(path.join(this.options.dir, n, 'manifest.json'))).sort();
  }

  start(now = new Date()): void {
    const newest = this.backups().at(-1);
    let delay = Math.min(FIRST_RUN_MIN_MS, this.options.everyMs);
    if (newest) {
      const at = fs.statSync(path.join(this.options.dir, newest)).mtimeMs;
      delay = Math.max(delay, Math.min(this.options.everyMs, at + this.options.everyMs - now.getTime()));
    }
    this.schedule(delay);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => undefined)
        .finally(() => {
          this.running = null;
          this.schedule(this.options.everyMs);
        });
    }, ms).unref();
  }

  /** One backup and the pruning after it; resolves with the backup's directory, or null if it failed. */
  async runOnce(now = new Date()): Promise<string | null> {
    const { dir, keep } = this.options;
    const target = path.join(dir, backupName(now));
    try {
      await this.removePartial();
      const manifest = await this.backup(target);
      this.log.info({ dir: target, tables: manifest.tables }, 'scheduled backup written');
    } catch (err) {
      this.log.warn({ err, dir: target }, 'scheduled backup failed; the next one is tried at the next interval');
      return null;
    }
    const all = this.backups();
    for (const old of all.slice(0, Math.max(0, all.length - keep))) {
      try {
        await fs.promises.rm(path.join(dir, old), { recursive: true, force: true });
      } catch (err) {
        this.log.warn({ err, dir: path.join(dir, old) }, 'could not delete an old scheduled backup');
      }
    }
    return target;
  }

  /**
   * Directories a backup interrupted by a crash left behind: those last changed before this process
   * started. A newer one belongs to a backup in flight (one asked for through the API, say).
   */
  private async removePartial(): Promise<void> {
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.options.dir);
    } catch {
      return;
    }
    for (const n of names) {
      if (!PARTIAL.test(n)) continue;
      const dir = path.join(this.options.dir, n);
      const changed = fs.statSync(dir, { throwIfNoEntry: false })?.mtimeMs;
      if (changed !== undefined && changed < performance.timeOrigin) await fs.promises.rm(dir, { recursive: true, force: true });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
