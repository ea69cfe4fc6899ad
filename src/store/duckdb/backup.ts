// Backups of the embedded store, taken while the server ingests. First every acknowledged hit is
// loaded from the journal (flush), then one DuckDB transaction copies the whole database into a
// new file (ATTACH + COPY FROM DATABASE): a consistent MVCC snapshot that never holds the
// writer's lock, so loads and reads go on meanwhile (measured in test/store/backup.test.ts).
// The snapshot's journal_state says which segments it holds, so a server started on it loads
// nothing twice. The backup is written into a hidden sibling directory and renamed into place
// once complete: a crash leaves it whole or absent.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BackupManifest } from '../types.js';
import { UNSTORABLE } from '../../lib/storable-text.js';
import { DB_FILE, type DuckDbPool } from './connection.js';
import { DEAD_LETTER_DIR } from './dead-letter.js';

export const MANIFEST_FILE = 'manifest.json';
export const BACKUP_FORMAT = 'dashi-backup';
export const BACKUP_VERSION = 1;
/** The secret the server generates in DATA_DIR when APP_SECRET is not set (src/app/start.ts). */
export const SECRET_FILE = 'secret';
const MAX_PATH = 4096;

/** A backup or restore the caller asked for cannot be done as asked (a 400, or a CLI message). */
export class BackupError extends Error {}

/** True if `inner` is `outer` or inside it (both absolute and resolved). */
export function isInside(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** `p` with symbolic links resolved as far as it exists (the rest appended as it is). */
export function realPathSoFar(p: string): string {
  const missing: string[] = [];
  let dir = path.resolve(p);
  for (;;) {
    try {
      return path.join(fs.realpathSync(dir), ...missing.reverse());
    } catch {
      const up = path.dirname(dir);
      if (up === dir) return path.join(dir, ...missing.reverse());
      missing.push(path.basename(dir));
      dir = up;
    }
  }
}

/**
 * Checks where a backup may go: an absolute path, outside DATA_DIR, not an existing file or a
 * non-empty directory. Returns the path to write.
 */
export function checkBackupTarget(target: unknown, dataDir: string): string {
  if (typeof target !== 'string' || target.length === 0) throw new BackupError('dir: must be a directory path');
  if (target.length > MAX_PATH || UNSTORABLE.test(target)) throw new BackupError('dir: not a usable path');
  if (!path.isAbsolute(target)) throw new BackupError(`dir: must be an absolute path (${target.slice(0, 200)})`);
  const resolved = path.resolve(target);
  if (isInside(realPathSoFar(resolved), realPathSoFar(dataDir))) throw new BackupError(`dir: must be outside DATA_DIR (${dataDir})`);
  let st: fs.Stats | null = null;
  try {
    st = fs.lstatSync(resolved);
  } catch {
    // does not exist yet: good
  }
  if (st && (!st.isDirectory() || fs.readdirSync(resolved).length > 0)) throw new BackupError(`dir: ${resolved} already exists (give a new directory)`);
  return resolved;
}

/**
 * mkdir -p with mode 0700, one level at a time: Node's recursive mkdir never returns for a path
 * under /proc that does not exist (Node 24), and the path is a client's.
 */
export async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    await fs.promises.mkdir(d, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
}

async function syncPath(p: string): Promise<void> {
  const fd = await fs.promises.open(p, 'r').catch(() => null); // not every platform opens a directory
  if (!fd) return;
  try {
    await fd.sync().catch(() => undefined);
  } finally {
    await fd.close();
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Files under `dir`, as paths relative to it (directories walked, symbolic links skipped). */
export function filesUnder(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(dir, rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** Copies the database into `file` in one transaction; returns the rows per table (checked equal in both). */
async function snapshot(pool: DuckDbPool, file: string): Promise<Record<string, number>> {
  return pool.with(async (conn) => {
    const rows = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
    const [{ db }] = await rows('SELECT current_database() AS db');
    const source = ident(String(db));
    const alias = `dashi_backup_${randomBytes(6).toString('hex')}`;
    await conn.run(`ATTACH ${literal(file)} AS ${alias}`);
    try {
      const counts: Record<string, number> = {};
      await conn.run('BEGIN TRANSACTION');
      try {
        await conn.run(`COPY FROM DATABASE ${source} TO ${alias}`);
        const names = await rows(`SELECT table_name AS t FROM duckdb_tables() WHERE database_name = ${literal(String(db))} AND schema_name = 'main' AND NOT temporary ORDER BY table_name`);
        for (const { t } of names) {
          const table = ident(String(t));
          const [{ a, b }] = await rows(`SELECT (SELECT count(*) FROM ${source}.main.${table}) AS a, (SELECT count(*) FROM ${alias}.main.${table}) AS b`);
          if (a !== b) throw new Error(`backup: ${String(t)} has ${String(a)} rows but the copy ${String(b)}`);
          counts[String(t)] = Number(a);
        }
        await conn.run('COMMIT');
      } catch (err) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
      await conn.run(`CHECKPOINT ${alias}`);
      return counts;
    } finally {
      await conn.run(`DETACH ${alias}`);
    }
  });
}

export interface BackupSource {
  pool: DuckDbPool;
  dataDir: string;
  /** Loads every acknowledged hit from the journal into DuckDB. */
  flush(): Promise<void>;
}

/** Writes a backup of the store into `target` (checked with checkBackupTarget first). */
export async function writeBackup(source: BackupSource, target: string, dashiVersion: string): Promise<BackupManifest> {
  const dest = checkBackupTarget(target, source.dataDir);
  const parent = path.dirname(dest);
  const tmp = path.join(parent, `.${path.basename(dest)}.partial-${randomBytes(6).toString('hex')}`);
  try {
    await makeDirs(parent);
    await fs.promises.mkdir(tmp, { mode: 0o700 });
  } catch (err) {
    throw new BackupError(`dir: cannot create a directory in ${parent} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    const createdAt = new Date().toISOString();
    await source.flush();
    const tables = await snapshot(source.pool, path.join(tmp, DB_FILE));
    // DETACH may leave an empty write-ahead log beside the copy: it holds nothing (CHECKPOINT ran).
    await fs.promises.rm(path.join(tmp, `${DB_FILE}.wal`), { force: true });
    const dead = path.join(source.dataDir, DEAD_LETTER_DIR);
    if (fs.existsSync(dead)) await fs.promises.cp(dead, path.join(tmp, DEAD_LETTER_DIR), { recursive: true, filter: (src) => !src.endsWith('.tmp') });
    const secret = path.join(source.dataDir, SECRET_FILE);
    if (fs.existsSync(secret)) await fs.promises.copyFile(secret, path.join(tmp, SECRET_FILE));
    const files: BackupManifest['files'] = {};
    for (const rel of filesUnder(tmp)) {
      const file = path.join(tmp, rel);
      await fs.promises.chmod(file, 0o600);
      await syncPath(file);
      files[rel] = { bytes: (await fs.promises.stat(file)).size, sha256: await sha256File(file) };
    }
    const manifest: BackupManifest = { format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt, dashiVersion, store: 'duckdb', tables, files };
    const manifestFile = path.join(tmp, MANIFEST_FILE);
    await fs.promises.writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    await syncPath(manifestFile);
    if (fs.existsSync(path.join(tmp, DEAD_LETTER_DIR))) await syncPath(path.join(tmp, DEAD_LETTER_DIR));
    await syncPath(tmp);
    // Replaces an empty directory at `dest`; one that filled up meanwhile makes this fail.
    await fs.promises.rename(tmp, dest);
    await syncPath(parent);
    return manifest;
  } catch (err) {
    await fs.promises.rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
