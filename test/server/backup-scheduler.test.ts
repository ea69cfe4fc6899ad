// Scheduled backups on a real embedded store: each run writes BACKUP_DIR/dashi-backup-<time>, keeps
// the newest BACKUP_KEEP of its own and touches nothing else there; a failed run is a warning and
// the schedule goes on; a server started with BACKUP_DIR/BACKUP_EVERY/BACKUP_KEEP makes them itself.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { openDuckDbStore } from '../../src/store/duckdb/index.js';
import { verifyBackup } from '../../src/store/duckdb/restore.js';
import { BackupScheduler, backupName } from '../../src/server/backup-scheduler.js';
import { trafficRollups } from '../../src/query/rollups/embedded-rollups.js';
import { startDashi, stopAll } from '../helpers/server.js';
import { sleep } from '../helpers/api.js';

const made: string[] = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dashi-sched-'));
  made.push(dir);
  return dir;
};
after(async () => {
  await stopAll();
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function recordingLog() {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (obj: unknown, msg?: string) => void lines.push({ level, msg: msg ?? String(obj) });
  const log = { info: at('info'), warn: at('warn'), error: at('error') } as unknown as FastifyBaseLogger;
  return { log, lines };
}

test('each run makes a backup, the newest BACKUP_KEEP of its own are kept, nothing else is touched', async () => {
  const store = await openDuckDbStore({ dataDir: tmp(), rollups: trafficRollups });
  const dir = path.join(tmp(), 'backups');
  fs.mkdirSync(dir);
  // Not this feature's: another file, a look-alike without a manifest, a backup of another name.
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
  fs.mkdirSync(path.join(dir, backupName(new Date(Date.UTC(2020, 0, 1)))));
  await store.backup!(path.join(dir, 'by-hand'), 'x');
  // What a crash in the middle of a scheduled backup leaves (last changed before this process
  // started): removed by the next run. One changed since belongs to a backup in flight: kept.
  const partial = path.join(dir, `.${backupName(new Date(Date.UTC(2021, 0, 1)))}.partial-0a1b2c`);
  fs.mkdirSync(partial);
  const crashed = new Date(performance.timeOrigin - 60_000);
  fs.utimesSync(partial, crashed, crashed);
  const inFlight = path.join(dir, `.${backupName(new Date(Date.UTC(2021, 0, 2)))}.partial-0d1e2f`);
  fs.mkdirSync(inFlight);
  const { log, lines } = recordingLog();
  const scheduler = new BackupScheduler((target) => store.backup!(target, 'test'), { dir, everyMs: 3_600_000, keep: 2 }, log);
  const runs = [1, 2, 3, 4].map((h) => new Date(Date.UTC(2026, 5, 1, h)));
  const written = [];
  for (const at of runs) written.push(await scheduler.runOnce(at));
  assert.deepEqual(written, runs.map((at) => path.join(dir, backupName(at))));
  assert.deepEqual(scheduler.backups(), [backupName(runs[2]), backupName(runs[3])]);
  for (const name of scheduler.backups()) assert.equal((await verifyBackup(path.join(dir, name))).dashiVersion, 'test');
  assert.deepEqual(fs.readdirSync(dir).sort(), [backupName(new Date(Date.UTC(2020, 0, 1))), 'by-hand', 'notes.txt', path.basename(inFlight), ...scheduler.backups()].sort());
  assert.equal(lines.filter((l) => l.msg === 'scheduled backup written').length, 4);

  // A failed backup (here: its directory is taken) is a warning; nothing is deleted for it.
  const taken = new Date(Date.UTC(2026, 5, 1, 5));
  fs.mkdirSync(path.join(dir, backupName(taken)));
  fs.writeFileSync(path.join(dir, backupName(taken), 'x'), 'x');
  assert.equal(await scheduler.runOnce(taken), null);
  assert.match(lines.at(-1)!.msg, /scheduled backup failed/);
  assert.equal(lines.at(-1)!.level, 'warn');
  assert.deepEqual(scheduler.backups(), [backupName(runs[2]), backupName(runs[3])]);
  await store.close();
});

test('the timer: backups every interval, and a failing store does not stop it', async () => {
  const store = await openDuckDbStore({ dataDir: tmp(), rollups: trafficRollups });
  const dir = path.join(tmp(), 'b');
  const { log, lines } = recordingLog();
  let calls = 0;
  const scheduler = new BackupScheduler(
    (target) => {
      calls++;
      // The second attempt fails as a full disk would.
      return calls === 2 ? Promise.reject(new Error('ENOSPC')) : store.backup!(target, 'test');
    },
    { dir, everyMs: 150, keep: 2 },
    log,
  );
  scheduler.start();
  while (calls < 5) await sleep(20);
  await scheduler.stop();
  assert.equal(scheduler.backups().length, 2);
  assert.equal(lines.filter((l) => l.level === 'warn').length, 1);
  await store.close();
});

test('a server with BACKUP_DIR, BACKUP_EVERY and BACKUP_KEEP makes and prunes backups itself', async () => {
  const dir = path.join(tmp(), 'server-backups');
  const d = await startDashi({ env: { BACKUP_DIR: dir, BACKUP_EVERY: '1s', BACKUP_KEEP: '2' } });
  const names = () => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.startsWith('dashi-backup-')) : []);
  const deadline = Date.now() + 60_000;
  while (!/scheduled backup written[\s\S]*scheduled backup written[\s\S]*scheduled backup written/.test(d.output) && Date.now() < deadline) await sleep(100);
  await d.stop();
  assert.equal(names().length, 2, d.output.slice(-2000));
  for (const n of names()) assert.ok((await verifyBackup(path.join(dir, n))).tables.users >= 1);
});
