// Start Dashi: configuration, secret, store (migrations run on open), first user, HTTP server,
// and graceful shutdown on SIGTERM/SIGINT (stop accepting, finish requests, drain writes, close).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../config.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { buildApp } from './app.js';
import { AuthService, checkPassword, hashPassword } from './auth.js';
import { DEFAULT_ADMIN } from './default-admin.js';

const SECRET_FILE = 'secret';

/**
 * APP_SECRET; else, with a server store, one derived from DATABASE_URL (as Umami does, so every
 * process behind a load balancer agrees); else a random one generated on first start and kept
 * under DATA_DIR.
 */
export function ensureSecret(config: Config): string {
  if (config.appSecret) return config.appSecret;
  // Umami v1 called its secret HASH_SALT.
  if (config.hashSalt) return config.hashSalt;
  if (config.databaseUrl) return createHash('sha256').update(`dashi-secret:${config.databaseUrl}`).digest('hex');
  const file = path.join(config.dataDir, SECRET_FILE);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(config.dataDir, { recursive: true });
    const secret = randomBytes(32).toString('hex');
    fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  }
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
  const appSecret = ensureSecret(config);
  const store = await openStore(config);
  const defaultPassword = await ensureAdmin(store, config);
  const { app } = await buildApp({ config: { ...config, appSecret }, store, auth: new AuthService(appSecret, store, config.tokenTtlSeconds) });
  if (defaultPassword) {
    app.log.warn('The admin user still has the default password "umami". Change it now: POST /api/me/password or Settings > Profile in the dashboard (which shows admins a warning until then).');
  }
  const address = await app.listen({ port: config.port, host: config.host });
  app.log.info({ store: store.kind, dataDir: store.kind === 'duckdb' ? config.dataDir : undefined }, `Dashi listening on ${address}`);

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await app.close(); // onClose hooks drain the ingest queue
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
