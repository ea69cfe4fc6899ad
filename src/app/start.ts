// Start Dashi: configuration, private file modes, secret, store (migrations run on open), first
// user, HTTP server, and graceful shutdown on SIGTERM/SIGINT (stop accepting, finish requests,
// drain writes, close).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ConfigError, loadConfig, secretProblem, type Config } from '../config.js';
import { openStore } from '../store/index.js';
import { DB_FILE } from '../store/duckdb/index.js';
import { SECRET_FILE } from '../store/duckdb/backup.js';
import type { Store } from '../store/types.js';
import { buildApp } from './app.js';
import { AuthService, checkPassword, hashPassword } from '../server/auth-service.js';
import { DEFAULT_ADMIN } from '../server/default-admin.js';
import { trafficRollups } from '../query/rollups/embedded-rollups.js';
import { RetentionScheduler } from '../server/retention.js';
import { BackupScheduler } from '../server/backup-scheduler.js';
import { packageVersion } from '../mcp/reference.js';

/**
 * How long a shutdown waits for requests in flight before it closes their connections: a client
 * that sent headers and never its body would otherwise hold the process for Node's request
 * timeout (5 minutes). A request cut off so was never answered, so no acknowledged hit is lost.
 */
const SHUTDOWN_GRACE_MS = 10_000;

export interface Secret {
  value: string;
  /** Where it came from; 'DATABASE_URL' is worth a warning. */
  source: 'APP_SECRET' | 'HASH_SALT' | 'DATABASE_URL' | 'file';
}

/**
 * APP_SECRET (or HASH_SALT, Umami v1's name; config.ts refuses either under 32 bytes); else, with
 * a server store, one derived from DATABASE_URL (as Umami does, so every process behind a load
 * balancer agrees); else a random one generated on first start and kept in DATA_DIR/secret.
 */
export function ensureSecret(config: Config): Secret {
  if (config.appSecret) return { value: config.appSecret, source: 'APP_SECRET' };
  if (config.hashSalt) return { value: config.hashSalt, source: 'HASH_SALT' };
  if (config.databaseUrl) return { value: createHash('sha256').update(`dashi-secret:${config.databaseUrl}`).digest('hex'), source: 'DATABASE_URL' };
  const file = path.join(config.dataDir, SECRET_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const secret = randomBytes(32).toString('hex');
    fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return { value: secret, source: 'file' };
  }
  const value = text.trim();
  const problem = secretProblem(value);
  if (problem) {
    throw new ConfigError(
      `${file} (DATA_DIR/secret): the secret ${problem}. Put a longer one in the file, or delete it to have one generated (this logs everyone out), or set APP_SECRET.`,
    );
  }
  return { value, source: 'file' };
}

/**
 * DATA_DIR holds password hashes and team access codes: everything created from now on is the
 * owner's only (umask 077), and DATA_DIR with what Dashi keeps in it (database, WAL, journal,
 * secret) loses any group/other access an older release left. Other files there are left alone
 * (DATA_DIR itself is 0700). Returns what could not be changed, for a warning.
 */
export function privateDataDir(dataDir: string): string[] {
  process.umask(0o077);
  const problems: string[] = [];
  const tighten = (p: string, all: boolean) => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    if (st.isSymbolicLink()) return;
    const want = st.isDirectory() ? 0o700 : 0o600;
    if ((st.mode & 0o777) !== want && (st.mode & 0o077) !== 0) {
      try {
        fs.chmodSync(p, want);
      } catch (err) {
        problems.push(`${p}: ${(err as Error).message}`);
      }
    }
    if (!st.isDirectory()) return;
    for (const name of fs.readdirSync(p)) {
      if (all || name === SECRET_FILE || name === 'journal' || name.startsWith(DB_FILE)) tighten(path.join(p, name), true);
    }
  };
  tighten(dataDir, false);
  return problems;
}

/** First start: create admin (password `umami` unless ADMIN_PASSWORD). Returns true while the default password is in use. */
export async function ensureAdmin(store: Store, config: Config): Promise<boolean> {
  if ((await store.users.count()) === 0) {
    const password = config.adminPassword ?? DEFAULT_ADMIN.password;
    await store.users.create({ username: DEFAULT_ADMIN.username, passwordHash: await hashPassword(password), role: 'admin' });
  }
  const admin = await store.users.getWithHashByUsername(DEFAULT_ADMIN.username);
  return admin !== null && admin.role === 'admin' && (await checkPassword(DEFAULT_ADMIN.password, admin.passwordHash));
}

export interface Running {
  app: FastifyInstance;
  store: Store;
  url: string;
  stop(): Promise<void>;
}

export async function startServer(config: Config = loadConfig()): Promise<Running> {
  const unchangedModes = privateDataDir(config.dataDir);
  const secret = ensureSecret(config);
  const appSecret = secret.value;
  const store = await openStore(config, trafficRollups);
  const defaultPassword = await ensureAdmin(store, config);
  const { app } = await buildApp({ config: { ...config, appSecret }, store, auth: new AuthService(appSecret, store, config.tokenTtlSeconds) });
  if (secret.source === 'DATABASE_URL') {
    app.log.warn(
      'APP_SECRET is not set: login, share and visit tokens are signed with a key derived from DATABASE_URL, so anyone who learns the database URL can forge them. Set APP_SECRET to a random string of at least 32 bytes (openssl rand -hex 32), the same on every Dashi process.',
    );
  }
  for (const problem of unchangedModes) app.log.warn(`Could not make a data file private (chmod): ${problem}`);
  if (defaultPassword) {
    app.log.warn('The admin user still has the default password "umami". Change it now: POST /api/me/password or Settings > Profile in the dashboard (which shows admins a warning until then).');
  }
  const address = await app.listen({ port: config.port, host: config.host });
  app.log.info({ store: store.kind, dataDir: store.kind === 'duckdb' ? config.dataDir : undefined }, `Dashi listening on ${address}`);
  const retention = new RetentionScheduler(store, { defaultDays: config.dataRetentionDays, intervalMs: config.retentionIntervalMs }, app.log);
  retention.start();
  const backupTo = store.backup;
  const backups =
    config.backupDir && backupTo
      ? new BackupScheduler((target) => backupTo(target, packageVersion()), { dir: config.backupDir, everyMs: config.backupEveryMs, keep: config.backupKeep }, app.log)
      : null;
  backups?.start();

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await retention.stop();
      await backups?.stop();
      // A keep-alive connection whose request finished would otherwise stay until its idle timeout.
      const idle = setInterval(() => app.server.closeIdleConnections(), 100).unref();
      const cut = setTimeout(() => {
        app.log.warn(`requests still in flight ${SHUTDOWN_GRACE_MS / 1000} s after the shutdown began: closing the connections still open`);
        app.server.closeAllConnections();
      }, SHUTDOWN_GRACE_MS).unref();
      await app.close(); // onClose hooks drain the ingest queue
      clearInterval(idle);
      clearTimeout(cut);
      await store.close();
    })());
  return { app, store, url: address, stop };
}

export function handleSignals(running: Running): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      running.app.log.info(`${signal} received, shutting down`);
      running
        .stop()
        .then(() => process.exit(0))
        .catch((err) => {
          running.app.log.error({ err }, 'shutdown failed');
          process.exit(1);
        });
    });
  }
}
