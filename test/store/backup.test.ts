// Backups of the embedded store in process: a snapshot taken while batches keep being written holds
// every batch acknowledged before it began (and nothing twice), writes and loads go on meanwhile;
// where a backup may go; a damaged or altered backup is refused before DATA_DIR is touched; a
// restore keeps what DATA_DIR held.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { openDuckDbStore } from '../../src/store/duckdb/index.js';
import { BackupError, checkBackupTarget } from '../../src/store/duckdb/backup.js';
import { restoreBackup, verifyBackup } from '../../src/store/duckdb/restore.js';
import type { EventRow, Store, WriteBatch } from '../../src/store/types.js';
import { trafficRollups } from '../../src/query/rollups/embedded-rollups.js';

const made: string[] = [];
const tmp = (prefix = 'dashi-backup-') => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
};
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

const WEBSITE = randomUUID();
const T0 = Date.UTC(2026, 0, 10);

function event(n: number, pageTitle = 'ok'): EventRow {
  return {
    eventId: randomUUID(), websiteId: WEBSITE, sessionId: randomUUID(), visitId: randomUUID(), createdAt: new Date(T0 + n * 1000),
    eventType: 1, eventName: null, eventCategory: null, urlPath: `/p/${n}`, urlQuery: null, pageTitle, hostname: 'x.example',
    referrerDomain: null, referrerPath: null, referrerQuery: null, utmSource: null, utmMedium: null, utmCampaign: null, utmContent: null,
    utmTerm: null, gclid: null, fbclid: null, msclkid: null, ttclid: null, liFatId: null, twclid: null, tag: null, browser: 'chrome',
    os: 'Linux', device: 'desktop', screen: '1920x1080', language: 'en-US', country: null, region: null, city: null, distinctId: null,
  };
}
const batchOf = (events: EventRow[]): WriteBatch => ({ events, eventData: [], sessions: [], sessionData: [] });
const open = (dataDir: string) => openDuckDbStore({ dataDir, rollups: trafficRollups });
const paths = async (store: Store) => (await store.analytics.query('SELECT url_path FROM website_event')).map((r) => String(r.url_path));

test('a backup while writes go on: every batch acknowledged before it, each once; writes and loads continue meanwhile', async () => {
  const dataDir = tmp();
  const store = await open(dataDir);
  let n = 0;
  // A store with some bulk, so the copy takes a while.
  for (let b = 0; b < 10; b++) await store.analytics.write(batchOf(Array.from({ length: 5000 }, () => event(n++))));
  // A refused row goes to the dead letters, which the backup keeps too.
  await store.analytics.write(batchOf([event(n++, 'lone \ud800')]));
  // Loaded and rolled up now, so the rollups' catch-up (30 s after a load) does not fall in the measurement.
  await store.analytics.rollups?.refresh();

  const acked: number[] = [];
  let stop = false;
  const writeLatencies: number[] = [];
  const writer = (async () => {
    while (!stop) {
      const first = n;
      const events = Array.from({ length: 50 }, () => event(n++));
      const t = performance.now();
      await store.analytics.write(batchOf(events));
      writeLatencies.push(performance.now() - t);
      for (let i = first; i < first + 50; i++) acked.push(i);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  // Reads load what is pending first: each one that ends is a load that went through.
  const readLatencies: number[] = [];
  const reader = (async () => {
    while (!stop) {
      const t = performance.now();
      await store.analytics.query('SELECT count(*) AS n FROM website_event');
      readLatencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await new Promise((r) => setTimeout(r, 300));
  const before = new Set(acked);
  const atStart = { writes: writeLatencies.length, reads: readLatencies.length };
  const target = path.join(tmp(), 'snap');
  const t = performance.now();
  const manifest = await store.backup!(target, '1.2.3');
  const took = performance.now() - t;
  const during = { writes: writeLatencies.slice(atStart.writes), reads: readLatencies.slice(atStart.reads) };
  stop = true;
  await writer;
  await reader;
  await store.close();
  const max = (a: number[]) => Math.round(Math.max(0, ...a));
  process.stderr.write(
    `# backup of ${manifest.tables.website_event} events took ${Math.round(took)} ms; meanwhile ${during.writes.length} writes (max ${max(during.writes)} ms) and ${during.reads.length} loads+reads (max ${max(during.reads)} ms); before it, writes max ${max(writeLatencies.slice(0, atStart.writes))} ms, loads+reads max ${max(readLatencies.slice(0, atStart.reads))} ms (${atStart.reads})\n`,
  );
  assert.ok(during.writes.length > 0, 'writes were acknowledged during the backup');

  assert.equal(manifest.format, 'dashi-backup');
  assert.equal(manifest.dashiVersion, '1.2.3');
  assert.equal(Object.keys(manifest.files).sort().join(','), ['dashi.duckdb', ...Object.keys(manifest.files).filter((f) => f.startsWith('dead-letter/'))].sort().join(','));
  assert.equal(Object.keys(manifest.files).filter((f) => f.startsWith('dead-letter/')).length, 1);
  assert.ok(manifest.tables.schema_migrations > 0 && manifest.tables.journal_state === 1, JSON.stringify(manifest.tables));
  assert.deepEqual(await verifyBackup(target), manifest);

  const restoredDir = tmp();
  await restoreBackup(target, restoredDir);
  const restored = await open(restoredDir);
  const got = await paths(restored);
  assert.equal(got.length, manifest.tables.website_event);
  assert.equal(new Set(got).size, got.length, 'no row twice');
  const have = new Set(got);
  for (let i = 0; i < 50_000; i++) assert.ok(have.has(`/p/${i}`), `bulk row ${i}`);
  for (const i of before) assert.ok(have.has(`/p/${i}`), `batch row ${i} was acknowledged before the backup`);
  assert.equal(have.has(`/p/50000`), false, 'the refused row is not loaded');
  assert.equal(restored.analytics.deadLetters?.()?.lines, 1);
  // Writes go on in the restored store, after the snapshot's last journal segment.
  await restored.analytics.write(batchOf([event(10_000_000)]));
  assert.equal((await paths(restored)).length, got.length + 1);
  await restored.close();
});

test('where a backup may go', async () => {
  const dataDir = tmp();
  fs.writeFileSync(path.join(dataDir, 'dashi.duckdb'), '');
  const outside = tmp();
  const bad = (target: unknown, message: RegExp) => assert.throws(() => checkBackupTarget(target, dataDir), (err: Error) => err instanceof BackupError && message.test(err.message));
  bad('relative/dir', /absolute/);
  bad('', /directory path/);
  bad(42, /directory path/);
  bad(`/tmp/a\u0000b`, /not a usable path/);
  bad(`/tmp/a\ud800b`, /not a usable path/);
  bad(`/${'x'.repeat(5000)}`, /not a usable path/);
  bad(dataDir, /outside DATA_DIR/);
  bad(path.join(dataDir, 'backups', 'one'), /outside DATA_DIR/);
  bad(path.join(dataDir, '..', path.basename(dataDir), 'x'), /outside DATA_DIR/);
  // A symbolic link into DATA_DIR is inside it.
  fs.symlinkSync(dataDir, path.join(outside, 'link'));
  bad(path.join(outside, 'link', 'b'), /outside DATA_DIR/);
  fs.writeFileSync(path.join(outside, 'file'), 'x');
  bad(path.join(outside, 'file'), /already exists/);
  fs.mkdirSync(path.join(outside, 'full'));
  fs.writeFileSync(path.join(outside, 'full', 'x'), 'x');
  bad(path.join(outside, 'full'), /already exists/);
  fs.mkdirSync(path.join(outside, 'empty'));
  assert.equal(checkBackupTarget(path.join(outside, 'empty'), dataDir), path.join(outside, 'empty'));
  assert.equal(checkBackupTarget(path.join(outside, 'new', 'deeper'), dataDir), path.join(outside, 'new', 'deeper'));
});

test('an altered or damaged backup is refused, and DATA_DIR is left as it was; a restore keeps what DATA_DIR held', async () => {
  const dataDir = tmp();
  const store = await open(dataDir);
  await store.analytics.write(batchOf([event(1), event(2), event(3)]));
  const good = path.join(tmp(), 'good');
  const manifest = await store.backup!(good, '0.0.1');
  // A directory that cannot be made is the caller's mistake (Node's own recursive mkdir never returns under /proc).
  await assert.rejects(store.backup!('/proc/dashi-test/backup', 'x'), (err: Error) => err instanceof BackupError && /cannot create/.test(err.message));
  await store.close();
  assert.equal(manifest.tables.website_event, 3);

  const copy = (name: string) => {
    const dir = path.join(tmp(), name);
    fs.cpSync(good, dir, { recursive: true });
    return dir;
  };
  const target = tmp();
  fs.writeFileSync(path.join(target, 'keep-me'), 'old');
  const refuses = async (dir: string, message: RegExp) => {
    await assert.rejects(restoreBackup(dir, target), (err: Error) => err instanceof BackupError && message.test(err.message));
    assert.deepEqual(fs.readdirSync(target), ['keep-me']);
  };
  const damaged = copy('damaged');
  const db = path.join(damaged, 'dashi.duckdb');
  const bytes = fs.readFileSync(db);
  bytes[bytes.length >> 1] ^= 0xff;
  fs.writeFileSync(db, bytes);
  await refuses(damaged, /does not match its checksum/);
  const missing = copy('missing');
  fs.rmSync(path.join(missing, 'dashi.duckdb'));
  await refuses(missing, /missing/);
  const extra = copy('extra');
  fs.writeFileSync(path.join(extra, 'stowaway'), 'x');
  await refuses(extra, /not in its manifest/);
  const edit = (name: string, change: (m: any) => void) => {
    const dir = copy(name);
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    change(m);
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
    return dir;
  };
  await refuses(edit('newer', (m) => (m.version = 99)), /newer than this Dashi/);
  await refuses(edit('counts', (m) => (m.tables.website_event = 4)), /website_event: 3 rows in the backup, the manifest says 4/);
  await refuses(edit('escape', (m) => (m.files['../../etc/passwd'] = m.files['dashi.duckdb'])), /bad file name/);
  await refuses(edit('proto', (m) => (m.tables = JSON.parse('{"__proto__": 5}'))), /rows in the backup|row counts/);
  const notJson = copy('not-json');
  fs.writeFileSync(path.join(notJson, 'manifest.json'), '{');
  await refuses(notJson, /not JSON/);
  await refuses(tmp(), /not a Dashi backup/);

  // A good one: DATA_DIR's earlier contents are moved aside, twice over, never deleted.
  const first = await restoreBackup(good, target, new Date(Date.UTC(2026, 5, 1)));
  assert.ok(first.movedAside);
  assert.equal(fs.readFileSync(path.join(first.movedAside, 'keep-me'), 'utf8'), 'old');
  const second = await restoreBackup(good, target, new Date(Date.UTC(2026, 5, 2)));
  assert.ok(second.movedAside && second.movedAside !== first.movedAside);
  assert.ok(fs.existsSync(path.join(second.movedAside, 'dashi.duckdb')));
  assert.ok(fs.existsSync(path.join(first.movedAside, 'keep-me')));
  assert.equal(fs.statSync(path.join(target, 'dashi.duckdb')).mode & 0o777, 0o600);
  const restored = await open(target);
  assert.deepEqual((await paths(restored)).sort(), ['/p/1', '/p/2', '/p/3']);
  await restored.close();
  // The backup itself is untouched.
  assert.deepEqual(await verifyBackup(good), manifest);
});
