// `dashi backup DIR` and `dashi restore DIR` for the embedded store. DuckDB allows one process per
// file, so a backup is made by whoever holds the store: the running server when the command has
// an API key (POST /api/admin/backup; DIR is then on the server's machine), else this process,
// which opens the store itself (the server must be stopped). A restore needs the server stopped.
import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { packageVersion } from '../mcp/reference.js';
import { openStore } from '../store/index.js';
import { BackupError, SECRET_FILE } from '../store/duckdb/backup.js';
import { DB_FILE } from '../store/duckdb/index.js';
import { restoreBackup } from '../store/duckdb/restore.js';
import { nativeBackupAdvice } from '../store/native-backup.js';
import type { BackupManifest } from '../store/types.js';
import { trafficRollups } from '../query/rollups/embedded-rollups.js';

export const BACKUP_USAGE = `       dashi backup DIR [--url URL --api-key KEY]   (server running: DASHI_URL, DASHI_API_KEY also work)
       dashi restore DIR                            (server stopped)`;

function embeddedOnly(config: Config): void {
  if (config.databaseUrl) throw new ConfigError(nativeBackupAdvice(config.clickhouseUrl ? 'clickhouse' : 'postgres'));
}

/** POSTs with node:http rather than fetch, whose 300 s header timeout a large backup can pass. */
function post(url: URL, key: string, body: unknown): Promise<{ status: number; text: string }> {
  const data = JSON.stringify(body);
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), 'x-umami-api-key': key } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function backupThroughServer(base: string, key: string, dir: string): Promise<BackupManifest> {
  let url: URL;
  try {
    url = new URL('api/admin/backup', base.endsWith('/') ? base : `${base}/`);
  } catch {
    throw new ConfigError(`--url: not a URL (${base.slice(0, 200)})`);
  }
  let res: { status: number; text: string };
  try {
    res = await post(url, key, { dir });
  } catch (err) {
    throw new ConfigError(`Could not reach the Dashi server at ${url.origin} (${(err as Error).message}): is it running? Without --api-key, stop it and the backup is made by this command`);
  }
  let body: { manifest?: BackupManifest; error?: { message?: string } } = {};
  try {
    body = JSON.parse(res.text) as typeof body;
  } catch {
    // not JSON: reported below
  }
  if (res.status !== 200 || !body.manifest) throw new ConfigError(`The server refused the backup (${res.status}): ${body.error?.message ?? res.text.slice(0, 300)}`);
  return body.manifest;
}

async function backupHere(config: Config, dir: string): Promise<BackupManifest> {
  if (!fs.existsSync(path.join(config.dataDir, DB_FILE))) throw new ConfigError(`No embedded store in ${config.dataDir} (DATA_DIR): nothing to back up`);
  let store;
  try {
    store = await openStore(config, trafficRollups);
  } catch (err) {
    if (/in use by another process/.test((err as Error).message)) {
      throw new ConfigError(
        `A Dashi server is running on ${config.dataDir} (DuckDB allows one process per file): let it make the backup with\n` +
          '  dashi backup DIR --url http://localhost:3000 --api-key dashi_… (an admin\'s API key with scope write; DIR is on the server\'s machine)',
      );
    }
    throw err;
  }
  try {
    return await store.backup!(dir, packageVersion());
  } finally {
    await store.close();
  }
}

function summary(manifest: BackupManifest): string {
  const t = manifest.tables;
  return `website_event ${t.website_event ?? 0} rows, session ${t.session ?? 0}, event_data ${t.event_data ?? 0}, ${Object.keys(t).length} tables in all`;
}

export async function backupCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { url: { type: 'string' }, 'api-key': { type: 'string' } } });
  if (positionals.length !== 1) throw new ConfigError(`dashi backup needs one directory\n\nUsage:\n${BACKUP_USAGE}`);
  const config = loadConfig();
  embeddedOnly(config);
  const dir = path.resolve(positionals[0]);
  const key = values['api-key'] ?? process.env.DASHI_API_KEY;
  let manifest: BackupManifest;
  try {
    manifest = key ? await backupThroughServer(values.url ?? process.env.DASHI_URL ?? 'http://localhost:3000', key, dir) : await backupHere(config, dir);
  } catch (err) {
    if (err instanceof BackupError) throw new ConfigError(err.message);
    throw err;
  }
  console.log(`Backup written to ${dir}: ${summary(manifest)}`);
  if (!manifest.files[SECRET_FILE]) {
    console.log('The server signs with APP_SECRET (or HASH_SALT), which is not in the backup: keep it, a restored server needs the same value.');
  }
}

export async function restoreCommand(args: string[]): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new ConfigError(`dashi restore needs the backup's directory\n\nUsage:\n${BACKUP_USAGE}`);
  const config = loadConfig();
  embeddedOnly(config);
  const dir = path.resolve(positionals[0]);
  try {
    const { manifest, movedAside } = await restoreBackup(dir, config.dataDir);
    console.log(`Backup of ${manifest.createdAt} checked (${summary(manifest)}) and restored into ${config.dataDir}.`);
    if (movedAside) console.log(`What DATA_DIR held before is in ${movedAside} (delete it once the restored server looks right).`);
    if (!manifest.files[SECRET_FILE]) console.log('The backup has no DATA_DIR/secret: start the server with the APP_SECRET the backed-up server used.');
    console.log('Start the server now: dashi start');
  } catch (err) {
    if (err instanceof BackupError) throw new ConfigError(err.message);
    throw err;
  }
}
