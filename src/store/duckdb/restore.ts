// `dashi restore`: checks a backup (manifest, every file's size and SHA-256, the rows per table
// in the snapshot), refuses while a server holds DATA_DIR, moves whatever DATA_DIR holds into
// DATA_DIR/before-restore-<time>/ (never deletes it), and copies the backup in. The backup itself
// is left as it was.
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { BackupManifest } from '../types.js';
import { DB_FILE } from './connection.js';
import { BACKUP_FORMAT, BACKUP_VERSION, BackupError, filesUnder, makeDirs, MANIFEST_FILE, sha256File } from './backup.js';

const ASIDE_PREFIX = 'before-restore-';
const MAX_MANIFEST_BYTES = 1 << 20;

/** A well-formed relative path inside the backup (no `..`, not absolute). */
const safeRelative = (rel: string) => rel !== '' && !path.isAbsolute(rel) && !rel.split(/[\\/]/).some((part) => part === '..' || part === '');

function parseManifest(text: string): BackupManifest {
  let m: Partial<BackupManifest>;
  try {
    m = JSON.parse(text) as Partial<BackupManifest>;
  } catch {
    throw new BackupError(`${MANIFEST_FILE} is not JSON`);
  }
  if (!m || typeof m !== 'object' || m.format !== BACKUP_FORMAT) throw new BackupError(`${MANIFEST_FILE} is not a Dashi backup manifest`);
  if (typeof m.version !== 'number' || m.version > BACKUP_VERSION) throw new BackupError(`backup format ${String(m.version)} is newer than this Dashi reads (${BACKUP_VERSION}): upgrade Dashi first`);
  if (m.store !== 'duckdb') throw new BackupError(`a backup of the ${String(m.store)} store cannot be restored into the embedded store`);
  const isCounts = (t: unknown): t is Record<string, number> => !!t && typeof t === 'object' && Object.values(t).every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
  if (!isCounts(m.tables)) throw new BackupError(`${MANIFEST_FILE}: tables must map table names to row counts`);
  const files = m.files;
  if (!files || typeof files !== 'object') throw new BackupError(`${MANIFEST_FILE}: files missing`);
  for (const [rel, f] of Object.entries(files)) {
    if (!safeRelative(rel) || rel === MANIFEST_FILE) throw new BackupError(`${MANIFEST_FILE}: bad file name ${JSON.stringify(rel).slice(0, 200)}`);
    if (!f || !Number.isSafeInteger(f.bytes) || typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256)) throw new BackupError(`${MANIFEST_FILE}: bad entry for ${rel}`);
  }
  if (!files[DB_FILE]) throw new BackupError(`${MANIFEST_FILE}: no ${DB_FILE}`);
  return m as BackupManifest;
}

/** Rows per table of the DuckDB file, opened read-only. */
async function countRows(file: string): Promise<Record<string, number>> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  try {
    const rows = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
    const counts: Record<string, number> = {};
    for (const { t } of await rows(`SELECT table_name AS t FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary`)) {
      const [{ n }] = await rows(`SELECT count(*) AS n FROM main."${String(t).replaceAll('"', '""')}"`);
      counts[String(t)] = Number(n);
    }
    return counts;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Reads and checks a backup; throws BackupError naming the first problem. */
export async function verifyBackup(dir: string): Promise<BackupManifest> {
  const manifestFile = path.join(dir, MANIFEST_FILE);
  let st: fs.Stats;
  try {
    st = fs.statSync(manifestFile);
  } catch {
    throw new BackupError(`${dir} is not a Dashi backup (no ${MANIFEST_FILE})`);
  }
  if (st.size > MAX_MANIFEST_BYTES) throw new BackupError(`${MANIFEST_FILE} is too large to be a manifest`);
  const manifest = parseManifest(fs.readFileSync(manifestFile, 'utf8'));
  const present = filesUnder(dir).filter((f) => f !== MANIFEST_FILE);
  for (const rel of present) if (!manifest.files[rel]) throw new BackupError(`${rel} is in the backup directory but not in its manifest`);
  for (const [rel, want] of Object.entries(manifest.files)) {
    const file = path.join(dir, rel);
    let bytes: number;
    try {
      bytes = fs.statSync(file).size;
    } catch {
      throw new BackupError(`${rel} is missing from the backup`);
    }
    if (bytes !== want.bytes) throw new BackupError(`${rel} has ${bytes} bytes, the manifest says ${want.bytes}`);
    if ((await sha256File(file)) !== want.sha256) throw new BackupError(`${rel} does not match its checksum: the backup is damaged`);
  }
  const counts = await countRows(path.join(dir, DB_FILE));
  const names = new Set([...Object.keys(counts), ...Object.keys(manifest.tables)]);
  for (const t of names) {
    if (counts[t] !== manifest.tables[t]) throw new BackupError(`table ${t}: ${counts[t] ?? 'absent'} rows in the backup, the manifest says ${manifest.tables[t] ?? 'absent'}`);
  }
  return manifest;
}

/** True when a process (a running server) holds the DuckDB file in DATA_DIR. */
export async function dataDirInUse(dataDir: string): Promise<boolean> {
  const file = path.join(dataDir, DB_FILE);
  if (!fs.existsSync(file)) return false;
  try {
    const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
    instance.closeSync();
    return false;
  } catch (err) {
    // Any other failure (a file that is not a DuckDB database...) is no server's: it is moved aside.
    return /lock/i.test((err as Error).message);
  }
}

export interface Restored {
  manifest: BackupManifest;
  /** Where DATA_DIR's earlier contents went; null when it was empty. */
  movedAside: string | null;
}

async function copyInto(from: string, to: string): Promise<void> {
  await makeDirs(path.dirname(to));
  const tmp = `${to}.restoring`;
  await fs.promises.copyFile(from, tmp);
  await fs.promises.chmod(tmp, 0o600);
  const fd = await fs.promises.open(tmp, 'r');
  await fd.sync().finally(() => fd.close());
  await fs.promises.rename(tmp, to);
}

/** Puts the backup in `dir` in place as DATA_DIR (the server must be stopped). */
export async function restoreBackup(dir: string, dataDir: string, now = new Date()): Promise<Restored> {
  const manifest = await verifyBackup(dir);
  if (await dataDirInUse(dataDir)) {
    throw new BackupError(`A Dashi server is running on ${dataDir} (DuckDB holds its lock): stop it, then run dashi restore again`);
  }
  await makeDirs(dataDir);
  const current = fs.readdirSync(dataDir).filter((name) => !name.startsWith(ASIDE_PREFIX));
  let movedAside: string | null = null;
  if (current.length > 0) {
    movedAside = path.join(dataDir, `${ASIDE_PREFIX}${now.toISOString().replace(/[:.]/g, '-')}`);
    await fs.promises.mkdir(movedAside, { mode: 0o700 });
    for (const name of current) await fs.promises.rename(path.join(dataDir, name), path.join(movedAside, name));
  }
  for (const rel of Object.keys(manifest.files)) await copyInto(path.join(dir, rel), path.join(dataDir, rel));
  const fd = await fs.promises.open(dataDir, 'r').catch(() => null);
  await fd?.sync().catch(() => undefined);
  await fd?.close();
  return { manifest, movedAside };
}
